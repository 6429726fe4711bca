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
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from ..errors import BatchError
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
    t0, started = time.perf_counter(), time.monotonic()
    from ..api import solve, solver_error_text
    from ..inputs import InstanceError, load_instance
    from ..solver import SolveOptions, with_budget
    from ..solver.status import SolveStatus
    t_import = time.perf_counter() - t0
    tmp = Path(tempfile.mkdtemp(prefix="energyopt-case-"))
    try:
        (tmp / "instance.toml").write_text(case.toml, encoding="utf-8")
        for name, data in case.files.items():
            p = (tmp / name).resolve()
            if not p.is_relative_to(tmp.resolve()):   # never write outside the case's own folder
                return {"status": "bad_input", "error": f"series file {name!r} is not inside the instance's folder",
                        "seconds": time.perf_counter() - t0, "import_seconds": t_import}
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        try:
            inst = load_instance(tmp / "instance.toml")
        except InstanceError as exc:
            return {"status": "bad_input", "error": exc.render().replace(str(tmp) + "/", ""),
                    "seconds": time.perf_counter() - t0, "import_seconds": t_import}
        kw = {k: v for k, v in {"time_limit_s": options.get("time_limit_s"), "threads": options.get("threads"),
                                "mip_rel_gap": options.get("mip_rel_gap")}.items() if v is not None}
        # --time-limit is each case's whole budget (loading, building, solving, diagnosis) from its start here
        result = solve(inst, with_budget(SolveOptions(**kw), options.get("time_limit_s"), start=started))
        summary = dict(result.summary)
        summary["instance_file"] = None    # the worker's temporary copy; the case says where it came from
        steps = result.steps.to_csv(index=False, float_format="%.9g") if result.steps is not None else None
        error = " | ".join(result.diagnosis) or None
        if error is None and result.status is SolveStatus.ERROR:   # a solver error always says what HiGHS said
            error = solver_error_text(summary.get("solver", {}).get("highs_status", "unknown"))
        return {"status": result.status.value, "summary": summary, "steps_csv": steps,
                "error": error, "seconds": time.perf_counter() - t0,
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
    from ..results.result import Result
    from ..solver.status import SolveStatus
    summary = out.get("summary") or {"format_version": 1, "instance": case.id, "status": out["status"]}
    summary = {**summary, "plan_id": summary.get("plan_id") or input_hash[:32]}
    meta = {"id": case.id, "source": case.source, "swept": case.swept, "input_hash": input_hash,
            "status": out["status"], "error": out.get("error"), "seconds": out.get("seconds"),
            "import_seconds": out.get("import_seconds")}
    status = SolveStatus(out["status"]) if out["status"] in SolveStatus._value2member_map_ else SolveStatus.ERROR
    r = Result(status=status, summary=summary, steps_text=out.get("steps_csv"),
               extra_files={CASE_FILE: json.dumps(meta, indent=2, default=str) + "\n"})
    r.write(cases_dir / case.id)


def solve_and_write(case: Case, options: dict, cases_dir: str, input_hash: str) -> dict:
    """A local pool worker solves the case and writes its folder itself (the folders are on this machine),
    so the submitting process does not become the bottleneck; returns only the status."""
    out = solve_case(case, options)
    write_case(Path(cases_dir), case, input_hash, out)
    return {"status": out["status"], "error": out.get("error")}


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
    for tmp in list(cases_dir.parent.glob(".summary.csv.*")) + list(cases_dir.parent.glob(".summary.parquet.*")):
        tmp.unlink(missing_ok=True)


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
              report: Callable[[Progress], None] | None = None, security=None,
              warn: Callable[[str], None] | None = None) -> list[dict]:
    """Solve every case not already solved with the same inputs; returns the summary table's rows.
    ``security``: a ``distributed.security.Security`` for the scheduler (None: Dask's configuration); ``warn``
    receives the warning for a scheduler off this machine reached without TLS (default: stderr)."""
    from .table import write_table
    cases_dir = out_dir / "cases"
    cases_dir.mkdir(parents=True, exist_ok=True)
    recover(cases_dir)
    opts = options.as_dict()
    hashes = {c.id: c.input_hash(opts) for c in cases}
    todo = [c for c in cases if force or finished_hash(cases_dir / c.id) != hashes[c.id]]
    prog = Progress(total=len(cases), skipped=len(cases) - len(todo), started=time.perf_counter())

    if scheduler is not None and not scheduler.strip():
        raise BatchError("--scheduler: the address is empty (e.g. tcp://10.0.0.5:8786)")

    def done(case: Case, out: dict, written: bool = False) -> None:
        if not written:
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
        if scheduler is not None:
            _run_dask(todo, opts, done, prog, scheduler=scheduler, report=report, security=security, warn=warn)
        else:
            _run_local(todo, opts, done, prog, workers=workers, report=report, cases_dir=cases_dir, hashes=hashes)
    return write_table(out_dir, cases)


def _run_local(todo: list[Case], opts: dict, done, prog: Progress, workers: int | None, report, cases_dir: Path,
               hashes: dict[str, str]) -> None:
    n = max(1, min(workers or os.cpu_count() or 1, len(todo)))
    if n == 1:   # in-process: no pool to start
        for c in todo:
            prog.running = 1
            done(c, solve_case(c, opts))
        prog.running = 0
        return
    queue = list(todo)
    crashes: dict[str, int] = {}
    while queue:
        # A worker killed from outside breaks the whole pool: start a new one and give its cases again; a case
        # that was running in two broken pools is recorded as failed (it may be what kills them).
        queue = _pool_round(queue, n, opts, done, prog, report, cases_dir, hashes, crashes)
    prog.running = 0


def _pool_round(queue: list[Case], n: int, opts: dict, done, prog: Progress, report, cases_dir: Path,
                hashes: dict[str, str], crashes: dict[str, int]) -> list[Case]:
    queue = list(queue)
    pending: dict = {}
    pool = ProcessPoolExecutor(max_workers=n, initializer=_warm)
    try:
        while queue or pending:
            while queue and len(pending) < 2 * n:   # a small backlog keeps every worker busy
                c = queue.pop(0)
                pending[pool.submit(solve_and_write, c, opts, str(cases_dir), hashes[c.id])] = c
            prog.running = min(n, len(pending))
            finished, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for f in finished:
                c = pending.pop(f)
                prog.running = min(n, len(pending))
                try:
                    out = f.result()
                except BrokenProcessPool:
                    crashes[c.id] = crashes.get(c.id, 0) + 1
                    if crashes[c.id] < 2:
                        return [c, *pending.values(), *queue]
                    done(c, {"status": "error", "error": "its worker process died twice while solving it"})
                    return [*pending.values(), *queue]
                done(c, out, written=True)
            if report and not finished:
                report(prog)
        return []
    except BrokenProcessPool:
        return [*pending.values(), *queue]
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _run_dask(todo: list[Case], opts: dict, done, prog: Progress, scheduler: str, report, security=None,
              warn: Callable[[str], None] | None = None, **_) -> None:
    from .cluster import insecure_warning
    try:
        from distributed import Client
    except ImportError:
        raise BatchError("--scheduler needs dask.distributed: pip install 'energyopt[cluster]'") from None
    message = insecure_warning(scheduler, security)
    if message:
        (warn or (lambda m: print(m, file=sys.stderr, flush=True)))(message)
    import logging
    # distributed logs lost results and its own shutdown as warnings and tracebacks; the batch reports what
    # matters itself (cases failed, no workers left), so only its critical messages reach the user.
    for name in [n for n in list(logging.root.manager.loggerDict) if n.startswith("distributed")] + [
            "distributed", "asyncio"]:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        client = Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S}s",
                        **({"security": security} if security is not None else {}))
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise BatchError(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from None
    try:
        futures = {client.submit(solve_case, c, opts, key=f"energyopt-{c.id}-{c.input_hash(opts)[:12]}",
                                 pure=False): c for c in todo}
        left = set(futures)
        idle_since = None
        last_check = 0.0
        workers: dict = {}
        while left:
            ready = {f for f in left if f.done()}
            now = time.perf_counter()
            if not ready or now - last_check > 2.0:   # who is still there (also while results stream in)
                workers = client.scheduler_info().get("workers", {})
                last_check = now
            prog.running = min(len(left), sum(w.get("nthreads", 1) for w in workers.values()))
            if not workers:   # no worker to run the rest: give up after a while, keeping every finished case
                idle_since = idle_since or now
                if now - idle_since > NO_WORKERS_TIMEOUT_S:
                    raise BatchError(f"the Dask scheduler at {scheduler} has had no workers for "
                                     f"{NO_WORKERS_TIMEOUT_S:g} s; {len(left)} case(s) not run (the finished "
                                     "ones are written; run the batch again to finish)")
            else:
                idle_since = None
            if not ready or not workers:
                time.sleep(0.2)
                if report:
                    report(prog)
                continue
            for fut in ready:
                try:
                    out = fut.result(timeout=GATHER_TIMEOUT_S)
                except TimeoutError:
                    last_check = 0.0   # its result was on a worker that died: look again before waiting more
                    break
                except Exception as exc:  # noqa: BLE001 - e.g. the task's workers all died
                    out = {"status": "error", "error": f"on the cluster: {type(exc).__name__}: {exc}"}
                left.discard(fut)
                done(futures[fut], out)
    finally:
        client.close()
    prog.running = 0


#: Seconds to connect to a scheduler, and to wait when it has no workers left, before giving up (exit 15).
CONNECT_TIMEOUT_S = 10
GATHER_TIMEOUT_S = 2.0
NO_WORKERS_TIMEOUT_S = float(os.environ.get("ENERGYOPT_DASK_NO_WORKERS_S", "60"))


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

