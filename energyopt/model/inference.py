"""Inference services: demand served as it comes, a share of it sheddable at a penalty."""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..inputs.history import History
from ..inputs.schema import InstanceBase as Instance
from ..inputs.inference import InferenceService
from .component import BuildContext, Column, Component, Role, SummaryEntry

DEMAND, SERVED, SHED = "inference.{id}.demand_mw", "inference.{id}.served_mw", "inference.{id}.shed_mw"


def build(b: pyo.Block, inst: Instance, ctx: BuildContext | None = None) -> None:
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
        served = history.get(SERVED.format(id=s.id))
        if served is not None:
            for t in history.fixed_steps():
                b.Served_MW[s.id, t].fix(float(served[t]), skip_validation=True)


def steps(inst: Instance, m, b: pyo.Block | None) -> dict[str, np.ndarray]:
    cols: dict[str, np.ndarray] = {}
    for s in inst.inference:
        served = np.array([pyo.value(b.Served_MW[s.id, t]) for t in range(inst.time.n_steps)], dtype=float)
        cols[DEMAND.format(id=s.id)] = s.demand_mw.values
        cols[SERVED.format(id=s.id)] = served
        cols[SHED.format(id=s.id)] = np.maximum(s.demand_mw.values - served, 0.0)
    return cols


def summary(inst: Instance, m, b: pyo.Block | None, steps, budgets=()) -> dict:
    dt = inst.time.dt_hours
    per = {s.id: {"demand_mwh": float(steps[DEMAND.format(id=s.id)].sum() * dt),
                  "served_mwh": float(steps[SERVED.format(id=s.id)].sum() * dt),
                  "shed_mwh": float(steps[SHED.format(id=s.id)].sum() * dt)} for s in inst.inference}
    return {"inference_shed_mwh": float(sum(v["shed_mwh"] for v in per.values())), "inference": per}


def text(s: dict) -> list[str]:
    return [f"  inference shed     {s['inference_shed_mwh']:.3f} MWh"]


COMPONENT = Component(
    name="inference", item="inference", many=True, section=InferenceService, role=Role.IT_LOAD,
    description="inference services: demand served as it comes, a share of it sheddable at a penalty",
    present=lambda inst, ctx: bool(inst.inference),
    build=build, fix=fix,
    cost_terms=(("inference_shed", "penalty x demand not served"),),
    columns=(
        Column(DEMAND, "MW", "its demand (the instance's series)"),
        Column(SERVED, "MW", "demand served", replan=True),
        Column(SHED, "MW", "demand shed (demand - served)"),
    ),
    steps=steps,
    summary_entries=(
        SummaryEntry("inference_shed_mwh", "MWh", "demand shed by every service"),
        SummaryEntry("inference", "", "one entry per inference service id", "object"),
        SummaryEntry("inference.{id}.demand_mwh", "MWh", "its demand"),
        SummaryEntry("inference.{id}.served_mwh", "MWh", "demand served"),
        SummaryEntry("inference.{id}.shed_mwh", "MWh", "demand shed"),
    ),
    summary=summary, text=text,
)
