"""The naive policy ("run everything as soon as possible, follow notices by shedding") on tiny instances.

Every expected figure is worked out by hand in the comment beside its assertion. Unless a test says
otherwise: hourly steps (dt = 1 h), no cooling, no overhead, no carbon, no demand charge; jobs at full power
do power_mw x dt MWh of work per step (the throughput curve ends at (1, 1)).
"""
from __future__ import annotations

import numpy as np
import pytest

import energyopt as eo
from energyopt.ops.naive import COST_TERMS, naive_schedule

try:
    from .helpers import at, base, col, solve, write_instance
except ImportError:  # tests/ is not a package: pytest puts it on sys.path
    from helpers import at, base, col, solve, write_instance


def approx(x):
    return pytest.approx(x, rel=1e-9, abs=1e-9)


def load(tmp_path, inst, series=None):
    return eo.load_instance(write_instance(tmp_path, inst, series))


def job(jid="J1", power=10.0, work=30.0, **kw):
    return {"id": jid, "power_mw": power, "work_mwh": work, **kw}


def notice(nid, start, end, cap):
    return {"id": nid, "issued": at(-2), "start": at(start), "end": at(end), "cap_mw": cap}


# -- a job runs from its release and finishes --------------------------------------------------------------
def _release_instance():
    inst, series = base(5, [10, 20, 30, 40, 50], it_load_mw=2.0)
    inst["site"]["overhead_mw"] = 1.0
    # Default (concave) throughput curve: the naive operator ignores it below full power; at full power a
    # step does 10 MWh. 25 MWh from the release at 01:00: 10, 10, then 5 (the third step runs whole).
    inst["training_jobs"] = [job(work=25.0, release=at(1))]
    return inst, series


def test_job_runs_from_release_at_full_power_and_finishes(tmp_path):
    out = naive_schedule(load(tmp_path, *_release_instance()))
    s = out.steps
    assert s["job.J1.power_mw"].to_numpy() == approx([0, 10, 10, 10, 0])
    assert s["job.J1.work_mwh"].to_numpy() == approx([0, 10, 10, 5, 0])
    # load = 2 (IT) + 1 (overhead) + job
    assert s["grid_import_mw"].to_numpy() == approx([3, 13, 13, 13, 3])
    assert s["facility_load_mw"].to_numpy() == approx([3, 13, 13, 13, 3])
    assert s["over_limit_mw"].to_numpy() == approx([0, 0, 0, 0, 0])
    j = out.summary["jobs"]["J1"]
    assert j["work_done_mwh"] == approx(25.0) and j["unfinished_mwh"] == approx(0.0)
    assert j["finish_time"] == at(4)  # end of step 3
    # energy = 3x10 + 13x20 + 13x30 + 13x40 + 3x50 = 30 + 260 + 390 + 520 + 150 = 1350
    assert out.summary["cost_breakdown_usd"]["energy"] == approx(1350.0)
    assert out.summary["objective_usd"] == approx(1350.0)
    assert out.summary["grid_import_mwh"] == approx(45.0)
    assert out.summary["peak_import_mw"] == approx(13.0)


def test_quarter_hour_steps(tmp_path):
    inst, series = base(1, 40.0, step_minutes=15, it_load_mw=2.0)
    inst["training_jobs"] = [job(power=8.0, work=3.0)]
    out = naive_schedule(load(tmp_path, inst, series))
    # dt = 0.25 h: full power does 8 x 0.25 = 2 MWh per step -> 2 then 1 (second step runs whole)
    assert out.steps["job.J1.power_mw"].to_numpy() == approx([8, 8, 0, 0])
    assert out.steps["job.J1.work_mwh"].to_numpy() == approx([2, 1, 0, 0])
    # energy = 40 x 0.25 x (10 + 10 + 2 + 2) = 240
    assert out.summary["objective_usd"] == approx(240.0)
    assert out.summary["jobs"]["J1"]["finish_time"] == at(0.5)


# -- a notice pauses jobs ----------------------------------------------------------------------------------
def test_notice_pauses_the_job_and_leaves_work_unfinished(tmp_path):
    inst, series = base(4, 50.0, interconnection_mw=100.0, it_load_mw=5.0)
    # steps 0, 1, 2 lie in the window; 30 MWh needs all three
    inst["training_jobs"] = [job(deadline=at(3), unfinished_penalty_usd_per_mwh=1000.0)]
    inst["notices"] = [notice("N1", 1, 2, 8.0)]
    out = naive_schedule(load(tmp_path, inst, series))
    # step 1: 5 + 10 = 15 > 8 -> pause the job -> 5 <= 8
    assert out.steps["job.J1.power_mw"].to_numpy() == approx([10, 0, 10, 0])
    assert out.steps["grid_import_mw"].to_numpy() == approx([15, 5, 15, 5])
    assert out.steps["import_cap_mw"].to_numpy() == approx([100, 8, 100, 100])
    j = out.summary["jobs"]["J1"]
    # work 10 + 10 = 20 of 30 (no restart loss), 10 unfinished
    assert j["work_done_mwh"] == approx(20.0) and j["unfinished_mwh"] == approx(10.0)
    assert j["starts"] == 2 and j["restarts"] == 1
    b = out.summary["cost_breakdown_usd"]
    # energy = 50 x (15 + 5 + 15 + 5) = 2000; unfinished = 10 x 1000 = 10,000
    assert b["energy"] == approx(2000.0)
    assert b["unfinished_work"] == approx(10000.0)
    assert out.summary["objective_usd"] == approx(12000.0)
    assert out.summary["curtailment"] == [{"id": "N1", "cap_mw": 8.0, "max_import_mw": approx(5.0), "met": True,
                                           "missed_mw": approx(0.0), "missed_mwh": approx(0.0)}]


def test_pause_order_latest_deadline_then_larger_power(tmp_path):
    inst, series = base(4, 10.0)
    inst["training_jobs"] = [job("A", power=4.0, work=4.0, deadline=at(4)),
                             job("B", power=10.0, work=10.0, deadline=at(3)),
                             job("C", power=6.0, work=6.0, deadline=at(4))]
    inst["notices"] = [notice("N1", 0, 1, 14.0)]
    out = naive_schedule(load(tmp_path, inst, series))
    s = out.steps
    # step 0: 4 + 10 + 6 = 20 > 14. Deadline 04:00 first, the larger power first: pausing C (6) gives
    # 14 <= 14, so A and B (deadline 03:00) keep running. (A first would leave 16 > 14 and pause C too;
    # B first would leave A and C running.) Step 1: C runs.
    assert s["job.A.power_mw"].to_numpy() == approx([4, 0, 0, 0])
    assert s["job.B.power_mw"].to_numpy() == approx([10, 0, 0, 0])
    assert s["job.C.power_mw"].to_numpy() == approx([0, 6, 0, 0])
    assert s["grid_import_mw"].to_numpy() == approx([14, 6, 0, 0])


# -- a notice too deep: inference shed to its minimum, the rest missed --------------------------------------
def _deep_instance(carbon: bool = False):
    inst, series = base(3, 100.0, it_load_mw=4.0)
    inst["training_jobs"] = [job(power=10.0, work=10.0, deadline=at(2))]
    inst["inference"] = [
        {"id": "chat", "demand_mw": 5.0, "min_served_fraction": 0.6, "shed_penalty_usd_per_mwh": 500.0},
        {"id": "batch", "demand_mw": 3.0, "min_served_fraction": 0.0, "shed_penalty_usd_per_mwh": 100.0}]
    inst["notices"] = [notice("N1", 0, 1, 5.0), notice("N2", 2, 3, 10.0)]
    if carbon:
        inst["grid"].update(carbon_kg_per_mwh=400.0, carbon_price_usd_per_t=50.0, demand_charge_usd_per_kw=2.0)
    return inst, series


def test_deep_notice_sheds_inference_to_its_minimum_and_is_missed(tmp_path):
    out = naive_schedule(load(tmp_path, *_deep_instance()))
    s = out.steps
    # step 0: 4 + 10 + 5 + 3 = 22 > 5. Pause J1 -> 12. Shed batch (cheapest, $100) fully, 3 -> 9; shed chat
    #   to 0.6 x 5 = 3 (2 MW) -> 7. Nothing left to shed: missed by 7 - 5 = 2 MW.
    # step 1: no notice: 22 MW, J1 does its 10 MWh.
    # step 2: J1 is past its deadline: 4 + 5 + 3 = 12 > 10 -> shed 2 MW of batch (partial) -> 10.
    assert s["job.J1.power_mw"].to_numpy() == approx([0, 10, 0])
    assert s["inference.batch.served_mw"].to_numpy() == approx([0, 3, 1])
    assert s["inference.batch.shed_mw"].to_numpy() == approx([3, 0, 2])
    assert s["inference.chat.served_mw"].to_numpy() == approx([3, 5, 5])
    assert s["inference.chat.shed_mw"].to_numpy() == approx([2, 0, 0])
    assert s["grid_import_mw"].to_numpy() == approx([7, 22, 10])
    assert s["over_limit_mw"].to_numpy() == approx([2, 0, 0])
    assert out.summary["curtailment"] == [
        {"id": "N1", "cap_mw": 5.0, "max_import_mw": approx(7.0), "met": False, "missed_mw": approx(2.0), "missed_mwh": approx(2.0)},  # 2 MW over for one hour,
        {"id": "N2", "cap_mw": 10.0, "max_import_mw": approx(10.0), "met": True, "missed_mw": approx(0.0), "missed_mwh": approx(0.0)}]
    # shed = 3 + 2 + 2 = 7 MWh; cost = (3 + 2) x 100 + 2 x 500 = 1500
    assert out.summary["inference_shed_mwh"] == approx(7.0)
    assert out.summary["cost_breakdown_usd"]["inference_shed"] == approx(1500.0)
    # energy = 100 x (7 + 22 + 10) = 3900
    assert out.summary["cost_breakdown_usd"]["energy"] == approx(3900.0)
    assert out.summary["jobs"]["J1"]["unfinished_mwh"] == approx(0.0)


def test_cooling_capacity_pauses_the_job_and_reports_the_shortfall(tmp_path):
    inst, series = base(2, 10.0, it_load_mw=col("it"))
    series["it"] = [3.0, 6.0]
    series["temp"] = [20.0, 40.0]
    # capacity = 10 x derate: 10 MW th at 20 C, 5 at 40 C; COP 4 -> cooling = IT / 4
    inst["cooling"] = {"outdoor_temp_c": col("temp"), "rated_capacity_mw_th": 10.0,
                       "capacity_derate_curve": [[20.0, 1.0], [40.0, 0.5]], "cop_curve": [[0.0, 4.0]]}
    inst["training_jobs"] = [job(power=6.0, work=12.0)]
    out = naive_schedule(load(tmp_path, inst, series))
    s = out.steps
    # step 0: heat 3 + 6 = 9 <= 10, runs. step 1: 6 + 6 = 12 > 5 -> pause -> 6 > 5: short by 1 MW th.
    assert s["job.J1.power_mw"].to_numpy() == approx([6, 0])
    assert s["cooling_mw"].to_numpy() == approx([2.25, 1.5])
    assert s["grid_import_mw"].to_numpy() == approx([11.25, 7.5])
    assert s["over_limit_mw"].to_numpy() == approx([0, 1])
    assert out.summary["cooling_shortfall_mw_max"] == approx(1.0)
    # energy = 10 x (11.25 + 7.5) = 187.5; unfinished 6 MWh x $10,000 (default) = 60,000
    assert out.summary["objective_usd"] == approx(60187.5)


def test_shedding_under_an_import_cap_counts_the_cooling_it_saves(tmp_path):
    inst, series = base(1, 10.0, it_load_mw=4.0)
    inst["cooling"] = {"outdoor_temp_c": 20.0, "rated_capacity_mw_th": 100.0, "cop_curve": [[0.0, 4.0]]}
    inst["inference"] = [{"id": "chat", "demand_mw": 4.0, "min_served_fraction": 0.0,
                          "shed_penalty_usd_per_mwh": 10.0}]
    inst["notices"] = [notice("N1", 0, 1, 9.0)]
    out = naive_schedule(load(tmp_path, inst, series))
    # import = 1.25 x IT (COP 4) = 1.25 x 8 = 10 > 9: cut (10 - 9) / 1.25 = 0.8 MW of IT -> serve 3.2 MW,
    # import = 1.25 x 7.2 = 9 exactly (cutting 1 MW, ignoring the cooling saved, would leave 8.75).
    assert out.steps["inference.chat.shed_mw"].to_numpy() == approx([0.8])
    assert out.steps["grid_import_mw"].to_numpy() == approx([9.0])
    assert out.summary["curtailment"][0]["met"]
    # shed = 0.8 MWh x 10 = 8; energy = 9 x 10 = 90
    assert out.summary["objective_usd"] == approx(98.0)


# -- restarts ----------------------------------------------------------------------------------------------
def test_restart_loss_after_a_pause(tmp_path):
    inst, series = base(4, 10.0)
    inst["training_jobs"] = [job("J1", work=20.0, restart_loss_hours=0.5),
                             job("J2", work=30.0, restart_loss_hours=2.0, unfinished_penalty_usd_per_mwh=100.0)]
    inst["notices"] = [notice("N1", 1, 2, 0.0)]
    out = naive_schedule(load(tmp_path, inst, series))
    s = out.steps
    # J1: step 0 does 10 (10 left); step 1 paused; step 2 restarts and loses 0.5 h x 10 MW = 5 -> 15 left,
    #   does 10; step 3 does the last 5. Without the loss it would have finished at step 2.
    assert s["job.J1.power_mw"].to_numpy() == approx([10, 0, 10, 10])
    assert s["job.J1.work_mwh"].to_numpy() == approx([10, 0, 10, 5])
    j1 = out.summary["jobs"]["J1"]
    assert j1["work_done_mwh"] == approx(20.0) and j1["unfinished_mwh"] == approx(0.0)
    assert j1["restarts"] == 1 and j1["finish_time"] == at(4)
    # J2: step 0 does 10 (20 left); the restart would lose 2 h x 10 MW = 20 but only the 10 done can be lost:
    #   30 left; steps 2 and 3 do 20 -> 10 unfinished (work done = 30 gross - 10 lost = 20).
    assert s["job.J2.work_mwh"].to_numpy() == approx([10, 0, 10, 10])
    j2 = out.summary["jobs"]["J2"]
    assert j2["work_done_mwh"] == approx(20.0) and j2["unfinished_mwh"] == approx(10.0)
    # energy = 10 x (20 + 0 + 20 + 20) = 600; unfinished = 10 x 100 = 1000
    assert out.summary["cost_breakdown_usd"]["energy"] == approx(600.0)
    assert out.summary["objective_usd"] == approx(1600.0)


def test_job_that_cannot_pause_is_lost_when_paused(tmp_path):
    inst, series = base(4, 10.0)
    inst["training_jobs"] = [job("J1", work=30.0, can_pause=False, unfinished_penalty_usd_per_mwh=100.0),
                             # paused at its first step, before it ever started: it may still start later
                             job("J2", power=5.0, work=10.0, can_pause=False, release=at(1))]
    inst["notices"] = [notice("N1", 1, 2, 0.0)]
    out = naive_schedule(load(tmp_path, inst, series))
    s = out.steps
    # J1 runs step 0 (10 MWh), is paused at step 1 and cannot resume: 20 MWh unfinished.
    assert s["job.J1.power_mw"].to_numpy() == approx([10, 0, 0, 0])
    assert out.summary["jobs"]["J1"]["unfinished_mwh"] == approx(20.0)
    # J2 starts at step 2 and runs in one stretch: 5 + 5 = 10 MWh.
    assert s["job.J2.power_mw"].to_numpy() == approx([0, 0, 5, 5])
    assert out.summary["jobs"]["J2"]["unfinished_mwh"] == approx(0.0)
    # energy = 10 x (10 + 0 + 5 + 5) = 200; unfinished = 20 x 100 = 2000
    assert out.summary["cost_breakdown_usd"]["unfinished_work"] == approx(2000.0)
    assert out.summary["objective_usd"] == approx(2200.0)


# -- costs -------------------------------------------------------------------------------------------------
def test_settlement_prices_change_only_the_energy_cost(tmp_path):
    inst, series = _release_instance()
    inst["grid"].update(carbon_kg_per_mwh=400.0, carbon_price_usd_per_t=50.0, demand_charge_usd_per_kw=2.0)
    loaded = load(tmp_path, inst, series)
    forecast = naive_schedule(loaded)
    settle = np.array([100.0, 0.0, -20.0, 10.0, 10.0])
    actual = naive_schedule(loaded, settle)
    # same schedule: import [3, 13, 13, 13, 3]
    assert actual.steps["grid_import_mw"].to_numpy() == approx(forecast.steps["grid_import_mw"].to_numpy())
    assert actual.steps["price_usd_per_mwh"].to_numpy() == approx(settle)
    fb, ab = forecast.summary["cost_breakdown_usd"], actual.summary["cost_breakdown_usd"]
    # energy = 3x100 + 0 - 13x20 + 13x10 + 3x10 = 300 - 260 + 130 + 30 = 200 (forecast: 1350)
    assert fb["energy"] == approx(1350.0) and ab["energy"] == approx(200.0)
    # carbon = 0.05 $/kg x 400 kg/MWh x 45 MWh = 900; demand charge = 2 $/kW x 1000 x 13 MW = 26,000
    for b in (fb, ab):
        assert b["carbon"] == approx(900.0) and b["demand_charge"] == approx(26000.0)
    assert {k: v for k, v in ab.items() if k != "energy"} == {k: v for k, v in fb.items() if k != "energy"}
    assert actual.summary["objective_usd"] - forecast.summary["objective_usd"] == approx(200.0 - 1350.0)
    with pytest.raises(ValueError):
        naive_schedule(loaded, settle[:4])


def test_cost_terms_sum_to_the_objective(tmp_path):
    out = naive_schedule(load(tmp_path, *_deep_instance(carbon=True)))
    b = out.summary["cost_breakdown_usd"]
    assert set(b) == set(COST_TERMS)
    # imports [7, 22, 10] (as in the deep-notice test): energy 3900; CO2 = 400 x 39 = 15,600 kg = 15.6 t,
    # carbon = 15,600 x 0.05 = 780; demand charge = 2 x 1000 x 22 = 44,000; shed 1500; no fuel, no start,
    # nothing unfinished.
    assert b == {"energy": approx(3900.0), "carbon": approx(780.0), "demand_charge": approx(44000.0),
                 "fuel": 0.0, "startup": 0.0, "unfinished_work": approx(0.0), "inference_shed": approx(1500.0)}
    assert out.summary["co2_t"] == approx(15.6)
    assert out.summary["objective_usd"] == approx(sum(b.values()))
    assert out.summary["objective_usd"] == approx(3900.0 + 780.0 + 44000.0 + 1500.0)


def test_optimizer_is_never_worse_than_a_feasible_naive_schedule(tmp_path):
    # A naive schedule that meets every limit is a feasible plan of the model (full power, work on the
    # curve, storage unused), so the optimum costs at most as much.
    inst, series = base(4, [80, 20, 10, 60], interconnection_mw=30.0, it_load_mw=3.0)
    inst["training_jobs"] = [job(work=20.0, restart_loss_hours=0.25)]
    inst["inference"] = [{"id": "chat", "demand_mw": 2.0, "min_served_fraction": 0.5,
                          "shed_penalty_usd_per_mwh": 300.0}]
    inst["notices"] = [notice("N1", 1, 2, 6.0)]
    path = write_instance(tmp_path, inst, series)
    naive = naive_schedule(eo.load_instance(path))
    # step 1: 3 + 10 + 2 = 15 > 6 -> pause; 5 <= 6. Restart at step 2 loses 2.5: 10 + 10 + 2.5 needs step 3.
    assert naive.steps["job.J1.work_mwh"].to_numpy() == approx([10, 0, 10, 2.5])
    assert all(c["met"] for c in naive.summary["curtailment"])
    opt = solve(path)
    assert opt.summary["objective_usd"] <= naive.summary["objective_usd"] + 1e-6
