"""Inference services: demand served as it comes, a share of it sheddable at a penalty."""
from __future__ import annotations

import pyomo.environ as pyo

from ..inputs import Instance
from ..inputs.history import History, column


def build(b: pyo.Block, inst: Instance) -> None:
    T = range(inst.time.n_steps)
    dt = inst.time.dt_hours
    svc = {s.id: s for s in inst.inference}
    IT = [(i, t) for i in svc for t in T]
    demand = {i: svc[i].demand_mw.values for i in svc}

    b.Served_MW = pyo.Var(IT, bounds=lambda _, i, t: (
        svc[i].min_served_fraction * float(demand[i][t]), float(demand[i][t])))
    b.shed_mw = pyo.Expression(IT, rule=lambda _, i, t: float(demand[i][t]) - b.Served_MW[i, t])
    b.it_load_mw = pyo.Expression(T, rule=lambda _, t: sum(b.Served_MW[i, t] for i in svc))
    b.cost_usd = pyo.Expression(["inference_shed"], rule=lambda _, k: sum(
        svc[i].shed_penalty_usd_per_mwh * dt * b.shed_mw[i, t] for i, t in IT))


def fix(b: pyo.Block, inst: Instance, history: History) -> None:
    """Steps before "now": inference served as it was."""
    for s in inst.inference:
        served = history.get(column("inference", "served", s.id))
        if served is not None:
            for t in history.fixed_steps():
                b.Served_MW[s.id, t].fix(float(served[t]), skip_validation=True)
