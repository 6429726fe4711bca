"""`energyopt simulate` on a few synthetic days: the totals are the sums of the daily plans written to disk,
every executed plan passes the independent checker, the ledger holds exactly the hours the plans ran,
a notice issued during the day starts a re-plan, and the permit budget carries from day to day."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import energyopt as eo
from energyopt.check import check_result
from energyopt.ledger import Ledger
from energyopt.ops.simulate import run

TEMPLATE = """\
name = "sim-site"

[horizon]
start = "2025-07-01T00:00:00"
timezone = "America/Chicago"
days = 1
step_minutes = 60

[site]
interconnection_mw = 40.0
it_load_mw = 10.0

[grid]
price_usd_per_mwh = 40.0

[[generators]]
id = "G1"
capacity_mw = 5.0
min_load_fraction = 0.0
fuel_noload_gal_per_h_per_mw = 0.0
fuel_slope_gal_per_mwh = 50.0
fuel_price_usd_per_gal = 2.0
run_hours_left = 100.0
dispatch = "notice_only"

[[training_jobs]]
id = "J1"
power_mw = 10.0
work_mwh = 40.0
min_power_fraction = 1.0
throughput_curve = [[1.0, 1.0]]
unfinished_penalty_usd_per_mwh = 500.0

[[inference]]
id = "chat"
demand_mw = 6.0
min_served_fraction = 0.5
shed_penalty_usd_per_mwh = 2000.0
"""


def write_case(folder, days=3, windows=("calendar_year:all:hours:5",)):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "site.toml").write_text(TEMPLATE)
    idx = pd.date_range("2025-07-01T00:00", periods=24 * (days + 1), freq="h", tz="America/Chicago")
    hour = idx.hour.to_numpy()
    forecast = np.where((hour >= 14) & (hour < 19), 120.0, 30.0) + idx.day.to_numpy()
    actual = forecast * 1.1
    pd.DataFrame({"timestamp": [t.isoformat() for t in idx], "price_forecast": forecast,
                  "price_actual": actual}).to_csv(folder / "season.csv", index=False)
    # Day 1: a notice known the day before (cap 12 MW, 15:00-18:00). Day 2: one issued at 13:40 for
    # 15:00-17:00 (a re-plan). The generator may run 5 h in the calendar year.
    (folder / "notices.csv").write_text(
        "id,issued,start,end,cap_mw,reduction_fraction,baseline_mw\n"
        "A,2025-06-30T09:00:00-05:00,2025-07-01T15:00:00-05:00,2025-07-01T18:00:00-05:00,12,,\n"
        "B,2025-07-02T13:40:00-05:00,2025-07-02T15:00:00-05:00,2025-07-02T17:00:00-05:00,12,,\n")
    (folder / "sim.toml").write_text(
        f'name = "test"\nsite = "site.toml"\nstart_date = 2025-07-01\ndays = {days}\nseries = "season.csv"\n'
        f'notices_file = "notices.csv"\nresponse_minutes = 10\nmip_gap = 0.0\n'
        f'ledger_windows = {json.dumps(list(windows))}\n')
    return folder / "sim.toml"


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    base = tmp_path_factory.mktemp("sim")
    out = base / "out"
    summary = run(write_case(base), out)
    return base, out, summary


def test_totals_are_the_sums_of_the_daily_plans(simulated):
    base, out, s = simulated
    days = pd.read_csv(out / "days.csv")
    assert len(days) == 3
    plan_cost = realized = hours = shed = 0.0
    for _, row in days.iterrows():
        summ = json.loads((out / row["final_plan"] / "summary.json").read_text())
        steps = pd.read_csv(out / row["final_plan"] / "steps.csv")
        plan_cost += summ["objective_usd"]
        hours += sum(v["hours"] for v in summ["generator_run_hours"].values())
        shed += summ["inference_shed_mwh"]
        # Settled at the actual price: the forecast x 1.1 (see write_case), every hour of the day.
        actual = 1.1 * steps["price_usd_per_mwh"].to_numpy()
        realized += summ["objective_usd"] - summ["cost_breakdown_usd"]["energy"] + float(
            (steps["grid_import_mw"] * actual).sum())
    o = s["optimized"]
    assert o["plan_cost_usd"] == pytest.approx(plan_cost, rel=1e-9)
    assert o["realized_cost_usd"] == pytest.approx(realized, rel=1e-9)
    assert o["generator_hours"] == pytest.approx(hours, rel=1e-9)
    assert o["inference_shed_mwh"] == pytest.approx(shed, rel=1e-9, abs=1e-9)


def test_every_executed_plan_passes_the_checker(simulated):
    _, out, _ = simulated
    for _, row in pd.read_csv(out / "days.csv").iterrows():
        plan = out / row["final_plan"]
        summ = json.loads((plan / "summary.json").read_text())
        added = (summ.get("replan") or {}).get("notices_added", [])
        inst = eo.load_instance(plan / summ["instance_file"], patch=lambda raw: raw.setdefault("notices", []).extend(added))
        assert check_result(inst, plan) == [], row["final_plan"]


def test_a_notice_issued_during_the_day_is_replanned_and_met(simulated):
    _, out, s = simulated
    days = pd.read_csv(out / "days.csv")
    assert days["plans"].tolist() == [1, 2, 1]       # day 2 was re-planned at 13:40
    assert (out / "days" / "2025-07-02" / "replan-1" / "diff.txt").is_file()
    assert s["optimized"]["notices"] == 2 and s["optimized"]["notices_missed"] == []


def test_the_ledger_holds_what_the_plans_ran_and_the_budget_carries_over(simulated):
    _, out, s = simulated
    days = pd.read_csv(out / "days.csv")
    with Ledger(out / "ledger.sqlite") as led:
        daily = led.daily()
    assert daily["hours"].sum() == pytest.approx(days["generator_hours"].sum(), rel=1e-9)
    # Day 1 needs the unit 3 h (import 10 + 10 + 6 = 26 MW > 12: even with J1 paused and chat at its
    # minimum, 10 + 3 = 13 > 12 MW), day 2 at most the 2 h left of the 5-hour year.
    assert days["generator_hours"].sum() <= 5.0 + 1e-9
    (w,) = s["permit_windows"]
    assert w["used"] == pytest.approx(days["generator_hours"].sum())


def test_the_naive_policy_is_reported_beside(simulated):
    _, _, s = simulated
    assert s["naive"]["realized_cost_usd"] > 0
    assert s["savings_usd"] == pytest.approx(s["naive"]["realized_cost_usd"] - s["optimized"]["realized_cost_usd"])


def test_an_existing_folder_that_is_not_a_simulation_is_refused(tmp_path):
    cfg = write_case(tmp_path / "case", days=1)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(eo.InstanceError, match="not an energyopt simulation"):
        run(cfg, out)
    assert (out / "notes.txt").read_text() == "keep me"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_docs_simulate_is_generated_from_the_config_schema():
    from pathlib import Path

    from energyopt.ops import simdocs
    committed = (Path(__file__).resolve().parents[1] / "docs" / "simulate.md").read_text(encoding="utf-8")
    assert simdocs.render() == committed, "docs/simulate.md is stale: run python -m energyopt.ops.simdocs --write docs/simulate.md"
