"""Re-planning: keep what happened before "now", re-optimize the rest of the horizon.

``replan(previous_dir, now, ...)`` reads a result folder of ``solve`` or ``replan``, the instance as it
stands now (the previous plan's instance file unless another is given, with notices added or cancelled),
and what actually happened (``actuals``: any per-step columns of ``steps.csv``; the previous plan's values
are used where none are given). Every step that starts before ``now + response time`` is fixed: the site
cannot act sooner than its response time after learning of a change, so a notice's lead time shorter than
that cannot be met in full, and the result says by how much. The rest is solved again with the same model.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ReplanError
from ..inputs import Instance, InstanceError, load_instance
from ..inputs.history import History
from ..inputs.notices import notice_iso, notice_patch
from ..registry import COMPONENTS, replan_columns
from .actuals import cell_value, column_ranges, keeps_plan, row_problems


@dataclass(frozen=True)
class PreviousPlan:
    folder: Path
    summary: dict
    steps: pd.DataFrame
    times: pd.DatetimeIndex

    @property
    def plan_id(self) -> str | None:
        return self.summary.get("plan_id")

    @property
    def instance_file(self) -> Path | None:
        from ..results.result import instance_path
        return instance_path(self.folder, self.summary)


def load_previous(folder: str | Path) -> PreviousPlan:
    """Read a result folder written by ``solve`` or ``replan`` that holds a schedule."""
    folder = Path(folder)
    s_path, c_path = folder / "summary.json", folder / "steps.csv"
    if not folder.is_dir():
        raise ReplanError(f"previous plan {folder}: no such folder")
    missing = [p.name for p in (s_path, c_path) if not p.is_file()]
    if missing:
        raise ReplanError(f"previous plan {folder} is not a result folder of `energyopt solve` (missing "
                          f"{', '.join(missing)})")
    try:
        summary = json.loads(s_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReplanError(f"{s_path}: not readable JSON ({exc})") from None
    if not isinstance(summary, dict) or not {"format_version", "status", "horizon"} <= set(summary):
        raise ReplanError(f"{s_path} is not an energyopt summary")
    if summary["status"] not in ("optimal", "time_limit_feasible", "notices_softened"):
        raise ReplanError(f"previous plan {folder} has status {summary['status']!r}: it holds no schedule")
    try:
        steps = pd.read_csv(c_path)
        times = pd.DatetimeIndex(pd.to_datetime(steps["timestamp"], utc=True))
    except (OSError, ValueError, KeyError, pd.errors.ParserError) as exc:
        raise ReplanError(f"{c_path}: not a result table ({exc})") from None
    return PreviousPlan(folder, summary, steps, times)


def load_current_instance(prev: PreviousPlan, now: pd.Timestamp, instance: str | Path | None = None,
                          add_notices: list[dict] = (), cancel_notices: list[tuple[str, str]] = ()) -> Instance:
    """The instance as it stands at ``now``: ``instance`` or the previous plan's own instance file."""
    path = instance if instance is not None else prev.instance_file
    if path is None:
        raise ReplanError(f"previous plan {prev.folder} does not name its instance file; give --instance")
    patch, problems = notice_patch(list(add_notices), list(cancel_notices), now)
    inst = load_instance(path, patch=patch if (add_notices or cancel_notices) else None)
    if problems:
        raise InstanceError(problems, str(path))
    return inst


def fixed_step_count(inst: Instance, now: pd.Timestamp, response_minutes: float) -> int:
    """Steps that start before ``now + response`` can no longer change."""
    g = inst.time
    until = now + pd.Timedelta(minutes=response_minutes)
    return max(0, min(g.n_steps, math.ceil((until - g.start) / pd.Timedelta(minutes=g.step_minutes) - 1e-9)))


def make_history(inst: Instance, prev: PreviousPlan, now: pd.Timestamp, response_minutes: float = 0.0,
                 actuals: pd.DataFrame | None = None, actuals_name: str = "actuals") -> History:
    """The fixed steps, valued from ``actuals`` where given and from the previous plan elsewhere."""
    g = inst.time
    problems: list[str] = []
    p_start = prev.times[0] if len(prev.times) else None
    p_end = prev.times[-1] + pd.Timedelta(minutes=g.step_minutes) if len(prev.times) else None
    if p_start is None or not (p_start <= now < p_end):
        raise ReplanError(f"now ({now}) lies outside the previous plan ({p_start} to {p_end}); a re-plan "
                          "starts from a moment inside the plan it revises")
    step_ok = prev.summary.get("horizon", {}).get("step_minutes") == g.step_minutes
    if g.start != p_start or not step_ok:
        raise ReplanError(f"the instance's horizon ({g.start}, {g.step_minutes}-minute steps) does not match the "
                          f"previous plan's ({p_start}, {prev.summary.get('horizon', {}).get('step_minutes')}-minute "
                          "steps); a re-plan keeps the horizon's start and step")
    n_fixed = fixed_step_count(inst, now, response_minutes)
    if n_fixed > len(prev.times):
        raise ReplanError(f"the previous plan has {len(prev.times)} steps, fewer than the {n_fixed} to keep")
    values: dict[str, np.ndarray] = {}
    for name in history_columns(inst):
        if name in prev.steps:
            values[name] = prev.steps[name].to_numpy(dtype=float)[:n_fixed].copy()
        else:
            problems.append(f"previous plan's steps.csv has no column {name} (the instance has a component the "
                            "plan did not)")
    if actuals is not None:
        _apply_actuals(inst, actuals, actuals_name, n_fixed, values, problems)
    if problems:
        raise ReplanError("cannot re-plan; nothing was written:", problems)
    return History(n_fixed=n_fixed, values=values)


def history_columns(inst: Instance) -> list[str]:
    """The decisions of the fixed steps: the columns each component declares a re-plan reads back."""
    return replan_columns(inst)


class Given:
    """The values one row of actuals gives (checked numbers; a column left out or a cell saying ``plan`` is not
    given)."""

    def __init__(self, rec: dict):
        self.rec = rec

    def __call__(self, column: str) -> bool:
        return self.rec.get(column) is not None

    def value(self, column: str) -> float:
        return float(self.rec[column])


def _dependents(inst: Instance, rec: dict, values: dict[str, np.ndarray], k: int) -> None:
    """Actuals that state one side of a pair fix the other where the plan's value would contradict them (a unit
    reported off produced nothing, a job reported idle did no work: each component's ``actuals``). Explicit
    columns (applied after) win."""
    given = Given(rec)
    for c in COMPONENTS:
        if c.actuals is not None:
            c.actuals(inst, given, values, k)


def _row_step(stamp, index: dict, n_fixed: int, seen: dict[int, int], row: int, name: str,
              problems: list[str]) -> int | None:
    """The step a row of actuals describes, or None (with the reason in ``problems``)."""
    try:
        t = pd.Timestamp(stamp)
        if t.tzinfo is None:
            raise ValueError("no UTC offset")
        k = index.get(t.tz_convert("UTC"))
    except (ValueError, TypeError) as exc:
        problems.append(f"{name} row {row}: timestamp {stamp!r} is not an ISO time with offset ({exc})")
        return None
    if k is None:
        problems.append(f"{name} row {row}: {stamp} is not the start of a step of the horizon")
        return None
    if k >= n_fixed:
        problems.append(f"{name} row {row}: {stamp} is not before now (plus the response time); actuals "
                        "describe only what has happened")
        return None
    if k in seen:
        problems.append(f"{name} row {row}: {stamp} is given again (first in row {seen[k]})")
        return None
    seen[k] = row
    return k


def _apply_actuals(inst: Instance, actuals: pd.DataFrame, name: str, n_fixed: int,
                   values: dict[str, np.ndarray], problems: list[str]) -> None:
    """Overwrite planned values with what happened: rows by timestamp (a step's start), any known column, every
    cell checked first (:mod:`energyopt.ops.actuals`: a finite number in the column's physical range, not empty);
    any bad cell or row leaves ``values`` as they were and every one is reported."""
    g = inst.time
    if "timestamp" not in actuals:
        problems.append(f"{name}: no 'timestamp' column")
        return
    known = set(history_columns(inst))
    ranges = column_ranges(inst)
    for c in actuals.columns:
        if c != "timestamp" and c not in known:
            problems.append(f"{name}: column {c!r} is not a decision of this instance (known: "
                            f"{', '.join(sorted(known)) or 'none'})")
    index = {t: k for k, t in enumerate(g.index.tz_convert("UTC"))}
    seen: dict[int, int] = {}
    rows: list[tuple[int, dict]] = []
    bad = len(problems)
    for row, (stamp, rec) in enumerate(zip(actuals["timestamp"], actuals.to_dict("records")), start=2):
        k = _row_step(stamp, index, n_fixed, seen, row, name, problems)
        clean: dict[str, float | None] = {}
        for c, v in rec.items():
            if c not in known:
                continue
            if keeps_plan(v):
                clean[c] = None
                continue
            x, why = cell_value(v, ranges.get(c), k)
            if why is not None:
                problems.append(f"{name} row {row}, column {c}: {why}")
            clean[c] = x
        on_off = [c for c in clean if c.endswith(".on") and clean[c] == 0.0]
        for c in on_off:   # a unit reported off and producing in the same row
            out = c[:-len(".on")] + ".output_mw"
            if (clean.get(out) or 0.0) > 0.0:
                problems.append(f"{name} row {row}, columns {c} and {out}: the unit is reported off (0) but "
                                f"producing {clean[out]:g} MW")
        problems += [f"{name} row {row}, {why}" for why in row_problems(inst, clean)]
        if k is not None:
            rows.append((k, clean))
    if len(problems) > bad:
        return
    for k, clean in rows:
        _dependents(inst, clean, values, k)
        for c, x in clean.items():
            if x is not None:
                values[c][k] = x


def replan(previous_dir: str | Path, now, *, instance: str | Path | None = None, response_minutes: float = 0.0,
           actuals: pd.DataFrame | None = None, actuals_name: str = "actuals", add_notices: list[dict] = (),
           cancel_notices: list[str] = (), options=None, ledger=None, notice_category: str | None = None,
           soften_notices: bool = True, warm_start: bool = True):
    """Re-optimize a plan from ``now``; returns ``(Result, diff)`` where ``diff`` is :func:`plan_diff`'s dict
    (None when the re-plan has no schedule). ``ledger`` (a :class:`~energyopt.ledger.Ledger`) bounds the
    generators by what their permit windows have left, leaving out entries of the plans this one replaces.
    A re-plan that no schedule can solve as posed (a notice that cannot be met) is solved again with the notices'
    caps softened at a large penalty (``soften_notices``, on by default): its status is ``notices_softened`` and
    its summary says by how much and when each cap is exceeded (``notice_overruns``) and why (``diagnosis``).
    With ``warm_start`` (the default) HiGHS starts from the previous plan (:mod:`energyopt.ops.warmstart`)."""
    from ..api import solve
    from .diff import plan_diff

    prev = load_previous(previous_dir)
    now = _as_time(now)
    add_notices = [notice_iso(n) for n in add_notices]
    cancel_notices = [(nid, now.isoformat()) for nid in cancel_notices]
    if instance is None:  # the previous plan's own file: keep the notices earlier re-plans added or cancelled
        before = prev.summary.get("replan") or {}
        add_notices = [*before.get("notices_added", []), *add_notices]
        cancel_notices = [*((c["id"], c["at"]) for c in before.get("notices_cancelled", [])), *cancel_notices]
    inst = load_current_instance(prev, now, instance, add_notices, cancel_notices)
    history = make_history(inst, prev, now, response_minutes, actuals, actuals_name)
    supersedes = [*prev.summary.get("supersedes", []), *([prev.plan_id] if prev.plan_id else [])]
    budgets = ()
    if ledger is not None:
        from ..ledger.budgets import plan_budgets
        budgets = plan_budgets(ledger, inst, *([notice_category] if notice_category else []),
                               exclude_plan_ids=tuple(supersedes))
    start = None
    if warm_start:
        from .warmstart import previous_plan_start
        start = previous_plan_start(inst, prev.steps, history, budgets)
    result = solve(inst, options, history=history, budgets=budgets, soften_notices=soften_notices, warm_start=start)
    fixed_until = inst.time.start + pd.Timedelta(minutes=inst.time.step_minutes * history.n_fixed)
    result.summary["replan"] = {
        "now": now.isoformat(), "response_minutes": response_minutes, "fixed_steps": history.n_fixed,
        "fixed_until": fixed_until.isoformat(), "previous_plan_id": prev.plan_id,
        "previous_plan_dir": str(prev.folder.resolve()), "actuals": actuals_name if actuals is not None else None,
        "notices_added": add_notices, "notices_cancelled": [{"id": i, "at": at} for i, at in cancel_notices],
        "warm_start": start is not None}
    result.summary["replaces_plan_id"] = prev.plan_id
    result.summary["supersedes"] = supersedes
    if result.steps is None:
        return result, None
    return result, plan_diff(prev.summary, prev.steps, result.summary, result.steps, history.n_fixed, inst)


def _as_time(value) -> pd.Timestamp:
    try:
        t = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ReplanError(f"now {value!r} is not an ISO time (e.g. 2025-07-15T13:40-05:00)") from None
    if t.tzinfo is None:
        raise ReplanError(f"now {value!r} has no UTC offset (e.g. 2025-07-15T13:40-05:00)")
    return t
