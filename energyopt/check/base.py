"""The checker's plumbing: the :class:`Violation` record, reading a result folder, tolerant comparisons."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..inputs import Instance


@dataclass(frozen=True)
class Violation:
    """One violated constraint or inconsistent figure.

    ``constraint`` is a dotted name (``grid.import_cap``, ``cost.energy``, ...); ``step`` and
    ``timestamp`` locate it when it belongs to one step; ``amount`` is by how much it is off
    (in the constraint's unit; positive).
    """

    constraint: str
    step: int | None
    timestamp: str | None
    message: str
    amount: float

    def __str__(self) -> str:
        where = f" at step {self.step} ({self.timestamp})" if self.step is not None else ""
        return f"{self.constraint}{where}: {self.message} (off by {self.amount:.6g})"


@dataclass
class ResultFiles:
    summary: dict
    steps: pd.DataFrame


def read_result(folder: Path) -> ResultFiles | Violation:
    """The summary and the per-step table, or a violation (``result.files``) saying why they cannot be read.

    Every reason found is given at once: a folder that is missing, or a summary that is unreadable or not a
    JSON object, and a missing or unreadable ``steps.csv``.
    """
    if not folder.exists():
        return _unreadable(f"the result folder {folder} does not exist")
    if not folder.is_dir():
        return _unreadable(f"{folder} is not a folder")
    problems = []
    summary = None
    path = folder / "summary.json"
    if not path.is_file():
        problems.append(f"{folder} holds no summary.json")
    else:
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            problems.append(f"cannot read {path}: {exc}")
        else:
            if not isinstance(summary, dict):
                problems.append(f"{path} is a JSON {type(summary).__name__}, not an object: it is not an energyopt "
                                "summary")
                summary = None
    steps = None
    if not (folder / "steps.csv").is_file():
        status = f" (status {summary.get('status')!r})" if isinstance(summary, dict) else ""
        problems.append(f"{folder} holds no steps.csv{status}: there is no schedule to check")
    else:
        try:
            steps = pd.read_csv(folder / "steps.csv", dtype={"timestamp": str})
        except (OSError, ValueError) as exc:
            problems.append(f"cannot read {folder / 'steps.csv'}: {exc}")
    if problems:
        return _unreadable("; ".join(problems))
    return ResultFiles(summary, steps)


def _unreadable(message: str) -> Violation:
    return Violation("result.files", None, None, message, 0.0)


def is_number(x) -> bool:
    """A figure the summary may hold: an int or float (JSON's numbers), not a bool, string, list or object."""
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _iso(ts: pd.Timestamp) -> str:
    return ts.isoformat()


class Ctx:
    """What every check needs: the instance, the result, the tolerance and the violations found so far."""

    def __init__(self, inst: Instance, files: ResultFiles, tol: float, plugins: tuple = ()):
        self.inst, self.summary, self.df, self.tol = inst, files.summary, files.steps, tol
        #: Checker modules of components present in the instance (``energyopt.check.component_checks``).
        self.plugins = tuple(p for p in plugins if getattr(inst, p.SECTION, None))
        self.n = inst.time.n_steps
        self.dt = inst.time.dt_hours
        self.stamps = [_iso(t) for t in inst.time.index]
        self.violations: list[Violation] = []
        # A re-plan keeps its first steps as they happened or were planned: caps that could no longer be
        # acted on there (a notice, the chillers' capacity under a new forecast) are not held against it.
        replan = self.summary.get("replan") if isinstance(self.summary, dict) else None
        fixed = replan.get("fixed_steps") if isinstance(replan, dict) else None
        self.fixed_steps = min(max(int(fixed), 0), self.n) if isinstance(fixed, int) else 0

    # -- recording ---------------------------------------------------------------------------------
    def add(self, constraint: str, step: int | None, message: str, amount: float) -> None:
        stamp = self.stamps[step] if step is not None and 0 <= step < self.n else None
        self.violations.append(Violation(constraint, step, stamp, message, float(abs(amount))))

    def allow(self, *magnitudes) -> np.ndarray | float:
        """The slack allowed for quantities of these magnitudes: ``tol * max(1, |m|...)``."""
        mag = np.ones_like(np.asarray(magnitudes[0], dtype=float)) if magnitudes else 1.0
        for m in magnitudes:
            mag = np.maximum(mag, np.abs(np.asarray(m, dtype=float)))
        return self.tol * mag

    # -- comparisons -------------------------------------------------------------------------------
    def leq(self, constraint: str, lhs, rhs, what: str, steps=None) -> None:
        """Per step: ``lhs <= rhs``; ``what`` names the two sides (``"import <= cap"``)."""
        lhs, rhs = np.broadcast_arrays(np.asarray(lhs, dtype=float), np.asarray(rhs, dtype=float))
        excess = lhs - rhs
        idx = range(len(lhs)) if steps is None else steps
        for k, t in enumerate(idx):
            if not excess[k] <= self.allow(lhs[k], rhs[k]):  # also catches NaN
                self.add(constraint, t, f"{what}: {lhs[k]:.9g} > {rhs[k]:.9g}", excess[k])

    def eq_steps(self, constraint: str, got, want, what: str, scale=None) -> None:
        """Per step: ``got == want`` within the tolerance (scaled by ``scale`` when given)."""
        got, want = np.broadcast_arrays(np.asarray(got, dtype=float), np.asarray(want, dtype=float))
        slack = self.allow(got, want, *([] if scale is None else [scale]))
        for t in np.flatnonzero(~(np.abs(got - want) <= slack)):
            self.add(constraint, int(t), f"{what}: {got[t]:.9g}, expected {want[t]:.9g}", got[t] - want[t])

    def eq(self, constraint: str, reported, expected: float, what: str, scale: float = 0.0) -> None:
        """One figure: the summary's ``reported`` against the recomputed ``expected``."""
        if not is_number(reported):
            self.add(constraint, None, f"{what}: summary has {reported!r}, expected {expected:.9g}", expected)
            return
        if not abs(reported - expected) <= self.allow(reported, expected, scale):
            self.add(constraint, None, f"{what}: summary has {reported:.9g}, recomputed {expected:.9g}",
                     reported - expected)

    # -- the table ---------------------------------------------------------------------------------
    def col(self, name: str) -> np.ndarray:
        return self.df[name].to_numpy(dtype=float)

    def required_columns(self) -> list[str]:
        inst = self.inst
        cols = ["timestamp", "price_usd_per_mwh", "carbon_kg_per_mwh", "import_cap_mw", "grid_import_mw"]
        for s in inst.inference:
            cols += [f"inference.{s.id}.{x}" for x in ("demand_mw", "served_mw", "shed_mw")]
        cols += ["it_load_mw", "overhead_mw"]
        if inst.cooling is not None:
            cols += ["outdoor_temp_c", "cooling_capacity_mw_th", "cooling_cop", "cooling_chill_mw_th"]
            if inst.cooling.thermal_storage is not None:
                cols += [f"thermal_storage.{x}" for x in ("charge_mw_th", "discharge_mw_th", "stored_mwh_th")]
        for p in self.plugins:   # generators, training jobs, the battery, solar: their own modules' columns
            cols += p.columns(self)
        return cols + ["cooling_mw", "facility_load_mw"]

    def structure_ok(self) -> bool:
        """Columns, row count and timestamps; False when the table cannot be checked further."""
        missing = [c for c in self.required_columns() if c not in self.df.columns]
        if missing:
            self.add("steps.columns", None, f"steps.csv lacks column(s) {', '.join(missing)}", len(missing))
        if len(self.df) != self.n:
            self.add("steps.rows", None, f"steps.csv has {len(self.df)} rows, the horizon {self.n} steps",
                     len(self.df) - self.n)
        if missing or len(self.df) != self.n:
            return False
        numeric = [c for c in self.required_columns() if c != "timestamp"]
        bad = [c for c in numeric if not pd.api.types.is_numeric_dtype(self.df[c]) or self.df[c].isna().any()]
        if bad:
            self.add("steps.values", None, f"non-numeric or empty values in {', '.join(bad)}", len(bad))
            return False
        for t, (text, want) in enumerate(zip(self.df["timestamp"], self.inst.time.index)):
            try:
                ok = pd.Timestamp(text) == want and pd.Timestamp(text).utcoffset() == want.utcoffset()
            except ValueError:
                ok = False
            if not ok:
                self.add("steps.timestamp", t, f"timestamp {text!r}, expected {self.stamps[t]}", 0.0)
        return True
