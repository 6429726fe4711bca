"""Backup generators: unit commitment, fuel curve, start-ups, minimum up/down time and air permits."""
from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo

from ..inputs import Instance
from ..inputs.budgets import PermitBudget
from ..inputs.history import History, column


def allowed_steps(inst: Instance, dispatch: str) -> np.ndarray:
    """Steps a unit may run in: all, or only those inside a curtailment notice's window."""
    if dispatch == "economic":
        return np.ones(inst.time.n_steps, dtype=bool)
    ok = np.zeros(inst.time.n_steps, dtype=bool)
    for n in inst.notices:
        ok[inst.time.steps_overlapping(n.start, n.end)] = True
    return ok


def build(b: pyo.Block, inst: Instance, budgets: tuple[PermitBudget, ...] = ()) -> None:
    n = inst.time.n_steps
    T = range(n)
    dt = inst.time.dt_hours
    units = {g.id: g for g in inst.generators}
    GT = [(g, t) for g in units for t in T]

    b.On = pyo.Var(GT, domain=pyo.Binary)
    b.Output_MW = pyo.Var(GT, bounds=lambda _, g, t: (0.0, units[g].capacity_mw))
    b.Start = pyo.Var(GT, bounds=(0.0, 1.0))
    b.Stop = pyo.Var(GT, bounds=(0.0, 1.0))
    for g in units.values():
        for t in np.flatnonzero(~allowed_steps(inst, g.dispatch)):
            b.On[g.id, int(t)].fix(0)

    b.max_output = pyo.Constraint(GT, rule=lambda _, g, t: b.Output_MW[g, t] <= units[g].capacity_mw * b.On[g, t])
    b.min_output = pyo.Constraint(GT, rule=lambda _, g, t: b.Output_MW[g, t]
                                  >= units[g].min_load_fraction * units[g].capacity_mw * b.On[g, t])
    # Units start the horizon off.
    b.transition = pyo.Constraint(GT, rule=lambda _, g, t: b.On[g, t] - (b.On[g, t - 1] if t else 0)
                                  == b.Start[g, t] - b.Stop[g, t])

    def up_steps(g):
        return math.ceil(units[g].min_up_hours / dt - 1e-9)

    def down_steps(g):
        return math.ceil(units[g].min_down_hours / dt - 1e-9)

    b.min_up = pyo.Constraint([(g, t) for g, t in GT if up_steps(g) > 1], rule=lambda _, g, t: sum(
        b.Start[g, s] for s in range(max(0, t - up_steps(g) + 1), t + 1)) <= b.On[g, t])
    b.min_up_after_now = pyo.Constraint(pyo.Any)   # filled only when re-planning (see fix)
    b.min_down = pyo.Constraint([(g, t) for g, t in GT if down_steps(g) > 1], rule=lambda _, g, t: sum(
        b.Stop[g, s] for s in range(max(0, t - down_steps(g) + 1), t + 1)) <= 1 - b.On[g, t])

    b.run_hours = pyo.Expression(list(units), rule=lambda _, g: sum(dt * b.On[g, t] for t in T))
    b.run_hours_permit = pyo.Constraint(list(units), rule=lambda _, g: b.run_hours[g] <= units[g].run_hours_left)
    days = [(g, d) for g in units if units[g].max_hours_per_day is not None
            for d in range(len(inst.time.local_days))]
    b.day_hours_permit = pyo.Constraint(days, rule=lambda _, g, d: sum(
        dt * b.On[g, t] for t in inst.time.local_days[d][1]) <= units[g].max_hours_per_day)
    windows = {k: inst.time.steps_overlapping(nt.start, nt.end) for k, nt in enumerate(inst.notices)}
    events = [(g, k) for g in units if units[g].max_hours_per_event is not None for k in windows]
    b.event_hours_permit = pyo.Constraint(events, rule=lambda _, g, k: sum(
        dt * b.On[g, t] for t in windows[k]) <= units[g].max_hours_per_event)

    b.fuel_gal = pyo.Expression(GT, rule=lambda _, g, t: dt * (
        units[g].fuel_noload_gal_per_h() * b.On[g, t] + units[g].fuel_slope_gal_per_mwh * b.Output_MW[g, t]))
    b.nox_kg = pyo.Expression(list(units), rule=lambda _, g: sum(
        units[g].nox_kg_per_mwh * dt * b.Output_MW[g, t] for t in T))
    b.nox_permit = pyo.Constraint([g for g in units if units[g].nox_cap_kg is not None],
                                  rule=lambda _, g: b.nox_kg[g] <= units[g].nox_cap_kg)
    _budgets(b, inst, budgets)
    b.co2_kg = pyo.Expression(expr=sum(units[g].co2_kg_per_gal * b.fuel_gal[g, t] for g, t in GT))
    b.supply_mw = pyo.Expression(T, rule=lambda _, t: sum(b.Output_MW[g, t] for g in units))

    carbon_usd_per_kg = inst.grid.carbon_price_usd_per_t / 1000.0
    b.cost_usd = pyo.Expression(["fuel", "startup", "carbon"], rule=lambda _, k: {
        "fuel": sum(units[g].fuel_price_usd_per_gal * b.fuel_gal[g, t] for g, t in GT),
        "startup": sum(units[g].startup_cost_usd * b.Start[g, t] for g, t in GT),
        "carbon": carbon_usd_per_kg * b.co2_kg,
    }[k])


def _budgets(b: pyo.Block, inst: Instance, budgets: tuple[PermitBudget, ...]) -> None:
    """Ledger windows (``PermitBudget``): the counted share of hours, NOx or fuel stays within what is left."""
    dt = inst.time.dt_hours
    units = {g.id: g for g in inst.generators}
    K = range(len(budgets))

    def amount(k):
        bud = budgets[k]
        g, w = bud.unit_id, bud.weights
        per_step = {"hours": lambda t: dt * b.On[g, t],
                    "nox_kg": lambda t: units[g].nox_kg_per_mwh * dt * b.Output_MW[g, t],
                    "fuel_gal": lambda t: b.fuel_gal[g, t]}[bud.metric]
        return sum(float(w[t]) * per_step(t) for t in np.flatnonzero(w > 0))

    b.budget_use = pyo.Expression(K, rule=lambda _, k: amount(k))
    b.budget_permit = pyo.Constraint(K, rule=lambda _, k: b.budget_use[k] <= budgets[k].remaining
                                     if budgets[k].weights.any() else pyo.Constraint.Skip)


def fix(b: pyo.Block, inst: Instance, history: History) -> None:
    """Steps before "now": each unit on/off, output, starts and stops as they were. A unit running at "now"
    keeps its minimum up time; one that stopped before "now" (even sooner than its minimum up time, e.g. a
    trip) owes nothing more, and one that stopped keeps its minimum down time."""
    k = history.n_fixed
    dt = inst.time.dt_hours
    for g in inst.generators:
        on, out = history.get(column("generator", "on", g.id)), history.get(column("generator", "output", g.id))
        if on is not None:
            was = 0
            for t in history.fixed_steps():
                now_on = round(on[t])
                b.Start[g.id, t].fix(max(now_on - was, 0))
                b.Stop[g.id, t].fix(max(was - now_on, 0))
                was = now_on
            up = math.ceil(g.min_up_hours / dt - 1e-9)
            if was == 0 and up > 1:   # off at "now": starts before it no longer bind the steps after
                for t in range(k, min(k + up - 1, inst.time.n_steps)):
                    if (g.id, t) in b.min_up:
                        b.min_up[g.id, t].deactivate()
                        b.min_up_after_now[g.id, t] = sum(
                            b.Start[g.id, s] for s in range(max(k, t - up + 1), t + 1)) <= b.On[g.id, t]
        for t in history.fixed_steps():
            if on is not None:
                b.On[g.id, t].fix(round(on[t]), skip_validation=True)
            if out is not None:
                b.Output_MW[g.id, t].fix(float(out[t]), skip_validation=True)
            elif on is not None and round(on[t]) == 0:
                b.Output_MW[g.id, t].fix(0.0)


def tighten(b: pyo.Block) -> None:
    """After a solve stopped short of optimality, set starts and stops to the on/off changes themselves:
    the schedule is unchanged, still feasible, and its start-up cost is what it really costs."""
    prev: dict[str, float] = {}
    for g, t in b.On:
        on = round(pyo.value(b.On[g, t]))
        was = prev.get(g, 0)
        b.Start[g, t].set_value(float(max(on - was, 0)))
        b.Stop[g, t].set_value(float(max(was - on, 0)))
        prev[g] = on
