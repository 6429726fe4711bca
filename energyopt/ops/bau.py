"""Business as usual: the site as it stands (each genset type's existing units, no candidate battery, solar or
tank) on the same scenarios and periods as the plan, for plan.json's ``business_as_usual`` and the lifecycle
figures (docs/plan.md, "Business as usual").

All scenarios are first solved together with the notices as hard caps (with a demand-response program, the
site as it stands chooses its own offer, as the design does). If that has no schedule, each scenario is
solved alone (the offer, if any, fixed at 0: a site that cannot meet its notices is not offered into a
program), and a scenario that cannot meet its notices is solved again with their caps softened at a large
penalty (model/grid.py): its missed notices and MWh over cap are reported and ``feasible`` is false. The
softening penalty is the model's device, not a payment: it is listed as the term ``notice_overrun`` but left
out of the operating cost, the total and the lifecycle savings.
"""
from __future__ import annotations

import pyomo.environ as pyo

from ..inputs.plan import PlanFile
from ..registry import candidates

OVERRUN_TERM = "cost.notice_overrun_usd_per_year"


def as_it_stands(plan: PlanFile) -> PlanFile:
    """The plan with every genset type fixed at its existing units and no candidate equipment."""
    update = {"fixed_units": {g.id: g.existing_units for g in plan.genset_types}, "count_table": False}
    update |= {c.candidate.table: None for c in candidates()}
    return plan.model_copy(update=update)


def business_as_usual(plan: PlanFile, scenarios: dict, periods: dict, opts) -> dict:
    """plan.json's ``business_as_usual`` section; ``scenarios``: the site as it stands per scenario (the
    instances of :func:`as_it_stands`'s plan), ``periods``: the plan's periods per scenario."""
    from ..model.plan import build_plan_model
    from ..solver import solve_model

    bau = as_it_stands(plan)
    pm = build_plan_model(bau, scenarios, periods)
    info = solve_model(pm.model, opts)
    if info.status.has_schedule:
        solved = [(pm, s, False) for s in pm.scenarios]
        status = info.status.value
    else:
        alone = bau if bau.demand_response is None else bau.model_copy(update={
            "demand_response": bau.demand_response.model_copy(update={"offer_mw": 0.0})})
        solved, status = [], "optimal"
        for s, inst in scenarios.items():
            one = build_plan_model(alone, {s: inst}, {s: periods[s]})
            got = solve_model(one.model, opts)
            soft = not got.status.has_schedule
            if soft:
                one = build_plan_model(alone, {s: inst}, {s: periods[s]}, soften=True)
                got = solve_model(one.model, opts)
            if not got.status.has_schedule:
                return {"status": got.status.value, "feasible": False, "annual_cost_usd": None,
                        "cost_by_term_usd_per_year": None, "scenarios": [],
                        "why": f"scenario {s}: the site as it stands has no schedule even with its notices' caps "
                               f"softened ({got.status.value})"}
            if got.status.value != "optimal":
                status = got.status.value
            solved.append((one, s, soft))
    return _section(plan, bau, scenarios, solved, status)


def _section(plan: PlanFile, bau: PlanFile, scenarios: dict, solved: list, status: str) -> dict:
    from ..results.planecon import notice_figures, with_capacity_payment
    from ..results.plan import scenario_row

    rows = []
    for pm, s, soft in solved:
        row = scenario_row(bau, pm, s) | notice_figures(pm, s, scenarios[s])
        row["notice_caps_softened"] = soft
        rows.append(row)
    opex = [r["opex_usd_per_year"] - r.get(OVERRUN_TERM, 0.0) for r in rows]
    operations = max(opex) if plan.mode == "robust" else sum(opex) / len(opex)
    m = solved[0][0].model
    capex = {k: float(pyo.value(m.annual_capex_usd[k])) for k in m.annual_capex_usd}
    annual = with_capacity_payment({"capex_and_fixed_om": capex, "operations": operations,
                                    "total": sum(capex.values()) + operations}, solved[0][0])
    terms = sorted({k for r in rows for k in r if k.startswith("cost.")})
    by_term = {k[len("cost."):].removesuffix("_usd_per_year"): sum(r.get(k, 0.0) for r in rows) / len(rows)
               for k in terms}
    missed = [(r["scenario"], r["notices_missed"], r["notice_overrun_mwh"]) for r in rows if r["notices_missed"]]
    why = None
    if missed:
        why = ("the site as it stands cannot meet every notice: " + "; ".join(
            f"scenario {s}: {n} notice(s) missed, {mwh:,.1f} MWh over their caps in a year" for s, n, mwh in missed)
            + " (evaluated with those caps softened; the softening penalty is not counted as a cost)")
    out = {"status": status, "feasible": not missed, "why": why, "annual_cost_usd": annual,
           "cost_by_term_usd_per_year": by_term, "scenarios": rows}
    if bau.demand_response is not None:
        from ..results.planecon import demand_response_section
        out["demand_response"] = demand_response_section(bau, solved[0][0], rows)
    return out
