"""Backup generators: unit commitment, fuel curve, start-ups, minimum up/down time and air permits."""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..inputs.budgets import PermitBudget
from ..inputs.history import History
from ..inputs.schema import InstanceBase as Instance
from ..inputs.generator import Generator
from .component import BuildContext, Column, Component, Role, SummaryEntry, values
from .unitcommit import (allowed_steps, commitment, fuel_and_costs, initial_state, notice_share, ramps, run_share,
                         steps_of, tighten_fuel, window_share)

ON, OUTPUT, FUEL = "generator.{id}.on", "generator.{id}.output_mw", "generator.{id}.fuel_gal"
FUEL_MMBTU, FUEL_KG = "generator.{id}.fuel_mmbtu", "generator.{id}.fuel_kg"
#: The fuel column of each kind (the diesel one is always written; the others when a unit burns that kind).
FUEL_COLUMN = {"diesel": FUEL, "natural_gas": FUEL_MMBTU, "hydrogen": FUEL_KG}

__all__ = ["allowed_steps", "commitment", "fuel_and_costs", "notice_share", "run_share", "steps_of", "window_share"]


def build(b: pyo.Block, inst: Instance, ctx: BuildContext | None = None) -> None:
    budgets: tuple[PermitBudget, ...] = tuple(ctx.budgets) if ctx is not None else ()
    n = inst.time.n_steps
    T = range(n)
    dt = inst.time.dt_hours
    units = {g.id: g for g in inst.generators}
    GT = [(g, t) for g in units for t in T]
    share = {g.id: run_share(inst, g.dispatch) for g in inst.generators}
    initial = {g.id: initial_state(g, dt, share[g.id]) for g in inst.generators}

    b.On = pyo.Var(GT, domain=pyo.Binary)
    b.Output_MW = pyo.Var(GT, bounds=lambda _, g, t: (0.0, units[g].capacity_mw))
    b.Start = pyo.Var(GT, bounds=(0.0, 1.0))
    b.Stop = pyo.Var(GT, bounds=(0.0, 1.0))
    for g in units.values():
        for t in np.flatnonzero(share[g.id] <= 0):
            b.On[g.id, int(t)].fix(0)

    commitment(b, units, T, dt, installed=lambda g: 1, share=share, initial=initial)
    ramps(b, units, T, inst.time.step_minutes, initial)
    b.min_up_after_now = pyo.Constraint(pyo.Any)   # filled only when re-planning (see fix)

    # A notice-only unit in a step a notice covers only partly runs that part: its hours are dt x share x On.
    hours = {(g, t): dt * float(share[g][t]) for g, t in GT}
    b.run_hours = pyo.Expression(list(units), rule=lambda _, g: sum(hours[g, t] * b.On[g, t] for t in T))
    b.run_hours_permit = pyo.Constraint(list(units), rule=lambda _, g: b.run_hours[g] <= units[g].run_hours_left)
    days = [(g, d) for g in units if units[g].max_hours_per_day is not None
            for d in range(len(inst.time.local_days))]
    b.day_hours_permit = pyo.Constraint(days, rule=lambda _, g, d: sum(
        hours[g, t] * b.On[g, t] for t in inst.time.local_days[d][1]) <= units[g].max_hours_per_day)
    windows = {k: inst.time.steps_overlapping(nt.start, nt.end) for k, nt in enumerate(inst.notices)}
    inside = {k: window_share(inst, [(nt.start, nt.end)]) for k, nt in enumerate(inst.notices)}
    events = [(g, k) for g in units if units[g].max_hours_per_event is not None for k in windows]
    b.event_hours_permit = pyo.Constraint(events, rule=lambda _, g, k: sum(
        event_hours(dt, units[g].dispatch, inside[k][t]) * b.On[g, t] for t in windows[k])
        <= units[g].max_hours_per_event)

    fuel_and_costs(b, inst, units, T, share=share)
    b.nox_permit = pyo.Constraint([g for g in units if units[g].nox_cap_kg is not None],
                                  rule=lambda _, g: b.nox_kg[g] <= units[g].nox_cap_kg)
    _budgets(b, inst, budgets, hours)


def event_hours(dt: float, dispatch: str, inside: float) -> float:
    """Hours a unit on in a step counts against one notice's event cap: a notice-only unit runs only the part
    the notices cover, so the part inside this notice; an economic unit the whole step (as before)."""
    return dt * float(inside) if dispatch == "notice_only" else dt


def horizon_permits(b: pyo.Block, inst: Instance, parts: list[tuple[float, pyo.Block]]) -> None:
    """Planning over representative periods: each unit's run hours left and NOx cap bind the weighted sum
    over the periods (``parts``: (weight, the period's generators block)), not each period alone; the
    periods' own copies of those two constraints are switched off. Day and event caps stay per period
    (periods are whole days and keep events whole)."""
    units = {g.id: g for g in inst.generators}
    for _, blk in parts:
        blk.run_hours_permit.deactivate()
        blk.nox_permit.deactivate()
    b.run_hours = pyo.Expression(list(units), rule=lambda _, g: sum(w * blk.run_hours[g] for w, blk in parts))
    b.run_hours_permit = pyo.Constraint(list(units), rule=lambda _, g: b.run_hours[g] <= units[g].run_hours_left)
    b.nox_kg = pyo.Expression(list(units), rule=lambda _, g: sum(w * blk.nox_kg[g] for w, blk in parts))
    b.nox_permit = pyo.Constraint([g for g in units if units[g].nox_cap_kg is not None],
                                  rule=lambda _, g: b.nox_kg[g] <= units[g].nox_cap_kg)


def _budgets(b: pyo.Block, inst: Instance, budgets: tuple[PermitBudget, ...], hours: dict) -> None:
    """Ledger windows (``PermitBudget``): the counted share of hours, NOx or fuel stays within what is left
    (``fuel_gal`` counts diesel gallons: nothing for a unit of another fuel kind)."""
    dt = inst.time.dt_hours
    units = {g.id: g for g in inst.generators}
    K = range(len(budgets))

    def amount(k):
        bud = budgets[k]
        g, w = bud.unit_id, bud.weights
        per_step = {"hours": lambda t: hours[g, t] * b.On[g, t],
                    "nox_kg": lambda t: units[g].nox_kg_per_mwh * dt * b.Output_MW[g, t],
                    "fuel_gal": lambda t: b.fuel_gal[g, t]}[bud.metric]
        return sum(float(w[t]) * per_step(t) for t in np.flatnonzero(w > 0))

    b.budget_use = pyo.Expression(K, rule=lambda _, k: amount(k))
    b.budget_permit = pyo.Constraint(K, rule=lambda _, k: b.budget_use[k] <= budgets[k].remaining
                                     if budgets[k].weights.any() else pyo.Constraint.Skip)


def fix(b: pyo.Block, inst: Instance, history: History) -> None:
    """Steps before "now": each unit on/off, output, starts and stops as they were, from its state at the
    horizon's start (which comes before the history). A unit running at "now" keeps its minimum up time; one
    that stopped before "now" (even sooner than its minimum up time, e.g. a trip) owes nothing more, and one
    that stopped keeps its minimum down time; the state carried in from before the start no longer binds a unit
    whose history left that state."""
    k = history.n_fixed
    dt = inst.time.dt_hours
    for g in inst.generators:
        on, out = history.get(ON.format(id=g.id)), history.get(OUTPUT.format(id=g.id))
        if on is not None:
            was = b.initial_on[g.id]
            left = False   # the history leaves the state the unit started the horizon in
            for t in history.fixed_steps():
                now_on = round(on[t])
                b.Start[g.id, t].fix(max(now_on - was, 0))
                b.Stop[g.id, t].fix(max(was - now_on, 0))
                left = left or now_on != b.initial_on[g.id]
                was = now_on
            if left:
                for con in (b.initial_up, b.initial_down):
                    for t in range(k, inst.time.n_steps):
                        if (g.id, t) in con:
                            con[g.id, t].deactivate()
            up = steps_of(g.min_up_hours, dt)
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
    """After a solve, set starts and stops to the on/off changes themselves (from the state at the start), and a
    fuel curve's rate to the curve itself: the schedule is unchanged, still feasible, and its start-up,
    shut-down and fuel cost are what it really costs (a solve stopped short, or a unit whose fuel is free, may
    leave them above)."""
    prev: dict[str, float] = {}
    for g, t in b.On:
        on = round(pyo.value(b.On[g, t]))
        was = prev.get(g, b.initial_on[g])
        b.Start[g, t].set_value(float(max(on - was, 0)))
        b.Stop[g, t].set_value(float(max(was - on, 0)))
        prev[g] = on
    tighten_fuel(b)


def steps(inst: Instance, m, b: pyo.Block | None) -> dict[str, np.ndarray]:
    cols: dict[str, np.ndarray] = {}
    kinds = {g.fuel for g in inst.generators}
    for g in inst.generators:
        keys = [(g.id, t) for t in range(inst.time.n_steps)]
        cols[ON.format(id=g.id)] = np.round(values(b.On, keys)).astype(int)
        cols[OUTPUT.format(id=g.id)] = values(b.Output_MW, keys)
        fuel = np.array([pyo.value(b.fuel[k]) for k in keys])
        for kind, name in FUEL_COLUMN.items():
            if kind == "diesel" or kind in kinds:
                cols[name.format(id=g.id)] = fuel if g.fuel == kind else np.zeros(len(keys))
    return cols


def _transitions(on: np.ndarray, on0: int) -> tuple[int, int]:
    """Starts and stops of an on/off series that begins from ``on0``."""
    d = np.diff(np.concatenate([[on0], on]))
    return int(np.sum(d > 0)), int(np.sum(d < 0))


def summary(inst: Instance, m, b: pyo.Block | None, steps, budgets=()) -> dict:
    dt = inst.time.dt_hours
    gens = {}
    for g in inst.generators:
        on = steps[ON.format(id=g.id)].to_numpy()
        starts, stops = _transitions(on, int(g.initial_on))
        gens[g.id] = {
            "hours": float(np.sum(on * run_share(inst, g.dispatch)) * dt), "limit_hours": g.run_hours_left,
            "max_hours_per_day": g.max_hours_per_day, "max_hours_per_event": g.max_hours_per_event,
            "starts": starts, "stops": stops,
            "output_mwh": float(steps[OUTPUT.format(id=g.id)].sum() * dt),
            "fuel_gal": float(steps[FUEL.format(id=g.id)].sum()),
            "fuel_kind": g.fuel, "fuel": float(steps[FUEL_COLUMN[g.fuel].format(id=g.id)].sum()),
            "fuel_unit": g.fuel_unit(),
            "nox_kg": float(pyo.value(b.nox_kg[g.id])), "nox_cap_kg": g.nox_cap_kg,
        }
    out = {"nox_kg": float(sum(v["nox_kg"] for v in gens.values())), "generator_run_hours": gens}
    if budgets:
        out["permit_budgets"] = permit_budgets(b, budgets)
    return out


def permit_budgets(b: pyo.Block, budgets) -> list[dict]:
    """Each ledger window the plan draws on: what it had left before the plan and what it has left after."""
    out = []
    for k, bud in enumerate(budgets):
        used = float(pyo.value(b.budget_use[k]))
        out.append({"unit_id": bud.unit_id, "window": bud.label, "metric": bud.metric, "limit": bud.limit,
                    "used_before": bud.used_before, "remaining_before": bud.limit - bud.used_before,
                    "plan_uses": used, "remaining_after": bud.limit - bud.used_before - used})
    return out


def actuals(inst: Instance, given, values: dict[str, np.ndarray], k: int) -> None:
    """A unit reported off produced nothing; one reported producing was on."""
    for u in inst.generators:
        on, out = ON.format(id=u.id), OUTPUT.format(id=u.id)
        if given(on) and not given(out):
            values[out][k] = 0.0 if given.value(on) == 0 else values[out][k]
        if given(out) and not given(on):
            values[on][k] = 1.0 if given.value(out) > 0 else 0.0


def text(s: dict) -> list[str]:
    lines = [f"  generator {g:<8} {v['hours']:g} of {v['limit_hours']:g} h, {v['output_mwh']:.2f} MWh, "
             f"{v['starts']} start(s)" for g, v in s["generator_run_hours"].items()]
    return lines + [f"  permit {b['unit_id']:<9} {b['window']}: {b['remaining_before']:g} left before, "
                    f"plan uses {b['plan_uses']:g}, {b['remaining_after']:g} after" for b in s.get("permit_budgets", [])]


def max_supply_mw(inst: Instance) -> np.ndarray:
    """Every unit at capacity for the share of each step it may run in."""
    return sum((g.capacity_mw * run_share(inst, g.dispatch) for g in inst.generators), np.zeros(inst.time.n_steps))


COMPONENT = Component(
    name="generators", item="generator", many=True, section=Generator, role=Role.SUPPLY | Role.EMITS,
    description="backup generators: unit commitment, fuel curve, start-ups, minimum up/down time and air permits",
    present=lambda inst, ctx: bool(inst.generators),
    build=build, fix=fix, tighten=tighten, max_supply_mw=max_supply_mw,
    cost_terms=(("fuel", "fuel price x fuel burned"), ("startup", "start-up cost x starts"),
                ("shutdown", "shut-down cost x stops"), ("carbon", "carbon price x CO2")),
    columns=(
        Column(ON, "0/1", "the unit runs in the step (in a step a notice covers only partly, a notice-only unit "
               "runs only the covered part)", kind="binary", replan=True),
        Column(OUTPUT, "MW", "its electrical output (the step's average)", replan=True, chart="supply",
               label="generator {id}"),
        Column(FUEL, "gal", "diesel it burns in the step (its fuel curve: no-load while on, scaled by the share of "
               "the step it runs, + slope x output); 0 for a unit of another fuel kind"),
        Column(FUEL_MMBTU, "MMBtu", "natural gas it burns in the step; 0 for a unit of another kind (written when "
               "a unit burns natural gas)", when=lambda inst: any(g.fuel == "natural_gas" for g in inst.generators)),
        Column(FUEL_KG, "kg", "hydrogen it uses in the step; 0 for a unit of another kind (written when a unit "
               "uses hydrogen)", when=lambda inst: any(g.fuel == "hydrogen" for g in inst.generators)),
    ),
    steps=steps,
    summary_entries=(
        SummaryEntry("nox_kg", "kg", "NOx of every generator over the horizon"),
        SummaryEntry("generator_run_hours", "", "one entry per generator id", "object"),
        SummaryEntry("generator_run_hours.{id}.hours", "h", "hours it runs (a notice-only unit: the covered part of "
                     "each step it is on)"),
        SummaryEntry("generator_run_hours.{id}.limit_hours", "h", "run hours its permit leaves (run_hours_left)"),
        SummaryEntry("generator_run_hours.{id}.max_hours_per_day", "h", "its per-day cap", "number or null"),
        SummaryEntry("generator_run_hours.{id}.max_hours_per_event", "h", "its per-event cap", "number or null"),
        SummaryEntry("generator_run_hours.{id}.starts", "", "its starts (a unit on at the start has none then)",
                     "integer"),
        SummaryEntry("generator_run_hours.{id}.stops", "", "its stops (one on at the start that stops counts one)",
                     "integer"),
        SummaryEntry("generator_run_hours.{id}.output_mwh", "MWh", "energy it produces"),
        SummaryEntry("generator_run_hours.{id}.fuel_gal", "gal", "diesel it burns (0 for another fuel kind)"),
        SummaryEntry("generator_run_hours.{id}.fuel_kind", "", "its fuel: diesel, natural_gas or hydrogen", "text"),
        SummaryEntry("generator_run_hours.{id}.fuel", "fuel_unit", "fuel it burns, in its kind's unit"),
        SummaryEntry("generator_run_hours.{id}.fuel_unit", "", "gal, MMBtu or kg", "text"),
        SummaryEntry("generator_run_hours.{id}.nox_kg", "kg", "its NOx"),
        SummaryEntry("generator_run_hours.{id}.nox_cap_kg", "kg", "its NOx cap", "number or null"),
        SummaryEntry("permit_budgets", "", "with --ledger only: each ledger window the plan draws on", "list"),
        SummaryEntry("permit_budgets[].unit_id", "", "the unit", "text"),
        SummaryEntry("permit_budgets[].window", "", "the window (calendar year, rolling 12 months, day)", "text"),
        SummaryEntry("permit_budgets[].metric", "", "hours, nox_kg or fuel_gal", "text"),
        SummaryEntry("permit_budgets[].limit", "", "the window's limit (in its metric)"),
        SummaryEntry("permit_budgets[].used_before", "", "used before this plan"),
        SummaryEntry("permit_budgets[].remaining_before", "", "left before this plan"),
        SummaryEntry("permit_budgets[].plan_uses", "", "what this plan uses of it"),
        SummaryEntry("permit_budgets[].remaining_after", "", "left after this plan"),
    ),
    summary=summary, actuals=actuals, text=text,
)
