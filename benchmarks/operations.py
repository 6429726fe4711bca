"""The operator benchmark set (issue 15): how fast a plan reaches 0.1% and 0.01% at operational resolution.

    python benchmarks/operations.py [--quick] [--only NAME ...] [--time-limit 60] [--threads 1]
                                    [--code ROOT ...] [--out benchmarks/results/operations] [--highs NAME=VALUE ...]

The set is generated reproducibly (``benchmarks/generate.py``, fixed seeds; the folders go to ``OUT/instances``,
git-ignored) and solved instance by instance, each in a fresh Python process (its peak memory is its own:
``getrusage(RUSAGE_SELF).ru_maxrss``, which counts HiGHS's C++ allocations):

========== =====================================================================================================
texas      ``instances/texas_summer_day`` (96 x 15 min, 6 jobs, 4 gensets)
d15_10j4g  a 15-minute day, 10 jobs, 4 gensets
d15_20j8g  a 15-minute day, 20 jobs, 8 gensets
h72        72 h at 15 minutes, 10 jobs, 4 gensets (one notice a day)
d5         a 5-minute day, 6 jobs, 4 gensets
d15_rl     a 15-minute day, 10 jobs, 4 gensets, every job losing 0.5 h per restart or not allowed to pause
d5_rl      the same rules on a 5-minute day, 6 jobs
dc48       48 x 15 min (08:00-20:00), $12/kW demand charge, 3 gensets, one job with a 60% power floor and a
           0.25 h restart loss
week       672 x 15 min, 10 jobs, 3 gensets
replan72   the 72-hour plan (solved first to 1e-4, untimed) re-planned at 13:40 of its first day after a new
           notice (14:00-15:00, the day's cap), ``energyopt.ops.replan``, 10-minute response
========== =====================================================================================================

``--quick`` runs texas, d15_10j4g, dc48 and replan72.

Per instance: rows, columns and integer columns of the model HiGHS gets; the root bound (HiGHS's dual bound
when it leaves the root node) and its gap to the best schedule found; HiGHS seconds to the first schedule and
to a proven gap of 1e-3 and 1e-4; nodes; HiGHS's CPU and wall seconds; peak memory. One solve per instance to
1e-4 (or ``--time-limit``, default 60 s): HiGHS's MIP interrupt callback records (time, primal, dual) whenever
either changes, and the time to each gap is read from that trajectory.

**Seconds are CPU seconds of the solving process** (``time.process_time()`` from the Highs object's creation),
and the budget ``--time-limit`` is enforced in them by the same callback (HiGHS's own wall-clock limit is set
to 20x, a guard). With one thread, CPU seconds equal wall seconds on an idle machine; on a shared one (this
project's has 2 cores and often a load of 8-10) wall seconds measure the load more than the solve, and a
wall-clock budget would cut a run at a fifth of its work. The wall seconds are reported beside them.
The callback is attached by wrapping ``energyopt.solver.highs.new_highs`` in the child process (the solve path
is otherwise the project's own ``energyopt.api.solve``).

Defaults: threads 1 and HiGHS's random seed 0 (``solve_model`` sets it), so runs are repeatable on a shared
machine and the figures are those of one core; ``--threads`` changes it.

``--code ROOT ...`` solves each instance with each checkout of the project in turn (A B A B, paired: the
machine's load drifts less between the two runs of a pair), e.g. ``--code /work/main .`` for before/after.

Output: ``OUT/operations.json`` (machine, load, every figure) and ``OUT/operations.md`` (the table).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import tomllib
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

TEXAS = ROOT / "instances" / "texas_summer_day" / "texas_summer_day.toml"
QUICK = ("texas", "d15_10j4g", "dc48", "replan72")
GAPS = (1e-3, 1e-4)
#: HiGHS's own (wall-clock) time limit, as a multiple of the CPU budget: a guard only (see the docstring).
WALL_GUARD = 20.0
#: The re-plan: "now" on the 72-hour plan's first day (a July Monday, America/Chicago) and the notice it adds.
REPLAN_NOW = "2025-07-14T13:40:00-05:00"
REPLAN_NOTICE = {"id": "NEW", "issued": "2025-07-14T13:40:00-05:00", "start": "2025-07-14T14:00:00-05:00",
                 "end": "2025-07-14T15:00:00-05:00"}


# ------------------------------------------------------------------------------------------------
# the set

def _restart_rules(doc: dict) -> None:
    """Every job loses 0.5 h per restart, every third may not pause at all."""
    for i, j in enumerate(doc.get("training_jobs", [])):
        if i % 3 == 2:
            j["can_pause"] = False
            j.pop("restart_loss_hours", None)
        else:
            j["can_pause"] = True
            j["restart_loss_hours"] = 0.5


def _demand_day(doc: dict) -> None:
    for j in doc.get("training_jobs", []):
        j["min_power_fraction"] = 0.6
        j["restart_loss_hours"] = 0.25
        j["can_pause"] = True


#: name -> (steps, jobs, generators, step minutes, seed, extra make_instance arguments, TOML edit)
SPECS: dict[str, tuple] = {
    "d15_10j4g": (96, 10, 4, 15, 1, {}, None),
    "d15_20j8g": (96, 20, 8, 15, 2, {}, None),
    "h72": (288, 10, 4, 15, 3, {}, None),
    "d5": (288, 6, 4, 5, 4, {}, None),
    "d15_rl": (96, 10, 4, 15, 5, {}, _restart_rules),
    "d5_rl": (288, 6, 4, 5, 6, {}, _restart_rules),
    "dc48": (48, 1, 3, 15, 7, {"demand_charge": 12.0, "start": "2025-07-14T08:00:00"}, _demand_day),
    "week": (672, 10, 3, 15, 8, {}, None),
}
NAMES = ("texas", *SPECS, "replan72")


def make_set(out: Path, names) -> dict[str, Path]:
    """Write each instance of ``names`` under ``out`` (same arguments, same bytes); return name -> TOML path."""
    import tomli_w
    from generate import make_instance
    paths: dict[str, Path] = {}
    for name in names:
        if name == "texas":
            paths[name] = TEXAS
            continue
        spec = SPECS["h72" if name == "replan72" else name]
        steps, jobs, gens, minutes, seed, extra, edit = spec
        path = make_instance(steps, jobs, gens, out / ("h72" if name == "replan72" else name), seed,
                             step_minutes=minutes, name=name, **extra)
        if edit is not None:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
            edit(doc)
            path.write_text(tomli_w.dumps(doc), encoding="utf-8")
        paths[name] = path
    return paths


# ------------------------------------------------------------------------------------------------
# child: one instance, one checkout, in a fresh process

def child(args: dict) -> dict:
    code = args["code"]
    sys.path.insert(0, code)
    import resource
    import energyopt
    import energyopt.solver.highs as hs
    from energyopt.api import solve
    from energyopt.solver import SolveOptions

    trace: list[tuple[float, float, float, int, float]] = []
    first: list[float] = []
    made: list = []
    started: list[float] = []
    plain = hs.new_highs
    budget = args["time_limit"]

    def traced(log: bool):
        h = plain(log)
        cpu0 = time.process_time()
        started.append(cpu0)
        trace.clear(), first.clear()   # the gap trajectory is the last solve's (a re-plan's warm start solves before it)

        def on_interrupt(e):
            d = e.data_out
            cpu = time.process_time() - cpu0
            row = (cpu, d.mip_primal_bound, d.mip_dual_bound, int(d.mip_node_count), d.running_time)
            if not trace or trace[-1][1:3] != row[1:3] or (trace[-1][3] == 0 and row[3] > 0):
                trace.append(row)
            if budget is not None and cpu > budget:
                e.interrupt()

        def on_solution(e):
            if not first:
                first.append(time.process_time() - cpu0)

        h.cbMipInterrupt.subscribe(on_interrupt)
        h.cbMipImprovingSolution.subscribe(on_solution)
        made.append(h)
        return h

    hs.new_highs = traced
    highs = tuple((k, v) for k, v in args["highs"])
    wall_guard = None if budget is None else budget * WALL_GUARD
    opts = SolveOptions(time_limit_s=wall_guard, mip_rel_gap=args["gap"], threads=args["threads"],
                        highs=highs)
    out: dict = {"energyopt": str(Path(energyopt.__file__).resolve().parents[1])}
    if args["replan"]:
        import pandas as pd
        from energyopt.ops.replan import load_current_instance, load_previous, replan
        prev = Path(args["work"]) / "previous"
        solve(args["path"], SolveOptions(mip_rel_gap=1e-4, threads=args["threads"], highs=highs)).write(prev)
        trace.clear(), first.clear(), made.clear(), started.clear()
        t0, origin = time.perf_counter(), time.process_time()
        notice = dict(REPLAN_NOTICE, cap_mw=args["replan_cap"])
        result, _ = replan(prev, REPLAN_NOW, response_minutes=10.0, add_notices=[notice], options=opts)
        wall = time.perf_counter() - t0
        # A re-plan is timed from its own start: loading, the warm start's repair solve, build, the solve.
        offset = started[-1] - origin
        checked = load_current_instance(load_previous(prev), pd.Timestamp(REPLAN_NOW), add_notices=[notice])
    else:
        t0 = time.perf_counter()
        result = solve(args["path"], opts)
        wall = time.perf_counter() - t0
        offset, checked = 0.0, args["path"]
    s = result.summary
    h = made[-1]
    info = h.getInfo()
    cpu = time.process_time() - started[-1] + offset   # HiGHS and extraction: the end of the solve
    trace = [(t + offset, *rest) for t, *rest in trace]
    out.update(status=s["status"], objective_usd=s.get("objective_usd"), mip_gap=s.get("mip_gap"),
               rows=s["solver"]["rows"], columns=s["solver"]["columns"], integers=s["solver"]["integer_columns"],
               nodes=int(info.mip_node_count), highs_s=s["timings_s"]["highs"], highs_cpu_s=cpu, wall_s=wall,
               first_schedule_s=first[-1] + offset if first else None, trace=trace,
               peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
    primal = info.objective_function_value if result.steps is not None else None
    # HiGHS calls back from its sub-MIPs too (the completion of a re-plan's MIP start, RINS): their bounds are
    # of a restricted problem and may lie above this problem's optimum; a bound above the best schedule found
    # is not a bound of this problem, so those rows are left out.
    if primal is not None:
        trace = [r for r in trace if r[2] <= primal + 1e-9 * max(1.0, abs(primal))]
        out["trace"] = trace
    root = [r for r in trace if r[3] == 0]
    out["root_bound_usd"] = root[-1][2] if root else None
    out["root_gap"] = gap_of(primal, root[-1][2]) if root and primal is not None else None
    for g in GAPS:
        out[f"to_{g:g}_s"] = time_to(trace, g, s.get("mip_gap"), cpu)
    if result.steps is not None:   # every schedule passes the independent checker
        from energyopt.check import check_result
        folder = result.write(Path(args["work"]) / "result")
        out["check_problems"] = [str(v) for v in check_result(checked, folder)]
    return out


def gap_of(primal: float | None, dual: float | None) -> float | None:
    """HiGHS's relative gap: (primal - dual) / |primal| (0 when both are 0)."""
    if primal is None or dual is None or abs(primal) == float("inf") or abs(dual) == float("inf"):
        return None
    if primal == dual:
        return 0.0
    return (primal - dual) / max(abs(primal), 1e-12)


def time_to(trace, target: float, final_gap: float | None, highs_s: float | None) -> float | None:
    """HiGHS CPU seconds until the proven gap is at most ``target`` (None: never in the run)."""
    for t, p, d, *_ in trace:
        g = gap_of(p, d)
        if g is not None and g <= target + 1e-12:
            return t
    if final_gap is not None and final_gap <= target + 1e-12:
        return highs_s      # reached at the very end, after the last callback
    return None


def run_child(args: dict) -> dict:
    env = dict(os.environ, PYTHONPATH=args["code"])
    p = subprocess.run([sys.executable, __file__, "--child", json.dumps(args)], capture_output=True, text=True,
                       env=env, timeout=args["time_limit"] * 3 + 300)
    if p.returncode:
        return {"error": (p.stderr or p.stdout)[-2000:]}
    return json.loads(p.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------------------------
# parent

def _cap_of_day(path: Path) -> float:
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    n = doc["notices"][0]
    return round(n["baseline_mw"] * (1 - n["reduction_fraction"]), 3)


def _fmt(x, spec: str = ".2f") -> str:
    return "-" if x is None else format(x, spec)


def table(rows: list[dict]) -> str:
    head = ("| instance | code | rows | columns | integers | root gap | first schedule s | to 1e-3 s | to 1e-4 s "
            "| nodes | HiGHS CPU s / wall s | peak MB | outcome |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['name']} | {r['label']} | error: {r['error'].splitlines()[-1][:80]} |")
            continue
        outcome = f"{r['status']}, gap {_fmt(r['mip_gap'], '.1e')}"
        lines.append(f"| {r['name']} | {r['label']} | {r['rows']:,} | {r['columns']:,} | {r['integers']:,} "
                     f"| {_fmt(r['root_gap'], '.3%')} | {_fmt(r['first_schedule_s'])} | {_fmt(r['to_0.001_s'])} "
                     f"| {_fmt(r['to_0.0001_s'])} | {r['nodes']:,} | {_fmt(r['highs_cpu_s'])} / {_fmt(r['highs_s'])} | {r['peak_mb']:.0f} "
                     f"| {outcome} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="only " + ", ".join(QUICK))
    ap.add_argument("--only", nargs="+", choices=NAMES, help="these instances")
    ap.add_argument("--time-limit", type=float, default=60.0,
                    help="HiGHS CPU seconds per solve (default 60; see the module docstring)")
    ap.add_argument("--threads", type=int, default=1, help="HiGHS threads (default 1)")
    ap.add_argument("--code", nargs="+", default=[str(ROOT)], help="checkouts to solve with, in turn")
    ap.add_argument("--highs", nargs="*", default=[], help="extra HiGHS options NAME=VALUE")
    ap.add_argument("--out", default=str(HERE / "results" / "operations"))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(child(json.loads(a.child))))
        return
    out = Path(a.out)
    names = a.only or (QUICK if a.quick else NAMES)
    paths = make_set(out / "instances", names)
    highs = [(k, _value(v)) for k, v in (s.split("=", 1) for s in a.highs)]
    rows: list[dict] = []
    load = [round(x, 2) for x in os.getloadavg()]
    for name in names:
        for code in a.code:
            label = Path(code).resolve().name
            args = {"path": str(paths[name]), "code": str(Path(code).resolve()), "time_limit": a.time_limit,
                    "gap": 1e-4, "threads": a.threads, "highs": highs, "replan": name == "replan72",
                    "work": str(out / "work" / f"{name}-{label}"),
                    "replan_cap": _cap_of_day(paths[name]) if name == "replan72" else None}
            r = {"name": name, "label": label, "load_before": [round(x, 2) for x in os.getloadavg()],
                 **run_child(args)}
            rows.append(r)
            print(table([r]).splitlines()[-1], flush=True)
    report = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": _machine(),
              "load_at_start": load, "load_at_end": [round(x, 2) for x in os.getloadavg()],
              "time_limit_s": a.time_limit, "threads": a.threads, "highs": highs, "rows": rows}
    out.mkdir(parents=True, exist_ok=True)
    (out / "operations.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    (out / "operations.md").write_text(table(rows) + "\n", encoding="utf-8")
    print(f"\nload {load} -> {report['load_at_end']}; written {out / 'operations.json'}")


def _value(text: str):
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def _machine() -> dict:
    from run import machine_info
    return machine_info()


if __name__ == "__main__":
    main()
