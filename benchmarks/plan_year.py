"""Site planning over a year (issue 4's speed targets): `energyopt plan` on a synthetic year at hourly steps
with 20 training jobs, 2 inference services and 3 candidate genset types.

    python benchmarks/plan_year.py [--scenarios 1] [--time-limit 600] [--gap 1e-3] [--typical-days K]

The site comes from benchmarks/generate.py (8,760 h, 20 jobs, sized for 3 x 2.5 MW gensets, with its
notices); its own gensets are removed and three candidate types offered instead (diesel Tier 2, gas,
diesel Tier 4 with SCR; capex, fuel and NOx from typical figures, see below). One scenario is the
generator's own notices; with --scenarios N > 1 the scenarios are drawn by the event generator
(docs/events.md, 12 events a year, 90% of a 15 MW baseline). Prints build, hand-off, HiGHS and
extraction times, peak memory, sizes and the gap. With --typical-days K the plan runs over representative
periods (docs/plan.md: each scenario's event days, 3 extreme days and K typical days by tsam, linked across
the year's days; --no-link: unlinked, as before issue 14) and the chosen design is then evaluated over the
full year (its sizes fixed), to show what the approximation costs (``typical_error_fraction``). Results go to
benchmarks/results/plan_year*.json.
"""
from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
import tomllib
from pathlib import Path

import tomli_w

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

# Candidate types: capacity, fuel price, NOx and capex are illustrative (2.5 MW diesel Tier 2 at about
# $600/kW installed, a gas unit with cheaper fuel and higher capex, a Tier 4 diesel with ~90% less NOx:
# domain.md gives the Tier 2 / Tier 4 NOx figures; the prices are assumptions, not sourced).
TYPES = [
    {"id": "diesel_t2", "capacity_mw": 2.5, "fuel_price_usd_per_gal": 3.75, "nox_kg_per_mwh": 6.4,
     "capex_usd": 1_500_000.0, "fixed_om_usd_per_year": 15_000.0, "max_units": 8},
    {"id": "gas", "capacity_mw": 2.0, "fuel_price_usd_per_gal": 1.6, "nox_kg_per_mwh": 1.0,
     "fuel_slope_gal_per_mwh": 80.0, "capex_usd": 1_700_000.0, "fixed_om_usd_per_year": 20_000.0,
     "max_units": 8},
    {"id": "diesel_t4", "capacity_mw": 3.0, "fuel_price_usd_per_gal": 3.75, "nox_kg_per_mwh": 0.64,
     "capex_usd": 2_400_000.0, "fixed_om_usd_per_year": 18_000.0, "max_units": 6},
]


DEPTH = 0.9   # notices cut 90% of the baseline: gensets are needed


def make_case(work: Path, scenarios: int, gap: float, time_limit: float, typical_days: int | None = None,
              link_days: bool = True) -> Path:
    from generate import make_instance
    inst = make_instance(8760, 20, 3, work / "site", seed=0, step_minutes=60)
    raw = tomllib.loads(inst.read_text())
    notices = raw.pop("notices", [])
    raw.pop("generators", None)
    inst.write_text(tomli_w.dumps(raw))
    lines = ["id,issued,start,end,cap_mw,reduction_fraction,baseline_mw"]
    for n in notices:   # deeper than the generator's 50% cut, so the flexible load alone cannot meet them
        lines.append(f"{n['id']},{n['issued']},{n['start']},{n['end']},,{DEPTH},{n.get('baseline_mw', 15.0)}")
    (work / "site_notices.csv").write_text("\n".join(lines) + "\n")
    plan = {"name": f"year-{scenarios}", "site": "site/instance.toml", "mip_gap": gap, "time_limit_s": time_limit,
            "count_table": False, "genset_types": TYPES}
    if typical_days:
        plan["representative_periods"] = {"typical_days": typical_days, "link_days": link_days}
    if scenarios == 1:
        plan["scenario_files"] = ["site_notices.csv"]
    else:
        plan["random_scenarios"] = {"count": scenarios, "seed": 1, "events_per_year": 12.0, "baseline_mw": 15.0,
                                    "reduction_fraction": DEPTH}
    (work / "plan.toml").write_text(tomli_w.dumps(plan))
    return work / "plan.toml"


def _number(v: str):
    try:
        return int(v)
    except ValueError:
        return float(v)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenarios", type=int, default=1)
    p.add_argument("--time-limit", type=float, default=600.0)
    p.add_argument("--gap", type=float, default=1e-3)
    p.add_argument("--typical-days", type=int, default=None)
    p.add_argument("--no-link", action="store_true",
                   help="typical days without linking days (fixed shares of work, stores reset each period)")
    p.add_argument("--count-table", action="store_true",
                   help="also run the cost-vs-count table (energyopt.ops.planning.count_table) and time it")
    p.add_argument("--highs", action="append", default=[], metavar="NAME=VALUE",
                   help="a HiGHS option for the plan's solves (repeatable; replaces the plan's own options), "
                        "e.g. mip_heuristic_run_rins=true")
    args = p.parse_args(argv)
    highs = tuple((k, v.lower() == "true" if v.lower() in ("true", "false") else _number(v))
                  for k, v in (a.split("=", 1) for a in args.highs))
    tag = f"plan_year_{args.scenarios}" + (f"_k{args.typical_days}" if args.typical_days else "") \
        + ("_nolink" if args.no_link else "") + ("_counts" if args.count_table else "")
    work = ROOT / "benchmarks" / "results" / tag
    work.mkdir(parents=True, exist_ok=True)
    plan_path = make_case(work, args.scenarios, args.gap, args.time_limit, args.typical_days, not args.no_link)
    t0 = time.perf_counter()
    import pyomo.environ  # noqa: F401 - imports timed apart
    import energyopt.api  # noqa: F401
    t_import = time.perf_counter() - t0
    from energyopt.inputs.plan import load_plan_file
    from energyopt.model.plan import build_plan_model
    from energyopt.ops.planning import PLAN_HIGHS_OPTIONS, scenario_instances, scenario_periods
    from energyopt.results.plan import plan_summary
    from energyopt.solver import SolveOptions, solve_model
    opts = SolveOptions(time_limit_s=args.time_limit, mip_rel_gap=args.gap,
                        highs=highs if highs else PLAN_HIGHS_OPTIONS)
    plan, base = load_plan_file(plan_path)
    t1 = time.perf_counter()
    scen = scenario_instances(plan, base)
    t2 = time.perf_counter()
    pm = build_plan_model(plan, scen, scenario_periods(plan, scen))
    t3 = time.perf_counter()
    info = solve_model(pm.model, opts)
    t4 = time.perf_counter()
    summary = plan_summary(plan, pm, info) if info.status.has_schedule else {"status": info.status.value}
    t5 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {"scenarios": args.scenarios, "status": info.status.value, "mip_gap": info.mip_gap,
           "load_s": t2 - t1, "build_s": t3 - t2, "hand_off_s": info.timings_s["hand_off"],
           "highs_s": info.timings_s["highs"], "extract_s": t5 - t4, "import_s": t_import, "peak_mb": peak,
           "rows": info.n_rows, "columns": info.n_cols, "integer_columns": info.n_integer,
           "highs_options": dict(opts.highs), "periods_per_scenario": [len(v) for v in pm.periods.values()],
           "sizes": summary.get("sizes"), "annual_cost_usd": (summary.get("annual_cost_usd") or {}).get("total"),
           "machine": f"{platform.machine()}, {__import__('os').cpu_count()} CPUs, Python {sys.version.split()[0]}"}
    if args.count_table and info.status.has_schedule:
        from energyopt.ops.planning import count_table
        t7 = time.perf_counter()
        rows = count_table(plan, pm, opts, info.timings_s.get("highs"))
        out["count_table"] = {"seconds": time.perf_counter() - t7, "re_solves": len(rows),
                              "rows": [{k: r[k] for k in ("type", "units", "total_usd_per_year", "status")}
                                       for r in rows]}
    if args.typical_days and info.status.has_schedule:
        # The chosen design over the full year: with the sizes fixed the scenarios are independent, so each is
        # solved alone (less memory) and the annual totals averaged, as the stochastic objective does.
        full = plan.model_copy(update={"representative_periods": None, "fixed_units": summary["sizes"]["gensets"]})
        t6 = time.perf_counter()
        totals, gaps = [], []
        for name, inst in scen.items():
            check = solve_model(build_plan_model(full, {name: inst}).model,
                                opts)
            totals.append(check.objective_usd if check.status.has_schedule else float("nan"))
            gaps.append(check.mip_gap)
        full_cost = sum(totals) / len(totals)
        out["full_year_check"] = {"annual_cost_usd": full_cost, "max_mip_gap": max(gaps),
                                  "seconds": time.perf_counter() - t6,
                                  "typical_error_fraction": out["annual_cost_usd"] / full_cost - 1}
        out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out, indent=2))
    (work.parent / f"{tag}.json").write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
