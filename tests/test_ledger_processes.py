"""The ledger's guarantees with real processes (no mocks): concurrent writers all land exactly once and never
overrun a permit window together; a writer killed with SIGKILL inside its transaction leaves the ledger as it
was; a writer that finds the ledger locked waits, then gives up with exit 12 and changes nothing.

Children run from the checkout's root (``cwd=ROOT``) so ``energyopt`` is importable; each pays the
package's import time (~2 s), so the children of one test start together.
"""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from energyopt.ledger import Ledger

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "energyopt.cli", "ledger"]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and POSIX locks")

WRITER = r"""
import json, sys, time
from datetime import date, timedelta
from pathlib import Path
from energyopt.ledger import Ledger, PermitExceeded
name, path, go, plan = sys.argv[1:5]
led = Ledger(path, who=name, wait=60)
Path(f"{path}.{name}.ready").touch()
while not Path(go).exists():
    time.sleep(0.002)
t0 = time.time()
ids = [led.add_entry("U1", date(2025, 1, 1) + timedelta(days=i), "testing", 1, note=f"{name}-{i}")
       for i in range(200)]
landed = 0
for i in range(200):
    try:
        led.add_entry("U2", date(2025, 1, 1) + timedelta(days=i), "testing", 1, note=f"{name}-{i}")
        landed += 1
    except PermitExceeded:
        pass
already = led.record_plan(plan).already
print(json.dumps({"ids": ids, "landed": landed, "plan_already": already, "span": [t0, time.time()]}))
"""

BATCHES = r"""
import sys
from datetime import date, timedelta
from pathlib import Path
from energyopt.ledger import Ledger
path, folder = sys.argv[1:3]
led = Ledger(path, who="batches")
for k in range(10_000):
    f = Path(folder) / f"batch{k}.csv"
    f.write_text("unit_id,date,category,hours,starts,fuel_gal,nox_kg,note\n" + "".join(
        f"R1,{date(2020, 1, 1) + timedelta(days=i)},testing,0.01,0,1,0,batch {k} row {i}\n" for i in range(300)))
    led.import_csv(f)
    print(k, flush=True)
"""


def integrity(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory) -> Path:
    import energyopt as eo
    out = tmp_path_factory.mktemp("plan") / "small"
    eo.solve(ROOT / "instances" / "small" / "small.toml").write(out)
    return out


def test_two_writers_at_once_all_land_exactly_once_and_never_overrun_together(tmp_path, plan_dir):
    path = tmp_path / "ledger.sqlite"
    with Ledger(path, create=True) as led:
        led.add_unit("U1", "UTC")
        led.add_unit("U2", "UTC", ["calendar_year:all:hours:300"])
        led.add_unit("G1", "America/Chicago")
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, name, str(path), str(go), str(plan_dir)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for name in ("A", "B")]
    try:
        deadline = time.monotonic() + 60
        while not all(Path(f"{path}.{n}.ready").exists() for n in "AB"):
            assert time.monotonic() < deadline and all(p.poll() is None for p in procs), "a writer did not start"
            time.sleep(0.01)
        go.touch()  # both are connected: start together
        outputs = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.communicate()
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, err
    results = [json.loads(out) for out, _ in outputs]
    with Ledger(path) as led:
        e = led.entries()
    u1 = e[e.unit_id == "U1"]
    assert sorted(u1.note) == sorted(f"{n}-{i}" for n in "AB" for i in range(200))       # 400, each once
    assert sorted(u1.entry_id) == sorted(results[0]["ids"] + results[1]["ids"])
    (a0, a1), (b0, b1) = results[0]["span"], results[1]["span"]
    assert max(a0, b0) < min(a1, b1), "the two writers did not run at the same time, so this run proved nothing"
    u2 = e[e.unit_id == "U2"]                            # 400 attempts against 300 h: exactly 300 land
    assert len(u2) == 300 and u2.hours.sum() == 300 and results[0]["landed"] + results[1]["landed"] == 300
    assert sorted(r["plan_already"] for r in results) == [False, True]                 # the same plan, once
    assert e[e.source == "plan"].hours.tolist() == [2.0]
    with Ledger(path) as led:
        actions = led.audit()["action"].value_counts().to_dict()
    assert actions["add_entry"] == 700 and actions["record_plan"] == 1
    assert integrity(path) == "ok"


def test_killed_inside_the_transaction_leaves_the_ledger_as_before(tmp_path):
    path = tmp_path / "ledger.sqlite"
    with Ledger(path, create=True) as led:
        led.add_unit("K1", "UTC")
        led.add_entry("K1", "2019-12-31", "testing", 1)
    big = tmp_path / "big.csv"
    big.write_text("unit_id,date,category,hours,starts,fuel_gal,nox_kg\n" + "".join(
        f"K1,{date(2020, 1, 1) + timedelta(days=i // 2)},testing,1,1,70,0.5\n" for i in range(2000)))
    before = dump(path)
    child = subprocess.Popen([*CLI, "import", str(big), "--ledger", str(path)], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env={**os.environ, "ENERGYOPT_LEDGER_TEST_PAUSE": "60"})
    try:
        line = child.stderr.readline()   # the hook prints this inside the open transaction, then sleeps
        assert "paused inside the transaction after 1000 of 2000 rows" in line, line
        assert child.poll() is None and dump(path) == before   # others never see a half-done import
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert integrity(path) == "ok"
    assert dump(path) == before                       # not one of the 1000 inserted rows, no import, no audit
    with Ledger(path) as led:                         # and the same file imports whole afterwards
        assert len(led.import_csv(big).entry_ids) == 2000
        assert len(led.entries()) == 2001
    assert integrity(path) == "ok"


def test_killed_at_a_random_moment_every_batch_is_whole(tmp_path):
    path = tmp_path / "ledger.sqlite"
    with Ledger(path, create=True) as led:
        led.add_unit("R1", "UTC")
    child = subprocess.Popen([sys.executable, "-c", BATCHES, str(path), str(tmp_path)], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        done = [child.stdout.readline() for _ in range(3)]      # three batches committed, then kill at random
        assert done[-1].strip() == "2", done
        time.sleep(random.uniform(0.0, 0.15))
    finally:
        child.send_signal(signal.SIGKILL)
        _, err = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL, err
    assert integrity(path) == "ok"
    con = sqlite3.connect(path)
    imports = dict(con.execute("SELECT import_id, n_rows FROM imports"))
    counts = dict(con.execute("SELECT import_id, COUNT(*) FROM entries GROUP BY import_id"))
    audits = con.execute("SELECT COUNT(*) FROM audit WHERE action = 'import_csv'").fetchone()[0]
    con.close()
    assert len(imports) >= 3 and counts == imports == {k: 300 for k in imports} and audits == len(imports)


def test_a_locked_ledger_makes_a_writer_wait_then_give_up_with_exit_12(tmp_path):
    path = tmp_path / "ledger.sqlite"
    with Ledger(path, create=True) as led:
        led.add_unit("G1", "UTC")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")                 # this process holds the write lock
    before = dump(path)
    args = ["add", "G1", "2025-01-01", "--category", "testing", "--ledger", str(path)]
    t0 = time.monotonic()
    impatient = subprocess.Popen([*CLI, *args, "--hours", "1", "--wait", "1"], cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
    patient = subprocess.Popen([*CLI, *args, "--hours", "2", "--wait", "60"], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        out, err = impatient.communicate(timeout=60)
    finally:
        if patient.poll() is None and impatient.returncode != 12:
            patient.kill()
    assert impatient.returncode == 12, (out, err)
    assert "is locked by another process (waited 1 s); nothing was changed" in err and "Traceback" not in err
    assert time.monotonic() - t0 >= 1.0
    assert dump(path) == before
    assert patient.poll() is None                     # still queued behind the lock
    holder.execute("ROLLBACK")
    holder.close()
    out, err = patient.communicate(timeout=60)
    assert patient.returncode == 0, err
    with Ledger(path) as led:
        assert led.entries()["hours"].tolist() == [2.0]
