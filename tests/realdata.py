"""Readers for the real public data under ../shared/data (ERCOT prices, TMY3 weather), for tests.

The folder is found from ``ENERGYOPT_REAL_DATA`` or at ``../shared/data`` beside the checkout; where it
is absent, :func:`data_dir` returns None and tests skip with a message.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
ERCOT = "prices/ercot_hubs_zones_hourly_dam_rtm_2024-01-01_2026-03-17.csv"
ABILENE = "weather/TX-Abilene_Regional_Ap_Ut.tmy3"


def data_dir() -> Path | None:
    d = Path(os.environ.get("ENERGYOPT_REAL_DATA", ROOT.parent / "shared" / "data"))
    return d if (d / ERCOT).is_file() else None


def ercot_day(d: Path, day: str, column: str = "HB_WEST_DAM") -> np.ndarray | None:
    """24 hourly prices ($/MWh) of one day, hour ending 1..24; None if any hour is missing."""
    frame = pd.read_csv(d / ERCOT, usecols=["delivery_date", "hour_ending", column])
    rows = frame[frame["delivery_date"] == day].sort_values("hour_ending")
    if list(rows["hour_ending"]) != list(range(1, 25)) or rows[column].isna().any():
        return None
    return rows[column].to_numpy(dtype=float)


def tmy_dry_bulb(d: Path, month: int, day: int, path: str = ABILENE) -> np.ndarray:
    """24 hourly dry-bulb temperatures (C) of a TMY3 month/day (hours ending 01:00..24:00)."""
    frame = pd.read_csv(d / path, skiprows=1)
    dates = pd.to_datetime(frame["Date (MM/DD/YYYY)"], format="%m/%d/%Y")
    sel = frame[(dates.dt.month == month) & (dates.dt.day == day)]
    return sel["Dry-bulb (C)"].to_numpy(dtype=float)
