"""`energyopt plan` over representative periods: which days are modeled, how their weights add up, and
hand-derived plans whose cost must equal the full year's (the sites below repeat the same day, so the
periods are exact there) — including the links across periods that a per-period model would get wrong:
annual permits of the site's own units and a demand charge paid once.

The common site, genset type D and the cost figures (GRID, FUEL, CAPEX) are those of tests/test_plan.py.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from energyopt.inputs import load_instance
from energyopt.inputs.periods import cluster_days, select_periods, slice_instance
from energyopt.ops.planning import run_plan

try:
    from .test_cli import assert_exit
    from .test_plan import CAPEX, FUEL, GRID, approx, write_plan
except ImportError:
    from test_cli import assert_exit
    from test_plan import CAPEX, FUEL, GRID, approx, write_plan

PERIODS = "[representative_periods]\ntypical_days = {k}\nextreme_days = {x}\n"


def month_site(tmp_path, notices: list[tuple[str, str]], jobs: str = ""):
    """31 days of March 2025 in Chicago (the 9th has 23 hours), a daily price shape, a spike on the 25th."""
    idx = pd.date_range("2025-03-01", periods=31 * 24 - 1, freq="h", tz="America/Chicago")
    price = 30 + 20 * np.sin(np.arange(len(idx)) / 24 * 2 * np.pi) + (np.arange(len(idx)) % 168 < 24) * 5
    price[(idx.day == 25) & (idx.hour == 18)] = 900.0
    pd.DataFrame({"timestamp": [t.isoformat() for t in idx], "price": price}).to_csv(tmp_path / "s.csv", index=False)
    lines = ['[horizon]\nstart = "2025-03-01T00:00:00"\ntimezone = "America/Chicago"\ndays = 31\n',
             '[site]\ninterconnection_mw = 100.0\nit_load_mw = 20.0\n',
             '[grid]\nprice_usd_per_mwh = { file = "s.csv", column = "price" }\n']
    for i, (a, b) in enumerate(notices):
        lines.append(f'[[notices]]\nid = "N{i}"\nissued = "2025-02-28T00:00:00"\nstart = "{a}"\nend = "{b}"\n'
                     'cap_mw = 15.0\n')
    (tmp_path / "site.toml").write_text("\n".join(lines) + jobs)
    return load_instance(tmp_path / "site.toml")


def test_every_notice_day_is_modeled_whole_and_weights_add_up_to_the_days(tmp_path):
    inst = month_site(tmp_path, [("2025-03-03T14:00:00", "2025-03-03T18:00:00"),
                                 ("2025-03-10T22:00:00", "2025-03-11T02:00:00"),     # across midnight
                                 ("2025-03-20T09:00:00", "2025-03-20T10:00:00")])
    periods = select_periods(inst, typical_days=4, extreme_days=True, seed=0)
    days = dict(inst.time.local_days)
    events = [p for p in periods if p.kind == "event"]
    # The three notices touch March 3, 10-11 (one period) and 20.
    assert [p.label for p in events] == ["2025-03-03", "2025-03-10..2025-03-11", "2025-03-20"]
    for n in inst.notices:   # each notice lies wholly inside one period
        steps = inst.time.steps_overlapping(n.start, n.end)
        assert any(p.first_step <= steps[0] and steps[-1] < p.first_step + p.n_steps for p in events)
    # The highest price (the spike) and the highest load (all equal: the first free day) are their own days.
    extreme = [p.label for p in periods if p.kind == "extreme"]
    assert extreme == ["2025-03-01", "2025-03-25"]
    typical = [p for p in periods if p.kind == "typical"]
    assert len(typical) == 4 and all(p.n_steps == len(days[p.label]) for p in typical)
    # 31 days: 4 event days and 2 extreme days of weight 1, 25 days in the clusters; weight x hours adds up to
    # the month's 743 hours (a typical day weighs its members' hours over its own, so the 23-hour day counts).
    assert sum(len(p.members) for p in typical) == 25
    assert sum(p.weight * p.n_steps for p in periods) == pytest.approx(743)
    assert not {p.label for p in typical} & {"2025-03-03", "2025-03-10", "2025-03-11", "2025-03-20",
                                             "2025-03-01", "2025-03-25"}
    assert select_periods(inst, 4, True, 0) == periods   # deterministic for a seed
    # March 9 has 23 hours: if chosen, it is modeled with 23 steps; the periods never overlap.
    spans = sorted((p.first_step, p.first_step + p.n_steps) for p in periods)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


@pytest.mark.parametrize("method", ["hierarchical", "kmeans"])
def test_tsam_finds_separated_groups_their_medoids_and_stops_at_one_day_per_cluster(method):
    # Six days of one flat hourly value each: three near 0, two near 10, one at 20 (and a second, flat profile
    # that tells nothing): three clusters; each medoid is the member nearest its cluster's mean (0.1, 10.0 or
    # 10.1 (a tie: the mean 10.05 is as near both), 20).
    level = np.array([0.0, 0.1, 0.2, 10.0, 10.1, 20.0])
    profiles = {"price": np.repeat(level[:, None], 24, axis=1), "load": np.ones((6, 24))}
    labels, medoids = cluster_days(profiles, 3, method, seed=0)
    assert list(labels) == [0, 0, 0, 1, 1, 2]   # numbered by first member
    assert medoids[0] == 1 and medoids[1] in (3, 4) and medoids[2] == 5
    assert all(labels[m] == c for c, m in enumerate(medoids))
    labels, medoids = cluster_days(profiles, 10, method)
    assert list(labels) == list(range(6)) and medoids == list(range(6))


def test_unlinked_a_job_spanning_days_is_cut_into_fixed_shares_of_its_work(tmp_path):
    # J: released 2025-03-02 12:00, deadline 2025-03-04 12:00 (48 h, 96 MWh): March 2 holds 12 of its 48 steps
    # (24 MWh), March 3 24 (48 MWh), March 4 12 (24 MWh). K: 2 MWh between 01:00 and 05:00 on March 3.
    jobs = ('[[training_jobs]]\nid = "J"\npower_mw = 5.0\nwork_mwh = 96.0\nrelease = "2025-03-02T12:00:00"\n'
            'deadline = "2025-03-04T12:00:00"\ncan_pause = false\n'
            '[[training_jobs]]\nid = "K"\npower_mw = 1.0\nwork_mwh = 2.0\nrelease = "2025-03-03T01:00:00"\n'
            'deadline = "2025-03-03T05:00:00"\ncan_pause = false\n')
    inst = month_site(tmp_path, [], jobs)
    from energyopt.inputs.periods import Period
    days = dict(inst.time.local_days)
    span = {d: (days[d][0], len(days[d])) for d in days}
    shares = {}
    for day in ("2025-03-01", "2025-03-02", "2025-03-03", "2025-03-04"):
        sub = slice_instance(inst, Period(day, *span[day], 1.0, "event", (span[day],)), linked=False)
        assert sub.time.n_steps == 24 and sub.time.start == inst.time.index[span[day][0]]
        assert list(sub.grid.price_usd_per_mwh.values) == list(inst.grid.price_usd_per_mwh.values[days[day]])
        shares[day] = {j.id: (j.work_mwh, j.can_pause, j.release.hour, j.deadline - j.release)
                       for j in sub.training_jobs}
    h = pd.Timedelta(hours=1)
    assert shares["2025-03-01"] == {}
    assert shares["2025-03-02"] == {"J": (pytest.approx(24.0), True, 12, 12 * h)}
    assert shares["2025-03-04"] == {"J": (pytest.approx(24.0), True, 0, 12 * h)}
    # K lies wholly in March 3: kept as it is (one stretch).
    assert shares["2025-03-03"] == {"J": (pytest.approx(48.0), True, 0, 24 * h), "K": (2.0, False, 1, 4 * h)}
    # March 1 as a typical day standing for March 1-4 (weight 4): each job's work on those days over 4, in a
    # window covering the clock hours it had on them: J (24 + 48 + 24) / 4 = 24 MWh all day, K 2 / 4 at 01-05.
    typical = Period("2025-03-01", *span["2025-03-01"], 4.0, "typical", tuple(span[d] for d in sorted(span)[:4]))
    sub = slice_instance(inst, typical, linked=False)
    got = {j.id: (j.work_mwh, j.release.hour, j.deadline - j.release) for j in sub.training_jobs}
    assert got == {"J": (pytest.approx(24.0), 0, 24 * h), "K": (pytest.approx(0.5), 1, 4 * h)}


ALIKE = """name = "alike"
[horizon]
start = "{start}"
hours = {hours}
step_minutes = 60
[site]
interconnection_mw = 100.0
it_load_mw = 20.0
[grid]
price_usd_per_mwh = {{ file = "p.csv", column = "price" }}
"""


def alike_days_plan(folder, start: str, hours: int, jobs: str, periods: bool):
    """Days alike (a flat $50/MWh, read from a file), no genset candidates, no notices."""
    folder.mkdir(parents=True, exist_ok=True)
    idx = pd.date_range(pd.Timestamp(start).floor("D"), periods=hours + 48, freq="h", tz="UTC")
    pd.DataFrame({"timestamp": [t.isoformat() for t in idx],
                  "price": 50.0}).to_csv(folder / "p.csv", index=False)
    (folder / "site.toml").write_text(ALIKE.format(start=start, hours=hours) + jobs)
    (folder / "plan.toml").write_text('name = "t"\nsite = "site.toml"\nmip_gap = 0.0\ncount_table = false\n'
                                      + (PERIODS.format(k=1, x="false") if periods else ""))
    return folder / "plan.toml"


@pytest.mark.parametrize("day", ["01", "06"])
def test_a_job_on_any_day_counts_once_over_typical_days(tmp_path, day):
    # 20 alike days, one job of 10 MWh of work between 15:00 and 21:00 on January {day}; one typical day stands
    # for all 20 (weight 20, the job's share 0.5 MWh). Its work must count once whichever day it is on: at the
    # default curve's most efficient point (60% power, 80% speed: 1.333 work per MWh) 10 MWh of work takes
    # 7.5 MWh (2.5 h at 3 MW, inside the 6-h window) = $375 a horizon at $50; the fixed 20 MW x 480 h x $50 =
    # $480,000. Per year: x 8,760 / 480. (Before the fix: x20 on the medoid day, 0 on any other.)
    job = (f'[[training_jobs]]\nid = "J"\npower_mw = 5.0\nwork_mwh = 10.0\nrelease = "2025-01-{day}T15:00:00+00:00"\n'
           f'deadline = "2025-01-{day}T21:00:00+00:00"\n')
    full = run_plan(alike_days_plan(tmp_path / "f", "2025-01-01T00:00:00+00:00", 480, job, False)).summary
    rep = run_plan(alike_days_plan(tmp_path / "r", "2025-01-01T00:00:00+00:00", 480, job, True)).summary
    assert [(p["kind"], p["weight"]) for p in rep["periods"]["no-events"]] == [("typical", 20.0)]
    assert full["annual_cost_usd"]["total"] == approx(8760 / 480 * (480_000 + 375))
    assert rep["annual_cost_usd"]["total"] == approx(8760 / 480 * (480_000 + 375))


def test_a_horizon_off_midnight_keeps_its_partial_days_as_they_are(tmp_path):
    # 240 h from 12:00 UTC: a 12-hour first and last day (modeled as they are, weight 1) and 9 whole days in
    # one typical day; weight x hours = 240, so the flat 20 MW at $50 costs 20 x 240 x 50 = $240,000 a horizon,
    # x 8,760 / 240 = $8,760,000 a year, as over every hour (before the fix: a 12-hour medoid weighed 11 days).
    full = run_plan(alike_days_plan(tmp_path / "f", "2025-01-01T12:00:00+00:00", 240, "", False)).summary
    rep = run_plan(alike_days_plan(tmp_path / "r", "2025-01-01T12:00:00+00:00", 240, "", True)).summary
    periods = rep["periods"]["no-events"]
    assert [(p["kind"], p["hours"]) for p in periods] == [("edge", 12), ("typical", 24), ("edge", 12)]
    assert sum(p["weight"] * p["hours"] for p in periods) == pytest.approx(240)
    assert rep["annual_cost_usd"]["total"] == approx(8_760_000)
    assert full["annual_cost_usd"]["total"] == approx(8_760_000)


def test_periods_give_the_hand_derived_two_units_for_a_5_mw_event(tmp_path):
    # As tests/test_plan.py: one 4-hour notice capping import at 15 MW under a fixed 20 MW load. Every day of
    # the site is alike, so one event day (weight 1) and typical days weighing the other 364 days are exact:
    # cost = grid (8,760,000 - 4 h x 5 MW x $50) + fuel 20 MWh x $210 + 2 x 94,392.93.
    run = run_plan(write_plan(tmp_path, extra=PERIODS.format(k=3, x="true")))
    s = run.summary
    assert s["sizes"]["gensets"] == {"D": 2}
    assert s["annual_cost_usd"]["total"] == approx(GRID - 1_000 + 20 * FUEL + 2 * CAPEX)
    (periods,) = s["periods"].values()
    assert sum(p["weight"] * p["hours"] for p in periods) == 8760
    assert [p["kind"] for p in periods].count("event") == 1
    # Written and reported: the plan.json keeps the periods, the report says what the operations ran over.
    from energyopt.report import write_report
    from energyopt.results.plan import write_plan as write_plan_dir
    out = write_plan_dir(tmp_path / "out", s, run.count_table)
    assert json.loads((out / "plan.json").read_text())["periods"] == s["periods"]
    page = write_report(out).read_text()
    assert f"representative days: {len(periods)} periods per scenario" in page


def test_annual_permits_bind_the_weighted_hours_of_all_periods(tmp_path):
    # 15 notices of 4 h on consecutive days each needing 2.5 MW (60 h): D may run 50 h a year per unit, so two
    # units (as the full year). The 15 event days form one period; the permit counts its 60 h once.
    run = run_plan(write_plan(tmp_path, events=15, cap=17.5, extra=PERIODS.format(k=2, x="false")))
    assert run.summary["sizes"]["gensets"] == {"D": 2}
    assert run.summary["annual_cost_usd"]["total"] == approx(GRID - 7_500 + 150 * FUEL + 2 * CAPEX)
    (row,) = run.summary["scenarios"]
    assert row["D.non_emergency_hours"] == approx(60.0) and row["D.output_mwh"] == approx(150.0)


def test_the_sites_own_unit_keeps_its_hours_left_across_periods(tmp_path):
    # The site has its own 2.5 MW unit G (no min load, no no-load fuel, 70 gal/MWh at $2 = $140/MWh, cheaper
    # than D) with 8 run hours left. Four 4-hour notices (16 h, 2.5 MW each) on every other day: four separate
    # event periods. G runs 8 of the 16 h in all (a per-period limit would let it cover all 16 h and need no
    # D); D covers the other 8 h: one unit. Cost = grid (8,760,000 - 16 h x 2.5 MW x $50) + G's fuel
    # 20 MWh x $140 + D's 20 MWh x $210 + 94,392.93.
    plan = write_plan(tmp_path, events=0, extra=PERIODS.format(k=2, x="false"))
    lines = ["id,issued,start,end,cap_mw,reduction_fraction,baseline_mw"]
    for e in range(4):
        d = f"2025-07-{1 + 2 * e:02d}"
        lines.append(f"E{e},2025-06-30T00:00:00+00:00,{d}T14:00:00+00:00,{d}T18:00:00+00:00,17.5,,")
    (tmp_path / "n.csv").write_text("\n".join(lines) + "\n")
    plan.write_text(plan.read_text().replace("scenario_files = []", 'scenario_files = ["n.csv"]'))
    site = tmp_path / "site.toml"
    site.write_text(site.read_text() + '\n[[generators]]\nid = "G"\ncapacity_mw = 2.5\nmin_load_fraction = 0.0\n'
                    'fuel_noload_gal_per_h_per_mw = 0.0\nfuel_slope_gal_per_mwh = 70.0\nfuel_price_usd_per_gal = 2.0\n'
                    'run_hours_left = 8.0\n')
    run = run_plan(plan)
    s = run.summary
    assert [p["kind"] for p in s["periods"]["n"]].count("event") == 4
    assert s["sizes"]["gensets"] == {"D": 1}
    assert s["annual_cost_usd"]["total"] == approx(GRID - 2_000 + 20 * 140.0 + 20 * FUEL + CAPEX)
    (row,) = s["scenarios"]
    assert row["site.G.hours"] == approx(8.0)


def test_a_demand_charge_is_paid_once_over_all_periods(tmp_path):
    # No notices, $10/kW on the peak of a flat 20 MW import: $200,000 once (not once per modeled day).
    plan = write_plan(tmp_path, events=0, extra=PERIODS.format(k=3, x="true"))
    site = tmp_path / "site.toml"
    site.write_text(site.read_text().replace("price_usd_per_mwh = 50.0",
                                             "price_usd_per_mwh = 50.0\ndemand_charge_usd_per_kw = 10.0"))
    run = run_plan(plan)
    s = run.summary
    assert s["sizes"]["gensets"] == {"D": 0}
    assert s["annual_cost_usd"]["total"] == approx(GRID + 200_000)
    (row,) = s["scenarios"]
    assert row["cost.demand_charge_usd_per_year"] == approx(200_000)


def test_full_year_and_periods_agree_on_a_month_of_alike_days_with_inference(tmp_path):
    # Independent check: with every event-free day alike and nothing linking days, the plan over periods
    # must cost what the plan over every step costs (both at gap 0). Inference may be shed at $1000/MWh.
    full = run_plan(write_plan(tmp_path / "full", events=6, cap=16.0, it=10.0, inference=True))
    rep = run_plan(write_plan(tmp_path / "rep", events=6, cap=16.0, it=10.0, inference=True,
                              extra=PERIODS.format(k=1, x="true")))
    assert rep.summary["sizes"] == full.summary["sizes"]
    assert rep.summary["annual_cost_usd"]["total"] == approx(full.summary["annual_cost_usd"]["total"])
    (a,), (b,) = full.summary["scenarios"], rep.summary["scenarios"]
    assert b["inference_shed_mwh"] == pytest.approx(a["inference_shed_mwh"], rel=1e-6, abs=1e-6)
    assert b["periods"] < 10 and a["periods"] == 1


@pytest.mark.parametrize("bad, field", [("typical_days = 0", "typical_days"), ('typical_days = "3"', "typical_days"),
                                        ("typical_days = 3\nextreme_days = 1", "extreme_days"),
                                        ("typical_days = 3\nweeks = 2", "weeks")])
def test_bad_representative_periods_name_the_field_and_write_nothing(run_cli, tmp_path, bad, field):
    plan = write_plan(tmp_path, extra=f"[representative_periods]\n{bad}\n")
    out = tmp_path / "out"
    proc = run_cli("plan", plan, "--out", out)
    assert_exit(proc, 3)
    assert f"representative_periods.{field}" in proc.stderr and "plan.toml" in proc.stderr
    assert not out.exists()


def test_an_event_free_year_of_alike_days_is_one_typical_day(tmp_path):
    # No scenario: no event day; 365 identical days make one cluster of weight 365, and the cost is the grid's.
    plan = write_plan(tmp_path, events=0, extra=PERIODS.format(k=2, x="false"))
    s = run_plan(plan).summary
    assert [(p["kind"], p["weight"]) for p in s["periods"]["no-events"]] == [("typical", 365.0)]
    assert s["sizes"]["gensets"] == {"D": 0} and s["annual_cost_usd"]["total"] == approx(GRID)
