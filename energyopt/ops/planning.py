"""``energyopt plan``: build the curtailment scenarios, solve the sizing model, and re-optimize with each
genset count fixed for the cost-vs-count table. See docs/plan.md."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..inputs import Instance, InstanceError, load_instance
from ..inputs.errors import Problem
from ..inputs.notices import notice_iso
from ..inputs.plan import PlanFile, load_plan_file
from ..registry import candidates


#: HiGHS options for plans. Its RINS and RENS sub-MIP heuristics spent up to half of a year's solve without
#: finding what the tree finds (benchmarks/plan_year.py with the fleet floor: one scenario 55-70 s with them
#: off against 118 s on; ten scenarios 385 s off; figures in the README).
PLAN_HIGHS_OPTIONS = (("mip_heuristic_run_rins", False), ("mip_heuristic_run_rens", False))


def plan_solve_options(time_limit_s: float | None, mip_gap: float):
    from ..solver import SolveOptions
    return SolveOptions(time_limit_s=time_limit_s, mip_rel_gap=mip_gap, highs=PLAN_HIGHS_OPTIONS)


@dataclass
class PlanRun:
    plan: PlanFile
    summary: dict
    count_table: list[dict]


def scenario_instances(plan: PlanFile, base: Path) -> dict[str, Instance]:
    """The site once per scenario, with that scenario's notices (the site file's own notices are dropped).
    No scenario given: one event-free scenario."""
    from . import events
    site = base / plan.site

    def candidates_in(raw):   # equipment the plan sizes enters the site as the component it will be
        for c in candidates():
            cand = getattr(plan, c.candidate.table, None)
            if cand is not None and c.candidate.patch is not None:
                c.candidate.patch(raw, cand)

    def with_notices(notices: list[dict], where: str) -> Instance:
        def patch(raw):
            raw["notices"] = [{k: v for k, v in notice_iso(n).items() if v is not None} for n in notices]
            candidates_in(raw)
        try:
            return load_instance(site, patch=patch)
        except InstanceError as exc:
            raise InstanceError([Problem(f"{where}: {p.field}", p.message, p.file, p.row) for p in exc.problems],
                                str(site)) from None

    first = load_instance(site, patch=lambda raw: (raw.pop("notices", None), candidates_in(raw)))
    tz = first.time.start.tz
    if plan.scenario_files:
        dupes = sorted({f for f in plan.scenario_files if plan.scenario_files.count(f) > 1})
        if dupes:
            raise InstanceError([Problem("scenario_files", f"{f!r} is listed more than once (each file is one "
                                         "equally likely scenario)") for f in dupes], "plan")
        stems = [Path(f).stem for f in plan.scenario_files]
        out = {}
        for f, stem in zip(plan.scenario_files, stems):
            name = stem if stems.count(stem) == 1 else str(Path(f).with_suffix(""))   # unique names
            notices = events.read_notices(base / f, timezone=str(tz))
            out[name] = with_notices(notices, f"scenario {f}")
        return out
    if plan.random_scenarios is not None:
        rs = plan.random_scenarios
        out = {}
        for k in range(rs.count):
            kw = {"seed": rs.seed + k}
            if rs.events_per_year is not None:
                kw["events_per_year"] = rs.events_per_year
            if rs.reduction_fraction is not None:
                kw["reduction_fraction"] = rs.reduction_fraction
            try:
                spec = events.EventSpec(**kw)
            except ValueError as exc:   # pydantic's ValidationError is a ValueError
                raise InstanceError([Problem("random_scenarios", str(exc).splitlines()[-1] if str(exc) else
                                             "invalid", "plan")], "plan") from None
            notices = events.draw_notices(spec, first.time.start.to_pydatetime(), first.time.end.to_pydatetime(),
                                          str(tz), rs.baseline_mw)
            out[f"random-{rs.seed + k}"] = with_notices(notices, f"random scenario {k}")
        return out
    return {"no-events": first}


def scenario_periods(plan: PlanFile, scenarios: dict[str, Instance]):
    """Per scenario, the periods modeled: the whole horizon, or its representative days (each scenario has
    its own event days, so its own selection)."""
    from ..inputs.periods import select_periods, whole_horizon
    rp = plan.representative_periods
    if rp is None:
        return {s: whole_horizon(inst) for s, inst in scenarios.items()}
    return {s: select_periods(inst, rp.typical_days, rp.extreme_days, rp.seed) for s, inst in scenarios.items()}


def run_plan(plan_path: str | Path, solve_options=None) -> PlanRun:
    from ..model.plan import build_plan_model
    from ..results.plan import plan_summary
    from ..solver import solve_model

    plan, base = load_plan_file(plan_path)
    scenarios = scenario_instances(plan, base)
    site = next(iter(scenarios.values()))
    clash = []
    for c in candidates():
        cand = getattr(plan, c.candidate.table, None)
        why = c.candidate.clash(site, cand) if cand is not None and c.candidate.clash is not None else None
        if why:
            clash.append(Problem(c.candidate.table, f"the site {plan.site}: {why}", str(plan_path)))
    if clash:
        raise InstanceError(clash, str(plan_path))
    periods = scenario_periods(plan, scenarios)
    pm = build_plan_model(plan, scenarios, periods)
    opts = solve_options or plan_solve_options(plan.time_limit_s, plan.mip_gap)
    info = solve_model(pm.model, opts)
    if not info.status.has_schedule:
        return PlanRun(plan, {"format_version": 1, "kind": "plan", "plan": plan.name, "status": info.status.value,
                              "termination": info.termination.value,
                              "diagnosis": _diagnose(plan, scenarios, periods)
                              if info.status.value == "infeasible" else []},
                       [])
    summary = plan_summary(plan, pm, info)
    economics(plan, scenarios, pm, summary, opts)
    table = count_table(plan, pm, opts) if plan.count_table and plan.genset_types else []
    return PlanRun(plan, summary, table)


def economics(plan: PlanFile, scenarios: dict[str, Instance], pm, summary: dict, opts) -> None:
    """Add to ``summary`` the notices met per scenario, the demand-response figures, business as usual (the
    site as it stands, ops/bau.py) and the lifecycle economics of the design against it (docs/plan.md)."""
    from ..results.lifecycle import lifecycle, recurring_usd, upfront_items
    from ..results.planecon import demand_response_section, notice_figures, with_capacity_payment
    from .bau import business_as_usual
    for row in summary["scenarios"]:
        row.update(notice_figures(pm, row["scenario"], scenarios[row["scenario"]]))
    summary["annual_cost_usd"] = with_capacity_payment(summary["annual_cost_usd"], pm)
    if plan.demand_response is not None:
        summary["demand_response"] = demand_response_section(plan, pm, summary["scenarios"])
    bau = business_as_usual(plan, pm, scenarios, opts)
    summary["business_as_usual"] = bau
    if bau["annual_cost_usd"] is not None:
        savings = recurring_usd(bau["annual_cost_usd"]) - recurring_usd(summary["annual_cost_usd"])
        summary["lifecycle"] = lifecycle(plan.analysis_years, plan.discount_rate, upfront_items(plan, pm.model),
                                         savings)
    else:
        summary["lifecycle"] = None


def count_table(plan: PlanFile, pm, opts) -> list[dict]:
    """Total annual cost with each genset type's count fixed in turn (the other sizes re-optimized), from
    its existing units up to three past the optimum: how flat the optimum is."""
    import pyomo.environ as pyo

    from ..solver import solve_model
    m = pm.model
    best = {k: int(round(pyo.value(m.Units[k]))) for k in m.Units}
    rows = []
    for g in plan.genset_types:
        if g.id in plan.fixed_units:
            continue
        for n in range(g.existing_units, min(g.max_units, best[g.id] + 3) + 1):
            m.Units[g.id].fix(n)
            try:
                info = solve_model(m, opts)
            finally:
                m.Units[g.id].unfix()
            rows.append({"type": g.id, "units": n, "status": info.status.value,
                         "total_usd_per_year": info.objective_usd if info.status.has_schedule else None,
                         "mip_gap": info.mip_gap, "optimum": n == best[g.id]})
    return rows


def _diagnose(plan: PlanFile, scenarios: dict[str, Instance], periods: dict) -> list[str]:
    """Which scenarios cannot be served even with every candidate at its largest size."""
    from ..model.plan import build_plan_model
    from ..solver import SolveOptions, solve_model
    biggest = plan.model_copy(update={"fixed_units": {g.id: g.max_units for g in plan.genset_types},
                                      "mode": "stochastic"})
    out = []
    for name, inst in scenarios.items():
        pm = build_plan_model(biggest, {name: inst}, {name: periods[name]})
        info = solve_model(pm.model, SolveOptions(time_limit_s=60))
        if info.status.value == "infeasible":
            from ..solver.diagnose import explain_infeasible
            why = explain_infeasible(inst, SolveOptions(time_limit_s=60))
            out.append(f"scenario {name} cannot be served even with every candidate at its maximum size (the site's "
                       f"own equipment, with any candidate that enters the site at its largest size: "
                       f"{' '.join(why)[:600]})")
    return out or ["the plan is infeasible, yet every scenario can be served alone with the largest sizes"]
