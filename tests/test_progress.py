"""Live progress on stderr (issue 15 part 5): HiGHS's search reported every few seconds, quiet for fast runs and
with --quiet, plain lines where stderr is not a terminal."""
from __future__ import annotations

import io
import time

import pytest
from click.testing import CliRunner

from benchmarks.generate import make_instance
from energyopt.cli import app
from energyopt.progress import Printer
from energyopt.solver import Progress, SolveOptions, solve_model


@pytest.fixture(scope="module")
def hard(tmp_path_factory):
    # test_time_budget's hard instance: a first schedule in about 0.07 s, about 10% from a proof for seconds.
    return make_instance(168, 10, 4, tmp_path_factory.mktemp("hard"), 0, step_minutes=60, demand_charge=12.0)


def test_printer_lines_say_elapsed_best_cost_and_gap():
    out = io.StringIO()
    p = Printer(out, started=time.monotonic() - 5.0, quiet_s=2.0, every_s=0.0, limit_s=60)
    p.solve(Progress(elapsed_s=4.0, best_usd=None, bound_usd=None, gap=None))
    p.solve(Progress(elapsed_s=4.5, best_usd=123_456.7, bound_usd=120_000.0, gap=0.028, nodes=1234))
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and "\r" not in out.getvalue()      # not a terminal: plain lines, kept by logs
    assert lines[0].startswith("  solving: 5 s of 60 s") and "no schedule yet" in lines[0]
    assert "best $123,457, gap 2.80%, 1,234 nodes" in lines[1]


def test_printer_is_quiet_at_first_and_between_lines():
    out = io.StringIO()
    p = Printer(out, quiet_s=2.0, every_s=3.0)
    p.solve(Progress(0.1, 1.0, 1.0, 0.0))     # within the first 2 s: nothing
    assert out.getvalue() == ""
    p.started -= 10.0                          # 10 s into the run: one line, then none for 3 s
    p.solve(Progress(10.0, 1.0, 1.0, 0.0))
    p.solve(Progress(10.1, 1.0, 1.0, 0.0))
    assert len(out.getvalue().splitlines()) == 1
    p.stage("count table", "count table: 4 re-solve(s)")     # news is said at once
    assert out.getvalue().splitlines()[-1] == "  count table: 4 re-solve(s)"
    assert p.label == "count table"


def test_the_solver_reports_the_search_while_it_runs(hard):
    from energyopt.inputs import load_instance
    from energyopt.model import build_model
    got: list[Progress] = []
    m = build_model(load_instance(hard))
    info = solve_model(m, SolveOptions(time_limit_s=1.5, progress=got.append))
    assert info.status.value == "time_limit_feasible"
    assert len(got) >= 2                                   # about twice a second
    late = [p for p in got if p.best_usd is not None]
    assert late and late[-1].gap is not None and late[-1].gap > 1e-4
    assert late[-1].best_usd >= info.objective_usd - 1e-6 * abs(info.objective_usd)
    assert late[-1].bound_usd <= late[-1].best_usd
    assert info.incumbents and info.incumbents[-1][1] == pytest.approx(info.objective_usd, rel=1e-9)


def test_cli_progress_on_stderr_and_none_with_quiet(hard, tmp_path):
    runner = CliRunner()
    loud = runner.invoke(app, ["solve", str(hard), "--out", str(tmp_path / "a"), "--time-limit", "3"])
    assert loud.exit_code == 5
    lines = [x for x in loud.stderr.splitlines() if x.startswith("  solving:")]
    assert lines and "of 3 s" in lines[0]
    quiet = runner.invoke(app, ["solve", str(hard), "--out", str(tmp_path / "b"), "--time-limit", "2", "--quiet"])
    assert quiet.exit_code == 5 and "solving:" not in quiet.stderr
