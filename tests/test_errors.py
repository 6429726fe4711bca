"""One error hierarchy: every exception derives from EnergyoptError, every exit code is defined once (a class in
energyopt/errors.py), the tables of the docs and every --help are rendered from those classes, and one handler
turns an error into its message and exit code. The solver's termination is mapped from every HiGHS status."""
from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import click
import highspy
import pytest
from click.testing import CliRunner

import energyopt
from energyopt import errors as E
from energyopt.cli import _status_exit, app
from energyopt.command import Group
from energyopt.solver.status import HIGHS, SolveStatus, TerminationCondition, from_highs, outcome, termination

ROOT = Path(__file__).resolve().parents[1]
MS = highspy.HighsModelStatus


# -- the docs and --help are rendered from the classes ---------------------------------------------------------
@pytest.mark.parametrize("name", list(E.DOCS))
def test_exit_code_tables_are_rendered_from_the_classes(name):
    text = (ROOT / name).read_text(encoding="utf-8")
    assert E.rewrite(text, E.DOCS[name]) == text, (
        f"{name}'s exit-code table is stale: run python -m energyopt.errors --write")


def test_the_readme_lists_every_code_and_the_rewrite_replaces_a_stale_row():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for c in E.exit_classes():
        assert f"| {c.exit_code} | " in text
    stale = text.replace("| 7 | unbounded |", "| 7 | unbounded, or so |")
    assert stale != text and E.rewrite(stale) == text


def test_main_writes_the_tables(tmp_path, monkeypatch):
    for name in E.DOCS:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("intro\n\n| exit code | meaning |\n|---|---|\n| 0 | old |\n\nafter\n")
    monkeypatch.chdir(tmp_path)
    E.main(["--write"])
    for name, classes in E.DOCS.items():
        assert (tmp_path / name).read_text() == "intro\n\n" + E.table(classes) + "\nafter\n"


@pytest.mark.parametrize("args,classes", [([], None), (["solve"], None), (["ledger"], E.LEDGER),
                                          (["ledger", "add"], E.LEDGER), (["report"], E.REPORT),
                                          (["simulate"], E.LEDGER)])
def test_every_help_lists_its_exit_codes_from_the_classes(args, classes):
    r = CliRunner().invoke(app, [*args, "--help"])
    assert r.exit_code == 0, r.output
    flat = " ".join(r.output.split())
    for c in classes or E.exit_classes():
        assert f"{c.exit_code} {c.meaning.replace('`', '')}" in flat, (args, c.__name__)


# -- one hierarchy, one definition per code ----------------------------------------------------------------------
def _package_classes():
    for info in pkgutil.walk_packages(energyopt.__path__, "energyopt."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == info.name:
                yield cls


def test_every_exception_of_the_package_is_an_energyopt_error_and_each_code_has_one_class():
    exceptions = [c for c in _package_classes() if issubclass(c, BaseException)]
    assert len(exceptions) >= 20
    assert [c.__qualname__ for c in exceptions if not issubclass(c, E.EnergyoptError)] == []
    defining = [c for c in exceptions if "exit_code" in vars(c)]
    assert {c.__module__ for c in defining} == {"energyopt.errors"}
    codes = [c.exit_code for c in E.exit_classes()]
    assert len(codes) == len(set(codes)), codes
    assert codes[:18] == list(range(18))   # the codes users rely on keep their numbers
    for c in E.exit_classes():
        assert c.meaning and "\n" not in c.meaning and len(c.meaning) < 120, c


def test_domain_errors_keep_their_codes():
    from energyopt.atomic import RestoreFailed
    from energyopt.batch.runner import BatchError
    from energyopt.inputs import InstanceError
    from energyopt.ledger import LedgerCorrupt, LedgerInputError, LedgerLocked, PermitExceeded
    from energyopt.ops.replan import ReplanError
    from energyopt.report.png import PngError
    from energyopt.report.reader import ReportInputError
    from energyopt.report.writer import ReportOutputError
    from energyopt.results import OutputError
    assert {c: c.exit_code for c in (InstanceError, OutputError, RestoreFailed, ReportOutputError, LedgerInputError,
                                     PermitExceeded, LedgerCorrupt, LedgerLocked, ReplanError, BatchError,
                                     ReportInputError, PngError)} == {
        InstanceError: 3, OutputError: 3, RestoreFailed: 3, ReportOutputError: 3, LedgerInputError: 3,
        PermitExceeded: 10, LedgerCorrupt: 11, LedgerLocked: 12, ReplanError: 13, BatchError: 15,
        ReportInputError: 16, PngError: 17}
    assert click.UsageError.exit_code == E.UsageError.exit_code


def test_the_errors_module_and_the_handler_import_nothing_heavy():
    code = ("import sys, energyopt.errors, energyopt.command; "
            "print(sorted(m for m in ('pandas', 'pyomo', 'pydantic', 'numpy', 'highspy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stderr


# -- the one handler -----------------------------------------------------------------------------------------------
@pytest.fixture()
def cli():
    group = Group("t")

    @group.command()
    @click.argument("what")
    def fail(what):
        if what == "ledger":
            with E.about("--ledger x.sqlite", E.LedgerError):
                raise E.PermitExceeded("G1 would go over", ["calendar_year:all:hours: 2 h left"])
        if what == "other":
            with E.about("--ledger x.sqlite", E.LedgerError):
                raise E.ReplanError("now lies outside the plan")
        if what == "bug":
            raise ValueError("oops")
        if what == "interrupt":
            raise KeyboardInterrupt
        click.echo("fine")
    return lambda *args: CliRunner().invoke(group, list(args))


def test_an_error_becomes_its_message_and_exit_code(cli):
    r = cli("fail", "ledger")
    assert r.exit_code == 10
    assert r.output == "--ledger x.sqlite: G1 would go over\n  - calendar_year:all:hours: 2 h left\n"
    r = cli("fail", "other")   # about() adds its prefix to the kind of error it names only
    assert r.exit_code == 13 and r.output == "now lies outside the plan\n"
    assert cli("fail", "ok").exit_code == 0


def test_a_bug_an_interrupt_and_a_usage_error(cli):
    r = cli("fail", "bug")
    assert r.exit_code == 1 and "internal error: ValueError: oops" in r.output and "Traceback" not in r.output
    r = cli("fail", "interrupt")
    assert r.exit_code == 130 and "interrupted" in r.output
    r = cli("fail")
    assert r.exit_code == 2 and "Missing argument" in r.output


def test_bad_input_through_a_process_has_no_traceback(tmp_path):
    missing = tmp_path / "nope.toml"
    p = subprocess.run([sys.executable, "-m", "energyopt.cli", "validate", str(missing)], capture_output=True,
                       text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 3 and str(missing) in p.stderr and "Traceback" not in p.stderr
    p = subprocess.run([sys.executable, "-m", "energyopt.cli", "headroom", str(missing)], capture_output=True,
                       text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 2 and "--hours or --energy-percent" in p.stderr and "Traceback" not in p.stderr


# -- the solver's termination ---------------------------------------------------------------------------------------
#: What each HiGHS model status means here. A status HiGHS adds is missing from this table and fails below.
EXPECTED = {
    "kNotset": "error", "kLoadError": "error", "kModelError": "error", "kPresolveError": "error",
    "kSolveError": "error", "kPostsolveError": "error", "kModelEmpty": "optimal", "kOptimal": "optimal",
    "kInfeasible": "infeasible", "kUnboundedOrInfeasible": "infeasible_or_unbounded", "kUnbounded": "unbounded",
    "kObjectiveBound": "objective_bound", "kObjectiveTarget": "objective_target", "kTimeLimit": "time_limit",
    "kIterationLimit": "iteration_limit", "kUnknown": "unknown", "kSolutionLimit": "solution_limit",
    "kInterrupt": "interrupt", "kMemoryLimit": "memory_limit", "kHighsInterrupt": "interrupt",
}
#: The exit code of each termination, with and without a primal solution.
CODES = {"error": (8, 8), "optimal": (0, 0), "infeasible": (4, 4), "infeasible_or_unbounded": (4, 4),
         "unbounded": (7, 7), "unknown": (8, 8), "time_limit": (5, 6), "iteration_limit": (5, 6),
         "solution_limit": (5, 6), "objective_bound": (5, 6), "objective_target": (5, 6),
         "memory_limit": (18, 18), "interrupt": (130, 130)}


@pytest.mark.parametrize("name", list(MS.__members__))
def test_every_highs_model_status_is_mapped(name):
    ms = MS.__members__[name]
    assert ms in HIGHS, f"HiGHS's {name} is not mapped in energyopt/solver/status.py"
    assert termination(ms).value == EXPECTED[name]
    term = termination(ms)
    for has_sol, code in zip((True, False), CODES[term.value]):
        status = from_highs(ms, has_sol)
        assert status.has_schedule == (term is TerminationCondition.OPTIMAL or (term.is_limit and has_sol))
        assert _status_exit(status, term) == code == outcome(status, term.value).exit_code
    if term.is_limit:   # any limit keeps the statuses of the time limit
        assert {from_highs(ms, True), from_highs(ms, False)} == {SolveStatus.TIME_LIMIT_FEASIBLE,
                                                                 SolveStatus.TIME_LIMIT_NO_SOLUTION}


def test_every_termination_is_reached_and_has_an_exit_code():
    assert set(HIGHS.values()) == set(TerminationCondition)
    assert set(CODES) == {t.value for t in TerminationCondition}


def test_memory_limit_and_interrupt_are_not_reported_as_the_time_limit():
    from energyopt.results import Result
    from energyopt.results.text import render
    for term, words in (("memory_limit", "running out of memory"), ("interrupt", "an interrupt"),
                        ("time_limit", "the time limit")):
        r = Result(status=SolveStatus.TIME_LIMIT_NO_SOLUTION, summary={"instance": "x", "termination": term})
        assert render(r) == f"x: time_limit_no_solution\n  stopped by {words} before any schedule was found"
    assert _status_exit(SolveStatus.TIME_LIMIT_FEASIBLE, "memory_limit") == 18
    assert _status_exit(SolveStatus.TIME_LIMIT_NO_SOLUTION, "interrupt") == 130
    assert _status_exit(SolveStatus.TIME_LIMIT_FEASIBLE, "time_limit") == 5


def test_a_real_solve_records_its_termination(tmp_path):
    """HiGHS stopped by its solution limit and by an objective target (options no CLI flag sets): the status is
    that of a limit, summary.json says which, and so does the terminal."""
    import energyopt as eo
    from energyopt.results.text import render
    inst = eo.load_instance(ROOT / "instances" / "small" / "small.toml")
    r = eo.solve(inst, eo.SolveOptions())
    assert (r.status.value, r.summary["termination"]) == ("optimal", "optimal")
    r = eo.solve(inst, eo.SolveOptions(highs=(("mip_max_improving_sols", 1),)))
    assert r.summary["termination"] == "solution_limit" and r.status.value.startswith("time_limit")
    assert "stopped by HiGHS's solution limit" in render(r)
    r = eo.solve(inst, eo.SolveOptions(highs=(("objective_target", 1e12),)))
    assert (r.status.value, r.summary["termination"]) == ("time_limit_feasible", "objective_target")
    r.write(tmp_path / "out")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["status"] == "time_limit_feasible" and summary["termination"] == "objective_target"
    assert "stopped by HiGHS's objective target; the best schedule found is written" in render(r)
