"""One day of a simulation as a real instance: the template's TOML with the day's horizon, the day's
series (forecast prices, weather) and the notices known when it is planned, written beside a ``series.csv``.

Every day's plan is thus an ordinary ``solve`` result of an ordinary instance file: it can be re-checked,
re-planned and recorded like any other.
"""
from __future__ import annotations

import copy
import tomllib
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import tomli_w

from ..inputs import Instance, InstanceError, load_instance
from ..inputs.errors import Problem


class Template:
    """The one-day template instance: its raw TOML (to write each day) and its loaded values."""

    def __init__(self, path: Path):
        self.path = path
        self.inst: Instance = load_instance(path)   # reports a missing or malformed file as an InstanceError
        self.raw = tomllib.loads(path.read_text(encoding="utf-8"))
        h = self.raw.get("horizon", {})
        problems = []
        if not h.get("timezone"):
            problems.append(Problem("horizon.timezone", "a simulation template needs an IANA timezone (its local "
                                    "days and the permit ledger's days follow it)", path.name))
        g = self.inst.time
        if abs(g.n_steps * g.dt_hours - 24.0) > 1e-9 and h.get("days") != 1:
            problems.append(Problem("horizon", f"a simulation template covers one day (`days = 1` or "
                                    f"`hours = 24`), not {g.n_steps * g.dt_hours:g} h", path.name))
        if problems:
            raise InstanceError(problems, str(path))
        self.tz = ZoneInfo(h["timezone"])
        self.start = g.start
        self.time_of_day = g.start.tz_convert(self.tz).time()

    def day_start(self, d: date) -> pd.Timestamp:
        return pd.Timestamp(datetime.combine(d, self.time_of_day, self.tz))

    def day_steps(self, d: date) -> pd.DatetimeIndex:
        """Step starts of local day ``d`` (23, 24 or 25 hours)."""
        a = self.day_start(d)
        b = pd.Timestamp(datetime.combine(d + pd.Timedelta(days=1), self.time_of_day, self.tz))
        step = self.inst.time.step_minutes
        return pd.date_range(a, b, freq=f"{step}min", inclusive="left")

    def profile(self, values: np.ndarray, d: date) -> np.ndarray:
        """The template's per-step values on day ``d``, matched by local wall-clock time since the day's start
        (a 23-hour day skips the lost hour, a 25-hour day repeats the doubled one)."""
        steps = self.day_steps(d)
        naive = steps.tz_localize(None)
        base = datetime.combine(d, self.time_of_day)
        k = ((naive - base) / pd.Timedelta(minutes=self.inst.time.step_minutes)).astype(int)
        return np.asarray(values, dtype=float)[np.clip(k, 0, len(values) - 1)]


def write_day(folder: Path, tpl: Template, d: date, overrides: dict[str, np.ndarray],
              notices: list[dict], name: str) -> Path:
    """Write day ``d``'s instance into ``folder``; ``overrides`` maps ``grid.price_usd_per_mwh``-style
    field paths to the day's values; every other series field repeats the template's daily profile."""
    folder.mkdir(parents=True, exist_ok=True)
    raw = copy.deepcopy(tpl.raw)
    steps = tpl.day_steps(d)
    start = tpl.day_start(d)
    raw["name"] = f"{name} {d.isoformat()}"
    raw["horizon"] = {"start": start.tz_localize(None).isoformat(), "timezone": raw["horizon"]["timezone"],
                      "days": 1, "step_minutes": tpl.inst.time.step_minutes}
    columns: dict[str, np.ndarray] = {}
    for path, holder, key in _series_fields(raw):
        col = path.replace("[", "_").replace("]", "").replace(".", "_")
        columns[col] = overrides[path] if path in overrides else tpl.profile(_template_values(tpl.inst, path), d)
        holder[key] = {"file": "series.csv", "column": col}
    for path, values in overrides.items():
        if path not in {p for p, _, _ in _series_fields(raw)}:
            section, field = path.split(".")
            col = path.replace(".", "_")
            raw.setdefault(section, {})[field] = {"file": "series.csv", "column": col}
            columns[col] = values
    shift = start.tz_localize(None) - tpl.start.tz_convert(tpl.tz).tz_localize(None)
    for j, job in zip(raw.get("training_jobs", []), tpl.inst.training_jobs):
        for key in ("release", "deadline"):
            t = getattr(job, key)
            if t is not None:
                j[key] = (t.tz_convert(tpl.tz).tz_localize(None) + shift).isoformat()
    raw["notices"] = [{k: v for k, v in n.items() if v is not None} for n in notices]
    if not raw["notices"]:
        del raw["notices"]
    frame = pd.DataFrame({"timestamp": [t.isoformat() for t in steps], **columns})
    frame.to_csv(folder / "series.csv", index=False)
    path = folder / "instance.toml"
    path.write_text(tomli_w.dumps(_plain(raw)), encoding="utf-8")
    return path


def _series_fields(raw: dict):
    """(field path, the dict holding it, its key) of every series field given as a file."""
    for section, value in raw.items():
        items = [(section, value)] if isinstance(value, dict) else \
            [(f"{section}[{i}]", v) for i, v in enumerate(value)] if isinstance(value, list) else []
        for prefix, obj in items:
            if not isinstance(obj, dict):
                continue
            for key, v in obj.items():
                if isinstance(v, dict) and "file" in v:
                    yield f"{prefix}.{key}", obj, key
                elif isinstance(v, dict):  # one level deeper (e.g. cooling.thermal_storage)
                    for k2, v2 in v.items():
                        if isinstance(v2, dict) and "file" in v2:
                            yield f"{prefix}.{key}.{k2}", v, k2


def _template_values(inst: Instance, path: str) -> np.ndarray:
    obj: Any = inst
    for part in path.split("."):
        if "[" in part:
            name, idx = part[:-1].split("[")
            obj = getattr(obj, name)[int(idx)]
        else:
            obj = getattr(obj, part)
    return obj.values


def _plain(v: Any) -> Any:
    """TOML-writable values: numpy scalars to Python, timestamps to ISO strings."""
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    if isinstance(v, (pd.Timestamp, datetime)):
        return v.isoformat()
    if isinstance(v, time):
        return v.isoformat()
    return v
