"""The result of a solve: status, summary and per-step table (no model inside), and how it is written."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..atomic import RestoreFailed, swap_in, sync, sync_dir, umask
from ..errors import BadInput
from ..solver.status import SolveStatus


class OutputError(BadInput):
    """The output folder cannot be written: it holds something that is not an energyopt result, or writing
    failed (then whatever the folder held before is left as it was)."""


@dataclass
class Result:
    status: SolveStatus
    summary: dict
    steps: pd.DataFrame | None = None
    diagnosis: list[str] = field(default_factory=list)
    #: Further files of the result (name -> text), e.g. a re-plan's ``diff.txt``; names from EXTRA_FILES.
    extra_files: dict[str, str] = field(default_factory=dict)
    #: The per-step table already as CSV text (a batch worker's result), written as is instead of ``steps``.
    steps_text: str | None = None

    @property
    def objective_usd(self) -> float | None:
        return self.summary.get("objective_usd")

    def write(self, out_dir: str | Path, parquet: bool = False) -> Path:
        """Write ``summary.json`` and ``steps.csv`` (and ``steps.parquet``) atomically: the folder appears
        whole or not at all, and a previous result in it is replaced only once the new one is complete."""
        return write_result(self, Path(out_dir), parquet)


EXTRA_FILES = ("diff.txt", "diff.json", "case.json")
#: Written into a result folder later (energyopt report), and replaced with it.
LATER_FILES = ("report.html",)
RESULT_FILES = ("summary.json", "steps.csv", "steps.parquet", *EXTRA_FILES, *LATER_FILES)
#: Keys every energyopt summary.json has; a folder whose summary.json lacks them is not ours to replace.
SUMMARY_KEYS = ("format_version", "instance", "status")


def output_dir_problem(out: Path) -> str | None:
    """Why ``out`` cannot receive a result, or None. Checked before solving and again before writing.

    An existing folder is replaced only when it is empty or holds an energyopt result and nothing else: its
    ``summary.json`` is a JSON object with the keys every summary has, and every other entry is one of the
    result's files. A user's own folder (even one holding a ``summary.json`` or ``steps.csv``) is never touched.
    """
    if out.exists() and not out.is_dir():
        return f"{out} exists and is not a folder"
    for parent in out.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                return f"{parent} is a file, so {out} cannot be created"
            if not os.access(parent, os.W_OK):
                return f"cannot write in {parent}"
            break
    if out.exists() and Path.cwd().resolve().is_relative_to(out.resolve()):
        return f"{out} is the current folder (or holds it); give a folder below it"
    if out.is_dir():
        return _not_a_result(out)
    return None


def _not_a_result(out: Path) -> str | None:
    """Why the existing folder ``out`` is not an energyopt result that may be replaced (None if it is, or is empty)."""
    try:
        entries = sorted(out.iterdir())
    except OSError as exc:
        return f"cannot list {out}: {exc}"
    if not entries:
        return None
    refuse = f"; refusing to replace {out} (give a new or empty folder, or remove it yourself)"
    extra = [p.name for p in entries if p.name not in RESULT_FILES]
    if extra:
        more = f" and {len(extra) - 5} more" if len(extra) > 5 else ""
        return f"{out} holds files that are not part of an energyopt result ({', '.join(extra[:5])}{more})" + refuse
    odd = [p.name for p in entries if p.is_symlink() or not p.is_file()]
    if odd:
        return f"{out} holds {', '.join(odd)}, which is not a plain file as an energyopt result's is" + refuse
    summary = out / "summary.json"
    if not summary.exists():
        return f"{out} holds {', '.join(p.name for p in entries)} but no summary.json" + refuse
    try:
        data = json.loads(summary.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"{summary} is not an energyopt summary (cannot read it as JSON: {exc})" + refuse
    if not isinstance(data, dict):
        return f"{summary} is not an energyopt summary (a JSON {type(data).__name__}, not an object)" + refuse
    missing = [k for k in SUMMARY_KEYS if k not in data]
    if missing:
        return f"{summary} is not an energyopt summary (it lacks {', '.join(missing)})" + refuse
    return None


def write_result(result: Result, out: Path, parquet: bool = False) -> Path:
    """Write into a temporary folder beside ``out``, sync it to disk, then rename it into place.

    A previous result is moved aside first and deleted only once the new one is in place; if the final rename
    fails it is moved back, so the folder holds the old result or the new one, never neither. Any failure
    leaves no temporary folder behind and raises :class:`OutputError`.
    """
    problem = output_dir_problem(out)
    if problem:
        raise OutputError(problem)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    except OSError as exc:
        raise OutputError(f"cannot create a folder beside {out}: {exc}") from exc
    try:
        _write_files(result, tmp, parquet, out)
        swap_in(tmp, out)
    except RestoreFailed as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(str(exc)) from exc
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write the result to {out}: {exc}; nothing was written"
                              + (" (the previous result is unchanged)" if out.exists() else "")) from exc
        raise
    return out


def _portable(summary: dict, out: Path) -> dict:
    """The summary as written: ``instance_file`` (and a re-plan's ``previous_plan_dir``) relative to the result
    folder, so a folder moved together with its instance (a simulation's tree, a copied project) still finds
    it; see :func:`instance_path`."""
    def rel(p):
        return os.path.relpath(Path(p).resolve(), out.resolve()) if p else p
    summary = {**summary, "instance_file": rel(summary.get("instance_file"))}
    if isinstance(summary.get("replan"), dict):
        summary["replan"] = {**summary["replan"], "previous_plan_dir": rel(summary["replan"].get("previous_plan_dir"))}
    return summary


def instance_path(result_dir: str | Path, summary: dict, key: str = "instance_file") -> Path | None:
    """The instance file a written result was solved from (``instance_file`` is relative to the folder)."""
    src = summary.get(key)
    if not isinstance(src, str) or not src:
        return None
    p = Path(src)
    return p if p.is_absolute() else Path(result_dir) / p


def _write_files(result: Result, tmp: Path, parquet: bool, out: Path) -> None:
    os.chmod(tmp, 0o777 & ~umask())  # mkdtemp makes 0700; a result folder gets the user's usual mode
    if result.steps_text is not None:
        with open(tmp / "steps.csv", "w", encoding="utf-8", newline="") as f:
            f.write(result.steps_text)
            sync(f)
    elif result.steps is not None:
        with open(tmp / "steps.csv", "w", encoding="utf-8", newline="") as f:
            result.steps.to_csv(f, index=False, float_format="%.9g")
            sync(f)
        if parquet:
            with open(tmp / "steps.parquet", "wb") as f:
                result.steps.to_parquet(f, index=False)
                sync(f)
    for name, text in result.extra_files.items():
        if name not in EXTRA_FILES:
            raise ValueError(f"{name!r} is not a result file ({', '.join(EXTRA_FILES)})")
        with open(tmp / name, "w", encoding="utf-8") as f:
            f.write(text)
            sync(f)
    with open(tmp / "summary.json", "w", encoding="utf-8") as f:
        json.dump(_portable(result.summary, out), f, indent=2, default=str)
        f.write("\n")
        sync(f)
    sync_dir(tmp)
