"""A plan's genset type unit by unit: which of its ``n`` identical units is on in each step.

The plan's fleet (``fleet.py``) counts the units of a type on in each step and pools the type's permit hours
(the cap times its units): that assumes the hours can be rotated evenly. This block states the units one by
one: ``U[i,t]`` binary (unit i on in step t), their sum the fleet's count, each unit's own starts and stops,
its runs at least the minimum up time, its rests at least the minimum down time, and its own hours (a year's,
scaled as the plan scales them) within the type's caps per unit: non-emergency, total, and per notice.
Units start off (as the plan's types do). Identical units are interchangeable, so unit i is given at least
the hours of unit i + 1 (any schedule can be relabelled so): no symmetric copies of one assignment.

Two uses (``energyopt/ops/units.py``): a rotation of a solved schedule's counts (``count`` constants, the
fewest starts sought), and an evaluation of a design with every unit on its own (``count`` the fleet's
``On`` variables, the fleet's starts the units' starts, so its costs are the units').
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from ..inputs.schema import InstanceBase as Instance
from .fleet import notice_mask
from .generators import event_hours
from .unitcommit import run_share, steps_of, window_share


@dataclass(frozen=True)
class UnitRules:
    """What binds each unit of a type over the modeled horizon (``energyopt.inputs.plan.GensetType`` ``g``)."""

    hours: np.ndarray             #: per step, the hours a unit on counts (dt x the share of the step it may run)
    counted: np.ndarray           #: per step, whether those hours count against the non-emergency cap
    events: tuple                 #: per notice, (steps, hours a unit on counts against the notice's cap)
    allowed: np.ndarray           #: per step, whether the type may run at all
    up: int                       #: minimum up time in steps
    down: int                     #: minimum down time in steps
    non_emergency_cap_h: float | None   #: per unit over the horizon (the annual cap / hours_scale)
    total_cap_h: float | None
    event_cap_h: float | None


def unit_rules(inst: Instance, g, notice_category: str, hours_scale: float) -> UnitRules:
    """The rules of type ``g`` as the fleet states them (same hours, same counting), per unit."""
    dt = inst.time.dt_hours
    share = run_share(inst, g.dispatch)
    inside = notice_mask(inst)
    counted = np.ones(len(inside), dtype=bool) if notice_category == "non_emergency" else ~inside
    events = []
    for n in inst.notices:
        steps = inst.time.steps_overlapping(n.start, n.end)
        within = window_share(inst, [(n.start, n.end)])
        events.append((list(steps), [event_hours(dt, g.dispatch, within[t]) for t in steps]))

    def per_horizon(cap):
        return None if cap is None else cap / hours_scale

    return UnitRules(hours=dt * share, counted=counted, events=tuple(events), allowed=share > 0,
                     up=steps_of(g.min_up_hours, dt), down=steps_of(g.min_down_hours, dt),
                     non_emergency_cap_h=per_horizon(g.non_emergency_hours_per_year),
                     total_cap_h=per_horizon(g.total_hours_per_year), event_cap_h=g.max_hours_per_event)


def build_units(b: pyo.Block, n: int, rules: UnitRules, count, starts=None) -> None:
    """Units 0..n-1 of one type in block ``b``. ``count(t)``: the units on in step t (a number or an
    expression); ``starts(t)``: the fleet's starts in step t, made equal to the units' own (None: free).

    Only the steps the type may run in (``rules.allowed``) and the step after each carry variables: a unit is
    off in every other step, so it starts and stops in no other step, and the minimum up (down) rows there
    are implied by those of the first step after its run (nothing runs there)."""
    allowed = [int(t) for t in np.flatnonzero(rules.allowed)]
    S = sorted(set(allowed) | {t + 1 for t in allowed if t + 1 < len(rules.hours)})
    inS = set(S)
    units = range(n)
    IT = [(i, t) for i in units for t in S]
    b.U = pyo.Var(IT, domain=pyo.Binary)
    b.Start = pyo.Var(IT, bounds=(0.0, 1.0))
    b.Stop = pyo.Var(IT, bounds=(0.0, 1.0))
    for i, t in IT:
        if not rules.allowed[t]:
            b.U[i, t].fix(0)
    b.count = pyo.Constraint(allowed, rule=lambda _, t: sum(b.U[i, t] for i in units) == count(t))
    b.transition = pyo.Constraint(IT, rule=lambda _, i, t: b.U[i, t] - (b.U[i, t - 1] if t - 1 in inS else 0)
                                  == b.Start[i, t] - b.Stop[i, t])
    up, down = rules.up, rules.down
    b.min_up = pyo.Constraint([(i, t) for i, t in IT if up > 1], rule=lambda _, i, t: sum(
        b.Start[i, s] for s in range(max(0, t - up + 1), t + 1) if s in inS) <= b.U[i, t])
    b.min_down = pyo.Constraint([(i, t) for i, t in IT if down > 1], rule=lambda _, i, t: sum(
        b.Stop[i, s] for s in range(max(0, t - down + 1), t + 1) if s in inS) <= 1 - b.U[i, t])
    if starts is not None:
        b.fleet_starts = pyo.Constraint(S, rule=lambda _, t: sum(b.Start[i, t] for i in units) == starts(t))
    h = [float(x) for x in rules.hours]
    b.hours = pyo.Expression(units, rule=lambda _, i: sum(h[t] * b.U[i, t] for t in allowed))
    b.counted_hours = pyo.Expression(units, rule=lambda _, i: sum(h[t] * b.U[i, t] for t in allowed
                                                                 if rules.counted[t]))
    b.non_emergency_cap = pyo.Constraint(units if rules.non_emergency_cap_h is not None else [],
                                         rule=lambda _, i: b.counted_hours[i] <= rules.non_emergency_cap_h)
    b.total_cap = pyo.Constraint(units if rules.total_cap_h is not None else [],
                                 rule=lambda _, i: b.hours[i] <= rules.total_cap_h)
    E = range(len(rules.events)) if rules.event_cap_h is not None else []
    b.event_cap = pyo.Constraint([(i, e) for i in units for e in E], rule=lambda _, i, e: sum(
        w * b.U[i, t] for t, w in zip(*rules.events[e]) if rules.allowed[t]) <= rules.event_cap_h)
    b.order = pyo.Constraint([i for i in units if i + 1 < n],
                             rule=lambda _, i: b.hours[i] >= b.hours[i + 1])


def rotation_model(n: int, rules: UnitRules, on_counts: np.ndarray) -> pyo.ConcreteModel:
    """Can ``n`` units carry the per-step counts ``on_counts`` (a solved schedule), each within its own caps,
    runs and rests? The objective is the fewest starts (the fleet's own starts are the least any rotation
    needs: sum of max(0, count_t - count_t-1))."""
    m = pyo.ConcreteModel(name="rotation")
    counts = [int(round(x)) for x in on_counts]
    on = dataclasses.replace(rules, allowed=rules.allowed & (np.asarray(counts) > 0))   # off where none is on
    build_units(m, n, on, count=lambda t: counts[t])
    m.objective = pyo.Objective(expr=sum(m.Start[i, t] for i, t in m.Start))
    return m


def unit_hours(b: pyo.Block, n: int) -> tuple[list[float], list[float], int]:
    """After a solve: each unit's hours (all, and those counted against the non-emergency cap), over the
    horizon, and the units' starts."""
    return ([float(pyo.value(b.hours[i])) for i in range(n)],
            [float(pyo.value(b.counted_hours[i])) for i in range(n)],
            int(round(sum(pyo.value(b.Start[i, t]) for i, t in b.Start))))


def on_matrix(b: pyo.Block, n: int, n_steps: int) -> np.ndarray:
    """After a solve: the units' on/off (units x steps; 0 where a unit has no variable)."""
    out = np.zeros((n, n_steps))
    for (i, t), v in b.U.items():
        out[i, t] = round(float(pyo.value(v)))
    return out
