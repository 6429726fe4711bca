"""After a plan is solved: the chosen design over every step of the horizon, unit by unit, and its neighbours.

- **Full-year evaluation** (plans over representative periods, ``full_year_evaluation = true``, the
  default): the chosen sizes fixed, each scenario solved alone over every step of the horizon (with the sizes
  fixed the scenarios are independent), their operating costs combined as the plan's mode does (mean, or
  worst); the difference from the plan's own estimate. A full-horizon plan is its own full-year evaluation.
- **Unit by unit** (``ops/units.py``) on the full-horizon schedule.
- **Neighbours** (when the plan stopped with a gap above 0 and ``neighbour_check = true``): each free genset
  type's count +-1 within its bounds, the other sizes re-optimized, on the plan's own periods; a neighbour
  whose solution costs less than the chosen design's is reported (both figures), on stderr too.

See docs/plan.md ("Full-year evaluation", "Unit by unit", "Neighbours").
"""
from __future__ import annotations

import time

import pyomo.environ as pyo

from ..inputs.plan import PlanFile
from ..results.plan import reported_objective
from .units import check_types, fleet_schedule, note

#: Top-level variables of the plan model that are not sizes.
NOT_SIZES = ("Worst_Opex_USD",)


def _v(x) -> float:
    return float(pyo.value(x))


def design_of(pm) -> dict:
    """The solved sizes: genset counts by type and every other top-level size variable by name."""
    m = pm.model
    return {"gensets": {k: int(round(_v(m.Units[k]))) for k in m.Units},
            "other": {v.name: _v(v) for v in m.component_objects(pyo.Var, descend_into=False)
                      if v.name != "Units" and v.name not in NOT_SIZES and not v.is_indexed()}}


def fixed_model_for(plan: PlanFile):
    """``fixed(name, inst, design)``: the full-horizon plan model of one scenario with every size fixed."""
    from ..model.plan import build_plan_model
    full = plan.model_copy(update={"representative_periods": None, "mode": "stochastic"})

    def fixed(name, inst, design):
        pm = build_plan_model(full.model_copy(update={"fixed_units": dict(design["gensets"])}), {name: inst})
        for var, value in design["other"].items():
            getattr(pm.model, var).fix(value)
        return pm
    return fixed


def _costs(m) -> tuple[dict, float]:
    return {k: _v(m.annual_capex_usd[k]) for k in m.annual_capex_usd}, _v(m.annual_opex_usd)


def evaluate_full_year(plan: PlanFile, scenarios: dict, design: dict, opts) -> dict:
    """Each scenario alone over every step, the design fixed: figures, and the schedules of units on."""
    from ..solver import solve_model
    fixed = fixed_model_for(plan)
    rows, schedules, capex, statuses, gaps = [], {}, {}, [], []
    t0 = time.perf_counter()
    for name, inst in scenarios.items():
        pm = fixed(name, inst, design)
        info = solve_model(pm.model, opts)
        statuses.append(info.status.value)
        row = {"scenario": name, "status": info.status.value, "mip_gap": info.mip_gap,
               "seconds": info.timings_s.get("highs")}
        if info.status.has_schedule:
            capex, opex = _costs(pm.model)
            row["opex_usd_per_year"] = opex
            gaps.append(info.mip_gap or 0.0)
            f = pm.model.scenario[name].period[0]
            if hasattr(f, "fleet"):
                schedules[name] = {k: fleet_schedule(f.fleet, k)[0] for k in design["gensets"]}
        rows.append(row)
    worst = next((s for s in ("infeasible", "time_limit_no_solution", "unbounded", "error") if s in statuses), None)
    out = {"status": worst or next((s for s in statuses if s != "optimal"), "optimal"),
           "scenarios": rows, "seconds": time.perf_counter() - t0, "schedules": schedules}
    if len(gaps) == len(rows):
        opex = [r["opex_usd_per_year"] for r in rows]
        ops = max(opex) if plan.mode == "robust" else sum(opex) / len(opex)
        out |= {"annual_cost_usd": {"capex_and_fixed_om": capex, "operations": ops,
                                    "total": sum(capex.values()) + ops},
                "objective_usd_per_year": sum(capex.values()) + ops, "mip_gap": max(gaps)}
    return out


def neighbours(plan: PlanFile, pm, opts, chosen_total: float, gap: float | None) -> dict | None:
    """Each free genset type's count +-1 (within bounds), the other sizes re-optimized, on the plan's periods:
    the cheapest neighbour found cheaper than the chosen design, or None. Re-solves ``pm.model`` (read the
    chosen design's figures before)."""
    from ..solver import solve_model
    if not gap or gap <= 0 or not plan.neighbour_check:
        return None
    m = pm.model
    best = {k: int(round(_v(m.Units[k]))) for k in m.Units}
    trials = [(g.id, best[g.id] + d) for g in plan.genset_types if g.id not in plan.fixed_units
              for d in (-1, 1) if g.existing_units <= best[g.id] + d <= g.max_units]
    if not trials:
        return None
    limit = f" of at most {opts.time_limit_s:g} s" if opts.time_limit_s else ""
    note(f"the plan stopped at a gap of {gap:.2%}: re-evaluating {len(trials)} neighbouring design(s) on the "
         f"plan's periods ({len(trials)} solves{limit})")
    found = None
    for k, n in trials:
        for j, c in best.items():
            m.Units[j].fix(n if j == k else c)
        try:
            info = solve_model(m, opts)
            total = reported_objective(plan, pm) if info.status.has_schedule else None
        finally:
            for j in best:
                m.Units[j].unfix()
        if total is not None and total < chosen_total - 1e-6 * abs(chosen_total) and (
                found is None or total < found["total_usd_per_year"]):
            found = {"gensets": {**best, k: n}, "total_usd_per_year": total, "mip_gap": info.mip_gap,
                     "chosen_total_usd_per_year": chosen_total, "saving_usd_per_year": chosen_total - total,
                     "on": "the plan's periods"}
    if found:
        note(f"another design within the gap is cheaper on re-evaluation: {found['gensets']} at "
             f"${found['total_usd_per_year']:,.0f}/yr against the chosen {best} at ${chosen_total:,.0f}/yr")
    return found


def full_year_evaluation(plan: PlanFile, pm, info, scenarios: dict, summary: dict, opts) -> dict:
    """plan.json's ``full_year_evaluation`` for a solved plan ``pm`` (whose figures ``summary`` holds)."""
    design = design_of(pm)
    sizes = summary["sizes"]
    plan_total = summary["objective_usd_per_year"]
    fixed = fixed_model_for(plan)
    if plan.representative_periods is None:   # the plan's own schedule is every step of the horizon
        schedules = {s: {k: fleet_schedule(pm.model.scenario[s].period[0].fleet, k)[0] for k in design["gensets"]}
                     for s in pm.scenarios} if design["gensets"] else {}
        out = {"status": "plan_is_full_year", "design": sizes, "annual_cost_usd": summary["annual_cost_usd"],
               "objective_usd_per_year": plan_total, "mip_gap": summary["mip_gap"],
               "difference_from_plan_fraction": 0.0, "scenarios": None}
    elif not plan.full_year_evaluation:
        schedules = None
        out = {"status": "off", "design": sizes, "annual_cost_usd": None, "objective_usd_per_year": None,
               "mip_gap": None, "difference_from_plan_fraction": None, "scenarios": None}
    else:
        note(f"evaluating the chosen design over every step of the horizon ({len(scenarios)} solve(s), one per "
             "scenario, sizes fixed; full_year_evaluation = false skips it)")
        ev = evaluate_full_year(plan, scenarios, design, opts)
        schedules = ev.pop("schedules")
        total = ev.get("objective_usd_per_year")
        out = {"status": ev["status"], "design": sizes, "annual_cost_usd": ev.get("annual_cost_usd"),
               "objective_usd_per_year": total, "mip_gap": ev.get("mip_gap"),
               "difference_from_plan_fraction": (plan_total - total) / total if total else None,
               "scenarios": ev["scenarios"], "seconds": ev["seconds"]}
        if total is None:
            note(f"the chosen design cannot be evaluated over the full horizon: {ev['status']}")
    if schedules and out["objective_usd_per_year"] is not None:
        out["per_unit"] = check_types(plan, scenarios, design, schedules, pm.scale, opts, fixed,
                                      out["objective_usd_per_year"])
    else:
        out["per_unit"] = None
    out["cheaper_design"] = neighbours(plan, pm, opts, plan_total, info.mip_gap)
    return out
