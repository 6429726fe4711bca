"""diff.txt says why the cost moved: hand-built re-plans whose causes and amounts are derived in comments.

Common site: 3 hourly steps from 2025-01-01 00:00 UTC, a fixed IT load of 10 MW, no cooling or overhead.
A re-plan at 00:30 with no response time fixes step 0 (it starts before 00:30) and re-optimizes steps 1-2.
"""
from __future__ import annotations

import json

import pandas as pd
import pytest

import energyopt as eo
from energyopt.check import check_result, instance_for
from energyopt.ops.diff import diff_text
from energyopt.ops.replan import replan

try:
    from .helpers import at, base, solve_dict, write_instance
except ImportError:
    from helpers import at, base, solve_dict, write_instance

EXACT = eo.SolveOptions(mip_rel_gap=0)
NOW = "2025-01-01T00:30:00+00:00"


def approx(x):
    return pytest.approx(x, rel=1e-6, abs=1e-6)


def notice(start_h, end_h, cap, nid="N2"):
    return {"id": nid, "issued": pd.Timestamp(NOW).to_pydatetime(), "start": pd.Timestamp(at(start_h)).to_pydatetime(),
            "end": pd.Timestamp(at(end_h)).to_pydatetime(), "cap_mw": cap}


def genset_site(prices=(50.0, 500.0, 50.0)):
    # G1: notice-only, 4 MW, no minimum load, no no-load fuel, 50 gal/MWh at $2/gal = $100/MWh of output,
    # $50 per start.
    inst, series = base(3, list(prices), it_load_mw=10.0)
    inst["generators"] = [{"id": "G1", "capacity_mw": 4.0, "min_load_fraction": 0.0,
                           "fuel_noload_gal_per_h_per_mw": 0.0, "fuel_slope_gal_per_mwh": 50.0,
                           "fuel_price_usd_per_gal": 2.0, "startup_cost_usd": 50.0, "run_hours_left": 10.0,
                           "dispatch": "notice_only"}]
    return inst, series


def plan(tmp_path, inst, series, name="plan"):
    r = solve_dict(tmp_path / f"{name}-inst", inst, series)
    r.write(tmp_path / name)
    return r


def test_a_notice_makes_the_day_cheaper_and_the_diff_says_why(tmp_path):
    # Day-ahead: no notice, so G1 may not run: import 10 MW every hour, cost 10 x (50 + 500 + 50) = 6,000.
    # Re-plan at 00:30 adding N2 (01:00-02:00, cap 8 MW): in hour 1 the import may be at most 8 MW, and G1
    # (notice-only) may now run there. Its output costs $100/MWh against grid energy at $500, so it runs at
    # its full 4 MW and the import falls to 6 MW. New cost: 500 + 6 x 500 + 4 x 100 + 50 + 500 = 4,450:
    # the day is $1,550 cheaper. By term: energy 6,000 -> 4,000 (-2,000 = 4 MWh less import in N2's window
    # at $500/MWh), fuel +400 (4 MWh at $100/MWh; $112.50/MWh with the start-up), startup +50 (one start).
    inst, series = genset_site()
    before = plan(tmp_path, inst, series)
    assert before.objective_usd == approx(6_000.0)
    r, d = replan(tmp_path / "plan", NOW, add_notices=[notice(1, 2, 8.0)], options=EXACT)
    assert r.objective_usd == approx(4_450.0)
    why = {w["term"]: w for w in d["cost_why"]}
    assert set(why) == {"energy", "fuel", "startup"}
    assert why["energy"]["change_usd"] == approx(-2_000.0)
    (inside,) = [p for p in why["energy"]["parts"] if p["cause"] == "notice"]
    assert inside["mwh"] == approx(-4.0) and inside["usd"] == approx(-2_000.0)
    assert why["fuel"]["change_usd"] == approx(400.0)
    assert why["fuel"]["fuel_usd_per_mwh"] == approx(100.0)
    assert why["fuel"]["grid_usd_per_mwh_where_rose"] == approx(500.0)
    assert why["startup"]["starts_change"] == 1
    text = diff_text(d)
    assert "Cost: $6,000.00 -> $4,450.00 (-1,550.00)" in text
    assert "energy -$2,000.00" in text and "4.00 MWh less grid import inside the window of N2 (01:00-02:00, cap 8 MW)" \
        in text and "at $500.00/MWh where it changed" in text
    assert ("fuel +$400.00: a new notice N2 (01:00-02:00, cap 8 MW) let notice-only gensets G1 run +1.00 unit-hours, "
            "+4.00 MWh of output, at $100.00/MWh of output in fuel ($112.50/MWh with start-ups), against grid energy "
            "at $500.00/MWh where their output rose") in text
    assert "startup +$50.00: +1 start(s) (0 -> 1) at $50.00 each" in text
    assert "the past is fixed: the 1 step(s) before now + response as they ran, as planned" in text
    out = tmp_path / "replan"
    r.write(out)
    written = json.loads((out / "summary.json").read_text())
    assert check_result(instance_for(out / written["instance_file"], written), out) == []


def test_prices_and_the_repriced_past_are_told_apart_from_the_notice(tmp_path):
    # As above, but the re-plan's instance has new prices 60, 500, 80 (the day-ahead plan had 50, 500, 50).
    # Energy before: 6,000. After: 10 x 60 (step 0, fixed) + 6 x 500 + 10 x 80 = 4,400: -1,600, which is
    # the notice's -2,000 (4 MWh less at $500), the open step's price change +300 (+30 $/MWh x the old plan's
    # 10 MW) and the fixed past, priced anew, +100 (+10 $/MWh x 10 MW).
    inst, series = genset_site()
    plan(tmp_path, inst, series)
    inst2, series2 = genset_site((60.0, 500.0, 80.0))
    path = write_instance(tmp_path / "now", inst2, series2)
    r, d = replan(tmp_path / "plan", NOW, instance=path, add_notices=[notice(1, 2, 8.0)], options=EXACT)
    energy = next(w for w in d["cost_why"] if w["term"] == "energy")
    assert energy["change_usd"] == approx(-1_600.0)
    parts = {p["cause"]: p["usd"] for p in energy["parts"]}
    assert parts == {"notice": approx(-2_000.0), "prices": approx(300.0), "past": approx(100.0)}
    text = diff_text(d)
    assert "energy -$1,600.00: a new notice -$2,000.00, prices +$300.00, the fixed past +$100.00" in text
    assert "+$300.00: prices changed in 1 open step(s) (by +30.00 to +30.00 $/MWh), valued at the import of the old plan" \
        in text
    assert "the new instance prices 1 of them differently (+$100.00 at the import of the old plan)" in text


def job_site():
    # Prices 50, 40, 60; one 5 MW job (full power only, may pause freely) of 5 MWh: it runs in hour 1 ($40).
    # Day-ahead cost: 10 x 150 + 5 x 40 = 1,700.
    inst, series = base(3, [50.0, 40.0, 60.0], it_load_mw=10.0)
    inst["training_jobs"] = [{"id": "J1", "power_mw": 5.0, "work_mwh": 5.0, "min_power_fraction": 1.0,
                              "throughput_curve": [[1.0, 1.0]]}]
    return inst, series


def test_a_job_moved_by_a_notice_shows_the_price_difference(tmp_path):
    # N2 (01:00-02:00, cap 10 MW) leaves no room for the job in hour 1, so it runs in hour 2 at $60:
    # cost 1,500 + 5 x 60 = 1,800 (+100). Energy +100 = -5 MWh inside N2's window at $40 (-200) and
    # +5 MWh outside it at $60 (+300); the job line shows both prices and +$100 for the job's energy.
    inst, series = job_site()
    assert plan(tmp_path, inst, series).objective_usd == approx(1_700.0)
    r, d = replan(tmp_path / "plan", NOW, add_notices=[notice(1, 2, 10.0)], options=EXACT)
    assert r.objective_usd == approx(1_800.0)
    energy = next(w for w in d["cost_why"] if w["term"] == "energy")
    parts = {p["cause"]: p["usd"] for p in energy["parts"]}
    assert parts == {"notice": approx(-200.0), "redispatch": approx(300.0), "past": approx(0.0)}
    text = diff_text(d)
    assert "5.00 MWh less grid import inside the window of N2 (01:00-02:00, cap 10 MW), at $40.00/MWh" in text
    assert "import moved outside the windows of the new notices: 5.00 MWh more at $60.00/MWh (net +5.00 MWh)" in text
    assert ("J1: -5.00 MWh 01-01 01:00-02:00 (at $40.00/MWh), +5.00 MWh 01-01 02:00-03:00 (at $60.00/MWh); "
            "at the new prices its energy costs +$100.00") in text


def test_actuals_that_differ_from_the_plan_are_named_in_the_past(tmp_path):
    # Job site: the plan has J1 off in step 0; the actuals say it ran at 5 MW there (5 MWh of work), so its
    # work is done and hour 1 no longer runs it. Energy: step 0 15 x 50 = 750 (+250 against the plan's
    # 500), hour 1 10 x 40 = 400 (-200), hour 2 600: total 1,750 (+50). The fixed past: +$250, 5 MWh more.
    inst, series = job_site()
    plan(tmp_path, inst, series)
    actual = pd.DataFrame({"timestamp": [at(0)], "job.J1.power_mw": [5.0], "job.J1.work_mwh": [5.0]})
    r, d = replan(tmp_path / "plan", NOW, actuals=actual, options=EXACT)
    assert r.objective_usd == approx(1_750.0)
    energy = next(w for w in d["cost_why"] if w["term"] == "energy")
    past = next(p for p in energy["parts"] if p["cause"] == "past")
    assert past["usd"] == approx(250.0) and past["mwh"] == approx(5.0) and past["steps_differ"] == 1
    text = diff_text(d)
    assert "the actuals differ from the plan in 1 of them (import +5.00 MWh, +$250.00)" in text
    assert "the actuals differ from the plan in 1 of them (job.J1.power_mw, job.J1.work_mwh; grid import +5.00 MWh)" \
        in text


def test_identical_units_trading_places_are_said_to_be_the_same(tmp_path):
    from energyopt.ops.diff import plan_diff
    steps0 = pd.DataFrame({"timestamp": [at(0), at(1)], "price_usd_per_mwh": [10.0, 10.0],
                           "grid_import_mw": [1.0, 1.0],
                           "generator.A.on": [1, 0], "generator.A.output_mw": [2.0, 0.0],
                           "generator.B.on": [0, 1], "generator.B.output_mw": [0.0, 2.0]})
    steps1 = steps0.rename(columns={"generator.A.on": "generator.B.on", "generator.A.output_mw": "generator.B.output_mw",
                                    "generator.B.on": "generator.A.on", "generator.B.output_mw": "generator.A.output_mw"})
    s = {"horizon": {"step_minutes": 60}, "objective_usd": 20.0, "cost_breakdown_usd": {"energy": 20.0},
         "generator_run_hours": {"A": {"hours": 1.0}, "B": {"hours": 1.0}}}
    d = plan_diff(s, steps0, s, steps1)
    assert d["generator_fleet_unchanged"] and d["cost_why"] == []
    assert "identical units trade places" in diff_text(d)
