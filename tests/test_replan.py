"""Re-planning: hand-derived optima with a fixed past, the response time, actuals, commitments that carry
over "now", and every way a re-plan's input can be wrong.

Common instance (``day``): 24 hourly steps from 2025-01-01 00:00 UTC, a fixed IT load of 10 MW, price
$50/MWh except $20 in hours 12-16, and one 20 MW training job that runs at full power only, may pause
without loss, and must do 100 MWh (5 hours) by the end of the day (penalty $1000/MWh).
The day-ahead plan runs the job in the five $20 hours: cost = 10 MW x (19 x 50 + 5 x 20) + 20 x 5 x 20
= 10,500 + 2,000 = 12,500.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import energyopt as eo
from energyopt.check import check_result, instance_for
from energyopt.ops.replan import ReplanError, replan

try:
    from .helpers import at, base, solve_dict, write_instance
except ImportError:
    from helpers import at, base, solve_dict, write_instance

REL = 1e-6
EXACT = eo.SolveOptions(mip_rel_gap=0)


def approx(x):
    return pytest.approx(x, rel=REL, abs=1e-6)


def day(generators=()):
    prices = [50.0] * 24
    for h in range(12, 17):
        prices[h] = 20.0
    inst, series = base(24, prices, it_load_mw=10.0)
    inst["training_jobs"] = [{"id": "J1", "power_mw": 20.0, "work_mwh": 100.0, "min_power_fraction": 1.0,
                              "throughput_curve": [[1.0, 1.0]], "unfinished_penalty_usd_per_mwh": 1000.0}]
    if generators:
        inst["generators"] = list(generators)
    return inst, series


@pytest.fixture
def planned(tmp_path):
    inst, series = day()
    r = solve_dict(tmp_path / "inst", inst, series)
    assert r.summary["objective_usd"] == approx(12_500.0)
    out = tmp_path / "plan"
    r.write(out)
    return out


def notice(start_h, end_h, cap, issued="2025-01-01T13:40:00+00:00", nid="N2"):
    return {"id": nid, "issued": pd.Timestamp(issued).to_pydatetime(), "start": pd.Timestamp(at(start_h)).to_pydatetime(),
            "end": pd.Timestamp(at(end_h)).to_pydatetime(), "cap_mw": cap}


def job_power(r):
    return r.steps["job.J1.power_mw"].to_numpy()


def test_notice_at_1340_for_1500_is_met_and_the_job_moves(planned):
    # Notice issued 13:40 for 15:00-19:00, cap 15 MW (< 10 + 20: the job cannot run then), response 30 min.
    # Steps starting before 14:10 are fixed: hours 0-14; the job has run hours 12, 13, 14 (60 MWh).
    # 40 MWh (2 h) are left; hours 15-18 are capped, hour 16 ($20) is among them, so the job runs two of the
    # $50 hours 19-23: job cost 20 x (3 x 20 + 2 x 50) = 3,200; total 10,500 + 3,200 = 13,700.
    r, diff = replan(planned, "2025-01-01T13:40:00+00:00", response_minutes=30,
                     add_notices=[notice(15, 19, 15.0)], options=EXACT)
    assert r.status is eo.SolveStatus.OPTIMAL
    assert r.summary["objective_usd"] == approx(13_700.0)
    p = job_power(r)
    assert p[:15] == approx([0] * 12 + [20, 20, 20])
    assert p[15:19] == approx([0, 0, 0, 0])
    assert p[19:].sum() == approx(40.0)
    assert r.summary["replan"]["fixed_steps"] == 15
    assert r.summary["replaces_plan_id"] and r.summary["plan_id"] != r.summary["replaces_plan_id"]
    assert [x["met"] for x in diff["notices"]] == [True]
    assert any("notice N2 added" in w for w in diff["why"])
    moves = diff["jobs"]["J1"]["moves"]
    assert sum(m["energy_mwh"] for m in moves) == approx(0.0)       # the same work, at other hours
    assert min(m["energy_mwh"] for m in moves) == approx(-40.0)     # hours 15-16 of the old plan


def test_response_time_rules_out_acting_before_it_and_says_by_how_much(planned):
    # Notice issued 13:40 for 14:00-16:00, cap 15 MW. With 30 min to respond the 14:00 step (starts before
    # 14:10) is fixed with the job running: import 30 MW, the cap is missed there by 15 MW. From 15:00 the
    # job stops. Work done: hours 12-14 = 60 MWh; 40 MWh left: hour 16 ($20) + one $50 hour.
    # Cost = 10,500 + 20 x (20 + 20 + 20 + 20 + 50) = 10,500 + 2,600 = 13,100.
    r, diff = replan(planned, "2025-01-01T13:40:00+00:00", response_minutes=30,
                     add_notices=[notice(14, 16, 15.0)], options=EXACT)
    assert r.summary["objective_usd"] == approx(13_100.0)
    assert r.steps["grid_import_mw"].to_numpy()[14:16] == approx([30.0, 10.0])
    (n2,) = diff["notices"]
    assert not n2["met"] and n2["missed_mw"] == approx(15.0) and n2["missed_because_fixed"]
    # Acting at once (response 0): the 14:00 step is free, the job stops at 14 and 15: done 40 MWh,
    # 60 left = hour 16 + two $50 hours: 10,500 + 20 x (20 + 20 + 20 + 50 + 50) = 13,700.
    r0, diff0 = replan(planned, "2025-01-01T13:40:00+00:00", add_notices=[notice(14, 16, 15.0)], options=EXACT)
    assert r0.summary["objective_usd"] == approx(13_700.0)
    assert diff0["notices"][0]["met"]


def test_actuals_replace_the_plan_before_now(planned, tmp_path):
    # The job did not run at hour 13 (an outage): done by 14:00 is 20 MWh (hour 12 only); 80 MWh left =
    # hours 14, 15, 16 ($20) + one $50 hour. Cost = 10,500 + 20 x (20 + 20 + 20 + 20 + 50) = 13,100.
    actual = pd.DataFrame({"timestamp": [at(13)], "job.J1.power_mw": [0.0], "job.J1.work_mwh": [0.0]})
    r, _ = replan(planned, "2025-01-01T14:00:00+00:00", actuals=actual, options=EXACT)
    assert r.summary["objective_usd"] == approx(13_100.0)
    assert job_power(r)[12:17] == approx([20, 0, 20, 20, 20])
    assert r.summary["jobs"]["J1"]["work_done_mwh"] == approx(100.0)


def test_a_generator_started_before_now_keeps_its_minimum_up_time(tmp_path):
    # G1: 5 MW, minimum load 50%, minimum up time 3 h, fuel $2/gal x 50 gal/MWh = $100/MWh (> every grid
    # price): the day-ahead plan never runs it. Actuals: it was started at 13:00 (a test run) at 5 MW.
    # Re-planned at 14:00 it must stay on at 14 and 15 at its minimum 2.5 MW, then stop.
    g = {"id": "G1", "capacity_mw": 5.0, "min_load_fraction": 0.5, "min_up_hours": 3.0,
         "fuel_noload_gal_per_h_per_mw": 0.0, "fuel_slope_gal_per_mwh": 50.0, "fuel_price_usd_per_gal": 2.0,
         "run_hours_left": 100.0, "dispatch": "economic"}
    inst, series = day([g])
    r = solve_dict(tmp_path / "inst", inst, series)
    assert r.summary["generator_run_hours"]["G1"]["hours"] == approx(0.0)
    r.write(tmp_path / "plan")
    actual = pd.DataFrame({"timestamp": [at(13)], "generator.G1.on": [1], "generator.G1.output_mw": [5.0]})
    r2, diff = replan(tmp_path / "plan", at(14), actuals=actual, options=EXACT)
    on = r2.steps["generator.G1.on"].to_numpy()
    out = r2.steps["generator.G1.output_mw"].to_numpy()
    assert list(on[12:17]) == [0, 1, 1, 1, 0]
    assert out[13:16] == approx([5.0, 2.5, 2.5])
    # Cost: the plan's 12,500, less grid for 5 + 2.5 + 2.5 MWh at $20 (200), plus fuel 10 MWh x $100.
    assert r2.summary["objective_usd"] == approx(12_500.0 - 200.0 + 1_000.0)
    assert diff["generators"]["G1"]["runs_after"] == ["01-01 13:00-16:00"]


def test_replan_result_passes_the_checker(planned, tmp_path):
    r, _ = replan(planned, "2025-01-01T13:40:00+00:00", response_minutes=30,
                  add_notices=[notice(14, 16, 15.0)], options=EXACT)
    out = tmp_path / "replanned"
    r.write(out)
    written = json.loads((out / "summary.json").read_text())
    assert check_result(instance_for(out / written["instance_file"], written), out) == []
    # The fixed steps are compared with the previous plan: change one there and the checker says so.
    steps = pd.read_csv(out / "steps.csv")
    steps.loc[3, "job.J1.power_mw"] = 20.0
    steps.to_csv(out / "steps.csv", index=False)
    assert "replan.fixed" in {v.constraint for v in check_result(instance_for(out / written["instance_file"],
                                                                               written), out)}


def test_a_second_replan_keeps_the_notice_the_first_added(planned, tmp_path):
    # First re-plan at 13:40 adds N2 (15:00-19:00, cap 15); the second, at 20:00 with nothing new, must still
    # honour it (its fixed steps run to 20:00 anyway) and keep the cost of the first: 13,700.
    r1, _ = replan(planned, "2025-01-01T13:40:00+00:00", response_minutes=30,
                   add_notices=[notice(15, 19, 15.0)], options=EXACT)
    r1.write(tmp_path / "r1")
    r2, diff = replan(tmp_path / "r1", "2025-01-01T20:00:00+00:00", options=EXACT)
    assert [n["id"] for n in r2.summary["curtailment"]] == ["N2"]
    assert r2.summary["objective_usd"] == approx(13_700.0)
    assert r2.summary["supersedes"] == [r1.summary["replaces_plan_id"], r1.summary["plan_id"]]


def test_unchanged_replan_keeps_the_cost(planned):
    r, diff = replan(planned, "2025-01-01T09:00:00+00:00", options=EXACT)
    assert r.summary["objective_usd"] == approx(12_500.0)
    assert diff["why"][0].startswith("the first 9 step(s)")


@pytest.mark.parametrize("now", ["2024-12-31T23:00:00+00:00", "2025-01-02T00:00:00+00:00"])
def test_now_outside_the_previous_plan_is_refused(planned, now):
    with pytest.raises(ReplanError, match="outside the previous plan"):
        replan(planned, now)


def test_now_without_offset_is_refused(planned):
    with pytest.raises(ReplanError, match="no UTC offset"):
        replan(planned, "2025-01-01T13:40:00")


def test_bad_actuals_are_all_reported(planned):
    actual = pd.DataFrame({"timestamp": [at(13), at(20), "yesterday", at(12)],
                           "job.J1.power_mw": [0.0, 0.0, 0.0, -5.0], "job.J9.power_mw": [0.0, 0.0, 0.0, 0.0]})
    with pytest.raises(ReplanError) as exc:
        replan(planned, at(14), actuals=actual, actuals_name="actuals.csv")
    text = exc.value.render()
    assert "job.J9.power_mw" in text                    # unknown column
    assert "row 3" in text and "not before now" in text  # at(20) is in the future
    assert "row 4" in text and "yesterday" in text       # not a time
    assert "row 5" in text and ">= 0" in text            # negative power


def test_notice_issued_after_now_and_unknown_cancel_are_refused(planned):
    with pytest.raises(eo.InstanceError) as exc:
        replan(planned, at(13), add_notices=[notice(15, 19, 15.0, issued=at(14))], cancel_notices=["nope"])
    text = exc.value.render()
    assert "after now" in text and "'nope'" in text


def test_not_a_plan_folder_is_refused(tmp_path):
    (tmp_path / "x").mkdir()
    with pytest.raises(ReplanError, match="missing summary.json, steps.csv"):
        replan(tmp_path / "x", at(3))
