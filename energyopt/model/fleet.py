"""Genset types sized by the plan: an integer number of identical units per type, committed together.

Aggregating identical units into counts (``On[k,t]`` units on, not one binary per unit) removes their
symmetry and keeps a year at hourly steps tractable. Annual permit hours are per unit, so a type's
counted hours may not exceed the cap times its number of units: this assumes the site rotates its units
evenly (the usual practice; an operator can always do it within a year). A horizon shorter than a year
stands for a whole year: its hours are scaled up (``hours_scale``) before they meet an annual cap, as its
operating cost is.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from ..inputs import Instance
from ..inputs.plan import GensetType
from .generators import allowed_steps, commitment, fuel_and_costs


@dataclass(frozen=True)
class FleetSizing:
    types: tuple[GensetType, ...]
    units: object                 #: Pyomo Var indexed by type id (the plan's number of units)
    notice_category: str          #: how hours inside notices count: "emergency" or "non_emergency"
    hours_scale: float = 1.0      #: the modeled hours times this are a year's (8,760 / horizon hours)


def notice_mask(inst: Instance) -> np.ndarray:
    return allowed_steps(inst, "notice_only")


def build(b: pyo.Block, inst: Instance, sizing: FleetSizing) -> None:
    T = range(inst.time.n_steps)
    dt = inst.time.dt_hours
    types = {g.id: g for g in sizing.types}
    K = list(types)
    KT = [(k, t) for k in K for t in T]
    N = sizing.units
    inside = notice_mask(inst)

    b.On = pyo.Var(KT, domain=pyo.NonNegativeIntegers, bounds=lambda _, k, t: (0, types[k].max_units))
    b.Output_MW = pyo.Var(KT, bounds=lambda _, k, t: (0.0, types[k].capacity_mw * types[k].max_units))
    b.Start = pyo.Var(KT, bounds=lambda _, k, t: (0.0, types[k].max_units))
    b.Stop = pyo.Var(KT, bounds=lambda _, k, t: (0.0, types[k].max_units))
    for k in K:
        for t in np.flatnonzero(~allowed_steps(inst, types[k].dispatch)):
            b.On[k, int(t)].fix(0)
    b.installed = pyo.Constraint(KT, rule=lambda _, k, t: b.On[k, t] <= N[k])
    commitment(b, types, T, dt, installed=lambda k: N[k])

    counted = inside if sizing.notice_category == "non_emergency" else np.zeros_like(inside)
    non_em = ~inside | counted
    b.unit_hours = pyo.Expression(K, rule=lambda _, k: sum(dt * b.On[k, t] for t in T))
    b.non_emergency_hours = pyo.Expression(K, rule=lambda _, k: sum(dt * b.On[k, t] for t in T if non_em[t]))
    windows = {e: inst.time.steps_overlapping(n.start, n.end) for e, n in enumerate(inst.notices)}
    b.event_permit = pyo.Constraint([(k, e) for k in K if types[k].max_hours_per_event is not None for e in windows],
                                    rule=lambda _, k, e: sum(dt * b.On[k, t] for t in windows[e])
                                    <= types[k].max_hours_per_event * N[k])

    fuel_and_costs(b, inst, types, T)


def annual_permits(b: pyo.Block, parts: list[tuple[float, pyo.Block]], sizing: FleetSizing) -> None:
    """The annual permit caps of each type, on the hours of every period of a scenario (``parts``: (weight,
    the period's fleet block)): a year's hours (the weighted sum times ``hours_scale``) within the cap times
    the number of units. Built once per scenario, since a permit counts the whole year."""
    types = {g.id: g for g in sizing.types}
    N = sizing.units
    b.unit_hours = pyo.Expression(list(types), rule=lambda _, k: sizing.hours_scale * sum(
        w * f.unit_hours[k] for w, f in parts))
    b.non_emergency_hours = pyo.Expression(list(types), rule=lambda _, k: sizing.hours_scale * sum(
        w * f.non_emergency_hours[k] for w, f in parts))
    b.non_emergency_permit = pyo.Constraint(
        [k for k in types if types[k].non_emergency_hours_per_year is not None],
        rule=lambda _, k: b.non_emergency_hours[k] <= types[k].non_emergency_hours_per_year * N[k])
    b.total_permit = pyo.Constraint([k for k in types if types[k].total_hours_per_year is not None],
                                    rule=lambda _, k: b.unit_hours[k] <= types[k].total_hours_per_year * N[k])
