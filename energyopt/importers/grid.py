"""An imported source put on a horizon's steps (:func:`to_grid`), and the horizon read from an instance file or
given by start, length, step and timezone (:func:`make_grid`, :func:`instance_grid`).

Resampling by kind (docs/series.md): prices, carbon, irradiance, solar availability and demand are the
time-weighted mean of the values over each step (a value holds over its interval, so a coarser source repeats on
finer steps and a finer one is averaged); temperature is interpolated linearly in time, each value taken at the
middle of its interval and read at the middle of each step. A step that any missing interval touches is a gap:
refused, with the times, unless ``fill`` says how to fill the source's missing intervals first.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from ..inputs.files import MAX_INSTANCE_BYTES, read_bounded
from ..inputs.schema import Horizon
from ..inputs.timegrid import TimeGrid
from .base import KINDS, Imported, ImportError_

FILLS = ("interpolate", "ffill", "zero")


def make_grid(start: str, tz: str | None, step_minutes: int, days: int | None = None,
              hours: float | None = None) -> TimeGrid:
    """The horizon of an instance with these ``[horizon]`` fields (validated as the instance's are)."""
    raw = {"start": start, "step_minutes": step_minutes, "timezone": tz, "days": days, "hours": hours}
    try:
        return horizon_grid(Horizon(**{k: v for k, v in raw.items() if v is not None}), "the horizon options")
    except ValidationError as exc:
        raise ImportError_("the horizon options: " + "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'horizon'}: {e['msg']}" for e in exc.errors())) from None


def instance_grid(path: str | Path) -> TimeGrid:
    """The horizon of the instance file ``path`` (its ``[horizon]`` only: its series may not exist yet)."""
    path = Path(path)
    data, problem = read_bounded(path, MAX_INSTANCE_BYTES)
    if problem:
        raise ImportError_(f"{path}: the instance file {problem}")
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
        raise ImportError_(f"{path}: cannot read the instance ({exc})") from None
    if not isinstance(raw.get("horizon"), dict):
        raise ImportError_(f"{path}: no [horizon] table")
    try:
        return horizon_grid(Horizon(**raw["horizon"]), str(path))
    except ValidationError as exc:
        raise ImportError_(f"{path}: " + "; ".join(f"horizon.{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                                   for e in exc.errors())) from None


def horizon_grid(h: Horizon, name: str) -> TimeGrid:
    start = pd.Timestamp(h.start)
    tz = h.timezone or start.tz
    try:
        start = start.tz_localize(tz, nonexistent="raise", ambiguous="raise") if start.tz is None \
            else start.tz_convert(tz)
    except Exception as exc:  # noqa: BLE001 - unknown zone, or a local time that does not exist
        raise ImportError_(f"{name}: horizon.start {h.start} cannot be placed in {tz}: {exc}") from None
    end = start + (pd.DateOffset(days=h.days) if h.days else pd.Timedelta(hours=h.hours))
    n = (end - start) / pd.Timedelta(minutes=h.step_minutes)
    if abs(n - round(n)) > 1e-9 or start.minute % h.step_minutes or start.second:
        raise ImportError_(f"{name}: the horizon is not a whole number of {h.step_minutes}-minute steps from a "
                           "step boundary")
    return TimeGrid(start=start, step_minutes=h.step_minutes, n_steps=int(round(n)))


def to_grid(imp: Imported, grid: TimeGrid, fill: str | None = None) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """``imp``'s columns on ``grid``'s steps (index: the step starts in the horizon's timezone) and every repair,
    the importer's and this one's (a typical year matched, a trace moved, gaps filled)."""
    if fill is not None and fill not in FILLS:
        raise ImportError_(f"fill {fill!r}: use one of {', '.join(FILLS)}")
    repairs = [r for r in imp.repairs if _near(r, grid)]
    frame, step = imp.frame, imp.step
    if imp.pattern == "typical_year":
        frame, more = _typical(frame, grid, step, imp.source)
        repairs += more
    elif imp.pattern == "trace":
        frame, more = _trace(frame, grid, step)
        repairs += more
    t0 = grid.start.tz_convert("UTC")
    span = pd.Timedelta(minutes=grid.step_minutes * grid.n_steps)
    if len(frame) == 0 or frame.index[0] > t0 or frame.index[-1] + step < t0 + span:
        have = "nothing" if len(frame) == 0 else (f"{frame.index[0].tz_convert(grid.start.tz).isoformat()} to "
                                                  f"{(frame.index[-1] + step).tz_convert(grid.start.tz).isoformat()}")
        raise ImportError_(f"{imp.source}: covers {have}, but the horizon runs {grid.start.isoformat()} to "
                           f"{grid.end.isoformat()}")
    # The source's intervals that touch the horizon (and one more each side for interpolation).
    lo = max(int(np.floor((t0 - frame.index[0]) / step)) - 1, 0)
    hi = min(int(np.ceil((t0 + span - frame.index[0]) / step)) + 1, len(frame))
    part = frame.iloc[lo:hi]
    out = {}
    for col in part.columns:
        vals = part[col].to_numpy(dtype=float)
        if np.isnan(vals).any():
            vals = _gaps(vals, part.index, step, col, imp.source, grid, fill, repairs)
        out[col] = _resample(vals, part.index, step, grid, KINDS.get(col, "mean"))
    result = pd.DataFrame(out, index=grid.index)
    if imp.target is not None:
        result, note = _scale(result, *imp.target)
        repairs.append(note)
    return result, tuple(repairs)


def _near(repair: str, grid: TimeGrid) -> bool:
    """Whether a repair concerns the horizon: one that starts with a date (``2024-11-03: ...``) only if the date is
    within a day of the horizon; every other repair always."""
    m = re.match(r"(\d{4}-\d\d-\d\d): ", repair)
    if not m:
        return True
    day = pd.Timestamp(m.group(1))
    return grid.start.tz_localize(None).normalize() - pd.Timedelta(days=1) <= day \
        <= grid.end.tz_localize(None).normalize() + pd.Timedelta(days=1)


def _resample(vals: np.ndarray, index: pd.DatetimeIndex, step: pd.Timedelta, grid: TimeGrid, kind: str):
    t = (index - grid.start).total_seconds().to_numpy() / 60.0   # minutes from the horizon's start
    d = step / pd.Timedelta(minutes=1)
    g = float(grid.step_minutes)
    a = np.arange(grid.n_steps) * g   # step starts
    if kind == "temperature":
        return np.interp(a + g / 2, t + d / 2, vals)
    # Time-weighted mean: the source intervals i0..i1 that overlap each step, weighted by their overlap (a step
    # inside one interval takes its value exactly).
    i0 = np.floor((a - t[0]) / d + 1e-9).astype(int)
    i1 = np.ceil((a + g - t[0]) / d - 1e-9).astype(int) - 1
    out = vals[np.clip(i0, 0, len(vals) - 1)].astype(float)
    for j in np.flatnonzero(i1 > i0):
        i = np.arange(i0[j], i1[j] + 1)
        w = np.minimum(a[j] + g, t[i] + d) - np.maximum(a[j], t[i])
        out[j] = float(np.dot(w, vals[i]) / w.sum())
    return out


def _gaps(vals, index, step, col, source, grid, fill, repairs):
    """Missing intervals of ``col`` near the horizon: refused with their times, or filled as ``fill`` says."""
    miss = np.isnan(vals)
    t0, t1 = grid.start, grid.end
    starts = index[miss]
    inside = (starts + step > t0) & (starts < t1)
    if not inside.any():
        return _fill(vals, "ffill")   # only the margin kept for interpolation: never read
    runs = _runs(index, miss & ((index + step > t0) & (index < t1)), step, grid.start.tz)
    listed = "; ".join(runs[:6]) + ("; ..." if len(runs) > 6 else "")
    n = int(inside.sum())
    if fill is None:
        raise ImportError_(f"{source}: column {col}: {n} missing interval(s) of {step / pd.Timedelta(minutes=1):g} "
                           f"min in the horizon: {listed}. Give fill (--fill interpolate, ffill or zero) to fill "
                           "them, or another file")
    repairs.append(f"{col}: {n} missing interval(s) filled ({fill}): {listed}")
    return _fill(vals, fill)


def _fill(vals: np.ndarray, how: str) -> np.ndarray:
    s = pd.Series(vals)
    if how == "zero":
        return s.fillna(0.0).to_numpy()
    if how == "interpolate":
        return s.interpolate(limit_direction="both").to_numpy()
    return s.ffill().bfill().to_numpy()


def _runs(index: pd.DatetimeIndex, miss: np.ndarray, step: pd.Timedelta, tz) -> list[str]:
    """Each run of missing intervals as 'start .. end' in the horizon's timezone."""
    out, i = [], 0
    while i < len(miss):
        if not miss[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(miss) and miss[j + 1]:
            j += 1
        out.append(f"{index[i].tz_convert(tz).isoformat()} .. {(index[j] + step).tz_convert(tz).isoformat()}")
        i = j + 1
    return out


def _typical(frame: pd.DataFrame, grid: TimeGrid, step: pd.Timedelta, source: str):
    """A typical year laid on the horizon's dates: each interval takes the row of the same month, day and clock time
    in the typical year's own timezone (Feb 29 takes Feb 28's)."""
    tz = frame.index.tz
    key = lambda t: (t.month, t.day, t.hour, t.minute)  # noqa: E731
    rows = {key(t): i for i, t in enumerate(frame.index)}
    first = grid.start.tz_convert(tz).floor(step) - step
    times = pd.date_range(first, grid.end.tz_convert(tz) + step, freq=step)
    pos, kept, leap = [], [], False
    for t in times:
        k = key(t)
        if k[:2] == (2, 29):
            k, leap = (2, 28, k[2], k[3]), True
        if k not in rows:   # a clock hour skipped in spring (a typical year in a zone with daylight saving)
            k = key(t - pd.Timedelta(hours=1))
        if k in rows:
            pos.append(rows[k])
            kept.append(t)
        elif grid.start < t + step and t < grid.end:   # only the margins may be missing
            raise ImportError_(f"{source}: the typical year has no row for {t:%m-%d %H:%M} ({tz}), a time of the "
                               "horizon")
    out = frame.iloc[pos].set_axis(pd.DatetimeIndex(kept).tz_convert("UTC"))
    notes = [f"typical year matched by month, day and hour ({tz}) to {grid.start.date()} .. {grid.end.date()}"]
    if leap:
        notes.append("Feb 29 took Feb 28's values (a typical year has no Feb 29)")
    return out, notes


def _trace(frame: pd.DataFrame, grid: TimeGrid, step: pd.Timedelta):
    """A workload trace moved to start at the horizon's start and repeated until it covers the horizon."""
    span = pd.Timedelta(minutes=grid.step_minutes * grid.n_steps)
    n = len(frame)
    reps = int(np.ceil(span / (n * step)))
    vals = np.tile(frame.to_numpy(dtype=float), (reps, 1))
    times = pd.date_range(grid.start.tz_convert("UTC"), periods=n * reps, freq=step)
    out = pd.DataFrame(vals, index=times, columns=frame.columns)
    note = (f"trace of {(n * step) / pd.Timedelta(minutes=1):g} min from {frame.index[0].isoformat()} moved to "
            f"start at {grid.start.isoformat()}"
            + (f" and repeated {reps} times to cover the horizon" if reps > 1 else ""))
    return out, [note]


def _scale(result: pd.DataFrame, how: str, mw: float):
    base = result.max() if how == "peak" else result.mean()
    if (base <= 0).any():
        raise ImportError_("the trace has no demand in the horizon: it cannot be scaled")
    return result * (mw / base), f"demand scaled to a {how} of {mw:g} MW on the horizon's steps"
