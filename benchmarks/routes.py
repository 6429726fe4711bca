"""Pyomo -> HiGHS routes compared on the same model: hand-off, HiGHS, load-back, objective.

    python benchmarks/routes.py [--instances texas 2016x10x3@15] [--routes standard_form appsi new_highs
                                 lp_file mps_file] [--time-limit 120] [--mip-gap 1e-4] [--texas-mip-gap 0]

Routes:

* ``standard_form`` - the project's route, ``energyopt.solver.highs.solve_model``: Pyomo's
  ``LinearStandardFormCompiler`` to scipy matrices, one ``highspy.HighsLp`` to ``Highs.passModel``;
* ``appsi``         - ``pyo.SolverFactory('appsi_highs')`` (APPSI persistent interface; a first
  solve builds the HiGHS model column by column and row by row through highspy);
* ``new_highs``     - ``pyomo.contrib.solver.common.factory.SolverFactory('highs')``, the new solver
  interface of Pyomo 6.10 (``pyo.SolverFactory('highs')`` is the same class behind a legacy
  wrapper);
* ``lp_file`` / ``mps_file`` - Pyomo's LP (v2) or MPS writer to a temporary file,
  ``highspy.Highs().readModel(file)``, values loaded back by the writer's symbol map.

How the phases are measured: every route ends in ``highspy.Highs.run()``; this script wraps that
method (at class level, before any route runs) to record the wall-clock instants at which HiGHS
starts and stops. For one route call (from the model being built to the solution being in the Pyomo
variables):

* hand-off  = from the call's start to ``run()``'s start (writing/compiling, passing, options);
* HiGHS     = ``run()``'s wall time (HiGHS's own ``getRunTime()`` is recorded too);
* load-back = from ``run()``'s end to the call's return (reading the solution, setting values,
  the interface's result objects).

Each (instance, route) runs in a fresh Python process, so no route inherits another's imports or
caches; the model is built there (build time is reported but belongs to no route). With
``--repeats R`` > 1 the process builds and solves R times; the first ("cold") and the median of the
others ("warm") are reported. Objectives must agree: exactly (to 1e-6 relative) when solved to
optimality with gap 0, otherwise within the reported MIP gaps. After each route the Pyomo objective
is evaluated on the loaded values, to check that the load-back put the right numbers in the right
variables.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
ROUTES = ["standard_form", "appsi", "new_highs", "lp_file", "mps_file"]
DEFAULT_INSTANCES = ["texas", "2016x10x3@15"]

_RUNS: list[list[float]] = []


def _instrument_highs() -> None:
    import highspy

    orig = highspy.Highs.run

    def run(self, *args, **kwargs):
        rec = [time.perf_counter(), float("nan")]
        _RUNS.append(rec)
        try:
            return orig(self, *args, **kwargs)
        finally:
            rec[1] = time.perf_counter()
            try:
                rec.append(self.getRunTime())
            except Exception:  # noqa: BLE001
                pass

    highspy.Highs.run = run


# ------------------------------------------------------------------------------------------------
# the routes: each takes a built model and returns (objective reported by the solver, gap, status)

def route_standard_form(m, tl, gap, threads):
    from energyopt.solver import SolveOptions, solve_model
    info = solve_model(m, SolveOptions(time_limit_s=tl, mip_rel_gap=gap, threads=threads))
    return info.objective_usd, info.mip_gap, info.highs_status


def route_appsi(m, tl, gap, threads):
    import pyomo.environ as pyo
    opt = pyo.SolverFactory("appsi_highs")
    opt.config.time_limit = tl
    opt.config.mip_gap = gap
    opt.config.load_solution = True
    opt.config.stream_solver = False
    opt.highs_options = {"random_seed": 0, **({"threads": threads} if threads else {})}
    # The legacy wrapper's solve() resets config.time_limit from its own ``timelimit`` argument.
    res = opt.solve(m, timelimit=tl)
    # Legacy results; the persistent object holds the objective and gap.
    inner = opt._solver_model if hasattr(opt, "_solver_model") else None
    obj = res.problem.upper_bound if res.problem.sense == pyo.minimize else res.problem.lower_bound
    g = None
    if inner is not None:
        info = inner.getInfo()
        obj = info.objective_function_value
        g = info.mip_gap
    return float(obj), g, str(res.solver.termination_condition)


def route_new_highs(m, tl, gap, threads):
    from pyomo.contrib.solver.common.factory import SolverFactory as NewSF
    opt = NewSF("highs")
    kw = {"time_limit": tl, "rel_gap": gap, "load_solutions": True, "raise_exception_on_nonoptimal_result": False,
          "solver_options": {"random_seed": 0}}
    if threads:
        kw["threads"] = threads
    res = opt.solve(m, **kw)
    g = None
    if res.incumbent_objective is not None and res.objective_bound is not None and res.incumbent_objective:
        g = abs(res.incumbent_objective - res.objective_bound) / abs(res.incumbent_objective)
    return res.incumbent_objective, g, str(res.termination_condition)


def _file_route(m, tl, gap, threads, fmt):
    import highspy
    import numpy as np
    with tempfile.TemporaryDirectory(dir="/dev/shm" if os.path.isdir("/dev/shm") else None) as tmp:
        path = os.path.join(tmp, f"model.{fmt}")
        _, smap_id = m.write(path, io_options={"symbolic_solver_labels": False})
        smap = m.solutions.symbol_map[smap_id]
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.readModel(path)
    h.setOptionValue("mip_rel_gap", float(gap))
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("time_limit", float(tl))
    if threads:
        h.setOptionValue("threads", int(threads))
    h.run()
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    if info.primal_solution_status == 2:
        lp = h.getLp()
        x = np.asarray(h.getSolution().col_value, dtype=float)
        by = smap.bySymbol
        for name, val in zip(lp.col_names_, x.tolist()):
            v = by.get(name)
            if v is not None:  # the LP writer adds ONE_VAR_CONSTANT for constant objectives
                v.set_value(round(val) if v.is_integer() else val, skip_validation=True)
    from energyopt.solver.highs import _default_unused
    _default_unused(m)
    return info.objective_function_value, info.mip_gap, status


def route_lp_file(m, tl, gap, threads):
    return _file_route(m, tl, gap, threads, "lp")


def route_mps_file(m, tl, gap, threads):
    return _file_route(m, tl, gap, threads, "mps")


# ------------------------------------------------------------------------------------------------
# child

def child(path: str, route: str, tl: float, gap: float, threads: int | None, repeats: int) -> dict:
    sys.path.insert(0, str(ROOT))
    _instrument_highs()
    import pyomo.environ as pyo

    from energyopt.inputs import load_instance
    from energyopt.model import build_model
    fn = globals()[f"route_{route}"]
    reps = []
    for _ in range(repeats):
        inst = load_instance(path)
        t0 = time.perf_counter()
        m = build_model(inst)
        t1 = time.perf_counter()
        n_before = len(_RUNS)
        obj, g, status = fn(m, tl, gap, threads)
        t2 = time.perf_counter()
        runs = _RUNS[n_before:]
        if len(runs) != 1:
            raise RuntimeError(f"route {route}: expected one Highs.run() call, saw {len(runs)}")
        r0, r1 = runs[0][0], runs[0][1]
        reps.append({"build_s": t1 - t0, "hand_off_s": r0 - t1, "highs_s": r1 - r0,
                     "highs_own_s": runs[0][2] if len(runs[0]) > 2 else None, "load_back_s": t2 - r1,
                     "total_s": t2 - t1, "objective": obj, "gap": g, "status": status,
                     "pyomo_objective": float(pyo.value(m.objective))})
        del m
    import resource
    out = {"cold": reps[0], "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}
    if len(reps) > 1:
        out["warm"] = {k: statistics.median(r[k] for r in reps[1:])
                       for k in ("build_s", "hand_off_s", "highs_s", "load_back_s", "total_s")}
    return out


# ------------------------------------------------------------------------------------------------
# parent

def _g(x) -> str:
    return "-" if x is None else f"{x:.1e}"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--instances", nargs="+", default=DEFAULT_INSTANCES,
                    help="texas | STEPSxJOBSxGENS[@MIN] | path.toml (default: %(default)s)")
    ap.add_argument("--routes", nargs="+", default=ROUTES, choices=ROUTES)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--mip-gap", type=float, default=1e-4)
    ap.add_argument("--texas-mip-gap", type=float, default=0.0)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=None,
                    help="build+solve repeats per process (default: 5 for the Texas example, 1 otherwise)")
    ap.add_argument("--out", default=str(RESULTS))
    ap.add_argument("--child", nargs=2, metavar=("PATH", "ROUTE"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(child(a.child[0], a.child[1], a.time_limit, a.mip_gap, a.threads, a.repeats or 1)))
        return

    sys.path.insert(0, str(HERE))
    from run import loadavg, machine_info, resolve_size
    out_dir = Path(a.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    info = machine_info()
    rows = []
    for spec in a.instances:
        label, path = resolve_size(spec, a.seed, out_dir / "instances")
        if path is None:
            print(f"{label}: skipped (absent)", file=sys.stderr)
            continue
        texas = label == "Texas example"
        gap = a.texas_mip_gap if texas else a.mip_gap
        repeats = a.repeats or (5 if texas else 1)
        for route in a.routes:
            cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(path), route,
                   "--time-limit", str(a.time_limit), "--mip-gap", repr(gap), "--repeats", str(repeats)]
            if a.threads:
                cmd += ["--threads", str(a.threads)]
            print(f"{label} / {route} ...", file=sys.stderr, flush=True)
            row = {"instance": label, "path": str(path), "route": route, "mip_gap_target": gap,
                   "loadavg_before": loadavg()}
            t0 = time.perf_counter()
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=a.time_limit * 3 + 300)
            except subprocess.TimeoutExpired:
                row["error"] = (f"no answer after {time.perf_counter() - t0:.0f} s (HiGHS time limit "
                                f"{a.time_limit:g} s): stopped")
                print(row["error"], file=sys.stderr)
                rows.append(row)
                continue
            row["loadavg_after"] = loadavg()
            if proc.returncode != 0:
                row["error"] = proc.stderr.strip()[-1500:]
                print(row["error"], file=sys.stderr)
            else:
                row.update(json.loads(proc.stdout.strip().splitlines()[-1]))
                c = row["cold"]
                print(f"  hand-off {c['hand_off_s']:.3f}s HiGHS {c['highs_s']:.3f}s load-back "
                      f"{c['load_back_s']:.3f}s obj {c['objective']}", file=sys.stderr, flush=True)
            rows.append(row)
    md = markdown(rows, info, a)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    doc = {"machine": info, "options": vars(a), "rows": rows, "markdown": md}
    for name in (f"routes-{stamp}", "routes-latest"):
        (out_dir / f"{name}.json").write_text(json.dumps(doc, indent=2, default=str))
        (out_dir / f"{name}.md").write_text(md)
    print(md)


def agreement(rows: list[dict]) -> dict[tuple[str, str], str]:
    """Per (instance, route): objective difference from the standard-form route, and whether it is within tolerance."""
    out = {}
    ref = {r["instance"]: r for r in rows if r["route"] == "standard_form" and "cold" in r}
    for r in rows:
        if "cold" not in r or r["instance"] not in ref:
            continue
        a, b = r["cold"], ref[r["instance"]]["cold"]
        if a["objective"] is None or b["objective"] is None:
            out[(r["instance"], r["route"])] = "no objective"
            continue
        rel = abs(a["objective"] - b["objective"]) / max(1.0, abs(b["objective"]))
        tol = max(1e-6, (a["gap"] or 0.0) + (b["gap"] or 0.0), r["mip_gap_target"])
        loaded = abs(a["pyomo_objective"] - a["objective"]) / max(1.0, abs(a["objective"]))
        out[(r["instance"], r["route"])] = (f"{rel:.1e} ({'ok' if rel <= tol else 'DIFFERS'}); loaded values give "
                                            f"{'the same' if loaded <= 1e-6 else f'{loaded:.1e} off'}")
    return out


def markdown(rows: list[dict], info: dict, a) -> str:
    agree = agreement(rows)
    lines = ["| instance | route | hand-off s | HiGHS s | load-back s | hand-off + load-back s | objective $ | "
             "gap | status | vs standard form: rel. objective diff | peak MB |", "|" + "|".join(["---"] * 11) + "|"]
    for r in rows:
        if "cold" not in r:
            lines.append(f"| {r['instance']} | {r['route']} | error: {r.get('error', '')[-200:]!r} |" + " - |" * 8)
            continue
        c = r["cold"]
        lines.append(f"| {r['instance']} | {r['route']} | {c['hand_off_s']:.3f} | {c['highs_s']:.3f} | "
                     f"{c['load_back_s']:.3f} | {c['hand_off_s'] + c['load_back_s']:.3f} | "
                     f"{c['objective']:,.2f} | {_g(c['gap'])} | {c['status']} | "
                     f"{agree.get((r['instance'], r['route']), '-')} | {r['peak_rss_mb']:.0f} |")
    warm = [r for r in rows if "warm" in r]
    if warm:
        lines += ["", "Warm (median of the repeats after the first, same process):", "",
                  "| instance | route | build s | hand-off s | HiGHS s | load-back s |", "|" + "|".join(["---"] * 6) + "|"]
        for r in warm:
            w = r["warm"]
            lines.append(f"| {r['instance']} | {r['route']} | {w['build_s']:.3f} | {w['hand_off_s']:.3f} | "
                         f"{w['highs_s']:.3f} | {w['load_back_s']:.4f} |")
    lines += ["", f"Machine: {info.get('cpu_model')}, {info.get('logical_cpus')} logical CPUs, {info.get('ram_gib')} "
                  f"GiB RAM; Python {info.get('python')}, Pyomo {info.get('pyomo')}, highspy {info.get('highspy')}. "
                  f"Options: time limit {a.time_limit:g} s, mip_rel_gap {a.mip_gap:g} (Texas example "
                  f"{a.texas_mip_gap:g}), threads {a.threads or 'HiGHS default'}, seed {a.seed}."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
