"""``energyopt report``: one self-contained HTML page (plotly.js inline, opens offline) of a solve or
re-plan result or of a batch, and optionally PNG files of its charts (docs/report.md).

Modules: reader.py (check and read a result or batch folder), timecharts.py / plancharts.py /
batchcharts.py (the figures), build.py (which charts, titles, captions), page.py (the HTML), png.py
(PNG export through kaleido and Chromium), writer.py (atomic writing), cli.py (the click command).
Everything heavy (pandas, plotly) is imported on first use, so importing this package is cheap.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import BadInput, PngError, ReportInputError

#: Exit codes of ``energyopt report`` (defined by their classes in energyopt.errors; also in docs/report.md).
EXIT_NOT_A_RESULT = ReportInputError.exit_code   # RESULT_DIR is not a result or batch, newer, or lacks files
EXIT_BAD_OUTPUT = BadInput.exit_code             # --out / --png cannot be written
EXIT_PNG = PngError.exit_code                    # --png: no kaleido or no Chrome/Chromium, or the browser failed

__all__ = ["write_report", "EXIT_NOT_A_RESULT", "EXIT_BAD_OUTPUT", "EXIT_PNG"]


def write_report(result_dir: str | Path, out_file: str | Path | None = None,
                 png_dir: str | Path | None = None) -> Path:
    """Write the report of ``result_dir`` (a ``solve``/``replan`` result or a ``batch`` folder) to ``out_file``
    (default: ``result_dir/report.html``) and, with ``png_dir``, its main charts as PNG files there.

    Returns the HTML file. Raises an :class:`energyopt.errors.EnergyoptError` whose message names the folder
    and the problem: ``ReportInputError`` (16), ``writer.ReportOutputError`` (3) or ``PngError`` (17); nothing
    is written then."""
    from .writer import make_report
    return make_report(result_dir, out_file, png_dir)[0]
