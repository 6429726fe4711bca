"""A re-plan's MIP start: the previous plan, as a schedule HiGHS can begin from.

The previous plan's decisions (the columns each component reads back, ``registry.replan_columns``) are put into a
model of the current instance the way a re-plan fixes its past: ``build_model(inst, history=...)`` over the
*whole* horizon, with what happened (actuals) in the fixed steps and the previous plan after them. The integer
values the components fix there (units on or off, jobs running) are the start, matched to the model being solved
by name. HiGHS fixes the integers it is given, finds the best continuous decisions for them (and the integers not
given, in a sub-MIP of at most ``mip_max_start_nodes`` nodes) and keeps the result as its first schedule if it is
feasible (``SolveInfo.incumbents`` then begins with it). The continuous values are left out on purpose: given,
HiGHS holds them too, and a start that must keep last plan's MW where a notice now caps the import is infeasible.

Repair where a notice was added (or a cap lowered): in the steps where the previous plan imports more than the
current cap allows, and ``REPAIR_HOURS`` either side (minimum up times, starts), the integer decisions are left out
of the start, so HiGHS chooses them while completing it; elsewhere the plan is kept as it was.
"""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
from pyomo.common.collections import ComponentMap

from ..inputs import Instance
from ..inputs.history import History
from ..model import build_model
from ..model.grid import import_cap_mw
from ..registry import replan_columns

#: Hours either side of a step over the new cap whose on/off decisions the start leaves to HiGHS.
REPAIR_HOURS = 2.0
#: The previous plan's grid import column.
IMPORT = "grid_import_mw"


def repair_steps(inst: Instance, previous_import_mw: np.ndarray | None, n_fixed: int) -> set[int]:
    """Steps (from ``n_fixed`` on) whose integer decisions the start leaves free: those within ``REPAIR_HOURS`` of a
    step where the previous plan's import exceeds the current instance's cap."""
    if previous_import_mw is None:
        return set()
    cap = import_cap_mw(inst)
    n = min(len(cap), len(previous_import_mw))
    over = np.flatnonzero(previous_import_mw[:n] > cap[:n] + 1e-6 * np.maximum(1.0, cap[:n]))
    over = over[over >= n_fixed]
    if not len(over):
        return set()
    pad = int(np.ceil(REPAIR_HOURS / inst.time.dt_hours))
    free: set[int] = set()
    for t in over.tolist():
        free.update(range(max(n_fixed, t - pad), min(inst.time.n_steps, t + pad + 1)))
    return free


def _step(v) -> int | None:
    """The step of a time-indexed variable (the last integer of its index), or None."""
    key = v.index()
    last = key[-1] if isinstance(key, tuple) and key else key
    return last if isinstance(last, int) else None


def previous_plan_start(inst: Instance, steps, history: History, budgets=()):
    """The MIP start of a re-plan of ``inst`` from a previous plan's ``steps`` table (a DataFrame of steps.csv)
    and the re-plan's ``history``: a function of the model to solve giving ``{var data: value}`` (for
    :func:`energyopt.api.solve`'s ``warm_start``), or None when the previous plan cannot give one (a column or a
    step missing)."""
    n = inst.time.n_steps
    if len(steps) < n:
        return None
    values: dict[str, np.ndarray] = {}
    for name in replan_columns(inst):
        if name not in steps:
            return None
        full = steps[name].to_numpy(dtype=float)[:n].copy()
        past = history.get(name)
        if past is not None:
            full[: history.n_fixed] = past
        values[name] = full
    replay = build_model(inst, history=History(n_fixed=n, values=values), budgets=budgets)
    prev_import = steps[IMPORT].to_numpy(dtype=float) if IMPORT in steps else None
    free = repair_steps(inst, prev_import, history.n_fixed)
    given = [(v.name, float(v.value)) for v in replay.component_data_objects(pyo.Var, descend_into=True)
             if v.is_integer() and v.fixed and v.value is not None and _step(v) not in free]

    def start(m) -> ComponentMap:
        by_name = {v.name: v for v in m.component_data_objects(pyo.Var, descend_into=True)
                   if v.is_integer() and not v.fixed}
        return ComponentMap((by_name[name], x) for name, x in given if name in by_name)
    return start
