"""``energyopt report RESULT_DIR [--out FILE] [--png DIR]`` as a click command (``report_command``), to be
registered on the main group; ``python -m energyopt.report.cli`` runs it alone."""
from __future__ import annotations

import sys
from pathlib import Path

import click

EPILOG = """\b
Examples:
  energyopt report out/texas                      # writes out/texas/report.html
  energyopt report out/sweep --out sweep.html     # a batch folder: table + objective per parameter
  energyopt report out/texas --png docs/img       # also power.png, training.png, ... in docs/img
\b
Exit codes:
  0 written
  1 internal error            2 usage error
  3 --out or --png cannot be written (nothing written)
  16 RESULT_DIR is not an energyopt result or batch, is of a newer format, or lacks files (nothing written)
  17 --png: kaleido or Chrome/Chromium missing, or the browser failed (nothing written)
"""


@click.command("report", epilog=EPILOG)
@click.argument("result_dir", type=click.Path(path_type=Path))
@click.option("--out", "out_file", type=click.Path(path_type=Path), default=None,
              help="The HTML file to write  [default: RESULT_DIR/report.html].")
@click.option("--png", "png_dir", type=click.Path(path_type=Path), default=None,
              help="Also write the main charts as PNG files in this folder (needs Chrome or Chromium).")
def report_command(result_dir: Path, out_file: Path | None, png_dir: Path | None) -> None:
    """Write one self-contained HTML report (opens offline) of RESULT_DIR: a solve or replan result
    (summary.json + steps.csv) or a batch folder (summary.csv + cases/)."""
    from .writer import make_report
    try:
        html_file, pngs = make_report(result_dir, out_file, png_dir)
    except Exception as exc:  # noqa: BLE001 - only our own errors carry an exit code; others are re-raised
        code = getattr(exc, "exit_code", None)
        if code is None:
            raise
        click.echo(f"report: {exc}", err=True)
        sys.exit(code)
    click.echo(f"report written to {html_file}")
    for p in pngs:
        click.echo(f"  {p}")


def main() -> None:
    """``python -m energyopt.report.cli ...`` runs ``energyopt report ...`` (its error handling included)."""
    from ..cli import main as energyopt_main
    sys.argv.insert(1, "report")
    energyopt_main()


if __name__ == "__main__":
    main()
