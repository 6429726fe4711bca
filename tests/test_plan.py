"""`energyopt plan`: hand-derived sizes and costs over a year, monotonicity, consistency, bad input.

Common site: 2025 at hourly steps (8,760 h, UTC), a fixed IT load of 20 MW, price $50/MWh, interconnection
100 MW. Candidate genset type D: 2.5 MW, no minimum load, no no-load fuel, 70 gal/MWh at $3/gal = $210/MWh,
may run only in notices; capex $1,000,000 per unit over 20 years at 7%: CRF = 0.07 x 1.07^20 / (1.07^20 - 1)
= 0.0943929..., so $94,392.93 a year per unit; no fixed O&M. Notices count as non-emergency, 50 h/yr per unit.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from energyopt.inputs import InstanceError
from energyopt.model.plan import crf
from energyopt.ops.planning import run_plan

try:
    from .helpers import base, write_instance
    from .test_cli import assert_exit
except ImportError:
    from helpers import base, write_instance
    from test_cli import assert_exit

CAPEX = 1_000_000 * crf(0.07, 20)      # 94,392.93 $/yr per unit
GRID = 20 * 8760 * 50.0                 # $8,760,000 a year at 20 MW, before any notice
FUEL = 210.0                            # $/MWh of genset output
SITE = """\
name = "year"
[horizon]
start = "2025-01-01T00:00:00+00:00"
hours = 8760
step_minutes = 60
[site]
interconnection_mw = 100.0
it_load_mw = {it}
[grid]
price_usd_per_mwh = 50.0
"""
INFERENCE = """
[[inference]]
id = "chat"
demand_mw = 10.0
min_served_fraction = 0.5
shed_penalty_usd_per_mwh = 1000.0
"""
TYPE = """
[[genset_types]]
id = "D"
capacity_mw = 2.5
min_load_fraction = 0.0
fuel_noload_gal_per_h_per_mw = 0.0
fuel_slope_gal_per_mwh = 70.0
fuel_price_usd_per_gal = {fuel_price}
capex_usd = {capex}
life_years = 20
max_units = {max_units}
"""


def notices_csv(path, events: int, cap: float, hours: int = 4):
    """``events`` notices on consecutive days from 2025-07-01, 14:00 for ``hours`` h, issued a day ahead."""
    lines = ["id,issued,start,end,cap_mw,reduction_fraction,baseline_mw"]
    t0 = datetime(2025, 7, 1, 14, tzinfo=timezone.utc)
    for e in range(events):
        s = t0 + timedelta(days=e)
        lines.append(f"E{e},{(s - timedelta(days=1)).isoformat()},{s.isoformat()},"
                     f"{(s + timedelta(hours=hours)).isoformat()},{cap},,")
    path.write_text("\n".join(lines) + "\n")


def write_plan(folder, *, events=1, cap=15.0, hours=4, it=20.0, inference=False, fuel_price=3.0, capex=1_000_000,
               max_units=4, mode="stochastic", extra="", scenarios=None):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "site.toml").write_text(SITE.format(it=it) + (INFERENCE if inference else ""))
    names = []
    for i, (n, c, h) in enumerate(scenarios or ([(events, cap, hours)] if events else [])):
        notices_csv(folder / f"s{i}.csv", n, c, h)
        names.append(f"s{i}.csv")
    (folder / "plan.toml").write_text(
        f'name = "t"\nsite = "site.toml"\nmode = "{mode}"\nmip_gap = 0.0\ncount_table = false\n'
        f'scenario_files = {json.dumps(names)}\n{extra}' + TYPE.format(fuel_price=fuel_price, capex=capex,
                                                                        max_units=max_units))
    return folder / "plan.toml"


def approx(x):
    return pytest.approx(x, rel=1e-6)


def test_a_5_mw_event_needs_exactly_two_units(tmp_path):
    # One 4-hour notice capping import at 15 MW under a fixed 20 MW load: 5 MW from gensets, 2 x 2.5 MW.
    # Cost = grid (8,760,000 - 4 h x 5 MW x $50) + fuel 20 MWh x $210 + 2 x 94,392.93.
    run = run_plan(write_plan(tmp_path))
    s = run.summary
    assert s["sizes"]["gensets"] == {"D": 2}
    assert s["annual_cost_usd"]["total"] == approx(GRID - 1_000 + 20 * FUEL + 2 * CAPEX)
    assert s["objective_usd_per_year"] == approx(s["annual_cost_usd"]["total"])


def test_fifty_non_emergency_hours_force_a_second_unit(tmp_path):
    # 15 notices of 4 h (60 h) each needing 2.5 MW: one unit may run 50 h a year, so a second is needed.
    # Cost = grid (8,760,000 - 60 h x 2.5 MW x $50) + fuel 150 MWh x $210 + 2 x 94,392.93.
    run = run_plan(write_plan(tmp_path, events=15, cap=17.5))
    assert run.summary["sizes"]["gensets"] == {"D": 2}
    assert run.summary["annual_cost_usd"]["total"] == approx(GRID - 7_500 + 150 * FUEL + 2 * CAPEX)
    (row,) = run.summary["scenarios"]
    assert row["D.non_emergency_hours"] == approx(60.0) and row["D.non_emergency_hours_limit"] == approx(100.0)


def test_or_known_shedding_when_that_is_cheaper(tmp_path):
    # Fixed IT 10 MW + inference 10 MW (half may be shed at $1000/MWh); the same 60 notice hours at 17.5 MW.
    # One unit: 50 h x 2.5 MW of fuel ($26,250) + 10 h x 2.5 MW shed ($25,000) + 94,392.93 = $145,642.93;
    # none: 150 MWh shed = $150,000; two: 2 x 94,392.93 + $31,500 = $220,285.86. So one unit, 25 MWh shed.
    run = run_plan(write_plan(tmp_path, events=15, cap=17.5, it=10.0, inference=True))
    s = run.summary
    assert s["sizes"]["gensets"] == {"D": 1}
    (row,) = s["scenarios"]
    assert row["inference_shed_mwh"] == approx(25.0)
    assert s["annual_cost_usd"]["total"] == approx(GRID - 7_500 + 50 * 2.5 * FUEL + 25_000 + CAPEX)


def test_an_event_free_year_needs_no_genset(tmp_path):
    run = run_plan(write_plan(tmp_path, events=0))
    assert run.summary["sizes"]["gensets"] == {"D": 0}
    assert run.summary["annual_cost_usd"]["total"] == approx(GRID)


def twelfth(folder):
    """The common site over 730 h from 2025-06-20 00:00 UTC (a twelfth of a year), holding notices of
    July 1-19: ``plan`` scales the operating cost and the permit hours by 8,760 / 730 = 12."""
    site = folder / "site.toml"
    site.write_text(site.read_text().replace("hours = 8760", "hours = 730").replace(
        '"2025-01-01T00:00:00+00:00"', '"2025-06-20T00:00:00+00:00"'))


@pytest.mark.slow
def test_more_or_longer_events_never_lower_the_cost_and_cheaper_units_never_raise_it(tmp_path):
    base = run_plan(write_plan(tmp_path / "a", events=3, cap=15.0)).summary["annual_cost_usd"]["total"]
    more = run_plan(write_plan(tmp_path / "b", events=5, cap=15.0)).summary["annual_cost_usd"]["total"]
    longer = run_plan(write_plan(tmp_path / "c", events=3, cap=15.0, hours=6)).summary["annual_cost_usd"]["total"]
    cheaper = run_plan(write_plan(tmp_path / "d", events=3, cap=15.0, capex=800_000)).summary
    assert more >= base - 1e-6 and longer >= base - 1e-6
    assert cheaper["annual_cost_usd"]["total"] <= base + 1e-6


def test_over_a_twelfth_of_a_year_more_or_longer_events_never_lower_the_cost_nor_cheaper_units_raise_it(
        tmp_path):
    # The fast sibling of the test above, on notices one unit can carry (cap 17.5 MW under 20 MW): one 4-hour
    # notice is 4 x 12 = 48 permit hours a year, one unit; two notices (96 h) or one of 6 h (72 h) need a
    # second unit, so the permits bind.
    def total(folder, **kw):
        p = write_plan(folder, cap=17.5, **kw)
        twelfth(folder)
        return run_plan(p).summary

    base = total(tmp_path / "a", events=1)
    more, longer = total(tmp_path / "b", events=2), total(tmp_path / "c", events=1, hours=6)
    cheaper = total(tmp_path / "d", events=1, capex=800_000)
    assert base["sizes"]["gensets"] == {"D": 1} and more["sizes"]["gensets"] == longer["sizes"]["gensets"] == {"D": 2}
    base = base["annual_cost_usd"]["total"]
    assert more["annual_cost_usd"]["total"] >= base - 1e-6 and longer["annual_cost_usd"]["total"] >= base - 1e-6
    assert cheaper["annual_cost_usd"]["total"] <= base + 1e-6


@pytest.mark.slow
def test_fixing_the_chosen_sizes_gives_the_same_cost_and_robust_is_at_least_stochastic(tmp_path):
    two = [(3, 15.0, 4), (10, 17.5, 4)]
    st = run_plan(write_plan(tmp_path / "st", scenarios=two)).summary
    fixed = run_plan(write_plan(tmp_path / "fx", scenarios=two,
                                extra=f"fixed_units = {{ D = {st['sizes']['gensets']['D']} }}\n")).summary
    assert fixed["annual_cost_usd"]["total"] == approx(st["annual_cost_usd"]["total"])
    rb = run_plan(write_plan(tmp_path / "rb", scenarios=two, mode="robust")).summary
    assert rb["annual_cost_usd"]["total"] >= st["annual_cost_usd"]["total"] - 1e-6


def test_over_a_twelfth_of_a_year_fixed_sizes_give_the_same_cost_and_robust_is_at_least_stochastic(tmp_path):
    # The fast sibling of the test above: one notice capping import at 15 MW (2 units, 2 x 4 x 12 = 96 permit
    # hours a year of their 100) and two at 17.5 MW (one unit at a time, 96 hours: 2 units too).
    def plan(name, **kw):
        p = write_plan(tmp_path / name, scenarios=[(1, 15.0, 4), (2, 17.5, 4)], **kw)
        twelfth(tmp_path / name)
        return run_plan(p).summary

    st = plan("st")
    assert st["sizes"]["gensets"] == {"D": 2}
    fixed = plan("fx", extra=f"fixed_units = {{ D = {st['sizes']['gensets']['D']} }}\n")
    assert fixed["annual_cost_usd"]["total"] == approx(st["annual_cost_usd"]["total"])
    rb = plan("rb", mode="robust")
    assert rb["annual_cost_usd"]["total"] >= st["annual_cost_usd"]["total"] - 1e-6


@pytest.mark.parametrize("edit,words", [
    (lambda p: p.replace("capacity_mw = 2.5", "capacity_mw = 0.0"), "capacity_mw"),
    (lambda p: p.replace('mode = "stochastic"', 'mode = "stochastic"\ndiscount_rate = 0.9'), "discount_rate"),
    (lambda p: p.replace('mode = "stochastic"', 'mode = "stochastic"\nfixed_units = { X9 = 1 }'), "X9"),
])
def test_bad_plan_files_are_refused_naming_the_field(tmp_path, edit, words):
    p = write_plan(tmp_path)
    p.write_text(edit(p.read_text()))
    with pytest.raises(InstanceError, match=words):
        run_plan(p)


def test_a_scenario_of_the_wrong_year_is_refused_naming_it(tmp_path):
    p = write_plan(tmp_path)
    (tmp_path / "s0.csv").write_text("id,issued,start,end,cap_mw,reduction_fraction,baseline_mw\n"
                                     "E,2026-07-01T12:00:00+00:00,2026-07-01T14:00:00+00:00,"
                                     "2026-07-01T18:00:00+00:00,15,,\n")
    with pytest.raises(InstanceError, match="scenario s0.csv"):
        run_plan(p)


@pytest.mark.slow
def test_cli_writes_the_plan_and_refuses_bad_input_without_writing(run_cli, tmp_path):
    p = write_plan(tmp_path / "ok")
    p.write_text(p.read_text().replace("count_table = false", "count_table = true"))
    proc = run_cli("plan", p, "--out", tmp_path / "out", timeout=300)
    assert_exit(proc, 0)
    assert "D x 2" in proc.stdout and "<- chosen" in proc.stdout
    assert {f.name for f in (tmp_path / "out").iterdir()} == {"plan.json", "scenarios.csv", "event_days.csv",
                                                              "count_table.csv", "count_table.html"}
    bad = write_plan(tmp_path / "bad")
    bad.write_text(bad.read_text().replace("discount_rate", "x") + "discount_rate = -1\n")
    proc = run_cli("plan", bad, "--out", tmp_path / "out2")
    assert_exit(proc, 3)
    assert "discount_rate" in proc.stderr and not (tmp_path / "out2").exists()


def test_cli_writes_a_plan_over_a_twelfth_of_a_year_and_refuses_bad_input_without_writing(run_cli, tmp_path):
    # The fast sibling of the test above: the same plan over 730 h, still two units (96 permit hours a year).
    p = write_plan(tmp_path / "ok")
    twelfth(tmp_path / "ok")
    p.write_text(p.read_text().replace("count_table = false", "count_table = true"))
    proc = run_cli("plan", p, "--out", tmp_path / "out", timeout=300)
    assert_exit(proc, 0)
    assert "D x 2" in proc.stdout and "<- chosen" in proc.stdout
    assert {f.name for f in (tmp_path / "out").iterdir()} == {"plan.json", "scenarios.csv", "event_days.csv",
                                                              "count_table.csv", "count_table.html"}
    bad = write_plan(tmp_path / "bad")
    bad.write_text(bad.read_text().replace("discount_rate", "x") + "discount_rate = -1\n")
    proc = run_cli("plan", bad, "--out", tmp_path / "out2")
    assert_exit(proc, 3)
    assert "discount_rate" in proc.stderr and not (tmp_path / "out2").exists()


# -- headroom --------------------------------------------------------------------------------------------
def headroom_site(folder):
    # 24 h, interconnection 100 MW, fixed IT load 80 MW except 90, 95 and 98 MW in hours 17-19.
    load = [80.0] * 24
    load[17], load[18], load[19] = 90.0, 95.0, 98.0
    inst, series = base(24, 50.0, interconnection_mw=100.0, it_load_mw={"file": "series.csv", "column": "load"})
    series["load"] = load
    return write_instance(folder, inst, series)


def test_headroom_curve_by_hours_and_energy(tmp_path):
    # Hours: with none curtailed, L = 100 - 98 = 2 MW; curtailing the 98-MW hour, L = 5; two hours, 10; three, 20.
    # Energy, 1% of the added load's 24 L MWh: for L in [2, 5] only hour 19 is over, by L - 2 MWh, so the
    # largest L has L - 2 = 0.24 L: L = 2 / 0.76 = 2.6316 MW.
    import energyopt as eo
    from energyopt.ops.headroom import headroom_curve
    inst = eo.load_instance(headroom_site(tmp_path))
    pts = headroom_curve(inst, [0, 1, 2, 3], "hours")
    assert [round(p.added_mw, 9) for p in pts] == [2.0, 5.0, 10.0, 20.0]
    assert [p.curtailed_hours for p in pts] == [0, 1, 2, 3]
    (e,) = headroom_curve(inst, [1.0], "energy")
    assert e.added_mw == pytest.approx(2 / 0.76, rel=1e-6)


def test_headroom_cli(run_cli, tmp_path):
    path = headroom_site(tmp_path)
    proc = run_cli("headroom", path, "--hours", "0,1", "--out", tmp_path / "h.csv")
    assert_exit(proc, 0)
    assert "5.000" in proc.stdout and (tmp_path / "h.csv").read_text().startswith("limit_hours")
    assert_exit(run_cli("headroom", path), 2)


def test_docs_plan_is_generated_from_the_schema():
    from pathlib import Path

    from energyopt.inputs import plandocs
    committed = (Path(__file__).resolve().parents[1] / "docs" / "plan.md").read_text(encoding="utf-8")
    assert plandocs.render() == committed, "docs/plan.md is stale: run python -m energyopt.inputs.plandocs --write docs/plan.md"


def week(folder):
    """The common site over one week, 2025-06-28 00:00 to 2025-07-05 00:00 UTC (168 h), holding the notice
    of July 1, 14:00-18:00 (issued June 30): ``plan`` scales its operating cost by 8,760 / 168 = 52.142857."""
    site = folder / "site.toml"
    site.write_text(site.read_text().replace("hours = 8760", "hours = 168").replace(
        '"2025-01-01T00:00:00+00:00"', '"2025-06-28T00:00:00+00:00"'))


def test_a_battery_is_sized_to_the_event(tmp_path):
    # Over the week above (the year's arithmetic holds: the battery must only cover the one notice, charge
    # beforehand, 86 h ahead, at no more than the 5 MW it is sized to, which takes 4 h, and end no emptier
    # than it started). No genset type worth buying (capex $10^9), a battery at $100,000/MWh over 10 years
    # at 0% (CRF 0.1: $10,000/MWh-yr), lossless, starting empty. The 4-hour notice caps import at 15 MW
    # under 20 MW: 5 MW for 4 h, so 20 MWh and 5 MW; capex is a year's as it stands: 20 x 10,000 = $200,000
    # and 5 MW at $1,000/MW ($100/MW-yr) = $500. Grid energy is only moved (lossless, one $50 price): the
    # week's 20 MW x 168 h x $50 = $168,000, scaled by 8,760 / 168 to $8,760,000 a year. Total
    # 8,760,000 + 200,000 + 500 (an unscaled week, 168,000 + 200,500, would fail).
    p = write_plan(tmp_path, capex=1e9)
    week(tmp_path)
    p.write_text(p.read_text().replace('mode = "stochastic"', 'mode = "stochastic"\ndiscount_rate = 0.0')
                 + "\n[battery]\ncapex_usd_per_mwh = 100000.0\ncapex_usd_per_mw = 1000.0\nlife_years = 10\nmax_mwh = 100.0\nmax_mw = 50.0\n"
                   "round_trip_efficiency = 1.0\ninitial_fraction = 0.0\n")
    s = run_plan(p).summary
    assert s["sizes"]["gensets"] == {"D": 0}
    assert s["sizes"]["battery_mwh"] == approx(20.0) and s["sizes"]["battery_mw"] == approx(5.0)
    assert s["annual_cost_usd"]["total"] == approx(20 * 168 * 50.0 * 8760 / 168 + 200_000 + 500)


# -- review regressions ----------------------------------------------------------------------------------
def test_genset_minimum_up_time_is_held_by_the_fleet(tmp_path):
    # A notice-only type with an 8-hour minimum up time cannot serve a 4-hour notice (it would have to run
    # past the window, where it may not): infeasible, where it used to be accepted. Over a twelfth of a year,
    # where the permits allow the two units the notice needs (2 x 4 x 12 = 96 hours a year of their 100),
    # so only the minimum up time makes it infeasible.
    p = write_plan(tmp_path)
    twelfth(tmp_path)
    p.write_text(p.read_text().replace("max_units = 4", "max_units = 4\nmin_up_hours = 8.0"))
    assert run_plan(p).summary["status"] == "infeasible"


def test_scenario_files_with_one_name_stay_apart_and_a_repeated_file_is_refused(tmp_path):
    p = write_plan(tmp_path, events=0)
    for d, n in (("a", 1), ("b", 15)):
        (tmp_path / d).mkdir()
        notices_csv(tmp_path / d / "s.csv", n, 17.5)
    text = p.read_text().replace("scenario_files = []", 'scenario_files = ["a/s.csv", "b/s.csv"]')
    p.write_text(text)
    names = [r["scenario"] for r in run_plan(p).summary["scenarios"]]
    assert names == ["a/s", "b/s"]
    p.write_text(text.replace('"b/s.csv"', '"a/s.csv"'))
    with pytest.raises(InstanceError, match="listed more than once"):
        run_plan(p)


def test_permit_hours_are_reported_per_year_for_a_shorter_horizon(tmp_path):
    # A 730-hour horizon (a twelfth of a year) with one 4-hour notice needing one unit: the operating figures
    # scale by 8,760 / 730 = 12, so the unit's non-emergency hours are 48 a year against its 50.
    p = write_plan(tmp_path, cap=17.5)
    site = tmp_path / "site.toml"
    site.write_text(site.read_text().replace("hours = 8760", "hours = 730").replace(
        '"2025-01-01T00:00:00+00:00"', '"2025-06-20T00:00:00+00:00"'))
    (row,) = run_plan(p).summary["scenarios"]
    assert row["D.non_emergency_hours"] == approx(48.0) and row["D.non_emergency_hours_limit"] == approx(50.0)


def test_thermal_storage_is_sized_to_the_event(tmp_path):
    # Over the week of week() (as for the battery, the tank only covers the one notice). Cooling: COP 5 at
    # every temperature, ample chillers; IT 20 MW, so cooling draws 20 / 5 = 4 MW: 24 MW. The 4-hour notice
    # caps import at 22 MW: the tank must absorb q MW_th with 20 + (20 - q) / 5 <= 22, q >= 10 MW_th for 4 h
    # = 40 MWh_th (its 0.5/h rate then allows 20 MW_th, so it charges in 2 h before the notice, the chillers
    # at 40 of their 60 MW_th). Gensets cost $10^9: none. $10,000/MWh_th over 10 years at 0% (CRF 0.1) =
    # $1,000/MWh_th-yr -> $40,000 a year; the chilling energy is only moved in time (lossless tank, one
    # price), so grid energy is the week's 24 MW x 168 h x $50 = $201,600, scaled by 8,760 / 168 to
    # 24 x 8,760 x $50 = $10,512,000 a year.
    p = write_plan(tmp_path, cap=22.0, capex=1e9)
    week(tmp_path)
    site = tmp_path / "site.toml"
    site.write_text(site.read_text() + "\n[cooling]\noutdoor_temp_c = 25.0\nrated_capacity_mw_th = 60.0\n"
                    "cop_curve = [[0.0, 5.0], [50.0, 5.0]]\ncapacity_derate_curve = [[0.0, 1.0], [50.0, 1.0]]\n")
    p.write_text(p.read_text().replace('mode = "stochastic"', 'mode = "stochastic"\ndiscount_rate = 0.0')
                 + "\n[thermal_storage]\ncapex_usd_per_mwh_th = 10000.0\nlife_years = 10\nmax_mwh_th = 200.0\n"
                   "initial_fraction = 0.0\n")
    s = run_plan(p).summary
    assert s["sizes"]["gensets"] == {"D": 0}
    assert s["sizes"]["thermal_storage_mwh_th"] == approx(40.0)
    assert s["annual_cost_usd"]["total"] == approx(24 * 168 * 50.0 * 8760 / 168 + 40_000)


def test_bad_random_scenarios_and_headroom_arguments_exit_cleanly(run_cli, tmp_path):
    p = write_plan(tmp_path, events=0)
    p.write_text(p.read_text() + "\n[random_scenarios]\ncount = 2\nbaseline_mw = 20.0\nevents_per_year = 100000.0\n")
    proc = run_cli("plan", p, "--out", tmp_path / "o")
    assert_exit(proc, 3)
    assert "random_scenarios" in proc.stderr and not (tmp_path / "o").exists()
    site = headroom_site(tmp_path / "h")
    assert_exit(run_cli("headroom", site, "--hours", "nan"), 2)
    proc = run_cli("headroom", site, "--hours", "0", "--out", tmp_path / "missing" / "h.csv")
    assert_exit(proc, 3)
    assert "does not exist" in proc.stderr


# -- the fleet's floor (a valid inequality) -------------------------------------------------------------


def test_the_fleet_floor_is_the_least_load_less_every_other_supply(tmp_path):
    # 4 hours at 15 C (default COP 4.4): fixed IT 10 MW, inference 10 MW of which half must be served, overhead
    # 1 MW; least IT 15 MW, its cooling 15 / 4.4 = 3.40909 MW, least load 19.40909 MW. A notice caps import at
    # 12 MW in hours 1-2; the site's own 2 MW notice-only unit and 1 MW battery, and a candidate battery of
    # 0.5 MW, may supply: the fleet must carry 19.40909 - 15.5 = 3.90909 MW there, nothing elsewhere. A
    # candidate tank discharging 4.4 MW thermal takes 4.4 / 4.4 = 1 MW of chiller power off: 2.90909 MW.
    from energyopt.inputs import load_instance
    from energyopt.model.fleet import floor_mw
    inst, series = base(4, 50.0, it_load_mw=10.0)
    inst["site"]["overhead_mw"] = 1.0
    inst["cooling"] = {"outdoor_temp_c": 15.0, "rated_capacity_mw_th": 100.0}
    inst["inference"] = [{"id": "chat", "demand_mw": 10.0, "min_served_fraction": 0.5, "shed_penalty_usd_per_mwh": 1e3}]
    inst["battery"] = {"energy_mwh": 4.0, "power_mw": 1.0}
    inst["generators"] = [{"id": "G", "capacity_mw": 2.0, "fuel_price_usd_per_gal": 3.0, "run_hours_left": 10.0,
                           "dispatch": "notice_only"}]
    t0 = datetime.fromisoformat(inst["horizon"]["start"])
    inst["notices"] = [{"id": "N", "issued": t0, "start": t0 + timedelta(hours=1), "end": t0 + timedelta(hours=3),
                        "cap_mw": 12.0}]
    i = load_instance(write_instance(tmp_path, inst, series))
    least = 15 + 15 / 4.4 + 1
    assert list(floor_mw(i, battery_mw=0.5)) == pytest.approx([0.0, least - 15.5, least - 15.5, 0.0])
    assert list(floor_mw(i, battery_mw=0.5, tank_mw_th=4.4)) == pytest.approx([0.0, least - 16.5, least - 16.5, 0.0])
