"""A time budget that holds (issue 15 part 4): one deadline over build, solve and diagnosis; at the limit the best
schedule is written with its proven gap (exit 5). No timed assertions beyond "ends well within 10x the budget".

The hard instance (``hard``): benchmarks/generate.py's week at hourly steps (168), 10 jobs, 4 gensets and a $12/kW
demand charge; HiGHS finds a first schedule in about 0.07 s (after a build of about 0.5 s) but is still about 10.8%
from a proof after 1.5, 2 and 3 s and 1.1% after 20 s (measured 2026-12-03 on the project machine, idle), so a
budget of a few seconds ends with a schedule that is not proven optimal. (The 48-step day with 3 jobs and 3 gensets
used before now proves optimal in about 3 s, too close to the budget to be a test.)
"""
from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

import energyopt as eo
from benchmarks.generate import make_instance
from energyopt.api import NO_TIME_FOR_DIAGNOSIS
from energyopt.check import check_result, instance_for
from energyopt.errors import BatchCasesFailed
from energyopt.cli import REPLAN_TIME_LIMIT_S, SOLVE_TIME_LIMIT_S, app
from energyopt.ops.planning import SKIPPED_FOR_TIME, plan_solve_options
from energyopt.solver import SolveOptions, with_budget
from tests.helpers import base, write_instance


@pytest.fixture(scope="module")
def hard(tmp_path_factory):
    return make_instance(168, 10, 4, tmp_path_factory.mktemp("hard"), 0, step_minutes=60, demand_charge=12.0)


def test_the_cli_writes_the_best_schedule_at_the_limit_with_its_gap(hard, tmp_path):
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["solve", str(hard), "--out", str(out), "--time-limit", "3"])
    assert r.exit_code == 5, r.output
    s = json.loads((out / "summary.json").read_text())
    assert s["status"] == "time_limit_feasible" and s["termination"] == "time_limit"
    assert s["mip_gap"] is not None and s["mip_gap"] > 1e-4     # not proven: the gap is said
    assert s["solver"]["options"]["time_limit_s"] == 3.0
    assert s["solver"]["highs_time_limit_s"] < 3.0               # HiGHS got what was left of the 3 s
    assert "gap" in r.output
    files = check_result(instance_for(hard, s), out)             # the independent checker accepts it
    assert not files, files


def test_a_one_second_budget_ends_well_within_ten_seconds(hard):
    t0 = time.monotonic()
    r = eo.solve(hard, SolveOptions(deadline=t0 + 1.0))
    took = time.monotonic() - t0
    assert r.status.value in ("time_limit_feasible", "time_limit_no_solution")
    assert took < 10.0, took


def test_with_budget_keeps_the_sooner_deadline():
    opts = with_budget(SolveOptions(), 5.0, start=100.0)
    assert opts.deadline == 105.0
    assert with_budget(opts, 10.0, start=100.0).deadline == 105.0     # an earlier deadline stands
    assert with_budget(opts, 1.0, start=100.0).deadline == 101.0
    assert with_budget(opts, None) is opts
    assert SolveOptions(deadline=time.monotonic() - 1).out_of_time()
    assert SolveOptions(deadline=time.monotonic() - 1).seconds_left() == 0.0
    assert SolveOptions().seconds_left() is None and not SolveOptions().out_of_time()


def test_the_diagnosis_is_skipped_for_time_when_none_is_left(tmp_path):
    # 10 MW of fixed load against an 8 MW interconnection and nothing else: infeasible in presolve.
    inst, series = base(2, 10.0, interconnection_mw=8.0, it_load_mw=10.0)
    path = write_instance(tmp_path, inst, series)
    r = eo.solve(path, SolveOptions(deadline=time.monotonic() - 1.0))
    assert r.status.value in ("infeasible", "time_limit_no_solution")
    if r.status.value == "infeasible":
        assert r.diagnosis == [NO_TIME_FOR_DIAGNOSIS]
    full = eo.solve(path, SolveOptions(deadline=time.monotonic() + 60))   # with time: the full diagnosis
    assert full.status.value == "infeasible" and "the interconnection limit" in " ".join(full.diagnosis)


def test_default_budgets_are_stated_in_help():
    runner = CliRunner()
    assert f"default: {SOLVE_TIME_LIMIT_S:g}" in runner.invoke(app, ["solve", "--help"]).output.replace(".0]", "]")
    assert f"default: {REPLAN_TIME_LIMIT_S:g}" in runner.invoke(app, ["replan", "--help"]).output.replace(".0]", "]")
    assert SOLVE_TIME_LIMIT_S == 120 and REPLAN_TIME_LIMIT_S == 60


def test_batch_time_limit_is_per_case(hard, tmp_path):
    out = tmp_path / "batch"
    r = CliRunner().invoke(app, ["batch", str(hard), "--out", str(out), "--time-limit", "2", "--workers", "1",
                                 "-q"])
    assert r.exit_code == BatchCasesFailed.exit_code, r.output    # a case not optimal: the batch says so
    (case,) = (out / "cases").iterdir()
    s = json.loads((case / "summary.json").read_text())
    assert s["status"] in ("time_limit_feasible", "time_limit_no_solution")
    assert s["solver"]["highs_time_limit_s"] < 2.0


def test_plan_budget_is_the_whole_run():
    opts = plan_solve_options(30.0, 1e-3, started=50.0)
    assert opts.deadline == 80.0 and opts.mip_rel_gap == 1e-3 and opts.time_limit_s is None
    assert SKIPPED_FOR_TIME == "skipped_for_time"


def test_count_table_is_announced_warm_started_and_skipped_past_the_budget(tmp_path):
    # test_plan's plan over a twelfth of a year (730 h): one 4-hour notice capping import at 15 MW under a fixed
    # 20 MW load needs exactly two 2.5 MW units (test_plan's fast CLI sibling: "still two units"). With the count of D fixed at 2 (the optimum) the
    # re-solve is the optimum itself (gap 0): the same total. Past the run's deadline no row is solved.
    import io

    from energyopt.inputs.plan import load_plan_file
    from energyopt.model.plan import build_plan_model
    from energyopt.ops.planning import count_table, scenario_instances, scenario_periods
    from energyopt.progress import Printer
    from energyopt.solver import solve_model
    from tests.test_plan import twelfth, write_plan

    path = write_plan(tmp_path)
    twelfth(tmp_path)
    plan, folder = load_plan_file(path)
    scenarios = scenario_instances(plan, folder)
    pm = build_plan_model(plan, scenarios, scenario_periods(plan, scenarios))
    opts = plan_solve_options(600.0, 0.0)
    info = solve_model(pm.model, opts)
    assert info.status.value == "optimal"
    out = io.StringIO()
    rows = count_table(plan, pm, opts, 1.0, Printer(out, quiet_s=0.0, every_s=0.0))
    assert out.getvalue().splitlines()[0].startswith(f"  count table: {len(rows)} re-solve(s) with one genset count")
    (best,) = [r for r in rows if r["optimum"]]
    assert best["units"] == 2 and best["total_usd_per_year"] == pytest.approx(info.objective_usd, rel=1e-6)
    late = count_table(plan, pm, SolveOptions(deadline=time.monotonic() - 1.0))
    assert [r["status"] for r in late] == [SKIPPED_FOR_TIME] * len(rows)
    assert all(r["total_usd_per_year"] is None for r in late)
