"""`replan --actuals` checks every cell like a value of an instance series (issue 13, finding 13): a number,
finite, in its column's physical range, not empty; exit 13 naming file, row and column; every bad cell listed at
once; nothing written.

The small example (instances/small): 6 hourly steps from 2025-07-15 12:00 -05:00, genset G1 of 2.5 MW, job J1 of
6 MW (default throughput curve, 1.0 at full power: at most 6 MWh of work per hour), service `chat` with a demand
of 2.0 MW at 12:00 and 2.2 MW at 13:00. "now" is 14:00, so the rows 12:00 and 13:00 are in the past.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from energyopt.ops.actuals import cell_value, column_ranges
from energyopt.ops.replan import ReplanError, replan

try:
    from .test_cli import assert_exit
except ImportError:
    from test_cli import assert_exit

SMALL = Path(__file__).resolve().parents[1] / "instances" / "small"
T12, T13, NOW = "2025-07-15T12:00:00-05:00", "2025-07-15T13:00:00-05:00", "2025-07-15T14:00:00-05:00"


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    """One plan of the small example for the whole module (a refused re-plan writes nothing)."""
    import energyopt as eo
    root = tmp_path_factory.mktemp("actuals")
    shutil.copytree(SMALL, root / "small")
    r = eo.solve(eo.load_instance(root / "small" / "small.toml"))
    out = root / "small" / "plan"
    r.write(out)
    return out


def refused(run_cli, plan, tmp_path, text: str):
    f = tmp_path / "a.csv"
    f.write_text(text)
    proc = run_cli("replan", plan, "--now", NOW, "--actuals", f, "--out", tmp_path / "new")
    assert_exit(proc, 13)
    assert not (tmp_path / "new").exists()
    assert str(f) in proc.stderr
    return proc.stderr


def test_a_text_cell_exits_13_naming_column_and_row(run_cli, plan, tmp_path):
    # Today: exit 1 (ValueError in the generator's on/off pairing, before the cell is checked).
    err = refused(run_cli, plan, tmp_path, f"timestamp,generator.G1.on\n{T12},abc\n")
    assert "row 2, column generator.G1.on: 'abc' is not a number" in err


def test_a_huge_work_cell_exits_13_with_the_jobs_limit(run_cli, plan, tmp_path):
    # Today: exit 1 (IndexError in the solve). J1 can do at most 6 MW x 1 h x 1.0 = 6 MWh in a step.
    err = refused(run_cli, plan, tmp_path, f"timestamp,job.J1.work_mwh\n{T12},1e308\n")
    assert "row 2, column job.J1.work_mwh" in err and "above 6" in err and "training_jobs[J1].power_mw" in err


def test_empty_and_nan_cells_are_refused_by_row_and_column(run_cli, plan, tmp_path):
    # Today: accepted silently (the plan's values used).
    err = refused(run_cli, plan, tmp_path, f"timestamp,job.J1.power_mw,generator.G1.output_mw\n"
                                           f"{T12},,1.0\n{T13},2.0,NaN\n")
    assert "row 2, column job.J1.power_mw: is empty" in err
    assert "row 3, column generator.G1.output_mw: is empty" in err


def test_every_bad_cell_is_listed_at_once(run_cli, plan, tmp_path):
    err = refused(run_cli, plan, tmp_path,
                  "timestamp,generator.G1.on,generator.G1.output_mw,job.J1.power_mw,inference.chat.served_mw\n"
                  f"{T12},0.5,3.0,inf,2.5\n"       # not 0/1; above 2.5 MW; not finite; above the 2.0 MW demand
                  f"{T13},0,1.0,-1,TRUE\n")        # off but producing; negative; not a number
    for piece in ("row 2, column generator.G1.on: on/off must be 0 or 1",
                  "row 2, column generator.G1.output_mw: 3.0 is above 2.5",
                  "row 2, column job.J1.power_mw: inf is not a finite number",
                  "row 2, column inference.chat.served_mw: '2.5' is above 2,",
                  "row 3, columns generator.G1.on and generator.G1.output_mw: the unit is reported off",
                  "row 3, column job.J1.power_mw: -1.0 must be a finite number >= 0",
                  "row 3, column inference.chat.served_mw: 'TRUE' is not a number"):
        assert piece in err, piece


def test_cells_of_a_bad_row_are_still_checked(run_cli, plan, tmp_path):
    err = refused(run_cli, plan, tmp_path, f"timestamp,job.J1.power_mw\nyesterday,abc\n")
    assert "row 2: timestamp 'yesterday'" in err and "row 2, column job.J1.power_mw: 'abc' is not a number" in err


def test_plan_keeps_the_plans_value_and_good_cells_at_the_limits_are_used(plan, tmp_path):
    # G1 at its full 2.5 MW at 12:00, J1 at its full 6 MW and 6 MWh at 13:00; the other cells say `plan`.
    before = pd.read_csv(plan / "steps.csv")
    act = pd.DataFrame({"timestamp": [T12, T13], "generator.G1.output_mw": [2.5, "plan"],
                        "job.J1.power_mw": [" plan ", 6.0], "job.J1.work_mwh": ["PLAN", 6.0]})
    r, _ = replan(plan, NOW, actuals=act)
    steps = r.steps
    assert steps["generator.G1.output_mw"].iloc[0] == pytest.approx(2.5)
    assert steps["generator.G1.on"].iloc[0] == pytest.approx(1.0)
    assert steps["generator.G1.output_mw"].iloc[1] == pytest.approx(before["generator.G1.output_mw"].iloc[1])
    assert steps["job.J1.power_mw"].iloc[0] == pytest.approx(before["job.J1.power_mw"].iloc[0])
    assert steps["job.J1.work_mwh"].iloc[1] == pytest.approx(6.0)


def test_nothing_is_applied_when_one_cell_is_bad(plan):
    act = pd.DataFrame({"timestamp": [T12, T13], "job.J1.power_mw": [6.0, 1e308]})
    with pytest.raises(ReplanError) as exc:
        replan(plan, NOW, actuals=act, actuals_name="a.csv")
    text = exc.value.render()
    assert "a.csv row 3, column job.J1.power_mw: 1e+308 is above 6" in text and "row 2" not in text


def test_column_ranges_cover_every_column_a_replan_reads_back(plan):
    from energyopt.inputs import load_instance
    from energyopt.registry import replan_columns
    inst = load_instance(plan.parent / "small.toml")
    assert set(replan_columns(inst)) <= set(column_ranges(inst))


def test_cell_value_by_itself():
    assert cell_value("1.5", None, None) == (1.5, None)
    assert cell_value(float("nan"), None, None)[1].startswith("is empty")
    assert cell_value("   ", None, None)[1].startswith("is empty")
    assert cell_value(True, None, None)[1] == "True is not a number"
    assert cell_value("-inf", None, None)[1] == "'-inf' is not a finite number"


def test_work_beyond_what_the_reported_power_could_do_exits_13(run_cli, plan, tmp_path):
    # small's J1: 6 MW, default throughput curve; at 0 MW no work can be done, at 6 MW (full power) 6 MWh in 1 h.
    err = refused(run_cli, plan, tmp_path, f"timestamp,job.J1.power_mw,job.J1.work_mwh\n{T12},0,6\n")
    assert "row 2, columns job.J1.power_mw and job.J1.work_mwh" in err and "at most 0 MWh" in err
