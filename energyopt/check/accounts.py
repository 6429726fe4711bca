"""Cost terms, emissions and the summary's figures, recomputed from the inputs and ``steps.csv``."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .base import Ctx, is_number
from .generators import co2_kg as generator_co2_kg, nox_kg as generator_nox_kg
from .physics import import_cap, notice_windows, runs
from .training import job_running, work_done

COST_TERMS = ("energy", "carbon", "demand_charge", "notice_overrun", "fuel", "startup", "inference_shed",
              "unfinished_work")
WORK_EPS = 1e-6  # MWh: a step "does work" above this (for finish times)


def check_accounts(ctx: Ctx) -> None:
    costs, scales = _costs(ctx)
    for p in ctx.plugins:   # a component's own cost terms: (value, scale) by term
        for term, (value, scale) in p.costs(ctx).items():
            costs[term] = costs.get(term, 0.0) + value
            scales[term] = scales.get(term, 0.0) + scale
    for term in COST_TERMS:   # terms of components the instance lacks (the gensets' fuel, startup) cost nothing
        costs.setdefault(term, 0.0)
        scales.setdefault(term, 0.0)
    terms = (*COST_TERMS, *(t for t in costs if t not in COST_TERMS))
    reported = ctx.summary.get("cost_breakdown_usd")
    if not isinstance(reported, dict):
        ctx.add("cost.breakdown", None, "summary.json has no cost_breakdown_usd", 0.0)
        reported = {}
    for key in sorted(set(reported) - set(terms)):
        ctx.add("cost.unknown", None, f"cost term {key!r} is not a term of the model",
                reported[key] if is_number(reported[key]) else 0.0)
    for key in terms:
        if key in reported or abs(costs[key]) > ctx.allow(scales[key]):
            ctx.eq(f"cost.{key}", reported.get(key), costs[key], f"{key} cost ($)", scales[key])
    total, scale = sum(costs.values()), sum(scales.values())
    objective = ctx.summary.get("objective_usd")
    ctx.eq("cost.objective", objective, total, "objective ($)", scale)
    terms = [v for v in reported.values() if is_number(v)]
    if is_number(objective) and len(terms) == len(reported):
        ctx.eq("cost.objective", objective, sum(terms), "objective vs the sum of its reported terms ($)",
               sum(abs(v) for v in terms))
    solver_info = ctx.summary.get("solver")
    solver = solver_info.get("highs_objective_usd") if isinstance(solver_info, dict) else None
    if is_number(solver):
        if ctx.summary.get("mip_gap") == 0:
            ctx.eq("cost.solver_objective", solver, total, "solver's objective ($)", scale)
        elif solver < total - ctx.allow(scale):
            # Within a gap the schedule's own cost may be below HiGHS's objective (auxiliary variables left
            # high), never above it.
            ctx.add("cost.solver_objective", None, f"the schedule costs {total:,.2f} $, more than the solver's "
                    f"objective {solver:,.2f} $", total - solver)
    _horizon(ctx)
    _figures(ctx)


def _costs(ctx: Ctx) -> tuple[dict[str, float], dict[str, float]]:
    """Each cost term, and the magnitude of the figures it is computed from (the scale of its rounding). The
    gensets' terms (fuel, startup, shutdown and their part of carbon) come from check/generators.py."""
    inst, dt = ctx.inst, ctx.dt
    imp = ctx.col("grid_import_mw")
    usd_per_kg = inst.grid.carbon_price_usd_per_t / 1000.0
    parts: dict[str, np.ndarray] = {
        "energy": inst.grid.price_usd_per_mwh.values * imp * dt,
        "carbon": usd_per_kg * np.array([co2_grid_kg(ctx)]),
        "demand_charge": np.array([1000.0 * inst.grid.demand_charge_usd_per_kw * (imp.max() if ctx.n else 0.0)]),
        "inference_shed": np.array([s.shed_penalty_usd_per_mwh * dt * (s.demand_mw.values
                                    - ctx.col(f"inference.{s.id}.served_mw")).sum() for s in inst.inference]),
        "unfinished_work": np.array([j.unfinished_penalty_usd_per_mwh * max(0.0, j.work_mwh - work_done(ctx, j))
                                     for j in inst.training_jobs]),
        "notice_overrun": overrun_penalty(ctx) * dt * overrun_mw(ctx),
    }
    scales = {k: float(np.sum(np.abs(v))) for k, v in parts.items()}
    # A difference (demand - served, required - done) is as exact as the figures it is taken from.
    scales["inference_shed"] = float(sum(s.shed_penalty_usd_per_mwh * dt * s.demand_mw.values.sum()
                                         for s in inst.inference))
    scales["unfinished_work"] = float(sum(j.unfinished_penalty_usd_per_mwh * max(
        j.work_mwh, np.abs(ctx.col(f"job.{j.id}.work_mwh")).sum()) for j in inst.training_jobs))
    return {k: float(np.sum(v)) for k, v in parts.items()}, scales


def softened(ctx: Ctx) -> bool:
    """A plan whose notices were softened: its import may exceed their caps, at the documented penalty."""
    return ctx.summary.get("status") == "notices_softened"


def overrun_mw(ctx: Ctx) -> np.ndarray:
    """Per step after the fixed past, the import above the notices' caps (0 unless the notices were softened)."""
    if not softened(ctx):
        return np.zeros(ctx.n)
    over = np.maximum(ctx.col("grid_import_mw") - import_cap(ctx), 0.0)
    over[:ctx.fixed_steps] = 0.0
    return over


def overrun_penalty(ctx: Ctx) -> float:
    """$/MWh over a softened cap, as docs/model.md states it: $100,000, or 10x the instance's highest energy price,
    inference shed penalty or unfinished-work penalty where that is more."""
    inst = ctx.inst
    top = max([float(inst.grid.price_usd_per_mwh.values.max(initial=0.0)),
               *(s.shed_penalty_usd_per_mwh for s in inst.inference),
               *(j.unfinished_penalty_usd_per_mwh for j in inst.training_jobs)])
    return max(100_000.0, 10.0 * top)


def co2_grid_kg(ctx: Ctx) -> float:
    return float(np.sum(ctx.inst.grid.carbon_kg_per_mwh.values * ctx.col("grid_import_mw")) * ctx.dt)


def co2_gen_kg(ctx: Ctx) -> np.ndarray:
    return generator_co2_kg(ctx) if ctx.inst.generators else np.zeros(0)


def _horizon(ctx: Ctx) -> None:
    h, time = ctx.summary.get("horizon"), ctx.inst.time
    h = h if isinstance(h, dict) else {}
    want = {"start": time.start.isoformat(), "end": time.end.isoformat(), "step_minutes": time.step_minutes,
            "n_steps": time.n_steps}
    for key, value in want.items():
        got = h.get(key)
        same = got == value if key in ("step_minutes", "n_steps") else _same_time(got, value)
        if not same:
            ctx.add("summary.horizon", None, f"horizon.{key}: summary has {got!r}, expected {value!r}", 0.0)


def _same_time(a, b) -> bool:
    try:
        return isinstance(a, str) and pd.Timestamp(a) == pd.Timestamp(b)
    except (ValueError, TypeError):
        return False


_MISSING = object()


def _get(ctx: Ctx, path: str, quiet: bool = False):
    """The summary's value at ``a/b/c`` (list items by index); a missing one is itself a violation."""
    node = ctx.summary
    for key in path.split("/"):
        if isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        elif isinstance(node, dict) and key in node:
            node = node[key]
        else:
            if not quiet:
                ctx.add("summary.missing", None, f"summary.json lacks {path.replace('/', '.')}", 0.0)
            return _MISSING
    return node


def _fig(ctx: Ctx, constraint: str, path: str, expected: float, scale: float = 0.0) -> None:
    got = _get(ctx, path)
    if got is not _MISSING:
        ctx.eq(constraint, got, float(expected), path.replace("/", "."), scale)


def _figures(ctx: Ctx) -> None:
    inst, dt = ctx.inst, ctx.dt
    imp = ctx.col("grid_import_mw")
    grid_kg, gen_kg = co2_grid_kg(ctx), co2_gen_kg(ctx)
    _fig(ctx, "summary.co2", "co2_t", (grid_kg + gen_kg.sum()) / 1000.0)
    _fig(ctx, "summary.co2", "co2_t_by_source/grid", grid_kg / 1000.0)
    _fig(ctx, "summary.co2", "co2_t_by_source/generators", gen_kg.sum() / 1000.0)
    _fig(ctx, "summary.grid", "grid_import_mwh", imp.sum() * dt, np.abs(imp).sum() * dt)
    _fig(ctx, "summary.grid", "peak_import_mw", imp.max())
    # Each unit's figures are checked by check/generators.py; the site's NOx total here.
    _fig(ctx, "summary.nox", "nox_kg", float(generator_nox_kg(ctx).sum()) if inst.generators else 0.0)
    ends = inst.time.index + pd.Timedelta(minutes=inst.time.step_minutes)
    for j in inst.training_jobs:
        base, done = f"jobs/{j.id}", work_done(ctx, j)
        work = ctx.col(f"job.{j.id}.work_mwh")
        if done > j.work_mwh + ctx.allow(j.work_mwh):
            ctx.add("job.work_limit", None, f"job {j.id} does {done:.9g} MWh of work; it needs only "
                    f"{j.work_mwh:g}", done - j.work_mwh)
        reported = _get(ctx, f"{base}/work_done_mwh", quiet=True)
        _fig(ctx, "job.work_done", f"{base}/work_done_mwh", done, np.abs(work).sum())
        if is_number(reported):
            _fig(ctx, "job.unfinished", f"{base}/unfinished_mwh", j.work_mwh - reported, j.work_mwh)
        _fig(ctx, "summary.jobs", f"{base}/work_required_mwh", j.work_mwh)
        _fig(ctx, "summary.jobs", f"{base}/energy_mwh", ctx.col(f"job.{j.id}.power_mw").sum() * dt)
        _fig(ctx, "summary.jobs", f"{base}/starts", len(runs(job_running(ctx, j))))
        last = np.flatnonzero(work > WORK_EPS)
        finish = ends[last[-1]] if len(last) else None
        got = _get(ctx, f"{base}/finish_time")
        if got is _MISSING:
            pass
        elif (finish is None) != (got is None) or (finish is not None and not _same_time(got, finish)):
            ctx.add("summary.jobs", None, f"jobs.{j.id}.finish_time: summary has {got!r}, expected "
                    f"{None if finish is None else finish.isoformat()!r}", 0.0)
        deadline = j.deadline if j.deadline is not None else inst.time.end
        got = _get(ctx, f"{base}/deadline")
        if got is not _MISSING and not _same_time(got, deadline):
            ctx.add("summary.jobs", None, f"jobs.{j.id}.deadline differs from the instance's {deadline}", 0.0)
    shed_total = 0.0
    for s in inst.inference:
        served, base = ctx.col(f"inference.{s.id}.served_mw"), f"inference/{s.id}"
        demand = s.demand_mw.values
        shed_total += (demand - served).sum() * dt
        _fig(ctx, "summary.inference", f"{base}/demand_mwh", demand.sum() * dt)
        _fig(ctx, "summary.inference", f"{base}/served_mwh", served.sum() * dt)
        _fig(ctx, "summary.inference", f"{base}/shed_mwh", (demand - served).sum() * dt, demand.sum() * dt)
    _fig(ctx, "summary.inference", "inference_shed_mwh", shed_total, sum(s.demand_mw.values.sum() * dt
                                                                         for s in inst.inference))
    _curtailment(ctx, imp)


def _curtailment(ctx: Ctx, imp: np.ndarray) -> None:
    reported = ctx.summary.get("curtailment")
    if not isinstance(reported, list) or len(reported) != len(ctx.inst.notices):
        listed = f"{len(reported)} notice(s)" if isinstance(reported, list) else f"{reported!r} as its notices"
        ctx.add("summary.curtailment", None, f"summary lists {listed}, the instance "
                f"{len(ctx.inst.notices)}", 0.0)
        return
    over = ctx.summary.get("notice_overruns")
    listed = sum(o.get("over_mwh", 0.0) for o in over if isinstance(o, dict)) if isinstance(over, list) else None
    ctx.eq("summary.notice_overruns", listed, float(overrun_mw(ctx).sum() * ctx.dt),
           "energy above the notices' caps (MWh)", float(imp.sum() * ctx.dt))
    cap = import_cap(ctx)
    for k, (notice, w, item) in enumerate(zip(ctx.inst.notices, notice_windows(ctx), reported)):
        if not isinstance(item, dict) or item.get("id") != notice.id:
            got = item.get("id") if isinstance(item, dict) else item
            ctx.add("summary.curtailment", None, f"curtailment[{k}] is {got!r}, expected "
                    f"{notice.id!r}", 0.0)
            continue
        _fig(ctx, "summary.curtailment", f"curtailment/{k}/cap_mw", notice.import_cap_mw)
        peak = item.get("max_import_mw")
        if not w:
            if peak is not None:
                ctx.add("summary.curtailment", None, f"notice {notice.id} touches no step but reports "
                        f"max_import_mw {peak!r}", 0.0)
            continue
        ctx.eq("summary.curtailment", peak, float(imp[w].max()), f"notice {notice.id}: max import (MW)")
        alone = import_cap(ctx, [notice], w)   # what this notice alone allows in the steps it touches
        _fig(ctx, "summary.curtailment", f"curtailment/{k}/over_cap_mwh", float(sum(
            max(imp[t] - alone[t], 0.0) for t in w) * ctx.dt))
        free = [t for t in w if t >= ctx.fixed_steps]  # a re-plan's fixed steps could no longer act on it
        if is_number(peak) and free and not softened(ctx) and float(imp[free].max()) > cap[free].max() + ctx.allow(peak):
            ctx.add("grid.import_cap", None, f"notice {notice.id}: reported max import {peak:.9g} MW exceeds "
                    f"its cap {cap[w].max():.9g}", peak - cap[w].max())
