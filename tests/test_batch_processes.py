"""`energyopt batch` with real processes (no mocks): a batch killed with SIGKILL leaves only complete case
folders and resumes without solving finished cases again; a real Dask scheduler with two workers gives the
local pool's results, also when one worker is killed mid-run; a scheduler address where nothing listens
exits 15 with a message.

The kill-and-resume, cluster and nothing-listening tests take 6-17 s each and are marked `slow` (CI runs
them; `pytest -m "not slow"` leaves them out); their fast in-process siblings are in test_batch.py (resume,
a Dask scheduler's results, no workers, nothing listening).

Every child runs in its own session and is killed by process group in a ``finally``. Each CLI run pays
~1-2 s of start-up; the cases themselves (``instances/small`` with scaled prices) take ~30 ms each.
"""
from __future__ import annotations

import csv
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "instances" / "small"
BATCH = [sys.executable, str(ROOT / "cli.py"), "batch"]
AXIS = "price_usd_per_mwh"      # the label of a `grid.price_usd_per_mwh` axis in case ids
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and process groups")


# -- helpers ------------------------------------------------------------------------------------------
def _env(cwd: Path) -> dict:
    """The children's environment: the checkout importable even where the package is not installed, and
    temporary files under the test's folder (a killed worker leaves its case's temporary folder behind)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    tmp = cwd / "tmp"
    tmp.mkdir(exist_ok=True)
    env["TMPDIR"] = str(tmp)
    return env


def make_sweep(tmp: Path, name: str, factors: list[float]) -> tuple[Path, list[str]]:
    """A copy of instances/small and a sweep scaling its prices; returns the sweep and the expected case ids."""
    folder = tmp / "small"
    if not folder.exists():
        shutil.copytree(SMALL, folder)
    sweep = folder / f"{name}.toml"
    sweep.write_text(f'base = "small.toml"\nname = "{name}"\n\n[[axis]]\npath = "grid.price_usd_per_mwh"\n'
                     f"scale = [{', '.join(repr(f) for f in factors)}]\n", encoding="utf-8")
    ids = [f"{name}__{AXIS}=x{f:g}" for f in factors]
    assert len(set(ids)) == len(ids)
    return sweep, ids


def n_steps() -> int:
    h = tomllib.loads((SMALL / "small.toml").read_text(encoding="utf-8"))["horizon"]
    return round(h["hours"] * 60 / h["step_minutes"])


def visible(cases_dir: Path) -> list[Path]:
    try:
        return sorted(p for p in cases_dir.iterdir() if not p.name.startswith("."))
    except FileNotFoundError:
        return []


def hidden(cases_dir: Path) -> list[str]:
    return sorted(p.name for p in cases_dir.iterdir() if p.name.startswith("."))


def assert_complete(folder: Path, steps: int) -> dict:
    """summary.json, steps.csv and case.json all parse and agree; returns case.json."""
    names = {p.name for p in folder.iterdir()}
    assert {"summary.json", "steps.csv", "case.json"} <= names, f"{folder.name} holds only {sorted(names)}"
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    meta = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    with open(folder / "steps.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == steps, f"{folder.name}/steps.csv has {len(rows)} rows, expected {steps}"
    assert meta["id"] == folder.name and meta["status"] == summary["status"] == "optimal", (folder.name, meta)
    assert isinstance(summary["objective_usd"], float) and math.isfinite(summary["objective_usd"])
    assert re.fullmatch(r"[0-9a-f]{64}", meta["input_hash"])
    return meta


def results(out: Path) -> dict[str, tuple[str, float]]:
    """Case id -> (status, objective) from the case folders, checked against summary.csv (one row per case)."""
    from_folders = {}
    for folder in visible(out / "cases"):
        s = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        m = json.loads((folder / "case.json").read_text(encoding="utf-8"))
        from_folders[folder.name] = (m["status"], s["objective_usd"])
    with open(out / "summary.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "summary.csv lists a case twice"
    assert set(ids) == set(from_folders), set(ids) ^ set(from_folders)
    for r in rows:
        status, obj = from_folders[r["id"]]
        assert r["status"] == status and float(r["objective_usd"]) == pytest.approx(obj, rel=1e-12), r["id"]
    return from_folders


def assert_same(a: dict, b: dict) -> None:
    assert sorted(a) == sorted(b)
    for cid in a:
        assert a[cid][0] == b[cid][0], (cid, a[cid], b[cid])
        assert a[cid][1] == pytest.approx(b[cid][1], rel=1e-9), (cid, a[cid], b[cid])


def run(args: list, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """The batch command to completion, in its own session; its process group is killed whatever happens."""
    cmd = [*BATCH, *map(str, args)]
    proc = subprocess.Popen(cmd, cwd=cwd, env=_env(cwd), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        killpg(proc)
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def assert_exit(proc: subprocess.CompletedProcess, code: int) -> None:
    assert proc.returncode == code, (f"exit {proc.returncode}, expected {code}\n--- stdout\n{proc.stdout}"
                                     f"\n--- stderr\n{proc.stderr}")
    assert "Traceback" not in proc.stderr


def popen(cmd: list, cwd: Path, log: Path) -> subprocess.Popen:
    """A child in its own session (so its whole process group can be killed), output to a file."""
    with open(log, "wb") as f:
        return subprocess.Popen([*map(str, cmd)], cwd=cwd, env=_env(cwd), stdout=f, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def killpg(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def poll(cond, timeout: float, what: str, interval: float = 0.002, proc: subprocess.Popen | None = None):
    """Wait until ``cond()`` is truthy (returns it); fails after ``timeout`` s or if ``proc`` ended first."""
    end = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the process ended (exit {proc.returncode}) before {what}")
        if time.monotonic() > end:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def identity(folder: Path) -> tuple:
    """What changes when a case folder is written again: the folder's inode, case.json's bytes and mtime."""
    st = (folder / "case.json").stat()
    return folder.stat().st_ino, st.st_mtime_ns, (folder / "case.json").read_bytes()


# -- a: kill the local pool, resume -----------------------------------------------------------------------
@pytest.mark.slow
def test_killed_batch_leaves_whole_cases_and_resumes_without_redoing_them(tmp_path):
    factors = [round(0.5 + 0.025 * i, 4) for i in range(40)]
    sweep, ids = make_sweep(tmp_path, "k", factors)
    steps = n_steps()
    out = tmp_path / "out"
    cmd = [*BATCH, "--sweep", sweep, "--workers", "2", "--out", out]

    proc = popen(cmd, tmp_path, tmp_path / "killed.log")
    try:
        # kill as soon as a few cases are written: the pool is busy with the next ones
        poll(lambda: len(visible(out / "cases")) >= 3, 90, "3 case folders", proc=proc)
    finally:
        killpg(proc)
    assert proc.returncode == -signal.SIGKILL
    done = visible(out / "cases")
    assert 3 <= len(done) < len(ids), f"{len(done)} of {len(ids)} cases finished before the kill"
    for folder in done:
        assert folder.name in ids
        assert_complete(folder, steps)
    before = {f.name: identity(f) for f in done}

    resumed = run(["--sweep", sweep, "--workers", "2", "--out", out, "--quiet"], tmp_path)
    assert_exit(resumed, 0)
    assert sorted(p.name for p in visible(out / "cases")) == sorted(ids)
    assert hidden(out / "cases") == [], "temporary folders left behind"
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "temporary files left in --out"
    for folder in visible(out / "cases"):
        assert_complete(folder, steps)
    for name, ident in before.items():   # finished before the kill: skipped, not solved and written again
        assert identity(out / "cases" / name) == ident, f"{name} was solved again"
    resumed_results = results(out)
    assert sorted(resumed_results) == sorted(ids)

    fresh = tmp_path / "fresh"
    assert_exit(run(["--sweep", sweep, "--workers", "2", "--out", fresh, "--quiet"], tmp_path), 0)
    assert_same(resumed_results, results(fresh))
    assert all(s == "optimal" for s, _ in resumed_results.values())


# -- b: a real Dask scheduler and two workers -------------------------------------------------------------
def _dask_command() -> list[str]:
    exe = Path(sys.executable).with_name("dask")
    found = str(exe) if exe.exists() else shutil.which("dask")
    if not found:
        pytest.skip("the `dask` command is not installed (pip install 'energyopt[cluster]')")
    return [found]


@pytest.fixture
def dask_cluster(tmp_path):
    """A scheduler on a free port and two single-thread workers, each its own process group; yields
    (address, [worker processes]) once the scheduler sees both workers."""
    pytest.importorskip("distributed", reason="the Dask tests need `distributed` (pip install 'energyopt[cluster]')")
    from distributed import Client

    dask = _dask_command()
    logs = tmp_path / "dask"
    logs.mkdir()
    procs: list[subprocess.Popen] = []
    try:
        sched = popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                       "--dashboard-address", "127.0.0.1:0"], logs, logs / "scheduler.log")
        procs.append(sched)
        addr = poll(lambda: (m := re.search(r"Scheduler at:\s*(tcp://127\.0\.0\.1:\d+)",
                                            (logs / "scheduler.log").read_text(errors="replace"))) and m.group(1),
                    60, "the scheduler's address", interval=0.05, proc=sched)
        workers = [popen([*dask, "worker", addr, "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
                          "--dashboard-address", "127.0.0.1:0", "--name", f"w{i}"], logs, logs / f"worker{i}.log")
                   for i in range(2)]
        procs += workers
        with Client(addr, timeout="20s") as client:
            client.wait_for_workers(2, timeout=60)
            assert len(client.scheduler_info()["workers"]) == 2
        yield addr, workers
    finally:
        for p in reversed(procs):
            killpg(p)


@pytest.mark.slow
def test_dask_cluster_matches_local_pool_and_survives_a_killed_worker(tmp_path, dask_cluster):
    addr, workers = dask_cluster
    factors = [round(0.7 + 0.02 * i, 4) for i in range(30)]
    sweep, ids = make_sweep(tmp_path, "d", factors)
    steps = n_steps()
    out, local = tmp_path / "dask-out", tmp_path / "local-out"

    assert_exit(run(["--sweep", sweep, "--scheduler", addr, "--out", out, "--quiet"], tmp_path), 0)
    assert_exit(run(["--sweep", sweep, "--workers", "2", "--out", local, "--quiet"], tmp_path), 0)
    assert sorted(p.name for p in visible(out / "cases")) == sorted(ids)
    for folder in visible(out / "cases"):
        assert_complete(folder, steps)
    local_results = results(local)
    assert_same(results(out), local_results)

    # again with --force; one worker is killed (nanny and worker process) once a few cases are written
    before = {f.name: identity(f) for f in visible(out / "cases")}

    def rewritten() -> int:
        n = 0
        for name, ident in before.items():
            try:
                n += (out / "cases" / name).stat().st_ino != ident[0]
            except FileNotFoundError:   # between the two renames of a replacement
                pass
        return n

    proc = popen([*BATCH, "--sweep", sweep, "--scheduler", addr, "--out", out, "--force", "--quiet"], tmp_path,
                 tmp_path / "force.log")
    try:
        poll(lambda: rewritten() >= 3, 90, "3 cases solved again", proc=proc)
        killpg(workers[0])
        at_kill = rewritten()
        proc.wait(timeout=120)
    finally:
        killpg(proc)
    log = (tmp_path / "force.log").read_text(errors="replace")
    assert proc.returncode == 0, log
    assert "Traceback" not in log
    assert at_kill < len(ids), "every case was done before the worker was killed; the kill tested nothing"
    assert sorted(p.name for p in visible(out / "cases")) == sorted(ids)
    assert hidden(out / "cases") == []
    for folder in visible(out / "cases"):
        assert_complete(folder, steps)
        assert identity(folder) != before[folder.name], f"{folder.name} was not solved again under --force"
    assert_same(results(out), local_results)

    from distributed import Client
    with Client(addr, timeout="20s") as client:   # the kill really removed a worker
        assert len(client.scheduler_info()["workers"]) == 1


@pytest.mark.slow
def test_a_cluster_that_loses_every_worker_gives_up_keeping_finished_cases(tmp_path, dask_cluster):
    # Regression: with no worker left the batch waited forever. Now it exits 15 after
    # ENERGYOPT_DASK_NO_WORKERS_S (here 3 s), with the cases finished so far written and whole.
    addr, workers = dask_cluster
    sweep, ids = make_sweep(tmp_path, "g", [round(0.5 + 0.01 * i, 4) for i in range(200)])
    env = {**_env(tmp_path), "ENERGYOPT_DASK_NO_WORKERS_S": "3"}
    proc = subprocess.Popen([*BATCH, "--sweep", str(sweep), "--scheduler", addr, "--out", str(tmp_path / "out"),
                             "--quiet"], cwd=tmp_path, env=env, start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        poll(lambda: len(visible(tmp_path / "out" / "cases")) >= 3, 90, "3 cases solved", proc=proc)
        for w in workers:
            killpg(w)
        out, err = proc.communicate(timeout=90)
    finally:
        killpg(proc)
    assert proc.returncode == 15, err
    assert "no workers" in err and "Traceback" not in err
    done = visible(tmp_path / "out" / "cases")
    assert 3 <= len(done) < len(ids)
    for folder in done:
        assert_complete(folder, n_steps())


# -- c: no scheduler ----------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_scheduler_where_nothing_listens_exits_15(tmp_path):
    sweep, _ = make_sweep(tmp_path, "n", [1.0, 2.0])
    addr = f"tcp://127.0.0.1:{_free_port()}"
    t0 = time.monotonic()
    proc = run(["--sweep", sweep, "--scheduler", addr, "--out", tmp_path / "out"], tmp_path, timeout=45)
    elapsed = time.monotonic() - t0
    assert_exit(proc, 15)
    assert addr in proc.stderr and ("scheduler" in proc.stderr.lower() or "dask" in proc.stderr.lower())
    assert elapsed < 40, f"took {elapsed:.1f} s to give up"
    assert visible(tmp_path / "out" / "cases") == []


@pytest.mark.parametrize("address", ["foo://127.0.0.1:1", " "])
def test_scheduler_address_with_unknown_scheme_or_empty_is_refused_cleanly(tmp_path, address):
    # Regression: an unknown scheme raised ValueError (exit 1); an empty address silently ran locally.
    sweep, _ = make_sweep(tmp_path, "u", [1.0])
    proc = run(["--sweep", sweep, "--scheduler", address, "--out", tmp_path / "out"], tmp_path, timeout=45)
    assert proc.returncode == 15, proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr


def test_a_pool_worker_killed_from_outside_does_not_stop_the_batch(tmp_path):
    # Regression: SIGKILL of one pool worker broke the pool (BrokenProcessPool, exit 1, cases never run).
    # Now a new pool takes the pending cases; every case ends solved exactly once.
    sweep, ids = make_sweep(tmp_path, "k", [1.0 + i / 100 for i in range(60)])
    proc = subprocess.Popen([*BATCH, "--sweep", str(sweep), "--out", str(tmp_path / "out"), "--workers", "2", "-q"],
                            cwd=tmp_path, env=_env(tmp_path), start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        killed = False
        while time.time() < deadline and not killed and proc.poll() is None:
            kids = _children(proc.pid)
            if len(kids) >= 2 and len(visible(tmp_path / "out" / "cases")) >= 3:
                os.kill(kids[0], signal.SIGKILL)
                killed = True
            time.sleep(0.05)
        out, err = proc.communicate(timeout=120)
    finally:
        killpg(proc)
    assert killed, "the batch ended before a worker could be killed"
    assert proc.returncode == 0, err
    assert [p.name for p in visible(tmp_path / "out" / "cases")] == sorted(ids)
    for folder in visible(tmp_path / "out" / "cases"):
        assert_complete(folder, n_steps())


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]
