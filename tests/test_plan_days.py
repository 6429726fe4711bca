"""event_days.csv and work_flags of `energyopt plan` (energyopt/results/plan_days.py): each scenario's worst event
day step by step, checked against the instance's own notices (not the model), the worst day chosen by the
documented rule with hand-derived shortfalls, and the likely cause of unfinished training work.

The site is tests/test_plan.py's over a twelfth of a year (730 h from 2025-06-20, UTC, hourly): 10 MW of fixed
IT load and an inference service of 10 MW that may shed half (at $1,000/MWh), interconnection 100 MW, price
$50/MWh. Genset type D costs $1e9 here, so the plan buys none and every notice is met by shedding.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from energyopt.ops.planning import run_plan
from energyopt.results.plan import write_plan as write_plan_dir
from energyopt.results.plan_days import COLUMNS, RULE

try:
    from .test_plan import twelfth, write_plan
except ImportError:
    from test_plan import twelfth, write_plan

JOB = """
[[training_jobs]]
id = "train"
power_mw = 5.0
work_mwh = 4.0
min_power_fraction = 0.6
release = "2025-07-01T14:00:00+00:00"
deadline = "2025-07-01T18:00:00+00:00"
"""


def notices(path, rows):
    """Notices (id, day of July 2025, start hour, hours, cap MW), each issued a day ahead."""
    lines = ["id,issued,start,end,cap_mw,reduction_fraction,baseline_mw"]
    for nid, day, h, n, cap in rows:
        s = pd.Timestamp(f"2025-07-{day:02d}T{h:02d}:00:00+00:00")
        lines.append(f"{nid},{(s - pd.Timedelta(days=1)).isoformat()},{s.isoformat()},"
                     f"{(s + pd.Timedelta(hours=n)).isoformat()},{cap},,")
    path.write_text("\n".join(lines) + "\n")


def days_plan(folder, extra_site: str = JOB):
    p = write_plan(folder, scenarios=[(1, 15.0, 4), (1, 15.0, 4)], inference=True, it=10.0, capex=1e9)
    twelfth(folder)
    # scenario a: one notice on July 1 (15 MW, 14:00-18:00); scenario b: 17.5 MW on July 3 for 4 h and
    # 16 MW on July 5 for 2 h (from 10:30: half steps at the ends)
    notices(folder / "s0.csv", [("A1", 1, 14, 4, 15.0)])
    lines = ["id,issued,start,end,cap_mw,reduction_fraction,baseline_mw",
             "B1,2025-07-02T00:00:00+00:00,2025-07-03T14:00:00+00:00,2025-07-03T18:00:00+00:00,17.5,,",
             "B2,2025-07-04T00:00:00+00:00,2025-07-05T10:30:00+00:00,2025-07-05T12:30:00+00:00,16.0,,"]
    (folder / "s1.csv").write_text("\n".join(lines) + "\n")
    (folder / "site.toml").write_text((folder / "site.toml").read_text() + extra_site)
    return p


def cap_from_notices(folder, scenario_file, stamps) -> np.ndarray:
    """The import cap in force at each hourly step, from the notice file alone: the interconnection (100 MW),
    or per step the time-weighted mean of min(100, caps in force)."""
    n = pd.read_csv(folder / scenario_file)
    windows = list(zip(pd.to_datetime(n["start"], utc=True), pd.to_datetime(n["end"], utc=True), n["cap_mw"]))
    out = []
    for t in pd.to_datetime(stamps, utc=True):
        minutes = [t + pd.Timedelta(minutes=k) for k in range(60)]
        out.append(np.mean([min([100.0, *(c for s, e, c in windows if s <= m < e)]) for m in minutes]))
    return np.array(out)


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    folder = tmp_path_factory.mktemp("days")
    run = run_plan(days_plan(folder / "p"))
    out = write_plan_dir(folder / "out", run.summary, run.count_table)
    return folder, run, out


def test_event_days_csv_has_its_columns_and_never_imports_above_the_cap_in_force(planned):
    folder, run, out = planned
    days = pd.read_csv(out / "event_days.csv", dtype={"notices": str}).fillna({"notices": ""})
    assert list(days.columns) == list(COLUMNS) + ["fleet.D.output_mw"]
    assert set(days["scenario"]) == {"s0", "s1"}
    for s, f in (("s0", "s0.csv"), ("s1", "s1.csv")):
        d = days[days["scenario"] == s]
        assert len(d) == 24   # one whole local day (UTC) of hourly steps
        cap = cap_from_notices(folder / "p", f, d["timestamp"])
        assert d["import_cap_mw"].to_numpy() == pytest.approx(cap, abs=1e-9)
        assert (d["grid_import_mw"].to_numpy() <= cap + 1e-6).all()
        # the sources meet the facility load in every step (no battery, solar or gensets here)
        assert (d["grid_import_mw"] + d["fleet.D.output_mw"] + d["site_gensets_mw"] + d["solar_mw"]
                + d["battery_discharge_mw"] - d["battery_charge_mw"]).to_numpy() == pytest.approx(
            d["facility_load_mw"].to_numpy(), abs=1e-6)
    # The steps.csv rows go to the CSV, not plan.json: plan.json keeps the figures of each day.
    plan = json.loads((out / "plan.json").read_text())
    assert plan["event_days"]["rule"] == RULE and plan["event_days"]["file"] == "event_days.csv"
    assert all("steps" not in v for v in plan["event_days"]["scenarios"].values())


def test_the_worst_day_is_the_one_with_the_largest_notice_shortfall(planned):
    # Scenario s1: July 3 caps 17.5 MW for 4 h under a 20 MW load (10 IT + 10 inference): the load the site
    # draws or sheds above the cap is 2.5 MW x 4 h = 10 MWh. July 5 caps 16 MW from 10:30 to 12:30: the
    # steps 10:00 and 12:00 are half covered (cap 18 MW on average), 11:00 whole (16): 2 x 0.5 x 4 + 4 = 8
    # MWh. So July 3 is the worst. Scenario s0: July 1, 5 MW x 4 h = 20 MWh.
    _, run, _ = planned
    ev = run.summary["event_days"]["scenarios"]
    assert ev["s1"]["day"] == "2025-07-03" and ev["s1"]["notices"] == ["B1"]
    assert ev["s1"]["notice_shortfall_mwh"] == pytest.approx(10.0, abs=1e-6)
    assert ev["s0"]["day"] == "2025-07-01" and ev["s0"]["notice_shortfall_mwh"] == pytest.approx(20.0, abs=1e-6)


def test_a_job_the_notice_starves_is_flagged_with_that_notice_as_its_cause(planned):
    # s0: under the 15 MW cap, 10 MW of fixed IT and half the inference (5 MW) take it all: nothing is left
    # for the job, whose floor is 0.6 x 5 = 3 MW, and its window is the notice's: its 4 MWh stay undone,
    # 4 x 12 = 48 MWh a year (730 h stand for a year). s1 has no notice on July 1: its job runs, unflagged.
    _, run, _ = planned
    flags = {f["scenario"]: f for f in run.summary["work_flags"]}
    assert set(flags) == {"s0"}
    f = flags["s0"]
    assert f["job"] == "train" and f["unfinished_mwh_per_year"] == pytest.approx(48.0, rel=1e-6)
    assert "notice A1 on 2025-07-01 14:00-18:00 cut the import to 15 MW" in f["cause"]
    assert "below the job's floor of 3 MW" in f["cause"]


@pytest.mark.slow   # the battery makes the plan a 15-30 s solve here; the fast tests above read the same rows
def test_with_gensets_and_a_battery_bought_the_sources_still_meet_the_load_under_the_cap(tmp_path):
    # Cheap gensets ($100,000 a unit) and a cheap battery: the plan buys some, so the day's rows carry fleet
    # output and battery flows. In every step the sources less battery charging are the facility load, and
    # the import stays under the cap computed from the notice files alone.
    p = days_plan(tmp_path / "p")
    p.write_text(p.read_text().replace("capex_usd = 1000000000.0", "capex_usd = 100000")
                 + "\n[battery]\ncapex_usd_per_mwh = 1000\nmax_mwh = 20\nmax_mw = 5\n")
    run = run_plan(p)
    out = write_plan_dir(tmp_path / "out", run.summary, run.count_table)
    days = pd.read_csv(out / "event_days.csv", dtype={"notices": str}).fillna({"notices": ""})
    assert (days["fleet.D.output_mw"] > 1e-6).any() or (days["battery_discharge_mw"] > 1e-6).any()
    supply = (days["grid_import_mw"] + days["fleet.D.output_mw"] + days["site_gensets_mw"] + days["solar_mw"]
              + days["battery_discharge_mw"] - days["battery_charge_mw"])
    assert supply.to_numpy() == pytest.approx(days["facility_load_mw"].to_numpy(), abs=1e-6)
    for s, f in (("s0", "s0.csv"), ("s1", "s1.csv")):
        d = days[days["scenario"] == s]
        assert (d["grid_import_mw"].to_numpy() <= cap_from_notices(tmp_path / "p", f, d["timestamp"]) + 1e-6).all()
