"""Plans bounded by the permit ledger: hand-derived optima where a window's remaining hours bind, the split
into emergency and non-emergency hours, the budget before and after in the summary, and recording a re-plan
that supersedes a recorded plan (hours counted once).

Common case: 24 hourly steps from 2025-01-01 00:00 UTC, price $50/MWh, inference "chat" 10 MW (half of it
may be shed at $1000/MWh), a notice capping import at 6 MW in hours 10-14 (5 h). G1: 5 MW, fuel
$2/gal x 50 gal/MWh = $100/MWh, no minimum load, may run only during notices. Each notice hour the unit
covers the 4 MW gap for $400, or 4 MWh are shed for $4,000.
Without a permit limit: grid 19 h x 10 MW + 5 h x 6 MW = 220 MWh x $50 = 11,000; fuel 5 x 400 = 2,000:
13,000.
"""
from __future__ import annotations

import pytest

import energyopt as eo
from energyopt.ledger import Ledger
from energyopt.ledger.budgets import plan_budgets
from energyopt.ledger.windows import LedgerInputError
from energyopt.ops.replan import replan

try:
    from .helpers import at, base, write_instance
except ImportError:
    from helpers import at, base, write_instance

EXACT = eo.SolveOptions(mip_rel_gap=0)


def approx(x):
    return pytest.approx(x, rel=1e-6, abs=1e-6)


def case(tmp_path):
    inst, series = base(24, 50.0, it_load_mw=0.0)
    inst["notices"] = [{"id": "N1", "issued": at(-20), "start": at(10), "end": at(15), "cap_mw": 6.0}]
    inst["generators"] = [{"id": "G1", "capacity_mw": 5.0, "min_load_fraction": 0.0,
                           "fuel_noload_gal_per_h_per_mw": 0.0, "fuel_slope_gal_per_mwh": 50.0,
                           "fuel_price_usd_per_gal": 2.0, "run_hours_left": 100.0, "dispatch": "notice_only"}]
    inst["inference"] = [{"id": "chat", "demand_mw": 10.0, "min_served_fraction": 0.5,
                          "shed_penalty_usd_per_mwh": 1000.0}]
    return eo.load_instance(write_instance(tmp_path / "inst", inst, series))


@pytest.fixture
def led(tmp_path):
    with Ledger(tmp_path / "ledger.sqlite", create=True, who="tester") as led:
        yield led


def test_three_hours_left_in_the_rolling_window_bind(tmp_path, led):
    # Rolling 12 months, all hours, 100 h: 97 h used on 2024-06-01 (inside the window that ends on
    # 2025-01-01), 50 h on 2023-12-01 (outside it). 3 h left: the unit covers 3 notice hours, 2 are shed.
    # Cost = 11,000 + 3 x 400 + 2 x 4 MWh x $1000 = 11,000 + 1,200 + 8,000 = 20,200.
    led.add_unit("G1", "UTC", ["rolling_12_months:all:hours:100"])
    led.add_entry("G1", "2024-06-01", "testing", 24.0)
    for d in ("2024-06-02", "2024-06-03", "2024-06-04"):
        led.add_entry("G1", d, "testing", 24.0)
    led.add_entry("G1", "2024-06-05", "testing", 1.0)      # 4 x 24 + 1 = 97 h
    led.add_entry("G1", "2023-12-01", "testing", 24.0, allow_over=True)
    inst = case(tmp_path)
    r = eo.solve(inst, EXACT, budgets=plan_budgets(led, inst))
    assert r.summary["generator_run_hours"]["G1"]["hours"] == approx(3.0)
    assert r.summary["inference_shed_mwh"] == approx(8.0)
    assert r.summary["objective_usd"] == approx(20_200.0)
    (b,) = r.summary["permit_budgets"]
    assert (b["remaining_before"], b["plan_uses"], b["remaining_after"]) == (approx(3.0), approx(3.0), approx(0.0))


def test_emergency_hours_do_not_count_against_a_non_emergency_window(tmp_path, led):
    # Only a non-emergency window, with nothing left: notice hours count as emergency, so the unit still
    # covers all 5 notice hours: 13,000.
    led.add_unit("G1", "UTC", ["calendar_year:non_emergency:hours:50"])
    led.add_entry("G1", "2025-01-01", "non_emergency", 0.0)
    inst = case(tmp_path)
    r = eo.solve(inst, EXACT, budgets=plan_budgets(led, inst, notice_category="emergency"))
    assert r.summary["objective_usd"] == approx(13_000.0)
    # Counted as non-emergency (a permit that treats demand response so), the same window now leaves 50 h:
    # still 13,000; with 2 h left it allows 2 h: 11,000 + 2 x 400 + 3 x 4,000 = 23,800.
    led2 = Ledger(tmp_path / "l2.sqlite", create=True)
    led2.add_unit("G1", "UTC", ["calendar_year:non_emergency:hours:2"])
    r2 = eo.solve(inst, EXACT, budgets=plan_budgets(led2, inst, notice_category="non_emergency"))
    assert r2.summary["objective_usd"] == approx(23_800.0)


def test_a_daily_window_counts_what_the_day_already_used(tmp_path, led):
    # day:all:hours:4 with 2 h recorded on 2025-01-01 already: 2 h left that day -> 11,000 + 800 + 3 x 4,000.
    led.add_unit("G1", "UTC", ["day:all:hours:4"])
    led.add_entry("G1", "2025-01-01", "testing", 2.0)
    inst = case(tmp_path)
    r = eo.solve(inst, EXACT, budgets=plan_budgets(led, inst))
    assert r.summary["objective_usd"] == approx(23_800.0)


def test_a_generator_missing_from_the_ledger_is_refused(tmp_path, led):
    inst = case(tmp_path)
    with pytest.raises(LedgerInputError, match="no unit for generator"):
        plan_budgets(led, inst)


def test_recording_a_replan_supersedes_the_recorded_plan(tmp_path, led):
    # Day-ahead plan: G1 runs the 5 notice hours (10-14). Recorded. At 12:00 the notice is cancelled: the
    # re-plan keeps hours 10-11 (fixed) and stops the unit. Recording it voids the first plan's entries in
    # the same transaction: the ledger then holds 2 h, not 7.
    led.add_unit("G1", "UTC", ["calendar_year:all:hours:100"])
    inst = case(tmp_path)
    r = eo.solve(inst, EXACT, budgets=plan_budgets(led, inst))
    r.write(tmp_path / "plan")
    led.record_plan(tmp_path / "plan")
    assert led.daily()["hours"].sum() == approx(5.0)
    r2, _ = replan(tmp_path / "plan", at(12), cancel_notices=["N1"], options=EXACT, ledger=led)
    assert r2.summary["generator_run_hours"]["G1"]["hours"] == approx(2.0)
    # The budget left the recorded plan out: 100 h before, not 95.
    assert r2.summary["permit_budgets"][0]["remaining_before"] == approx(100.0)
    r2.write(tmp_path / "replan")
    led.record_plan(tmp_path / "replan")
    assert led.daily()["hours"].sum() == approx(2.0)
    assert led.entries()["voided"].sum() >= 1
