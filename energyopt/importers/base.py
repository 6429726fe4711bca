"""What every importer returns (:class:`Imported`), its error, and the helpers the source modules share: reading
a CSV/Parquet file or a DataFrame, placing local clock times in a timezone across daylight-saving changes, and
putting the values on a regular index of interval starts (missing intervals as NaN, to be refused or filled by
:func:`energyopt.importers.grid.to_grid`).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import BadInput
from ..inputs.files import MAX_SERIES_BYTES, file_problem

#: Each series field an importer writes, and how it is resampled onto a horizon (docs/series.md).
KINDS = {
    "price_usd_per_mwh": "price",
    "carbon_kg_per_mwh": "carbon",
    "outdoor_temp_c": "temperature",
    "ghi_w_per_m2": "irradiance",
    "availability": "availability",
    "demand_mw": "demand",
}


class ImportError_(BadInput):
    """A series file that cannot be imported: unreadable, without the columns its format has, or with gaps in the
    horizon and no ``fill`` (exit 3, like every bad input; the message names the file, the column and the times)."""


@dataclass(frozen=True)
class Imported:
    """One imported source: ``frame`` (index: tz-aware interval starts, regular at ``step``, a missing interval
    as NaN; columns named as the instance's series fields), every repair made while reading, and where it came
    from. ``pattern`` says how it is laid on a horizon: ``None`` at its own times; ``"typical_year"`` matched by
    month, day and hour in the index's timezone (TMY/EPW); ``"trace"`` moved to the horizon's start and repeated
    (a workload trace). ``target`` = ("peak" | "mean", MW) scales a trace on the horizon's steps."""

    frame: pd.DataFrame
    step: pd.Timedelta
    repairs: tuple[str, ...]
    source: str
    pattern: str | None = None
    target: tuple[str, float] | None = None


def check_file(path: Path) -> None:
    """Refuse anything but a regular file of at most :data:`~energyopt.inputs.files.MAX_SERIES_BYTES` (a folder, a
    named pipe that would hang the read, a missing file), without opening it."""
    problem = file_problem(path, MAX_SERIES_BYTES)
    if problem:
        raise ImportError_(f"{path} {problem}")


def read_frame(path_or_frame, what: str, **csv) -> tuple[pd.DataFrame, str]:
    """A DataFrame from a DataFrame (copied), a Parquet file (``.parquet``) or a CSV file, and its name."""
    if isinstance(path_or_frame, pd.DataFrame):
        return path_or_frame.copy(), f"the DataFrame ({what})"
    path = Path(path_or_frame)
    name = str(path)
    check_file(path)
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path), name
        return pd.read_csv(path, **csv), name
    except Exception as exc:  # noqa: BLE001 - any parse failure is the user's file
        raise ImportError_(f"{name}: cannot read it as {what} ({type(exc).__name__}: {exc})") from None


def pick(frame: pd.DataFrame, name: str, *candidates: str, required: bool = True) -> str | None:
    """The first column of ``frame`` matching one of ``candidates`` (case, spaces and underscores ignored)."""
    norm = {str(c).lower().replace(" ", "").replace("_", ""): c for c in frame.columns}
    for c in candidates:
        hit = norm.get(c.lower().replace(" ", "").replace("_", ""))
        if hit is not None:
            return hit
    if required:
        raise ImportError_(f"{name}: no column {' or '.join(repr(c) for c in candidates)} "
                           f"(columns: {', '.join(map(str, frame.columns))})")
    return None


def only(frame: pd.DataFrame, column: str, value: str | None, name: str, option: str) -> pd.DataFrame:
    """Rows whose ``column`` equals ``value``; with ``value`` None the column must hold one value only."""
    values = frame[column].astype(str).str.strip()
    found = sorted(values.unique())
    if value is None:
        if len(found) > 1:
            shown = ", ".join(found[:12]) + (", ..." if len(found) > 12 else "")
            raise ImportError_(f"{name}: {len(found)} values in column {column!r} ({shown}): choose one with "
                               f"{option}")
        return frame
    keep = values.str.upper() == str(value).strip().upper()
    if not keep.any():
        shown = ", ".join(found[:12]) + (", ..." if len(found) > 12 else "")
        raise ImportError_(f"{name}: {option} {value!r} is not in column {column!r} (found: {shown})")
    return frame[keep.to_numpy()]


def row(frame_or_series, i: int, name: str) -> str:
    """Where data row ``i`` (a position) is in the user's file: its CSV line (the header is line 1), else its row
    number from 1 (rows keep their file position when some were filtered out)."""
    label = frame_or_series.index[i]
    n = int(label) if isinstance(label, (int, np.integer)) else i
    return f"line {n + 2}" if str(name).lower().endswith(".csv") else f"row {n + 1}"


def numbers(frame: pd.DataFrame, column: str, name: str) -> np.ndarray:
    """The column as floats; text that is not a number is refused with its rows (empty cells stay NaN)."""
    raw = frame[column]
    vals = pd.to_numeric(raw, errors="coerce")
    bad = np.flatnonzero(vals.isna().to_numpy() & raw.notna().to_numpy()
                         & (raw.astype(str).str.strip() != "").to_numpy())
    if len(bad):
        raise ImportError_(f"{name}: column {column!r}: {raw.iloc[bad[0]]!r} is not a number "
                           f"({len(bad)} such rows, the first at {row(raw, bad[0], name)})")
    return vals.to_numpy(dtype=float)


def parse_times(s: pd.Series, utc: bool) -> pd.DatetimeIndex:
    """Text times: ISO 8601 read fast; any other layout (``07/01/2024 01:00:00 AM``) element by element; NaT where
    unreadable."""
    try:
        return pd.DatetimeIndex(pd.to_datetime(s, utc=utc, format="ISO8601"))
    except (ValueError, TypeError):
        return pd.DatetimeIndex(pd.to_datetime(s, utc=utc, format="mixed", errors="coerce"))


def utc_times(raw: pd.Series, name: str, column: str, tz: str | None = None) -> pd.DatetimeIndex:
    """Times with a UTC offset (or tz-aware), or naive ones read as UTC (or in ``tz`` when given, see
    :func:`localize` for local clock times across daylight-saving changes), as a UTC index."""
    if pd.api.types.is_datetime64_any_dtype(raw):
        t = pd.DatetimeIndex(raw)
    else:
        t = parse_times(raw.astype(str).str.strip(), utc=tz is None)
    bad = np.flatnonzero(t.isna())
    if len(bad):
        raise ImportError_(f"{name}: column {column!r}: unreadable time {raw.iloc[bad[0]]!r} "
                           f"({len(bad)} such rows, the first at {row(raw, bad[0], name)})")
    if t.tz is None:
        t = t.tz_localize(tz or "UTC")
    return t.tz_convert("UTC")


def localize(starts: pd.DatetimeIndex, tz: str, repeated: np.ndarray | None, flagged: bool,
             what: str) -> tuple[pd.DatetimeIndex, np.ndarray, list[str]]:
    """Local clock interval starts (naive) placed in ``tz``: (UTC starts, rows kept, repairs).

    On the fall-back day a clock time in the repeated hour is the first (daylight) one unless ``repeated`` marks
    it as the second; without ``flagged`` information a clock time given twice is taken in row order. On the
    spring-forward day a clock time the clocks skip (02:xx) is the hour before it in standard time (ERCOT labels
    the hour after 01:59 CST "hour ending 03:00"), unless that hour has a row of its own: then it is dropped."""
    starts = pd.DatetimeIndex(starts).as_unit("ns")
    n = len(starts)
    rep = np.zeros(n, dtype=bool) if repeated is None else np.asarray(repeated, dtype=bool).copy()
    repairs: list[str] = []
    if not flagged:   # a clock time of the repeated hour given twice: the second is the standard-time one
        ambiguous = starts.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward").isna()
        rep |= pd.Series(starts).duplicated().to_numpy() & np.asarray(ambiguous)
    local = starts.tz_localize(tz, ambiguous=~rep, nonexistent="NaT")
    utc = local.tz_convert("UTC").as_unit("ns").asi8.copy()
    keep = np.ones(n, dtype=bool)
    present = set(starts.asi8.tolist())
    moved_rows = []
    for i in np.flatnonzero(local.isna()):
        before = starts[i] - pd.Timedelta(hours=1)
        if before.value in present:
            keep[i] = False
            repairs.append(f"{starts[i].date()}: {what}: local time {starts[i]:%H:%M} does not exist in {tz} "
                           "(the clocks skip it in spring) and the hour before has its own row: row dropped")
        else:
            utc[i] = before.tz_localize(tz, ambiguous=True, nonexistent="shift_forward").as_unit("ns").value
            moved_rows.append(i)
    times = pd.DatetimeIndex(utc[keep].view("M8[ns]")).tz_localize("UTC")
    if moved_rows:
        t = starts[moved_rows[0]]
        at = pd.Timestamp(int(utc[moved_rows[0]]), tz="UTC").tz_convert(tz)
        repairs.append(f"{t.date()}: {what}: spring forward: rows at clock {t:%H:%M}, a time the clocks skip, "
                       f"cover the hour from {at:%H:%M %Z} ({len(moved_rows)} row(s))")
    if not flagged and rep.any():
        first = pd.Timestamp(int(utc[np.flatnonzero(rep)[0]]), tz="UTC").tz_convert(tz)
        repairs.append(f"{first.date()}: {what}: fall back: clock times given twice and no DST flag: the second "
                       f"of each taken as standard time ({int(rep.sum())} row(s))")
    return times, keep, repairs


def repeat_fallback(frame: pd.DataFrame, tz: str, step: pd.Timedelta, what: str) -> tuple[pd.DataFrame, list[str]]:
    """For a source without DST flags that gives a fall-back day's clock hours once (24 rows for a 25-hour day): the
    repeated hour, missing from the regular ``frame``, takes the values of the same clock times in daylight time
    (listed). A repeated hour with values of its own, or whose daylight twin is missing too, is left alone."""
    if len(frame) < 2:
        return frame, []
    idx = frame.index.tz_convert(tz)
    offsets = (idx.tz_localize(None) - frame.index.tz_convert("UTC").tz_localize(None)).total_seconds().to_numpy()
    repairs = []
    frame = frame.copy()
    for i in np.flatnonzero(np.diff(offsets) < 0):
        k = int(round(pd.Timedelta(seconds=offsets[i] - offsets[i + 1]) / step))
        first, twin = i + 1, i + 1 - k
        if twin < 0 or first + k > len(frame):
            continue
        hole, src = frame.iloc[first:first + k], frame.iloc[twin:first]
        if not hole.isna().all(axis=None) or src.isna().any(axis=None):
            continue
        frame.iloc[first:first + k] = src.to_numpy()
        a = frame.index[first].tz_convert(tz)
        repairs.append(f"{a.date()}: {what}: fall back: each clock hour given once and no DST flag: the repeated "
                       f"hour {a:%H:%M} .. {(frame.index[first + k - 1] + step).tz_convert(tz):%H:%M %Z} took the "
                       f"values of the same clock times in daylight time ({k} interval(s))")
    return frame, repairs


def regular(times: pd.DatetimeIndex, values: pd.DataFrame, name: str, step: pd.Timedelta | None = None,
            keep: str = "first") -> tuple[pd.DataFrame, pd.Timedelta, list[str]]:
    """Values on a regular index of interval starts from the first to the last time (a missing interval NaN),
    duplicates resolved (``keep`` first / last / mean, listed) and the step inferred when not given."""
    frame = values.reset_index(drop=True).set_axis(pd.DatetimeIndex(times).tz_convert("UTC").as_unit("ns"))
    frame = frame.sort_index()
    repairs = []
    dup = frame.index.duplicated(keep=False)
    if dup.any():
        n = int(frame.index.duplicated().sum())
        first = frame.index[dup][0]
        if keep == "mean":
            frame = frame.groupby(level=0).mean()
        else:
            frame = frame[~frame.index.duplicated(keep=keep)]
        repairs.append(f"{first.date()}: {name}: {n} duplicate time(s), the first {first.isoformat()}: kept the "
                       f"{keep} value")
    if len(frame) < 1:
        raise ImportError_(f"{name}: no rows left to import")
    if step is None:
        if len(frame) < 2:
            raise ImportError_(f"{name}: one row only: the step cannot be told (give more rows)")
        d = np.diff(frame.index.asi8)
        step = pd.Timedelta(int(np.min(d[d > 0])) if (np.median(d) % np.min(d)) == 0 else int(np.median(d)))
    full = pd.date_range(frame.index[0], frame.index[-1], freq=step)
    off = frame.index.difference(full)
    if len(off):
        raise ImportError_(f"{name}: time {off[0].isoformat()} is not on the {_minutes(step)} step of the rows "
                           f"before it ({len(off)} such rows)")
    return frame.reindex(full), step, repairs


def _minutes(step: pd.Timedelta) -> str:
    return f"{step / pd.Timedelta(minutes=1):g}-minute"
