"""Business as usual: the site as it stands (each genset type's existing units, no candidate battery, solar or
tank) on the same scenarios and periods as the plan, for plan.json's ``business_as_usual`` and the lifecycle
figures (docs/plan.md, "Business as usual").

It is solved on the plan's own model, with its sizes fixed at the existing units and every candidate at 0: no
model is built (building a year's model takes far longer than solving it with the sizes fixed), and every
value, bound and fix is restored after. If that has no schedule, the notices' caps are softened in place:
import may exceed a cap by ``grid.Over_Cap_MW`` at a penalty far above every other cost (the grid's own
softening rate, model/grid.py; with a demand-response program, its ``Miss_MW`` at that rate when the program
sets no penalty of its own). A scenario that exceeds a cap is solved again with its overrun fixed at 0 (the
hard caps): if that has a schedule, the scenario meets its notices; if not, its overrun stands, its missed
notices and MWh over cap are reported and ``feasible`` is false. The penalty is the model's device, not a
payment: it is in no cost term, so it is left out of the operating cost, the total and the lifecycle savings.
"""
from __future__ import annotations

import pyomo.environ as pyo

from ..inputs.plan import PlanFile
from ..model.grid import notice_overrun_usd_per_mwh
from ..registry import candidates


def as_it_stands(plan: PlanFile) -> PlanFile:
    """The plan with every genset type fixed at its existing units and no candidate equipment."""
    update = {"fixed_units": {g.id: g.existing_units for g in plan.genset_types}, "count_table": False}
    update |= {c.candidate.table: None for c in candidates()}
    return plan.model_copy(update=update)


def business_as_usual(plan: PlanFile, pm, scenarios: dict, opts) -> dict:
    """plan.json's ``business_as_usual`` section, from the solved plan model ``pm`` (restored after);
    ``scenarios``: the plan's instances per scenario."""
    m = pm.model
    saved = [(v, v.value, v.fixed, v.lb, v.ub) for v in m.component_data_objects(pyo.Var, descend_into=True)]
    undo: list = []
    try:
        _fix_sizes(plan, m)
        from ..solver import solve_model
        info = solve_model(m, opts)
        soft: list[str] = []
        if not info.status.has_schedule:
            slack = _soften(plan, pm, scenarios, undo)
            info = solve_model(m, opts)
            if not info.status.has_schedule:
                return {"status": info.status.value, "feasible": False, "annual_cost_usd": None,
                        "cost_by_term_usd_per_year": None, "scenarios": [],
                        "why": f"the site as it stands has no schedule even with its notices' caps softened "
                               f"({info.status.value})"}
            for s in pm.scenarios:
                if not any((v.value or 0.0) > 1e-6 for v in slack[s]):
                    continue
                for v in slack[s]:
                    v.fix(0.0)
                hard = solve_model(m, opts)
                if hard.status.has_schedule:
                    info = hard
                    continue
                for v in slack[s]:
                    v.unfix()
                soft.append(s)
                info = solve_model(m, opts)   # the values of the last schedule found
        return _section(as_it_stands(plan), scenarios, pm, soft, info.status.value)
    finally:
        for fn in reversed(undo):
            fn()
        for v, value, fixed, lb, ub in saved:
            v.setlb(lb)
            v.setub(ub)
            v.set_value(value, skip_validation=True)
            v.fix() if fixed else v.unfix()


def _fix_sizes(plan: PlanFile, m) -> None:
    existing = {g.id: g.existing_units for g in plan.genset_types}
    for var in m.component_objects(pyo.Var, descend_into=False):
        if var.local_name in ("DR_Offered_MW", "Worst_Opex_USD"):
            continue
        for k, v in var.items():
            v.fix(existing[k] if var.local_name == "Units" else 0.0)   # no candidate: every size at 0


def _soften(plan: PlanFile, pm, scenarios: dict, undo: list) -> dict[str, list]:
    """Let import exceed the notices' caps in every period, at the grid's softening rate, in a temporary
    objective; returns each scenario's slack variables. ``undo`` collects how to take it all back."""
    m = pm.model
    dr = plan.demand_response
    slack: dict[str, list] = {}
    penalty = 0
    for s in pm.scenarios:
        inst = scenarios[s]
        rate = notice_overrun_usd_per_mwh(inst)
        interconnection = float(inst.site.interconnection_mw)
        slack[s] = []
        for i, p in enumerate(pm.periods[s]):
            blk = m.scenario[s].period[i]
            weight = pm.scale * p.weight * pm.dt_hours * rate / len(pm.scenarios)
            if hasattr(blk, "demand_response"):   # the program's caps: soft at the rate unless it prices a miss
                if dr.penalty_usd_per_mwh is None:
                    miss = list(blk.demand_response.Miss_MW.values())
                    for v in miss:
                        v.unfix()
                    slack[s] += miss
                    penalty += weight * sum(miss)
                continue
            g = blk.grid
            room = {t: interconnection - g.Import_MW[t].ub for t in g.Import_MW
                    if g.Import_MW[t].ub is not None and g.Import_MW[t].ub < interconnection - 1e-9}
            caps = {t: g.Import_MW[t].ub for t in room}
            g.Over_Cap_MW = pyo.Var(list(room), bounds=lambda _, t: (0.0, room[t]))
            g.notice_cap_soft = pyo.Constraint(list(room), rule=lambda _, t: g.Import_MW[t] <= caps[t] + g.Over_Cap_MW[t])
            for t in room:
                g.Import_MW[t].setub(interconnection)
            undo.append(lambda g=g: (g.del_component("notice_cap_soft"), g.del_component("Over_Cap_MW")))
            if hasattr(blk, "fleet") and blk.fleet.floor.active:   # the floor rows assume the hard caps
                blk.fleet.floor.deactivate()
                undo.append(blk.fleet.floor.activate)
            slack[s] += list(g.Over_Cap_MW.values())
            penalty += weight * sum(g.Over_Cap_MW.values())
    m.objective.deactivate()
    m.bau_objective = pyo.Objective(expr=m.objective.expr + penalty)
    undo.append(lambda: (m.del_component("bau_objective"), m.objective.activate()))
    return slack


def _section(bau: PlanFile, scenarios: dict, pm, soft: list[str], status: str) -> dict:
    from ..results.planecon import notice_figures, with_capacity_payment
    from ..results.plan import scenario_row

    rows = []
    for s in pm.scenarios:
        row = scenario_row(bau, pm, s) | notice_figures(pm, s, scenarios[s])
        row["notice_caps_softened"] = s in soft
        rows.append(row)
    opex = [r["opex_usd_per_year"] for r in rows]
    operations = max(opex) if bau.mode == "robust" else sum(opex) / len(opex)
    m = pm.model
    capex = {k: float(pyo.value(m.annual_capex_usd[k])) for k in m.annual_capex_usd}
    annual = with_capacity_payment({"capex_and_fixed_om": capex, "operations": operations,
                                    "total": sum(capex.values()) + operations}, pm)
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
        out["demand_response"] = demand_response_section(bau, pm, rows)
    return out
