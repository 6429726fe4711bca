"""`energyopt batch` in-process and through the CLI: sweep expansion and its errors, input hashes, skipping
finished cases, failed cases recorded without stopping the batch, the summary table made from the folders.
Kill and cluster tests with real processes are in test_batch_processes.py."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from energyopt.batch.cases import collect
from energyopt.batch.runner import Options, run_batch
from energyopt.inputs import InstanceError

try:
    from .test_cli import assert_exit
except ImportError:
    from test_cli import assert_exit

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def small_dir(tmp_path):
    d = tmp_path / "small"
    shutil.copytree(ROOT / "instances" / "small", d)
    return d


def sweep(folder: Path, body: str, name: str = "sw.toml") -> Path:
    p = folder / name
    p.write_text('base = "small.toml"\n' + body)
    return p


def test_grid_and_zip_expansion_with_readable_ids(small_dir):
    s = sweep(small_dir, '[[axis]]\npath = "grid.price_usd_per_mwh"\nscale = [0.5, 2.0]\n'
                         '[[axis]]\npath = "generators[G1]"\nname = "gensets"\ncount = [0, 1, 3]\n')
    cases = collect([], [str(s)])
    assert [c.id for c in cases] == [f"sw__price_usd_per_mwh=x{p}__gensets={n}" for p in ("0.5", "2")
                                     for n in (0, 1, 3)]
    three = cases[2]
    assert three.swept == {"price_usd_per_mwh": 0.5, "gensets": 3}
    assert three.toml.count("[[generators]]") == 3 and 'id = "G1-3"' in three.toml
    assert "scale = 0.5" in three.toml and "series.csv" in three.files
    z = sweep(small_dir, 'combine = "zip"\n[[axis]]\npath = "site.it_load_mw"\nset = [5.0, 7.0]\n'
                         '[[axis]]\npath = "training_jobs[*].deadline"\nshift_hours = [-1, 0]\n', "z.toml")
    ids = [c.id for c in collect([], [str(z)])]
    assert ids == ["z__it_load_mw=5__deadline=-1h", "z__it_load_mw=7__deadline=+0h"]


def test_sweep_problems_are_all_reported(small_dir):
    bad = sweep(small_dir, '[[axis]]\npath = "grid.no_such"\nscale = [2.0]\n'
                           '[[axis]]\npath = "generators[G9]"\ncount = [1]\n'
                           '[[axis]]\npath = "site.it_load_mw"\nset = [1.0]\nscale = [2.0]\n', "bad.toml")
    with pytest.raises(InstanceError) as exc:
        collect(["nothing/*.toml"], [str(bad)])
    text = exc.value.render()
    assert "matches no file" in text
    assert "exactly one of `set`, `scale`" in text       # axis 3 is refused by the schema before expansion


def test_unknown_path_and_unknown_item(small_dir):
    bad = sweep(small_dir, '[[axis]]\npath = "grid.no_such"\nscale = [2.0]\n'
                           '[[axis]]\npath = "generators[G9]"\ncount = [1]\n', "bad2.toml")
    with pytest.raises(InstanceError) as exc:
        collect([], [str(bad)])
    text = exc.value.render()
    assert "no `no_such` there" in text and "no item with id 'G9'" in text


def test_hash_follows_the_series_bytes_and_the_options(small_dir):
    (c,) = collect([str(small_dir / "small.toml")], [])
    h = c.input_hash({"mip_rel_gap": None})
    assert h != c.input_hash({"mip_rel_gap": 0.0})
    series = small_dir / "series.csv"
    series.write_text(series.read_text().replace("\n", "\n", 1) + "\n")   # same values, other bytes
    (c2,) = collect([str(small_dir / "small.toml")], [])
    assert c2.input_hash({"mip_rel_gap": None}) != h


def test_rerun_skips_finished_cases_and_reruns_changed_and_failed(small_dir, tmp_path):
    s = sweep(small_dir, '[[axis]]\npath = "site.it_load_mw"\nset = [6.0, 60.0]\n')   # 60 MW: infeasible
    out = tmp_path / "out"
    cases = collect([], [str(s)])
    rows = run_batch(cases, out, Options(mip_rel_gap=0.0), workers=1)
    assert [r["status"] for r in rows] == ["optimal", "infeasible"]
    assert "exceeds what can be supplied" in rows[1]["error"]
    ok_meta = (out / "cases" / cases[0].id / "case.json").read_bytes()
    bad_meta = (out / "cases" / cases[1].id / "case.json").read_bytes()
    run_batch(cases, out, Options(mip_rel_gap=0.0), workers=1)
    assert (out / "cases" / cases[0].id / "case.json").read_bytes() == ok_meta      # skipped
    assert (out / "cases" / cases[1].id / "case.json").read_bytes() != bad_meta     # failed: run again
    run_batch(cases, out, Options(mip_rel_gap=0.0), workers=1, force=True)
    assert (out / "cases" / cases[0].id / "case.json").read_bytes() != ok_meta      # --force
    run_batch(cases, out, Options(mip_rel_gap=1e-3), workers=1)                     # other options: re-run
    assert json.loads((out / "cases" / cases[0].id / "case.json").read_text())["input_hash"] == \
        cases[0].input_hash(Options(mip_rel_gap=1e-3).as_dict())


def test_table_is_made_from_the_folders(small_dir, tmp_path):
    s = sweep(small_dir, '[[axis]]\npath = "grid.price_usd_per_mwh"\nscale = [0.5, 1.0, 2.0]\n')
    out = tmp_path / "out"
    cases = collect([], [str(s)])
    run_batch(cases, out, Options(mip_rel_gap=0.0), workers=2)
    table = pd.read_csv(out / "summary.csv")
    pq = pd.read_parquet(out / "summary.parquet")
    assert list(table["id"]) == [c.id for c in cases] == list(pq["id"])
    for _, row in table.iterrows():
        summ = json.loads((out / "cases" / row["id"] / "summary.json").read_text())
        assert row["objective_usd"] == pytest.approx(summ["objective_usd"], rel=1e-12)
        assert sum(row[f"cost.{k}_usd"] for k in summ["cost_breakdown_usd"]) == pytest.approx(row["objective_usd"])
    # Energy cost scales with the price factor while the schedule stays (a metamorphic check across cases).
    e = dict(zip(table["swept.price_usd_per_mwh"], table["cost.energy_usd"]))
    assert e[2.0] >= e[1.0] >= e[0.5]


def test_cli_exit_codes_and_bad_input(run_cli, small_dir, tmp_path):
    s = sweep(small_dir, '[[axis]]\npath = "site.it_load_mw"\nset = [6.0, 60.0]\n')
    proc = run_cli("batch", "--sweep", s, "--out", tmp_path / "o", "--workers", "1", "-q")
    assert_exit(proc, 14)
    assert "1 optimal, 1 not" not in proc.stdout      # --quiet prints nothing on the way
    proc = run_cli("batch", str(small_dir / "small.toml"), "--out", tmp_path / "o2", "--workers", "1")
    assert_exit(proc, 0)
    assert "1 case(s): 1 optimal" in proc.stdout
    proc = run_cli("batch", str(tmp_path / "nope" / "*.toml"), "--out", tmp_path / "o3")
    assert_exit(proc, 3)
    assert "matches no file" in proc.stderr and not (tmp_path / "o3").exists()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    proc = run_cli("batch", str(small_dir / "small.toml"), "--out", mine)
    assert_exit(proc, 3)
    assert (mine / "notes.txt").read_text() == "keep" and not (mine / "cases").exists()


def test_duplicate_ids_get_a_free_suffix(tmp_path):
    # Regression: d2/x.toml became x-2 and clashed with d3/x-2.toml (one folder for two cases).
    for d in ("d1", "d2", "d3"):
        shutil.copytree(ROOT / "instances" / "small", tmp_path / d)
    (tmp_path / "d1" / "small.toml").rename(tmp_path / "d1" / "x.toml")
    (tmp_path / "d2" / "small.toml").rename(tmp_path / "d2" / "x.toml")
    (tmp_path / "d3" / "small.toml").rename(tmp_path / "d3" / "x-2.toml")
    ids = [c.id for c in collect([str(tmp_path / d / n) for d, n in (("d1", "x.toml"), ("d2", "x.toml"),
                                                                      ("d3", "x-2.toml"))], [])]
    assert len(set(ids)) == 3 and ids[0] == "x"


@pytest.mark.parametrize("path", ["/etc/hostname", "../series.csv"])
def test_series_paths_outside_the_instance_folder_are_refused(small_dir, path):
    # Regression: the worker wrote such a file outside its temporary folder (even over the user's file).
    toml = small_dir / "small.toml"
    toml.write_text(toml.read_text().replace('{ file = "series.csv" }', f'{{ file = "{path}" }}', 1))
    with pytest.raises(InstanceError, match="not inside the instance's folder"):
        collect([str(toml)], [])


# -- a Dask scheduler, in-process (fast siblings of the real-process cluster tests, which are `slow`) -------
def _local_cluster(n_workers: int):
    """An in-process Dask cluster (threads, no dashboard): a real scheduler address for ``--scheduler``."""
    distributed = pytest.importorskip("distributed", reason="the Dask tests need `distributed` "
                                      "(pip install 'energyopt[cluster]')")
    return distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=False,
                                    dashboard_address=None)


def test_a_scheduler_gives_the_local_results(small_dir, tmp_path):
    s = sweep(small_dir, '[[axis]]\npath = "grid.price_usd_per_mwh"\nscale = [0.5, 1.0, 2.0]\n')
    cases = collect([], [str(s)])
    local = run_batch(cases, tmp_path / "local", Options(mip_rel_gap=0.0), workers=1)
    with _local_cluster(1) as cluster:
        dask = run_batch(cases, tmp_path / "dask", Options(mip_rel_gap=0.0), scheduler=cluster.scheduler_address)
        assert "energyopt" in cluster.scheduler.task_prefixes   # the cases ran as the cluster's tasks
    assert [r["id"] for r in dask] == [r["id"] for r in local] == [c.id for c in cases]
    for a, b in zip(dask, local):
        assert a["status"] == b["status"] == "optimal"
        assert a["objective_usd"] == pytest.approx(b["objective_usd"], rel=1e-9)
    for c in cases:
        assert json.loads((tmp_path / "dask" / "cases" / c.id / "case.json").read_text())["status"] == "optimal"


def test_a_scheduler_with_no_workers_or_nothing_listening_gives_up(small_dir, tmp_path, monkeypatch):
    import socket

    from energyopt.batch import runner
    cases = collect([str(small_dir / "small.toml")], [])
    monkeypatch.setattr(runner, "NO_WORKERS_TIMEOUT_S", 0.5)
    with _local_cluster(0) as cluster:
        with pytest.raises(runner.BatchError, match="no workers"):
            run_batch(cases, tmp_path / "none", Options(), scheduler=cluster.scheduler_address)
    assert [p.name for p in (tmp_path / "none" / "cases").iterdir()] == []
    monkeypatch.setattr(runner, "CONNECT_TIMEOUT_S", 1)
    with socket.socket() as sock:   # a free port: nothing listens there
        sock.bind(("127.0.0.1", 0))
        addr = f"tcp://127.0.0.1:{sock.getsockname()[1]}"
    with pytest.raises(runner.BatchError, match="cannot reach") as exc:
        run_batch(cases, tmp_path / "out", Options(), scheduler=addr)
    assert addr in str(exc.value)
    assert [p.name for p in (tmp_path / "out" / "cases").iterdir()] == []
