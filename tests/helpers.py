"""Write tiny instances (TOML + series CSV) from Python dicts for the optimisation tests.

The TOML text is written here by hand (no extra dependency):

* top-level scalars first, then every dict as a ``[section]`` and every list of dicts as ``[[section]]``;
* inside a section, a dict value becomes an inline table (``{ file = "series.csv", column = "x" }``,
  ``thermal_storage = { ... }``) and a list becomes an array (curves: ``[[20.0, 1.0], [40.0, 0.5]]``).

Series are written to ``series.csv`` beside the instance, with hourly UTC-offset timestamps from the
horizon's start (or ``series_start``); refer to a column with :func:`col`.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

import energyopt as eo

SERIES_FILE = "series.csv"
START = "2025-01-01T00:00:00+00:00"


def col(column: str) -> dict[str, str]:
    """A series field read from ``column`` of the instance's ``series.csv``."""
    return {"file": SERIES_FILE, "column": column}


def at(hours: float, start: str = START) -> str:
    """The ISO time ``hours`` after ``start`` (for notice windows, releases and deadlines)."""
    t = datetime.fromisoformat(start) + timedelta(hours=hours)
    return t.isoformat()


def base(hours: int, prices: Sequence[float] | float, *, step_minutes: int = 60,
         interconnection_mw: float = 1000.0, it_load_mw: Any = 0.0) -> tuple[dict, dict]:
    """A minimal instance (horizon, site, grid; no overhead, carbon or cooling) and its series.

    ``prices`` is a number or one price per hour (written to the ``price`` column).
    """
    series: dict[str, list[float]] = {}
    if isinstance(prices, (int, float)):
        price: Any = float(prices)
    else:
        series["price"] = [float(p) for p in prices]
        price = col("price")
    inst = {
        "name": "test",
        "horizon": {"start": START, "hours": hours, "step_minutes": step_minutes},
        "site": {"interconnection_mw": interconnection_mw, "it_load_mw": it_load_mw},
        "grid": {"price_usd_per_mwh": price},
    }
    return inst, series


# -- TOML ---------------------------------------------------------------------------------------------
def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, datetime):
        return json.dumps(v.isoformat())
    if isinstance(v, str):
        return json.dumps(v)  # a JSON string is a valid TOML basic string for the text used here
    if isinstance(v, float) or hasattr(v, "__float__"):  # also numpy numbers
        f = float(v)
        if not math.isfinite(f):
            raise ValueError(f"cannot write {f} to an instance")
        return repr(f)
    raise TypeError(f"no TOML form for {v!r}")


def _value(v: Any) -> str:
    if isinstance(v, np.ndarray):
        v = v.tolist()
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{k} = {_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return _scalar(v)


def toml_text(inst: Mapping[str, Any]) -> str:
    lines: list[str] = []
    tables: list[str] = []
    for key, v in inst.items():
        if isinstance(v, Mapping):
            tables.append(f"\n[{key}]")
            tables += [f"{k} = {_value(x)}" for k, x in v.items() if x is not None]
        elif isinstance(v, (list, tuple)) and v and all(isinstance(x, Mapping) for x in v):
            for item in v:
                tables.append(f"\n[[{key}]]")
                tables += [f"{k} = {_value(x)}" for k, x in item.items() if x is not None]
        elif isinstance(v, (list, tuple)) and not v:
            continue  # an empty list section is the same as an absent one
        elif v is not None:
            lines.append(f"{key} = {_value(v)}")
    return "\n".join(lines + tables) + "\n"


def series_csv(series: Mapping[str, Sequence[float]], start: str, step_minutes: int = 60) -> str:
    lengths = {len(v) for v in series.values()}
    if len(lengths) != 1:
        raise ValueError(f"series columns differ in length: {lengths}")
    n = lengths.pop()
    t0 = datetime.fromisoformat(start)
    names = list(series)
    rows = [",".join(["timestamp", *names])]
    for i in range(n):
        t = (t0 + timedelta(minutes=step_minutes * i)).isoformat()
        rows.append(",".join([t, *(repr(float(series[c][i])) for c in names)]))
    return "\n".join(rows) + "\n"


def write_instance(folder: str | Path, inst: Mapping[str, Any],
                   series: Mapping[str, Sequence[float]] | None = None, *, filename: str = "instance.toml",
                   series_start: str | None = None, series_step_minutes: int = 60) -> Path:
    """Write ``inst`` as TOML (and ``series`` as ``series.csv``) into ``folder``; return the TOML's path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if series:
        start = series_start or str(inst["horizon"]["start"])
        (folder / SERIES_FILE).write_text(series_csv(series, start, series_step_minutes), encoding="utf-8")
    path = folder / filename
    path.write_text(toml_text(inst), encoding="utf-8")
    return path


def solve(path: str | Path) -> "eo.Result":
    """Solve to proven optimality (mip_rel_gap = 0) and insist on an optimal status."""
    r = eo.solve(path, eo.SolveOptions(mip_rel_gap=0))
    assert r.status.value == "optimal", (r.status, r.summary.get("diagnosis"))
    return r


def solve_dict(folder: str | Path, inst: Mapping[str, Any], series: Mapping[str, Sequence[float]] | None = None,
               **kw: Any) -> "eo.Result":
    return solve(write_instance(folder, inst, series, **kw))
