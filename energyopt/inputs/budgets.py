"""Permit budgets a plan must stay inside, from the permit ledger (or any other source).

A :class:`PermitBudget` says: for generator ``unit_id``, the weighted sum of its run hours (or NOx, or
fuel) over the horizon's steps may not exceed ``remaining``. The weights carry what the ledger's window
counts: the share of each step that falls in the window's period (its local days) and in the categories
of use it counts (hours inside a curtailment notice count as the notice's category, e.g. emergency;
hours outside as non-emergency).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

METRICS = ("hours", "nox_kg", "fuel_gal")


@dataclass(frozen=True)
class PermitBudget:
    unit_id: str
    label: str               #: e.g. "calendar_year:non_emergency:hours 2025-01-01..2025-12-31"
    metric: str              #: hours | nox_kg | fuel_gal
    limit: float             #: the window's limit
    used_before: float       #: what the window had used before the plan
    weights: np.ndarray      #: per step, the share of the step's amount that counts (0..1)

    @property
    def remaining(self) -> float:
        """What the plan may use: never below zero (an overrun already recorded leaves nothing)."""
        return max(0.0, self.limit - self.used_before)

    def __post_init__(self):
        if self.metric not in METRICS:
            raise ValueError(f"budget metric {self.metric!r} is not one of {', '.join(METRICS)}")
