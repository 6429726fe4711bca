"""``energyopt report RESULT_DIR [--out FILE] [--png DIR]`` as a click command (``report_command``), to be
registered on the main group; ``python -m energyopt.report.cli`` runs it alone."""
from __future__ import annotations

from pathlib import Path

import click

from ..command import Command
from ..errors import REPORT, help_text

EPILOG = """\b
Examples:
  energyopt report out/texas                      # writes out/texas/report.html
  energyopt report out/sweep --out sweep.html     # a batch folder: table + objective per parameter
  energyopt report out/texas --png docs/img       # also power.png, training.png, ... in docs/img
""" + help_text(REPORT)


@click.command("report", cls=Command, epilog=EPILOG)
@click.argument("result_dir", type=click.Path(path_type=Path))
@click.option("--out", "out_file", type=click.Path(path_type=Path), default=None,
              help="The HTML file to write  [default: RESULT_DIR/report.html].")
@click.option("--png", "png_dir", type=click.Path(path_type=Path), default=None,
              help="Also write the main charts as PNG files in this folder (needs Chrome or Chromium).")
def report_command(result_dir: Path, out_file: Path | None, png_dir: Path | None) -> None:
    """Write one self-contained HTML report (opens offline) of RESULT_DIR: a solve or replan result
    (summary.json + steps.csv) or a batch folder (summary.csv + cases/)."""
    from ..errors import about
    from .writer import make_report
    with about("report"):
        html_file, pngs = make_report(result_dir, out_file, png_dir)
    click.echo(f"report written to {html_file}")
    for p in pngs:
        click.echo(f"  {p}")


def main() -> None:
    """``python -m energyopt.report.cli ...`` runs ``energyopt report ...`` (its error handling included)."""
    report_command.main(prog_name="energyopt report")


if __name__ == "__main__":
    main()
