"""The model's constraints, re-derived from the instance and checked step by step on ``steps.csv``."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .base import Ctx


def interp(points, x) -> np.ndarray:
    """A piecewise-linear curve of ``(x, y)`` points, flat beyond its ends."""
    return np.interp(np.asarray(x, dtype=float), [p[0] for p in points], [p[1] for p in points])


def import_cap(ctx: Ctx) -> np.ndarray:
    """Interconnection, lowered by every notice whose window touches the step."""
    cap = np.full(ctx.n, ctx.inst.site.interconnection_mw)
    for w, notice in zip(notice_windows(ctx), ctx.inst.notices):
        cap[w] = np.minimum(cap[w], notice.import_cap_mw)
    return cap


def notice_windows(ctx: Ctx) -> list[list[int]]:
    return [ctx.inst.time.steps_overlapping(nt.start, nt.end) for nt in ctx.inst.notices]


def job_window(ctx: Ctx, job) -> np.ndarray:
    """Steps lying wholly inside ``[release, deadline)``, as a boolean mask."""
    time = ctx.inst.time
    release = pd.Timestamp(job.release) if job.release is not None else time.start
    deadline = pd.Timestamp(job.deadline) if job.deadline is not None else time.end
    starts = time.index
    ends = starts + pd.Timedelta(minutes=time.step_minutes)
    return np.asarray((starts >= release) & (ends <= deadline), dtype=bool)


def runs(on: np.ndarray) -> list[tuple[int, int]]:
    """``(first, last + 1)`` of each stretch of consecutive true values."""
    padded = np.concatenate([[False], on.astype(bool), [False]]).astype(int)
    d = np.diff(padded)
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist()))


def check_physics(ctx: Ctx) -> None:
    for check in (_inputs_echo, _grid, _balance, _training, _inference, _cooling, _battery):
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


def throughput(job, frac: np.ndarray) -> np.ndarray:
    """Share of full speed at a power fraction (the loader makes the curve cover every allowed cap)."""
    return interp(job.throughput_curve, frac)


def job_running(ctx: Ctx, job) -> np.ndarray:
    return ctx.col(f"job.{job.id}.power_mw") > ctx.allow(job.power_mw)


def _training(ctx: Ctx) -> None:
    for j in ctx.inst.training_jobs:
        name, P = f"job {j.id}", j.power_mw
        power, work = ctx.col(f"job.{j.id}.power_mw"), ctx.col(f"job.{j.id}.work_mwh")
        window = job_window(ctx, j)
        running = job_running(ctx, j)
        for t in np.flatnonzero(~window & (running | (np.abs(work) > ctx.allow(P * ctx.dt)))):
            ctx.add("job.window", int(t), f"{name} draws {power[t]:.6g} MW / does {work[t]:.6g} MWh outside "
                    "the steps wholly inside [release, deadline)", max(abs(power[t]), abs(work[t])))
        ctx.leq("job.max_power", power, P, f"{name}: power <= full power")
        ctx.leq("job.power_nonnegative", -power, 0.0, f"{name}: -power <= 0")
        r = np.flatnonzero(running)
        ctx.leq("job.min_power", np.full(len(r), j.min_power_fraction * P), power[r],
                f"{name}: min fraction * full power <= power while running", steps=r)
        ctx.leq("job.work_nonnegative", -work, 0.0, f"{name}: -work <= 0")
        bound = np.where(running, ctx.dt * P * throughput(j, np.clip(power / P, 0.0, None)), 0.0)
        ctx.leq("job.throughput", work, bound, f"{name}: work <= dt * P * throughput(power / P)")
        stretches = runs(running)
        if not j.can_pause and len(stretches) > 1:
            ctx.add("job.one_stretch", stretches[1][0], f"{name} cannot pause but runs in {len(stretches)} "
                    "stretches", len(stretches) - 1)


def _inference(ctx: Ctx) -> None:
    for s in ctx.inst.inference:
        name, demand = f"service {s.id}", s.demand_mw.values
        served = ctx.col(f"inference.{s.id}.served_mw")
        ctx.leq("inference.min_served", s.min_served_fraction * demand, served,
                f"{name}: min served fraction * demand <= served")
        ctx.leq("inference.max_served", served, demand, f"{name}: served <= demand")
        ctx.eq_steps("inference.shed", ctx.col(f"inference.{s.id}.shed_mw"), demand - served,
                     f"{name}: shed vs demand - served", demand)


def _storage(ctx: Ctx, kind: str, stored, charge, discharge, gain, loss, lo, hi, initial, limits) -> None:
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
        _storage(ctx, "thermal_storage", ctx.col("thermal_storage.stored_mwh_th"), ch, dis, 1.0, 1.0, 0.0,
                 tes.capacity_mwh_th, tes.initial_fraction * tes.capacity_mwh_th,
                 (tes.max_charge_mw_th, tes.max_discharge_mw_th))
    ctx.eq_steps("cooling.heat_balance", chill, heat, "chill vs IT load (+ storage charge - discharge)")
    ctx.eq_steps("cooling.power", ctx.col("cooling_mw"), chill / interp(c.cop_curve, temp),
                 "cooling_mw vs chill / COP(T)")


def _battery(ctx: Ctx) -> None:
    bat = ctx.inst.battery
    if bat is None:
        return
    eta = math.sqrt(bat.round_trip_efficiency)
    ch, dis = ctx.col("battery.charge_mw"), ctx.col("battery.discharge_mw")
    _storage(ctx, "battery", ctx.col("battery.stored_mwh"), ch, dis, eta, eta,
             bat.reserve_fraction * bat.energy_mwh, bat.energy_mwh, bat.initial_fraction * bat.energy_mwh,
             (bat.power_mw, bat.power_mw))
    both = np.minimum(ch, dis)
    for t in np.flatnonzero(both > ctx.allow(bat.power_mw)):
        ctx.add("battery.charge_xor_discharge", int(t), f"battery charges {ch[t]:.6g} MW and discharges "
                f"{dis[t]:.6g} MW in the same step", both[t])
