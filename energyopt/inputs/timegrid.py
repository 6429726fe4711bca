"""The horizon as a regular grid of steps in one timezone, daylight-saving aware."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class TimeGrid:
    """Steps of equal length from ``start`` (tz-aware); step k covers [start + k*dt, start + (k+1)*dt)."""

    start: pd.Timestamp
    step_minutes: int
    n_steps: int

    @property
    def dt_hours(self) -> float:
        return self.step_minutes / 60.0

    @property
    def end(self) -> pd.Timestamp:
        return self.start + pd.Timedelta(minutes=self.step_minutes * self.n_steps)

    @cached_property
    def index(self) -> pd.DatetimeIndex:
        """Step start times in the horizon's timezone."""
        return pd.date_range(self.start, periods=self.n_steps, freq=f"{self.step_minutes}min")

    def steps_overlapping(self, start: pd.Timestamp, end: pd.Timestamp) -> list[int]:
        """Steps whose interval overlaps [start, end): a window covers every step it touches."""
        step = pd.Timedelta(minutes=self.step_minutes)
        first = int(np.floor((start - self.start) / step))
        last = int(np.ceil((end - self.start) / step))
        return list(range(max(first, 0), min(last, self.n_steps)))

    def overlap_fraction(self, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
        """Share of each step that lies inside [start, end): 1 for a step wholly inside, between 0 and 1 for a
        step the window starts or ends in, 0 elsewhere."""
        starts = (self.index - self.start) / pd.Timedelta(minutes=1)
        a = max((start - self.start) / pd.Timedelta(minutes=1), 0.0)
        b = (end - self.start) / pd.Timedelta(minutes=1)
        lo = np.maximum(np.asarray(starts, dtype=float), a)
        hi = np.minimum(np.asarray(starts, dtype=float) + self.step_minutes, b)
        return np.clip(hi - lo, 0.0, None) / self.step_minutes

    def steps_within(self, start: pd.Timestamp, end: pd.Timestamp) -> list[int]:
        """Steps that lie wholly inside [start, end)."""
        step = pd.Timedelta(minutes=self.step_minutes)
        first = int(np.ceil((start - self.start) / step))
        last = int(np.floor((end - self.start) / step))
        return list(range(max(first, 0), min(last, self.n_steps)))

    @cached_property
    def local_days(self) -> list[tuple[str, list[int]]]:
        """(local calendar date, steps that start on it): 23 or 25 hours on a daylight-saving change."""
        dates = self.index.strftime("%Y-%m-%d")
        days: dict[str, list[int]] = {}
        for k, d in enumerate(dates):
            days.setdefault(d, []).append(k)
        return list(days.items())
