"""The checker's part for the gensets (``[[generators]]``), re-derived from the instance and ``steps.csv`` alone:
on/off, output limits (scaled by the share of a step a notice covers, for a notice-only unit), notice-only
dispatch, minimum up/down times from the state at the start, ramps (up, down, start-up, shut-down), permit hours
per horizon, day and event, NOx, fuel per kind (line or convex curve), the cost terms fuel, startup, shutdown and
the generators' carbon, and the summary's per-unit figures."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .base import Ctx, is_number

SECTION = "generators"
UNITS = {"diesel": "gal", "natural_gas": "mmbtu", "hydrogen": "kg"}


def _col(g, what: str) -> str:
    return f"generator.{g.id}.{what}"


def fuel_column(g) -> str:
    return _col(g, f"fuel_{UNITS[g.fuel]}")


def columns(ctx: Ctx) -> list[str]:
    kinds = {g.fuel for g in ctx.inst.generators}
    return [_col(g, x) for g in ctx.inst.generators for x in ("on", "output_mw", "fuel_gal")] + [
        _col(g, f"fuel_{UNITS[k]}") for g in ctx.inst.generators for k in sorted(kinds) if k != "diesel"]


def supply(ctx: Ctx) -> list[np.ndarray]:
    return [ctx.col(_col(g, "output_mw")) for g in ctx.inst.generators]


# -- shares of steps -----------------------------------------------------------------------------------
def covered(ctx: Ctx, windows) -> np.ndarray:
    """Per step, the share of it the union of ``windows`` ((start, end)) covers."""
    time = ctx.inst.time
    starts = time.index
    ends = starts + pd.Timedelta(minutes=time.step_minutes)
    spans = sorted((pd.Timestamp(a), pd.Timestamp(b)) for a, b in windows if pd.Timestamp(b) > pd.Timestamp(a))
    merged: list[list] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    share = np.zeros(ctx.n)
    for t in range(ctx.n):
        for a, b in merged:
            share[t] += max((min(b, ends[t]) - max(a, starts[t])) / pd.Timedelta(minutes=time.step_minutes), 0.0)
    return np.minimum(share, 1.0)


def run_share(ctx: Ctx, g) -> np.ndarray:
    """The share of each step the unit may run: all (economic) or what the notices cover (notice_only)."""
    if g.dispatch == "economic":
        return np.ones(ctx.n)
    return covered(ctx, [(nt.start, nt.end) for nt in ctx.inst.notices])


def on_of(ctx: Ctx, g) -> np.ndarray:
    return (ctx.col(_col(g, "on")) > 0.5).astype(float)


def transitions(on: np.ndarray, on0: int) -> tuple[np.ndarray, np.ndarray]:
    """Steps at which the unit starts, and at which it stops, from its state ``on0`` before the first step."""
    d = np.diff(np.concatenate([[on0], on]))
    return np.flatnonzero(d > 0), np.flatnonzero(d < 0)


# -- fuel, CO2, costs ----------------------------------------------------------------------------------
def fuel_lines(g) -> list[tuple[float, float]]:
    """(intercept per h per MW rated, slope per MWh) of the unit's fuel: its kind's line, or each curve segment."""
    if g.fuel_curve is None:
        kind = {"diesel": ("fuel_noload_gal_per_h_per_mw", "fuel_slope_gal_per_mwh"),
                "natural_gas": ("fuel_noload_mmbtu_per_h_per_mw", "fuel_slope_mmbtu_per_mwh"),
                "hydrogen": ("fuel_noload_kg_per_h_per_mw", "fuel_slope_kg_per_mwh")}[g.fuel]
        return [(getattr(g, kind[0]), getattr(g, kind[1]))]
    pts = g.fuel_curve
    out = []
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        s = (y1 - y0) / (x1 - x0)
        out.append((y0 - s * x0, s))
    return out


def fuel_expected(ctx: Ctx, g) -> np.ndarray:
    """Fuel per step in the unit's own unit: dt x the highest line (no-load scaled by the share run) while on."""
    on, out, f = on_of(ctx, g), ctx.col(_col(g, "output_mw")), run_share(ctx, g)
    f = np.where(f > 0, f, 1.0)
    rates = [f * a * g.capacity_mw * on + s * out for a, s in fuel_lines(g)]
    rate = np.max(rates, axis=0) if g.fuel_curve is not None else rates[0]
    return ctx.dt * (np.maximum(rate, 0.0) if g.fuel_curve is not None else rate)


def price(g) -> float:
    return {"diesel": g.fuel_price_usd_per_gal, "natural_gas": g.fuel_price_usd_per_mmbtu,
            "hydrogen": g.fuel_price_usd_per_kg}[g.fuel]


def co2_factor(g) -> float:
    return {"diesel": g.co2_kg_per_gal, "natural_gas": g.co2_kg_per_mmbtu, "hydrogen": 0.0}[g.fuel]


def co2_kg(ctx: Ctx) -> np.ndarray:
    """CO2 of each unit over the horizon, from its fuel column (kg)."""
    return np.array([co2_factor(g) * ctx.col(fuel_column(g)).sum() for g in ctx.inst.generators])


def nox_kg(ctx: Ctx) -> np.ndarray:
    return np.array([g.nox_kg_per_mwh * ctx.dt * ctx.col(_col(g, "output_mw")).sum() for g in ctx.inst.generators])


def costs(ctx: Ctx) -> dict[str, tuple[float, float]]:
    gens = ctx.inst.generators
    fuel = [price(g) * ctx.col(fuel_column(g)).sum() for g in gens]
    ups, downs = zip(*[transitions(on_of(ctx, g), int(g.initial_on)) for g in gens])
    start = [g.startup_cost_usd * len(u) for g, u in zip(gens, ups)]
    stop = [g.shutdown_cost_usd * len(d) for g, d in zip(gens, downs)]
    carbon = ctx.inst.grid.carbon_price_usd_per_t / 1000.0 * co2_kg(ctx)
    out = {"fuel": fuel, "startup": start, "shutdown": stop, "carbon": list(carbon)}
    return {k: (float(np.sum(v)), float(np.sum(np.abs(v)))) for k, v in out.items()}


# -- constraints ---------------------------------------------------------------------------------------
def check(ctx: Ctx) -> None:
    for g in ctx.inst.generators:
        _unit(ctx, g)
        _state(ctx, g)
        _ramps(ctx, g)
        _permits(ctx, g)
        _fuel(ctx, g)
        _figures(ctx, g)


def _unit(ctx: Ctx, g) -> None:
    name = f"generator {g.id}"
    on_raw, out = ctx.col(_col(g, "on")), ctx.col(_col(g, "output_mw"))
    for t in np.flatnonzero(~((np.abs(on_raw) <= ctx.tol) | (np.abs(on_raw - 1) <= ctx.tol))):
        ctx.add("generator.on_binary", int(t), f"{name}: on = {on_raw[t]:.9g} is not 0 or 1",
                min(abs(on_raw[t]), abs(on_raw[t] - 1)))
    on, f = on_of(ctx, g), run_share(ctx, g)
    part = np.where(f > 0, f, 1.0)
    ctx.leq("generator.max_output", out, g.capacity_mw * on, f"{name}: output <= capacity * on")
    # A re-plan's fixed steps ran as they ran: a notice cancelled since may have changed the share of a past
    # step, which no longer bounds what the unit did then (the model drops those rows too).
    free = range(ctx.fixed_steps, ctx.n)
    ctx.leq("generator.min_output", np.maximum(g.min_load_fraction * g.capacity_mw * part * on, 0.0)[free.start:],
            out[free.start:], f"{name}: min load * capacity * share run * on <= output", steps=free)
    if g.dispatch == "notice_only":
        for t in [t for t in np.flatnonzero((on > 0) & (f <= 0)) if t >= ctx.fixed_steps]:
            ctx.add("generator.notice_only", int(t), f"{name} is on outside every notice window "
                    "(dispatch = notice_only)", 1.0)
        partial = np.flatnonzero((f > 0) & (f < 1) & (np.arange(ctx.n) >= ctx.fixed_steps))
        ctx.leq("generator.notice_partial", out[partial], (g.capacity_mw * f * on)[partial],
                f"{name}: output <= capacity * share of the step a notice covers * on", steps=partial)


def _state(ctx: Ctx, g) -> None:
    """Minimum up/down times, from the state at the start and what it carries in."""
    name, dt, n = f"generator {g.id}", ctx.dt, ctx.n
    on, f = on_of(ctx, g), run_share(ctx, g)
    on0 = int(g.initial_on)
    up, down = math.ceil(g.min_up_hours / dt - 1e-9), math.ceil(g.min_down_hours / dt - 1e-9)
    h = g.initial_hours_in_state
    carried = 0 if h is None else math.ceil(max((g.min_up_hours if on0 else g.min_down_hours) - h, 0.0) / dt - 1e-9)
    if on0:   # a notice-only unit must stop where no notice covers the step: the carry ends there
        closed = np.flatnonzero(f <= 0)
        carried = min(carried, int(closed[0]) if len(closed) else carried)
    first = np.flatnonzero(on != on0)
    left_at = int(first[0]) if len(first) else n
    # The fixed steps of a re-plan are what happened: a state left there (a trip) is history.
    if left_at < min(carried, n) and left_at >= ctx.fixed_steps:
        ctx.add("generator.initial_state", left_at, f"{name} was {'on' if on0 else 'off'} at the start for "
                f"{h:g} h and must stay so {carried} step(s) (min {'up' if on0 else 'down'} "
                f"{g.min_up_hours if on0 else g.min_down_hours:g} h); it changes at step {left_at}",
                min(carried, n) - left_at)
    starts, stops = transitions(on, on0)
    for a in starts:
        b = next((int(s) for s in stops if s > a), n)
        if b - a < min(up, n - a) and b > ctx.fixed_steps:
            ctx.add("generator.min_up", int(a), f"{name} started here runs {b - a} step(s); min up is "
                    f"{up} step(s) ({g.min_up_hours:g} h)", min(up, n - a) - (b - a))
    for b in stops:
        a2 = next((int(s) for s in starts if s > b), None)
        if a2 is not None and a2 - b < down and a2 > ctx.fixed_steps:
            ctx.add("generator.min_down", int(b), f"{name} stopped here restarts after {a2 - b} step(s); "
                    f"min down is {down} step(s) ({g.min_down_hours:g} h)", down - (a2 - b))


def _ramps(ctx: Ctx, g) -> None:
    """Average output between steps: ramp up/down while on in both, start-up ramp in a start's first step,
    shut-down ramp in a stop's last step; the step before the first is the initial state."""
    name, cap, minutes = f"generator {g.id}", g.capacity_mw, ctx.inst.time.step_minutes
    on, out = on_of(ctx, g), ctx.col(_col(g, "output_mw"))
    on0 = float(g.initial_on)
    p0 = g.initial_output_mw if g.initial_on else 0.0
    prev_on = np.concatenate([[on0], on[:-1]])
    prev_out = np.concatenate([[np.nan if p0 is None else p0], out[:-1]])
    known = ~np.isnan(prev_out) & (np.arange(ctx.n) >= ctx.fixed_steps)
    rise, fall = out - prev_out, prev_out - out
    for code, limit, when, what, x in (
            ("generator.ramp_up", g.ramp_up_mw_per_min, (prev_on > 0) & (on > 0), "rise", rise),
            ("generator.ramp_down", g.ramp_down_mw_per_min, (prev_on > 0) & (on > 0), "fall", fall)):
        if limit is not None:
            t = np.flatnonzero(when & known)
            ctx.leq(code, x[t], np.full(len(t), limit * minutes),
                    f"{name}: output {what} <= {limit:g} MW/min x {minutes} min", steps=t)
    if g.startup_ramp_fraction is not None:
        t = np.flatnonzero((prev_on == 0) & (on > 0) & (np.arange(ctx.n) >= ctx.fixed_steps))
        ctx.leq("generator.startup_ramp", out[t], np.full(len(t), g.startup_ramp_fraction * cap),
                f"{name}: output in a start's first step <= start-up ramp {g.startup_ramp_fraction:g} x capacity",
                steps=t)
    if g.shutdown_ramp_fraction is not None:
        t = np.flatnonzero((prev_on > 0) & (on == 0) & known)
        ctx.leq("generator.shutdown_ramp", prev_out[t], np.full(len(t), g.shutdown_ramp_fraction * cap),
                f"{name}: output in the step before a stop <= shut-down ramp {g.shutdown_ramp_fraction:g} x "
                "capacity", steps=t)


def _permits(ctx: Ctx, g) -> None:
    name, dt = f"generator {g.id}", ctx.dt
    on, f = on_of(ctx, g), run_share(ctx, g)
    ran = on * f * dt   # a notice-only unit runs only the part of a step the notices cover
    hours = float(ran.sum())
    if hours > g.run_hours_left + ctx.allow(hours):
        ctx.add("generator.run_hours", None, f"{name} runs {hours:g} h; {g.run_hours_left:g} h are left",
                hours - g.run_hours_left)
    if g.max_hours_per_day is not None:
        for day, steps in ctx.inst.time.local_days:
            h = float(ran[steps].sum())
            if h > g.max_hours_per_day + ctx.allow(h):
                ctx.add("generator.day_hours", steps[0], f"{name} runs {h:g} h on {day}; the permit "
                        f"allows {g.max_hours_per_day:g} h a day", h - g.max_hours_per_day)
    if g.max_hours_per_event is not None:
        for notice in ctx.inst.notices:
            w = ctx.inst.time.steps_overlapping(notice.start, notice.end)
            inside = covered(ctx, [(notice.start, notice.end)]) if g.dispatch == "notice_only" else np.ones(ctx.n)
            h = float((on * inside * dt)[w].sum())
            if h > g.max_hours_per_event + ctx.allow(h):
                ctx.add("generator.event_hours", w[0], f"{name} runs {h:g} h in notice {notice.id}; the "
                        f"permit allows {g.max_hours_per_event:g} h an event", h - g.max_hours_per_event)
    nox = float(nox_kg(ctx)[ctx.inst.generators.index(g)])
    if g.nox_cap_kg is not None and nox > g.nox_cap_kg + ctx.allow(nox):
        ctx.add("generator.nox_cap", None, f"{name} emits {nox:.6g} kg NOx; the permit allows "
                f"{g.nox_cap_kg:g} kg", nox - g.nox_cap_kg)


def _fuel(ctx: Ctx, g) -> None:
    name = f"generator {g.id}"
    want = fuel_expected(ctx, g)
    how = "dt * max over the fuel curve's segments" if g.fuel_curve is not None else "dt * (no-load x share + slope * output)"
    kinds = {u.fuel for u in ctx.inst.generators}
    for kind, unit in UNITS.items():
        if kind != "diesel" and kind not in kinds:
            continue
        column = _col(g, f"fuel_{unit}")
        ctx.eq_steps("generator.fuel", ctx.col(column), want if kind == g.fuel else 0.0,
                     f"{name} ({g.fuel}): {column} vs {how}" if kind == g.fuel else
                     f"{name} burns {g.fuel}: {column} must be 0", want)


def _figures(ctx: Ctx, g) -> None:
    """The summary's figures of the unit."""
    node = ctx.summary.get("generator_run_hours")
    item = node.get(g.id) if isinstance(node, dict) else None
    if not isinstance(item, dict):
        ctx.add("summary.missing", None, f"summary.json lacks generator_run_hours.{g.id}", 0.0)
        return
    on, out, f = on_of(ctx, g), ctx.col(_col(g, "output_mw")), run_share(ctx, g)
    starts, stops = transitions(on, int(g.initial_on))
    fuel = ctx.col(fuel_column(g))
    want = {"hours": float((on * f).sum() * ctx.dt), "limit_hours": g.run_hours_left, "starts": len(starts),
            "stops": len(stops), "output_mwh": float(out.sum() * ctx.dt),
            "fuel_gal": float(ctx.col(_col(g, "fuel_gal")).sum()), "fuel": float(fuel.sum()),
            "nox_kg": float(g.nox_kg_per_mwh * ctx.dt * out.sum())}
    for key, value in want.items():
        if key in ("stops", "fuel") and key not in item:
            continue   # a result written before these keys existed
        got = item.get(key)
        if not is_number(got):
            ctx.add("summary.missing", None, f"summary.json lacks generator_run_hours.{g.id}.{key}", 0.0)
            continue
        ctx.eq("summary.generators", got, value, f"generator_run_hours.{g.id}.{key}")
