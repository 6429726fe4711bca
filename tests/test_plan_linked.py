"""Representative days linked across the year (issue 14 part 3, ``model/linking.py``): training work moving
from an event day to the next day, and storage levels carried from one day to another, which periods that
each start afresh get wrong. Every expected optimum is derived by hand below and, where linking is exact,
also equals the plan over every hour (all at MIP gap 0).

The site: 10 UTC days (240 hourly steps) from 2025-01-01, a fixed 20 MW IT load, $50/MWh except on
January 3, the event day, at ``jan3`` $/MWh. Per year the horizon's costs are scaled by 8,760 / 240 = 36.5.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from energyopt.inputs import load_instance
from energyopt.inputs.periods import chronology, day_values, select_periods
from energyopt.ops.planning import run_plan

try:
    from .test_plan import approx
except ImportError:
    from test_plan import approx

YEAR = 8760 / 240

SITE = """[horizon]
start = "2025-01-01T00:00:00+00:00"
hours = 240
step_minutes = 60
[site]
interconnection_mw = 100.0
it_load_mw = 20.0
[grid]
price_usd_per_mwh = { file = "p.csv", column = "price" }
"""

JOB = """[[training_jobs]]
id = "J"
power_mw = 5.0
work_mwh = 60.0
release = "2025-01-03T00:00:00+00:00"
deadline = "2025-01-05T00:00:00+00:00"
min_power_fraction = 0.5
throughput_curve = [[0.5, 0.5], [1.0, 1.0]]
"""

BATTERY = """[battery]
energy_mwh = 40.0
power_mw = 10.0
round_trip_efficiency = 1.0
initial_fraction = 0.5
"""

COOLING = """[cooling]
outdoor_temp_c = 25.0
rated_capacity_mw_th = 200.0
cop_curve = [[0.0, 5.0], [50.0, 5.0]]
capacity_derate_curve = [[0.0, 1.0], [50.0, 1.0]]
"""

TANK = """[thermal_storage]
capex_usd_per_mwh_th = 1000.0
life_years = 10
max_mwh_th = 200.0
initial_fraction = 0.0
"""


def plan(folder, *, jan3: float = 50.0, notice: tuple[str, float] | None = None, extra: str = "",
         typical: int | None = None, link: bool = True, plan_extra: str = ""):
    """The site with ``extra`` appended; ``notice``: (start hour on January 3 to midnight, cap MW)."""
    folder.mkdir(parents=True, exist_ok=True)
    idx = pd.date_range("2025-01-01", periods=240, freq="h", tz="UTC")
    pd.DataFrame({"timestamp": [t.isoformat() for t in idx],
                  "price": [jan3 if t.day == 3 else 50.0 for t in idx]}).to_csv(folder / "p.csv", index=False)
    (folder / "site.toml").write_text(SITE + extra)
    text = 'name = "linked"\nsite = "site.toml"\nmip_gap = 0.0\ncount_table = false\ndiscount_rate = 0.0\n'
    if notice is not None:
        hour, cap = notice
        (folder / "n.csv").write_text("id,issued,start,end,cap_mw,reduction_fraction,baseline_mw\n"
                                      f"E,2025-01-01T00:00:00+00:00,2025-01-03T{hour:02d}:00:00+00:00,"
                                      f"2025-01-04T00:00:00+00:00,{cap},,\n")
        text += 'scenario_files = ["n.csv"]\n'
    text += plan_extra
    if typical is not None:
        text += (f"[representative_periods]\ntypical_days = {typical}\nextreme_days = false\n"
                 f"link_days = {'true' if link else 'false'}\n")
    (folder / "plan.toml").write_text(text)
    return run_plan(folder / "plan.toml").summary


def test_work_moves_from_an_event_day_to_the_next_day(tmp_path):
    # J must do 60 MWh (5 MW, work = energy) between January 3 and 5. On January 3 a notice caps import at
    # the 20 MW of fixed IT all day, so J can only run on January 4. Over every hour: it runs 12 h there,
    # 60 MWh x $50 = $3,000 over the fixed 20 MW x 240 h x $50 = $240,000: $243,000 a horizon.
    # Periods: January 3 (event, weight 1) and one typical day for the 9 alike days (weight 9). Linked, J's
    # part on the typical day stands for its one member day in the window (5 MW x 1/9, up to 120 MWh in
    # all): the work moves there, the same $243,000. With fixed shares (before issue 14) January 3 must
    # carry its 30 MWh share: it cannot, 30 MWh is left at the $10,000/MWh default penalty: $541,500.
    full = plan(tmp_path / "f", notice=(0, 20.0), extra=JOB)
    linked = plan(tmp_path / "l", notice=(0, 20.0), extra=JOB, typical=1)
    fixed = plan(tmp_path / "u", notice=(0, 20.0), extra=JOB, typical=1, link=False)
    assert sorted((p["kind"], p["weight"]) for p in linked["periods"]["n"]) == [("event", 1.0), ("typical", 9.0)]
    assert full["annual_cost_usd"]["total"] == approx(YEAR * 243_000)
    assert linked["annual_cost_usd"]["total"] == approx(YEAR * 243_000)
    (row,) = linked["scenarios"]
    assert row["unfinished_mwh"] == pytest.approx(0.0, abs=1e-6) and row["jobs_late"] == 0
    assert fixed["annual_cost_usd"]["total"] == approx(YEAR * 541_500)
    (row,) = fixed["scenarios"]
    assert row["unfinished_mwh"] == approx(YEAR * 30.0) and row["jobs_late"] == 1
    assert row["cost.unfinished_work_usd_per_year"] == approx(YEAR * 300_000)


def test_the_battery_carries_energy_across_days(tmp_path):
    # January 3 costs $200/MWh and a notice caps import at 19 MW from 04:00 (20 h, 1 MW short: 20 MWh from
    # the battery: 40 MWh, 10 MW, lossless, starts at 20 MWh and must end with at least 20). Without the
    # battery: 20 MW x (216 h x $50 + 24 h x $200) = $312,000 a horizon.
    # Over every hour: fill up to 40 MWh on January 1-2, empty it on January 3, refill 20 MWh later: 40 MWh
    # bought at $50 instead of $200, $6,000 less: $306,000. With every day its own period (9 typical days
    # for the 9 alike days, weight 1), the linked days are the year itself: the same.
    # Periods starting afresh at 20 MWh and ending with as much: January 3 must buy back its 20 MWh on
    # January 3 itself (at $200): no gain, $312,000.
    kw = {"jan3": 200.0, "notice": (4, 19.0), "extra": BATTERY}
    full = plan(tmp_path / "f", **kw)
    linked = plan(tmp_path / "l", typical=9, **kw)
    fixed = plan(tmp_path / "u", typical=9, link=False, **kw)
    assert full["annual_cost_usd"]["total"] == approx(YEAR * 306_000)
    assert linked["annual_cost_usd"]["total"] == approx(YEAR * 306_000)
    assert fixed["annual_cost_usd"]["total"] == approx(YEAR * 312_000)


def test_a_typical_day_repeats_its_storage_delta_on_every_day_it_stands_for(tmp_path):
    # As above, with one typical day for the 9 alike days (weight 9): Kotzur's linking gives each of them
    # the same change of level d (2 before January 3, 7 after) and January 3 a discharge D >= 20. Levels:
    # 20 + 2d before January 3 (>= D: it cannot go below 0), 20 + 9d - D >= 20 at the end, so d >= D / 9 and
    # d >= (D - 20) / 2. Cost = $312,000 - 200 D + 50 x 9 d: with d = D / 9 it is -150 D until D / 9 =
    # (D - 20) / 2, D = 180 / 7, and rises after: $312,000 - 150 x 180 / 7 = $308,142.857 (the battery
    # cannot stop charging after January 2, so it does less than the year's $306,000; a period reset each
    # day does nothing at all).
    s = plan(tmp_path, jan3=200.0, notice=(4, 19.0), extra=BATTERY, typical=1)
    assert s["annual_cost_usd"]["total"] == approx(YEAR * (312_000 - 150 * 180 / 7))


def test_a_chilled_water_tank_the_plan_sizes_is_filled_the_day_before(tmp_path):
    # Cooling at COP 5: the 20 MW of IT draws 4 MW, 24 MW in all. January 3 costs $200. A tank ($1,000 per
    # MWh_th over 10 years at 0%: $100/MWh_th-yr, at most 200 MWh_th, empty at the start) filled on January
    # 2 and emptied on January 3 moves 1 / 5 MWh of chiller power per MWh_th from $200 to $50: $30 a
    # horizon, $1,095 a year, above its $100: the largest tank (200 MWh_th; January 3 needs 480). Total =
    # 24 MW x (216 h x $50 + 24 h x $200) x 36.5 - 200 x (1,095 - 100) = $13,665,600 - $199,000.
    # Linked over days that are each their own period, as over every hour; reset each day, no tank helps.
    kw = {"jan3": 200.0, "extra": COOLING, "plan_extra": TANK}
    full = plan(tmp_path / "f", **kw)
    linked = plan(tmp_path / "l", typical=10, **kw)
    fixed = plan(tmp_path / "u", typical=10, link=False, **kw)
    for s in (full, linked):
        assert s["sizes"]["thermal_storage_mwh_th"] == approx(200.0)
        assert s["annual_cost_usd"]["total"] == approx(13_665_600 - 199_000)
    assert fixed["sizes"]["thermal_storage_mwh_th"] == pytest.approx(0.0, abs=1e-6)
    assert fixed["annual_cost_usd"]["total"] == approx(13_665_600)


@pytest.mark.parametrize("method", ["hierarchical", "kmeans"])
def test_the_days_of_every_period_tile_the_horizon_and_are_chosen_alike_each_time(tmp_path, method):
    # Any selection: its members, in time order, are the horizon's days, each once (the chronology the
    # linking runs along), their hours add up to the horizon's, and the same seed gives the same periods.
    plan(tmp_path, notice=(4, 19.0))   # writes the site and its files
    notices = [{"id": "E", "issued": "2025-01-01T00:00:00+00:00", "start": "2025-01-03T04:00:00+00:00",
                "end": "2025-01-04T00:00:00+00:00", "cap_mw": 19.0}]

    def patch(raw):
        raw["notices"] = notices

    idx = pd.date_range("2025-01-01", periods=240, freq="h", tz="UTC")
    price = 50 + 30 * np.sin(np.arange(240) * 2 * np.pi / 24 + np.repeat(np.arange(10) % 3, 24))
    pd.DataFrame({"timestamp": [t.isoformat() for t in idx], "price": price}).to_csv(tmp_path / "p.csv", index=False)
    inst = load_instance(tmp_path / "site.toml", patch=patch)
    periods = select_periods(inst, 3, True, seed=4, method=method)
    seq = chronology(periods)
    assert [f for f, _, _ in seq] == list(range(0, 240, 24)) and sum(n for _, n, _ in seq) == 240
    assert sum(p.weight * p.n_steps for p in periods) == pytest.approx(240)
    assert [p.kind for p in periods].count("event") == 1 and [p.kind for p in periods].count("typical") == 3
    assert select_periods(inst, 3, True, seed=4, method=method) == periods


def test_a_typical_days_series_keep_the_sum_of_the_days_it_stands_for(tmp_path):
    # Ten days priced $40 and $60 in turn (flat within each day): one typical day stands for all ten. Its
    # medoid is a $40 or a $60 day; shifted to keep the ten days' total, it is priced $50 in every hour, so
    # the fixed 20 MW costs 20 x 240 h x $50 = $240,000 a horizon, as over every hour (unshifted, $192,000 or
    # $288,000).
    folder = tmp_path / "p"
    plan(folder, typical=1)
    idx = pd.date_range("2025-01-01", periods=240, freq="h", tz="UTC")
    pd.DataFrame({"timestamp": [t.isoformat() for t in idx],
                  "price": [40.0 if t.day % 2 else 60.0 for t in idx]}).to_csv(folder / "p.csv", index=False)
    s = run_plan(folder / "plan.toml").summary
    assert [(p["kind"], p["weight"]) for p in s["periods"]["no-events"]] == [("typical", 10.0)]
    assert s["annual_cost_usd"]["total"] == approx(YEAR * 240_000)
    # The shift is clipped to the series' range: an availability of 0 or 1 stays within [0, 1].
    p = select_periods(load_instance(folder / "site.toml"), 1, False)[0]
    v = np.where(np.arange(240) < 24, 1.0, 0.0)   # 1 on the first day only (the mean is 0.1)
    got = day_values(v, p)
    assert got.min() >= 0.0 and got.max() <= 1.0
    assert p.weight * day_values(np.arange(240.0), p).sum() == pytest.approx(np.arange(240.0).sum())


def test_work_the_linked_days_leave_undone_is_flagged_once_for_the_job(tmp_path):
    # J's window runs to January 5 12:00 and it needs 200 MWh at 5 MW. January 3 is capped at the 20 MW of fixed
    # IT (J cannot run), so at most 24 h x 5 = 120 MWh on January 4 and 12 h x 5 = 60 MWh on January 5: 20 MWh
    # are left at the $10,000/MWh penalty, over every hour and linked alike. On the one typical day J has two
    # parts (a whole day and a morning: ids J@...); the flag is the job's, once, over the linked days of its
    # window, naming the notice, and the parts' own slack below their upper bounds raises none.
    job = JOB.replace("work_mwh = 60.0", "work_mwh = 200.0").replace(
        'deadline = "2025-01-05T00:00:00+00:00"', 'deadline = "2025-01-05T12:00:00+00:00"')
    full = plan(tmp_path / "f", notice=(0, 20.0), extra=job)
    linked = plan(tmp_path / "l", notice=(0, 20.0), extra=job, typical=1)
    for s in (full, linked):
        (row,) = s["scenarios"]
        assert row["unfinished_mwh"] == approx(YEAR * 20.0) and row["jobs_late"] == 1
    (flag,) = linked["work_flags"]
    assert flag["job"] == "J" and flag["period_kind"] == "linked"
    assert flag["unfinished_mwh_per_year"] == approx(YEAR * 20.0)
    assert "notice E" in flag["cause"]
    assert linked["annual_cost_usd"]["total"] == approx(full["annual_cost_usd"]["total"])
