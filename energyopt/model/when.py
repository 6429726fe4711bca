"""Times as explanations print them: always with the date, and with the UTC offset where the local wall time
is ambiguous (the repeated hour when daylight saving ends), so "01:00" always says which one."""
from __future__ import annotations

import pandas as pd


def ambiguous(ts: pd.Timestamp) -> bool:
    """Whether ``ts``'s local wall time occurs twice (the hour repeated when daylight saving ends)."""
    if ts.tzinfo is None:
        return False
    wall = ts.tz_localize(None)
    try:
        return wall.tz_localize(ts.tzinfo, ambiguous="NaT") is pd.NaT
    except Exception:   # a nonexistent wall time cannot be ambiguous
        return False


def offset(ts: pd.Timestamp) -> str:
    """``UTC-05:00``-style offset of ``ts``."""
    z = ts.strftime("%z")   # "-0500"
    return f"UTC{z[:3]}:{z[3:]}" if z else "UTC"


def stamp(ts: pd.Timestamp, date: bool = True) -> str:
    """``2025-11-02 01:00 (UTC-05:00)``: date (unless ``date`` is False), wall time, offset where ambiguous."""
    text = f"{ts:%Y-%m-%d %H:%M}" if date else f"{ts:%H:%M}"
    return f"{text} ({offset(ts)})" if ambiguous(ts) else text


def span(index: pd.DatetimeIndex, step_minutes: int, a: int, b: int) -> str:
    """"from <start> to <end>" of steps ``a``..``b`` (inclusive): the end's date is given when it falls on
    another day (a stretch that crosses midnight or covers a whole day)."""
    start = index[a]
    end = index[b] + pd.Timedelta(minutes=step_minutes)
    return f"from {stamp(start)} to {stamp(end, date=end.date() != start.date())}"
