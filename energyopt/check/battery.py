"""The checker's part for the battery, re-derived from the instance (``[battery]``) and ``steps.csv`` alone: the
level recursion with its losses, reserve, capacity, end level and power limits (``storage_checks``, shared with
the chilled-water tank), no charging and discharging in one step, the energy delivered per local day against
``max_cycles_per_day``, and the wear cost."""
from __future__ import annotations

import math

import numpy as np

from .base import Ctx
from .physics import storage_checks

SECTION = "battery"


def columns(ctx: Ctx) -> list[str]:
    return ["battery.charge_mw", "battery.discharge_mw", "battery.stored_mwh"]


def supply(ctx: Ctx) -> list[np.ndarray]:
    return [ctx.col("battery.discharge_mw"), -ctx.col("battery.charge_mw")]


def costs(ctx: Ctx) -> dict[str, tuple[float, float]]:
    bat = ctx.inst.battery
    wear = bat.throughput_cost_usd_per_mwh * ctx.dt * ctx.col("battery.discharge_mw")
    return {"battery_wear": (float(wear.sum()), float(np.abs(wear).sum()))}


def check(ctx: Ctx) -> None:
    bat = ctx.inst.battery
    eta = math.sqrt(bat.round_trip_efficiency)
    ch, dis = ctx.col("battery.charge_mw"), ctx.col("battery.discharge_mw")
    storage_checks(ctx, "battery", ctx.col("battery.stored_mwh"), ch, dis, eta, eta,
                   bat.reserve_fraction * bat.energy_mwh, bat.energy_mwh, bat.initial_fraction * bat.energy_mwh,
                   (bat.power_mw, bat.power_mw))
    both = np.minimum(ch, dis)
    for t in np.flatnonzero(both > ctx.allow(bat.power_mw)):
        ctx.add("battery.charge_xor_discharge", int(t), f"battery charges {ch[t]:.6g} MW and discharges "
                f"{dis[t]:.6g} MW in the same step", both[t])
    if bat.max_cycles_per_day is None:
        return
    limit = bat.max_cycles_per_day * bat.energy_mwh
    for day, steps in ctx.inst.time.local_days:
        delivered = float(dis[steps].sum() * ctx.dt)
        # A re-plan's fixed steps happened: what they delivered beyond the limit is history, the rest owes 0.
        past = float(dis[[t for t in steps if t < ctx.fixed_steps]].sum() * ctx.dt)
        allowed = max(limit, past)
        if delivered > allowed + ctx.allow(delivered, limit):
            ctx.add("battery.cycles_per_day", steps[0], f"battery delivers {delivered:.6g} MWh on {day}; "
                    f"{bat.max_cycles_per_day:g} cycle(s) of {bat.energy_mwh:g} MWh allow {limit:.6g}",
                    delivered - allowed)
