"""The command line: ``energyopt solve`` and ``energyopt validate``, a thin layer over :mod:`energyopt.api`.

Exit codes (also in ``energyopt --help`` and the README):
  0 optimal (or, for ``validate``, a valid instance)     5 stopped at the time limit with a schedule
  1 internal error (a bug: please report it)              6 stopped at the time limit with no schedule
  2 usage error (unknown option, missing argument)        7 unbounded
  3 bad input (invalid instance or output folder)         8 solver error
  4 infeasible (with an explanation of what cannot be met) 9 check: the schedule violates the instance
"""
from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

import click

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_BAD_INPUT, EXIT_INFEASIBLE = 0, 1, 2, 3, 4
EXIT_TIME_LIMIT, EXIT_TIME_LIMIT_NO_SOLUTION, EXIT_UNBOUNDED, EXIT_SOLVER_ERROR = 5, 6, 7, 8
EXIT_CHECK_FAILED = 9
EXIT_REPLAN = 13
EXIT_BATCH_FAILED_CASES, EXIT_BATCH_CLUSTER = 14, 15

EXIT_CODES_HELP = """\b
Exit codes:
  0 optimal / valid          4 infeasible (explained)
  1 internal error           5 time limit, best schedule written
  2 usage error              6 time limit, no schedule found
  3 bad input                7 unbounded   8 solver error
                             9 check found violations
  ledger: 10 would exceed a permit window, 11 ledger corrupt or newer, 12 ledger locked
  replan: 13 the previous plan cannot be revised ("now" outside it, another horizon, not a plan)
  batch: 14 some case did not solve to optimality (each recorded), 15 no cluster / dask missing
  report: 16 not a result (or newer format, missing files), 17 no PNG renderer
"""


def _status_exit(status) -> int:
    from .solver import SolveStatus
    return {SolveStatus.OPTIMAL: EXIT_OK, SolveStatus.TIME_LIMIT_FEASIBLE: EXIT_TIME_LIMIT,
            SolveStatus.TIME_LIMIT_NO_SOLUTION: EXIT_TIME_LIMIT_NO_SOLUTION,
            SolveStatus.INFEASIBLE: EXIT_INFEASIBLE, SolveStatus.UNBOUNDED: EXIT_UNBOUNDED,
            SolveStatus.ERROR: EXIT_SOLVER_ERROR}[status]


def _fail(message: str, code: int) -> None:
    click.echo(message, err=True)
    sys.exit(code)


@click.group(epilog="\b\nExamples:\n  energyopt validate instances/small/small.toml\n"
             "  energyopt solve instances/texas_summer_day/texas_summer_day.toml --out out/texas\n\n"
             + EXIT_CODES_HELP)
@click.version_option(package_name="energyopt")
def app() -> None:
    """energyopt: day-ahead power plans for AI data centers.

    Plans grid import, backup generators, cooling, training jobs and inference against prices,
    curtailment notices and air permits, as a mixed-integer model solved with HiGHS.
    """


def solver_options(f):
    """--time-limit, --mip-gap, --threads, --parquet, --log, --quiet: shared by solve and replan."""
    for deco in reversed([
        click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
                     help="Stop after this many seconds and keep the best schedule found."),
        click.option("--mip-gap", type=click.FloatRange(0, 1), default=None,
                     help="Relative MIP gap at which HiGHS stops  [default: 1e-4]."),
        click.option("--threads", type=click.IntRange(min=1), default=None,
                     help="HiGHS threads (default: HiGHS's choice)."),
        click.option("--parquet", is_flag=True, help="Also write steps.parquet."),
        click.option("--log", is_flag=True, help="Show HiGHS's log."),
        click.option("--quiet", "-q", is_flag=True, help="Print nothing on success."),
    ]):
        f = deco(f)
    return f


def ledger_options(f):
    """--ledger and --notice-category: bound the generators by what the permit ledger has left."""
    from .ledger.windows import CATEGORIES, DEFAULT_NOTICE_CATEGORY
    f = click.option("--notice-category", type=click.Choice(CATEGORIES),
                     default=DEFAULT_NOTICE_CATEGORY, show_default=True,
                     help="How generator hours inside a notice count against the ledger's windows.")(f)
    return click.option("--ledger", "ledger_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help="Permit ledger (SQLite): the plan stays inside what every window has left, and "
                             "the summary shows each budget before and after.")(f)


def _solve_options(time_limit, mip_gap, threads, log):
    from .solver import SolveOptions
    kw = {} if mip_gap is None else {"mip_rel_gap": mip_gap}
    return SolveOptions(time_limit_s=time_limit, threads=threads, log=log, **kw)


def _open_ledger(ledger_path):
    """The ledger named by --ledger (must exist), or None; ledger errors exit with the ledger's codes."""
    if ledger_path is None:
        return None
    from .ledger import Ledger
    from .ledger.windows import LedgerError
    if not ledger_path.is_file():
        _fail(f"--ledger: {ledger_path} does not exist (create it with `energyopt ledger init`)", EXIT_BAD_INPUT)
    try:
        return Ledger(ledger_path, who=os.environ.get("USER", "energyopt"))
    except LedgerError as exc:
        _fail(f"--ledger: {exc.render()}", exc.exit_code)


def _write_and_report(result, out_dir: Path, parquet: bool, quiet: bool, with_report: bool = False) -> None:
    from .results import OutputError
    from .results.text import render
    try:
        result.write(out_dir, parquet=parquet)
    except OutputError as exc:
        _fail(f"--out: {exc}", EXIT_BAD_INPUT)
    if with_report and result.status.has_schedule:
        from .report import write_report
        try:
            path = write_report(out_dir)
        except Exception as exc:  # noqa: BLE001 - the report's own errors carry their exit code
            if not hasattr(exc, "exit_code"):
                raise
            _fail(f"--report: {exc} (the result itself is written to {out_dir})", exc.exit_code)
        if not quiet:
            click.echo(f"  report: {path}")
    if not quiet or not result.status.has_schedule:
        click.echo(render(result), err=not result.status.has_schedule)
        if result.status.has_schedule and not quiet:
            click.echo(f"  written to {out_dir}")
    sys.exit(_status_exit(result.status))


@app.command(epilog="\b\nExample:\n  energyopt solve instances/texas_summer_day/texas_summer_day.toml --out out/texas\n\n"
             + EXIT_CODES_HELP)
@click.argument("instance", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for summary.json and steps.csv (written atomically; a previous result is replaced).")
@solver_options
@ledger_options
@click.option("--report", "with_report", is_flag=True, help="Also write OUT/report.html (see `energyopt report`).")
def solve(instance: Path, out_dir: Path, time_limit, mip_gap, threads, parquet, log, quiet, ledger_path,
          notice_category, with_report) -> None:
    """Solve INSTANCE (a TOML file) and write the schedule to --out."""
    from .api import solve as api_solve
    from .inputs import InstanceError, load_instance
    from .ledger.windows import LedgerError

    try:
        inst = load_instance(instance)
    except InstanceError as exc:
        _fail(exc.render(), EXIT_BAD_INPUT)
    _check_out(out_dir)
    budgets = ()
    ledger = _open_ledger(ledger_path)
    if ledger is not None:
        from .ledger.budgets import plan_budgets
        try:
            budgets = plan_budgets(ledger, inst, notice_category)
        except LedgerError as exc:
            _fail(f"--ledger {ledger_path}: {exc.render()}", exc.exit_code)
    result = api_solve(inst, _solve_options(time_limit, mip_gap, threads, log), budgets=budgets)
    _write_and_report(result, out_dir, parquet, quiet, with_report)


@app.command(epilog="\b\nExample:\n  energyopt replan out/texas --now 2025-07-15T13:40-05:00 --add-notices notices.csv "
             "--response-minutes 30 --out out/texas-1340\n\n" + EXIT_CODES_HELP)
@click.argument("previous", type=click.Path(file_okay=False, path_type=Path))
@click.option("--now", required=True, help="The moment of the re-plan (ISO time with UTC offset).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the new plan (summary.json, steps.csv, diff.txt, diff.json).")
@click.option("--instance", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The instance as it stands now (new forecasts, notices); default: the previous plan's own.")
@click.option("--add-notices", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CSV of notices issued since (docs/events.md): added to the instance.")
@click.option("--cancel-notice", multiple=True, metavar="ID", help="A notice withdrawn (repeatable).")
@click.option("--actuals", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CSV of what happened before now: `timestamp` and any decision columns of steps.csv.")
@click.option("--response-minutes", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="Time the site needs to act: steps that start before now + this stay as planned.")
@solver_options
@ledger_options
def replan(previous: Path, now: str, out_dir: Path, instance, add_notices, cancel_notice, actuals, response_minutes,
           time_limit, mip_gap, threads, parquet, log, quiet, ledger_path, notice_category) -> None:
    """Re-plan from NOW: keep PREVIOUS (a solve or replan folder) before it, re-optimize the rest."""
    import json

    import pandas as pd

    from .inputs import InstanceError
    from .ledger.windows import LedgerError
    from .ops.diff import diff_text
    from .ops.replan import ReplanError, replan as api_replan

    _check_out(out_dir)
    try:
        notices = []
        if add_notices is not None:
            from .ops.events import read_notices
            notices = read_notices(add_notices)
        frame = None
        if actuals is not None:
            try:
                frame = pd.read_csv(actuals)
            except (OSError, ValueError, pd.errors.ParserError) as exc:
                _fail(f"--actuals {actuals}: cannot read it as CSV ({exc})", EXIT_BAD_INPUT)
        result, diff = api_replan(previous, now, instance=instance, response_minutes=response_minutes, actuals=frame,
                                  actuals_name=str(actuals) if actuals else "actuals", add_notices=notices,
                                  cancel_notices=list(cancel_notice), ledger=_open_ledger(ledger_path),
                                  notice_category=notice_category,
                                  options=_solve_options(time_limit, mip_gap, threads, log))
    except InstanceError as exc:
        _fail(exc.render(), EXIT_BAD_INPUT)
    except ReplanError as exc:
        _fail(exc.render(), EXIT_REPLAN)
    except LedgerError as exc:
        _fail(f"--ledger {ledger_path}: {exc.render()}", exc.exit_code)
    if diff is not None:
        result.extra_files = {"diff.txt": diff_text(diff), "diff.json": json.dumps(diff, indent=2, default=str) + "\n"}
        if not quiet:
            click.echo(diff_text(diff))
    _write_and_report(result, out_dir, parquet, quiet)


@app.command(epilog="\b\nExample:\n  energyopt simulate summer.toml --out out/summer\n\n\b\nExit codes:\n"
             "  0 done   1 internal error   2 usage error   3 bad input\n"
             "  10-12 ledger errors (as for energyopt ledger)\n")
@click.argument("sim_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the simulation (written whole at the end; an earlier simulation is replaced).")
@click.option("--quiet", "-q", is_flag=True, help="No progress, no report.")
def simulate(sim_file: Path, out_dir: Path, quiet: bool) -> None:
    """Roll the day-ahead plan through the days of SIM_FILE: plan, re-plan on notices, settle, record
    (docs/simulate.md), beside a naive policy."""
    from .inputs import InstanceError
    from .ledger.windows import LedgerError
    from .ops.simulate import report_text, run

    def progress(done, total, row):
        if not quiet:
            click.echo(f"  day {done}/{total} {row['date']}: {row['plans']} plan(s), realized "
                       f"${row.get('realized_cost_usd') or 0:,.0f}", err=True)
    try:
        summary = run(sim_file, out_dir, progress=progress)
    except InstanceError as exc:
        _fail(exc.render(), EXIT_BAD_INPUT)
    except LedgerError as exc:
        _fail(f"ledger: {exc.render()}", exc.exit_code)
    if not quiet:
        click.echo(report_text(summary) + f"written to {out_dir}")


@app.command(epilog="\b\nExamples:\n  energyopt batch 'instances/**/*.toml' --out out/all\n"
             "  energyopt batch --sweep sweeps/texas.toml --out out/sweep --workers 2\n"
             "  energyopt batch --sweep sweeps/texas.toml --out out/sweep --scheduler tcp://10.0.0.5:8786\n\n"
             + EXIT_CODES_HELP)
@click.argument("instances", nargs=-1)
@click.option("--sweep", "sweeps", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A sweep file: a base instance and axes of changes (docs/batch.md). Repeatable.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for cases/<id>/ and summary.csv / summary.parquet.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Local worker processes (default: every core).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Run on this Dask distributed scheduler (e.g. tcp://10.0.0.5:8786) instead of locally.")
@click.option("--force", is_flag=True, help="Solve every case again, even those already solved with the same inputs.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None, help="Per case, seconds.")
@click.option("--mip-gap", type=click.FloatRange(0, 1), default=None, help="Per case  [default: 1e-4].")
@click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True,
              help="HiGHS threads per case (cases run in parallel).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def batch(instances, sweeps, out_dir: Path, workers, scheduler, force, time_limit, mip_gap, threads, quiet) -> None:
    """Solve many INSTANCES (files or globs) and sweeps in parallel; one folder per case and one summary table."""
    from .batch.cases import collect
    from .batch.runner import BatchError, Options, progress_printer, run_batch
    from .inputs import InstanceError

    try:
        cases = collect(list(instances), [str(s) for s in sweeps])
    except InstanceError as exc:
        _fail(exc.render(), EXIT_BAD_INPUT)
    if out_dir.exists() and not out_dir.is_dir():
        _fail(f"--out: {out_dir} exists and is not a folder", EXIT_BAD_INPUT)
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / "cases").is_dir():
        _fail(f"--out: {out_dir} holds files but no batch (cases/); give a new or empty folder", EXIT_BAD_INPUT)
    try:
        rows = run_batch(cases, out_dir, Options(time_limit_s=time_limit, mip_rel_gap=mip_gap, threads=threads),
                         workers=workers, scheduler=scheduler, force=force, report=progress_printer(quiet))
    except BatchError as exc:
        _fail(str(exc), EXIT_BATCH_CLUSTER)
    failed = [r for r in rows if r.get("status") != "optimal"]
    if not quiet:
        click.echo(f"{len(rows)} case(s): {len(rows) - len(failed)} optimal, {len(failed)} not; "
                   f"table: {out_dir / 'summary.csv'}")
        for r in failed[:20]:
            click.echo(f"  {r['id']}: {r.get('status')}" + (f" - {str(r['error'])[:200]}" if r.get("error") else ""))
    sys.exit(EXIT_BATCH_FAILED_CASES if failed else EXIT_OK)


@app.command(epilog="\b\nExample:\n  energyopt plan plans/texas.toml --out out/plan\n\n" + EXIT_CODES_HELP)
@click.argument("plan_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for plan.json, scenarios.csv and count_table.csv (written atomically).")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds for HiGHS (default: the plan file's time_limit_s).")
@click.option("--mip-gap", type=click.FloatRange(0, 1), default=None, help="Default: the plan file's mip_gap.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
def plan(plan_file: Path, out_dir: Path, time_limit, mip_gap, quiet) -> None:
    """Size gensets, battery and chilled-water storage for PLAN_FILE's site against its curtailment scenarios."""
    from .inputs import InstanceError
    from .inputs.plan import load_plan_file
    from .ops.planning import plan_solve_options, run_plan
    from .results.plan import write_plan
    from .solver import SolveStatus

    try:
        spec, _ = load_plan_file(plan_file)
        opts = plan_solve_options(time_limit if time_limit is not None else spec.time_limit_s,
                                  mip_gap if mip_gap is not None else spec.mip_gap)
        if out_dir.exists() and (not out_dir.is_dir() or (any(out_dir.iterdir())
                                                          and not (out_dir / "plan.json").is_file())):
            _fail(f"--out: {out_dir} exists and is not an energyopt plan; refusing to replace it", EXIT_BAD_INPUT)
        run = run_plan(plan_file, opts)
    except InstanceError as exc:
        _fail(exc.render(), EXIT_BAD_INPUT)
    status = SolveStatus(run.summary["status"])
    if not status.has_schedule:
        _fail(f"{plan_file}: {status.value}\n" + "\n".join(f"  ! {d}" for d in run.summary.get("diagnosis", [])),
              _status_exit(status))
    try:
        write_plan(out_dir, run.summary, run.count_table)
    except OSError as exc:
        _fail(f"--out: {exc}", EXIT_BAD_INPUT)
    if not quiet:
        s = run.summary
        click.echo(f"{s['plan']}: {s['status']} (gap {s['mip_gap']:.2e}, HiGHS {s['solve_seconds']:.1f} s)")
        click.echo(f"  sizes: {s['sizes']}")
        click.echo(f"  annual cost ${s['annual_cost_usd']['total']:,.0f} (capex and fixed O&M "
                   f"${sum(s['annual_cost_usd']['capex_and_fixed_om'].values()):,.0f}, operations "
                   f"${s['annual_cost_usd']['operations']:,.0f})")
        for row in run.count_table:
            cost = f"${row['total_usd_per_year']:,.0f}" if row["total_usd_per_year"] is not None else row["status"]
            click.echo(f"  {row['type']} x {row['units']}: {cost}{'  <- chosen' if row['optimum'] else ''}")
        click.echo(f"  written to {out_dir}")
    sys.exit(_status_exit(status))


@app.command(epilog="\b\nExample:\n  energyopt headroom site-year.toml --hours 0,22,44,88 --out headroom.csv\n\n"
             + EXIT_CODES_HELP)
@click.argument("instance", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--hours", "hours", default=None, help="Curtailment limits in hours over the horizon, e.g. 0,22,44,88.")
@click.option("--energy-percent", "energy", default=None,
              help="Curtailment limits as percent of the added load's energy, e.g. 0.25,0.5,1.")
@click.option("--max-mw", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Largest added load considered (default: the interconnection limit).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the curve as CSV (atomically).")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None, help="Per point, seconds.")
def headroom(instance: Path, hours, energy, max_mw, out_file, time_limit) -> None:
    """How much flexible IT load (MW) fits at INSTANCE's site if it accepts curtailing it a limited time."""
    from .inputs import InstanceError, load_instance
    from .ops.headroom import headroom_curve
    from .solver import SolveOptions

    if (hours is None) == (energy is None):
        _fail("give --hours or --energy-percent (a comma-separated list of limits)", EXIT_USAGE)
    text, mode = (hours, "hours") if hours is not None else (energy, "energy")
    try:
        limits = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        _fail(f"--{'hours' if mode == 'hours' else 'energy-percent'}: {text!r} is not a list of numbers", EXIT_USAGE)
    import math
    if not limits or any(not math.isfinite(x) or x < 0 for x in limits):
        _fail("the limits must be finite numbers >= 0", EXIT_USAGE)
    if out_file is not None and not out_file.absolute().parent.is_dir():
        _fail(f"--out: the folder {out_file.absolute().parent} does not exist", EXIT_BAD_INPUT)
    try:
        inst = load_instance(instance)
    except InstanceError as exc:
        _fail(exc.render(), EXIT_BAD_INPUT)
    points = headroom_curve(inst, limits, mode, max_mw, SolveOptions(time_limit_s=time_limit, mip_rel_gap=1e-6))
    unit = "h" if mode == "hours" else "% of energy"
    click.echo(f"{'limit':>12}  {'added MW':>10}  {'curtailed h':>11}  {'curtailed MWh':>13}  status")
    for p in points:
        added = f"{p.added_mw:10.3f}" if p.added_mw is not None else f"{'-':>10}"
        h = f"{p.curtailed_hours:11.2f}" if p.curtailed_hours is not None else f"{'-':>11}"
        e = f"{p.curtailed_mwh:13.2f}" if p.curtailed_mwh is not None else f"{'-':>13}"
        click.echo(f"{p.limit:>9g} {unit:<3}  {added}  {h}  {e}  {p.status}")
    if out_file is not None:
        import dataclasses

        import pandas as pd

        from .atomic import write_file
        frame = pd.DataFrame([dataclasses.asdict(p) for p in points]).rename(columns={"limit": f"limit_{mode}"})
        write_file(out_file, lambda tmp: frame.to_csv(tmp, index=False))
    bad = [p for p in points if p.status != "optimal"]
    sys.exit(EXIT_OK if not bad else _status_exit(__import__("energyopt.solver", fromlist=["SolveStatus"])
                                                  .SolveStatus(bad[0].status)))


def _check_out(out_dir: Path) -> None:
    """Refuse an output folder we must not replace before spending time on a solve."""
    from .results.result import output_dir_problem
    problem = output_dir_problem(out_dir)
    if problem:
        _fail(f"--out: {problem}", EXIT_BAD_INPUT)


@app.command(epilog="\b\nExample:\n  energyopt validate instances/small/small.toml\n\n" + EXIT_CODES_HELP)
@click.argument("instance", type=click.Path(dir_okay=False, path_type=Path))
def validate(instance: Path) -> None:
    """Check INSTANCE and list every problem at once (exit 0 if valid, 3 if not)."""
    from .inputs import InstanceError, load_instance
    try:
        inst = load_instance(instance)
    except InstanceError as exc:
        _fail(exc.render(), EXIT_BAD_INPUT)
    g = inst.time
    click.echo(f"{instance}: valid. {g.n_steps} steps of {g.step_minutes} min from {g.start} to {g.end}; "
               f"{len(inst.generators)} generators, {len(inst.training_jobs)} training jobs, "
               f"{len(inst.inference)} inference services, {len(inst.notices)} notices.")


@app.command(epilog="\b\nExample:\n  energyopt check instances/small/small.toml out/small\n\n" + EXIT_CODES_HELP)
@click.argument("instance", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("result_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--tol", type=click.FloatRange(min=0), default=None,
              help="Relative tolerance: a quantity of size m may be off by tol x max(1, m)  [default: 1e-6].")
def check(instance: Path, result_dir: Path, tol: float) -> None:
    """Re-verify the schedule in RESULT_DIR against INSTANCE, without the model (exit 0 if it holds, 9 if not;
    3 if the instance is invalid or RESULT_DIR holds no readable summary.json and steps.csv)."""
    from .check import Violation, check_files, instance_for, read_result
    from .inputs import InstanceError
    problems = []
    files = read_result(result_dir)
    if isinstance(files, Violation):
        problems.append(f"cannot check {result_dir}: {files.message}")
    try:  # a re-plan answers its instance with the notices it added or cancelled (kept in its summary)
        inst = instance_for(instance, files.summary if not isinstance(files, Violation) else {})
    except InstanceError as exc:
        problems.insert(0, exc.render())
    if problems:
        _fail("\n".join(problems), EXIT_BAD_INPUT)
    from .check import DEFAULT_TOL
    violations = check_files(inst, files, tol=DEFAULT_TOL if tol is None else tol, folder=result_dir)
    if violations:
        _fail(f"{result_dir}: {len(violations)} violation(s):\n" + "\n".join(f"  - {v}" for v in violations),
              EXIT_CHECK_FAILED)
    click.echo(f"{result_dir}: the schedule satisfies every constraint of {instance} and its summary adds up.")


def _register_ledger() -> None:
    from .ledger.cli import ledger_group
    from .report.cli import report_command
    app.add_command(ledger_group, "ledger")
    app.add_command(report_command, "report")


_register_ledger()


def main() -> None:
    """Console entry point: no traceback reaches the user; a bug is reported as exit 1."""
    try:
        app.main(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("ENERGYOPT_DEBUG"):
            traceback.print_exc()
        click.echo(f"internal error: {type(exc).__name__}: {exc} (set ENERGYOPT_DEBUG=1 for details; "
                   "please report it)", err=True)
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
