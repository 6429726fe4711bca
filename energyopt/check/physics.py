"""The model's constraints, re-derived from the instance and checked step by step on ``steps.csv``.

The checks of generators, training jobs, the battery and ramps are their own modules (``check/generators.py``,
``check/training.py``, ``check/battery.py``, ``check/ramps.py``);
:func:`storage_checks` is the level recursion both storages share (the battery and the chilled-water tank)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .base import Ctx


def interp(points, x) -> np.ndarray:
    """A piecewise-linear curve of ``(x, y)`` points, flat beyond its ends."""
    return np.interp(np.asarray(x, dtype=float), [p[0] for p in points], [p[1] for p in points])


def import_cap(ctx: Ctx, notices=None, steps=None) -> np.ndarray:
    """Average import allowed in each step: the interconnection, lowered by each notice (of ``notices``, default
    the instance's) for the share of the step its window covers (the lowest cap in force at each moment), i.e.
    the step's energy cap over its hours; only in ``steps`` where given (the interconnection elsewhere)."""
    inst, time = ctx.inst, ctx.inst.time
    notices = inst.notices if notices is None else notices
    length = pd.Timedelta(minutes=time.step_minutes)
    cap = np.full(ctx.n, float(inst.site.interconnection_mw))
    for k in range(ctx.n) if steps is None else steps:
        t0 = time.index[k]
        t1 = t0 + length
        marks = sorted({t0, t1, *(x for n in notices for x in (n.start, n.end) if t0 < x < t1)})
        energy = 0.0
        for a, b in zip(marks, marks[1:]):
            caps = [n.import_cap_mw for n in notices if n.start <= a and b <= n.end]
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
    for check in (_inputs_echo, _grid, _balance, _inference, _cooling):
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
    supply = [ctx.col("grid_import_mw")]
    for p in ctx.plugins:   # each component's own supplies (gensets, battery discharge - charge, solar)
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
