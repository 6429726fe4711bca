"""The cells of ``replan --actuals``: each one is checked like a value of an instance series before it is used.

A cell must be a finite number within its column's physical range: on/off 0 or 1; a generator's output from 0
to its ``capacity_mw``; a job's power from 0 to its ``power_mw`` and its work from 0 to ``power_mw`` x the step's
hours x its throughput at full power; inference served from 0 to the step's ``demand_mw`` (more would be a
negative shed); a battery's charge and discharge from 0 to its ``power_mw``; the chilled-water tank's from 0 to
``max_charge_mw_th`` / ``max_discharge_mw_th``; a solar array's output from 0 to its ``capacity_mw``. An empty
cell (or NaN, NA, ...) is refused: a column given is a statement of what happened in every row; the word
``plan`` keeps the previous plan's value in that cell explicitly, and a column left out keeps it in every row.
Cells of one row are also checked together (:func:`row_problems`): a job's work at most what its power could do.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..inputs.schema import InstanceBase as Instance, interp_curve

#: The cell text that keeps the previous plan's value (case and surrounding spaces do not matter).
KEEP_PLAN = "plan"
#: Slack on an upper bound for values written with rounding (a plan's own output at capacity read back).
REL_SLACK = 1e-6


@dataclass(frozen=True)
class Range:
    """A column's allowed values at step ``k``: ``0 <= x <= high(k)``; ``binary``: 0 or 1 only."""

    high: Callable[[int], float]
    why: str
    binary: bool = False


def _const(x: float) -> Callable[[int], float]:
    return lambda k: x


def _series(values: np.ndarray) -> Callable[[int], float]:
    return lambda k: float(values[k])


def column_ranges(inst: Instance) -> dict[str, Range]:
    """The range of every column ``--actuals`` may give for ``inst``."""
    out: dict[str, Range] = {}
    dt = inst.time.dt_hours
    for g in inst.generators:
        out[f"generator.{g.id}.on"] = Range(_const(1.0), "on/off", binary=True)
        out[f"generator.{g.id}.output_mw"] = Range(_const(g.capacity_mw), f"generators[{g.id}].capacity_mw")
    for j in inst.training_jobs:
        full = float(interp_curve(j.throughput_curve, np.array([1.0]))[0])
        out[f"job.{j.id}.power_mw"] = Range(_const(j.power_mw), f"training_jobs[{j.id}].power_mw")
        out[f"job.{j.id}.work_mwh"] = Range(_const(j.power_mw * dt * full),
                                            f"training_jobs[{j.id}].power_mw x {dt:g} h x throughput {full:g}")
    for s in inst.inference:
        out[f"inference.{s.id}.served_mw"] = Range(_series(np.asarray(s.demand_mw.values, dtype=float)),
                                                   f"inference[{s.id}].demand_mw in that step")
    if inst.battery is not None:
        for col in ("charge_mw", "discharge_mw"):
            out[f"battery.{col}"] = Range(_const(inst.battery.power_mw), "battery.power_mw")
    tes = inst.cooling.thermal_storage if inst.cooling is not None else None
    if tes is not None:
        out["thermal_storage.charge_mw_th"] = Range(_const(tes.max_charge_mw_th),
                                                    "cooling.thermal_storage.max_charge_mw_th")
        out["thermal_storage.discharge_mw_th"] = Range(_const(tes.max_discharge_mw_th),
                                                       "cooling.thermal_storage.max_discharge_mw_th")
    for a in inst.solar:
        out[f"solar.{a.id}.output_mw"] = Range(_const(a.capacity_mw), f"solar[{a.id}].capacity_mw")
    return out


def is_empty(v) -> bool:
    """An empty cell as pandas reads it (NaN, None) or as text (blank)."""
    if v is None:
        return True
    if isinstance(v, str):
        return not v.strip()
    try:
        return bool(v != v)   # NaN, pd.NA, NaT
    except (TypeError, ValueError):
        return False


def keeps_plan(v) -> bool:
    return isinstance(v, str) and v.strip().lower() == KEEP_PLAN


def cell_value(v, rng: Range | None, k: int | None) -> tuple[float | None, str | None]:
    """``(value, None)`` for a good cell, ``(None, why)`` for a bad one; ``k`` None: the step is unknown (only
    what holds in every step is checked)."""
    if is_empty(v):
        return None, (f"is empty; give the value that happened, `{KEEP_PLAN}` to keep the previous plan's "
                      "value, or leave the column out")
    if isinstance(v, (bool, np.bool_)):
        return None, f"{v!r} is not a number"
    try:
        x = float(v.strip() if isinstance(v, str) else v)
    except (TypeError, ValueError):
        return None, f"{v!r} is not a number"
    if not math.isfinite(x):
        return None, f"{v!r} is not a finite number"
    if x < 0:
        return None, f"{v!r} must be a finite number >= 0"
    if rng is None:
        return x, None
    if rng.binary:
        return (x, None) if x in (0.0, 1.0) else (None, f"on/off must be 0 or 1, not {v!r}")
    if k is not None:
        high = rng.high(k)
        if x > high + REL_SLACK * max(1.0, abs(high)):
            return None, f"{v!r} is above {high:g}, the most it can be ({rng.why})"
    return x, None


def row_problems(inst: Instance, clean: dict[str, float | None]) -> list[str]:
    """What one row's cells say together that none says alone: a job's work beyond what its power could do in
    the step (dt x power_mw x throughput(power / power_mw); none at 0 MW). Returns ``columns: why`` phrases."""
    out = []
    dt = inst.time.dt_hours
    for j in inst.training_jobs:
        p, w = clean.get(f"job.{j.id}.power_mw"), clean.get(f"job.{j.id}.work_mwh")
        if p is None or w is None:
            continue
        most = dt * j.power_mw * float(interp_curve(j.throughput_curve, np.array([p / j.power_mw]))[0]) if p > 0 else 0.0
        if w > most + REL_SLACK * max(1.0, most):
            out.append(f"columns job.{j.id}.power_mw and job.{j.id}.work_mwh: {w:g} MWh of work at {p:g} MW; at most "
                       f"{most:g} MWh can be done in a {dt:g} h step at that power (throughput_curve)")
    return out
