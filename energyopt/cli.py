"""The command line (``energyopt solve``, ``replan``, ``validate``, ...), a thin layer over :mod:`energyopt.api`.

Errors are raised (every one an :class:`energyopt.errors.EnergyoptError`) and turned into a message and an
exit code in one place, :mod:`energyopt.command`; the exit codes are those of :mod:`energyopt.errors`.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from . import errors as E
from .command import Group

EXIT_CODES_HELP = E.help_text()

#: Default time budgets (s) of one command: build, solve and diagnosis together. A day-ahead solve has minutes to
#: spare, yet a run should never sit silent for long (the benchmark set's goal is 0.01% within 60 s on 2 cores); a
#: re-plan answers a notice (ERCOT's ERS-10 must respond within 10 minutes), so it keeps most of that window.
SOLVE_TIME_LIMIT_S = 120.0
REPLAN_TIME_LIMIT_S = 60.0


def _status_exit(status, termination=None) -> int:
    """The exit code of a solve that ended with ``status`` (and ``termination``, where known)."""
    from .solver.status import outcome
    return outcome(status, termination).exit_code


@click.group(cls=Group, epilog="\b\nExamples:\n  energyopt validate instances/small/small.toml\n"
             "  energyopt solve instances/texas_summer_day/texas_summer_day.toml --out out/texas\n\n"
             + EXIT_CODES_HELP)
@click.version_option(package_name="energyopt")
@click.pass_context
def app(ctx) -> None:
    """energyopt: day-ahead power plans for AI data centers.

    Plans grid import, backup generators, cooling, training jobs and inference against prices,
    curtailment notices and air permits, as a mixed-integer model solved with HiGHS.
    """
    ctx.meta["energyopt.started"] = time.monotonic()


def started() -> float:
    """When this command started (``time.monotonic()``): its time budget counts from here, before the heavy
    imports (pandas, Pyomo, HiGHS), which happen inside the command."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get("energyopt.started", time.monotonic()) if ctx is not None else time.monotonic()


def solver_options(default_limit: float):
    """--time-limit, --mip-gap, --threads, --parquet, --log, --quiet: shared by solve and replan."""
    return lambda f: _solver_options(f, default_limit)


def _solver_options(f, default_limit: float):
    for deco in reversed([
        click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=default_limit,
                     show_default=True,
                     help="Seconds for the whole command (loading, building, solving and any diagnosis), counted "
                          "from its start; at the limit the best schedule found is written with its proven gap "
                          "(exit 5)."),
        click.option("--mip-gap", type=click.FloatRange(0, 1), default=None,
                     help="Relative MIP gap at which HiGHS stops  [default: 1e-4]."),
        click.option("--threads", type=click.IntRange(min=1), default=None,
                     help="HiGHS threads (default: HiGHS's choice)."),
        click.option("--parquet", is_flag=True, help="Also write steps.parquet."),
        click.option("--log", is_flag=True, help="Show HiGHS's log."),
        click.option("--quiet", "-q", is_flag=True, help="Print nothing on success, and no progress."),
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


def _solve_options(time_limit, mip_gap, threads, log, quiet=True):
    """The options of one command and its progress printer (or None): its whole time budget from the process's
    start, and live progress on stderr (not with --quiet, nor with --log, whose own lines say as much)."""
    from .progress import Printer
    from .solver import SolveOptions
    kw = {} if mip_gap is None else {"mip_rel_gap": mip_gap}
    printer = None if quiet or log else Printer(started=started(), limit_s=time_limit)
    return SolveOptions(time_limit_s=time_limit, threads=threads, log=log,
                        deadline=None if time_limit is None else started() + time_limit,
                        progress=printer.solve if printer is not None else None, **kw), printer


def _open_ledger(ledger_path):
    """The ledger named by --ledger (must exist), or None; ledger errors exit with the ledger's codes."""
    if ledger_path is None:
        return None
    from .ledger import Ledger
    if not ledger_path.is_file():
        raise E.BadInput(f"--ledger: {ledger_path} does not exist (create it with `energyopt ledger init`)")
    with E.about("--ledger"):
        return Ledger(ledger_path, who=os.environ.get("USER", "energyopt"))


def _write_and_report(result, out_dir: Path, parquet: bool, quiet: bool, with_report: bool = False) -> None:
    from .results.text import render
    with E.about("--out"):
        result.write(out_dir, parquet=parquet)
    if with_report and result.status.has_schedule:
        from .report import write_report
        with E.about(f"--report (the result itself is written to {out_dir})"):
            path = write_report(out_dir)
        if not quiet:
            click.echo(f"  report: {path}")
    if not quiet or not result.status.has_schedule:
        click.echo(render(result), err=not result.status.has_schedule)
        if result.status.has_schedule and not quiet:
            click.echo(f"  written to {out_dir}")
    sys.exit(_status_exit(result.status, result.summary.get("termination")))


@app.command(epilog="\b\nExample:\n  energyopt solve instances/texas_summer_day/texas_summer_day.toml --out out/texas\n\n"
             + EXIT_CODES_HELP)
@click.argument("instance", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for summary.json and steps.csv (written atomically; a previous result is replaced).")
@solver_options(SOLVE_TIME_LIMIT_S)
@ledger_options
@click.option("--report", "with_report", is_flag=True, help="Also write OUT/report.html (see `energyopt report`).")
def solve(instance: Path, out_dir: Path, time_limit, mip_gap, threads, parquet, log, quiet, ledger_path,
          notice_category, with_report) -> None:
    """Solve INSTANCE (a TOML file) and write the schedule to --out."""
    from .api import solve as api_solve
    from .inputs import load_instance

    inst = load_instance(instance)
    _check_out(out_dir)
    budgets = ()
    ledger = _open_ledger(ledger_path)
    if ledger is not None:
        from .ledger.budgets import plan_budgets
        with E.about(f"--ledger {ledger_path}", E.LedgerError):
            budgets = plan_budgets(ledger, inst, notice_category)
    opts, printer = _solve_options(time_limit, mip_gap, threads, log, quiet)
    result = api_solve(inst, opts, budgets=budgets)
    if printer is not None:
        printer.done()
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
@solver_options(REPLAN_TIME_LIMIT_S)
@ledger_options
def replan(previous: Path, now: str, out_dir: Path, instance, add_notices, cancel_notice, actuals, response_minutes,
           time_limit, mip_gap, threads, parquet, log, quiet, ledger_path, notice_category) -> None:
    """Re-plan from NOW: keep PREVIOUS (a solve or replan folder) before it, re-optimize the rest."""
    import json

    import pandas as pd

    from .ops.diff import diff_text
    from .ops.replan import replan as api_replan

    _check_out(out_dir)
    notices = []
    if add_notices is not None:
        from .ops.events import read_notices
        notices = read_notices(add_notices)
    frame = None
    if actuals is not None:
        try:
            frame = pd.read_csv(actuals)
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            raise E.BadInput(f"--actuals {actuals}: cannot read it as CSV ({exc})") from None
    ledger = _open_ledger(ledger_path)
    opts, printer = _solve_options(time_limit, mip_gap, threads, log, quiet)
    with E.about(f"--ledger {ledger_path}", E.LedgerError):
        result, diff = api_replan(previous, now, instance=instance, response_minutes=response_minutes, actuals=frame,
                                  actuals_name=str(actuals) if actuals else "actuals", add_notices=notices,
                                  cancel_notices=list(cancel_notice), ledger=ledger, notice_category=notice_category,
                                  options=opts)
    if printer is not None:
        printer.done()
    if diff is not None:
        result.extra_files = {"diff.txt": diff_text(diff), "diff.json": json.dumps(diff, indent=2, default=str) + "\n"}
        if not quiet:
            click.echo(diff_text(diff))
    _write_and_report(result, out_dir, parquet, quiet)


@app.command(epilog="\b\nExample:\n  energyopt simulate summer.toml --out out/summer\n\n" + E.help_text(E.LEDGER))
@click.argument("sim_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the simulation (written whole at the end; an earlier simulation is replaced).")
@click.option("--quiet", "-q", is_flag=True, help="No progress, no report.")
def simulate(sim_file: Path, out_dir: Path, quiet: bool) -> None:
    """Roll the day-ahead plan through the days of SIM_FILE: plan, re-plan on notices, settle, record
    (docs/simulate.md), beside a naive policy."""
    from .ops.simulate import report_text, run
    from .progress import Printer

    printer = None if quiet else Printer(started=started())

    def progress(done, total, row):
        if printer is not None:
            printer.done()
            printer.stage(f"day {min(done + 1, total)}/{total}")
            click.echo(f"  day {done}/{total} {row['date']}: {row['plans']} plan(s), realized "
                       f"${row.get('realized_cost_usd') or 0:,.0f}", err=True)
    if printer is not None:
        printer.stage("day 1")
    with E.about("ledger", E.LedgerError):
        summary = run(sim_file, out_dir, progress=progress, solve_progress=printer.solve if printer else None)
    if printer is not None:
        printer.done()
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
@click.option("--tls-ca", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="With --scheduler tls://...: the CA certificate (PEM) that signed the cluster's certificates.")
@click.option("--tls-cert", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="With --scheduler tls://...: this client's certificate (PEM).")
@click.option("--tls-key", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="With --scheduler tls://...: this client's private key (PEM).")
@click.option("--force", is_flag=True, help="Solve every case again, even those already solved with the same inputs.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds per case, over loading, building, solving and diagnosis; at the limit the case keeps "
                   "the best schedule found with its gap (status time_limit_feasible). Default: none.")
@click.option("--mip-gap", type=click.FloatRange(0, 1), default=None, help="Per case  [default: 1e-4].")
@click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True,
              help="HiGHS threads per case (cases run in parallel).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def batch(instances, sweeps, out_dir: Path, workers, scheduler, tls_ca, tls_cert, tls_key, force, time_limit, mip_gap,
          threads, quiet) -> None:
    """Solve many INSTANCES (files or globs) and sweeps in parallel; one folder per case and one summary table."""
    from .batch.cases import collect
    from .batch.cluster import make_security
    from .batch.runner import Options, progress_printer, run_batch

    if (tls_ca or tls_cert or tls_key) and scheduler is None:
        raise E.BadInput("--tls-ca/--tls-cert/--tls-key go with --scheduler tls://HOST:PORT")
    security = make_security(tls_ca, tls_cert, tls_key)
    cases = collect(list(instances), [str(s) for s in sweeps])
    if out_dir.exists() and not out_dir.is_dir():
        raise E.BadInput(f"--out: {out_dir} exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / "cases").is_dir():
        raise E.BadInput(f"--out: {out_dir} holds files but no batch (cases/); give a new or empty folder")
    rows = run_batch(cases, out_dir, Options(time_limit_s=time_limit, mip_rel_gap=mip_gap, threads=threads),
                     workers=workers, scheduler=scheduler, force=force, report=progress_printer(quiet),
                     security=security)
    failed = [r for r in rows if r.get("status") != "optimal"]
    if not quiet:
        click.echo(f"{len(rows)} case(s): {len(rows) - len(failed)} optimal, {len(failed)} not; "
                   f"table: {out_dir / 'summary.csv'}")
        for r in failed[:20]:
            click.echo(f"  {r['id']}: {r.get('status')}" + (f" - {str(r['error'])[:200]}" if r.get("error") else ""))
    sys.exit(E.BatchCasesFailed.exit_code if failed else E.Success.exit_code)


@app.command(epilog="\b\nExample:\n  energyopt plan plans/texas.toml --out out/plan\n\n" + EXIT_CODES_HELP)
@click.argument("plan_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for plan.json, scenarios.csv, event_days.csv and count_table.csv (written atomically).")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds for the whole run, from its start: the sizing solve, then the count table and "
                   "evaluations with what is left; at the limit the best design found is written with its gap "
                   "(exit 5)  [default: the plan file's time_limit_s, 600].")
@click.option("--mip-gap", type=click.FloatRange(0, 1), default=None, help="Default: the plan file's mip_gap.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success, and no progress.")
def plan(plan_file: Path, out_dir: Path, time_limit, mip_gap, quiet) -> None:
    """Size gensets, battery and chilled-water storage for PLAN_FILE's site against its curtailment scenarios."""
    from .inputs.plan import load_plan_file
    from .ops.planning import plan_solve_options, run_plan
    from .results.lifecycle import economics_lines
    from .results.plan import write_plan
    from .solver.status import SolveStatus, outcome

    from .progress import Printer

    spec, _ = load_plan_file(plan_file)
    limit = time_limit if time_limit is not None else spec.time_limit_s
    printer = None if quiet else Printer(started=started(), limit_s=limit)
    opts = plan_solve_options(limit, mip_gap if mip_gap is not None else spec.mip_gap, started=started(),
                              progress=printer.solve if printer is not None else None)
    if out_dir.exists() and (not out_dir.is_dir() or (any(out_dir.iterdir())
                                                      and not (out_dir / "plan.json").is_file())):
        raise E.BadInput(f"--out: {out_dir} exists and is not an energyopt plan; refusing to replace it")
    run = run_plan(plan_file, opts, printer)
    if printer is not None:
        printer.done()
    status, term = SolveStatus(run.summary["status"]), run.summary.get("termination")
    if not status.has_schedule:
        raise outcome(status, term)(f"{plan_file}: {status.value}\n"
                                    + "\n".join(f"  ! {d}" for d in run.summary.get("diagnosis", [])))
    try:
        write_plan(out_dir, run.summary, run.count_table)
    except OSError as exc:
        raise E.BadInput(f"--out: {exc}") from None
    if not quiet:
        s = run.summary
        click.echo(f"{s['plan']}: {s['status']} (gap {s['mip_gap']:.2e}, HiGHS {s['solve_seconds']:.1f} s)")
        click.echo(f"  sizes: {s['sizes']}")
        click.echo(f"  annual cost ${s['annual_cost_usd']['total']:,.0f} (capex and fixed O&M "
                   f"${sum(s['annual_cost_usd']['capex_and_fixed_om'].values()):,.0f}, operations "
                   f"${s['annual_cost_usd']['operations']:,.0f})")
        click.echo("\n".join(economics_lines(s)))
        fy = s.get("full_year_evaluation") or {}
        if fy.get("status") not in (None, "off", "plan_is_full_year"):
            total = fy.get("objective_usd_per_year")
            click.echo(f"  full-year evaluation: {fy['status']}" + (
                f", ${total:,.0f}/yr (the plan's estimate {fy['difference_from_plan_fraction']:+.2%})"
                if total is not None else ""))
        for u in fy.get("per_unit") or []:
            if u["units_needed"] != u["units"] or not u["feasible"]:
                click.echo(f"  {u['type']} unit by unit: {u['message']}")
        for row in run.count_table:
            cost = f"${row['total_usd_per_year']:,.0f}" if row["total_usd_per_year"] is not None else row["status"]
            click.echo(f"  {row['type']} x {row['units']}: {cost}{'  <- chosen' if row['optimum'] else ''}")
        click.echo(f"  written to {out_dir}")
    sys.exit(_status_exit(status, term))


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
    from .inputs import load_instance
    from .ops.headroom import headroom_curve
    from .solver import SolveOptions

    if (hours is None) == (energy is None):
        raise E.UsageError("give --hours or --energy-percent (a comma-separated list of limits)")
    text, mode = (hours, "hours") if hours is not None else (energy, "energy")
    try:
        limits = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise E.UsageError(f"--{'hours' if mode == 'hours' else 'energy-percent'}: {text!r} is not a list of "
                           "numbers") from None
    import math
    if not limits or any(not math.isfinite(x) or x < 0 for x in limits):
        raise E.UsageError("the limits must be finite numbers >= 0")
    if out_file is not None and not out_file.absolute().parent.is_dir():
        raise E.BadInput(f"--out: the folder {out_file.absolute().parent} does not exist")
    inst = load_instance(instance)
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
    sys.exit(_status_exit(bad[0].status) if bad else E.Success.exit_code)


def _check_out(out_dir: Path) -> None:
    """Refuse an output folder we must not replace before spending time on a solve."""
    from .results.result import output_dir_problem
    problem = output_dir_problem(out_dir)
    if problem:
        raise E.BadInput(f"--out: {problem}")


@app.command(epilog="\b\nExample:\n  energyopt validate instances/small/small.toml\n\n" + EXIT_CODES_HELP)
@click.argument("instance", type=click.Path(dir_okay=False, path_type=Path))
def validate(instance: Path) -> None:
    """Check INSTANCE and list every problem at once (exit 0 if valid, 3 if not)."""
    from .inputs import load_instance
    inst = load_instance(instance)
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
        raise E.BadInput("\n".join(problems))
    from .check import DEFAULT_TOL
    violations = check_files(inst, files, tol=DEFAULT_TOL if tol is None else tol, folder=result_dir)
    if violations:
        raise E.CheckFailed(f"{result_dir}: {len(violations)} violation(s):", violations)
    click.echo(f"{result_dir}: the schedule satisfies every constraint of {instance} and its summary adds up.")


def _register_ledger() -> None:
    from .ledger.cli import ledger_group
    from .report.cli import report_command
    app.add_command(ledger_group, "ledger")
    app.add_command(report_command, "report")
    from .importers.cli import series_group
    app.add_command(series_group, "series")
    from .ops.initcli import init_command
    app.add_command(init_command, "init")


_register_ledger()


def main() -> None:
    """Console entry point: every error becomes its message and exit code (:func:`energyopt.command.run`), and
    no traceback reaches the user."""
    app.main()


if __name__ == "__main__":
    main()
