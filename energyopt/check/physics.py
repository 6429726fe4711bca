"""The model's constraints, re-derived from the instance and checked step by step on ``steps.csv``.

The checks of training jobs and the battery are their own modules (``check/training.py``, ``check/battery.py``);
:func:`storage_checks` is the level recursion both storages share (the battery and the chilled-water tank)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .base import Ctx


def interp(points, x) -> np.ndarray:
    """A piecewise-linear curve of ``(x, y)`` points, flat beyond its ends."""
    return np.interp(np.asarray(x, dtype=float), [p[0] for p in points], [p[1] for p in points])


def import_cap(ctx: Ctx) -> np.ndarray:
    """Average import allowed in each step: the interconnection, lowered by each notice for the share of the step
    its window covers (the lowest cap in force at each moment), i.e. the step's energy cap over its hours."""
    inst, time = ctx.inst, ctx.inst.time
    length = pd.Timedelta(minutes=time.step_minutes)
    cap = np.empty(ctx.n)
    for k, t0 in enumerate(time.index):
        t1 = t0 + length
        marks = sorted({t0, t1, *(x for n in inst.notices for x in (n.start, n.end) if t0 < x < t1)})
        energy = 0.0
        for a, b in zip(marks, marks[1:]):
            caps = [n.import_cap_mw for n in inst.notices if n.start <= a and b <= n.end]
            energy += min([inst.site.interconnection_mw, *caps]) * ((b - a) / length)
        cap[k] = energy
    return cap


def notice_windows(ctx: Ctx) -> list[list[int]]:
    return [ctx.inst.time.steps_overlapping(nt.start, nt.end) for nt in ctx.inst.notices]


def runs(on: np.ndarray) -> list[tuple[int, int]]:
    """``(first, last + 1)`` of each stretch of consecutive true values."""
    padded = np.concatenate([[False], on.astype(bool), [False]]).astype(int)
    d = np.diff(padded)
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist()))


def check_physics(ctx: Ctx) -> None:
    for check in (_inputs_echo, _grid, _balance, _generators, _inference, _cooling):
        check(ctx)
    for p in ctx.plugins:
        p.check(ctx)


def _inputs_echo(ctx: Ctx) -> None:
    """Columns that restate inputs must restate them exactly."""
    inst = ctx.inst
    echo = {"price_usd_per_mwh": inst.grid.price_usd_per_mwh.values,
            "carbon_kg_per_mwh": inst.grid.carbon_kg_per_mwh.values,
            "import_cap_mw": import_cap(ctx), "overhead_mw": inst.site.overhead_mw.values}
    echo |= {f"inference.{s.id}.demand_mw": s.demand_mw.values for s in inst.inference}
    if inst.cooling is not None:
        c = inst.cooling
        echo |= {"outdoor_temp_c": c.outdoor_temp_c.values,
                 "cooling_capacity_mw_th": c.rated_capacity_mw_th * interp(c.capacity_derate_curve,
                                                                             c.outdoor_temp_c.values),
                 "cooling_cop": interp(c.cop_curve, c.outdoor_temp_c.values)}
    for name, want in echo.items():
        ctx.eq_steps("inputs.series", ctx.col(name), want, f"column {name}")


def _grid(ctx: Ctx) -> None:
    imp = ctx.col("grid_import_mw")
    ctx.leq("grid.import_nonnegative", -imp, 0.0, "-import <= 0")
    free = range(ctx.fixed_steps, ctx.n)
    if ctx.summary.get("status") == "notices_softened":   # over the notices' caps at a penalty (accounts.py)
        ctx.leq("grid.import_cap", imp[free.start:], np.full(len(free), ctx.inst.site.interconnection_mw),
                "import <= interconnection (notices softened)", steps=free)
        return
    ctx.leq("grid.import_cap", imp[free.start:], import_cap(ctx)[free.start:],
            "import <= min(interconnection, notice caps)", steps=free)


def _balance(ctx: Ctx) -> None:
    inst = ctx.inst
    supply = [ctx.col("grid_import_mw")] + [ctx.col(f"generator.{g.id}.output_mw") for g in inst.generators]
    if inst.battery is not None:
        supply += [ctx.col("battery.discharge_mw"), -ctx.col("battery.charge_mw")]
    for p in ctx.plugins:
        supply += p.supply(ctx)
    load = ctx.col("facility_load_mw")
    scale = np.max(np.abs(supply), axis=0)
    ctx.eq_steps("balance.power", np.sum(supply, axis=0), load,
                 "import + generators + discharge - charge (+ other supplies) vs facility load", scale)
    it = [inst.site.it_load_mw.values] + [ctx.col(f"job.{j.id}.power_mw") for j in inst.training_jobs]
    it += [ctx.col(f"inference.{s.id}.served_mw") for s in inst.inference]
    ctx.eq_steps("balance.it_load", ctx.col("it_load_mw"), np.sum(it, axis=0),
                 "it_load_mw vs fixed IT + jobs + inference served", np.max(np.abs(it), axis=0))
    parts = [ctx.col("it_load_mw"), inst.site.overhead_mw.values, ctx.col("cooling_mw")]
    ctx.eq_steps("balance.facility_load", load, np.sum(parts, axis=0),
                 "facility_load_mw vs IT + overhead + cooling")


def _generators(ctx: Ctx) -> None:
    dt, n = ctx.dt, ctx.n
    windows = notice_windows(ctx)
    in_notice = np.zeros(n, dtype=bool)
    for w in windows:
        in_notice[w] = True
    for g in ctx.inst.generators:
        name = f"generator {g.id}"
        on_raw, out = ctx.col(f"generator.{g.id}.on"), ctx.col(f"generator.{g.id}.output_mw")
        for t in np.flatnonzero(~((np.abs(on_raw) <= ctx.tol) | (np.abs(on_raw - 1) <= ctx.tol))):
            ctx.add("generator.on_binary", int(t), f"{name}: on = {on_raw[t]:.9g} is not 0 or 1",
                    min(abs(on_raw[t]), abs(on_raw[t] - 1)))
        on = (on_raw > 0.5).astype(float)
        ctx.leq("generator.max_output", out, g.capacity_mw * on, f"{name}: output <= capacity * on")
        ctx.leq("generator.min_output", np.maximum(g.min_load_fraction * g.capacity_mw * on, 0.0), out,
                f"{name}: min load * capacity * on <= output")
        if g.dispatch == "notice_only":
            for t in [t for t in np.flatnonzero((on > 0) & ~in_notice) if t >= ctx.fixed_steps]:
                ctx.add("generator.notice_only", int(t), f"{name} is on outside every notice window "
                        "(dispatch = notice_only)", 1.0)
        up = math.ceil(g.min_up_hours / dt - 1e-9)
        down = math.ceil(g.min_down_hours / dt - 1e-9)
        stretches = runs(on > 0)
        for a, b in stretches:  # units start the horizon off: every stretch begins with a start
            # A re-plan's fixed steps are what happened: a unit that stopped there (a trip) is history.
            if b - a < min(up, n - a) and b > ctx.fixed_steps:
                ctx.add("generator.min_up", a, f"{name} started here runs {b - a} step(s); min up is "
                        f"{up} step(s) ({g.min_up_hours:g} h)", min(up, n - a) - (b - a))
        for (_, b), (a2, _) in zip(stretches, stretches[1:]):
            if a2 - b < down and a2 > ctx.fixed_steps:
                ctx.add("generator.min_down", b, f"{name} stopped here restarts after {a2 - b} step(s); "
                        f"min down is {down} step(s) ({g.min_down_hours:g} h)", down - (a2 - b))
        hours = float(on.sum() * dt)
        if hours > g.run_hours_left + ctx.allow(hours):
            ctx.add("generator.run_hours", None, f"{name} runs {hours:g} h; {g.run_hours_left:g} h are left",
                    hours - g.run_hours_left)
        if g.max_hours_per_day is not None:
            for day, steps in ctx.inst.time.local_days:
                h = float(on[steps].sum() * dt)
                if h > g.max_hours_per_day + ctx.allow(h):
                    ctx.add("generator.day_hours", steps[0], f"{name} runs {h:g} h on {day}; the permit "
                            f"allows {g.max_hours_per_day:g} h a day", h - g.max_hours_per_day)
        if g.max_hours_per_event is not None:
            for notice, w in zip(ctx.inst.notices, windows):
                h = float(on[w].sum() * dt)
                if h > g.max_hours_per_event + ctx.allow(h):
                    ctx.add("generator.event_hours", w[0], f"{name} runs {h:g} h in notice {notice.id}; the "
                            f"permit allows {g.max_hours_per_event:g} h an event", h - g.max_hours_per_event)
        nox = float(g.nox_kg_per_mwh * dt * out.sum())
        if g.nox_cap_kg is not None and nox > g.nox_cap_kg + ctx.allow(nox):
            ctx.add("generator.nox_cap", None, f"{name} emits {nox:.6g} kg NOx; the permit allows "
                    f"{g.nox_cap_kg:g} kg", nox - g.nox_cap_kg)
        fuel = dt * (g.fuel_noload_gal_per_h_per_mw * g.capacity_mw * on + g.fuel_slope_gal_per_mwh * out)
        ctx.eq_steps("generator.fuel", ctx.col(f"generator.{g.id}.fuel_gal"), fuel,
                     f"{name}: fuel_gal vs dt * (no-load + slope * output)")


def _inference(ctx: Ctx) -> None:
    for s in ctx.inst.inference:
        name, demand = f"service {s.id}", s.demand_mw.values
        served = ctx.col(f"inference.{s.id}.served_mw")
        ctx.leq("inference.min_served", s.min_served_fraction * demand, served,
                f"{name}: min served fraction * demand <= served")
        ctx.leq("inference.max_served", served, demand, f"{name}: served <= demand")
        ctx.eq_steps("inference.shed", ctx.col(f"inference.{s.id}.shed_mw"), demand - served,
                     f"{name}: shed vs demand - served", demand)


def storage_checks(ctx: Ctx, kind: str, stored, charge, discharge, gain, loss, lo, hi, initial, limits) -> None:
    """Level recursion ``s[t+1] = s[t] + dt (gain ch - dis / loss)``, bounds, end level and rate limits."""
    prev = np.concatenate([[initial], stored[:-1]])
    ctx.eq_steps(f"{kind}.energy_balance", stored, prev + ctx.dt * (gain * charge - discharge / loss),
                 f"{kind}: stored vs previous + dt * (eff * charge - discharge / eff)", prev)
    ctx.leq(f"{kind}.min_level", np.full(ctx.n, lo), stored, f"{kind}: reserve <= stored")
    ctx.leq(f"{kind}.max_level", stored, hi, f"{kind}: stored <= capacity")
    if ctx.n and stored[-1] < initial - ctx.allow(initial):
        ctx.add(f"{kind}.end_level", ctx.n - 1, f"{kind}: ends at {stored[-1]:.9g}, below its initial "
                f"{initial:.9g}", initial - stored[-1])
    for what, x, cap in (("charge", charge, limits[0]), ("discharge", discharge, limits[1])):
        ctx.leq(f"{kind}.{what}_limit", x, cap, f"{kind}: {what} <= limit")
        ctx.leq(f"{kind}.{what}_nonnegative", -x, 0.0, f"{kind}: -{what} <= 0")


def _cooling(ctx: Ctx) -> None:
    c = ctx.inst.cooling
    if c is None:
        ctx.eq_steps("cooling.power", ctx.col("cooling_mw"), 0.0, "cooling_mw without a cooling plant")
        return
    temp = c.outdoor_temp_c.values
    chill = ctx.col("cooling_chill_mw_th")
    k = ctx.fixed_steps
    ctx.leq("cooling.capacity", chill[k:], (c.rated_capacity_mw_th * interp(c.capacity_derate_curve, temp))[k:],
            "chill <= rated capacity * derate(T)", steps=range(k, ctx.n))
    ctx.leq("cooling.chill_nonnegative", -chill, 0.0, "-chill <= 0")
    heat = ctx.col("it_load_mw")
    tes = c.thermal_storage
    if tes is not None:
        ch, dis = ctx.col("thermal_storage.charge_mw_th"), ctx.col("thermal_storage.discharge_mw_th")
        heat = heat + ch - dis
        storage_checks(ctx, "thermal_storage", ctx.col("thermal_storage.stored_mwh_th"), ch, dis, 1.0, 1.0, 0.0,
                 tes.capacity_mwh_th, tes.initial_fraction * tes.capacity_mwh_th,
                 (tes.max_charge_mw_th, tes.max_discharge_mw_th))
    ctx.eq_steps("cooling.heat_balance", chill, heat, "chill vs IT load (+ storage charge - discharge)")
    ctx.eq_steps("cooling.power", ctx.col("cooling_mw"), chill / interp(c.cop_curve, temp),
                 "cooling_mw vs chill / COP(T)")
