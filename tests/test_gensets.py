"""Gensets (issue 16): ramps, the state at the horizon's start, shut-down cost, fuel kinds, convex fuel curves, and
a notice-only unit in a step a notice covers only partly.

Every optimum is derived by hand in the comment beside it. Unless a test says otherwise: hourly steps (dt = 1 h),
no overhead, cooling or carbon; the unit ``G1`` has 10 MW, no minimum load, no no-load fuel, 50 gal/MWh at
$2/gal (so $100/MWh), may run for price, and is off at the start.
"""
from __future__ import annotations

import pandas as pd
import pytest

import energyopt as eo
from energyopt import InstanceError, load_instance
from energyopt.check import check_result
from energyopt.ops.replan import replan

try:
    from .helpers import at, base, col, solve, write_instance
except ImportError:  # tests/ is not a package: pytest puts it on sys.path
    from helpers import at, base, col, solve, write_instance

EXACT = eo.SolveOptions(mip_rel_gap=0)
GEN = "generators[0] (G1)"


def approx(x):
    return pytest.approx(x, rel=1e-6, abs=1e-6)


def unit(**kw):
    g = {"id": "G1", "capacity_mw": 10.0, "min_load_fraction": 0.0, "fuel_noload_gal_per_h_per_mw": 0.0,
         "fuel_slope_gal_per_mwh": 50.0, "fuel_price_usd_per_gal": 2.0, "run_hours_left": 100.0,
         "dispatch": "economic"}
    g.update(kw)
    return g


def site(tmp_path, load, price, name="inst", notices=(), carbon_price=0.0, **gen):
    """A site of ``load`` MW per hour (a list) at ``price`` $/MWh, with one unit ``G1`` (``gen`` overrides)."""
    inst, series = base(len(load), price, it_load_mw=col("it"))
    series["it"] = list(load)
    inst["grid"]["carbon_price_usd_per_t"] = carbon_price
    inst["generators"] = [unit(**gen)]
    if notices:
        inst["notices"] = list(notices)
    return write_instance(tmp_path / name, inst, series)


def solved(path, out):
    """Solve at gap 0, write, and insist the checker finds nothing."""
    r = solve(path)
    r.write(out)
    assert check_result(path, out) == []
    return r


def output(r):
    return list(r.steps["generator.G1.output_mw"])


def broken(path, out, change) -> set[str]:
    """The checker's codes after ``change(steps)`` edits the written steps.csv."""
    steps = pd.read_csv(out / "steps.csv")
    change(steps)
    steps.to_csv(out / "steps.csv", index=False)
    return {v.constraint for v in check_result(path, out)}


# -- 1. ramps -------------------------------------------------------------------------------------------
def test_ramp_up_limits_the_rise_between_steps(tmp_path):
    # Load [4, 10, 10] MW, grid $150 against the unit's $100: the unit carries all it can. Without a ramp it
    # gives [4, 10, 10]: 24 MWh x $100 = $2,400. With 0.05 MW/min x 60 = 3 MW a step: [4, 7, 10], and the grid
    # 3 MW at step 1: 21 x $100 + 3 x $150 = $2,550.
    path = site(tmp_path, [4.0, 10.0, 10.0], 150.0, ramp_up_mw_per_min=0.05)
    r = solved(path, tmp_path / "out")
    assert output(r) == approx([4.0, 7.0, 10.0])
    assert r.summary["objective_usd"] == approx(2550.0)

    def jump(s):
        s.loc[1, ["generator.G1.output_mw", "grid_import_mw", "generator.G1.fuel_gal"]] = [10.0, 0.0, 500.0]
    assert "generator.ramp_up" in broken(path, tmp_path / "out", jump)


def test_ramp_down_limits_the_fall_and_the_plan_lowers_output_before(tmp_path):
    # Load [10, 4] MW, grid $150. With 3 MW a step down, output x then y with y >= x - 3, y <= 4: the cost
    # 100 (x + y) + 150 (14 - x - y) = 2,100 - 50 (x + y) is least at x = 7, y = 4: $1,550 (stopping at step 1
    # instead, x = 10, y = 0, costs $1,600; without the ramp [10, 4] costs $1,400).
    path = site(tmp_path, [10.0, 4.0], 150.0, ramp_down_mw_per_min=0.05)
    r = solved(path, tmp_path / "out")
    assert output(r) == approx([7.0, 4.0])
    assert r.summary["objective_usd"] == approx(1550.0)

    def fall(s):
        s.loc[0, ["generator.G1.output_mw", "grid_import_mw", "generator.G1.fuel_gal"]] = [10.0, 0.0, 500.0]
    assert "generator.ramp_down" in broken(path, tmp_path / "out", fall)


def test_startup_ramp_limits_the_first_step_after_a_start(tmp_path):
    # Load 10 MW twice, grid $150: the unit starts at step 0 but may give only 0.4 x 10 = 4 MW there, then 10:
    # 14 x $100 + 6 x $150 = $2,300 (without the start-up ramp: $2,000).
    path = site(tmp_path, [10.0, 10.0], 150.0, startup_ramp_fraction=0.4)
    r = solved(path, tmp_path / "out")
    assert output(r) == approx([4.0, 10.0])
    assert r.summary["objective_usd"] == approx(2300.0)

    def jump(s):
        s.loc[0, ["generator.G1.output_mw", "grid_import_mw", "generator.G1.fuel_gal"]] = [10.0, 0.0, 500.0]
    assert "generator.startup_ramp" in broken(path, tmp_path / "out", jump)


def test_shutdown_ramp_limits_the_last_step_before_a_stop(tmp_path):
    # Load [10, 2] MW, grid $150, minimum load 5 MW: at step 1 the unit must stop (5 > 2). Its last step may give
    # at most 0.6 x 10 = 6 MW: 6 x $100 + (4 + 2) x $150 = $1,500 (without the shut-down ramp 10 MW then:
    # $1,300; staying off: $1,800).
    path = site(tmp_path, [10.0, 2.0], 150.0, min_load_fraction=0.5, shutdown_ramp_fraction=0.6)
    r = solved(path, tmp_path / "out")
    assert output(r) == approx([6.0, 0.0])
    assert r.summary["objective_usd"] == approx(1500.0)

    def high(s):
        s.loc[0, ["generator.G1.output_mw", "grid_import_mw", "generator.G1.fuel_gal"]] = [10.0, 0.0, 500.0]
    assert "generator.shutdown_ramp" in broken(path, tmp_path / "out", high)


def test_the_initial_output_bounds_the_first_steps_ramp(tmp_path):
    # On at the start at 2 MW, 3 MW a step up, load 10 MW twice at $150: [5, 8] MW from the unit, 13 x $100 +
    # 7 x $150 = $2,350 (without initial_output_mw the first step is free: [10, 10], $2,000).
    path = site(tmp_path, [10.0, 10.0], 150.0, ramp_up_mw_per_min=0.05, initial_on=True, initial_output_mw=2.0)
    r = solved(path, tmp_path / "out")
    assert output(r) == approx([5.0, 8.0])
    assert r.summary["objective_usd"] == approx(2350.0)


# -- 2. the state at the start ----------------------------------------------------------------------------
def test_a_unit_on_at_the_start_keeps_its_minimum_up_time(tmp_path):
    # On for 1 h of a 3 h minimum up time: on at steps 0 and 1 at its 5 MW minimum load although the grid ($50)
    # is cheaper than its $100: 10 MWh x $100 + (5 + 5 + 10) x $50 = $2,000 (nothing carried: $1,500, all grid).
    path = site(tmp_path, [10.0] * 3, 50.0, min_load_fraction=0.5, min_up_hours=3.0, initial_on=True,
                initial_hours_in_state=1.0)
    r = solved(path, tmp_path / "out")
    assert list(r.steps["generator.G1.on"]) == [1, 1, 0]
    assert output(r) == approx([5.0, 5.0, 0.0])
    assert r.summary["objective_usd"] == approx(2000.0)
    s = r.summary["generator_run_hours"]["G1"]
    assert (s["starts"], s["stops"]) == (0, 1)

    def early(s):
        s.loc[1, ["generator.G1.on", "generator.G1.output_mw", "grid_import_mw", "generator.G1.fuel_gal"]] = \
            [0, 0.0, 10.0, 0.0]
    assert "generator.initial_state" in broken(path, tmp_path / "out", early)


def test_a_unit_off_at_the_start_keeps_its_minimum_down_time(tmp_path):
    # Off for 1 h of a 3 h minimum down time: off at steps 0 and 1 although it is cheaper ($100 vs $150):
    # 20 x $150 + 10 x $100 = $4,000 (nothing carried: $3,000).
    path = site(tmp_path, [10.0] * 3, 150.0, min_down_hours=3.0, initial_hours_in_state=1.0)
    r = solved(path, tmp_path / "out")
    assert list(r.steps["generator.G1.on"]) == [0, 0, 1]
    assert r.summary["objective_usd"] == approx(4000.0)


def test_no_startup_cost_for_a_unit_already_running(tmp_path):
    # Running at the start, $100 against the grid's $150, start-up $500: it runs all 3 h with no start:
    # 30 x $100 = $3,000 (off at the start: $3,500).
    path = site(tmp_path, [10.0] * 3, 150.0, startup_cost_usd=500.0, initial_on=True)
    r = solved(path, tmp_path / "out")
    assert r.summary["objective_usd"] == approx(3000.0)
    assert r.summary["cost_breakdown_usd"]["startup"] == approx(0.0)
    assert r.summary["generator_run_hours"]["G1"]["starts"] == 0


def test_a_replan_starts_from_the_initial_state_before_its_history(tmp_path):
    # The plan of the test above, re-planned at 01:00: the history's first step (on) is no start from the
    # initial state (on), so the start-up cost stays 0 and the checker agrees.
    path = site(tmp_path, [10.0] * 3, 150.0, startup_cost_usd=500.0, initial_on=True, min_up_hours=2.0,
                initial_hours_in_state=0.5)
    solved(path, tmp_path / "plan")
    r, _ = replan(tmp_path / "plan", at(1), options=EXACT)
    assert r.status.value == "optimal"
    assert r.summary["objective_usd"] == approx(3000.0)
    r.write(tmp_path / "replan")
    assert check_result(path, tmp_path / "replan") == []


# -- 3. shut-down cost ------------------------------------------------------------------------------------
def test_a_shutdown_cost_is_paid_by_a_unit_running_at_the_start_that_stops(tmp_path):
    # One hour, load 10 MW at $50; the unit runs at the start with a 5 MW minimum load. Stopping costs $30:
    # 10 x $50 + $30 = $530, against staying on 5 x $100 + 5 x $50 = $750.
    path = site(tmp_path, [10.0], 50.0, min_load_fraction=0.5, initial_on=True, shutdown_cost_usd=30.0)
    r = solved(path, tmp_path / "out")
    assert r.summary["objective_usd"] == approx(530.0)
    assert r.summary["cost_breakdown_usd"]["shutdown"] == approx(30.0)
    assert r.summary["generator_run_hours"]["G1"]["stops"] == 1

    def free(s):   # claim it never stopped: the summary's $30 no longer matches the schedule
        s.loc[0, ["generator.G1.on", "generator.G1.output_mw", "grid_import_mw", "generator.G1.fuel_gal"]] = \
            [1, 5.0, 5.0, 250.0]
    assert "cost.shutdown" in broken(path, tmp_path / "out", free)


def test_a_high_shutdown_cost_keeps_the_unit_on(tmp_path):
    # As above with $300 to stop: staying on ($750) beats stopping ($800); without the cost stopping gives $500.
    path = site(tmp_path, [10.0], 50.0, min_load_fraction=0.5, initial_on=True, shutdown_cost_usd=300.0)
    r = solved(path, tmp_path / "out")
    assert r.summary["objective_usd"] == approx(750.0)
    assert list(r.steps["generator.G1.on"]) == [1]


# -- 4. fuel kinds --------------------------------------------------------------------------------------
def gas(**kw):
    g = {k: v for k, v in unit().items() if not k.startswith("fuel_")}
    g.update({"fuel": "natural_gas", "fuel_price_usd_per_mmbtu": 4.0, "fuel_noload_mmbtu_per_h_per_mw": 0.0,
              "fuel_slope_mmbtu_per_mwh": 10.0}, **kw)
    return g


def test_a_natural_gas_unit_burns_mmbtu_and_emits_at_53_06_kg_per_mmbtu(tmp_path):
    # 10 MMBtu/MWh at $4 = $40/MWh, and 10 x 53.06 kg = 530.6 kg CO2/MWh at $100/t = $53.06/MWh: $93.06 < $95.
    # It carries the 10 MW: 100 MMBtu, fuel $400, CO2 5.306 t, carbon $530.60, NOx 10 x 2.68 = 26.8 kg.
    inst, series = base(1, 95.0, it_load_mw=10.0)
    inst["grid"]["carbon_price_usd_per_t"] = 100.0
    inst["generators"] = [gas()]
    path = write_instance(tmp_path / "gas", inst, series)
    r = solved(path, tmp_path / "out")
    assert list(r.steps["generator.G1.fuel_mmbtu"]) == approx([100.0])
    assert list(r.steps["generator.G1.fuel_gal"]) == approx([0.0])
    assert r.summary["cost_breakdown_usd"]["fuel"] == approx(400.0)
    assert r.summary["cost_breakdown_usd"]["carbon"] == approx(530.6)
    assert r.summary["co2_t"] == approx(5.306)
    assert r.summary["nox_kg"] == approx(26.8)
    g = r.summary["generator_run_hours"]["G1"]
    assert (g["fuel_kind"], g["fuel"], g["fuel_unit"]) == ("natural_gas", approx(100.0), "MMBtu")

    def more(s):
        s.loc[0, "generator.G1.fuel_mmbtu"] = 90.0
    assert "generator.fuel" in broken(path, tmp_path / "out", more)


def test_a_hydrogen_unit_uses_kg_and_emits_no_co2(tmp_path):
    # 20 kg/MWh at $5/kg = $100/MWh < $150 and no CO2 (carbon $100/t costs it nothing): 200 kg, $1,000.
    inst, series = base(1, 150.0, it_load_mw=10.0)
    inst["grid"]["carbon_price_usd_per_t"] = 100.0
    g = {k: v for k, v in unit().items() if not k.startswith("fuel_")}
    g.update(fuel="hydrogen", fuel_price_usd_per_kg=5.0, fuel_noload_kg_per_h_per_mw=0.0, fuel_slope_kg_per_mwh=20.0)
    inst["generators"] = [g]
    r = solved(write_instance(tmp_path / "h2", inst, series), tmp_path / "out")
    assert list(r.steps["generator.G1.fuel_kg"]) == approx([200.0])
    assert r.summary["objective_usd"] == approx(1000.0)
    assert r.summary["co2_t"] == approx(0.0) and r.summary["nox_kg"] == approx(0.0)


# -- 5. a convex fuel curve -------------------------------------------------------------------------------
def test_a_convex_fuel_curve_makes_the_second_half_dearer(tmp_path):
    # Curve [[0, 0], [0.5, 20], [1, 60]] gal/h per MW rated on 10 MW: 40 gal/MWh up to 5 MW ($80/MWh at $2),
    # then 80 gal/MWh ($160/MWh). Against the grid at $120: 5 MW from the unit (200 gal, $400) and 5 MW from the
    # grid ($600): $1,000. Without the second segment's row it would give 10 MW at $80/MWh: $800.
    path = site(tmp_path, [10.0], 120.0, fuel_curve=[[0.0, 0.0], [0.5, 20.0], [1.0, 60.0]],
                fuel_noload_gal_per_h_per_mw=None, fuel_slope_gal_per_mwh=None)
    r = solved(path, tmp_path / "out")
    assert output(r) == approx([5.0])
    assert list(r.steps["generator.G1.fuel_gal"]) == approx([200.0])
    assert r.summary["objective_usd"] == approx(1000.0)

    def cheap(s):   # 5 MW more at the first segment's rate only
        s.loc[0, ["generator.G1.output_mw", "grid_import_mw", "generator.G1.fuel_gal"]] = [10.0, 0.0, 400.0]
    assert "generator.fuel" in broken(path, tmp_path / "out", cheap)


def test_a_fuel_curve_at_a_zero_price_reports_the_curve_itself(tmp_path):
    # Free fuel leaves the epigraph loose; the reported fuel is still the curve: 10 MW -> 60 x 10 = 600 gal.
    path = site(tmp_path, [10.0], 120.0, fuel_price_usd_per_gal=0.0,
                fuel_curve=[[0.0, 0.0], [0.5, 20.0], [1.0, 60.0]],
                fuel_noload_gal_per_h_per_mw=None, fuel_slope_gal_per_mwh=None)
    r = solved(path, tmp_path / "out")
    assert list(r.steps["generator.G1.fuel_gal"]) == approx([600.0])


# -- 7. a notice-only unit in a step a notice covers only partly ---------------------------------------
def test_a_notice_only_unit_runs_only_the_covered_part_of_a_step(tmp_path):
    # A notice 01:30-03:00 (cap 1,000 MW: not binding) covers [0, 0.5, 1] of the three hours. The notice-only
    # unit ($100/MWh + no-load 1 gal/h per MW, i.e. 10 gal/h at $2 while on) against the grid at $150, load 10 MW:
    # step 1: at most 10 x 0.5 = 5 MW, fuel 0.5 x 10 + 5 x 50 = 255 gal ($510), grid 5 MW ($750);
    # step 2: 10 MW, 10 + 500 = 510 gal ($1,020); step 0: grid $1,500. Total $3,780; run hours 0.5 + 1 = 1.5.
    # Run whole steps (as before): 10 MW at step 1, $3,500 + $20 no-load, and 2 h.
    notice = {"id": "N1", "issued": at(0), "start": at(1.5), "end": at(3), "cap_mw": 1000.0}
    path = site(tmp_path, [10.0] * 3, 150.0, notices=[notice], dispatch="notice_only",
                fuel_noload_gal_per_h_per_mw=1.0)
    r = solved(path, tmp_path / "out")
    assert output(r) == approx([0.0, 5.0, 10.0])
    assert list(r.steps["generator.G1.fuel_gal"]) == approx([0.0, 255.0, 510.0])
    assert r.summary["objective_usd"] == approx(3780.0)
    assert r.summary["generator_run_hours"]["G1"]["hours"] == approx(1.5)

    def whole(s):
        s.loc[1, ["generator.G1.output_mw", "grid_import_mw", "generator.G1.fuel_gal"]] = [10.0, 0.0, 505.0]
    assert "generator.notice_partial" in broken(path, tmp_path / "out", whole)


def test_partial_steps_count_their_share_against_the_run_hours(tmp_path):
    # As above with 1.5 h left: the unit may still run both steps (0.5 + 1 h), $3,780 (whole steps would need 2 h).
    notice = {"id": "N1", "issued": at(0), "start": at(1.5), "end": at(3), "cap_mw": 1000.0}
    path = site(tmp_path, [10.0] * 3, 150.0, notices=[notice], dispatch="notice_only",
                fuel_noload_gal_per_h_per_mw=1.0, run_hours_left=1.5, max_hours_per_event=1.5)
    r = solved(path, tmp_path / "out")
    assert r.summary["objective_usd"] == approx(3780.0)


def test_a_notice_only_unit_on_at_the_start_outside_a_notice_stops_at_once(tmp_path):
    # On at the start (min up 3 h, 0 h in), but no notice covers hour 0: it stops there (the permit overrides the
    # carried minimum up time), paying its $40 shut-down cost, and runs in the notice (hour 1) again:
    # 10 x $150 + 10 x $100 + $40 = $2,540.
    notice = {"id": "N1", "issued": at(0), "start": at(1), "end": at(2), "cap_mw": 1000.0}
    path = site(tmp_path, [10.0] * 2, 150.0, notices=[notice], dispatch="notice_only", initial_on=True,
                initial_hours_in_state=0.0, min_up_hours=3.0, shutdown_cost_usd=40.0)
    r = solved(path, tmp_path / "out")
    assert list(r.steps["generator.G1.on"]) == [0, 1]
    assert r.summary["objective_usd"] == approx(2540.0)


# -- defaults and bad input -------------------------------------------------------------------------------
def test_existing_diesel_fields_keep_their_meaning(tmp_path):
    inst = load_instance(site(tmp_path, [10.0], 150.0))
    g = inst.generators[0]
    assert (g.fuel, g.fuel_unit(), g.fuel_price_usd_per_unit(), g.nox_kg_per_mwh) == ("diesel", "gal", 2.0, 6.4)
    gas_inst, series = base(1, 95.0)
    gas_inst["generators"] = [gas()]
    assert load_instance(write_instance(tmp_path / "g", gas_inst, series)).generators[0].nox_kg_per_mwh == 2.68


def problems(tmp_path, **gen):
    inst, series = base(2, 50.0)
    g = unit(**gen)
    inst["generators"] = [{k: v for k, v in g.items() if v is not None}]
    with pytest.raises(InstanceError) as info:
        load_instance(write_instance(tmp_path / "bad", inst, series))
    return info.value.problems


@pytest.mark.parametrize("change, field, words", [
    ({"ramp_up_mw_per_min": -1.0}, "ramp_up_mw_per_min", "greater than 0"),
    ({"ramp_down_mw_per_min": 0.0}, "ramp_down_mw_per_min", "greater than 0"),
    ({"startup_ramp_fraction": 1.5}, "startup_ramp_fraction", "less than or equal to 1"),
    ({"shutdown_ramp_fraction": -0.1}, "shutdown_ramp_fraction", "greater than or equal to 0"),
    ({"initial_on": "yes"}, "initial_on", "boolean"),
    ({"initial_hours_in_state": -1.0}, "initial_hours_in_state", "greater than or equal to 0"),
    ({"initial_output_mw": -1.0}, "initial_output_mw", "greater than or equal to 0"),
    ({"shutdown_cost_usd": -5.0}, "shutdown_cost_usd", "greater than or equal to 0"),
    ({"fuel": "coal"}, "fuel", "diesel"),
    ({"fuel_price_usd_per_mmbtu": -1.0}, "fuel_price_usd_per_mmbtu", "greater than or equal to 0"),
    ({"fuel_price_usd_per_kg": 1000.0}, "fuel_price_usd_per_kg", "less than or equal to 100"),
    ({"co2_kg_per_mmbtu": -1.0}, "co2_kg_per_mmbtu", "greater than or equal to 0"),
    ({"fuel_noload_mmbtu_per_h_per_mw": 11.0}, "fuel_noload_mmbtu_per_h_per_mw", "less than or equal to 10"),
    ({"fuel_slope_mmbtu_per_mwh": 0.0}, "fuel_slope_mmbtu_per_mwh", "greater than 0"),
    ({"fuel_noload_kg_per_h_per_mw": -1.0}, "fuel_noload_kg_per_h_per_mw", "greater than or equal to 0"),
    ({"fuel_slope_kg_per_mwh": 0.0}, "fuel_slope_kg_per_mwh", "greater than 0"),
    ({"fuel_curve": [[0.0, "a"]]}, "fuel_curve.0.1", "number"),
])
def test_bad_values_of_new_fields_are_named(tmp_path, change, field, words):
    ps = problems(tmp_path, **change)
    hits = [p for p in ps if p.field.startswith(f"{GEN}.{field}")]
    assert hits, ps
    assert words in hits[0].message.lower() or words in hits[0].message, hits[0].message


@pytest.mark.parametrize("change, words", [
    ({"initial_output_mw": 3.0}, ["initial_output_mw", "initial_on` is false"]),
    ({"initial_on": True, "min_load_fraction": 0.5, "initial_output_mw": 2.0}, ["initial_output_mw", "[5, 10]"]),
    ({"min_load_fraction": 0.5, "startup_ramp_fraction": 0.3}, ["startup_ramp_fraction", "never start"]),
    ({"min_load_fraction": 0.5, "shutdown_ramp_fraction": 0.3}, ["shutdown_ramp_fraction", "never stop"]),
    ({"fuel_price_usd_per_mmbtu": 4.0}, ["fuel_price_usd_per_mmbtu", 'fuel = "natural_gas"', "burns diesel"]),
    ({"fuel": "natural_gas"}, ["fuel_noload_gal_per_h_per_mw", "belong"]),
    ({"fuel": "hydrogen", "fuel_price_usd_per_gal": None, "fuel_noload_gal_per_h_per_mw": None,
      "fuel_slope_gal_per_mwh": None}, ["fuel_price_usd_per_kg", "required"]),
    ({"fuel_curve": [[0.0, 0.0], [0.5, 30.0], [1.0, 50.0]], "fuel_noload_gal_per_h_per_mw": None,
      "fuel_slope_gal_per_mwh": None}, ["not convex", "60", "40"]),
    ({"fuel_curve": [[0.0, 0.0], [0.5, 20.0], [0.4, 30.0]], "fuel_noload_gal_per_h_per_mw": None,
      "fuel_slope_gal_per_mwh": None}, ["strictly increasing"]),
    ({"fuel_curve": [[0.5, 20.0], [1.0, 60.0]], "min_load_fraction": 0.3, "fuel_noload_gal_per_h_per_mw": None,
      "fuel_slope_gal_per_mwh": None}, ["cover", "[0.3, 1]"]),
    ({"fuel_curve": [[0.0, 0.0], [1.0, 60.0]]}, ["fuel_curve", "not both"]),
    ({"fuel_curve": [[0.0, 10.0], [1.0, 5.0]], "fuel_noload_gal_per_h_per_mw": None,
      "fuel_slope_gal_per_mwh": None}, ["must not fall"]),
])
def test_inconsistent_genset_fields_get_a_clear_message(tmp_path, change, words):
    ps = problems(tmp_path, **change)
    assert len(ps) == 1 and ps[0].field == GEN, ps
    for w in words:
        assert w in ps[0].message, ps[0].message
