"""One Pyomo model from a block per component, a site power balance per step, and the summed costs.

The component list below is the whole model: each module builds its own block, exposes the power it
supplies (``supply_mw``) or the IT power it draws (``it_load_mw``), and its own cost terms
(``cost_usd``, indexed by term name). The objective sums every block's ``cost_usd``; results read
the same expressions, so the reported breakdown always adds up to the objective.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyomo.environ as pyo
from pyomo.core.expr.visitor import identify_variables

from ..inputs import Instance
from ..inputs.budgets import PermitBudget
from ..inputs.history import History
from . import cooling, fleet, generators, grid, inference, storage, training

#: (block name, module, present?) in build order; cooling comes after the IT loads it must remove.
IT_COMPONENTS = [("training", training, lambda i: bool(i.training_jobs)),
                 ("inference", inference, lambda i: bool(i.inference))]
SUPPLY_COMPONENTS = [("grid", grid, lambda i: True),
                     ("generators", generators, lambda i: bool(i.generators)),
                     ("storage", storage, lambda i: i.battery is not None)]

#: Penalty per MWh of unmet requirement in the elastic model used to explain infeasibility.
ELASTIC_PENALTY = 1.0


@dataclass(frozen=True)
class Sizing:
    """Equipment the plan sizes (``energyopt plan``): genset types with integer counts, a battery and a
    chilled-water tank whose sizes are variables of an enclosing model, and whether training jobs' on/off
    is relaxed to a fraction (a planning approximation at hourly steps; see docs/plan.md)."""
    fleet: fleet.FleetSizing | None = None
    battery: storage.BatterySizing | None = None
    thermal: cooling.ThermalSizing | None = None
    relax_jobs: bool = True


def build_model(inst: Instance, elastic: bool = False, history: History | None = None,
                budgets: tuple[PermitBudget, ...] = ()) -> pyo.ConcreteModel:
    """The day-ahead model. ``elastic=True`` adds shortfall variables to the power balance and cooling
    capacity and minimizes them alone: it is how an infeasible instance is explained, never how one is solved.
    ``history`` fixes the steps before "now" (re-planning); ``budgets`` are permit windows from the ledger."""
    m = pyo.ConcreteModel(name=inst.name)
    populate(m, inst, elastic=elastic, history=history, budgets=budgets)
    dt = inst.time.dt_hours
    T = range(inst.time.n_steps)
    if elastic:
        m.objective = pyo.Objective(expr=ELASTIC_PENALTY * dt * (
            sum(m.Unserved_MW[t] for t in T)
            + (sum(m.cooling.Shortfall_MW_th[t] for t in T) if inst.cooling is not None else 0)))
    else:
        m.objective = pyo.Objective(expr=operating_cost(m))
    return m


def operating_cost(m: pyo.Block):
    """The sum of every block's cost terms (what the day-ahead objective minimizes)."""
    return sum(blk.cost_usd[k] for blk in m.cost_blocks for k in blk.cost_usd)


def populate(m: pyo.Block, inst: Instance, *, elastic: bool = False, history: History | None = None,
             budgets: tuple[PermitBudget, ...] = (), sizing: Sizing | None = None,
             extra_it: tuple[pyo.Block, ...] = ()) -> None:
    """Build every component of ``inst`` into the block ``m`` (a model, or one scenario of a plan).
    ``extra_it``: blocks already built that draw IT power (``it_load_mw``), e.g. the headroom's added load."""
    n = inst.time.n_steps
    T = range(n)
    blocks: list[pyo.Block] = []
    for name, module, present in IT_COMPONENTS + SUPPLY_COMPONENTS:
        sized_battery = sizing is not None and sizing.battery is not None and module is storage
        if present(inst) or sized_battery:
            blk = pyo.Block(concrete=True)
            m.add_component(name, blk)
            if module is generators:
                module.build(blk, inst, budgets=tuple(budgets))
            elif module is training:
                module.build(blk, inst, relax=sizing is not None and sizing.relax_jobs)
            elif sized_battery:
                module.build(blk, inst, sized=sizing.battery)
            else:
                module.build(blk, inst)
            blocks.append(blk)
    blocks += list(extra_it)
    if sizing is not None and sizing.fleet is not None:
        m.fleet = pyo.Block(concrete=True)
        floor = fleet.floor_mw(inst, sizing.battery.max_mw if sizing.battery is not None else 0.0,
                               sizing.thermal.c_rate_per_h * sizing.thermal.max_mwh_th
                               if sizing.thermal is not None else 0.0)
        fleet.build(m.fleet, inst, sizing.fleet, floor=floor)
        blocks.append(m.fleet)

    fixed = inst.site.it_load_mw.values
    m.it_load_mw = pyo.Expression(T, rule=lambda _, t: float(fixed[t]) + sum(
        blk.it_load_mw[t] for blk in blocks if hasattr(blk, "it_load_mw")))
    if inst.cooling is not None:
        m.cooling = pyo.Block(concrete=True)
        cooling.build(m.cooling, inst, m.it_load_mw, elastic=elastic,
                      sized=sizing.thermal if sizing is not None else None)
        blocks.append(m.cooling)
    overhead = inst.site.overhead_mw.values
    m.facility_load_mw = pyo.Expression(T, rule=lambda _, t: m.it_load_mw[t] + float(overhead[t]) + (
        m.cooling.power_mw[t] if inst.cooling is not None else 0))
    if elastic:
        m.Unserved_MW = pyo.Var(T, bounds=(0.0, None))
    m.power_balance = pyo.Constraint(T, rule=lambda _, t: sum(
        blk.supply_mw[t] for blk in blocks if hasattr(blk, "supply_mw"))
        + (m.Unserved_MW[t] if elastic else 0) == m.facility_load_mw[t])

    if history is not None and history.n_fixed:
        _fix_history(m, inst, history)
    m.cost_blocks = [blk for blk in blocks if hasattr(blk, "cost_usd")]


def _fix_history(m: pyo.ConcreteModel, inst: Instance, history: History) -> None:
    """Each component fixes its own decisions of the fixed steps; constraints left with no free variable
    describe only the past and are dropped, so what happened never makes the rest infeasible."""
    for name, module, _ in IT_COMPONENTS + SUPPLY_COMPONENTS + [("cooling", cooling, None)]:
        blk = m.component(name)
        if blk is not None and hasattr(module, "fix"):
            module.fix(blk, inst, history)
    for c in m.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        if all(v.fixed for v in identify_variables(c.body, include_fixed=True)):
            c.deactivate()


def tighten_solution(m: pyo.ConcreteModel) -> None:
    """Give auxiliary variables (starts, peak) the values the schedule implies, for a solve stopped at a limit,
    where the solver may leave them above what the schedule costs. Each component owns its own ``tighten``."""
    for name, module, _ in IT_COMPONENTS + SUPPLY_COMPONENTS:
        blk = m.component(name)
        if blk is not None and hasattr(module, "tighten"):
            module.tighten(blk)


def cost_terms(m: pyo.ConcreteModel) -> dict[str, object]:
    """Cost expressions by term, summed over blocks (the same expressions the objective sums)."""
    terms: dict[str, object] = {}
    for blk in m.cost_blocks:
        for k in blk.cost_usd:
            terms[k] = terms.get(k, 0) + blk.cost_usd[k]
    return terms
