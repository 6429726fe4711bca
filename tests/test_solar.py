"""On-site solar PV, the component added through the registry: hand-derived optima at gap 0, the checker
catching what it must, re-planning with actual output, the naive policy, the report's power chart and sizing by
`energyopt plan`.

Common site: 4 hourly steps, a fixed IT load of 10 MW, no cooling or overhead, interconnection 100 MW, and one
array S1 of 8 MW with availability [0, 0.5, 1, 0.25], i.e. [0, 4, 8, 2] MW available (14 MWh in all), O&M
$2/MWh.
"""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import energyopt as eo
from energyopt.check import check_result
from energyopt.ops.naive import naive_schedule
from energyopt.ops.planning import run_plan
from energyopt.ops.replan import replan

try:
    from .helpers import base, col, solve, write_instance
    from .test_cli import assert_exit
except ImportError:
    from helpers import base, col, solve, write_instance
    from test_cli import assert_exit

AVAIL = [0.0, 0.5, 1.0, 0.25]


def approx(x):
    return pytest.approx(x, rel=1e-6, abs=1e-9)


def site(tmp_path, prices=(50.0, 50.0, 50.0, 50.0), *, curtailable=True, it=10.0, battery=None, name="inst"):
    inst, series = base(4, list(prices), it_load_mw=it, interconnection_mw=100.0)
    series["cf"] = AVAIL
    inst["solar"] = [{"id": "S1", "capacity_mw": 8.0, "availability": col("cf"), "curtailable": curtailable,
                      "om_usd_per_mwh": 2.0}]
    if battery is not None:
        inst["battery"] = battery
    return write_instance(tmp_path / name, inst, series)


def solved(path, out):
    r = solve(path)
    r.write(out)
    assert check_result(path, out) == []
    return r


def test_solar_offsets_import_at_a_positive_price(tmp_path):
    # $50/MWh everywhere: a solar MWh costs $2 against $50 from the grid, so all 14 MWh are used.
    # Import = 10 - [0, 4, 8, 2] = [10, 6, 2, 8] MW: energy 26 MWh x $50 = $1,300; O&M 14 x $2 = $28.
    r = solved(site(tmp_path), tmp_path / "out")
    s = r.summary
    assert list(r.steps["grid_import_mw"]) == approx([10.0, 6.0, 2.0, 8.0])
    assert list(r.steps["solar.S1.output_mw"]) == approx([0.0, 4.0, 8.0, 2.0])
    assert s["cost_breakdown_usd"]["energy"] == approx(1300.0)
    assert s["cost_breakdown_usd"]["solar_om"] == approx(28.0)
    assert s["objective_usd"] == approx(1328.0)
    assert s["solar"]["S1"] == {"available_mwh": approx(14.0), "output_mwh": approx(14.0), "curtailed_mwh": approx(0.0)}


def test_solar_is_curtailed_when_the_grid_is_cheaper_than_its_om(tmp_path):
    # Step 2 at -$10/MWh: importing the whole 10 MW earns $100, a solar MWh costs $2, so S1 curtails its 8 MW.
    # Energy = 50 x 10 + 50 x 6 - 10 x 10 + 50 x 8 = $1,100; O&M (4 + 2) x $2 = $12; objective $1,112.
    r = solved(site(tmp_path, (50.0, 50.0, -10.0, 50.0)), tmp_path / "out")
    assert list(r.steps["solar.S1.output_mw"]) == approx([0.0, 4.0, 0.0, 2.0])
    assert r.summary["objective_usd"] == approx(1112.0)
    assert r.summary["solar"]["S1"]["curtailed_mwh"] == approx(8.0)


def test_an_array_that_cannot_curtail_takes_all_it_has(tmp_path):
    # curtailable = false: the 8 MW of step 2 must be used, so import there is 2 MW at -$10.
    # Energy = 500 + 300 - 20 + 400 = $1,180; O&M 14 x $2 = $28; objective $1,208.
    r = solved(site(tmp_path, (50.0, 50.0, -10.0, 50.0), curtailable=False), tmp_path / "out")
    assert list(r.steps["solar.S1.output_mw"]) == approx([0.0, 4.0, 8.0, 2.0])
    assert r.summary["objective_usd"] == approx(1208.0)


def test_solar_the_site_cannot_use_makes_a_must_take_array_infeasible_and_says_why(tmp_path):
    # IT load 3 MW, no battery, no export: of [0, 4, 8, 2] MW available, 1 MW (step 1) and 5 MW (step 2) cannot
    # be used: up to 5 MW, 6 MWh in all, in two steps.
    r = eo.solve(site(tmp_path, curtailable=False, it=3.0), eo.SolveOptions(mip_rel_gap=0))
    assert r.status.value == "infeasible"
    text = " ".join(r.diagnosis)
    assert "Solar: array S1 cannot curtail" in text and "in 2 step(s)" in text
    assert "up to 5.000 MW (6.000 MWh in all)" in text


def test_solar_charges_the_battery(tmp_path):
    # Two steps used of four: IT 2 MW; S1 gives [0, 4, 8, 2]; a lossless 10 MWh / 5 MW battery starting half
    # full must end at least as full. Grid at $100/MWh, O&M $2: every MWh of load comes from solar, directly or
    # stored: step 0 needs 2 MW from the battery (level 5 -> 3), steps 1-2 have 2 + 6 MW surplus to store
    # (charge <= 5 MW a step), step 3 takes 2 MW of solar. Solar used = the 6 MWh of load of steps 1-3 + what
    # refills the battery (the level must end >= 5: 2 MWh; more would only add O&M) = 8 MWh at $2 = $16, no
    # import (step 0 from the grid instead would cost $200).
    bat = {"energy_mwh": 10.0, "power_mw": 5.0, "round_trip_efficiency": 1.0, "initial_fraction": 0.5}
    r = solved(site(tmp_path, (100.0,) * 4, it=2.0, battery=bat), tmp_path / "out")
    assert list(r.steps["grid_import_mw"]) == approx([0.0] * 4)
    assert r.summary["objective_usd"] == approx(16.0)
    assert r.steps["battery.charge_mw"].sum() == approx(2.0)


def test_the_checker_catches_solar_over_what_is_available_and_a_wrong_om(tmp_path):
    path, out = site(tmp_path), tmp_path / "out"
    solved(path, out)
    steps = pd.read_csv(out / "steps.csv")
    steps.loc[1, "solar.S1.output_mw"] += 1.0      # 5 MW where 4 are available; the balance breaks too
    steps.loc[1, "grid_import_mw"] -= 1.0
    steps.to_csv(out / "steps.csv", index=False)
    found = {v.constraint for v in check_result(path, out)}
    assert "solar.available" in found and "cost.solar_om" in found


def test_the_checker_catches_a_must_take_array_curtailed(tmp_path):
    path, out = site(tmp_path, curtailable=False), tmp_path / "out"
    solved(path, out)
    steps = pd.read_csv(out / "steps.csv")
    steps.loc[2, "solar.S1.output_mw"] -= 1.0
    steps.loc[2, "grid_import_mw"] += 1.0
    steps.to_csv(out / "steps.csv", index=False)
    assert "solar.must_take" in {v.constraint for v in check_result(path, out)}


def test_replan_keeps_the_actual_solar_output(tmp_path):
    # Clouds at step 1: S1 gave 1 MW, not 4. Re-planning at step 2 keeps that (import 9 MW there); the rest is
    # as before. Energy = 50 x (10 + 9 + 2 + 8) = $1,450; O&M (1 + 8 + 2) x $2 = $22.
    path, out = site(tmp_path), tmp_path / "plan"
    solved(path, out)
    actuals = pd.DataFrame({"timestamp": ["2025-01-01T01:00:00+00:00"], "solar.S1.output_mw": [1.0]})
    result, diff = replan(out, "2025-01-01T02:00:00+00:00", actuals=actuals, options=eo.SolveOptions(mip_rel_gap=0))
    assert result.status.value == "optimal"
    assert list(result.steps["solar.S1.output_mw"]) == approx([0.0, 1.0, 8.0, 2.0])
    assert list(result.steps["grid_import_mw"]) == approx([10.0, 9.0, 2.0, 8.0])
    assert result.summary["objective_usd"] == approx(1472.0)
    result.write(tmp_path / "replan")
    assert check_result(path, tmp_path / "replan") == []


def test_a_replan_whose_past_made_more_than_forecast_passes_the_checker(tmp_path):
    # The forecast said 4 MW at step 1; the array made 6 MW. The fixed past is a fact: import 4 MW there.
    path, out = site(tmp_path), tmp_path / "plan"
    solved(path, out)
    actuals = pd.DataFrame({"timestamp": ["2025-01-01T01:00:00+00:00"], "solar.S1.output_mw": [6.0]})
    result, _ = replan(out, "2025-01-01T02:00:00+00:00", actuals=actuals, options=eo.SolveOptions(mip_rel_gap=0))
    assert list(result.steps["grid_import_mw"]) == approx([10.0, 4.0, 2.0, 8.0])
    result.write(tmp_path / "replan")
    assert check_result(path, tmp_path / "replan") == []
    steps = pd.read_csv(tmp_path / "replan" / "steps.csv")   # but not in the steps it re-optimized
    steps.loc[2, "solar.S1.output_mw"] += 1.0
    steps.loc[2, "grid_import_mw"] -= 1.0
    steps.to_csv(tmp_path / "replan" / "steps.csv", index=False)
    assert "solar.available" in {v.constraint for v in check_result(path, tmp_path / "replan")}


def test_the_naive_policy_uses_every_available_mw(tmp_path):
    # No decisions: solar first, up to the load. With IT 3 MW, step 2 uses 3 of 8 MW (share 0.375).
    inst = eo.load_instance(site(tmp_path, it=3.0))
    out = naive_schedule(inst)
    assert list(out.steps["solar.S1.output_mw"]) == approx([0.0, 3.0, 3.0, 2.0])
    assert list(out.steps["grid_import_mw"]) == approx([3.0, 0.0, 0.0, 1.0])
    assert out.summary["cost_breakdown_usd"]["solar_om"] == approx(2.0 * 8.0)
    assert out.summary["cost_breakdown_usd"]["energy"] == approx(50.0 * 4.0)


def test_the_report_draws_solar_as_a_source(tmp_path):
    from energyopt.report.reader import read_result
    from energyopt.report.timecharts import power_sources
    out = tmp_path / "out"
    solved(site(tmp_path), out)
    sources = {name: list(mw) for name, mw, _ in power_sources(read_result(out))}
    assert sources["solar S1"] == approx([0.0, 4.0, 8.0, 2.0])
    assert sources["grid import"] == approx([10.0, 6.0, 2.0, 8.0])


def test_the_plans_genset_floor_counts_on_the_sites_solar(tmp_path):
    # A day standing for a year (x 365): 20 MW load, a 10 MW array at availability 1, and a 4 h notice capping
    # import at 15 MW. Solar leaves 10 MW to import, under the cap: no genset is needed (the fleet's floor rows
    # must not force one). Total = 10 MW x 24 h x $50 x 365 = $4,380,000; the array is the site's (no capex).
    (tmp_path / "site.toml").write_text(SITE_DAY.replace("it_load_mw = 10.0", "it_load_mw = 20.0")
                                        + '[[solar]]\nid = "S1"\ncapacity_mw = 10.0\navailability = 1.0\n')
    (tmp_path / "n.csv").write_text("id,issued,start,end,cap_mw,reduction_fraction,baseline_mw\n"
                                    "E0,2024-12-31T14:00:00+00:00,2025-01-01T14:00:00+00:00,"
                                    "2025-01-01T18:00:00+00:00,15.0,,\n")
    (tmp_path / "plan.toml").write_text(
        'name = "pv"\nsite = "site.toml"\nmip_gap = 0.0\ncount_table = false\nscenario_files = ["n.csv"]\n'
        '[[genset_types]]\nid = "D"\ncapacity_mw = 2.5\nfuel_price_usd_per_gal = 3.0\ncapex_usd = 1000000\n'
        'max_units = 4\n')
    s = run_plan(tmp_path / "plan.toml").summary
    assert s["status"] == "optimal"
    assert s["sizes"]["gensets"] == {"D": 0}
    assert s["annual_cost_usd"]["total"] == approx(4_380_000.0)


SITE_DAY = """\
name = "day"
[horizon]
start = "2025-01-01T00:00:00+00:00"
hours = 24
step_minutes = 60
[site]
interconnection_mw = 100.0
it_load_mw = 10.0
[grid]
price_usd_per_mwh = 50.0
"""


@pytest.mark.parametrize("capex, mw", [(1_000_000.0, 20.0), (3_000_000.0, 0.0)])
def test_plan_sizes_solar(tmp_path, capex, mw):
    # A day at hourly steps stands for a year (x 365). Flat availability 0.5; 10 MW load at $50/MWh; capex over
    # 10 years at 0% (CRF 0.1). Each MW of array saves 0.5 MW x 8,760 h x $50 = $219,000 a year while its output
    # is used (up to 0.5 S = 10 MW, S = 20 MW) and costs 0.1 x capex: $100,000 < $219,000 -> 20 MW (more would
    # be curtailed), total 0.1 x 1e6 x 20 = $2,000,000 with no import; $300,000 > $219,000 -> none, total
    # 10 MW x 8,760 h x $50 = $4,380,000.
    (tmp_path / "site.toml").write_text(SITE_DAY)
    (tmp_path / "plan.toml").write_text(
        'name = "pv"\nsite = "site.toml"\ndiscount_rate = 0.0\nmip_gap = 0.0\ncount_table = false\n'
        f'[solar]\navailability = 0.5\ncapex_usd_per_mw = {capex}\nlife_years = 10\nmax_mw = 30.0\n')
    s = run_plan(tmp_path / "plan.toml").summary
    assert s["sizes"]["solar_mw"] == approx(mw)
    want = 2_000_000.0 if mw else 4_380_000.0
    assert s["annual_cost_usd"]["total"] == approx(want)
    assert s["objective_usd_per_year"] == approx(want)


def test_bad_solar_input_is_refused_naming_the_field(tmp_path):
    inst, series = base(4, 50.0, it_load_mw=10.0)
    series["cf"] = [0.0, 0.5, 1.5, 0.25]          # a capacity factor above 1 in row 4 (third data row)
    inst["solar"] = [{"id": "S1", "capacity_mw": -8.0, "availability": 0.5},
                     {"id": "S2", "capacity_mw": 8.0, "availability": col("cf")}]
    path = write_instance(tmp_path / "bad", inst, series)
    with pytest.raises(eo.InstanceError) as exc:
        eo.load_instance(path)
    text = str(exc.value)
    assert "solar[0] (S1).capacity_mw" in text and "solar[1] (S2).availability" in text and "row 4" in text
    proc = subprocess.run([sys.executable, "-m", "energyopt.cli", "validate", str(path)], capture_output=True,
                          text=True, timeout=120)
    assert_exit(proc, 3)
    assert "solar[0] (S1).capacity_mw" in proc.stdout + proc.stderr


def test_solar_columns_and_summary_are_declared(tmp_path):
    from energyopt.registry import BY_NAME
    out = tmp_path / "out"
    solved(site(tmp_path), out)
    summary = json.loads((out / "summary.json").read_text())
    cols = pd.read_csv(out / "steps.csv").columns
    declared = BY_NAME["solar"].column_names(eo.load_instance(site(tmp_path, name="again")))
    assert declared == [c for c in cols if c.startswith("solar.")]
    assert set(summary["solar"]["S1"]) == {"available_mwh", "output_mwh", "curtailed_mwh"}
    assert np.isclose(summary["solar"]["S1"]["output_mwh"], 14.0)


def test_the_terminal_summary_has_a_line_per_array(tmp_path):
    from energyopt.results.text import render
    r = solved(site(tmp_path, (50.0, 50.0, -10.0, 50.0)), tmp_path / "out")
    assert "solar S1           6.00 of 14.00 MWh used, 8.00 curtailed" in render(r)
