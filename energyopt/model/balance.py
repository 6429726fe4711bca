"""The power balance stage: in every step the supplies meet the facility load (IT + overhead + cooling).

Built last, from every block built before it: ``supply_mw`` of each ``Role.SUPPLY`` block, ``load_mw`` of each
``Role.LOAD`` block. In the elastic model (explaining infeasibility) an ``Unserved_MW`` slack closes the balance,
and the objective is the sum of every block's ``elastic_mwh``.
"""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..inputs.schema import InstanceBase as Instance
from . import ramps
from .component import BuildContext, Column, Component, Role


#: Weight of a MWh of surplus against a MWh short in the elastic model (see ``build``).
SURPLUS_WEIGHT = 1000.0


def build(m: pyo.Block, inst: Instance, ctx: BuildContext) -> None:
    T = range(inst.time.n_steps)
    dt = inst.time.dt_hours
    overhead = inst.site.overhead_mw.values
    supplies = [blk for c, blk in ctx.built if c.role & Role.SUPPLY]
    loads = [blk for c, blk in ctx.built if c.role & Role.LOAD]
    m.facility_load_mw = pyo.Expression(T, rule=lambda _, t: m.it_load_mw[t] + float(overhead[t]) + sum(
        blk.load_mw[t] for blk in loads))
    lim = load_ramps(inst)
    if lim.any:   # a block of its own: its rows, and in the elastic model its slack, apart from the balance's
        m.load_ramp = pyo.Block()
        ramps.add(m.load_ramp, lambda t: m.facility_load_mw[t], lim, len(T), inst.time.step_minutes, ctx.elastic)
    if ctx.elastic:   # power short (Unserved) and power in excess that nothing can take (Surplus: no export)
        m.Unserved_MW = pyo.Var(T, bounds=(0.0, None))
        m.Surplus_MW = pyo.Var(T, bounds=(0.0, None))
        # Surplus weighs far more: it stands only for power no schedule can avoid (a unit held on above the load),
        # never for a cheaper way round a shortfall.
        m.elastic_mwh = pyo.Expression(expr=dt * sum(m.Unserved_MW[t] + SURPLUS_WEIGHT * m.Surplus_MW[t] for t in T) + (
            m.load_ramp.elastic_mwh if lim.any else 0.0))
    m.power_balance = pyo.Constraint(T, rule=lambda _, t: sum(blk.supply_mw[t] for blk in supplies)
                                     + (m.Unserved_MW[t] - m.Surplus_MW[t] if ctx.elastic else 0)
                                     == m.facility_load_mw[t])


def load_ramps(inst: Instance) -> ramps.RampLimits:
    s = inst.site
    return ramps.RampLimits("facility load", s.load_ramp_up_mw_per_min, s.load_ramp_down_mw_per_min, None,
                            s.initial_load_mw)


def fix(m: pyo.Block, inst: Instance, history) -> None:
    """Steps before "now": the facility load's ramp rows between two past steps describe what happened."""
    if hasattr(m, "load_ramp"):
        ramps.release_past(m.load_ramp, history.n_fixed)


def explain(inst: Instance, m, b) -> list[str]:
    return ramps.explain(m.load_ramp, load_ramps(inst), inst.time.index, inst.time.step_minutes) \
        if hasattr(m, "load_ramp") else []


def steps(inst: Instance, m, b) -> dict[str, np.ndarray]:
    return {"facility_load_mw": np.array([pyo.value(m.facility_load_mw[t]) for t in range(inst.time.n_steps)],
                                         dtype=float)}


COMPONENT = Component(
    name="balance", role=Role.STAGE,
    description="the site's power balance: supplies = facility load in every step, with optional ramp limits on that load",
    build=build, fix=fix, explain=explain,
    columns=(Column("facility_load_mw", "MW", "IT load + overhead + cooling: what the supplies meet in every step",
                    chart="load", label="facility load"),),
    steps=steps,
)
