"""Run a batch: solve cases on a local process pool or a Dask cluster, write each case's folder atomically
from the submitting process, skip cases already solved with the same inputs, rebuild the summary table.

Workers receive a case's content (instance text and series bytes), not paths, and return the result as
data: a cluster needs no shared file system, and only one process ever writes the output folder.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from .cases import Case
from .table import CASE_FILE

OK_STATUSES = ("optimal",)


@dataclass(frozen=True)
class Options:
    time_limit_s: float | None = None
    mip_rel_gap: float | None = None
    threads: int | None = 1          #: HiGHS threads per case: the pool gives parallelism across cases

    def as_dict(self) -> dict:
        return asdict(self)


def solve_case(case: Case, options: dict) -> dict:
    """Solve one case in this process (a pool worker or a Dask worker); returns what the writer needs."""
    t0 = time.perf_counter()
    from ..api import solve
    from ..inputs import InstanceError, load_instance
    from ..solver import SolveOptions
    t_import = time.perf_counter() - t0
    tmp = Path(tempfile.mkdtemp(prefix="energyopt-case-"))
    try:
        (tmp / "instance.toml").write_text(case.toml, encoding="utf-8")
        for name, data in case.files.items():
            p = tmp / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        try:
            inst = load_instance(tmp / "instance.toml")
        except InstanceError as exc:
            return {"status": "bad_input", "error": exc.render().replace(str(tmp) + "/", ""),
                    "seconds": time.perf_counter() - t0, "import_seconds": t_import}
        kw = {k: v for k, v in {"time_limit_s": options.get("time_limit_s"), "threads": options.get("threads"),
                                "mip_rel_gap": options.get("mip_rel_gap")}.items() if v is not None}
        result = solve(inst, SolveOptions(**kw))
        summary = dict(result.summary)
        summary["instance_file"] = None    # the worker's temporary copy; the case says where it came from
        steps = result.steps.to_csv(index=False, float_format="%.9g") if result.steps is not None else None
        return {"status": result.status.value, "summary": summary, "steps_csv": steps,
                "error": " | ".join(result.diagnosis) or None, "seconds": time.perf_counter() - t0,
                "import_seconds": t_import}
    except Exception as exc:  # noqa: BLE001 - a failing case is recorded, never stops the batch
        return {"status": "error", "error": f"{type(exc).__name__}: {exc}", "seconds": time.perf_counter() - t0,
                "import_seconds": t_import}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _warm() -> None:
    """Pool initializer: import Pyomo, HiGHS and the model once per worker, not once per case."""
    import energyopt.api  # noqa: F401


def write_case(cases_dir: Path, case: Case, input_hash: str, out: dict) -> None:
    """The case's folder, atomically: summary.json, steps.csv (when there is a schedule) and case.json."""
    import io

    import pandas as pd

    from ..results.result import Result
    from ..solver.status import SolveStatus
    summary = out.get("summary") or {"format_version": 1, "instance": case.id, "status": out["status"]}
    summary = {**summary, "plan_id": summary.get("plan_id") or input_hash[:32]}
    meta = {"id": case.id, "source": case.source, "swept": case.swept, "input_hash": input_hash,
            "status": out["status"], "error": out.get("error"), "seconds": out.get("seconds"),
            "import_seconds": out.get("import_seconds")}
    steps = pd.read_csv(io.StringIO(out["steps_csv"])) if out.get("steps_csv") else None
    status = SolveStatus(out["status"]) if out["status"] in SolveStatus._value2member_map_ else SolveStatus.ERROR
    r = Result(status=status, summary=summary, steps=steps,
               extra_files={CASE_FILE: json.dumps(meta, indent=2, default=str) + "\n"})
    r.write(cases_dir / case.id)


def finished_hash(folder: Path) -> str | None:
    """The input hash of a case folder solved to optimality, or None (absent, failed or unreadable)."""
    try:
        meta = json.loads((folder / CASE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta.get("input_hash") if meta.get("status") in OK_STATUSES and (folder / "summary.json").is_file() \
        else None


def recover(cases_dir: Path) -> None:
    """After a batch was killed: put back a previous result caught between its two renames, and remove
    temporary folders, so no half-written folder is ever left."""
    if not cases_dir.is_dir():
        return
    for holder in cases_dir.glob(".*.old-*"):
        name = holder.name[1:].split(".old-")[0]
        if (holder / "r").is_dir() and not (cases_dir / name).exists():
            os.rename(holder / "r", cases_dir / name)
        shutil.rmtree(holder, ignore_errors=True)
    for tmp in cases_dir.glob(".*.tmp-*"):
        shutil.rmtree(tmp, ignore_errors=True)


@dataclass
class Progress:
    total: int
    skipped: int = 0
    done: int = 0
    failed: int = 0
    running: int = 0
    started: float = 0.0

    def line(self) -> str:
        n = self.done + self.failed
        elapsed = time.perf_counter() - self.started
        left = self.total - self.skipped - n
        eta = f"{elapsed / n * left:,.0f} s" if n else "-"
        width = 24
        fill = int(width * (n + self.skipped) / max(self.total, 1))
        return (f"[{'#' * fill}{'.' * (width - fill)}] {n + self.skipped}/{self.total}: {self.done} solved, "
                f"{self.failed} failed, {self.skipped} skipped, {self.running} running, ETA {eta}")


def run_batch(cases: list[Case], out_dir: Path, options: Options, workers: int | None = None,
              scheduler: str | None = None, force: bool = False,
              report: Callable[[Progress], None] | None = None) -> list[dict]:
    """Solve every case not already solved with the same inputs; returns the summary table's rows."""
    from .table import write_table
    cases_dir = out_dir / "cases"
    cases_dir.mkdir(parents=True, exist_ok=True)
    recover(cases_dir)
    opts = options.as_dict()
    hashes = {c.id: c.input_hash(opts) for c in cases}
    todo = [c for c in cases if force or finished_hash(cases_dir / c.id) != hashes[c.id]]
    prog = Progress(total=len(cases), skipped=len(cases) - len(todo), started=time.perf_counter())

    def done(case: Case, out: dict) -> None:
        write_case(cases_dir, case, hashes[case.id], out)
        if out["status"] in OK_STATUSES:
            prog.done += 1
        else:
            prog.failed += 1
        if report:
            report(prog)

    if report:
        report(prog)
    if todo:
        runner = _run_dask if scheduler else _run_local
        runner(todo, opts, done, prog, workers=workers, scheduler=scheduler, report=report)
    return write_table(out_dir, cases)


def _run_local(todo: list[Case], opts: dict, done, prog: Progress, workers: int | None, report, **_) -> None:
    n = max(1, min(workers or os.cpu_count() or 1, len(todo)))
    if n == 1:   # in-process: no pool to start
        for c in todo:
            prog.running = 1
            done(c, solve_case(c, opts))
        prog.running = 0
        return
    with ProcessPoolExecutor(max_workers=n, initializer=_warm) as pool:
        pending = {}
        queue = list(todo)
        while queue or pending:
            while queue and len(pending) < 2 * n:   # a small backlog keeps every worker busy
                c = queue.pop(0)
                pending[pool.submit(solve_case, c, opts)] = c
            prog.running = min(n, len(pending))
            finished, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for f in finished:
                c = pending.pop(f)
                prog.running = min(n, len(pending))
                try:
                    out = f.result()
                except Exception as exc:  # noqa: BLE001 - a worker that died: the case is recorded as failed
                    out = {"status": "error", "error": f"worker failed: {type(exc).__name__}: {exc}"}
                done(c, out)
            if report and not finished:
                report(prog)
    prog.running = 0


def _run_dask(todo: list[Case], opts: dict, done, prog: Progress, scheduler: str, report, **_) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise BatchError("--scheduler needs dask.distributed: pip install 'energyopt[cluster]'") from None
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise BatchError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        futures = {client.submit(solve_case, c, opts, key=f"energyopt-{c.id}-{c.input_hash(opts)[:12]}",
                                 pure=False): c for c in todo}
        prog.running = min(len(futures), sum(w.get("nthreads", 1) for w in
                                             client.scheduler_info()["workers"].values()) or 1)
        for fut in as_completed(futures):
            c = futures[fut]
            prog.running = max(0, prog.running - (1 if prog.done + prog.failed + prog.running >= len(futures) else 0))
            try:
                out = fut.result()
            except Exception as exc:  # noqa: BLE001 - e.g. the task's workers all died
                out = {"status": "error", "error": f"on the cluster: {type(exc).__name__}: {exc}"}
            done(c, out)
    finally:
        client.close()
    prog.running = 0


class BatchError(Exception):
    """The batch cannot run (no cluster, no dask); nothing was written for the cases not yet run."""


def progress_printer(quiet: bool, stream=sys.stderr) -> Callable[[Progress], None] | None:
    if quiet:
        return None
    last = [0.0]
    tty = stream.isatty()

    def show(p: Progress) -> None:
        now = time.perf_counter()
        n = p.done + p.failed + p.skipped
        if now - last[0] < (0.2 if tty else 5.0) and n < p.total:
            return
        last[0] = now
        stream.write(("\r" if tty else "") + p.line() + ("" if tty and n < p.total else "\n"))
        stream.flush()
    return show

