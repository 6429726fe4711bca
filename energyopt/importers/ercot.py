"""ERCOT settlement-point prices: day-ahead (DAM) and real-time (RTM), in Texas local time (America/Chicago).

Layouts read (column names matched ignoring case, spaces and underscores):

- wide, one column per point and market: ``delivery_date``, ``hour_ending`` (1..24 or ``01:00``..``24:00``),
  ``HB_WEST_DAM``, ``HB_WEST_RTM``, ... (the hub/zone file of ../shared/data/prices);
- long hourly (NP4-190-CD DAM settlement point prices, NP4-180-ER historical DAM hub and zone prices):
  ``DeliveryDate``, ``HourEnding``, ``SettlementPoint``, ``SettlementPointPrice``, ``DSTFlag`` or
  ``Repeated Hour Flag``;
- long 15-minute (NP6-905-CD RTM settlement point prices, NP6-785-ER historical RTM prices): ``DeliveryDate``,
  ``DeliveryHour``, ``DeliveryInterval`` (1..4), ``SettlementPointName``, ``SettlementPointPrice``, ``DSTFlag``.

Hour ending h covers the clock hour that starts at h-1. Daylight saving: on the fall-back day the hour ending
02:00 comes twice; the flag (``Y``) or a star (``2*``) marks the second, standard-time one; a file without a flag
that gives it twice is read in row order; one that gives it once (the wide file does: 24 rows for 2024-11-03's 25
hours) gets the repeated hour from the same clock hour, listed in the repairs. On the spring-forward day ERCOT
skips hour ending 02:00 and labels the next hour (01:00 CST-03:00 CDT) hour ending 03:00; it is placed there.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .base import (Imported, ImportError_, localize, numbers, only, pick, read_frame, regular, repeat_fallback,
                   row)

TZ = "America/Chicago"
MARKETS = ("dam", "rtm")


def read_ercot(path_or_frame, location: str | None = None, market: str | None = None, tz: str = TZ) -> Imported:
    """ERCOT prices of ``location`` (a hub, zone or node, e.g. HB_WEST) in ``market`` (dam or rtm; needed for the
    wide file when it holds both) as ``price_usd_per_mwh``."""
    def wanted(c) -> bool:   # the wide file has a column per point and market: read the chosen point's only
        return not re.search(r"_(DAM|RTM)$", str(c), re.I) or str(c)[:-4].upper() == location.upper()

    frame, name = read_frame(path_or_frame, "an ERCOT price file", dtype=str,
                             usecols=wanted if location is not None else None)
    if market is not None and market.lower() not in MARKETS:
        raise ImportError_(f"{name}: market {market!r}: use dam or rtm")
    date_col = pick(frame, name, "DeliveryDate", "delivery_date", "OperDay")
    point_col = pick(frame, name, "SettlementPoint", "SettlementPointName", required=False)
    if point_col is None:
        value_col = _wide_column(frame, name, location, market)
    else:
        frame = only(frame, point_col, location, name, "--location")
        value_col = pick(frame, name, "SettlementPointPrice", "Price")
    hour_col = pick(frame, name, "HourEnding", "hour_ending", "DeliveryHour")
    interval_col = pick(frame, name, "DeliveryInterval", required=False)
    flag_col = pick(frame, name, "DSTFlag", "RepeatedHourFlag", required=False)

    dates = _dates(frame[date_col], name, date_col)
    hours, starred = _hours(frame[hour_col], name, hour_col)
    minutes = np.zeros(len(frame))
    if interval_col is not None:
        iv = numbers(frame, interval_col, name)
        if np.isnan(iv).any() or ((iv < 1) | (iv > 4)).any():
            raise ImportError_(f"{name}: column {interval_col!r}: intervals are 1 to 4")
        minutes = (iv - 1) * 15
    step = pd.Timedelta(minutes=15 if interval_col is not None else 60)
    repeated = starred.copy()
    if flag_col is not None:
        repeated |= frame[flag_col].astype(str).str.strip().str.upper().isin(["Y", "YES", "TRUE"]).to_numpy()
    flagged = flag_col is not None or bool(starred.any())
    values = pd.DataFrame({"price_usd_per_mwh": numbers(frame, value_col, name)})

    starts = pd.DatetimeIndex(dates + pd.to_timedelta(hours - 1, unit="h") + pd.to_timedelta(minutes, unit="min"))
    what = f"{Path(name).name} {value_col}"
    times, keep, repairs = localize(starts, tz, repeated, flagged, what)
    reg, step, more = regular(times, values[keep], what, step)
    repairs += more
    if not flagged:
        reg, more = repeat_fallback(reg, tz, step, what)
        repairs += more
    return Imported(reg, step, tuple(repairs), name)


def _wide_column(frame: pd.DataFrame, name: str, location: str | None, market: str | None) -> str:
    prices = [c for c in frame.columns if re.search(r"_(DAM|RTM)$", str(c), re.I)]
    if location is None:
        points = sorted({str(c)[:-4] for c in prices})
        if len(points) != 1:
            raise ImportError_(f"{name}: choose a point with --location ({', '.join(points[:20])})")
        location = points[0]
    found = [c for c in prices if str(c)[:-4].upper() == location.upper()]
    if not found:
        header = frame.columns if not Path(name).is_file() else pd.read_csv(name, nrows=0).columns
        points = sorted({str(c)[:-4] for c in header if re.search(r"_(DAM|RTM)$", str(c), re.I)})
        raise ImportError_(f"{name}: no prices for location {location!r} (points: {', '.join(points) or 'none'})")
    if market is None:
        if len(found) > 1:
            raise ImportError_(f"{name}: {location} has day-ahead and real-time columns: choose --market dam|rtm")
        return found[0]
    hit = [c for c in found if str(c)[-3:].lower() == market.lower()]
    if not hit:
        raise ImportError_(f"{name}: no {market.upper()} column for {location} (found {', '.join(found)})")
    return hit[0]


def _dates(raw: pd.Series, name: str, col: str) -> pd.DatetimeIndex:
    s = raw.astype(str).str.strip()
    d = pd.to_datetime(s, format="%m/%d/%Y", errors="coerce")
    iso = d.isna()
    if iso.any():
        d[iso] = pd.to_datetime(s[iso], format="ISO8601", errors="coerce")
    bad = np.flatnonzero(d.isna().to_numpy())
    if len(bad):
        raise ImportError_(f"{name}: column {col!r}: unreadable date {raw.iloc[bad[0]]!r} ({len(bad)} such rows, "
                           f"the first at {row(raw, bad[0], name)})")
    return pd.DatetimeIndex(d).normalize()


def _hours(raw: pd.Series, name: str, col: str) -> tuple[np.ndarray, np.ndarray]:
    """Hour ending as a number (``7``, ``07:00``, ``24:00``) and whether a star marks it as the repeated hour."""
    s = raw.astype(str).str.strip()
    starred = s.str.endswith("*").to_numpy()
    m = s.str.rstrip("*").str.extract(r"^(\d{1,2})(?::00)?(?:\.0+)?$")[0]
    h = pd.to_numeric(m, errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(np.isnan(h) | (h < 1) | (h > 24))
    if len(bad):
        raise ImportError_(f"{name}: column {col!r}: {raw.iloc[bad[0]]!r} is not an hour ending 1..24 "
                           f"({len(bad)} such rows, the first at {row(raw, bad[0], name)})")
    return h, starred
