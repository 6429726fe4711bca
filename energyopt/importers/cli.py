"""``energyopt series FORMAT FILE ...``: write an instance's series file on its own time grid from market,
weather, carbon and workload files (docs/series.md). ``energyopt.cli`` registers ``series_group``."""
from __future__ import annotations

from pathlib import Path

import click

from .. import errors as E
from ..command import Group

EXIT_CODES_HELP = E.help_text(E.COMMON, scoped=False)


@click.group("series", cls=Group, epilog="\b\nExamples:\n"
             "  energyopt series ercot prices.csv --location HB_WEST --market dam --instance site.toml "
             "--out series.csv\n"
             "  energyopt series tmy3 abilene.tmy3 --instance site.toml --out series.csv --append\n\n"
             + EXIT_CODES_HELP)
def series_group() -> None:
    """Write an instance's series file (CSV or Parquet) on its horizon from ISO prices, weather, grid carbon or
    inference traces; every repair (daylight-saving hours, filled gaps) is printed."""


def _common(f):
    """The horizon (--instance, or --start/--days/--hours/--step/--tz), the output and how to fill gaps."""
    opts = [
        click.argument("file", type=click.Path(dir_okay=False, path_type=Path)),
        click.option("--instance", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="Take the horizon (start, length, step, timezone) from this instance's [horizon]."),
        click.option("--start", default=None, help="Horizon start (ISO, local time in --tz or with a UTC offset)."),
        click.option("--days", type=click.IntRange(min=1), default=None, help="Horizon length in local days."),
        click.option("--hours", type=click.FloatRange(min=0, min_open=True), default=None, help="Or in hours."),
        click.option("--step", "step_minutes", type=click.Choice(["5", "15", "60"]), default="60", show_default=True,
                     help="Step in minutes."),
        click.option("--tz", "grid_tz", default=None,
                     help="Horizon timezone with --start (IANA, e.g. America/Chicago); for `table`, also the "
                          "timezone of times without a UTC offset (default: the horizon's)."),
        click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
                     help="Series file to write (atomically; .parquet or --parquet for Parquet)."),
        click.option("--parquet", is_flag=True, help="Write Parquet."),
        click.option("--fill", type=click.Choice(["interpolate", "ffill", "zero"]), default=None,
                     help="Fill missing intervals this way (default: refuse them, exit 3)."),
        click.option("--append", is_flag=True, help="Add the columns to the existing --out file (same steps); "
                                                    "columns of the same name are replaced."),
        click.option("--rename", multiple=True, metavar="FIELD=COLUMN",
                     help="Write a field under another column name (e.g. demand_mw=chat_mw). Repeatable."),
        click.option("--quiet", "-q", is_flag=True, help="Print nothing on success."),
    ]
    for deco in reversed(opts):
        f = deco(f)
    return f


def _run(fmt: str, file: Path, opts: dict, common: dict) -> None:
    from . import instance_grid, make_grid, merge_series, read, to_grid, write_series
    if common["instance"] is not None:
        if common["start"] or common["days"] or common["hours"]:
            raise E.UsageError("give --instance or --start with --days/--hours, not both")
        grid = instance_grid(common["instance"])
    elif common["start"] is None or (common["days"] is None) == (common["hours"] is None):
        raise E.UsageError("give --instance, or --start with one of --days or --hours (and --tz, --step)")
    else:
        grid = make_grid(common["start"], common["grid_tz"], int(common["step_minutes"]), common["days"],
                         common["hours"])
    if fmt == "table":   # times without an offset: in --tz, else in the horizon's timezone
        opts["tz"] = common["grid_tz"] or str(grid.start.tz)
    imp = read(fmt, file, **{k: v for k, v in opts.items() if v is not None})
    frame, repairs = to_grid(imp, grid, common["fill"])
    for item in common["rename"]:
        old, sep, new = item.partition("=")
        if not sep or old not in frame.columns or not new.strip():
            raise E.UsageError(f"--rename {item!r}: give FIELD=COLUMN with FIELD one of {', '.join(frame.columns)}")
        frame = frame.rename(columns={old: new.strip()})
    out: Path = common["out"]
    replaced = []
    if common["append"] and out.exists():
        frame, replaced = merge_series(out, frame)
    with E.about("--out"):
        write_series(frame, out, parquet=common["parquet"])
    if not common["quiet"]:
        click.echo(f"{out}: {grid.n_steps} steps of {grid.step_minutes} min from {grid.start.isoformat()}; "
                   f"columns {', '.join(frame.columns)}" + (f" (replaced: {', '.join(replaced)})" if replaced else ""))
        for r in repairs:
            click.echo(f"  repair: {r}")


def _command(fmt: str, doc: str, *extra):
    def deco(f):
        def cmd(file, instance, start, days, hours, step_minutes, grid_tz, out, parquet, fill, append, rename, quiet,
                **opts):
            _run(fmt, file, f(**opts), dict(instance=instance, start=start, days=days, hours=hours,
                                            step_minutes=step_minutes, grid_tz=grid_tz, out=out, parquet=parquet,
                                            fill=fill, append=append, rename=rename, quiet=quiet))
        cmd.__doc__ = doc
        cmd.__name__ = fmt
        c = _common(cmd)
        for o in reversed(extra):
            c = o(c)
        return series_group.command(fmt, epilog=EXIT_CODES_HELP)(c)
    return deco


@_command("ercot", "ERCOT settlement-point prices (DAM or RTM; wide hub/zone file, NP4-190/NP4-180 hourly, "
          "NP6-905/NP6-785 15-minute).",
          click.option("--location", default=None, help="Hub, zone or node, e.g. HB_WEST."),
          click.option("--market", type=click.Choice(["dam", "rtm"]), default=None,
                       help="Day-ahead or real-time (the wide file holds both)."))
def _ercot(location, market):
    return {"location": location, "market": market}


@_command("caiso", "CAISO OASIS LMP (UTC, 5-minute, 15-minute or hourly), or a UTC timestamp,price table.",
          click.option("--node", default=None, help="NODE to take (when the file has several)."),
          click.option("--lmp-type", default="LMP", show_default=True, help="LMP, MCE, MCC, MCL, MGHG."),
          click.option("--market", default=None, help="MARKET_RUN_ID (DAM, RTM, ...) when the file has several."))
def _caiso(node, lmp_type, market):
    return {"node": node, "lmp_type": lmp_type, "market": market}


@_command("pjm", "PJM LMP (Data Miner: datetime_beginning_utc/_ept, pnode_name, total_lmp_da/rt; or epftoolbox).",
          click.option("--pnode", default=None, help="pnode_name to take."),
          click.option("--column", default=None, help="Price column (default: total_lmp_da, total_lmp_rt, lmp)."),
          click.option("--local-tz", default="America/New_York", show_default=True,
                       help="Timezone of local times (datetime_beginning_ept, Date)."))
def _pjm(pnode, column, local_tz):
    return {"pnode": pnode, "column": column, "tz": local_tz}


@_command("gridstatus", "A table in gridstatus's conventions (Interval Start, Location, Market, LMP), CSV/Parquet.",
          click.option("--location", default=None, help="Location to take."),
          click.option("--market", default=None, help="Market to take (e.g. DAY_AHEAD_HOURLY)."),
          click.option("--column", default="LMP", show_default=True, help="Value column."),
          click.option("--field", default="price_usd_per_mwh", show_default=True, help="Series field it fills."))
def _gridstatus(location, market, column, field):
    return {"location": location, "market": market, "column": column, "field": field}


@_command("table", "Any CSV/Parquet table with a time column and value columns.",
          click.option("--time", "time_col", default=None, help="Time column (default: timestamp/time/first)."),
          click.option("--column", multiple=True, metavar="NAME[=FIELD]", help="Value column, renamed. Repeatable."),
          click.option("--scale", type=float, default=1.0, show_default=True, help="Multiply every value."),
          click.option("--label", type=click.Choice(["start", "end"]), default="start", show_default=True,
                       help="Times mark the start or the end of each interval."))
def _table(time_col, column, scale, label):
    return {"time": time_col, "column": list(column) or None, "scale": scale, "label": label}


@_command("tmy3", "TMY3 weather: outdoor_temp_c, ghi_w_per_m2 and solar availability, by month, day and hour.")
def _tmy3():
    return {}


@_command("epw", "EPW weather: outdoor_temp_c, ghi_w_per_m2 and solar availability, by month, day and hour.")
def _epw():
    return {}


@_command("eia930", "EIA-930 hourly carbon intensity (avg_CI, gCO2/kWh) as carbon_kg_per_mwh.",
          click.option("--column", default="avg_CI", show_default=True, help="Carbon-intensity column."),
          click.option("--typical", is_flag=True, help="Lay the year on the horizon by month, day and hour."),
          click.option("--match-tz", default=None, help="With --typical: the timezone of the matching (UTC)."))
def _eia930(column, typical, match_tz):
    return {"column": column, "typical": typical, "tz": match_tz}


@_command("azure", "Azure LLM inference trace (TIMESTAMP, ContextTokens, GeneratedTokens) as demand_mw.",
          click.option("--tokens-per-s-per-mw", type=click.FloatRange(min=0, min_open=True), default=None,
                       help="Throughput per MW (default 833,000, docs/figures.md)."),
          click.option("--peak-mw", type=click.FloatRange(min=0, min_open=True), default=None,
                       help="Scale the demand to this peak on the horizon's steps."),
          click.option("--mean-mw", type=click.FloatRange(min=0, min_open=True), default=None,
                       help="Or to this mean."),
          click.option("--bin-minutes", type=click.FloatRange(min=0, min_open=True), default=None,
                       help="Bin of the arrivals (default 1)."),
          click.option("--context-weight", type=click.FloatRange(min=0), default=None,
                       help="Weight of a prompt token against a generated one (default 1)."))
def _azure(tokens_per_s_per_mw, peak_mw, mean_mw, bin_minutes, context_weight):
    return {"tokens_per_s_per_mw": tokens_per_s_per_mw, "peak_mw": peak_mw, "mean_mw": mean_mw,
            "bin_minutes": bin_minutes, "context_weight": context_weight}
