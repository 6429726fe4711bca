"""Optima derived by hand on tiny instances.

Every expected figure is worked out in the comment beside its assertion, from the formulation:
dt in hours; energy = price x import x dt; fuel = fuel price x dt x (noload/MW x capacity x on +
slope x output); shed = penalty x shed MW x dt. Unless a test says otherwise the instances have no
cooling (no cooling power), no overhead, no carbon, and hourly steps (dt = 1 h).
"""
from __future__ import annotations

import numpy as np
import pytest

try:
    from .helpers import at, base, col, solve_dict
except ImportError:  # tests/ is not a package: pytest puts it on sys.path
    from helpers import at, base, col, solve_dict

REL = 1e-6
ABS = 1e-6


def approx(x):
    return pytest.approx(x, rel=REL, abs=ABS)


def full_power_job(jid="J1", power=10.0, work=30.0, **kw):
    """A job that runs only at full power with one unit of work per MWh (curve y = x)."""
    return {"id": jid, "power_mw": power, "work_mwh": work, "min_power_fraction": 1.0,
            "throughput_curve": [[1.0, 1.0]], **kw}


def generator(gid="G1", **kw):
    """A generator with a clean fuel line unless overridden: no intercept, no minimum load, no start cost."""
    g = {"id": gid, "capacity_mw": 5.0, "min_load_fraction": 0.0, "fuel_noload_gal_per_h_per_mw": 0.0,
         "fuel_slope_gal_per_mwh": 50.0, "fuel_price_usd_per_gal": 2.0, "run_hours_left": 100.0}
    g.update(kw)
    return g


# -- 1. a flexible job runs in the cheapest hours ---------------------------------------------------------
def test_flexible_job_runs_in_the_three_cheapest_hours(tmp_path):
    prices = [50, 20, 80, 10, 40, 30]
    inst, series = base(6, prices)
    inst["training_jobs"] = [full_power_job(power=10.0, work=30.0)]
    r = solve_dict(tmp_path, inst, series)
    power = r.steps["job.J1.power_mw"].to_numpy()
    # 30 MWh at 10 MW = 3 full hours; the three cheapest are hour 3 ($10), hour 1 ($20), hour 5 ($30).
    assert power == approx([0, 10, 0, 10, 0, 10])
    assert r.steps["grid_import_mw"].to_numpy() == approx([0, 10, 0, 10, 0, 10])
    # objective = 10 MW x 1 h x (10 + 20 + 30) = 600
    assert r.summary["objective_usd"] == approx(600.0)
    assert r.summary["cost_breakdown_usd"]["energy"] == approx(600.0)
    assert r.summary["jobs"]["J1"]["work_done_mwh"] == approx(30.0)
    assert r.summary["jobs"]["J1"]["unfinished_mwh"] == approx(0.0)
    assert r.summary["jobs"]["J1"]["starts"] == 3


def test_job_window_limits_the_choice_of_hours(tmp_path):
    prices = [50, 20, 80, 10, 40, 30]
    inst, series = base(6, prices)
    # Release 02:00, deadline 05:00: only steps 2, 3, 4 (prices 80, 10, 40) lie wholly inside.
    inst["training_jobs"] = [full_power_job(work=20.0, release=at(2), deadline=at(5))]
    r = solve_dict(tmp_path, inst, series)
    # 20 MWh = 2 full hours; the cheapest two in the window are hour 3 ($10) and hour 4 ($40).
    assert r.steps["job.J1.power_mw"].to_numpy() == approx([0, 0, 0, 10, 10, 0])
    # objective = 10 x (10 + 40) = 500 (the $20 and $30 hours lie outside the window)
    assert r.summary["objective_usd"] == approx(500.0)


def test_concave_throughput_curve_spreads_power(tmp_path):
    prices = [30, 50, 20, 60]
    inst, series = base(4, prices)
    # Curve (0.5, 0.75) -> (1, 1): work <= dt x (0.5 x power + 0.5 x 10 MW) while running, power in [5, 10].
    inst["training_jobs"] = [{"id": "J1", "power_mw": 10.0, "work_mwh": 16.0, "min_power_fraction": 0.5,
                              "throughput_curve": [[0.5, 0.75], [1.0, 1.0]]}]
    r = solve_dict(tmp_path, inst, series)
    # One hour gives at most 10 MWh of work < 16, so at least two running hours. With two hours at
    # power fractions x1, x2: work = 10 x (0.75 + 0.5 (x1 - 0.5)) + 10 x (0.75 + 0.5 (x2 - 0.5)) = 16
    # -> x1 + x2 = 1.2, i.e. 12 MWh of energy. Three hours need >= 3 x 5 = 15 MWh at >= $20, $30, $50
    # -> >= $500. Two hours: the cheapest pair is hour 2 ($20) and hour 0 ($30), and the extra 0.2 above
    # the 0.5 floor goes to the cheaper one: 7 MW at $20, 5 MW at $30.
    assert r.steps["job.J1.power_mw"].to_numpy() == approx([5, 0, 7, 0])
    # work: hour 0 = 0.5 x 5 + 5 = 7.5, hour 2 = 0.5 x 7 + 5 = 8.5 -> 16
    assert r.steps["job.J1.work_mwh"].to_numpy() == approx([7.5, 0, 8.5, 0])
    # objective = 5 x 30 + 7 x 20 = 150 + 140 = 290
    assert r.summary["objective_usd"] == approx(290.0)


def test_unfinished_work_is_penalised(tmp_path):
    inst, series = base(3, [10, 20, 30])
    # 30 MWh of work at 10 MW before a deadline two hours in: only 20 MWh can be done.
    inst["training_jobs"] = [full_power_job(work=30.0, deadline=at(2), unfinished_penalty_usd_per_mwh=1000.0)]
    r = solve_dict(tmp_path, inst, series)
    assert r.steps["job.J1.power_mw"].to_numpy() == approx([10, 10, 0])
    # energy = 10 x (10 + 20) = 300; unfinished = 10 MWh x $1000 = 10,000; total 10,300
    assert r.summary["jobs"]["J1"]["unfinished_mwh"] == approx(10.0)
    assert r.summary["cost_breakdown_usd"]["unfinished_work"] == approx(10000.0)
    assert r.summary["objective_usd"] == approx(10300.0)


# -- 2. a curtailment forces energy onto a generator ------------------------------------------------------
def _curtailment_instance(**notice):
    prices = [30, 50, 60, 40]
    inst, series = base(4, prices, interconnection_mw=20.0, it_load_mw=10.0)
    inst["notices"] = [{"id": "N1", "issued": at(-2), "start": at(1), "end": at(3), **notice}]
    return inst, series


def test_curtailment_forces_the_gap_onto_a_generator(tmp_path):
    inst, series = _curtailment_instance(cap_mw=7.0)
    # Fuel: $2/gal x 70 gal/MWh = $140/MWh of output, dearer than the grid in every hour, so the unit
    # covers exactly the gap L - C = 10 - 7 = 3 MW in the two notice hours; it may only run then.
    inst["generators"] = [generator(fuel_slope_gal_per_mwh=70.0, startup_cost_usd=100.0)]
    r = solve_dict(tmp_path, inst, series)
    assert r.steps["grid_import_mw"].to_numpy() == approx([10, 7, 7, 10])
    assert r.steps["generator.G1.output_mw"].to_numpy() == approx([0, 3, 3, 0])
    # X = k (L - C) = 2 h x 3 MW = 6 MWh
    assert r.summary["generator_run_hours"]["G1"]["output_mwh"] == approx(6.0)
    # energy = 10x30 + 7x50 + 7x60 + 10x40 = 300 + 350 + 420 + 400 = 1470
    assert r.summary["cost_breakdown_usd"]["energy"] == approx(1470.0)
    # fuel = 6 MWh x 70 gal/MWh = 420 gal x $2 = 840
    assert r.summary["cost_breakdown_usd"]["fuel"] == approx(840.0)
    # one start (staying on through both hours costs nothing: no intercept, no minimum load) = 100
    assert r.summary["cost_breakdown_usd"]["startup"] == approx(100.0)
    assert r.summary["objective_usd"] == approx(1470.0 + 840.0 + 100.0)
    # emissions: NOx = 6.4 kg/MWh (default) x 6 MWh = 38.4 kg; CO2 = 420 gal x 10.16 kg/gal = 4267.2 kg
    assert r.summary["nox_kg"] == approx(38.4)
    assert r.summary["co2_t"] == approx(4.2672)
    assert r.summary["curtailment"][0]["max_import_mw"] == approx(7.0)


def test_minimum_load_and_fuel_intercept_under_curtailment(tmp_path):
    # Same site, the cap given as a reduction: 10 MW x (1 - 0.3) = 7 MW.
    inst, series = _curtailment_instance(reduction_fraction=0.3, baseline_mw=10.0)
    # Minimum load 0.8 x 5 = 4 MW > the 3 MW gap, so the unit runs at 4 MW and import falls to 6 MW
    # (running above 4 MW only replaces cheaper grid energy). Intercept 4 gal/h/MW x 5 MW = 20 gal/h.
    inst["generators"] = [generator(fuel_slope_gal_per_mwh=70.0, startup_cost_usd=100.0, min_load_fraction=0.8,
                                    fuel_noload_gal_per_h_per_mw=4.0)]
    r = solve_dict(tmp_path, inst, series)
    assert r.steps["generator.G1.output_mw"].to_numpy() == approx([0, 4, 4, 0])
    assert r.steps["grid_import_mw"].to_numpy() == approx([10, 6, 6, 10])
    # energy = 300 + 6x50 + 6x60 + 400 = 1360
    assert r.summary["cost_breakdown_usd"]["energy"] == approx(1360.0)
    # fuel gallons = 2 h x 20 gal/h + 8 MWh x 70 = 40 + 560 = 600 gal -> $1200
    assert r.summary["generator_run_hours"]["G1"]["fuel_gal"] == approx(600.0)
    assert r.summary["cost_breakdown_usd"]["fuel"] == approx(1200.0)
    # total = 1360 + 1200 + 100 (one start) = 2660; CO2 = 600 x 10.16 = 6096 kg
    assert r.summary["objective_usd"] == approx(2660.0)
    assert r.summary["co2_t"] == approx(6.096)


# -- 3. the hot hour's cooling capacity binds -------------------------------------------------------------
def test_hot_hour_cooling_capacity_limits_job_power(tmp_path):
    prices = [100, 10, 120]
    inst, series = base(3, prices, it_load_mw=2.0)
    series["temp"] = [20.0, 30.0, 25.0]
    # Capacity = 10 x derate: 20 C -> 1.0 (10 MW th), 30 C -> 0.75 (7.5), 25 C -> 0.875 (8.75). COP is 4
    # throughout, so facility load = 1.25 x IT load.
    inst["cooling"] = {"outdoor_temp_c": col("temp"), "rated_capacity_mw_th": 10.0,
                       "capacity_derate_curve": [[20.0, 1.0], [40.0, 0.5]], "cop_curve": [[0.0, 4.0]]}
    # Job power in [3, 6] MW while running, work = energy (curve y = x).
    inst["training_jobs"] = [{"id": "J1", "power_mw": 6.0, "work_mwh": 9.0, "min_power_fraction": 0.5,
                              "throughput_curve": [[0.5, 0.5], [1.0, 1.0]]}]
    r = solve_dict(tmp_path, inst, series)
    # The hot hour is the cheapest ($10) but heat removal caps IT at 7.5 MW -> job 7.5 - 2 = 5.5 MW.
    # The other 3.5 MWh go to the cheaper remaining hour ($100 < $120), 3.5 MW >= the 3 MW floor.
    assert r.steps["job.J1.power_mw"].to_numpy() == approx([3.5, 5.5, 0.0])
    assert r.steps["job.J1.work_mwh"].to_numpy() == approx([3.5, 5.5, 0.0])
    assert r.steps["it_load_mw"].to_numpy() == approx([5.5, 7.5, 2.0])
    assert r.steps["cooling_capacity_mw_th"].to_numpy() == approx([10.0, 7.5, 8.75])
    # cooling = IT / 4
    assert r.steps["cooling_mw"].to_numpy() == approx([1.375, 1.875, 0.5])
    # objective = 1.25 x (5.5 x 100 + 7.5 x 10 + 2 x 120) = 1.25 x 865 = 1081.25
    assert r.summary["objective_usd"] == approx(1081.25)


def test_thermal_storage_precools_for_the_hot_hour(tmp_path):
    prices = [10, 100]
    inst, series = base(2, prices, it_load_mw=6.0)
    series["temp"] = [20.0, 40.0]
    # Capacity: 10 MW th at 20 C, 5 MW th at 40 C; COP 4. Hour 1's 6 MW of heat exceeds its 5 MW th, so
    # the tank must discharge d1 >= 1 there. Tank 4 MWh th, starting (and ending at least) at 2 MWh th.
    inst["cooling"] = {"outdoor_temp_c": col("temp"), "rated_capacity_mw_th": 10.0,
                       "capacity_derate_curve": [[20.0, 1.0], [40.0, 0.5]], "cop_curve": [[0.0, 4.0]],
                       "thermal_storage": {"capacity_mwh_th": 4.0, "max_charge_mw_th": 3.0,
                                           "max_discharge_mw_th": 3.0, "initial_fraction": 0.5}}
    r = solve_dict(tmp_path, inst, series)
    # Chilling costs price / 4 per MWh th: $2.5 in hour 0, $25 in hour 1, so shift as much as possible.
    # Net charge n0 in hour 0 and net discharge d1 in hour 1: top of tank 2 + n0 <= 4, end level
    # 2 + n0 - d1 >= 2 -> d1 <= n0 <= 2 (the 3 MW th rate limits do not bind). So n0 = d1 = 2:
    # chill = [6 + 2, 6 - 2] = [8, 4] (8 <= 10 and 4 <= 5), levels [4, 2].
    ts = r.steps
    assert (ts["thermal_storage.charge_mw_th"] - ts["thermal_storage.discharge_mw_th"]).to_numpy() == approx([2, -2])
    assert ts["thermal_storage.stored_mwh_th"].to_numpy() == approx([4, 2])
    assert ts["cooling_chill_mw_th"].to_numpy() == approx([8, 4])
    assert ts["cooling_mw"].to_numpy() == approx([2, 1])
    # objective = 10 x (6 + 8/4) + 100 x (6 + 4/4) = 80 + 700 = 780
    # (the least shift, d1 = 1, would cost 10 x 7.75 + 100 x 7.25 = 802.5)
    assert r.summary["objective_usd"] == approx(780.0)


# -- 4. a run-hour limit forces inference shedding ---------------------------------------------------------
def test_run_hour_limit_forces_inference_shedding(tmp_path):
    inst, series = base(4, 40.0, interconnection_mw=20.0)
    inst["notices"] = [{"id": "N1", "issued": at(-1), "start": at(1), "end": at(4), "cap_mw": 6.0}]
    # $2/gal x 50 gal/MWh = $100/MWh of output, one run hour left.
    inst["generators"] = [generator(run_hours_left=1.0)]
    inst["inference"] = [{"id": "chat", "demand_mw": 10.0, "min_served_fraction": 0.5,
                          "shed_penalty_usd_per_mwh": 1000.0}]
    r = solve_dict(tmp_path, inst, series)
    # Notice hours 1-3 cap import at 6 MW against 10 MW of demand: a 4 MW gap each hour. The unit
    # ($100/MWh) beats shedding ($1000/MWh) but may run one hour only: it covers 4 MW in one hour, and
    # the other two hours shed 4 MW each (<= the 5 MW that may be shed).
    # Y = 2 h x 4 MW = 8 MWh
    assert r.summary["inference_shed_mwh"] == approx(8.0)
    assert r.summary["generator_run_hours"]["G1"]["hours"] == approx(1.0)
    assert r.steps["grid_import_mw"].to_numpy() == approx([10, 6, 6, 6])
    shed = r.steps["inference.chat.shed_mw"].to_numpy()
    out = r.steps["generator.G1.output_mw"].to_numpy()
    assert shed[0] == approx(0.0)
    assert sorted(shed[1:]) == approx([0, 4, 4])
    assert out + shed == approx([0, 4, 4, 4])  # every notice hour's gap is covered one way or the other
    # energy = 40 x (10 + 3 x 6) = 1120; fuel = 4 MWh x $100 = 400; shed = 8 MWh x $1000 = 8000
    assert r.summary["cost_breakdown_usd"]["energy"] == approx(1120.0)
    assert r.summary["cost_breakdown_usd"]["fuel"] == approx(400.0)
    assert r.summary["cost_breakdown_usd"]["inference_shed"] == approx(8000.0)
    assert r.summary["objective_usd"] == approx(9520.0)


def test_event_hour_limit_forces_inference_shedding(tmp_path):
    inst, series = base(4, 40.0, interconnection_mw=20.0)
    inst["notices"] = [{"id": "N1", "issued": at(-1), "start": at(1), "end": at(4), "cap_mw": 6.0}]
    # Plenty of permit hours overall, but at most 2 per notice window.
    inst["generators"] = [generator(max_hours_per_event=2.0)]
    inst["inference"] = [{"id": "chat", "demand_mw": 10.0, "min_served_fraction": 0.5,
                          "shed_penalty_usd_per_mwh": 1000.0}]
    r = solve_dict(tmp_path, inst, series)
    # As above but the unit covers two of the three 4 MW gaps: shed 4 MWh, fuel 8 MWh x $100.
    # objective = 1120 + 800 + 4000 = 5920
    assert r.summary["inference_shed_mwh"] == approx(4.0)
    assert r.summary["generator_run_hours"]["G1"]["hours"] == approx(2.0)
    assert r.summary["objective_usd"] == approx(5920.0)


# -- 5. minimum up time and start-up cost ------------------------------------------------------------------
@pytest.mark.parametrize("min_up,expected", [
    # min up 3 h: starting in hour 1 keeps the unit on in hours 1-3 at >= 2 MW.
    # hour 0: grid 4 x 20 = 80; hour 1: unit 4 MW x $50 = 200; hours 2, 3: unit 2 MW x 50 = 100 plus
    # grid 2 x 30 = 60 each -> 160 + 160; start 50. Total 80 + 200 + 320 + 50 = 650.
    # (Alternatives: no start = 4 x (20 + 200 + 30 + 30) = 1120; on in hours 0-2 = 140 + 200 + 160 +
    # 120 + 50 = 670.)
    (3.0, 650.0),
    # no min up: on in hour 1 only: 80 + 200 + 120 + 120 + 50 = 570.
    (0.0, 570.0),
])
def test_minimum_up_time_keeps_the_unit_on_at_minimum_load(tmp_path, min_up, expected):
    inst, series = base(4, [20, 200, 30, 30], it_load_mw=4.0)
    # Economic dispatch, $1/gal x 50 gal/MWh = $50/MWh, min load 0.4 x 5 = 2 MW, start $50.
    inst["generators"] = [generator(dispatch="economic", fuel_price_usd_per_gal=1.0, min_load_fraction=0.4,
                                    startup_cost_usd=50.0, min_up_hours=min_up)]
    r = solve_dict(tmp_path, inst, series)
    assert r.summary["objective_usd"] == approx(expected)
    if min_up:
        assert list(r.steps["generator.G1.on"]) == [0, 1, 1, 1]
        assert r.steps["generator.G1.output_mw"].to_numpy() == approx([0, 4, 2, 2])
        # energy = 80 + 0 + 60 + 60 = 200; fuel = (4 + 2 + 2) MWh x 50 = 400; start 50
        assert r.summary["cost_breakdown_usd"]["energy"] == approx(200.0)
        assert r.summary["cost_breakdown_usd"]["fuel"] == approx(400.0)
    else:
        assert list(r.steps["generator.G1.on"]) == [0, 1, 0, 0]
    assert r.summary["cost_breakdown_usd"]["startup"] == approx(50.0)


@pytest.mark.parametrize("start_cost,on,expected", [
    # Start $300: stopping in hour 1 saves the $10 intercept but costs a second start: stay on, idle
    # (output 0: the grid's $40 beats the unit's $50/MWh). Hours 0 and 2: 4 MW x 50 + 10 = 210 each;
    # hour 1: 4 x 40 + 10 = 170; one start 300 -> 890. (Off in hour 1: 210 + 160 + 210 + 600 = 1180;
    # no unit: 4 x (200 + 40 + 200) = 1760.)
    (300.0, [1, 1, 1], 890.0),
    # Start $5 < the $10 idle fuel: stop and restart -> 210 + 160 + 210 + 2 x 5 = 590 (staying on: 595).
    (5.0, [1, 0, 1], 590.0),
])
def test_start_cost_against_idle_fuel(tmp_path, start_cost, on, expected):
    inst, series = base(3, [200, 40, 200], it_load_mw=4.0)
    # $1/gal x 50 gal/MWh = $50/MWh, min load 0, intercept 2 gal/h/MW x 5 MW = 10 gal/h = $10/h while on.
    inst["generators"] = [generator(dispatch="economic", fuel_price_usd_per_gal=1.0, startup_cost_usd=start_cost,
                                    fuel_noload_gal_per_h_per_mw=2.0)]
    r = solve_dict(tmp_path, inst, series)
    assert list(r.steps["generator.G1.on"]) == on
    assert r.steps["generator.G1.output_mw"].to_numpy() == approx([4, 0, 4])
    assert r.summary["objective_usd"] == approx(expected)


# -- 6. restart loss --------------------------------------------------------------------------------------
@pytest.mark.parametrize("work,loss,power,expected", [
    # No loss: the two $10 hours (0 and 2) -> 10 x 20 = 200.
    (20.0, 0.0, [10, 0, 10, 0], 200.0),
    # Loss 0.5 h x 10 MW = 5 MWh per resume. Hours 0 + 2 give 20 - 5 = 15 < 20; the split plan needs a
    # third hour (0, 2, 3: 10 x (10 + 10 + 100) = 1200) and any plan through the $300 hour is >= 3000,
    # so one stretch in hours 2-3 wins: 10 x (10 + 100) = 1100.
    (20.0, 0.5, [0, 0, 10, 10], 1100.0),
    # Only 15 MWh needed: the split still wins despite the loss: 20 - 5 = 15 -> 200.
    (15.0, 0.5, [10, 0, 10, 0], 200.0),
])
def test_restart_loss_decides_between_split_and_contiguous_runs(tmp_path, work, loss, power, expected):
    inst, series = base(4, [10, 300, 10, 100])
    inst["training_jobs"] = [full_power_job(work=work, restart_loss_hours=loss)]
    r = solve_dict(tmp_path, inst, series)
    assert r.steps["job.J1.power_mw"].to_numpy() == approx(power)
    assert r.summary["objective_usd"] == approx(expected)
    assert r.summary["jobs"]["J1"]["work_done_mwh"] == approx(work)


def test_restarts_are_counted_exactly_when_nothing_pushes_them_down(tmp_path):
    # Regression: restarts were only bounded below, so with a zero penalty for unfinished work the solver
    # could report extra restarts and a negative work done. Price $40 > 0 and no penalty: the job never
    # runs; work done 0, unfinished 6 (the whole job), cost 0.
    inst, series = base(4, 40.0)
    inst["training_jobs"] = [full_power_job(power=4.0, work=6.0, restart_loss_hours=0.25,
                                            unfinished_penalty_usd_per_mwh=0.0)]
    r = solve_dict(tmp_path, inst, series)
    assert r.summary["jobs"]["J1"]["work_done_mwh"] == approx(0.0)
    assert r.summary["jobs"]["J1"]["unfinished_mwh"] == approx(6.0)
    assert r.summary["objective_usd"] == approx(0.0)


def test_negative_prices_do_not_buy_restarts(tmp_path):
    # Price -$10 in hours 0 and 2, +$100 in 1 and 3; job 4 MW at full power only, work 8 MWh, loss
    # 0.5 h x 4 MW = 2 MWh per restart, penalty $30/MWh. Options:
    #   run 0 and 2: earns 2 x 40 = $80, done 8 - 2 = 6, unfinished 2 x $30 = $60 -> -$20;
    #   run 0 only: -$40 + 4 x 30 = $80;  run 0, 2 and 3: -80 + 400 + (10 - 2 = 8 done) = $320;
    #   run 0-1 (one stretch): -40 + 400 = $360; nothing: 8 x 30 = $240.
    # Optimum -$20 with exactly one restart (extra restarts would only lose work).
    inst, series = base(4, [-10, 100, -10, 100])
    inst["training_jobs"] = [full_power_job(power=4.0, work=8.0, restart_loss_hours=0.5,
                                            unfinished_penalty_usd_per_mwh=30.0)]
    r = solve_dict(tmp_path, inst, series)
    assert r.steps["job.J1.power_mw"].to_numpy() == approx([4, 0, 4, 0])
    assert r.summary["jobs"]["J1"]["work_done_mwh"] == approx(6.0)
    assert r.summary["objective_usd"] == approx(-20.0)


def test_job_that_cannot_pause_runs_in_one_stretch(tmp_path):
    inst, series = base(4, [10, 300, 10, 100])
    inst["training_jobs"] = [full_power_job(work=20.0, can_pause=False)]
    r = solve_dict(tmp_path, inst, series)
    # Two consecutive hours: (0,1) 3100, (1,2) 3100, (2,3) 1100 -> hours 2-3, 1100.
    assert r.steps["job.J1.power_mw"].to_numpy() == approx([0, 0, 10, 10])
    assert r.summary["objective_usd"] == approx(1100.0)


# -- 7. battery arbitrage ----------------------------------------------------------------------------------
@pytest.mark.parametrize("prices,charge,discharge,stored,expected", [
    # eta = sqrt(0.81) = 0.9 each way. Charging 1 MWh at $20 returns 0.81 MWh worth $81 at $100: cycle as
    # much as possible. Charge 5 MW (the power limit) in hour 0: level 5 + 0.9 x 5 = 9.5 <= 10. The end
    # level must be >= the initial 5 MWh: 9.5 - d1 / 0.9 >= 5 -> d1 <= 4.05 (< 5 MW and < the 5 MW load).
    # cost = 20 x (5 + 5) + 100 x (5 - 4.05) = 200 + 95 = 295.
    ([20.0, 100.0], [5, 0], [0, 4.05], [9.5, 5.0], 295.0),
    # 1 MWh bought at $90 returns 0.81 MWh worth $81: no cycling; cost = 5 x (90 + 100) = 950.
    ([90.0, 100.0], [0, 0], [0, 0], [5.0, 5.0], 950.0),
])
def test_battery_arbitrage_with_round_trip_losses(tmp_path, prices, charge, discharge, stored, expected):
    inst, series = base(2, prices, it_load_mw=5.0)
    inst["battery"] = {"energy_mwh": 10.0, "power_mw": 5.0, "round_trip_efficiency": 0.81,
                       "reserve_fraction": 0.0, "initial_fraction": 0.5}
    r = solve_dict(tmp_path, inst, series)
    assert r.steps["battery.charge_mw"].to_numpy() == approx(charge)
    assert r.steps["battery.discharge_mw"].to_numpy() == approx(discharge)
    assert r.steps["battery.stored_mwh"].to_numpy() == approx(stored)
    assert r.summary["objective_usd"] == approx(expected)


def test_battery_reserve_limits_discharge(tmp_path):
    inst, series = base(2, [100.0, 20.0], it_load_mw=5.0)
    # Expensive hour first: discharge now, recharge later. Reserve 0.3 x 10 = 3 MWh, start 5 MWh.
    inst["battery"] = {"energy_mwh": 10.0, "power_mw": 5.0, "round_trip_efficiency": 0.81,
                       "reserve_fraction": 0.3, "initial_fraction": 0.5}
    r = solve_dict(tmp_path, inst, series)
    # Discharge d0 takes d0 / 0.9 from the tank: 5 - d0 / 0.9 >= 3 -> d0 <= 1.8. Recharging to >= 5 needs
    # 0.9 c1 >= d0 / 0.9 -> c1 = d0 / 0.81 = 1.8 / 0.81 = 2.2222 MW (< 5). Each MWh discharged saves $100
    # and costs 20 / 0.81 = $24.69 later: discharge the most, 1.8 MW.
    c1 = 1.8 / 0.81
    assert r.steps["battery.discharge_mw"].to_numpy() == approx([1.8, 0])
    assert r.steps["battery.charge_mw"].to_numpy() == approx([0, c1])
    # cost = 100 x (5 - 1.8) + 20 x (5 + 2.2222) = 320 + 144.444 = 464.444
    assert r.summary["objective_usd"] == approx(100 * 3.2 + 20 * (5 + c1))


# -- 8. demand charge --------------------------------------------------------------------------------------
@pytest.mark.parametrize("rate,peak,job_power,expected", [
    # Fixed 4 MW plus a 6 MWh job (power in [0.6, 6] MW while running, work = energy). With peak P:
    #  P in [7, 10]: job P-4 in hour 0 ($10), 10-P in hour 1 ($20): energy = 240 + 10(P-4) + 20(10-P)
    #   = 400 - 10 P;  P in [6, 7]: P-4 in hours 0 and 1, 14-2P in hour 2 ($30): energy = 540 - 30 P.
    #  The demand charge adds 1000 x rate x P.
    # rate $0.005/kW = $5/MW: slope -5 on [7, 10] -> P = 10: energy 300 + 50 = 350.
    (0.005, 10.0, [6, 0, 0], 350.0),
    # rate $0.02/kW = $20/MW: slope +10 on [7, 10], -10 on [6, 7] -> P = 7: energy 330 + 140 = 470.
    (0.02, 7.0, [3, 3, 0], 470.0),
    # rate $0.05/kW = $50/MW: slopes +40 and +20 -> P = 6: job 2 MW each hour, energy 360 + 300 = 660.
    (0.05, 6.0, [2, 2, 2], 660.0),
])
def test_demand_charge_shaves_peak_import(tmp_path, rate, peak, job_power, expected):
    inst, series = base(3, [10, 20, 30], it_load_mw=4.0)
    inst["grid"]["demand_charge_usd_per_kw"] = rate
    inst["training_jobs"] = [{"id": "J1", "power_mw": 6.0, "work_mwh": 6.0, "min_power_fraction": 0.1,
                              "throughput_curve": [[0.1, 0.1], [1.0, 1.0]]}]
    r = solve_dict(tmp_path, inst, series)
    assert r.summary["peak_import_mw"] == approx(peak)
    assert r.steps["job.J1.power_mw"].to_numpy() == approx(job_power)
    assert r.summary["cost_breakdown_usd"]["demand_charge"] == approx(1000 * rate * peak)
    assert r.summary["objective_usd"] == approx(expected)


# -- other terms --------------------------------------------------------------------------------------------
def test_carbon_price_applies_to_grid_and_generator_emissions(tmp_path):
    inst, series = base(2, [50.0, 50.0], it_load_mw=4.0)
    series["ci"] = [500.0, 100.0]
    inst["grid"]["carbon_kg_per_mwh"] = col("ci")
    inst["grid"]["carbon_price_usd_per_t"] = 100.0
    # $0.4/gal x 50 gal/MWh = $20/MWh fuel; CO2 10 kg/gal x 50 = 500 kg/MWh -> $50/MWh at $100/t.
    # Unit: 20 + 50 = $70/MWh. Grid: hour 0: 50 + 0.5 t x 100 = $100/MWh; hour 1: 50 + 10 = $60/MWh.
    inst["generators"] = [generator(dispatch="economic", fuel_price_usd_per_gal=0.4, co2_kg_per_gal=10.0)]
    r = solve_dict(tmp_path, inst, series)
    # -> the unit carries hour 0 (4 MW), the grid hour 1.
    assert r.steps["generator.G1.output_mw"].to_numpy() == approx([4, 0])
    assert r.steps["grid_import_mw"].to_numpy() == approx([0, 4])
    # CO2: unit 4 MWh x 50 gal x 10 kg = 2000 kg; grid 4 MWh x 100 kg = 400 kg -> 2.4 t, $240
    assert r.summary["co2_t"] == approx(2.4)
    assert r.summary["cost_breakdown_usd"]["carbon"] == approx(240.0)
    # objective = fuel 4 x 20 = 80 + energy 4 x 50 = 200 + carbon 240 = 520
    assert r.summary["objective_usd"] == approx(520.0)


def test_nox_cap_limits_generator_output(tmp_path):
    inst, series = base(2, [300.0, 300.0], it_load_mw=5.0)
    # A $100/MWh unit beats the $300 grid, but its NOx permit (10 kg at 4 kg/MWh) allows 2.5 MWh.
    inst["generators"] = [generator(dispatch="economic", nox_kg_per_mwh=4.0, nox_cap_kg=10.0)]
    r = solve_dict(tmp_path, inst, series)
    # cost = 2.5 x 100 + (10 - 2.5) x 300 = 250 + 2250 = 2500
    assert r.summary["generator_run_hours"]["G1"]["output_mwh"] == approx(2.5)
    assert r.summary["nox_kg"] == approx(10.0)
    assert r.summary["objective_usd"] == approx(2500.0)


def test_fifteen_minute_steps_scale_energy_by_dt(tmp_path):
    # Two hours in eight 15-minute steps (dt = 0.25 h), hourly prices repeated in each quarter. A 2 MWh
    # job at 8 MW full power needs one step (8 MW x 0.25 h = 2 MWh), in the $10 hour.
    inst, series = base(2, [40.0, 10.0], step_minutes=15, it_load_mw=8.0)
    inst["training_jobs"] = [full_power_job(power=8.0, work=2.0)]
    r = solve_dict(tmp_path, inst, series)
    # fixed: 8 MW x 1 h x (40 + 10) = 400; job: 8 MW x 0.25 h x $10 = 20 -> 420
    assert len(r.steps) == 8
    assert r.steps["job.J1.power_mw"].to_numpy()[:4] == approx([0, 0, 0, 0])
    assert r.steps["job.J1.power_mw"].sum() == approx(8.0)
    assert r.summary["objective_usd"] == approx(420.0)
