"""The result of a solve: status, summary and per-step table (no model inside), and how it is written."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..solver.status import SolveStatus


class OutputError(Exception):
    """The output folder cannot be written (it holds something that is not an energyopt result)."""


@dataclass
class Result:
    status: SolveStatus
    summary: dict
    steps: pd.DataFrame | None = None
    diagnosis: list[str] = field(default_factory=list)

    @property
    def objective_usd(self) -> float | None:
        return self.summary.get("objective_usd")

    def write(self, out_dir: str | Path, parquet: bool = False) -> Path:
        """Write ``summary.json`` and ``steps.csv`` (and ``steps.parquet``) atomically: the folder appears
        whole or not at all, and a previous result in it is replaced only once the new one is complete."""
        return write_result(self, Path(out_dir), parquet)


RESULT_FILES = ("summary.json", "steps.csv", "steps.parquet")


def output_dir_problem(out: Path) -> str | None:
    """Why ``out`` cannot receive a result, or None. Checked before solving and again before writing."""
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
        extra = sorted(p.name for p in out.iterdir() if p.name not in RESULT_FILES)
        if extra or (any(out.iterdir()) and not (out / "summary.json").is_file()):
            return (f"{out} holds files that are not part of an energyopt result ({', '.join(extra[:5])}); "
                    "refusing to replace it")
    return None


def write_result(result: Result, out: Path, parquet: bool = False) -> Path:
    problem = output_dir_problem(out)
    if problem:
        raise OutputError(problem)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes 0700; a result folder gets the user's usual mode
        if result.steps is not None:
            result.steps.to_csv(tmp / "steps.csv", index=False, float_format="%.9g")
            if parquet:
                result.steps.to_parquet(tmp / "steps.parquet", index=False)
        with open(tmp / "summary.json", "w", encoding="utf-8") as f:
            json.dump(result.summary, f, indent=2, default=str)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rename(out, old / "r")
            os.rename(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
