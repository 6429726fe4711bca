"""Steadier training jobs and batteries (issue 16, part 2 for jobs and part 6): a job's state at the horizon
start, minimum run and pause times, a restart cost; a battery's wear cost per MWh delivered and its cycles per
local day. Every optimum is derived by hand in a comment, at gap 0, and differs from the one without the
setting; the checker passes every written result, flags a schedule that breaks the setting with its own code,
and bad input is named by field.

Unless a test says otherwise: hourly steps from 2025-01-01 00:00 UTC (one local day), no overhead, no cooling,
and a job of 10 MW that runs at full power only with one MWh of work per MWh (curve y = x), so each hour it
runs costs 10 x price and does 10 MWh of work. Its unfinished-work penalty is the default $10,000/MWh: the
optimizer never leaves work undone in these cases.
"""
from __future__ import annotations

import pandas as pd
import pytest

from energyopt import InstanceError, load_instance
from energyopt.check import check_result
from energyopt.ops.replan import replan
import energyopt as eo

try:
    from .helpers import at, base, solve_dict, write_instance
except ImportError:  # tests/ is not a package: pytest puts it on sys.path
    from helpers import at, base, solve_dict, write_instance

EXACT = eo.SolveOptions(mip_rel_gap=0)
PRICES = [10.0, 100.0, 12.0, 50.0]


def approx(x):
    return pytest.approx(x, rel=1e-6, abs=1e-6)


def job(work=20.0, **kw):
    return {"id": "J1", "power_mw": 10.0, "work_mwh": work, "min_power_fraction": 1.0,
            "throughput_curve": [[1.0, 1.0]], **kw}


def with_job(prices=PRICES, **kw):
    inst, series = base(len(prices), prices)
    inst["training_jobs"] = [job(**kw)]
    return inst, series


def solved(tmp_path, name, inst, series):
    """Solve at gap 0, write the result, and insist the checker finds nothing wrong with it."""
    r = solve_dict(tmp_path / name, inst, series)
    out = r.write(tmp_path / name / "out")
    assert check_result(tmp_path / name / "instance.toml", out) == []
    return r


def power(r):
    return r.steps["job.J1.power_mw"].to_numpy()


def names(violations):
    return {v.constraint for v in violations}


# -- minimum pause, minimum run, restart cost -------------------------------------------------------------
def test_without_settings_the_job_pauses_in_the_dear_hour(tmp_path):
    # Prices 10, 100, 12, 50; 20 MWh = two running hours: the cheapest are hours 0 and 2 (it pauses in hour 1).
    # Cost = 10 x (10 + 12) = 220; one resume (the first start is no restart).
    r = solved(tmp_path, "free", *with_job())
    assert power(r) == approx([10, 0, 10, 0])
    assert r.summary["objective_usd"] == approx(220.0)
    assert r.summary["jobs"]["J1"]["restarts"] == 1
    assert r.summary["cost_breakdown_usd"]["restarts"] == approx(0.0)


def test_min_pause_keeps_a_paused_job_paused(tmp_path):
    # min_pause_hours = 2: paused in hour 1 it stays paused in hour 2, so {0, 2} is out. Two hours that are
    # allowed: {0, 3} = 10 x (10 + 50) = 600 (pause 1-2: two hours), {2, 3} = 620, {0, 1} = 1100,
    # {1, 2} = 1120, {1, 3} (pause of one hour) is out. Optimum {0, 3}: 600 (220 without the setting).
    r = solved(tmp_path, "pause", *with_job(min_pause_hours=2.0))
    assert power(r) == approx([10, 0, 0, 10])
    assert r.summary["objective_usd"] == approx(600.0)


def test_min_run_keeps_a_started_job_running(tmp_path):
    # min_run_hours = 2: a stretch runs two hours unless it is the last and the work is done, or the window
    # ends. {0}, {2} is out (the stretch at 0 is one hour and not the last); {0, 3} likewise. Allowed:
    # {2, 3} = 10 x (12 + 50) = 620, {0, 1} = 1100, {1, 2} = 1120. Optimum 620 (220 without).
    r = solved(tmp_path, "run", *with_job(min_run_hours=2.0))
    assert power(r) == approx([0, 0, 10, 10])
    assert r.summary["objective_usd"] == approx(620.0)
    assert r.summary["jobs"]["J1"]["restarts"] == 0


def test_a_job_that_finishes_its_work_may_stop_before_its_min_run(tmp_path):
    # min_run_hours = 3, 10 MWh of work (one hour), prices 10, 100, 100, 100. Running hour 0 alone finishes the
    # work, so it may stop: 10 x 10 = 100. (If it had to run on for 3 hours it would cost 10 x 210 = 2100, or
    # 1000 in hour 3 alone, where the horizon's end cuts the stretch.)
    r = solved(tmp_path, "finish", *with_job(prices=[10, 100, 100, 100], work=10.0, min_run_hours=3.0))
    assert power(r) == approx([10, 0, 0, 0])
    assert r.summary["objective_usd"] == approx(100.0)


@pytest.mark.parametrize("cost, want, schedule, paid", [
    # restart_cost_usd = 300: {0, 2} costs 220 + 300 = 520 < {2, 3} at 620 (one stretch): it still restarts.
    (300.0, 520.0, [10, 0, 10, 0], 300.0),
    # restart_cost_usd = 500: {0, 2} = 720, {0, 3} = 600 + 500 = 1100, {2, 3} = 620: one stretch, no restart.
    (500.0, 620.0, [0, 0, 10, 10], 0.0),
])
def test_restart_cost(tmp_path, cost, want, schedule, paid):
    r = solved(tmp_path, "cost", *with_job(restart_cost_usd=cost))
    assert power(r) == approx(schedule)
    assert r.summary["objective_usd"] == approx(want)
    assert r.summary["cost_breakdown_usd"]["restarts"] == approx(paid)


# -- the state at the horizon start ---------------------------------------------------------------------
@pytest.mark.parametrize("running, want, schedule", [
    # A fresh job with restart_loss_hours = 0.5 (5 MWh lost per resume): {2, 3} = 620 is one stretch, no loss.
    (False, 620.0, [0, 0, 10, 10]),
    # Running at the start: {2, 3} is a resume (it paused at step 0) and loses 5 MWh, leaving 15 < 20. Then
    # {0, 1} = 1100 (the stretch under way: no loss) or {0}, {2, 3}: 30 - 5 = 25 >= 20 for 10 x 72 = 720.
    (True, 720.0, [10, 0, 10, 10]),
])
def test_a_job_running_at_the_start_loses_no_work_on_its_stretch_from_step_0(tmp_path, running, want, schedule):
    r = solved(tmp_path, "lossy", *with_job(restart_loss_hours=0.5, initially_running=running))
    assert power(r) == approx(schedule)
    assert r.summary["objective_usd"] == approx(want)
    assert r.summary["jobs"]["J1"]["restarts"] == (1 if running else 0)


def test_a_job_that_cannot_pause_and_is_running_keeps_its_stretch(tmp_path):
    # can_pause = false, prices 100, 10, 10, 100: a fresh job runs hours 1-2 for 200. Running at the start it
    # cannot start a new stretch: it runs on from step 0, hours 0-1, for 10 x 110 = 1100, and stops (finished).
    prices = [100.0, 10.0, 10.0, 100.0]
    fresh = solved(tmp_path, "fresh", *with_job(prices=prices, can_pause=False))
    assert power(fresh) == approx([0, 10, 10, 0])
    assert fresh.summary["objective_usd"] == approx(200.0)
    r = solved(tmp_path, "running", *with_job(prices=prices, can_pause=False, initially_running=True))
    assert power(r) == approx([10, 10, 0, 0])
    assert r.summary["objective_usd"] == approx(1100.0)


@pytest.mark.parametrize("hours, want, schedule", [
    # Not given: no carried minimum. The stretch from 2 may end at the horizon's end: {2, 3} = 10 x 30 = 300.
    (None, 300.0, [0, 0, 10, 10]),
    # Running 2 h of its 3 h minimum: one more hour (hour 0, $100); then it may pause, and a stretch at 2
    # alone is its last with the work done: {0}, {2} = 10 x (100 + 10) = 1100 ({0}, {3} = 1200, {0, 1} = 2000).
    (2.0, 1100.0, [10, 0, 10, 0]),
    # Running 0 h: three more hours unless the work is done sooner: {0, 1} finishes it, 10 x 200 = 2000.
    (0.0, 2000.0, [10, 10, 0, 0]),
])
def test_min_run_carried_in_from_the_start(tmp_path, hours, want, schedule):
    inst, series = with_job(prices=[100, 100, 10, 20], min_run_hours=3.0, initially_running=True,
                            initial_hours_in_state=hours)
    r = solved(tmp_path, "carried", inst, series)
    assert power(r) == approx(schedule)
    assert r.summary["objective_usd"] == approx(want)


@pytest.mark.parametrize("hours, want, schedule", [
    # Not given: a fresh job, its first start no resume: {0, 1} = 10 x 20 = 200.
    (None, 200.0, [10, 10, 0, 0]),
    # Paused 5 h (min pause 3 h met): it may run {0, 1}, but its first start is a resume: 200 + 100 = 300.
    (5.0, 300.0, [10, 10, 0, 0]),
    # Paused 1 h: two more paused hours (0 and 1), so {2, 3} = 10 x 150 = 1500, plus the resume: 1600.
    (1.0, 1600.0, [0, 0, 10, 10]),
])
def test_min_pause_carried_in_from_the_start(tmp_path, hours, want, schedule):
    inst, series = with_job(prices=[10, 10, 100, 50], min_pause_hours=3.0, restart_cost_usd=100.0,
                            initial_hours_in_state=hours)
    r = solved(tmp_path, "paused", inst, series)
    assert power(r) == approx(schedule)
    assert r.summary["objective_usd"] == approx(want)


# -- re-planning: the history decides the state at "now" ----------------------------------------------------
def test_a_job_stopped_before_now_owes_no_more_of_its_min_run(tmp_path):
    # Prices 10, 10, 10, 100, 10, 10; 30 MWh; min run 3 h. The plan is {0, 1, 2} = 300. Actuals: it ran at
    # hour 0, then a fault stopped it in hour 1. Re-planned at 02:00 (hours 0-1 fixed), 20 MWh left: the stretch
    # at 0 is history. From 2 a stretch needs 3 hours unless it finishes: {2, 3} = 1100; the horizon's end cuts
    # {4, 5} to two hours: 200. Total 100 + 200 = 300 (1200 if the broken stretch still bound hour 2).
    inst, series = with_job(prices=[10, 10, 10, 100, 10, 10], work=30.0, min_run_hours=3.0)
    r = solved(tmp_path, "plan", inst, series)
    assert power(r) == approx([10, 10, 10, 0, 0, 0])
    actual = pd.DataFrame({"timestamp": [at(0), at(1)], "job.J1.power_mw": [10.0, 0.0],
                           "job.J1.work_mwh": [10.0, 0.0]})
    r2, _ = replan(tmp_path / "plan" / "out", at(2), actuals=actual, options=EXACT)
    assert power(r2) == approx([10, 0, 0, 0, 10, 10])
    assert r2.summary["objective_usd"] == approx(300.0)
    out = r2.write(tmp_path / "replanned")
    assert check_result(tmp_path / "plan" / "instance.toml", out) == []


# -- the checker flags each broken setting by name -------------------------------------------------------
@pytest.mark.parametrize("strict, codes", [
    ({"min_run_hours": 2.0}, {"job.min_run"}),
    ({"min_pause_hours": 2.0}, {"job.min_pause"}),
    ({"restart_cost_usd": 300.0}, {"cost.restarts", "cost.objective", "cost.solver_objective"}),
])
def test_the_checker_flags_a_schedule_that_breaks_the_setting(tmp_path, strict, codes):
    # The free plan {0, 2} (a one-hour stretch, a one-hour pause, one resume) against the stricter instance.
    solved(tmp_path, "free", *with_job())
    path = write_instance(tmp_path / "strict", *with_job(**strict))
    found = check_result(path, tmp_path / "free" / "out")
    assert names(found) == codes


def test_the_checker_flags_a_new_stretch_of_a_running_job_that_cannot_pause(tmp_path):
    prices = [100.0, 10.0, 10.0, 100.0]
    solved(tmp_path, "fresh", *with_job(prices=prices, can_pause=False))      # runs hours 1-2
    path = write_instance(tmp_path / "strict", *with_job(prices=prices, can_pause=False, initially_running=True))
    found = check_result(path, tmp_path / "fresh" / "out")
    assert "job.initial_state" in names(found)
    assert [v.step for v in found if v.constraint == "job.initial_state"] == [1]


def test_the_checker_flags_a_carried_in_minimum(tmp_path):
    # The free plan starts at 0 and pauses at 1: a job running 0 h of a 3 h min run may not stop at 1.
    solved(tmp_path, "free", *with_job())
    path = write_instance(tmp_path / "strict", *with_job(initially_running=True, initial_hours_in_state=0.0,
                                                           min_run_hours=3.0))
    assert "job.initial_state" in names(check_result(path, tmp_path / "free" / "out"))


def test_the_checker_flags_a_summary_restart_count_that_is_off(tmp_path):
    solved(tmp_path, "free", *with_job())
    out = tmp_path / "free" / "out"
    s = pd.read_json(out / "summary.json", typ="series").to_dict()
    s["jobs"]["J1"]["restarts"] = 0
    (out / "summary.json").write_text(pd.Series(s).to_json(), encoding="utf-8")
    assert "summary.jobs" in names(check_result(tmp_path / "free" / "instance.toml", out))


# -- battery: wear cost and cycles per day ----------------------------------------------------------------
def with_battery(**kw):
    # 10 MW fixed IT load; prices 10, 100, 10, 100. Battery 10 MWh / 10 MW, lossless, starting (and ending at
    # least) at 5 MWh. Without settings it charges 5 in hour 0, gives 10 in hour 1, charges 10 in hour 2 and
    # gives 5 in hour 3 (the end level keeps 5): 15 MWh delivered, each saving 100 - 10 = 90.
    inst, series = base(4, [10.0, 100.0, 10.0, 100.0], it_load_mw=10.0)
    inst["battery"] = {"energy_mwh": 10.0, "power_mw": 10.0, "round_trip_efficiency": 1.0, **kw}
    return inst, series


def delivered(r):
    return float(r.steps["battery.discharge_mw"].sum())


@pytest.mark.parametrize("wear, want, mwh", [
    # No wear cost: 10 x (10 + 100 + 10 + 100) = 2200 without the battery, less 90 x 15 = 850.
    (0.0, 850.0, 15.0),
    # $50/MWh: each MWh still saves 90 - 50 = 40: 2200 - 15 x 40 = 1600 (wear 750).
    (50.0, 1600.0, 15.0),
    # $100/MWh: a MWh would lose 10: the battery idles, 2200.
    (100.0, 2200.0, 0.0),
])
def test_battery_wear_cost(tmp_path, wear, want, mwh):
    r = solved(tmp_path, "wear", *with_battery(throughput_cost_usd_per_mwh=wear))
    assert r.summary["objective_usd"] == approx(want)
    assert delivered(r) == approx(mwh)
    assert r.summary["cost_breakdown_usd"]["battery_wear"] == approx(wear * mwh)


@pytest.mark.parametrize("cycles, want", [
    # One cycle a day: at most 10 MWh delivered on the (one) local day: 2200 - 90 x 10 = 1300.
    (1.0, 1300.0),
    # Half a cycle: 5 MWh: 2200 - 450 = 1750.
    (0.5, 1750.0),
])
def test_battery_cycles_per_day(tmp_path, cycles, want):
    r = solved(tmp_path, "cycles", *with_battery(max_cycles_per_day=cycles))
    assert r.summary["objective_usd"] == approx(want)
    assert delivered(r) == approx(10.0 * cycles)


def test_battery_cycles_count_each_local_day(tmp_path):
    # 48 hourly steps (two UTC days), prices 10 at even hours and 100 at odd ones, one cycle a day: each day
    # delivers 10 MWh, 20 in all, saving 90 x 20 = 1800 against 10 x 24 x 110 = 26,400: 24,600.
    prices = [10.0 if h % 2 == 0 else 100.0 for h in range(48)]
    inst, series = base(48, prices, it_load_mw=10.0)
    inst["battery"] = {"energy_mwh": 10.0, "power_mw": 10.0, "round_trip_efficiency": 1.0, "max_cycles_per_day": 1.0}
    r = solved(tmp_path, "days", inst, series)
    dis = r.steps["battery.discharge_mw"].to_numpy()
    assert dis[:24].sum() == approx(10.0) and dis[24:].sum() == approx(10.0)
    assert r.summary["objective_usd"] == approx(24_600.0)


@pytest.mark.parametrize("strict, codes", [
    ({"max_cycles_per_day": 1.0}, {"battery.cycles_per_day"}),
    ({"throughput_cost_usd_per_mwh": 50.0}, {"cost.battery_wear", "cost.objective", "cost.solver_objective"}),
])
def test_the_checker_flags_a_battery_that_breaks_the_setting(tmp_path, strict, codes):
    solved(tmp_path, "free", *with_battery())      # delivers 15 MWh, no wear cost
    path = write_instance(tmp_path / "strict", *with_battery(**strict))
    assert names(check_result(path, tmp_path / "free" / "out")) == codes


# -- bad input -------------------------------------------------------------------------------------------
JOB = "training_jobs[0] (J1)"


def problems(small, extra: str, where: str = 'deadline = "2025-07-15T18:00:00"'):
    small.replace(where, where + "\n" + extra)
    with pytest.raises(InstanceError) as info:
        load_instance(small.toml)
    return info.value.problems


@pytest.mark.parametrize("extra, field, words", [
    ("initially_running = \"yes\"", f"{JOB}.initially_running", ["bool"]),
    ("initial_hours_in_state = -1.0", f"{JOB}.initial_hours_in_state", ["greater than or equal to 0"]),
    ("min_run_hours = -2.0", f"{JOB}.min_run_hours", ["greater than or equal to 0"]),
    ("min_run_hours = 500.0", f"{JOB}.min_run_hours", ["less than or equal to 168"]),
    ("min_pause_hours = -1.0", f"{JOB}.min_pause_hours", ["greater than or equal to 0"]),
    ("restart_cost_usd = -5.0", f"{JOB}.restart_cost_usd", ["greater than or equal to 0"]),
    ("restart_cost_usd = \"100\"", f"{JOB}.restart_cost_usd", ["number"]),
])
def test_bad_job_fields_are_named(small, extra, field, words):
    found = problems(small, extra)
    hits = [p for p in found if p.field == field]
    assert len(hits) == 1 and len(found) == 1, found
    for w in words:
        assert w in hits[0].message, hits[0].message


@pytest.mark.parametrize("extra, words", [
    ('initially_running = true\nrelease = "2025-07-15T12:00:00"', ["initially_running", "release"]),
    ("can_pause = false\ninitial_hours_in_state = 2.0", ["initial_hours_in_state", "cannot pause"]),
])
def test_contradictory_initial_state_is_refused(small, extra, words):
    found = problems(small, extra)
    assert len(found) == 1 and found[0].field.startswith(JOB), found
    for w in words:
        assert w in found[0].message, found[0].message


@pytest.mark.parametrize("extra, field, words", [
    ("throughput_cost_usd_per_mwh = -1.0", "battery.throughput_cost_usd_per_mwh", ["greater than or equal to 0"]),
    ("max_cycles_per_day = 0.0", "battery.max_cycles_per_day", ["greater than 0"]),
    ("max_cycles_per_day = \"2\"", "battery.max_cycles_per_day", ["number"]),
])
def test_bad_battery_fields_are_named(small, extra, field, words):
    small.append(f"[battery]\nenergy_mwh = 8.0\npower_mw = 3.0\n{extra}")
    with pytest.raises(InstanceError) as info:
        load_instance(small.toml)
    found = info.value.problems
    hits = [p for p in found if p.field == field]
    assert len(hits) == 1 and len(found) == 1, found
    for w in words:
        assert w in hits[0].message, hits[0].message
