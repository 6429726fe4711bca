"""Metamorphic relations: change the instance in a way whose effect on the optimum is known in advance."""
from __future__ import annotations

import copy

import numpy as np
import pytest

try:
    from .helpers import at, base, col, solve_dict
except ImportError:  # tests/ is not a package: pytest puts it on sys.path
    from helpers import at, base, col, solve_dict

PRICES = [35.0, 42.0, 60.0, 180.0, 240.0, 90.0]
TEMPS = [25.0, 30.0, 35.0, 38.0, 37.0, 31.0]


def _scheduling_instance():
    """Six hours: fixed load, cooling with a temperature-dependent COP, a full-power job, a notice.

    No generators and nothing that incurs a penalty: the only cost is energy, a linear function of
    prices, so the objective is homogeneous in the price vector.
    """
    inst, series = base(6, PRICES, interconnection_mw=30.0, it_load_mw=col("it"))
    series["it"] = [4.0, 4.5, 5.0, 5.0, 4.5, 4.0]
    series["temp"] = TEMPS
    inst["site"]["overhead_mw"] = 0.5
    inst["cooling"] = {"outdoor_temp_c": col("temp"), "rated_capacity_mw_th": 25.0}
    inst["notices"] = [{"id": "N1", "issued": at(-1), "start": at(3), "end": at(5), "cap_mw": 12.0}]
    inst["training_jobs"] = [{"id": "J1", "power_mw": 8.0, "work_mwh": 24.0, "min_power_fraction": 1.0,
                              "throughput_curve": [[1.0, 1.0]]},
                             {"id": "J2", "power_mw": 4.0, "work_mwh": 6.0, "min_power_fraction": 0.5,
                              "throughput_curve": [[0.5, 0.75], [1.0, 1.0]], "release": at(1)}]
    return inst, series


@pytest.mark.parametrize("k", [2.0, 0.5])
def test_scaling_all_prices_scales_the_cost_and_keeps_the_schedule(tmp_path, k):
    inst, series = _scheduling_instance()
    r1 = solve_dict(tmp_path / "x1", inst, series)
    series_k = dict(series, price=[k * p for p in PRICES])
    rk = solve_dict(tmp_path / f"x{k}", inst, series_k)
    # The only cost term incurred is energy = sum price x import x dt (checked below), so for any
    # schedule the cost at prices k x p is k times the cost at p: the optimal schedules coincide and
    # the optimal cost scales by k.
    for r in (r1, rk):
        b = r.summary["cost_breakdown_usd"]
        assert {t for t, v in b.items() if abs(v) > 1e-9} == {"energy"}
        assert all(j["unfinished_mwh"] == pytest.approx(0.0, abs=1e-6) for j in r.summary["jobs"].values())
    assert rk.summary["objective_usd"] == pytest.approx(k * r1.summary["objective_usd"], rel=1e-9)
    assert rk.summary["cost_breakdown_usd"]["energy"] == pytest.approx(
        k * r1.summary["cost_breakdown_usd"]["energy"], rel=1e-9)
    for c in ("grid_import_mw", "job.J1.power_mw", "job.J2.power_mw"):
        assert rk.steps[c].to_numpy() == pytest.approx(r1.steps[c].to_numpy(), abs=1e-6), c
    # The relation is not vacuous: the notice binds and the jobs do move with prices.
    assert r1.steps["job.J1.power_mw"].to_numpy()[3:5] == pytest.approx([0, 0], abs=1e-6)


def _mixed_instance():
    """Notice, a notice-only unit, sheddable inference, a job that may be left unfinished, cooling."""
    inst, series = base(6, PRICES, interconnection_mw=30.0, it_load_mw=3.0)
    series["temp"] = TEMPS
    inst["cooling"] = {"outdoor_temp_c": col("temp"), "rated_capacity_mw_th": 25.0}
    inst["notices"] = [{"id": "N1", "issued": at(-1), "start": at(3), "end": at(5),
                        "reduction_fraction": 0.5, "baseline_mw": 18.0}]
    inst["generators"] = [{"id": "G1", "capacity_mw": 2.5, "fuel_price_usd_per_gal": 3.5, "startup_cost_usd": 50.0,
                           "min_up_hours": 1.0, "run_hours_left": 8.0}]
    inst["training_jobs"] = [{"id": "J1", "power_mw": 6.0, "work_mwh": 24.0, "min_power_fraction": 0.1,
                              "throughput_curve": [[0.1, 0.1], [1.0, 1.0]],
                              "unfinished_penalty_usd_per_mwh": 1000.0}]
    inst["inference"] = [{"id": "chat", "demand_mw": 5.0, "min_served_fraction": 0.0,
                          "shed_penalty_usd_per_mwh": 500.0}]
    return inst, series


def test_a_generator_never_worth_running_changes_nothing(tmp_path):
    inst, series = _mixed_instance()
    r0 = solve_dict(tmp_path / "without", inst, series)
    extra = copy.deepcopy(inst)
    # Economic dispatch at the top fuel price: every MWh costs >= $50/gal x 65.68 gal/MWh = $3284 (plus
    # 4.25 gal/h/MW of intercept and a start cost). Whatever it could displace is cheaper per MWh:
    # grid <= $240, G1 about 3.5 x 65.68 = $230, shedding inference $500 (min_served 0, so any amount
    # can be shed) or dropping job work $1000 per MWh (work = energy on this curve), and shedding IT
    # load also saves its cooling. So a schedule that runs G2 is never optimal and the optimum is the same.
    extra["generators"] = inst["generators"] + [
        {"id": "G2", "capacity_mw": 1.0, "fuel_price_usd_per_gal": 50.0, "startup_cost_usd": 10.0,
         "run_hours_left": 24.0, "dispatch": "economic"}]
    r1 = solve_dict(tmp_path / "with", extra, series)
    assert r1.summary["objective_usd"] == pytest.approx(r0.summary["objective_usd"], rel=1e-9)
    assert r1.steps["generator.G2.on"].sum() == 0
    assert r1.steps["generator.G2.output_mw"].to_numpy() == pytest.approx(np.zeros(6), abs=1e-6)
    # not vacuous: the notice binds and the base case covers it with the notice-only unit
    assert r0.summary["generator_run_hours"]["G1"]["hours"] > 0


def _lp_instance(step_minutes):
    """Only continuous decisions, data constant within each hour."""
    inst, series = base(6, PRICES, step_minutes=step_minutes, interconnection_mw=30.0, it_load_mw=col("it"))
    series["it"] = [6.0, 7.0, 8.0, 8.0, 7.5, 6.0]
    series["temp"] = TEMPS
    series["ci"] = [400.0, 420.0, 450.0, 480.0, 470.0, 430.0]
    series["chat"] = [3.0, 3.5, 4.0, 4.0, 3.5, 3.0]
    inst["site"]["overhead_mw"] = 0.5
    inst["grid"].update(carbon_kg_per_mwh=col("ci"), carbon_price_usd_per_t=50.0, demand_charge_usd_per_kw=2.0)
    inst["cooling"] = {"outdoor_temp_c": col("temp"), "rated_capacity_mw_th": 25.0,
                       "thermal_storage": {"capacity_mwh_th": 8.0, "max_charge_mw_th": 4.0,
                                           "max_discharge_mw_th": 4.0, "initial_fraction": 0.5}}
    inst["notices"] = [{"id": "N1", "issued": at(-1), "start": at(3), "end": at(5), "cap_mw": 14.0}]
    inst["inference"] = [{"id": "chat", "demand_mw": col("chat"), "min_served_fraction": 0.5,
                          "shed_penalty_usd_per_mwh": 400.0}]
    return inst, series


def test_quarter_hour_steps_keep_the_optimal_cost(tmp_path):
    # Why the optimum is exactly the same at 60 and 15 minutes here: every decision is continuous
    # (grid import, thermal storage, inference served; no unit commitment, no job Run binaries, no
    # battery mode binary, no min up/down or restart effects) and the data repeat within each hour.
    # * An hourly schedule repeated over its four quarter-hours is feasible at 15 minutes (tank levels
    #   at the hour boundaries are the same; in between they move linearly between in-bound values) and
    #   costs the same: each term is rate x MW x dt, summed over 4 x 0.25 h instead of 1 x 1 h, and the
    #   peak import is the same.
    # * The hourly means of a 15-minute schedule are feasible hourly (every per-step constraint is
    #   linear with the same coefficients in the four quarters, so it holds for the mean; the tank's
    #   balance over an hour is the sum of its four quarters) and cost the same energy, carbon and
    #   shedding (linear) with a peak no higher (a mean is at most the max).
    # So each problem's optimum is attainable in the other: the optimal costs are equal.
    inst60, series = _lp_instance(60)
    inst15, _ = _lp_instance(15)
    r60 = solve_dict(tmp_path / "h", inst60, series)
    r15 = solve_dict(tmp_path / "q", inst15, series)
    assert len(r15.steps) == 4 * len(r60.steps)
    assert r15.summary["objective_usd"] == pytest.approx(r60.summary["objective_usd"], rel=1e-6)
    # the instance exercises what dt scales: the notice forces shedding, storage is used, a peak is charged
    assert r60.summary["inference_shed_mwh"] > 0.1
    assert r60.steps["thermal_storage.discharge_mw_th"].max() > 0.1
    assert r60.summary["cost_breakdown_usd"]["demand_charge"] > 0
    assert r15.summary["inference_shed_mwh"] == pytest.approx(r60.summary["inference_shed_mwh"], rel=1e-6)


def test_tightening_a_notice_never_lowers_the_cost(tmp_path):
    caps = [40.0, 20.0, 14.0, 12.0, 10.0, 8.0, 6.0, 4.5]
    objectives = []
    for cap in caps:
        inst, series = _mixed_instance()
        inst["notices"][0] = {"id": "N1", "issued": at(-1), "start": at(2), "end": at(5), "cap_mw": cap}
        objectives.append(solve_dict(tmp_path / f"cap{cap:g}", inst, series).summary["objective_usd"])
    # A lower cap only shrinks the feasible set (every schedule feasible under the lower cap is feasible
    # under the higher one, at the same cost), so the optimal cost cannot fall.
    for hi_cap, lo_cap, a, b in zip(caps, caps[1:], objectives, objectives[1:]):
        assert b >= a - 1e-6 * max(1.0, abs(a)), (hi_cap, lo_cap, a, b)
    assert objectives[-1] > objectives[0] + 1.0  # the sequence really tightens something
