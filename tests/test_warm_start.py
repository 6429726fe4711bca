"""Warm starts (issue 15 part 3): a re-plan hands HiGHS the previous plan as its MIP start.

Instance: test_replan's ``day`` (24 hourly steps, 10 MW fixed IT load, $50/MWh except $20 in hours 12-16, a
20 MW job that runs at full power only and must do 100 MWh: its running or not is the plan's on/off decision).
The day-ahead optimum runs the job in the five $20 hours (12,500 $, see test_replan).
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import energyopt as eo
from energyopt.check import check_result, instance_for
from energyopt.ops.replan import replan
from energyopt.ops.warmstart import REPAIR_HOURS, repair_steps
from tests.helpers import at, solve_dict, write_instance
from tests.test_replan import day   # the day this file's docstring describes

EXACT = eo.SolveOptions(mip_rel_gap=0)


@pytest.fixture
def planned(tmp_path):
    inst, series = day()
    r = solve_dict(tmp_path / "inst", inst, series)
    assert r.summary["objective_usd"] == pytest.approx(12_500.0, rel=1e-6)
    out = tmp_path / "plan"
    r.write(out)
    return out


def test_the_start_is_the_first_schedule_highs_reports(tmp_path):
    # The previous plan was made for other prices ($20 in hours 0-4): it runs the job in hours 0-4. Re-planned at
    # 00:00 with today's prices, that plan costs 10 MW x (19 x 50 + 5 x 20) + 20 MW x 5 h x $50 = 10,500 + 5,000
    # = 15,500 $: HiGHS's first schedule is exactly it (the start was accepted), and the optimum is still 12,500.
    inst, series = day()
    other = dict(series, price=[20.0] * 5 + [50.0] * 19)
    prev = solve_dict(tmp_path / "other", inst, other)
    assert prev.summary["objective_usd"] == pytest.approx(10 * (19 * 50 + 5 * 20) + 20 * 5 * 20, rel=1e-6)
    prev.write(tmp_path / "plan")
    today = write_instance(tmp_path / "today", inst, series)
    r, _ = replan(tmp_path / "plan", at(0), instance=today, options=EXACT)
    s = r.summary
    assert s["replan"]["warm_start"] is True and s["solver"]["start_columns"] > 0
    assert s["solver"]["first_schedule_usd"] == pytest.approx(15_500.0, rel=1e-6)
    assert s["objective_usd"] == pytest.approx(12_500.0, rel=1e-6)
    cold, _ = replan(tmp_path / "plan", at(0), instance=today, options=EXACT, warm_start=False)
    assert cold.summary["solver"]["start_columns"] == 0
    assert cold.summary["objective_usd"] == pytest.approx(12_500.0, rel=1e-6)


def notice(start_h, end_h, cap, issued_h):
    return {"id": "N2", "issued": pd.Timestamp(at(issued_h)).to_pydatetime(),
            "start": pd.Timestamp(at(start_h)).to_pydatetime(), "end": pd.Timestamp(at(end_h)).to_pydatetime(),
            "cap_mw": cap}


def test_warm_and_cold_replans_reach_the_same_optimum_when_a_notice_is_added(planned, tmp_path):
    # A notice issued at 10:00 caps 12:00-14:00 at 15 MW (< 10 + 20: the job cannot run then). The cheapest is
    # to move those two job hours to the next cheapest, $50 hours: cost 12,500 + 2 x 20 MW x (50 - 20) = 13,700.
    # The previous plan's on/off values in those hours (and 2 h either side) are left out of the start.
    n = notice(12, 14, 15.0, 10)
    warm, _ = replan(planned, at(10), add_notices=[n], options=EXACT)
    cold, _ = replan(planned, at(10), add_notices=[n], options=EXACT, warm_start=False)
    assert cold.summary["replan"]["warm_start"] is False and cold.summary["solver"]["start_columns"] == 0
    assert warm.summary["solver"]["start_columns"] > 0
    assert warm.summary["objective_usd"] == pytest.approx(13_700.0, rel=1e-6)
    assert cold.summary["objective_usd"] == pytest.approx(13_700.0, rel=1e-6)
    out = tmp_path / "warm"
    warm.write(out)
    summary = json.loads((out / "summary.json").read_text())
    assert not check_result(instance_for(tmp_path / "inst" / "instance.toml", summary), out)


def test_repair_frees_the_steps_over_the_new_cap_and_their_neighbours(tmp_path):
    # 24 hourly steps, interconnection 100 MW; a notice caps hours 12-14 at 15 MW. The previous plan imports
    # 30 MW everywhere: over the cap in steps 12 and 13, so steps 12 - 2 .. 13 + 2 = 10..15 are freed (REPAIR_HOURS
    # = 2), but never a step before n_fixed (here 11): 11..15.
    assert REPAIR_HOURS == 2.0
    inst, series = day()
    inst["notices"] = [{"id": "N", "issued": at(0), "start": at(12), "end": at(14), "cap_mw": 15.0}]
    loaded = eo.load_instance(write_instance(tmp_path, inst, series))
    imports = np.full(24, 30.0)
    assert repair_steps(loaded, imports, 0) == set(range(10, 16))
    assert repair_steps(loaded, imports, 11) == set(range(11, 16))
    assert repair_steps(loaded, np.full(24, 15.0), 0) == set()    # at the cap is not over it
    assert repair_steps(loaded, None, 0) == set()
