"""Headroom: how much flexible IT load could be added to a site that accepts curtailing it a limited time.

``Added_MW`` of new IT load is served every step except where it is curtailed (``Curtailed_MW``, up to all of
it). The curtailment is limited either in hours (a step counts when any of the load is curtailed: a binary
``Curtailing`` per step) or in energy (a share of what the added load would use over the horizon). The new
load is IT load like any other: it needs cooling, and the site's grid import caps, notices and gensets
(within their permits) must still carry it. The model maximizes ``Added_MW``.
"""
from __future__ import annotations

import pyomo.environ as pyo

from ..inputs import Instance


def build(b: pyo.Block, inst: Instance, mode: str, limit: float, max_mw: float) -> None:
    T = range(inst.time.n_steps)
    dt = inst.time.dt_hours
    b.Added_MW = pyo.Var(bounds=(0.0, max_mw))
    b.Curtailed_MW = pyo.Var(T, bounds=(0.0, max_mw))
    b.at_most_added = pyo.Constraint(T, rule=lambda _, t: b.Curtailed_MW[t] <= b.Added_MW)
    if mode == "hours":
        b.Curtailing = pyo.Var(T, domain=pyo.Binary)
        b.only_when_curtailing = pyo.Constraint(T, rule=lambda _, t: b.Curtailed_MW[t] <= max_mw * b.Curtailing[t])
        b.curtailed_hours = pyo.Expression(expr=sum(dt * b.Curtailing[t] for t in T))
        b.limit = pyo.Constraint(expr=b.curtailed_hours <= limit)
    else:   # energy: `limit` percent of what the added load would use over the horizon
        b.limit = pyo.Constraint(expr=sum(dt * b.Curtailed_MW[t] for t in T)
                                 <= limit / 100.0 * dt * len(T) * b.Added_MW)
    b.curtailed_mwh = pyo.Expression(expr=sum(dt * b.Curtailed_MW[t] for t in T))
    b.it_load_mw = pyo.Expression(T, rule=lambda _, t: b.Added_MW - b.Curtailed_MW[t])
