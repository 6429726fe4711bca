"""One Pyomo model from the component registry: a block per component, then the stages that sum them.

Each component (``energyopt/registry.py``) builds its own block, named as the component, and exposes by its role
the power it supplies (``supply_mw``), the IT power it draws (``it_load_mw``) or other power it draws
(``load_mw``), and its own cost terms (``cost_usd``, indexed by term name). The stages (the site's IT load, the
cooling plant, the power balance) are entries of the same list. The objective sums every block's ``cost_usd``;
results read the same expressions, so the reported breakdown always adds up to the objective.
"""
from __future__ import annotations

import dataclasses

import pyomo.environ as pyo
from pyomo.core.expr.visitor import identify_variables

from ..inputs.budgets import PermitBudget
from ..inputs.history import History
from ..inputs.schema import InstanceBase as Instance
from ..registry import COMPONENTS
from .component import BuildContext, Role

#: Penalty per MWh of unmet requirement in the elastic model used to explain infeasibility.
ELASTIC_PENALTY = 1.0


def build_model(inst: Instance, elastic: bool = False, history: History | None = None,
                budgets: tuple[PermitBudget, ...] = (), soften_notices: bool = False) -> pyo.ConcreteModel:
    """The day-ahead model. ``elastic=True`` adds shortfall variables to the power balance and cooling
    capacity and minimizes them alone: it is how an infeasible instance is explained, never how one is solved.
    ``history`` fixes the steps before "now" (re-planning); ``budgets`` are permit windows from the ledger;
    ``soften_notices`` lets import exceed the notices' caps at a large penalty (grid.py)."""
    m = pyo.ConcreteModel(name=inst.name)
    populate(m, inst, BuildContext(elastic=elastic, budgets=tuple(budgets), soften_notices=soften_notices),
             history=history)
    if elastic:
        m.objective = pyo.Objective(expr=ELASTIC_PENALTY * sum(
            blk.elastic_mwh for blk in [m, *m.component_blocks] if hasattr(blk, "elastic_mwh")))
    else:
        m.objective = pyo.Objective(expr=operating_cost(m))
    return m


def operating_cost(m: pyo.Block):
    """The sum of every block's cost terms (what the day-ahead objective minimizes)."""
    return sum(blk.cost_usd[k] for blk in m.cost_blocks for k in blk.cost_usd)


def populate(m: pyo.Block, inst: Instance, ctx: BuildContext | None = None, *,
             history: History | None = None) -> None:
    """Build every component of ``inst`` present under ``ctx`` into the block ``m`` (a model, or one period of a
    plan's scenario), in registry order; each stage sees the (component, block) pairs built before it."""
    ctx = ctx or BuildContext()
    built: list = []
    stages: list = []
    for c in COMPONENTS:
        if c.build is None or not c.present(inst, ctx):
            continue
        here = dataclasses.replace(ctx, built=tuple(built))
        if c.role & Role.STAGE:
            c.build(m, inst, here)
            stages.append((c, m))
            continue
        blk = pyo.Block(concrete=True)
        m.add_component(c.name, blk)
        c.build(blk, inst, here)
        built.append((c, blk))
    m.component_blocks = [blk for _, blk in built]
    if history is not None and history.n_fixed:
        _fix_history(m, inst, history, built + stages)
    m.cost_blocks = [blk for blk in m.component_blocks if hasattr(blk, "cost_usd")]


def _fix_history(m: pyo.Block, inst: Instance, history: History, built: list) -> None:
    """Each component (and stage, on the model itself) fixes its own decisions of the fixed steps; constraints left with no free variable
    describe only the past and are dropped, so what happened never makes the rest infeasible."""
    for c, blk in built:
        if c.fix is not None:
            c.fix(blk, inst, history)
    for con in m.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        if all(v.fixed for v in identify_variables(con.body, include_fixed=True)):
            con.deactivate()


def tighten_solution(m: pyo.ConcreteModel) -> None:
    """Give auxiliary variables (starts, peak) the values the schedule implies, for a solve stopped at a limit,
    where the solver may leave them above what the schedule costs. Each component owns its own ``tighten``."""
    for c in COMPONENTS:
        blk = m.component(c.name)
        if blk is not None and c.tighten is not None:
            c.tighten(blk)


def cost_terms(m: pyo.Block) -> dict[str, object]:
    """Cost expressions by term, summed over blocks (the same expressions the objective sums)."""
    terms: dict[str, object] = {}
    for blk in m.cost_blocks:
        for k in blk.cost_usd:
            terms[k] = terms.get(k, 0) + blk.cost_usd[k]
    return terms
