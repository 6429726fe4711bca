"""Make a report: read the folder, build the charts, render PNGs if asked, then write every file through a
temporary file and ``os.replace``. Every check and every rendering happens before the first file is put in
place, so a bad input, a bad output path or a failed PNG export writes nothing."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..atomic import umask
from ..errors import BadInput
from .reader import BatchData, PlanData, read_folder

REPORT_NAME = "report.html"


class ReportOutputError(BadInput):
    """--out or --png cannot be written (as the project's other bad output paths)."""


#: Exit code when --out or --png cannot be written.
EXIT_BAD_OUTPUT = ReportOutputError.exit_code


def make_report(result_dir: str | Path, out_file: str | Path | None = None,
                png_dir: str | Path | None = None) -> tuple[Path, list[Path]]:
    """Write the report of ``result_dir`` (a solve/replan result, a plan or a batch folder); returns the HTML file
    and the PNG files. Raises ReportInputError (16), ReportOutputError (3) or PngError (17)."""
    from .batchcharts import table_html
    from .build import batch_charts, result_charts
    from .page import batch_page, result_page

    data = read_folder(result_dir)
    out = Path(out_file) if out_file is not None else Path(result_dir) / REPORT_NAME
    png = Path(png_dir) if png_dir is not None else None
    problem = output_problem(out, png)
    if problem:
        raise ReportOutputError(problem)
    from .plan import plan_charts, plan_page
    if isinstance(data, PlanData):
        charts = plan_charts(data)
        page = plan_page(data, charts)
    elif isinstance(data, BatchData):
        charts = batch_charts(data)
        page = batch_page(data, charts, table_html(data, out), out)
    else:
        charts, notes = result_charts(data)
        page = result_page(data, charts, notes)
    images = {}
    if png is not None and charts:
        from .png import render_pngs
        images = render_pngs(charts)
    files = {out: page.encode("utf-8")}
    files.update({png / f"{key}.png": blob for key, blob in images.items()})
    _write_files(files, png)
    return out, [p for p in files if p != out]


def output_problem(out: Path, png: Path | None) -> str | None:
    """Why the report cannot be written to ``out`` (and PNGs to ``png``), or None."""
    if out.is_dir():
        return f"--out: {out} is a folder; give the report's file name (e.g. {out / REPORT_NAME})"
    if out.name == "" or out.name in (".", ".."):
        return f"--out: {out} is not a file name"
    problem = _parent_problem(out.parent, f"--out: cannot write {out}")
    if problem:
        return problem
    if png is not None:
        if png.exists() and not png.is_dir():
            return f"--png: {png} exists and is not a folder"
        return _parent_problem(png if png.is_dir() else png.parent, f"--png: cannot write in {png}")
    return None


def _parent_problem(folder: Path, what: str) -> str | None:
    for p in [folder.absolute(), *folder.absolute().parents]:
        if p.exists():
            if not p.is_dir():
                return f"{what}: {p} is a file"
            if not os.access(p, os.W_OK | os.X_OK):
                return f"{what}: {p} is not writable"
            return None
    return None


def _write_files(files: dict[Path, bytes], png: Path | None) -> None:
    """Each file to a temporary name beside it, synced, then all renamed into place; on any failure the
    temporary files (and a PNG folder this call created) are removed and nothing is left."""
    created = []
    temps: dict[Path, str] = {}
    try:
        for folder in {p.parent for p in files}:
            missing = [d for d in [folder, *folder.parents] if not d.exists()]
            folder.mkdir(parents=True, exist_ok=True)
            created += reversed(missing)
        for path, blob in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            temps[path] = tmp
            with os.fdopen(fd, "wb") as f:
                f.write(blob)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o666 & ~umask())   # the user's usual mode, as every other output
        for path, tmp in temps.items():
            os.replace(tmp, path)
    except OSError as exc:
        for tmp in temps.values():
            Path(tmp).unlink(missing_ok=True)
        for d in reversed(created):
            try:
                d.rmdir()
            except OSError:
                pass
        raise ReportOutputError(f"cannot write the report: {exc}; nothing was written") from exc
