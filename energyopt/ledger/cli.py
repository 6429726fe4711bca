"""``energyopt ledger ...``: the permit ledger from the command line (a thin layer over :class:`Ledger`).

``energyopt.cli`` registers ``ledger_group`` as ``energyopt ledger`` (and reports any bug without a traceback).
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from .. import errors as E
from ..command import Group
from .store import DEFAULT_PATH, ENV_PATH, Ledger
from .windows import CATEGORIES, DEFAULT_NOTICE_CATEGORY, UNITS, LedgerInputError

#: The ledger's exit codes (defined by their classes in energyopt.errors).
EXIT_BAD_INPUT, EXIT_EXCEEDS = E.LedgerInputError.exit_code, E.PermitExceeded.exit_code
EXIT_CORRUPT, EXIT_LOCKED = E.LedgerCorrupt.exit_code, E.LedgerLocked.exit_code

EXIT_CODES_HELP = E.help_text(E.LEDGER, scoped=False) + "Every refusal changes nothing.\n"


def _options(write: bool):
    """--ledger and --wait on every command, --who on those that change the ledger."""
    def deco(f):
        f = click.option("--wait", type=click.FloatRange(min=0), default=10.0, show_default=True,
                         help="Seconds to wait for another process's write lock before giving up (exit 12).")(f)
        f = click.option("--ledger", "ledger_path", envvar=ENV_PATH, default=DEFAULT_PATH, show_default=True,
                         type=click.Path(dir_okay=False, path_type=Path),
                         help=f"The ledger file (or set {ENV_PATH}).")(f)
        if write:
            f = click.option("--who", default=None, help="Name recorded in the audit trail (default: login name).")(f)
        return f
    return deco


def _open(ledger_path: Path, wait: float, who: str | None = None) -> Ledger:
    return Ledger(ledger_path, wait=wait, who=who)


@click.group("ledger", cls=Group, epilog="\b\nExamples:\n  energyopt ledger init --ledger site.sqlite\n"
             "  energyopt ledger unit add G1 --timezone America/Chicago \\\n"
             "      --window calendar_year:testing_and_non_emergency:hours:100 \\\n"
             "      --window calendar_year:non_emergency:hours:50\n"
             "  energyopt ledger record out/today\n  energyopt ledger show\n\n" + EXIT_CODES_HELP)
def ledger_group() -> None:
    """The permit ledger: generator run hours, starts, fuel and NOx per unit and local day, in SQLite.

    Record executed plans and operator actuals, and see what every permit window (calendar year, rolling
    12 months, day; all / testing and non-emergency / non-emergency hours) has left.
    """


@ledger_group.command(epilog=EXIT_CODES_HELP)
@_options(write=True)
def init(ledger_path, wait, who) -> None:
    """Create a ledger file (nothing happens to an existing ledger)."""
    led = Ledger(ledger_path, create=True, wait=wait, who=who)
    if led.created:
        click.echo(f"created ledger {ledger_path}")
    else:
        n = led._con.execute("SELECT COUNT(*) FROM units").fetchone()[0]
        click.echo(f"{ledger_path} is already a ledger ({n} unit(s)); nothing changed")


@ledger_group.group()
def unit() -> None:
    """Register units and list them."""


@unit.command("add", epilog="\b\nWindow: KIND:APPLIES_TO:METRIC:LIMIT with\n"
              "  KIND       calendar_year | rolling_12_months | day\n"
              "  APPLIES_TO all | testing_and_non_emergency | non_emergency\n"
              "  METRIC     hours | nox_kg | fuel_gal\n\n" + EXIT_CODES_HELP)
@click.argument("unit_id")
@click.option("--timezone", "tz", required=True, help="IANA timezone of the unit's local days, e.g. America/Chicago.")
@click.option("--window", "windows", multiple=True, help="A permit window (repeat for several).")
@_options(write=True)
def unit_add(unit_id, tz, windows, ledger_path, wait, who) -> None:
    """Add UNIT_ID (the generator id of the instances) with its permit windows."""
    added = _open(ledger_path, wait, who).add_unit(unit_id, tz, windows)
    if added:
        click.echo(f"added unit {unit_id} ({tz}) with {len(windows)} permit window(s)"
                   + "".join(f"\n  {w}" for w in windows))
    else:
        click.echo(f"unit {unit_id} already exists with the same timezone and windows; nothing changed")


@unit.command("list", epilog=EXIT_CODES_HELP)
@_options(write=False)
def unit_list(ledger_path, wait) -> None:
    """List the units and their permit windows."""
    units = _open(ledger_path, wait).units()
    if not units:
        click.echo("no units; add one with `energyopt ledger unit add`")
    for u, (tz, wins) in sorted(units.items()):
        click.echo(f"{u} ({tz})" + "".join(f"\n  {w.spec}" for w in wins))


@ledger_group.command(epilog=EXIT_CODES_HELP)
@click.argument("unit_id")
@click.argument("day", metavar="DATE")
@click.option("--category", required=True, help=f"One of {', '.join(CATEGORIES)}.")
@click.option("--hours", required=True, metavar="H", help="Run hours on that local day.")
@click.option("--starts", default="0", show_default=True, metavar="N", help="Starts.")
@click.option("--fuel-gal", default="0", show_default=True, metavar="F", help="Fuel burned (gal).")
@click.option("--nox-kg", default="0", show_default=True, metavar="K", help="NOx emitted (kg).")
@click.option("--note", default=None, help="Free text kept with the entry.")
@click.option("--allow-over", is_flag=True, help="Record even if a permit window goes over its limit (flagged).")
@_options(write=True)
def add(unit_id, day, category, hours, starts, fuel_gal, nox_kg, note, allow_over, ledger_path, wait, who) -> None:
    """Record operator actuals of UNIT_ID on local DATE (YYYY-MM-DD)."""
    led = _open(ledger_path, wait, who)
    entry_id = led.add_entry(unit_id, day, category, hours, starts, fuel_gal, nox_kg, note, allow_over)
    flagged = led._con.execute("SELECT over_limit FROM entries WHERE entry_id = ?", (entry_id,)).fetchone()[0]
    click.echo(f"recorded entry {entry_id}: {unit_id} {day} {category} {float(hours):g} h, {starts} start(s), "
               f"{float(fuel_gal):g} gal, {float(nox_kg):g} kg NOx"
               + ("\n  FLAGGED: this entry takes a permit window over its limit (see `ledger show`)"
                  if flagged else ""))


@ledger_group.command(epilog=EXIT_CODES_HELP)
@click.argument("plan_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--notice-category", type=click.Choice(CATEGORIES), default=DEFAULT_NOTICE_CATEGORY, show_default=True,
              help="Category of hours run inside a curtailment notice (non_emergency for demand-response "
                   "programs that count as non-emergency use); hours outside notices are non_emergency.")
@click.option("--allow-over", is_flag=True, help="Record even if a permit window goes over its limit (flagged).")
@click.option("--allow-overlap", is_flag=True, help="Record even if a recorded plan covers the same hours.")
@_options(write=True)
def record(plan_dir, notice_category, allow_over, allow_overlap, ledger_path, wait, who) -> None:
    """Record the generator use of PLAN_DIR (a result folder of `energyopt solve`), once."""
    out = _open(ledger_path, wait, who).record_plan(plan_dir, notice_category, allow_over, allow_overlap)
    if out.already:
        at, by, src = out.previous
        click.echo(f"plan {out.plan_id} already recorded on {at} by {by} (from {src}); nothing changed")
        return
    n = len(out.entry_ids)
    click.echo(f"recorded plan {out.plan_id} from {plan_dir}: {n} entr{'y' if n == 1 else 'ies'}")
    for i, r in zip(out.entry_ids, out.rows):
        click.echo(f"  entry {i}: {r.unit_id} {r.day} {r.category} {r.hours:g} h, {r.starts} start(s), "
                   f"{r.fuel_gal:.6g} gal, {r.nox_kg:.6g} kg NOx")
    if out.flagged:
        click.echo(f"  FLAGGED: {out.flagged} entr{'y takes' if out.flagged == 1 else 'ies take'} a permit window "
                   "over its limit")


@ledger_group.command("import", epilog="\b\nColumns: unit_id,date,category,hours,starts,fuel_gal,nox_kg[,note]\n\n"
                      + EXIT_CODES_HELP)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--allow-over", is_flag=True, help="Import even if a permit window goes over its limit (flagged).")
@_options(write=True)
def import_(file, allow_over, ledger_path, wait, who) -> None:
    """Import actuals from a CSV FILE: every row is checked first; all rows land or none."""
    out = _open(ledger_path, wait, who).import_csv(file, allow_over)
    if out.already:
        at, by, src = out.previous
        click.echo(f"{file}: the same content was imported on {at} by {by} (from {src}); nothing changed")
        return
    click.echo(f"imported {len(out.entry_ids)} row(s) from {file} (entries {out.entry_ids[0]}-{out.entry_ids[-1]})"
               + (f"\n  FLAGGED: {out.flagged} row(s) take a permit window over its limit" if out.flagged else ""))


@ledger_group.command(epilog=EXIT_CODES_HELP)
@click.argument("entry_id", required=False, type=int)
@click.option("--plan", "plan_id", default=None, help="Void every live entry of this recorded plan instead.")
@click.option("--reason", required=True, help="Why (kept in the audit trail).")
@_options(write=True)
def void(entry_id, plan_id, reason, ledger_path, wait, who) -> None:
    """Void ENTRY_ID (or --plan PLAN_ID): it stays in the ledger, marked void, and stops counting."""
    if (entry_id is None) == (plan_id is None):
        raise LedgerInputError("give either ENTRY_ID or --plan PLAN_ID")
    led = _open(ledger_path, wait, who)
    if plan_id is not None:
        n = led.void_plan(plan_id, reason)
        click.echo(f"voided {n} entr{'y' if n == 1 else 'ies'} of plan {plan_id}: {reason}")
    else:
        led.void(entry_id, reason)
        click.echo(f"voided entry {entry_id}: {reason}")


@ledger_group.command(epilog=EXIT_CODES_HELP)
@click.option("--unit", "unit_id", default=None, help="Only this unit.")
@click.option("--as-of", default=None, metavar="DATE",
              help="Count entries up to this local date (default: today, or the last entry if later).")
@_options(write=False)
def show(unit_id, as_of, ledger_path, wait) -> None:
    """Per unit and permit window: used, limit, remaining, and over-limit flags."""
    led = _open(ledger_path, wait)
    df = led.show(unit_id, as_of)
    units = led.units()
    for u in [unit_id] if unit_id else sorted(units):
        tz, wins = units[u]
        rows = df[df["unit_id"] == u]
        when = f" as of {rows['as_of'].iloc[0]}" if len(rows) else ""
        click.echo(f"{u} ({tz}){when}")
        if not wins:
            click.echo("  no permit windows")
            continue
        click.echo(f"  {'window':<46} {'period':<23} {'used':>12} {'limit':>12} {'remaining':>12}")
        for r in rows.itertuples():
            unit_ = UNITS[r.metric]
            period = f"{r.window_start}" if r.kind == "day" else f"{r.window_start}..{r.window_end}"
            flag = "  OVER LIMIT" if r.over_limit else ""
            click.echo(f"  {r.kind + ' ' + r.applies_to + ' ' + r.metric:<46} {period:<23} "
                       f"{r.used:>10.6g} {unit_:<1} {r.limit:>10.6g} {unit_:<1} {r.remaining:>10.6g} {unit_}{flag}")
            if r.overruns:
                click.echo(f"    {r.overruns} window(s) over the limit so far, the first ending {r.first_overrun}")
        if len(rows) and rows["flagged_entries"].iloc[0]:
            click.echo(f"  {rows['flagged_entries'].iloc[0]} entr(ies) were recorded over a limit with --allow-over")


@ledger_group.command(epilog=EXIT_CODES_HELP)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--table", type=click.Choice(["entries", "daily", "windows"]), default="entries", show_default=True,
              help="entries: every entry (voided ones marked); daily: live totals per unit, day and category; "
                   "windows: what `show` prints.")
@_options(write=False)
def export(file, table, ledger_path, wait) -> None:
    """Write a ledger table to FILE (.csv or .parquet)."""
    df = _open(ledger_path, wait).export(file, table)
    click.echo(f"wrote {len(df)} row(s) of {table} to {file}")


@ledger_group.command(epilog=EXIT_CODES_HELP)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the last N changes.")
@_options(write=False)
def audit(limit, ledger_path, wait) -> None:
    """Every change: when, who, what."""
    for r in _open(ledger_path, wait).audit(limit).itertuples():
        details = json.loads(r.details)
        details.pop("entries", None)
        click.echo(f"{r.audit_id:>5} {r.at} {r.who:<12} {r.action:<12} {json.dumps(details, sort_keys=True)}")


if __name__ == "__main__":   # ``python -m energyopt.ledger.cli ...`` runs ``energyopt ledger ...``
    ledger_group.main(prog_name="energyopt ledger")
