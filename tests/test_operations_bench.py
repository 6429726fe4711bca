"""The operator benchmark set (benchmarks/operations.py): reproducible instances and the gap trajectory's reading."""
from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _operations():
    spec = importlib.util.spec_from_file_location("operations_bench", ROOT / "benchmarks" / "operations.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("operations_bench", mod)
    spec.loader.exec_module(mod)
    return mod


def test_gap_reading_from_a_trajectory():
    ops = _operations()
    # (cpu s, primal, dual, nodes, wall s): gaps (100-90)/100 = 10%, (100-99.95)/100 = 5e-4, (99.99-99.985)/99.99 = 5e-5
    trace = [(0.5, float("inf"), 80.0, 0, 1.0), (1.0, 100.0, 90.0, 0, 2.0), (2.0, 100.0, 99.95, 3, 4.0),
             (3.0, 99.99, 99.985, 9, 6.0)]
    assert ops.gap_of(100.0, 90.0) == pytest.approx(0.1, rel=1e-12)
    assert ops.gap_of(float("inf"), 80.0) is None
    assert ops.gap_of(0.0, 0.0) == 0.0
    assert ops.time_to(trace, 1e-3, None, 3.5) == 2.0
    assert ops.time_to(trace, 1e-4, None, 3.5) == 3.0
    assert ops.time_to(trace, 1e-6, None, 3.5) is None
    # proven only at the very end (after the last callback): the solve's end
    assert ops.time_to(trace, 1e-6, 0.0, 3.5) == 3.5


def test_the_set_is_reproducible_and_as_described(tmp_path):
    ops = _operations()
    a = ops.make_set(tmp_path / "a", ["dc48", "d15_rl"])
    b = ops.make_set(tmp_path / "b", ["dc48", "d15_rl"])
    for name in a:
        assert a[name].read_bytes() == b[name].read_bytes()
        assert (a[name].parent / "series.csv").read_bytes() == (b[name].parent / "series.csv").read_bytes()
    dc = tomllib.loads(a["dc48"].read_text())
    assert dc["grid"]["demand_charge_usd_per_kw"] == 12.0
    assert dc["horizon"]["step_minutes"] == 15 and dc["horizon"]["hours"] == 12
    assert len(dc["generators"]) == 3
    assert [(j["min_power_fraction"], j["restart_loss_hours"]) for j in dc["training_jobs"]] == [(0.6, 0.25)]
    rl = tomllib.loads(a["d15_rl"].read_text())["training_jobs"]
    assert all(j.get("restart_loss_hours") == 0.5 if j["can_pause"] else "restart_loss_hours" not in j for j in rl)
    assert sum(not j["can_pause"] for j in rl) == len(rl) // 3
