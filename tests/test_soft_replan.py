"""A re-plan that cannot meet a notice writes a plan with the notice's cap softened at a penalty, under its own
status (notices_softened) and exit code (19), saying by how much, when and why.

Expected figures are derived by hand beside each assertion. The site: 10 MW of fixed IT load, $10/MWh, a 20 MW
interconnection, hourly steps; a notice added at 01:00 caps 01:00-03:00 at 4 MW, which no schedule can keep.
The penalty is max($100,000, 10 x the highest price or penalty per MWh) = $100,000/MWh here.
"""
from __future__ import annotations

import json

import pandas as pd
import pytest

import energyopt as eo
from energyopt.check import check_result, instance_for
from energyopt.ops.replan import replan

try:
    from .helpers import at, base, solve, write_instance
except ImportError:  # tests/ is not a package: pytest puts it on sys.path
    from helpers import at, base, solve, write_instance

EXACT = eo.SolveOptions(mip_rel_gap=0)
NOTICE = {"id": "N1", "issued": pd.Timestamp(at(1)).to_pydatetime(), "start": pd.Timestamp(at(1)).to_pydatetime(),
          "end": pd.Timestamp(at(3)).to_pydatetime(), "cap_mw": 4.0}


def approx(x):
    return pytest.approx(x, rel=1e-6, abs=1e-6)


def checked(folder) -> list:
    written = json.loads((folder / "summary.json").read_text())
    return check_result(instance_for(folder / written["instance_file"], written), folder)


def planned(tmp_path, generators=()):
    inst, series = base(3, 10.0, interconnection_mw=20.0, it_load_mw=10.0)
    if generators:
        inst["generators"] = list(generators)
    path = write_instance(tmp_path / "inst", inst, series)
    r = solve(path)
    r.write(tmp_path / "plan")
    return path, tmp_path / "plan"


def test_a_notice_no_schedule_can_meet_is_softened(tmp_path):
    path, plan = planned(tmp_path)
    r, _ = replan(plan, at(1), add_notices=[NOTICE], options=EXACT)
    # Steps 1 and 2 must import the 10 MW load against a 4 MW cap: 6 MW over in each, 12 MWh.
    # Cost: energy 3 x 10 MWh x $10 = 300; overrun 12 MWh x $100,000 = 1,200,000.
    assert r.status.value == "notices_softened"
    assert [o["over_mw"] for o in r.summary["notice_overruns"]] == approx([6.0, 6.0])
    assert r.summary["notice_overruns"][0]["notices"] == ["N1"]
    assert r.summary["cost_breakdown_usd"]["notice_overrun"] == approx(1_200_000.0)
    assert r.summary["objective_usd"] == approx(1_200_300.0)
    assert r.summary["curtailment"][0]["over_cap_mwh"] == approx(12.0)
    assert any("6.000 MW" in d for d in r.summary["diagnosis"])   # why: the must-serve load against the cap
    r.write(tmp_path / "soft")
    assert checked(tmp_path / "soft") == []


def test_softened_plan_still_uses_everything_else_first(tmp_path):
    gen = {"id": "G1", "capacity_mw": 4.0, "min_load_fraction": 0.0, "fuel_price_usd_per_gal": 3.0,
           "run_hours_left": 10.0}
    path, plan = planned(tmp_path, [gen])
    r, _ = replan(plan, at(1), add_notices=[NOTICE], options=EXACT)
    # The notice-only genset runs at 4 MW in steps 1-2, leaving 10 - 4 - 4 = 2 MW over the cap in each: 4 MWh.
    # Fuel per step: (4.25 gal/h/MW x 4 MW + 65.68 gal/MWh x 4 MWh) x $3 = (17 + 262.72) x 3 = 839.16.
    # Energy: 10 + 6 + 6 = 22 MWh x $10 = 220. Total 220 + 2 x 839.16 + 4 x 100,000 = 401,898.32.
    assert r.status.value == "notices_softened"
    assert [o["over_mw"] for o in r.summary["notice_overruns"]] == approx([2.0, 2.0])
    assert r.summary["objective_usd"] == approx(401_898.32)
    r.write(tmp_path / "soft")
    assert checked(tmp_path / "soft") == []


def test_checker_holds_a_softened_plan_to_its_penalty(tmp_path):
    path, plan = planned(tmp_path)
    r, _ = replan(plan, at(1), add_notices=[NOTICE], options=EXACT)
    r.write(tmp_path / "soft")
    s = json.loads((tmp_path / "soft" / "summary.json").read_text())
    s["cost_breakdown_usd"]["notice_overrun"] = 0.0
    s["objective_usd"] = 300.0
    (tmp_path / "soft" / "summary.json").write_text(json.dumps(s))
    codes = {v.constraint for v in checked(tmp_path / "soft")}
    assert "cost.notice_overrun" in codes


def test_a_plain_solve_is_never_softened(tmp_path):
    inst, series = base(3, 10.0, interconnection_mw=20.0, it_load_mw=10.0)
    inst["notices"] = [{"id": "N1", "issued": at(-1), "start": at(1), "end": at(3), "cap_mw": 4.0}]
    r = eo.solve(write_instance(tmp_path, inst, series), EXACT)
    assert r.status.value == "infeasible" and r.steps is None


def test_cli_replan_exits_19_and_writes_the_softened_plan(run_cli, tmp_path):
    _, plan = planned(tmp_path)
    csv = tmp_path / "notices.csv"
    csv.write_text(f"id,issued,start,end,cap_mw\nN1,{at(1)},{at(1)},{at(3)},4.0\n")
    out = tmp_path / "soft"
    p = run_cli("replan", plan, "--now", at(1), "--add-notices", csv, "--out", out, "--mip-gap", "0")
    assert p.returncode == 19, p.stderr
    assert "Traceback" not in p.stderr
    assert json.loads((out / "summary.json").read_text())["status"] == "notices_softened"
    assert "NOTICES SOFTENED" in p.stdout + p.stderr
