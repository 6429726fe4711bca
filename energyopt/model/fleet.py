"""Genset types sized by the plan: an integer number of identical units per type, committed together.

Aggregating identical units into counts (``On[k,t]`` units on, not one binary per unit) removes their
symmetry and keeps a year at hourly steps tractable. Annual permit hours are per unit, so a type's
counted hours may not exceed the cap times its number of units: this assumes the site rotates its units
evenly (the usual practice; an operator can always do it within a year). A horizon shorter than a year
stands for a whole year: its hours are scaled up (``hours_scale``) before they meet an annual cap, as its
operating cost is.

``fleet.floor[t]`` is a valid inequality, not a new rule: in a step where even the site's least load (fixed
IT, inference at its minimum service, their cooling at the step's COP, overhead) exceeds everything else
that could supply it (the import cap, the site's own units allowed then, the largest battery and tank
discharge), the units on must be able to carry the rest: sum_k capacity_k On[k,t] >= floor_t. The model
implies it already; stated as a row, it lets HiGHS round the count of units on per step, which closes
most of the relaxation's gap when permit hours bind (benchmarks/plan_year.py: README).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from ..inputs.schema import InstanceBase as Instance
from .component import BuildContext, Component, Role
from .cooling import capacity_and_cop
from .battery import max_supply_mw as battery_supply_mw
from .generators import allowed_steps, commitment, event_hours, fuel_and_costs, max_supply_mw as units_supply_mw
from .unitcommit import run_share, window_share
from .grid import import_cap_mw


@dataclass(frozen=True)
class FleetSizing:
    types: tuple                  #: the plan's genset types (``energyopt.inputs.plan.GensetType``)
    units: object                 #: Pyomo Var indexed by type id (the plan's number of units)
    notice_category: str          #: how hours inside notices count: "emergency" or "non_emergency"
    hours_scale: float = 1.0      #: the modeled hours times this are a year's (8,760 / horizon hours)


def notice_mask(inst: Instance) -> np.ndarray:
    return allowed_steps(inst, "notice_only")


def site_supply_mw(inst: Instance) -> np.ndarray:
    """The most the grid, the site's own units and its battery can supply in each step."""
    return import_cap_mw(inst) + battery_supply_mw(inst) + units_supply_mw(inst)


def floor_mw(inst: Instance, battery_mw: float = 0.0, tank_mw_th: float = 0.0,
             supply_mw: np.ndarray | None = None) -> np.ndarray:
    """Per step, the power the fleet must supply at the least (0 where other supply may cover the load);
    ``battery_mw`` and ``tank_mw_th``: the largest discharge of a battery and a chilled-water tank the plan
    may choose; ``supply_mw``: the most every other supply of the site can give per step (the components'
    ``max_supply_mw``; default :func:`site_supply_mw`)."""
    n = inst.time.n_steps
    it = inst.site.it_load_mw.values + sum((s.min_served_fraction * s.demand_mw.values for s in inst.inference),
                                           np.zeros(n))
    load = it + inst.site.overhead_mw.values
    if inst.cooling is not None:
        _, cop = capacity_and_cop(inst)
        tank = tank_mw_th + (inst.cooling.thermal_storage.max_discharge_mw_th
                             if inst.cooling.thermal_storage is not None else 0.0)
        load = load + np.maximum(it - tank, 0.0) / cop
    other = (site_supply_mw(inst) if supply_mw is None else supply_mw) + battery_mw
    return np.maximum(load - other, 0.0)


def build_sized(b: pyo.Block, inst: Instance, ctx: BuildContext) -> None:
    """The fleet the plan sizes (``ctx.sized("fleet")``), with its floor rows from the largest battery and tank
    discharge the plan may choose."""
    bat, tank = ctx.sized("battery"), ctx.sized("thermal_storage")
    supply = sum((c.max_supply_mw(inst) for c, _ in ctx.built if c.max_supply_mw is not None),
                 np.zeros(inst.time.n_steps))
    floor = floor_mw(inst, bat.max_mw if bat is not None else 0.0,
                     tank.c_rate_per_h * tank.max_mwh_th if tank is not None else 0.0, supply_mw=supply)
    build(b, inst, ctx.sized("fleet"), floor=floor)


def build(b: pyo.Block, inst: Instance, sizing: FleetSizing, floor: np.ndarray | None = None) -> None:
    T = range(inst.time.n_steps)
    dt = inst.time.dt_hours
    types = {g.id: g for g in sizing.types}
    K = list(types)
    KT = [(k, t) for k in K for t in T]
    N = sizing.units
    inside = notice_mask(inst)
    share = {k: run_share(inst, types[k].dispatch) for k in K}   # notice-only types run the covered part only

    b.On = pyo.Var(KT, domain=pyo.NonNegativeIntegers, bounds=lambda _, k, t: (0, types[k].max_units))
    b.Output_MW = pyo.Var(KT, bounds=lambda _, k, t: (0.0, types[k].capacity_mw * types[k].max_units))
    b.Start = pyo.Var(KT, bounds=lambda _, k, t: (0.0, types[k].max_units))
    b.Stop = pyo.Var(KT, bounds=lambda _, k, t: (0.0, types[k].max_units))
    for k in K:
        for t in np.flatnonzero(~allowed_steps(inst, types[k].dispatch)):
            b.On[k, int(t)].fix(0)
    b.installed = pyo.Constraint(KT, rule=lambda _, k, t: b.On[k, t] <= N[k])
    need = [] if floor is None else [int(t) for t in np.flatnonzero(floor > 1e-9)]
    b.floor = pyo.Constraint(need, rule=lambda _, t: sum(types[k].capacity_mw * b.On[k, t] for k in K)
                             >= float(floor[t]))
    commitment(b, types, T, dt, installed=lambda k: N[k], share=share)

    counted = inside if sizing.notice_category == "non_emergency" else np.zeros_like(inside)
    non_em = ~inside | counted
    hours = {(k, t): dt * float(share[k][t]) for k, t in KT}
    b.unit_hours = pyo.Expression(K, rule=lambda _, k: sum(hours[k, t] * b.On[k, t] for t in T))
    b.non_emergency_hours = pyo.Expression(K, rule=lambda _, k: sum(hours[k, t] * b.On[k, t] for t in T if non_em[t]))
    windows = {e: inst.time.steps_overlapping(n.start, n.end) for e, n in enumerate(inst.notices)}
    within = {e: window_share(inst, [(n.start, n.end)]) for e, n in enumerate(inst.notices)}
    b.event_permit = pyo.Constraint([(k, e) for k in K if types[k].max_hours_per_event is not None for e in windows],
                                    rule=lambda _, k, e: sum(event_hours(dt, types[k].dispatch, within[e][t])
                                                             * b.On[k, t] for t in windows[e])
                                    <= types[k].max_hours_per_event * N[k])

    fuel_and_costs(b, inst, types, T, share=share)


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


COMPONENT = Component(
    name="fleet", role=Role.SUPPLY | Role.SIZES,
    description="genset types the plan sizes: integer units per type, committed together (energyopt plan only)",
    present=lambda inst, ctx: ctx is not None and ctx.sized("fleet") is not None,
    build=build_sized,
    cost_terms=(("fuel", "fuel price x fuel burned"), ("startup", "start-up cost x starts"),
                ("shutdown", "shut-down cost x stops"), ("carbon", "carbon price x CO2")),
)
