"""``energyopt init DIR``: the click command over :mod:`energyopt.ops.init` (imported only when it runs, so
``energyopt --help`` does not pay for pandas). ``energyopt.cli`` registers :data:`init_command`."""
from __future__ import annotations

from pathlib import Path

import click

from .. import errors as E
from ..command import Command

_EXAMPLE = ("energyopt init site --site-mw 150 --node HB_WEST --date 2024-08-20 --weather abilene.tmy3 "
            "--gensets 4 --hours-left 50 --inference-trace AzureLLMInferenceTrace_conv.csv")


@click.command("init", cls=Command, epilog="\b\nExample:\n  " + _EXAMPLE + "\n\n" + E.help_text(E.COMMON, scoped=False))
@click.argument("out_dir", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--site-mw", type=float, required=True, help="Interconnection limit of the site (MW); the IT load, "
              "cooling and jobs are sized from it (docs/init.md).")
@click.option("--node", default=None, help="Price location: ERCOT settlement point (HB_WEST), CAISO node, PJM "
              "pnode, gridstatus Location, or a table's price column. Alone, reads ERCOT's hub file of the "
              "shared data.")
@click.option("--prices", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Price file.")
@click.option("--prices-format", default="ercot", show_default=True,
              help="ercot, caiso, pjm, gridstatus or table (docs/series.md).")
@click.option("--market", default="dam", show_default=True, help="ERCOT market: dam or rtm.")
@click.option("--date", "day", required=True, help="First local day (YYYY-MM-DD).")
@click.option("--days", type=int, default=1, show_default=True, help="Local days in the horizon.")
@click.option("--step", type=int, default=15, show_default=True, help="Step in minutes: 5, 15 or 60.")
@click.option("--timezone", default="America/Chicago", show_default=True, help="IANA timezone of the site.")
@click.option("--weather", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="TMY3 or EPW file: outdoor temperature matched by month, day and hour (default: 35 C).")
@click.option("--gensets", type=int, default=0, show_default=True, help="Number of diesel backup gensets.")
@click.option("--genset-mw", type=float, default=2.5, show_default=True, help="Rating of each genset (MW).")
@click.option("--hours-left", type=float, default=50.0, show_default=True,
              help="Permit run hours each genset has left (EPA: 50 h/yr non-emergency).")
@click.option("--inference-trace", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Azure LLM inference trace: the inference demand's shape (default: constant).")
@click.option("--training-jobs", type=int, default=3, show_default=True, help="Number of training jobs.")
@click.option("--carbon", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="EIA-930 hourly carbon table: grid carbon intensity (another year: matched by month, day, hour).")
@click.option("--notice", default=None, metavar="HH:MM-HH:MM",
              help="A curtailment notice on the first day, issued a day ahead (e.g. 15:00-19:00).")
@click.option("--notice-cut", type=float, default=0.5, show_default=True,
              help="With --notice: the cut as a share of --site-mw.")
@click.option("--fill", default=None, help="Fill missing price/weather intervals: interpolate, ffill or zero "
              "(default: refuse them).")
@click.option("--name", default=None, help="Instance name and TOML file name (default: site-DATE).")
@click.option("--force", is_flag=True, help="Replace DIR even if it holds files.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
def init_command(out_dir: Path, site_mw, node, prices, prices_format, market, day, days, step, timezone, weather,
                 gensets, genset_mw, hours_left, inference_trace, training_jobs, carbon, notice, notice_cut, fill, name,
                 force, quiet) -> None:
    """Write a ready instance folder DIR (TOML with the source of every figure, series.csv made by the series
    importers) for a site from a few flags; `energyopt solve DIR/NAME.toml --out OUT` solves it as written."""
    from .init import InitOptions, init_folder
    if market not in ("dam", "rtm"):
        raise E.BadInput(f"--market: {market!r}: use dam or rtm")
    if fill is not None and fill not in ("interpolate", "ffill", "zero"):
        raise E.BadInput(f"--fill: {fill!r}: use interpolate, ffill or zero")
    opts = InitOptions(site_mw=site_mw, date=day, days=days, step=step, timezone=timezone, node=node, prices=prices,
                       prices_format=prices_format, market=market, weather=weather, gensets=gensets,
                       genset_mw=genset_mw, hours_left=hours_left, inference_trace=inference_trace,
                       training_jobs=training_jobs, carbon=carbon, notice=notice, notice_cut=notice_cut, fill=fill,
                       name=name)
    path, repairs = init_folder(out_dir, opts, force=force)
    if not quiet:
        click.echo(f"{path}: written (with {out_dir / 'series.csv'}); solve it with "
                   f"`energyopt solve {path} --out OUT`")
        for r in repairs:
            click.echo(f"  repair: {r}")
