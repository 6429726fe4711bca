"""What an infeasible instance's shortfall is owed to, found by relaxing one kind of limit at a time.

The elastic model (``build_model(..., elastic=True)``) gives the least shortfall the limits allow. Here the
same model is solved again with one family of limits switched off (a unit's minimum load, its minimum up and
down times, its ramps, its permits; the battery's reserve, end level and cycle cap): a family whose removal
lowers the least shortfall is one the shortfall is owed to, and the figure it falls to is part of the
explanation. A second solve finds the least *peak* of each short stretch (the first minimises MWh, whose
worst step need not be the least possible one).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.visitor import identify_variables

from ..inputs import Instance
from ..model import build_model
from .highs import SolveOptions, solve_model

#: A relaxation counts when it lowers the least shortfall by more than this (MWh).
GAIN_MWH = 1e-4

#: (family, block, constraint names) relaxed together; a unit's rows are those indexed by its id first.
UNIT_FAMILIES = (
    ("min_load", ("min_output",)),
    ("min_up_down", ("min_up", "min_down", "initial_up", "initial_down", "min_up_after_now")),
    ("ramps", ("ramp_up", "ramp_down")),
    ("permits", ("run_hours_permit", "day_hours_permit", "event_hours_permit", "nox_permit", "budget_permit")),
)
BATTERY_ROWS = ("end_level", "cycles_per_day", "cycles_after_now")


@dataclass(frozen=True)
class Relaxed:
    """One family whose removal lowers the least shortfall: from ``before`` to ``after`` MWh."""
    family: str
    unit: str | None
    before: float
    after: float
    power_before: float | None = None   #: the power part of ``before`` (MWh unserved), where known
    power_after: float | None = None    #: the power part of ``after``


def _rows(blk, names: tuple[str, ...], unit: str | None):
    for name in names:
        con = getattr(blk, name, None)
        if con is None:
            continue
        for key in list(con.keys()):
            if con[key].active and (unit is None or (key[0] if isinstance(key, tuple) else key) == unit):
                yield con[key]


def _solve(m, opts: SolveOptions) -> float | None:
    info = solve_model(m, opts)
    return float(pyo.value(m.objective)) if info.status.has_schedule else None


def relaxations(inst: Instance, opts: SolveOptions, total: float, history=None, budgets=(),
                power: float | None = None) -> list[Relaxed]:
    """Each family of limits (per unit for the gensets) whose removal lowers the least shortfall ``total`` (every
    elastic slack: power, heat, ramps); ``power`` is the power part of it, so that a cause can say what it does to
    the power shortfall alone."""
    m = build_model(inst, elastic=True, history=history, budgets=budgets)
    found = []
    tries: list[tuple[str, str | None, list, list]] = []
    gens = m.component("generators")
    for g in inst.generators if gens is not None else []:
        for family, names in UNIT_FAMILIES:
            rows = list(_rows(gens, names, g.id))
            if family == "permits":   # ledger budgets are indexed by position: a unit's are those naming it
                rows = [r for r in rows if r.parent_component().name != "budget_permit"] + [
                    gens.budget_permit[k] for k, b in enumerate(budgets)
                    if b.unit_id == g.id and k in gens.budget_permit and gens.budget_permit[k].active]
            if rows:
                tries.append((family, g.id, rows, []))
    bat = m.component("battery")
    if bat is not None:
        rows = list(_rows(bat, BATTERY_ROWS, None))
        levels = [v for v in bat.Stored_MWh.values() if not v.fixed and (v.lb or 0.0) > 0]
        if rows or levels:
            tries.append(("battery", None, rows, levels))
    for family, unit, rows, levels in tries:
        if opts.out_of_time():   # the time budget is spent: the causes found so far (the caller says so)
            break
        for r in rows:
            r.deactivate()
        lows = [(v, v.lb) for v in levels]
        for v, _ in lows:
            v.setlb(0.0)
        after = _solve(m, opts)
        for r in rows:
            r.activate()
        for v, lb in lows:
            v.setlb(lb)
        if after is not None and after < total - GAIN_MWH:
            p_after = (inst.time.dt_hours * sum(pyo.value(v) for v in m.Unserved_MW.values())
                       if hasattr(m, "Unserved_MW") else None)
            found.append(Relaxed(family, unit, total, after, power, p_after))
    return found


def least_peaks(inst: Instance, opts: SolveOptions, solved, history=None, budgets=()) -> np.ndarray | None:
    """The power shortfall per step of a schedule whose worst step is as small as it can be among those with the
    least shortfall in MWh (that of ``solved``, the least-MWh solution), every other slack of the elastic model
    no larger than in ``solved``. None if that solve fails."""
    m = build_model(inst, elastic=True, history=history, budgets=budgets)
    n, dt = inst.time.n_steps, inst.time.dt_hours
    least = dt * sum(float(pyo.value(solved.Unserved_MW[t])) for t in range(n))
    for blk in [m, *m.component_blocks]:
        if not hasattr(blk, "elastic_mwh"):
            continue
        for v in identify_variables(blk.elastic_mwh.expr):
            if v.parent_component().name == "Unserved_MW":
                continue
            twin = solved.find_component(v.name)
            if twin is not None and twin.value is not None:
                v.setub(max(float(twin.value), 0.0) * (1 + 1e-9) + 1e-9)
    m.Least_Peak_MW = pyo.Var(domain=pyo.NonNegativeReals)
    m.least_peak = pyo.Constraint(range(n), rule=lambda _, t: m.Unserved_MW[t] <= m.Least_Peak_MW)
    m.least_total = pyo.Constraint(expr=dt * sum(m.Unserved_MW[t] for t in range(n)) <= least * (1 + 1e-7) + 1e-7)
    m.objective.deactivate()
    m.peak_objective = pyo.Objective(expr=m.Least_Peak_MW)
    if _solve(m, opts) is None:
        return None
    return np.array([pyo.value(m.Unserved_MW[t]) for t in range(n)])
