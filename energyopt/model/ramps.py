"""Ramp limits on a per-step quantity (the grid import, the facility load): how far it may move between steps.

A schedule's values are step averages. A ramp limit of R MW/min bounds the change between consecutive steps by
R x the step's minutes (the discrete form PyPSA and unit-commitment models use); a limit L on the change over
any 15 minutes bounds |x[t] - x[s]| for every pair of steps whose starts are at most 15 minutes apart (at 15-
and 60-minute steps, consecutive steps). A value known from just before the horizon (``initial``) stands for
every step before the first, so the first steps are bound too; without it they are free.

Each limit is one constraint per ordered pair ``(s, t)``, ``s < t`` (``s = -1`` is the value before the
horizon). In the elastic model (explaining infeasibility) each gets a slack whose MW x step hours count as
unmet requirement, so a ramp that cannot be kept is named, with when and by how much.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyomo.environ as pyo

from .when import stamp


@dataclass(frozen=True)
class RampLimits:
    """The limits on one quantity; ``None`` is unlimited."""

    what: str                    #: what is limited, for messages ("grid import")
    up_mw_per_min: float | None
    down_mw_per_min: float | None
    change_mw_per_15min: float | None = None
    initial_mw: float | None = None

    @property
    def any(self) -> bool:
        return any(x is not None for x in (self.up_mw_per_min, self.down_mw_per_min, self.change_mw_per_15min))


def pairs(n: int, span: int, initial: bool) -> list[tuple[int, int]]:
    """``(s, t)``, ``s < t``, with ``t - s <= span`` steps; ``s = -1`` (before the horizon) only with ``initial``."""
    first = -1 if initial else 0
    return [(s, t) for t in range(n) for s in range(max(first, t - span), t)]


def fifteen_minute_span(step_minutes: int) -> int:
    """Steps apart that the 15-minute limit binds: up to 15 minutes between starts, at least one step."""
    return max(1, 15 // step_minutes)


def limits_of(lim: RampLimits, step_minutes: int) -> list[tuple[str, float, int, int]]:
    """``(kind, MW, span, sign)`` of each limit given: ``sign`` +1 bounds a rise, -1 a fall."""
    out = []
    if lim.up_mw_per_min is not None:
        out.append(("up", lim.up_mw_per_min * step_minutes, 1, 1))
    if lim.down_mw_per_min is not None:
        out.append(("down", lim.down_mw_per_min * step_minutes, 1, -1))
    if lim.change_mw_per_15min is not None:
        span = fifteen_minute_span(step_minutes)
        out += [("change_15min", lim.change_mw_per_15min, span, 1), ("change_15min", lim.change_mw_per_15min, span, -1)]
    return out


def add(b: pyo.Block, x, lim: RampLimits, n: int, step_minutes: int, elastic: bool) -> None:
    """``b.ramp[kind, sign, s, t]``: ``sign x (x[t] - x[s]) <= limit`` for each limit of ``lim``; ``x(t)`` is the
    quantity's expression at step ``t``. In the elastic model each row has a slack ``b.Ramp_Excess_MW``."""
    rows = {}
    for kind, mw, span, sign in limits_of(lim, step_minutes):
        for s, t in pairs(n, span, lim.initial_mw is not None):
            rows[kind, sign, s, t] = mw
    b.ramp_rows = list(rows)
    if elastic:
        b.Ramp_Excess_MW = pyo.Var(b.ramp_rows, bounds=(0.0, None))
        b.elastic_mwh = pyo.Expression(expr=step_minutes / 60.0 * sum(b.Ramp_Excess_MW[r] for r in b.ramp_rows))

    def before(s):
        return lim.initial_mw if s < 0 else x(s)

    b.ramp = pyo.Constraint(b.ramp_rows, rule=lambda _, kind, sign, s, t: sign * (x(t) - before(s))
                            <= rows[kind, sign, s, t] + (b.Ramp_Excess_MW[kind, sign, s, t] if elastic else 0))


def release_past(b: pyo.Block, n_fixed: int) -> None:
    """A re-plan: rows between two steps before "now" describe what happened and no longer bind; the row from the
    last fixed step into the first free one does (the site cannot jump from where it is)."""
    if not hasattr(b, "ramp"):
        return
    for kind, sign, s, t in b.ramp_rows:
        if t < n_fixed:
            b.ramp[kind, sign, s, t].deactivate()


def explain(b: pyo.Block, lim: RampLimits, index, step_minutes: int) -> list[str]:
    """What the elastic slack of the ramp rows says: each limit that cannot be kept, the worst pair of steps and
    the MW it is short by."""
    if not hasattr(b, "Ramp_Excess_MW"):
        return []
    worst: dict[tuple[str, int], tuple[float, int, int]] = {}
    for kind, sign, s, t in b.ramp_rows:
        v = float(pyo.value(b.Ramp_Excess_MW[kind, sign, s, t]))
        if v > 1e-5 and v > worst.get((kind, sign), (0.0, 0, 0))[0]:
            worst[kind, sign] = (v, s, t)
    out = []
    names = {("up", 1): "ramp-up limit", ("down", -1): "ramp-down limit",
             ("change_15min", 1): "15-minute change limit (rising)", ("change_15min", -1): "15-minute change limit (falling)"}
    for (kind, sign), (v, s, t) in worst.items():
        frm = "before the horizon" if s < 0 else stamp(index[s])
        out.append(f"Ramp: the {lim.what}'s {names[kind, sign]} cannot be kept: from {frm} to "
                   f"{stamp(index[t])} it must move {v:.3f} MW further than the limit allows (a notice's cap, "
                   "the load that must be served or the limit itself would have to change).")
    return out
