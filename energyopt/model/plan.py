"""The site-planning model: sizes chosen once, operations per curtailment scenario.

    min  annualized capex + fixed O&M  +  { sum_s p_s * scale * opex_s        (stochastic)
                                          { theta,  theta >= scale * opex_s  (robust)
    opex_s = sum_p w_p * opex_{s,p}   (+ the demand charge once, on the highest import of any period)

Each scenario's operations are the whole operational model (:func:`~energyopt.model.build.populate`) of the
site with that scenario's notices, built once per period into ``m.scenario[s].period[p]`` with the genset
types, battery and chilled-water tank sized by the top-level variables. Planning over the full horizon,
a scenario has one period of weight 1; over representative periods (``inputs/periods.py``), each period
weighs as many days as it stands for. Annual permits bind the weighted hours of all periods together;
with ``link_days`` the stores' levels and the training jobs' work are linked along the year's days
(``model/linking.py``).
``scale`` turns the modeled operating cost into a year's (8,760 / horizon hours; 1 for a year). Every
scenario must be served (notices are hard caps), in both modes.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyomo.environ as pyo

from ..inputs.periods import Period, slice_instance, whole_horizon
from ..inputs.plan import PlanFile
from ..inputs.schema import InstanceBase as Instance
from ..registry import candidates
from . import demand_response, fleet, generators, grid, linking
from .build import cost_terms, populate
from .component import BuildContext
from .fleet import FleetSizing


ROBUST_TIE_WEIGHT = 1e-6


def crf(rate: float, years: float) -> float:
    """Capital recovery factor: the annual payment per $ of capex over ``years`` at ``rate``."""
    if rate == 0:
        return 1.0 / years
    return rate * (1 + rate) ** years / ((1 + rate) ** years - 1)


@dataclass(frozen=True)
class PlanModel:
    model: pyo.ConcreteModel
    scenarios: list[str]
    scale: float
    dt_hours: float
    periods: dict[str, list[Period]]   #: per scenario, the periods modeled (one of weight 1: the whole horizon)


def build_plan_model(plan: PlanFile, scenarios: dict[str, Instance],
                     periods: dict[str, list[Period]] | None = None, soften: bool = False) -> PlanModel:
    """``scenarios``: scenario name -> the site instance with that scenario's notices (same horizon);
    ``periods``: scenario name -> its representative periods (default: the whole horizon); ``soften``: the
    notices' caps may be exceeded at a large penalty (business as usual, ops/bau.py)."""
    m = pyo.ConcreteModel(name=plan.name)
    first = next(iter(scenarios.values()))
    periods = periods or {s: whole_horizon(inst) for s, inst in scenarios.items()}
    hours = first.time.n_steps * first.time.dt_hours
    scale = 8760.0 / hours
    types = {g.id: g for g in plan.genset_types}

    def unit_bounds(_, k):
        g = types[k]
        n = plan.fixed_units.get(k)
        return (n, n) if n is not None else (g.existing_units, g.max_units)

    m.Units = pyo.Var(list(types), domain=pyo.NonNegativeIntegers, bounds=unit_bounds)
    capex = {f"gensets.{k}": crf(plan.discount_rate, g.life_years) * g.capex_usd * (m.Units[k] - g.existing_units)
             for k, g in types.items()}
    capex |= {f"fixed_om.{k}": g.fixed_om_usd_per_year * m.Units[k] for k, g in types.items()}
    sizing: dict[str, object] = {}
    if types:
        sizing["fleet"] = FleetSizing(tuple(plan.genset_types), m.Units, plan.notice_category, scale)
    for c in candidates():   # the battery, the chilled-water tank, ...: each sizes itself
        cand = getattr(plan, c.candidate.table, None)
        if cand is not None:
            sizing[c.candidate.table] = c.candidate.variables(m, cand)
            capex |= c.candidate.capex(m, cand, lambda life: crf(plan.discount_rate, life))
    m.annual_capex_usd = pyo.Expression(list(capex), rule=lambda _, k: capex[k])
    if plan.demand_response is not None:   # the MW offered and their capacity payment (a negative cost)
        sizing["demand_response"] = demand_response.offer(m, plan.demand_response)
    rp = plan.representative_periods
    ctx = BuildContext(sizing=sizing, relax_jobs=True, soften_notices=soften,
                       link_storage=rp is not None and rp.link_days)
    names = list(scenarios)
    m.scenario = pyo.Block(names)
    for s in names:
        _scenario(m.scenario[s], scenarios[s], periods[s], ctx)
    capex_total = sum(m.annual_capex_usd[k] for k in m.annual_capex_usd)
    if plan.mode == "stochastic":
        m.annual_opex_usd = pyo.Expression(expr=sum(scale * m.scenario[s].opex_usd for s in names) / len(names))
    else:
        m.Worst_Opex_USD = pyo.Var()
        m.worst = pyo.Constraint(names, rule=lambda _, s: m.Worst_Opex_USD >= scale * m.scenario[s].opex_usd)
        m.annual_opex_usd = pyo.Expression(expr=m.Worst_Opex_USD)
    # In robust mode only the worst scenario prices the design; a weight of 1e-6 on the others' mean makes
    # their operations (and so their reported figures) optimal too, without changing the design.
    tie = ROBUST_TIE_WEIGHT * sum(scale * m.scenario[s].opex_usd for s in names) / len(names) \
        if plan.mode == "robust" else 0
    dr_capacity = m.dr_capacity_usd if plan.demand_response is not None else 0
    m.objective = pyo.Objective(expr=capex_total + m.annual_opex_usd + dr_capacity + tie)
    return PlanModel(m, names, scale, first.time.dt_hours, periods)


def _scenario(b: pyo.Block, inst: Instance, periods: list[Period], ctx: BuildContext) -> None:
    """One scenario: its periods' operations, the permits and demand charge that span them, and its operating
    cost by term (``b.cost_usd``, weighted over the periods; ``b.opex_usd`` is their sum)."""
    P = range(len(periods))
    b.period = pyo.Block(P)
    for i in P:
        part = slice_instance(inst, periods[i], linked=ctx.link_storage)
        populate(b.period[i], part, ctx)
        if ctx.sized("demand_response") is not None:
            demand_response.build(b.period[i], part, ctx.sized("demand_response"), ctx.soften_notices)
        elif ctx.soften_notices and hasattr(b.period[i], "fleet"):   # the floor rows assume hard caps
            b.period[i].fleet.floor.deactivate()
    w = [periods[i].weight for i in P]
    blocks = [b.period[i] for i in P]
    if ctx.link_storage:   # storage levels and training work across the days (model/linking.py)
        linking.link_storage(b, periods, blocks)
    left = linking.link_jobs(b, inst, periods, blocks, ctx.link_storage)
    b.job_unfinished_mwh = pyo.Expression(list(left), rule=lambda _, j: left[j])
    if ctx.sized("fleet") is not None:
        b.fleet = pyo.Block()
        fleet.annual_permits(b.fleet, [(w[i], blocks[i].fleet) for i in P], ctx.sized("fleet"))
    if inst.generators:
        b.generators = pyo.Block()
        generators.horizon_permits(b.generators, inst, [(w[i], blocks[i].generators) for i in P])
    b.grid = pyo.Block()
    demand = grid.horizon_peak(b.grid, [blk.grid for blk in blocks], inst)
    terms: dict[str, object] = {}
    for i in P:
        for k, expr in cost_terms(blocks[i]).items():
            if k != "demand_charge":   # paid once per scenario (below), not per period
                terms[k] = terms.get(k, 0) + w[i] * expr
    terms["demand_charge"] = demand
    if ctx.link_storage and inst.training_jobs:   # linked jobs' work left undone, priced once
        terms["unfinished_work"] = terms.get("unfinished_work", 0) + b.job_link.cost_usd
    b.cost_usd = pyo.Expression(list(terms), rule=lambda _, k: terms[k])
    b.opex_usd = pyo.Expression(expr=sum(b.cost_usd[k] for k in terms))
