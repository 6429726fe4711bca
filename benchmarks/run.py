"""Scaling benchmark: where the time goes from instance to result, size by size.

    python benchmarks/run.py [--sizes texas 96x6x4@15 672x10x3@15 8760x20x3@60] [--time-limit 600]
                             [--mip-gap 1e-4] [--texas-mip-gap 0] [--threads N] [--seed 0]

A size is ``STEPSxJOBSxGENERATORS[@STEP_MINUTES]`` (made by ``benchmarks/generate.py``, default 60-min
steps), ``texas`` (``instances/texas_summer_day/texas_summer_day.toml``, skipped if absent) or the
path of an instance TOML. Each size runs in a fresh Python process, so its peak memory
(``getrusage(RUSAGE_SELF).ru_maxrss``, which counts HiGHS's C++ allocations too) and its first-call
costs are its own. In that process:

* build     - ``energyopt.model.build_model(inst)`` (the instance is loaded first, timed apart);
* hand-off  - ``LinearStandardFormCompiler`` + arrays + ``Highs.passModel`` (``solve_model``'s
              ``hand_off`` timing: everything before ``Highs.run()``);
* HiGHS     - wall time of ``Highs.run()``;
* load      - copying HiGHS's solution back into the Pyomo variables;
* extract   - ``steps_table`` + ``summary`` from ``energyopt.results.extract``.

"non-HiGHS / HiGHS" is (build + hand-off + load + extract) / HiGHS. A size whose whole first run
takes under ``--warm-below`` seconds is built and solved twice more in the same process; the median
of those is reported as "warm" (no first-call import or cache costs).

Results go to ``benchmarks/results/run-<time>.json`` and ``.md`` (and ``latest.json``/``latest.md``).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
TEXAS = ROOT / "instances" / "texas_summer_day" / "texas_summer_day.toml"
DEFAULT_SIZES = ["texas", "96x6x4@15", "672x10x3@15", "8760x20x3@60"]
TARGET_TEXAS_S = 2.0
TARGET_RATIO = 0.15


# ------------------------------------------------------------------------------------------------
# machine

def machine_info() -> dict:
    info: dict = {"platform": platform.platform(), "python": platform.python_version()}
    try:
        cpu = Path("/proc/cpuinfo").read_text()
        models = [ln.split(":", 1)[1].strip() for ln in cpu.splitlines() if ln.startswith("model name")]
        info["cpu_model"] = models[0] if models else platform.processor()
        info["logical_cpus"] = len(models) or os.cpu_count()
    except OSError:
        info["cpu_model"], info["logical_cpus"] = platform.processor(), os.cpu_count()
    try:
        info["cpus_usable"] = len(os.sched_getaffinity(0))
    except AttributeError:
        info["cpus_usable"] = os.cpu_count()
    try:
        mem = {ln.split(":")[0]: ln.split(":")[1].strip() for ln in Path("/proc/meminfo").read_text().splitlines()}
        info["ram_gib"] = round(int(mem["MemTotal"].split()[0]) / 2**20, 1)
    except (OSError, KeyError):
        info["ram_gib"] = None
    from importlib.metadata import PackageNotFoundError, version
    for pkg in ("pyomo", "highspy", "numpy", "scipy", "pandas"):
        try:
            info[pkg] = version(pkg)
        except PackageNotFoundError:
            info[pkg] = None
    try:
        import highspy
        h = highspy.Highs()
        info["highs"] = f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"
    except Exception:  # noqa: BLE001 - informational only
        info["highs"] = None
    return info


def loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# ------------------------------------------------------------------------------------------------
# child: one size in a fresh process

def _rss_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def child(path: str, time_limit: float, mip_gap: float, threads: int | None, warm_below: float) -> dict:
    t = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    from energyopt.inputs import load_instance
    from energyopt.model import build_model
    from energyopt.results.extract import steps_table, summary
    from energyopt.solver import SolveOptions, solve_model
    out: dict = {"import_s": time.perf_counter() - t, "rss_mb": {"after_import": _rss_mb()}}

    def one(opts):
        r: dict = {}
        t0 = time.perf_counter()
        inst = load_instance(path)
        t1 = time.perf_counter()
        m = build_model(inst)
        t2 = time.perf_counter()
        r["rss_after_build_mb"] = _rss_mb()
        info = solve_model(m, opts)
        t3 = time.perf_counter()
        r["rss_after_solve_mb"] = _rss_mb()
        if info.status.has_schedule:
            steps = steps_table(inst, m)
            summary(inst, m, steps)
        t4 = time.perf_counter()
        ts = info.timings_s
        r.update(load_instance_s=t1 - t0, build_s=t2 - t1, compile_s=ts["compile"], hand_off_s=ts["hand_off"],
                 highs_s=ts["highs"], load_s=ts["load"], extract_s=t4 - t3 if info.status.has_schedule else None,
                 solve_model_s=t3 - t2, status=info.status.value, highs_status=info.highs_status,
                 objective_usd=info.objective_usd, mip_gap=info.mip_gap, rows=info.n_rows, cols=info.n_cols,
                 integers=info.n_integer, n_steps=inst.time.n_steps, step_minutes=inst.time.step_minutes,
                 jobs=len(inst.training_jobs), generators=len(inst.generators), notices=len(inst.notices),
                 battery=inst.battery is not None, name=inst.name)
        non = r["build_s"] + r["hand_off_s"] + r["load_s"] + (r["extract_s"] or 0.0)
        r["non_highs_s"] = non
        r["non_highs_over_highs"] = non / r["highs_s"] if r["highs_s"] > 0 else None
        r["build_plus_solve_s"] = r["build_s"] + r["solve_model_s"]
        del m
        return r

    opts = SolveOptions(time_limit_s=time_limit, mip_rel_gap=mip_gap, threads=threads)
    first = one(opts)
    out["cold"] = first
    out["rss_mb"]["peak"] = _rss_mb()
    if first["build_plus_solve_s"] + (first["extract_s"] or 0) < warm_below:
        reps = [one(opts) for _ in range(2)]
        out["warm"] = {k: statistics.median(r[k] for r in reps) for k in
                       ("load_instance_s", "build_s", "compile_s", "hand_off_s", "highs_s", "load_s", "extract_s",
                        "build_plus_solve_s", "non_highs_s") if all(r[k] is not None for r in reps)}
        out["warm"]["non_highs_over_highs"] = (out["warm"]["non_highs_s"] / out["warm"]["highs_s"]
                                               if out["warm"].get("highs_s") else None)
        out["warm"]["statuses"] = [r["status"] for r in reps]
    return out


# ------------------------------------------------------------------------------------------------
# parent

def resolve_size(spec: str, seed: int, inst_dir: Path) -> tuple[str, Path | None]:
    if spec == "texas":
        return "Texas example", (TEXAS if TEXAS.is_file() else None)
    if spec.endswith(".toml"):
        p = Path(spec).resolve()
        return p.stem, p
    body, _, minutes = spec.partition("@")
    steps, jobs, gens = (int(x) for x in body.lower().split("x"))
    minutes_i = int(minutes) if minutes else 60
    sys.path.insert(0, str(HERE))
    from generate import make_instance
    label = f"{steps}x{jobs}x{gens} ({minutes_i} min)"
    out = inst_dir / f"{steps}x{jobs}x{gens}_{minutes_i}min_s{seed}"
    return label, make_instance(steps, jobs, gens, out, seed, step_minutes=minutes_i)


def run_size(label: str, path: Path, a) -> dict:
    gap = a.texas_mip_gap if label == "Texas example" else a.mip_gap
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(path), "--time-limit", str(a.time_limit),
           "--mip-gap", repr(gap), "--warm-below", str(a.warm_below)]
    if a.threads is not None:
        cmd += ["--threads", str(a.threads)]
    row: dict = {"size": label, "instance": str(path), "mip_gap_target": gap, "loadavg_before": loadavg()}
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=a.time_limit * 2 + 1800)
    except subprocess.TimeoutExpired:
        row.update(error="the child process did not finish in time", wall_s=time.perf_counter() - t0)
        return row
    row["wall_s"] = time.perf_counter() - t0
    row["loadavg_after"] = loadavg()
    if proc.returncode != 0:
        row["error"] = f"child exited {proc.returncode}: {proc.stderr.strip()[-2000:]}"
        return row
    row.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    return row


def _f(x, nd=2) -> str:
    return "-" if x is None else f"{x:.{nd}f}"


def _g(x) -> str:
    return "-" if x is None else f"{x:.2e}"


def markdown(rows: list[dict], info: dict, a) -> str:
    head = ("| size | vars | rows | integers | build s | hand-off s | HiGHS s | load s | extract s | "
            "non-HiGHS / HiGHS % | peak MB | status | gap |")
    lines = [head, "|" + "|".join(["---"] * 13) + "|"]
    for r in rows:
        if "cold" not in r:
            lines.append(f"| {r['size']} | " + " | ".join(["-"] * 10) + f" | {r.get('error', 'skipped')} | - |")
            continue
        c = r["cold"]
        ratio = c["non_highs_over_highs"]
        lines.append(
            f"| {r['size']} | {c['cols']:,} | {c['rows']:,} | {c['integers']:,} | {_f(c['build_s'])} | "
            f"{_f(c['hand_off_s'])} | {_f(c['highs_s'])} | {_f(c['load_s'], 3)} | {_f(c['extract_s'])} | "
            f"{_f(None if ratio is None else 100 * ratio, 1)} | {r['rss_mb']['peak']:.0f} | {c['status']} | "
            f"{_g(c['mip_gap'])} |")
    warm = [r for r in rows if "warm" in r]
    if warm:
        lines += ["", "Warm (median of 2 repeats in the same process, after the cold run):", "",
                  "| size | build s | hand-off s | HiGHS s | load s | extract s | build+solve s | "
                  "non-HiGHS / HiGHS % |", "|" + "|".join(["---"] * 8) + "|"]
        for r in warm:
            w = r["warm"]
            ratio = w.get("non_highs_over_highs")
            lines.append(f"| {r['size']} | {_f(w['build_s'], 3)} | {_f(w['hand_off_s'], 3)} | {_f(w['highs_s'], 3)} "
                         f"| {_f(w['load_s'], 4)} | {_f(w.get('extract_s'), 3)} | {_f(w['build_plus_solve_s'], 3)} "
                         f"| {_f(None if ratio is None else 100 * ratio, 1)} |")
    lines += ["", "Targets:", ""] + [f"- {t}" for t in targets(rows)]
    lines += ["", f"Machine: {info.get('cpu_model')}, {info.get('logical_cpus')} logical CPUs "
                  f"({info.get('cpus_usable')} usable), {info.get('ram_gib')} GiB RAM; Python {info.get('python')}, "
                  f"Pyomo {info.get('pyomo')}, highspy {info.get('highspy')} (HiGHS {info.get('highs')}), "
                  f"numpy {info.get('numpy')}, scipy {info.get('scipy')}.",
              f"Options: time limit {a.time_limit:g} s per size, mip_rel_gap {a.mip_gap:g} "
              f"(Texas example: {a.texas_mip_gap:g}), threads {a.threads or 'HiGHS default'}, seed {a.seed}. "
              f"Load average before/after each size: "
              + "; ".join(f"{r['size']}: {r.get('loadavg_before')} / {r.get('loadavg_after')}" for r in rows) + "."]
    return "\n".join(lines) + "\n"


def targets(rows: list[dict]) -> list[str]:
    out = []
    tx = next((r for r in rows if r["size"] == "Texas example"), None)
    if tx is None or "cold" not in tx:
        out.append(f"(a) Texas example: not measured ({'absent: ' + str(TEXAS) if tx is None or tx.get('instance') == 'None' else tx.get('error')}).")
    else:
        c = tx["cold"]
        proven = c["status"] == "optimal" and (c["mip_gap"] or 0.0) <= max(tx["mip_gap_target"], 1e-9)
        cold_ok = proven and c["build_plus_solve_s"] <= TARGET_TEXAS_S
        s = (f"(a) Texas example to proven optimality in <= {TARGET_TEXAS_S:g} s of build + solve: cold (fresh process) "
             f"{c['build_plus_solve_s']:.3f} s, status {c['status']}, gap {c['mip_gap']} -> "
             f"{'MET' if cold_ok else 'NOT MET'}")
        if "warm" in tx:
            w = tx["warm"]["build_plus_solve_s"]
            s += f"; warm {w:.3f} s -> {'MET' if proven and w <= TARGET_TEXAS_S else 'NOT MET'}"
        out.append(s + ".")
    big = next((r for r in rows if r["size"].startswith("8760x20x3")), None)
    if big is None or "cold" not in big:
        out.append("(b) 8,760 x 20 x 3: not measured" + (f" ({big.get('error')})" if big else "") + ".")
    else:
        c = big["cold"]
        ratio = c["non_highs_over_highs"]
        reached = (f"HiGHS stopped with status {c['status']} ({c['highs_status']}), gap "
                   f"{_g(c['mip_gap'])}")
        out.append(f"(b) 8,760 x 20 x 3: non-HiGHS time (build {c['build_s']:.2f} + hand-off {c['hand_off_s']:.2f} + "
                   f"load {c['load_s']:.3f} + extract {_f(c['extract_s'])} = {c['non_highs_s']:.2f} s) is "
                   f"{100 * ratio:.1f}% of HiGHS's {c['highs_s']:.1f} s (target <= {100 * TARGET_RATIO:.0f}%) -> "
                   f"{'MET' if ratio <= TARGET_RATIO else 'NOT MET'}; {reached}.")
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", default=DEFAULT_SIZES,
                    help="texas | STEPSxJOBSxGENS[@MIN] | path.toml (default: %(default)s)")
    ap.add_argument("--time-limit", type=float, default=600.0, help="HiGHS time limit per size, s")
    ap.add_argument("--mip-gap", type=float, default=1e-4, help="relative MIP gap for generated sizes")
    ap.add_argument("--texas-mip-gap", type=float, default=0.0, help="relative MIP gap for the Texas example "
                                                                     "(its target is proven optimality)")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0, help="seed of generated instances")
    ap.add_argument("--warm-below", type=float, default=10.0,
                    help="repeat a size twice in the same process when its first run is shorter than this, s")
    ap.add_argument("--out", default=str(RESULTS), help="results folder")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)

    if a.child:
        print(json.dumps(child(a.child, a.time_limit, a.mip_gap, a.threads, a.warm_below)))
        return

    out_dir = Path(a.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    info = machine_info()
    rows = []
    for spec in a.sizes:
        label, path = resolve_size(spec, a.seed, out_dir / "instances")
        if path is None:
            print(f"{label}: skipped (no {TEXAS})", file=sys.stderr)
            rows.append({"size": label, "instance": "None", "error": "instance file absent"})
            continue
        print(f"{label}: running {path} ...", file=sys.stderr, flush=True)
        row = run_size(label, path, a)
        rows.append(row)
        c = row.get("cold")
        print(f"{label}: " + (row.get("error") or
                               f"{c['status']} gap={c['mip_gap']} build={c['build_s']:.2f}s hand-off="
                               f"{c['hand_off_s']:.2f}s HiGHS={c['highs_s']:.2f}s extract={_f(c['extract_s'])}s "
                               f"peak={row['rss_mb']['peak']:.0f} MB"), file=sys.stderr, flush=True)
    md = markdown(rows, info, a)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    doc = {"machine": info, "options": vars(a), "rows": rows, "targets": targets(rows), "markdown": md}
    for name in (f"run-{stamp}", "latest"):
        (out_dir / f"{name}.json").write_text(json.dumps(doc, indent=2, default=str))
        (out_dir / f"{name}.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
