"""What the ledger leaves a plan: one :class:`PermitBudget` per unit, permit window and window instance
the plan's horizon touches, so that a solve can never exceed what is left.

For each local day ``d`` of the horizon (in the unit's timezone) the window instance that holds ``d``
(its calendar year, its day, or the rolling 12 months that end on ``d``) must hold the plan's amount on
the horizon's days inside that instance, on top of every live entry already dated inside it. Entries of
plans the new plan replaces (a re-plan of the same day) are left out, so nothing is counted twice. A
step's share inside a curtailment notice counts as ``notice_category`` (as ``ledger record`` will count
it), the rest as non-emergency; steps are split at local midnight.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np

from ..inputs import Instance
from ..inputs.budgets import PermitBudget
from . import windows as W
from .importer import step_cuts
from .windows import LedgerInputError



def plan_budgets(ledger, inst: Instance, notice_category: str = W.DEFAULT_NOTICE_CATEGORY,
                 exclude_plan_ids: tuple[str, ...] = ()) -> tuple[PermitBudget, ...]:
    """Budgets for every generator of ``inst`` from ``ledger`` (a :class:`Ledger`). Every generator must be
    a unit of the ledger: a plan for a unit whose permit is not on record could overrun it unseen."""
    if notice_category not in W.CATEGORIES:
        raise LedgerInputError(f"notice category {notice_category!r} is not one of {', '.join(W.CATEGORIES)}")
    with ledger._read() as con:
        units = ledger._units(con)
        missing = [g.id for g in inst.generators if g.id not in units]
        if missing:
            raise LedgerInputError(
                f"the ledger {ledger.path} has no unit for generator(s) {', '.join(missing)}; register each with "
                "`energyopt ledger unit add ID --timezone TZ --window ...` so its permit is counted",
                [f"generators.{g}: not a unit of the ledger" for g in missing])
        out: list[PermitBudget] = []
        for g in inst.generators:
            tz, wins = units[g.id]
            shares = step_shares(inst, ZoneInfo(tz), notice_category)
            daily = _daily(con, g.id, exclude_plan_ids)
            for w in wins:
                out += _window_budgets(g.id, w, W.metric_by_day(daily, w), shares)
    return tuple(out)


def step_shares(inst: Instance, tz: ZoneInfo, notice_category: str) -> dict[tuple[date, str], np.ndarray]:
    """``{(local date, category): share of each step}``: the part of each step on that local day and in
    that category of use."""
    g = inst.time
    step = timedelta(minutes=g.step_minutes)
    notices = [(n.start.to_pydatetime().astimezone(timezone.utc), n.end.to_pydatetime().astimezone(timezone.utc))
               for n in inst.notices]
    edges = sorted({x for n in notices for x in n})
    out: dict[tuple[date, str], np.ndarray] = defaultdict(lambda: np.zeros(g.n_steps))
    for t, a in enumerate(g.index):
        a = a.to_pydatetime().astimezone(timezone.utc)
        cuts = step_cuts(a, a + step, tz, edges)
        for u, v in zip(cuts, cuts[1:]):
            inside = any(ns <= u and v <= ne for ns, ne in notices)
            out[(u.astimezone(tz).date(), notice_category if inside else "non_emergency")][t] += (v - u) / step
    return dict(out)


def _daily(con, unit_id: str, exclude: tuple[str, ...]) -> dict:
    """``{(day, category): [hours, starts, fuel_gal, nox_kg]}`` of live entries, without ``exclude``'s plans."""
    sql = ("SELECT local_date, category, SUM(hours), SUM(starts), SUM(fuel_gal), SUM(nox_kg) FROM live_entries "
           "WHERE unit_id = ? AND (plan_id IS NULL OR plan_id NOT IN ({}))"
           " GROUP BY local_date, category").format(",".join("?" * len(exclude)))
    return {(date.fromisoformat(d), c): vals for d, c, *vals in con.execute(sql, [unit_id, *exclude])}


def _window_budgets(unit_id: str, w: W.PermitWindow, daily: dict[date, float],
                    shares: dict[tuple[date, str], np.ndarray]) -> list[PermitBudget]:
    days = sorted({d for d, _ in shares})
    ends = list(days)
    if w.kind == "rolling_12_months":
        # A window ending after the horizon still holds (part of) the plan, plus whatever is already recorded
        # after it (e.g. tomorrow's plan, recorded before today is re-planned): bound each such window too.
        ends += sorted({day for day in daily if day > days[-1] and W.rolling_start(day) <= days[-1]})
    out, seen = [], set()
    for d in ends:
        lo, hi = W.instance(w.kind, d)
        key = (lo, d if w.kind == "rolling_12_months" else hi)
        if key in seen:
            continue
        seen.add(key)
        # The plan's days inside this instance (a rolling window ends on d).
        last = hi
        weights = sum((s for (day, c), s in shares.items() if lo <= day <= last and w.counts(c)),
                      np.zeros(len(next(iter(shares.values())))))
        used = sum(v for day, v in daily.items() if lo <= day <= hi)
        out.append(PermitBudget(unit_id=unit_id, label=f"{w.kind}:{w.applies_to}:{w.metric} {lo}..{hi}",
                                metric=w.metric, limit=w.limit, used_before=float(used), weights=weights))
    return out
