"""Table-shaped sources: any CSV/Parquet/DataFrame with a time column (``table``), and the ISO and grid layouts
that are tables with known column names: CAISO OASIS LMP, PJM Data Miner LMP, gridstatus frames, EIA-930 hourly
carbon intensity.

Times with a UTC offset (or tz-aware columns) are taken as they are; naive times are local times in ``tz``
(daylight saving handled as in :func:`~.base.localize`, every repair listed) or UTC where the format says so.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from .base import (Imported, ImportError_, localize, numbers, only, pick, parse_times, read_frame, regular,
                   repeat_fallback, row)


def frame_times(frame: pd.DataFrame, col: str, name: str, tz: str | None, label: str = "start",
                step: pd.Timedelta | None = None):
    """(UTC interval starts, rows kept, repairs, whether DST was placed from local clock times)."""
    raw = frame[col]
    s = raw if pd.api.types.is_datetime64_any_dtype(raw) else raw.astype(str).str.strip()
    aware = pd.api.types.is_datetime64_any_dtype(s) and getattr(s.dt, "tz", None) is not None
    if not aware and not pd.api.types.is_datetime64_any_dtype(s):
        aware = bool(s.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$").all())
    if aware:
        t = parse_times(s, utc=True)
        keep, repairs, local = np.ones(len(t), dtype=bool), [], False
    else:
        t = parse_times(s, utc=False)
    bad = np.flatnonzero(t.isna())
    if len(bad):
        raise ImportError_(f"{name}: column {col!r}: unreadable time {raw.iloc[bad[0]]!r} ({len(bad)} such rows, "
                           f"the first at {row(raw, bad[0], name)})")
    if not aware:
        if tz is None:
            raise ImportError_(f"{name}: column {col!r} has times without a UTC offset: give their timezone "
                               "(--tz, e.g. America/Chicago or UTC)")
        t, keep, repairs = localize(t, tz, None, False, f"{Path(name).name} {col}")
        local = tz.upper() != "UTC"
    if label == "end":
        d = step if step is not None else pd.Timedelta(int(np.median(np.diff(np.sort(t.as_unit('ns').asi8)))))
        t = t - d
    return t, keep, repairs, local


def finish(times, keep, values: pd.DataFrame, name: str, repairs: list[str], tz: str | None, local: bool,
           step: pd.Timedelta | None = None, **extra) -> Imported:
    """The rows kept, on a regular index, the fall-back hour repeated for local clock times (listed)."""
    reg, step, more = regular(times, values[keep].reset_index(drop=True), Path(name).name, step)
    repairs = repairs + more
    if local:
        reg, more = repeat_fallback(reg, tz, step, Path(name).name)
        repairs += more
    return Imported(reg, step, tuple(repairs), name, **extra)


def read_table(path_or_frame, time: str | None = None, tz: str | None = None,
               column: dict[str, str] | list[str] | str | None = None, scale: float = 1.0, label: str = "start",
               **extra) -> Imported:
    """Any table: ``time`` (default: ``timestamp``, ``time`` or the first column), value columns ``column``
    (``{name: field}``, names, or ``"NAME=FIELD"``; default every numeric column, keeping its name), times as
    interval starts (``label="end"`` for hour-ending stamps) and every value multiplied by ``scale``."""
    frame, name = read_frame(path_or_frame, "a table")
    if time is None:
        time = pick(frame, name, "timestamp", "time", "datetime", "date", required=False) or frame.columns[0]
    elif time not in frame.columns:
        raise ImportError_(f"{name}: no time column {time!r} (columns: {', '.join(map(str, frame.columns))})")
    mapping = _mapping(frame, name, time, column)
    values = pd.DataFrame({field: numbers(frame, col, name) * scale for col, field in mapping.items()})
    times, keep, repairs, local = frame_times(frame, time, name, tz, label)
    return finish(times, keep, values, name, repairs, tz, local, **extra)


def _mapping(frame, name, time, column) -> dict[str, str]:
    if column is None:
        cols = [c for c in frame.columns if c != time and pd.to_numeric(frame[c], errors="coerce").notna().any()]
        if not cols:
            raise ImportError_(f"{name}: no numeric column besides {time!r}")
        return {c: str(c) for c in cols}
    items = [column] if isinstance(column, str) else column
    mapping = dict(items) if isinstance(items, dict) else dict(
        (c.split("=", 1)[0], c.split("=", 1)[1]) if "=" in c else (c, c) for c in items)
    for c in mapping:
        if c not in frame.columns:
            raise ImportError_(f"{name}: no column {c!r} (columns: {', '.join(map(str, frame.columns))})")
    return mapping


def read_caiso(path_or_frame, node: str | None = None, lmp_type: str = "LMP", market: str | None = None) -> Imported:
    """CAISO OASIS LMP (``INTERVALSTARTTIME_GMT``, ``NODE``, ``LMP_TYPE`` or ``XML_DATA_ITEM``, ``MW`` or
    ``VALUE``), 5-minute, 15-minute or hourly, in UTC; or a two-column ``timestamp,price`` table in UTC."""
    frame, name = read_frame(path_or_frame, "a CAISO price file")
    start = pick(frame, name, "INTERVALSTARTTIME_GMT", "INTERVAL_START_GMT", required=False)
    if start is None:
        time = pick(frame, name, "timestamp", "time", "Interval Start")
        price = pick(frame, name, "price_mwh", "LMP", "price", "VALUE", "MW")
        return replace(read_table(frame, time, "UTC", {price: "price_usd_per_mwh"}), source=name)
    node_col = pick(frame, name, "NODE", "NODE_ID", required=False)
    if node_col is not None:
        frame = only(frame, node_col, node, name, "--node")
    type_col = pick(frame, name, "LMP_TYPE", "XML_DATA_ITEM", required=False)
    if type_col is not None:
        wanted = frame[type_col].astype(str).str.upper()
        frame = frame[(wanted == lmp_type.upper()) | (wanted == f"{lmp_type.upper()}_PRC")]
        if frame.empty:
            raise ImportError_(f"{name}: no rows of LMP type {lmp_type!r} in column {type_col!r}")
    market_col = pick(frame, name, "MARKET_RUN_ID", required=False)
    if market_col is not None:
        frame = only(frame, market_col, market, name, "--market")
    value = pick(frame, name, "MW", "VALUE", "PRC")
    values = pd.DataFrame({"price_usd_per_mwh": numbers(frame, value, name)})
    times, keep, repairs, local = frame_times(frame, start, name, "UTC")
    return finish(times, keep, values, name, repairs, "UTC", False)


def read_pjm(path_or_frame, pnode: str | None = None, column: str | None = None,
             tz: str = "America/New_York") -> Imported:
    """PJM Data Miner LMP (``datetime_beginning_utc`` or ``datetime_beginning_ept``, ``pnode_name``,
    ``total_lmp_da`` / ``total_lmp_rt`` / ``lmp``), or the epftoolbox layout (``Date`` and a price column such as
    ``Zonal COMED price``), hourly; local times are in ``tz`` (default Eastern, PJM's market time)."""
    frame, name = read_frame(path_or_frame, "a PJM price file")
    node_col = pick(frame, name, "pnode_name", required=False)
    if node_col is not None:
        frame = only(frame, node_col, pnode, name, "--pnode")
    if column is None:
        column = pick(frame, name, "total_lmp_da", "total_lmp_rt", "lmp", "Zonal COMED price", "price",
                      required=False)
        if column is None:
            prices = [c for c in frame.columns if "price" in str(c).lower()]
            if len(prices) != 1:
                raise ImportError_(f"{name}: name the price column (--column; columns: "
                                   f"{', '.join(map(str, frame.columns))})")
            column = prices[0]
    values = pd.DataFrame({"price_usd_per_mwh": numbers(frame, column, name)})
    utc = pick(frame, name, "datetime_beginning_utc", required=False)
    if utc is not None:
        times, keep, repairs, local = frame_times(frame, utc, name, "UTC")
        return finish(times, keep, values, name, repairs, "UTC", False)
    col = pick(frame, name, "datetime_beginning_ept", "Date")
    times, keep, repairs, local = frame_times(frame, col, name, tz)
    return finish(times, keep, values, name, repairs, tz, local)


def read_gridstatus(path_or_frame, location: str | None = None, market: str | None = None,
                    column: str = "LMP", field: str = "price_usd_per_mwh") -> Imported:
    """A frame in gridstatus's conventions (``Interval Start`` or ``Time``, tz-aware; ``Location``, ``Market``,
    ``LMP`` or any value column) from a DataFrame, CSV or Parquet; ``gridstatus`` itself is not needed."""
    frame, name = read_frame(path_or_frame, "a gridstatus table")
    for col, value, option in (("Location", location, "--location"), ("Market", market, "--market")):
        hit = pick(frame, name, col, required=False)
        if hit is not None:
            frame = only(frame, hit, value, name, option)
    start = pick(frame, name, "Interval Start", "Time")
    value = pick(frame, name, column)
    values = pd.DataFrame({field: numbers(frame, value, name)})
    times, keep, repairs, local = frame_times(frame, start, name, None)
    return finish(times, keep, values, name, repairs, None, False)


def read_eia930(path_or_frame, column: str = "avg_CI", tz: str | None = None, typical: bool = False) -> Imported:
    """EIA-930 hourly carbon intensity (``timestamp`` in UTC, ``avg_CI`` in gCO2/kWh = kg/MWh) as
    ``carbon_kg_per_mwh``; ``typical`` lays the year on any other year by month, day and hour (in ``tz``)."""
    frame, name = read_frame(path_or_frame, "an EIA-930 carbon table")
    time = pick(frame, name, "timestamp", "UTC time at end of hour", "time")
    value = pick(frame, name, column)
    values = pd.DataFrame({"carbon_kg_per_mwh": numbers(frame, value, name)})
    label = "end" if "end" in str(time).lower() else "start"
    times, keep, repairs, local = frame_times(frame, time, name, "UTC", label, pd.Timedelta(hours=1))
    imp = finish(times, keep, values, name, repairs, "UTC", False)
    if not typical:
        return imp
    return replace(imp, frame=imp.frame.tz_convert(tz or "UTC"), pattern="typical_year")
