"""The checker's part for ramp limits, re-derived from the instance (``[grid]`` and ``[site]`` ramp fields) and
``steps.csv`` alone: the grid import's rise and fall between consecutive steps, its change over any 15 minutes,
and the facility load's rise and fall. A re-plan's fixed steps are what happened: a pair of steps both before
"now" is not held against it; the move from the last fixed step into the first free one is."""
from __future__ import annotations

import numpy as np

from .base import Ctx

SECTION = "grid"


def columns(ctx: Ctx) -> list[str]:
    return []


def supply(ctx: Ctx) -> list[np.ndarray]:
    return []


def costs(ctx: Ctx) -> dict[str, tuple[float, float]]:
    return {}


def _limit(ctx: Ctx, code: str, what: str, x: np.ndarray, initial, limit_mw: float | None, span: int,
           sign: int) -> None:
    """``sign * (x[t] - x[s]) <= limit_mw`` for ``0 < t - s <= span``; before the first step ``x`` is ``initial``
    (every earlier step), or unknown when ``initial`` is None."""
    if limit_mw is None:
        return
    for t in range(ctx.n):
        for s in range(t - span, t):
            if s < 0 and initial is None:
                continue
            if t < ctx.fixed_steps:
                continue
            before = initial if s < 0 else x[s]
            move = sign * (x[t] - before)
            if move > limit_mw + ctx.allow(x[t], before):
                frm = "before the horizon" if s < 0 else f"step {s}"
                ctx.add(code, t, f"{what} moves {x[t] - before:+.6g} MW from {frm} (limit {limit_mw:.6g} MW)",
                        move - limit_mw)


def check(ctx: Ctx) -> None:
    minutes = ctx.inst.time.step_minutes
    g, site = ctx.inst.grid, ctx.inst.site
    imp = ctx.col("grid_import_mw")
    if g.ramp_up_mw_per_min is not None:
        _limit(ctx, "grid.ramp_up", "grid import", imp, g.initial_import_mw, g.ramp_up_mw_per_min * minutes, 1, 1)
    if g.ramp_down_mw_per_min is not None:
        _limit(ctx, "grid.ramp_down", "grid import", imp, g.initial_import_mw, g.ramp_down_mw_per_min * minutes, 1, -1)
    # Over any 15 minutes: steps whose starts are at most 15 minutes apart, at least consecutive steps.
    span = max(1, 15 // minutes)
    for sign in (1, -1):
        _limit(ctx, "grid.change_15min", "grid import", imp, g.initial_import_mw, g.max_change_mw_per_15min, span, sign)
    load = ctx.col("facility_load_mw")
    if site.load_ramp_up_mw_per_min is not None:
        _limit(ctx, "site.load_ramp_up", "facility load", load, site.initial_load_mw,
               site.load_ramp_up_mw_per_min * minutes, 1, 1)
    if site.load_ramp_down_mw_per_min is not None:
        _limit(ctx, "site.load_ramp_down", "facility load", load, site.initial_load_mw,
               site.load_ramp_down_mw_per_min * minutes, 1, -1)
