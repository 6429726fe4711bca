"""Time-series files (CSV or Parquet) read with their timestamps and put on the horizon's steps.

A file has a ``timestamp`` column and value columns. Timestamps carry a UTC offset (``Z`` or
``+hh:mm``) or are local times in the horizon's timezone. A value holds from its timestamp to the
next one; a horizon step takes the time-weighted mean of the values over it, so a file may be finer
or coarser than the horizon (hourly prices on 15-minute steps repeat; 5-minute prices average).
Rows are named as the user sees them: CSV line numbers (the header is line 1), Parquet row numbers
from 1.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import Problem
from .files import MAX_SERIES_BYTES, file_problem, shown
from .timegrid import TimeGrid

_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")


@dataclass
class SeriesFile:
    """One parsed file: UTC times, values by column, and how to name its rows."""

    name: str
    times_utc: pd.DatetimeIndex
    frame: pd.DataFrame
    rows: np.ndarray  # file row (CSV line) of each data row

    def row(self, i: int) -> int:
        return int(self.rows[i])


def safe_path(base_dir: Path, rel: str, field: str) -> tuple[Path | None, Problem | None]:
    """Resolve ``rel`` against the instance's folder; refuse paths that leave it, and anything that is not a
    regular file under :data:`~.files.MAX_SERIES_BYTES` (without opening it: a named pipe cannot hang the load)."""
    name = shown(rel)
    if "\x00" in rel:
        return None, Problem(field, f"file path '{name}' has a NUL byte (\\x00) in it", name)
    p = Path(rel)
    if p.is_absolute():
        return None, Problem(field, f"path '{name}' is absolute; give it relative to the instance file", name)
    try:
        full = Path(os.path.realpath(base_dir / p))
        inside = full.is_relative_to(Path(os.path.realpath(base_dir)))
    except (OSError, ValueError) as exc:
        return None, Problem(field, f"file '{name}' cannot be looked up: {exc}", name)
    if not inside:
        return None, Problem(field, f"path '{name}' leaves the instance's folder", name)
    problem = file_problem(full, MAX_SERIES_BYTES)
    if problem:
        return None, Problem(field, f"file '{name}' {problem}", name)
    return full, None


def read_series_file(path: Path, display: str, tz: str, field: str) -> tuple[SeriesFile | None, list[Problem]]:
    """Parse a file and check its timestamps: readable, sorted, unique, evenly spaced."""
    try:
        if path.suffix.lower() == ".parquet":
            frame = pd.read_parquet(path)
            row_base = 1
        else:
            # Blank lines are read as empty rows, then dropped, so rows keep their CSV line numbers.
            frame = pd.read_csv(path, dtype={"timestamp": str}, skip_blank_lines=False)
            row_base = 2
    except Exception as exc:  # noqa: BLE001 - any parse failure is the user's file, reported as such
        return None, [Problem(field, f"cannot read the file: {exc}", display)]
    return series_from_frame(frame, display, tz, field, row_base)


def series_from_frame(frame: pd.DataFrame, display: str, tz: str, field: str,
                      row_base: int) -> tuple[SeriesFile | None, list[Problem]]:
    """A table with a ``timestamp`` column (text, or timestamps) checked as a file is: readable, sorted, unique,
    evenly spaced; data row ``i`` (from 0) is named ``row_base + i``. Rows without any value are dropped."""
    if "timestamp" not in frame.columns:
        return None, [Problem(field, f"no 'timestamp' column (columns: {', '.join(map(str, frame.columns))})",
                              display)]
    if len(frame) == 0:
        return None, [Problem(field, "the file has no rows", display)]
    keep = frame.notna().any(axis=1).to_numpy()
    rows = np.flatnonzero(keep) + row_base
    frame = frame[keep].reset_index(drop=True)
    if len(frame) == 0:
        return None, [Problem(field, "the file has no rows", display)]
    times, problems = _parse_times(frame["timestamp"], tz, display, field, rows)
    if problems:
        return None, problems
    sf = SeriesFile(display, times.as_unit("ns"), frame, rows)
    return sf, _check_spacing(sf, field)


def _parse_times(raw: pd.Series, tz: str, display: str, field: str, rows: np.ndarray):
    missing = np.flatnonzero(raw.isna().to_numpy())
    if len(missing):
        return None, [Problem(field, f"missing timestamp (empty or NaT) in column 'timestamp'"
                                     f"{_others(missing, rows)}", display, int(rows[missing[0]]))]
    if pd.api.types.is_datetime64_any_dtype(raw):  # Parquet: already timestamps, with or without a timezone
        t = pd.DatetimeIndex(raw)
        if t.tz is not None:
            return t.tz_convert("UTC"), []
        return _localize(t, tz, display, field, rows)
    s = raw.astype(str).str.strip()
    has_off = s.str.contains(_OFFSET)
    if has_off.any() and not has_off.all():
        i = int(np.argmin(has_off.to_numpy()) if has_off.iloc[0] else np.argmax(has_off.to_numpy()))
        return None, [Problem(field, "timestamps mix UTC offsets and local times", display, int(rows[i]))]
    try:
        if has_off.all():
            t = pd.to_datetime(s, utc=True, format="ISO8601", errors="coerce")
        else:
            t = pd.to_datetime(s, format="ISO8601", errors="coerce")
    except (ValueError, TypeError) as exc:
        return None, [Problem(field, f"unreadable timestamps: {exc}", display)]
    bad = np.flatnonzero(t.isna().to_numpy())
    if len(bad):
        listed = ", ".join(str(rows[i]) for i in bad[:5])
        return None, [Problem(field, f"unreadable timestamp {s.iloc[bad[0]]!r} (rows {listed})", display,
                              int(rows[bad[0]]))]
    t = pd.DatetimeIndex(t)
    if t.tz is None:
        return _localize(t, tz, display, field, rows)
    return t.tz_convert("UTC"), []


def _localize(t: pd.DatetimeIndex, tz: str, display: str, field: str, rows: np.ndarray):
    """Local (offset-free) times placed in ``tz``; a time that does not exist there, or is repeated and
    cannot be placed by row order, is reported with its row."""
    try:
        return t.tz_localize(tz, ambiguous="infer", nonexistent="raise").tz_convert("UTC"), []
    except Exception:  # noqa: BLE001 - pandas raises several kinds; the rows are found below
        pass
    fix = " write the timestamps with a UTC offset (+hh:mm)"
    problems = []
    # Ambiguous times resolved arbitrarily, so NaT marks only the times that do not exist.
    gap = np.flatnonzero(t.tz_localize(tz, ambiguous=np.ones(len(t), dtype=bool), nonexistent="NaT").isna())
    if len(gap):
        problems.append(Problem(field, f"local time {t[gap[0]]} in column 'timestamp' does not exist in {tz} "
                                       "(the clocks skip it when daylight saving begins)"
                                       f"{_others(gap, rows)};" + fix, display, int(rows[gap[0]])))
    amb = np.flatnonzero(t.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward").isna())
    if len(amb) and not _infers(t, tz):
        problems.append(Problem(field, f"local time {t[amb[0]]} in column 'timestamp' is ambiguous in {tz} "
                                       "(it happens twice when daylight saving ends) and the row order does not "
                                       f"tell which is meant{_others(amb, rows)};" + fix, display,
                                int(rows[amb[0]])))
    if not problems:
        problems.append(Problem(field, f"local timestamps in column 'timestamp' cannot be placed in {tz};" + fix,
                                display, int(rows[0])))
    return None, problems


def _others(idx: np.ndarray, rows: np.ndarray) -> str:
    """`` (3 such rows: 5, 8, 9)`` when more than one row has the same fault."""
    if len(idx) < 2:
        return ""
    listed = ", ".join(str(rows[i]) for i in idx[:5]) + (", ..." if len(idx) > 5 else "")
    return f" ({len(idx)} such rows: {listed})"


def _infers(t: pd.DatetimeIndex, tz: str) -> bool:
    """Whether the repeated local times can be placed by row order (times that do not exist aside)."""
    try:
        t.tz_localize(tz, ambiguous="infer", nonexistent="shift_forward")
    except Exception:  # noqa: BLE001
        return False
    return True


def _check_spacing(sf: SeriesFile, field: str) -> list[Problem]:
    t = sf.times_utc.asi8 // 10**9
    if len(t) < 2:
        return []
    d = np.diff(t)
    problems = []
    dup = np.flatnonzero(d == 0)
    if len(dup):
        problems.append(Problem(field, f"duplicate timestamp {sf.frame['timestamp'].iloc[dup[0] + 1]} "
                                       f"({len(dup)} duplicates)",
                                sf.name, sf.row(dup[0] + 1)))
    back = np.flatnonzero(d < 0)
    if len(back):
        problems.append(Problem(field, "timestamps are not sorted (this row is earlier than the one before)",
                                sf.name, sf.row(back[0] + 1)))
    if problems:
        return problems
    step = int(np.median(d))
    gap = np.flatnonzero(d != step)
    if len(gap):
        i = gap[0]
        problems.append(Problem(field, f"uneven spacing: {d[i] // 60:g} min after the previous row where the "
                                       f"file's step is {step // 60:g} min (a gap or an extra row; "
                                       f"{len(gap)} such rows)", sf.name, sf.row(i + 1)))
    return problems


def align(sf: SeriesFile, column: str, grid: TimeGrid, field: str,
          value_range: tuple[float, float] | None) -> tuple[np.ndarray | None, list[Problem]]:
    """The column's time-weighted mean over each horizon step, after checking coverage and values."""
    if column not in sf.frame.columns:
        cols = ", ".join(str(c) for c in sf.frame.columns if c != "timestamp")
        return None, [Problem(field, f"no column {column!r} (columns: {cols})", sf.name)]
    vals = pd.to_numeric(sf.frame[column], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(vals))
    if len(bad):
        return None, [Problem(field, f"column {column!r} has a missing or non-numeric value "
                                     f"({len(bad)} such rows)", sf.name, sf.row(bad[0]))]
    t = (sf.times_utc.asi8 - grid.start.as_unit("ns").value) / 6e10  # minutes from horizon start
    step = float(np.median(np.diff(t))) if len(t) > 1 else float(grid.step_minutes)
    horizon_min = grid.step_minutes * grid.n_steps
    if t[0] > 0 or t[-1] + step < horizon_min:
        first = sf.times_utc[0].tz_convert(grid.start.tz)
        last = (sf.times_utc[-1] + pd.Timedelta(minutes=step)).tz_convert(grid.start.tz)
        return None, [Problem(field, f"series too short: covers {first} to {last} but the horizon runs "
                                     f"{grid.start} to {grid.end}", sf.name)]
    if value_range is not None:
        inside = (t + step > 0) & (t < horizon_min)
        lo, hi = value_range
        out = np.flatnonzero(inside & ((vals < lo) | (vals > hi)))
        if len(out):
            return None, [Problem(field, f"value {vals[out[0]]:g} in column {column!r} is outside the allowed "
                                         f"range [{lo:g}, {hi:g}] ({len(out)} such rows)", sf.name,
                                  sf.row(out[0]))]
    # Integral of the step function from t[0], evaluated at each horizon boundary.
    cum = np.concatenate([[0.0], np.cumsum(vals * step)])
    bounds = np.arange(grid.n_steps + 1) * grid.step_minutes
    i = np.clip(np.searchsorted(t, bounds, side="right") - 1, 0, len(t) - 1)
    integral = cum[i] + vals[i] * (bounds - t[i])
    return np.diff(integral) / grid.step_minutes, []
