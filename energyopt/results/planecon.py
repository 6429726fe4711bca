"""What a solved plan model says of its notices and of a demand-response program: per scenario the notices
met and missed and the MWh over their caps; the ``demand_response`` section of plan.json; the capacity
payment folded into ``annual_cost_usd`` (docs/plan.md)."""
from __future__ import annotations

import pyomo.environ as pyo

from ..inputs.periods import slice_instance
from ..model.demand_response import overrun_mw


def notice_figures(pm, s: str, inst) -> dict:
    """``notices_met``, ``notices_missed`` (notice ids with any step over what they allow) and
    ``notice_overrun_mwh`` (a year's MWh over the caps, weighted and scaled like the operating cost) of
    scenario ``s`` of the plan model ``pm``; ``inst``: that scenario's instance."""
    b = pm.model.scenario[s]
    missed: set[str] = set()
    seen: set[str] = set()
    over_mwh = 0.0
    for i, p in enumerate(pm.periods[s]):
        part = slice_instance(inst, p)
        over = overrun_mw(b.period[i])
        over_mwh += p.weight * pm.dt_hours * sum(over.values())
        for n in part.notices:
            seen.add(n.id)
            if any(t in over for t in part.time.steps_overlapping(n.start, n.end)):
                missed.add(n.id)
    return {"notices_met": len(seen - missed), "notices_missed": len(missed),
            "notice_overrun_mwh": pm.scale * over_mwh, "missed_notice_ids": sorted(missed)}


def demand_response_section(plan, pm, rows: list[dict]) -> dict | None:
    """plan.json's ``demand_response`` (None without a program): the MW offered, the year's capacity payment,
    and the event payment and missed-notice charge, each the mean over the scenarios."""
    dr = plan.demand_response
    if dr is None:
        return None
    m = pm.model
    mean = (lambda key: sum(r.get(key, 0.0) for r in rows) / len(rows)) if rows else (lambda key: 0.0)
    return {"program": dr.program, "offered_mw": float(pyo.value(m.DR_Offered_MW)),
            "max_offer_mw": dr.max_offer_mw,
            "capacity_revenue_usd_per_year": -float(pyo.value(m.dr_capacity_usd)),
            "event_revenue_usd_per_year": -mean("cost.dr_event_usd_per_year"),
            "missed_notice_penalty_usd_per_year": mean("cost.dr_missed_notice_usd_per_year")}


def with_capacity_payment(annual: dict, pm) -> dict:
    """``annual_cost_usd`` with the program's capacity payment (a negative cost) as its own entry and in the
    total, as the objective counts it."""
    m = pm.model
    if not hasattr(m, "dr_capacity_usd"):
        return annual
    pay = float(pyo.value(m.dr_capacity_usd))
    return {**annual, "demand_response_capacity": pay, "total": annual["total"] + pay}
