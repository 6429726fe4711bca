"""Grid import, curtailment notices and the grid's cost terms (energy, carbon, demand charge)."""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..inputs import Instance
from ..inputs.history import History


def import_cap_mw(inst: Instance) -> np.ndarray:
    """Per-step import limit: the interconnection, lowered by every notice whose window touches the step."""
    cap = np.full(inst.time.n_steps, inst.site.interconnection_mw)
    for n in inst.notices:
        for t in inst.time.steps_overlapping(n.start, n.end):
            cap[t] = min(cap[t], n.import_cap_mw)
    return cap


def build(b: pyo.Block, inst: Instance) -> None:
    T = range(inst.time.n_steps)
    dt = inst.time.dt_hours
    cap = import_cap_mw(inst)
    price = inst.grid.price_usd_per_mwh.values
    ci = inst.grid.carbon_kg_per_mwh.values

    b.Import_MW = pyo.Var(T, bounds=lambda _, t: (0.0, float(cap[t])))
    b.supply_mw = pyo.Expression(T, rule=lambda _, t: b.Import_MW[t])
    b.co2_kg = pyo.Expression(expr=sum(float(ci[t]) * dt * b.Import_MW[t] for t in T))

    rate = inst.grid.demand_charge_usd_per_kw
    if rate > 0:
        b.Peak_MW = pyo.Var(bounds=(0.0, float(cap.max())))
        b.peak_def = pyo.Constraint(T, rule=lambda _, t: b.Import_MW[t] <= b.Peak_MW)
        demand = 1000.0 * rate * b.Peak_MW
    else:
        demand = 0.0
    carbon_usd_per_kg = inst.grid.carbon_price_usd_per_t / 1000.0
    b.cost_usd = pyo.Expression(["energy", "carbon", "demand_charge"], rule=lambda _, k: {
        "energy": sum(float(price[t]) * dt * b.Import_MW[t] for t in T),
        "carbon": carbon_usd_per_kg * b.co2_kg,
        "demand_charge": demand,
    }[k])


def horizon_peak(b: pyo.Block, parts: list[pyo.Block], inst: Instance):
    """Planning over representative periods: the demand charge applies once to the highest import of every
    period (not once per period, weighted); returns that cost term (0 without a demand charge)."""
    rate = inst.grid.demand_charge_usd_per_kw
    if rate <= 0:
        return 0.0
    b.Peak_MW = pyo.Var(bounds=(0.0, max(p.Peak_MW.ub for p in parts)))
    b.peak_def = pyo.Constraint(range(len(parts)), rule=lambda _, i: parts[i].Peak_MW <= b.Peak_MW)
    return 1000.0 * rate * b.Peak_MW


def fix(b: pyo.Block, inst: Instance, history: History) -> None:
    """Steps before "now": import is what balanced the site then; no cap binds it (it can no longer change)."""
    for t in history.fixed_steps():
        b.Import_MW[t].setub(None)
    if hasattr(b, "Peak_MW") and history.n_fixed:
        b.Peak_MW.setub(None)


def tighten(b: pyo.Block) -> None:
    """After a solve stopped short of optimality, set the peak to the highest import actually planned."""
    if hasattr(b, "Peak_MW"):
        b.Peak_MW.set_value(max(pyo.value(b.Import_MW[t]) for t in b.Import_MW))
