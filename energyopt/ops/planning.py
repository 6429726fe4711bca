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


def plan_solve_options(time_limit_s: float | None, mip_gap: float, started: float | None = None, progress=None):
    """The options of a plan run: ``time_limit_s`` is the whole run's budget from ``started`` (``time.monotonic()``,
    default now), shared by every solve of the run (each gets what is left)."""
    from ..solver import SolveOptions, with_budget
    return with_budget(SolveOptions(mip_rel_gap=mip_gap, highs=PLAN_HIGHS_OPTIONS, progress=progress),
                       time_limit_s, started)


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
    return {s: select_periods(inst, rp.typical_days, rp.extreme_days, rp.seed, rp.method)
            for s, inst in scenarios.items()}


def run_plan(plan_path: str | Path, solve_options=None, printer=None) -> PlanRun:
    """Solve the plan; ``solve_options`` (see :func:`plan_solve_options`) carry the run's deadline, shared by every
    solve; ``printer`` (an :class:`energyopt.progress.Printer`) hears each stage."""
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
    n_periods = sum(len(p) for p in periods.values())
    if printer is not None:
        printer.stage(f"sizing model ({len(scenarios)} scenario(s), {n_periods} period(s))")
    pm = build_plan_model(plan, scenarios, periods)
    opts = solve_options or plan_solve_options(plan.time_limit_s, plan.mip_gap)
    info = solve_model(pm.model, opts)
    if not info.status.has_schedule:
        return PlanRun(plan, {"format_version": 1, "kind": "plan", "plan": plan.name, "status": info.status.value,
                              "termination": info.termination.value,
                              "diagnosis": _diagnose(plan, scenarios, periods, opts.deadline)
                              if info.status.value == "infeasible" else []},
                       [])
    summary = plan_summary(plan, pm, info, scenarios)
    if printer is not None:
        printer.stage("business as usual")
    economics(plan, scenarios, pm, summary, opts)
    from .evaluate import full_year_evaluation
    if printer is not None:   # the full-year evaluation, units one by one, the neighbours (ops/evaluate.py)
        printer.stage("checking the design")
    summary["full_year_evaluation"] = full_year_evaluation(plan, pm, info, scenarios, summary, opts)
    table = (count_table(plan, pm, opts, info.timings_s.get("highs"), printer)
             if plan.count_table and plan.genset_types else [])
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



#: A count-table row the run's time budget left no time for.
SKIPPED_FOR_TIME = "skipped_for_time"


def count_table(plan: PlanFile, pm, opts, optimum_seconds: float | None = None, printer=None) -> list[dict]:
    """Total annual cost with each genset type's count fixed in turn (the other sizes re-optimized), from
    its existing units up to three past the optimum: how flat the optimum is. Each re-solve starts from the
    optimum (a MIP start; HiGHS drops it where the fixed count cannot carry it) and gets what is left of the run's
    budget; rows past the budget are ``skipped_for_time``. Before they start, the printer is told how many
    re-solves there are and about how long they take (each about as long as the optimum's solve)."""
    import pyomo.environ as pyo
    from pyomo.common.collections import ComponentMap

    from ..results.plan import reported_objective
    from ..solver import solve_model
    m = pm.model
    best = {k: int(round(pyo.value(m.Units[k]))) for k in m.Units}
    start = ComponentMap((v, v.value) for v in m.component_data_objects(pyo.Var, descend_into=True)
                         if v.is_integer() and not v.fixed and v.value is not None)
    todo = [(g.id, n) for g in plan.genset_types if g.id not in plan.fixed_units
            for n in range(g.existing_units, min(g.max_units, best[g.id] + 3) + 1)]
    if printer is not None:
        each = f", about {optimum_seconds:.2g} s each as the optimum took" if optimum_seconds is not None else ""
        printer.stage("count table", f"count table: {len(todo)} re-solve(s) with one genset count fixed{each} "
                                     "(count_table = false skips them)")
    rows = []
    for k, (gid, n) in enumerate(todo, start=1):
        if opts.out_of_time():
            rows.append({"type": gid, "units": n, "status": SKIPPED_FOR_TIME, "total_usd_per_year": None,
                         "mip_gap": None, "optimum": n == best[gid]})
            continue
        if printer is not None:
            printer.stage(f"count table {k}/{len(todo)} ({gid} x {n})")
        m.Units[gid].fix(n)
        try:
            info = solve_model(m, opts, start=ComponentMap((v, x) for v, x in start.items() if v is not m.Units[gid]))
        finally:
            m.Units[gid].unfix()
        rows.append({"type": gid, "units": n, "status": info.status.value,
                     "total_usd_per_year": reported_objective(plan, pm) if info.status.has_schedule else None,
                     "mip_gap": info.mip_gap, "optimum": n == best[gid]})
    return rows


def _diagnose(plan: PlanFile, scenarios: dict[str, Instance], periods: dict, deadline: float | None = None) -> list[str]:
    """Which scenarios cannot be served even with every candidate at its largest size (each solve at most 60 s and
    within the run's ``deadline``)."""
    from ..model.plan import build_plan_model
    from ..solver import SolveOptions, solve_model
    biggest = plan.model_copy(update={"fixed_units": {g.id: g.max_units for g in plan.genset_types},
                                      "mode": "stochastic"})
    out = []
    opts = SolveOptions(time_limit_s=60, deadline=deadline)
    for name, inst in scenarios.items():
        if opts.out_of_time():
            out.append("the diagnosis of the remaining scenarios was skipped for time (the run's time budget is spent)")
            break
        pm = build_plan_model(biggest, {name: inst}, {name: periods[name]})
        info = solve_model(pm.model, opts)
        if info.status.value == "infeasible":
            from ..solver.diagnose import explain_infeasible
            why = explain_infeasible(inst, opts)
            out.append(f"scenario {name} cannot be served even with every candidate at its maximum size (the site's "
                       f"own equipment, with any candidate that enters the site at its largest size: "
                       f"{' '.join(why)[:600]})")
    return out or ["the plan is infeasible, yet every scenario can be served alone with the largest sizes"]
