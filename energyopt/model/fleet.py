"""Genset types sized by the plan: an integer number of identical units per type, committed together.

Aggregating identical units into counts (``On[k,t]`` units on, not one binary per unit) removes their
symmetry and keeps a year at hourly steps tractable. Annual permit hours are per unit, so a type's
counted hours may not exceed the cap times its number of units: this assumes the site rotates its units
evenly (the usual practice; an operator can always do it within a year). A horizon shorter than a year
stands for a whole year: its hours are scaled up (``hours_scale``) before they meet an annual cap, as its
operating cost is.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from ..inputs import Instance
from ..inputs.plan import GensetType
from .generators import allowed_steps


@dataclass(frozen=True)
class FleetSizing:
    types: tuple[GensetType, ...]
    units: object                 #: Pyomo Var indexed by type id (the plan's number of units)
    notice_category: str          #: how hours inside notices count: "emergency" or "non_emergency"
    hours_scale: float = 1.0      #: the horizon's hours times this are a year's (8,760 / horizon hours)


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
    b.max_output = pyo.Constraint(KT, rule=lambda _, k, t: b.Output_MW[k, t] <= types[k].capacity_mw * b.On[k, t])
    b.min_output = pyo.Constraint(KT, rule=lambda _, k, t: b.Output_MW[k, t]
                                  >= types[k].min_load_fraction * types[k].capacity_mw * b.On[k, t])
    b.transition = pyo.Constraint(KT, rule=lambda _, k, t: b.On[k, t] - (b.On[k, t - 1] if t else 0)
                                  == b.Start[k, t] - b.Stop[k, t])
    # Aggregated minimum up/down times: units started in the last U steps are still on; units stopped in the
    # last D steps are still off (of the units installed).
    up = {k: math.ceil(types[k].min_up_hours / dt - 1e-9) for k in K}
    down = {k: math.ceil(types[k].min_down_hours / dt - 1e-9) for k in K}
    b.min_up = pyo.Constraint([(k, t) for k, t in KT if up[k] > 1], rule=lambda _, k, t: sum(
        b.Start[k, s] for s in range(max(0, t - up[k] + 1), t + 1)) <= b.On[k, t])
    b.min_down = pyo.Constraint([(k, t) for k, t in KT if down[k] > 1], rule=lambda _, k, t: sum(
        b.Stop[k, s] for s in range(max(0, t - down[k] + 1), t + 1)) <= N[k] - b.On[k, t])

    counted = inside if sizing.notice_category == "non_emergency" else np.zeros_like(inside)
    non_em = ~inside | counted
    b.unit_hours = pyo.Expression(K, rule=lambda _, k: sum(dt * b.On[k, t] for t in T))
    b.non_emergency_hours = pyo.Expression(K, rule=lambda _, k: sum(dt * b.On[k, t] for t in T if non_em[t]))
    b.non_emergency_permit = pyo.Constraint(
        [k for k in K if types[k].non_emergency_hours_per_year is not None],
        rule=lambda _, k: sizing.hours_scale * b.non_emergency_hours[k] <= types[k].non_emergency_hours_per_year * N[k])
    b.total_permit = pyo.Constraint([k for k in K if types[k].total_hours_per_year is not None],
                                    rule=lambda _, k: sizing.hours_scale * b.unit_hours[k]
                                    <= types[k].total_hours_per_year * N[k])
    windows = {e: inst.time.steps_overlapping(n.start, n.end) for e, n in enumerate(inst.notices)}
    b.event_permit = pyo.Constraint([(k, e) for k in K if types[k].max_hours_per_event is not None for e in windows],
                                    rule=lambda _, k, e: sum(dt * b.On[k, t] for t in windows[e])
                                    <= types[k].max_hours_per_event * N[k])

    b.fuel_gal = pyo.Expression(KT, rule=lambda _, k, t: dt * (
        types[k].fuel_noload_gal_per_h() * b.On[k, t] + types[k].fuel_slope_gal_per_mwh * b.Output_MW[k, t]))
    b.nox_kg = pyo.Expression(K, rule=lambda _, k: sum(types[k].nox_kg_per_mwh * dt * b.Output_MW[k, t] for t in T))
    b.co2_kg = pyo.Expression(expr=sum(types[k].co2_kg_per_gal * b.fuel_gal[k, t] for k, t in KT))
    b.supply_mw = pyo.Expression(T, rule=lambda _, t: sum(b.Output_MW[k, t] for k in K))
    carbon_usd_per_kg = inst.grid.carbon_price_usd_per_t / 1000.0
    b.cost_usd = pyo.Expression(["fuel", "startup", "carbon"], rule=lambda _, c: {
        "fuel": sum(types[k].fuel_price_usd_per_gal * b.fuel_gal[k, t] for k, t in KT),
        "startup": sum(types[k].startup_cost_usd * b.Start[k, t] for k, t in KT),
        "carbon": carbon_usd_per_kg * b.co2_kg,
    }[c])
