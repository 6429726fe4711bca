"""Batch scaling: 200 small day-ahead cases through `energyopt batch`, on 1 and on 2 local workers.

    python benchmarks/batch_scaling.py [--cases 200] [--workers 1 2] [--repeat 1] [--wait-idle S] [--keep]

The cases are a sweep over ``instances/small`` (6 hourly steps, one job, one genset, one notice) with
``--cases`` price-scale factors, written to a temporary folder. Each worker count runs the real CLI
(``python cli.py batch --sweep ... --workers W --out FRESH --quiet``) in a fresh process and is timed end to
end (interpreter start to exit). ``--workers 1`` solves in the submitting process (no pool).

Per case, from the case folders the batch wrote:

* ``summary.json`` ``timings_s``: build, hand_off (includes compile), highs, load, extract;
* ``case.json`` ``seconds`` (the whole case in the worker: writing its inputs to a temporary folder,
  loading, building, solving, extracting, serialising) and ``import_seconds``.

"other worker time" = seconds - import_seconds - (build + hand_off + highs + load + extract): writing and
loading the instance, the steps table as CSV text, temporary folders. "worker ms" is seconds - import_seconds
(the import is one-time start-up). "submitter per case" = wall / cases - mean worker ms / workers: what the
submitting process adds per case (pickling, the atomic folder write with its fsyncs, progress, the summary
table, plus the start-up spread over the cases); it is also given with the one-time start-up taken out first.

``--wait-idle S`` first waits up to S seconds until other processes use under 0.3 CPUs (a shared machine
skews every figure); the CPUs other processes used before and after each run are in the JSON.

One-time start-up, each in a fresh process: the interpreter alone; the CLI with nothing to do (the same
command again on a finished folder: imports, reading and hashing the cases, the summary table); and the
pool's start with every worker's imports (``ProcessPoolExecutor(initializer=_warm)`` until each worker
answered; for 1 worker, ``import energyopt.api`` in the process).

Results go to ``benchmarks/results/batch_scaling.json`` (git-ignored).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
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
SMALL = ROOT / "instances" / "small"
sys.path.insert(0, str(HERE))
from run import loadavg, machine_info  # noqa: E402

STAGES = ("build", "hand_off", "highs", "load", "extract")

POOL_START = r"""
import json, os, sys, time
n = int(sys.argv[1])
t0 = time.perf_counter()
if n == 1:
    import energyopt.api
    print(json.dumps({"seconds": time.perf_counter() - t0}))
    sys.exit()
from concurrent.futures import ProcessPoolExecutor
from energyopt.batch.runner import _warm
from _batch_scaling_probe import pid
t0 = time.perf_counter()
with ProcessPoolExecutor(max_workers=n, initializer=_warm) as pool:
    pids = set()
    while len(pids) < n:
        pids |= set(pool.map(pid, range(n)))
    t1 = time.perf_counter()
print(json.dumps({"seconds": t1 - t0}))
"""
PROBE = "import os\nimport time\n\n\ndef pid(_):\n    time.sleep(0.02)\n    return os.getpid()\n"


def busy_cpus(seconds: float = 1.0) -> float | None:
    """CPUs' worth of time used by anything over ``seconds`` (from /proc/stat); None where unknown."""
    def sample():
        f = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return sum(f[:8]), f[3] + f[4]          # total, idle + iowait
    try:
        t0, i0 = sample()
        time.sleep(seconds)
        t1, i1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return (1 - (i1 - i0) / max(t1 - t0, 1)) * (os.cpu_count() or 1)


def wait_idle(limit_s: float, threshold: float = 0.3) -> float | None:
    """Wait (up to ``limit_s``) until other processes use less than ``threshold`` CPUs; returns the last reading."""
    end = time.monotonic() + limit_s
    while True:
        busy = busy_cpus()
        if busy is None or busy < threshold or time.monotonic() > end:
            return busy
        print(f"  machine busy ({busy:.2f} CPUs in use by other processes); waiting...", flush=True)
        time.sleep(4)


def write_sweep(folder: Path, n: int) -> tuple[Path, list[float]]:
    shutil.copytree(SMALL, folder / "small")
    factors = [round(0.5 + i * (1.5 / max(n - 1, 1)), 6) for i in range(n)]
    assert len({f"{f:g}" for f in factors}) == n, "case ids would collide"
    sweep = folder / "small" / "prices.toml"
    sweep.write_text('base = "small.toml"\nname = "p"\n\n[[axis]]\npath = "grid.price_usd_per_mwh"\n'
                     f"scale = [{', '.join(map(repr, factors))}]\n", encoding="utf-8")
    return sweep, factors


def timed(cmd: list, cwd: Path) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run([*map(str, cmd)], cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return wall


def pool_start(workers: int, cwd: Path) -> float:
    """Seconds from creating the pool to every worker having run its initializer (1 worker: the import)."""
    (cwd / "_batch_scaling_probe.py").write_text(PROBE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(cwd), str(ROOT)])}
    proc = subprocess.run([sys.executable, "-c", POOL_START, str(workers)], cwd=cwd, capture_output=True,
                          text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"pool start-up probe failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])["seconds"]


def case_figures(out: Path) -> dict:
    rows = []
    for folder in sorted((out / "cases").iterdir()):
        if folder.name.startswith("."):
            continue
        s = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        m = json.loads((folder / "case.json").read_text(encoding="utf-8"))
        t = s["timings_s"]
        stages = {k: t.get(k, 0.0) for k in STAGES}
        rows.append({"status": m["status"], "seconds": m["seconds"] - m["import_seconds"],
                     "import": m["import_seconds"], **stages,
                     "other": m["seconds"] - m["import_seconds"] - sum(stages.values())})

    def mean(k):
        return statistics.fmean(r[k] for r in rows)
    return {"cases": len(rows), "optimal": sum(r["status"] == "optimal" for r in rows),
            "mean_worker_seconds": mean("seconds"), "mean_highs": mean("highs"),
            "mean_build_handoff_extract": statistics.fmean(r["build"] + r["hand_off"] + r["extract"] for r in rows),
            "mean_build": mean("build"), "mean_hand_off": mean("hand_off"), "mean_load": mean("load"),
            "mean_extract": mean("extract"), "mean_other_worker": mean("other"),
            "mean_import_in_case": mean("import"), "max_import_in_case": max(r["import"] for r in rows)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=1, help="runs per worker count; the fastest is reported")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (printed)")
    ap.add_argument("--wait-idle", type=float, default=0, metavar="S",
                    help="first wait up to S seconds for other processes to leave the CPUs alone")
    args = ap.parse_args()

    info = machine_info()
    print(f"machine: {info['cpu_model']}, {info['logical_cpus']} logical CPUs ({info['cpus_usable']} usable), "
          f"{info['ram_gib']} GiB; {info['platform']}")
    print(f"Python {info['python']}, Pyomo {info['pyomo']}, HiGHS {info['highs']} (highspy {info['highspy']}), "
          f"pandas {info['pandas']}; load average {loadavg()}")
    busy_before = wait_idle(args.wait_idle) if args.wait_idle > 0 else busy_cpus()
    if busy_before is not None:
        print(f"CPUs in use by other processes before the runs: {busy_before:.2f}"
              + ("  (WARNING: busy machine, the figures are not clean)" if busy_before >= 0.3 else ""))

    tmp = Path(tempfile.mkdtemp(prefix="energyopt-batch-scaling-"))
    try:
        sweep, _ = write_sweep(tmp, args.cases)
        cli = [sys.executable, ROOT / "cli.py", "batch", "--sweep", sweep, "--quiet"]
        interp = min(timed([sys.executable, "-c", "pass"], tmp) for _ in range(3))
        runs = {}
        for w in args.workers:
            walls = []
            for k in range(args.repeat):
                out = tmp / f"out-w{w}-{k}"
                walls.append(timed([*cli, "--workers", w, "--out", out], tmp))
            best = walls.index(min(walls))
            out = tmp / f"out-w{w}-{best}"
            fig = case_figures(out)
            if fig["cases"] != args.cases or fig["optimal"] != args.cases:
                sys.exit(f"--workers {w}: {fig['optimal']} optimal of {fig['cases']} folders, expected {args.cases}")
            noop = min(timed([*cli, "--workers", w, "--out", out], tmp) for _ in range(2))   # all skipped
            pool = min(pool_start(w, tmp) for _ in range(2))
            wall = walls[best]
            startup = noop + pool
            runs[w] = {"busy_cpus_after": busy_cpus(0.5), "wall_s": wall, "walls_s": walls,
                       "per_case_wall_s": wall / args.cases, **fig,
                       "startup_cli_noop_s": noop, "startup_pool_s": pool, "startup_s": startup,
                       "submitter_per_case_s": wall / args.cases - fig["mean_worker_seconds"] / w,
                       "submitter_per_case_excl_startup_s":
                           (wall - startup) / args.cases - fig["mean_worker_seconds"] / w}
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    ms = 1e3
    print(f"\n{args.cases} cases (instances/small, price scale sweep); interpreter start {interp:.3f} s")
    print(f"{'workers':>8} {'wall s':>8} {'ms/case':>8} {'HiGHS ms':>9} {'b+h+x ms':>9} {'load ms':>8} "
          f"{'other ms':>9} {'worker ms':>10} {'submit ms':>10} {'(excl. start)':>14} {'start-up s':>11}")
    for w, r in runs.items():
        print(f"{w:>8} {r['wall_s']:>8.2f} {r['per_case_wall_s'] * ms:>8.1f} {r['mean_highs'] * ms:>9.2f} "
              f"{r['mean_build_handoff_extract'] * ms:>9.2f} {r['mean_load'] * ms:>8.2f} "
              f"{r['mean_other_worker'] * ms:>9.2f} {r['mean_worker_seconds'] * ms:>10.2f} "
              f"{r['submitter_per_case_s'] * ms:>10.2f} {r['submitter_per_case_excl_startup_s'] * ms:>14.2f} "
              f"{r['startup_s']:>11.2f}")
    for w, r in runs.items():
        print(f"  workers {w}: build {r['mean_build'] * ms:.2f} ms, hand-off {r['mean_hand_off'] * ms:.2f} ms, "
              f"extract {r['mean_extract'] * ms:.2f} ms (means); start-up = CLI with nothing to do "
              f"{r['startup_cli_noop_s']:.2f} s + {'pool start and worker imports' if w > 1 else 'import in process'} "
              f"{r['startup_pool_s']:.2f} s")
    ratio = None
    if 1 in runs and 2 in runs:
        ratio = runs[2]["wall_s"] / runs[1]["wall_s"]
        print(f"\nwall(2 workers) / wall(1 worker) = {runs[2]['wall_s']:.2f} / {runs[1]['wall_s']:.2f} = "
              f"{ratio:.3f}  (target <= 0.55 on 2 cores: {'met' if ratio <= 0.55 else 'NOT met'})")
        work = {w: runs[w]["wall_s"] - runs[w]["startup_s"] for w in (1, 2)}
        print(f"without the one-time start-up: {work[2]:.2f} / {work[1]:.2f} = {work[2] / work[1]:.3f}")
        floor = (runs[2]["startup_s"] + work[1] / 2) / runs[1]["wall_s"]
        print(f"floor with this start-up and perfect scaling of the rest: ({runs[2]['startup_s']:.2f} + "
              f"{work[1]:.2f} / 2) / {runs[1]['wall_s']:.2f} = {floor:.3f}")

    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "batch_scaling.json"
    path.write_text(json.dumps({"when": datetime.now().isoformat(timespec="seconds"), "machine": info,
                                "loadavg": loadavg(), "busy_cpus_before": busy_before, "cases": args.cases,
                                "interpreter_start_s": interp,
                                "runs": {str(w): r for w, r in runs.items()}, "ratio_2_over_1": ratio,
                                "mean_worker_seconds_excludes_import": True},
                               indent=2) + "\n", encoding="utf-8")
    print(f"results: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
