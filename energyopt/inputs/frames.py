"""Instances from pandas (:func:`from_frames`) and back to files (:func:`to_files`).

A configuration (a dict shaped as the instance TOML, or the path of a TOML file) names its series as a file does,
``{ file = "series.csv", column = "chat_mw" }``, and a timezone-aware DataFrame plays the role of that file: its
index (or a ``timestamp`` column) gives the times, its columns the values. The loader validates it exactly as a file
(coverage, sorted unique evenly spaced times, numbers, ranges, time-weighted means on the steps), and its messages
name the column and the time of the faulty row instead of a file's row. Shortcuts: one DataFrame stands for the
file ``series.csv``; ``{ column = "x" }`` without ``file`` reads that one DataFrame; a pandas Series put in the
configuration in place of a value is that field's series.
"""
from __future__ import annotations

import copy
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
import tomli_w
from pydantic import BaseModel

from ..atomic import swap_in, umask
from ..errors import BadInput
from .errors import InstanceError, Problem
from .instance import Instance
from .loader import load_instance, load_parsed
from .schema import SeriesInput

#: The file name a single DataFrame stands for, and the series file :func:`to_files` writes.
SERIES_FILE = "series.csv"
#: Fields an input converts into another on loading (kept: the converted one): written, both would be refused.
_CONVERTED = ("shed_penalty_usd_per_m_tokens", "unfinished_penalty_usd_per_gpu_hour")


def from_frames(config: Mapping[str, Any] | str | Path,
                series: pd.DataFrame | Mapping[str, pd.DataFrame | pd.Series] | None = None) -> Instance:
    """An :class:`Instance` from ``config`` (a dict shaped as the TOML file, or a TOML file's path) and ``series``
    (a timezone-aware DataFrame, standing for ``series.csv``, or a mapping of file names to DataFrames/Series).

    Raises :class:`InstanceError` listing every problem, as :func:`load_instance` does for files."""
    frames: dict[str, pd.DataFrame | pd.Series] = {}
    if isinstance(series, (pd.DataFrame, pd.Series)):
        frames[SERIES_FILE] = series
    elif series is not None:
        frames.update({str(k): v for k, v in series.items()})
    labels = {name: "the series DataFrame" if isinstance(series, (pd.DataFrame, pd.Series)) else
              f"the DataFrame {name!r}" for name in frames}
    path = Path(config) if isinstance(config, (str, Path)) else None
    if path is None and not isinstance(config, Mapping):
        raise InstanceError([Problem("config", f"expected a dict shaped as the instance TOML, or a TOML file's "
                                     f"path; got {type(config).__name__}")], "the configuration")
    raw = None
    if path is None:
        raw = _inline(_copy(config), "", frames, labels)
    tables, problems = {}, []
    for name, obj in frames.items():
        table, problem = _table(obj, labels[name])
        if problem:
            problems.append(problem)
        else:
            tables[name] = table
    if problems:
        raise InstanceError(problems, str(path) if path else "the configuration")
    try:
        if path is not None:
            return load_instance(path, frames=tables)
        inst = load_parsed(raw, Path("the configuration"), tables)
    except InstanceError as exc:
        raise InstanceError([_at_time(p, tables, labels) for p in exc.problems], exc.path) from None
    inst._source = None
    return inst


def _copy(obj: Any) -> Any:
    """A deep copy of plain containers; pandas objects are kept as they are (read, never changed)."""
    if isinstance(obj, Mapping):
        return {k: _copy(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_copy(v) for v in obj]
    return obj if isinstance(obj, (pd.Series, pd.DataFrame)) else copy.deepcopy(obj)


def _inline(obj: Any, where: str, frames: dict, labels: dict) -> Any:
    """``obj`` with each pandas Series replaced by a reference to a frame of its own, ``{column = ...}`` without a
    file pointed at the only DataFrame, and NumPy scalars made Python numbers (TOML has no such types)."""
    if isinstance(obj, pd.Series):
        key = f"<{where}>"
        frames[key] = obj.rename("values")
        labels[key] = f"the Series at {where}"
        return {"file": key, "column": "values"}
    if isinstance(obj, Mapping):
        out = {k: _inline(v, f"{where}.{k}" if where else str(k), frames, labels) for k, v in obj.items()}
        given = [k for k in frames if not k.startswith("<")]   # the DataFrames passed, not the config's Series
        if set(out) <= {"column", "scale"} and "column" in out and given == [SERIES_FILE]:
            out["file"] = SERIES_FILE
        return out
    if isinstance(obj, list):
        return [_inline(v, f"{where}[{i}]", frames, labels) for i, v in enumerate(obj)]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def _table(obj: pd.DataFrame | pd.Series, label: str) -> tuple[pd.DataFrame | None, Problem | None]:
    """The loader's table: a ``timestamp`` column of tz-aware times and string-named value columns."""
    if isinstance(obj, pd.Series):
        obj = obj.to_frame(obj.name if obj.name is not None else "values")
    if not isinstance(obj, pd.DataFrame):
        return None, Problem("series", f"expected a pandas DataFrame or Series, got {type(obj).__name__}", label)
    if isinstance(obj.columns, pd.MultiIndex):
        return None, Problem("series", "its columns have several levels: give one column per series", label)
    if "timestamp" in obj.columns:
        times, values = obj["timestamp"], obj.drop(columns="timestamp")
        what = "its 'timestamp' column"
    else:
        times, values, what = obj.index, obj, "its index"
    if not (isinstance(times, pd.DatetimeIndex) or pd.api.types.is_datetime64_any_dtype(times)):
        return None, Problem("series", f"{what} holds no times ({getattr(times, 'dtype', type(times))}): give a "
                             "timezone-aware DatetimeIndex or a 'timestamp' column", label)
    times = pd.DatetimeIndex(times)
    if times.tz is None:
        return None, Problem("series", f"{what} has no timezone: make it timezone-aware, e.g. "
                             "frame.tz_localize('America/Chicago') (or tz_localize('UTC')), so no local time is "
                             "guessed", label)
    table = values.copy()
    table.columns = [str(c) for c in table.columns]
    table.insert(0, "timestamp", times)
    return table.reset_index(drop=True), None


def _at_time(p: Problem, tables: dict[str, pd.DataFrame], labels: dict[str, str]) -> Problem:
    """A problem with a frame's row position told as that row's time, and the frame named as the user gave it."""
    if p.file not in tables:
        return p
    t = tables[p.file]["timestamp"]
    at = t.iloc[p.row].isoformat() if p.row is not None and 0 <= p.row < len(t) else None
    return Problem(p.field, p.message, labels[p.file], None, at)


# -- back to files ----------------------------------------------------------------------------------------------

def to_files(inst: Instance, folder: str | Path, name: str | None = None) -> Path:
    """Write ``inst`` as ``folder/NAME.toml`` plus ``folder/series.csv`` (every series on the horizon's steps,
    timestamps with their UTC offset), which :func:`load_instance` reads back to the same instance. ``folder`` must
    not exist or be empty (its parent folders are made); it appears whole or not at all. Returns the TOML file's
    path."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BadInput(f"{folder}: exists and is not an empty folder; give a new one")
    try:
        folder.absolute().parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(f"{folder}: cannot make its parent folder ({exc})") from None
    grid = inst.time
    columns: dict[str, np.ndarray] = {}
    raw = _dump(inst, "", columns)
    name = name or inst.name or "instance"
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.absolute().parent))
    try:
        toml_path = tmp / f"{name}.toml"
        toml_path.write_text(f"# Written by energyopt.to_files from the instance {inst.name!r}; every series is in "
                             f"{SERIES_FILE}.\n" + tomli_w.dumps(raw), encoding="utf-8")
        if columns:
            frame = pd.DataFrame(columns)
            frame.insert(0, "timestamp", [t.isoformat() for t in grid.index])
            frame.to_csv(tmp / SERIES_FILE, index=False)
        os.chmod(tmp, 0o777 & ~umask())
        if folder.exists():
            folder.rmdir()
        swap_in(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder / f"{name}.toml"


def _dump(obj: BaseModel, where: str, columns: dict[str, np.ndarray]) -> dict[str, Any]:
    """The fields the instance was given (the others take their defaults again), series as columns of
    series.csv named ``section.field`` (``id.field`` for a list's items)."""
    out: dict[str, Any] = {}
    converted = getattr(obj, "_converted", False)
    for field in type(obj).model_fields:
        if field not in obj.model_fields_set or (converted and field in _CONVERTED):
            continue
        v = getattr(obj, field)
        label = f"{where}.{field}" if where else field
        if isinstance(v, SeriesInput):
            if v.value is not None:
                out[field] = v.value * v.scale
            else:
                columns[label] = np.asarray(v.values, dtype=float)
                out[field] = {"file": SERIES_FILE, "column": label}
        elif isinstance(v, BaseModel):
            out[field] = _dump(v, label, columns)
        elif isinstance(v, list) and v and isinstance(v[0], BaseModel):
            out[field] = [_dump(x, getattr(x, "id", f"{label}[{i}]"), columns) for i, x in enumerate(v)]
        elif v is not None:
            out[field] = _plain(v)
    return out


def _plain(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    return v
