"""The output schema cannot drift: docs/output-format.md is generated from it, and every column and summary key
that real results hold (the examples, with solar and a battery and a tank added, and a re-plan of one) is
declared, with each component's declared columns written in the declared order."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import energyopt as eo
from energyopt.ops.replan import replan
from energyopt.registry import column_names
from energyopt.results import docs as out_docs
from energyopt.results.outputs import column_declared, undeclared_keys

ROOT = Path(__file__).resolve().parents[1]
EXTRA = """
[battery]
energy_mwh = 4.0
power_mw = 2.0

[[solar]]
id = "PV"
capacity_mw = 3.0
availability = 0.4
"""


def test_output_format_is_generated_from_the_schema():
    committed = (ROOT / "docs" / "output-format.md").read_text(encoding="utf-8")
    assert out_docs.render() == committed, (
        "docs/output-format.md is stale: run python -m energyopt.results.docs --write docs/output-format.md")


def test_a_pattern_that_is_not_declared_is_found():
    # The check itself can fail: an unknown column and an unknown key are reported.
    assert not column_declared("generator.G1.colour")
    assert undeclared_keys({"jobs": {"J1": {"work_done_mwh": 1.0, "mood": "fine"}}, "nonsense": 1}) == \
        ["jobs.J1.mood", "nonsense"]
    assert undeclared_keys({"curtailment": [{"id": "N1", "cap_mw": 1.0}, 5, {"colour": "red"}]}) == \
        ["curtailment.1", "curtailment.2.colour"]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("schema")
    out = []
    for name in ("small", "texas_summer_day"):
        folder = tmp / name
        shutil.copytree(ROOT / "instances" / name, folder)
        toml = folder / f"{name}.toml"
        for variant, extra in (("as_is", ""), ("more", EXTRA)):
            path = folder / f"{variant}.toml"
            path.write_text(toml.read_text(encoding="utf-8") + extra, encoding="utf-8")
            r = eo.solve(path, eo.SolveOptions(mip_rel_gap=1e-4))
            assert r.status.value == "optimal"
            r.write(tmp / f"{name}-{variant}")
            out.append((path, tmp / f"{name}-{variant}"))
    path, first = out[-1]
    times = pd.read_csv(first / "steps.csv")["timestamp"]
    again, _ = replan(first, times[len(times) // 2], options=eo.SolveOptions(mip_rel_gap=1e-4))
    again.write(tmp / "replan")
    out.append((path, tmp / "replan"))
    return out


def test_every_written_column_and_key_is_declared(results):
    for path, folder in results:
        steps = pd.read_csv(folder / "steps.csv")
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        assert [c for c in steps.columns if not column_declared(c)] == [], folder
        assert undeclared_keys(summary) == [], folder
        assert list(steps.columns) == ["timestamp", *column_names(eo.load_instance(path))], folder


def test_the_variants_hold_every_component(results):
    steps = pd.read_csv(results[3][1] / "steps.csv")
    for prefix in ("generator.", "job.", "inference.", "battery.", "solar.", "thermal_storage.", "cooling_"):
        assert any(c.startswith(prefix) for c in steps.columns), prefix
