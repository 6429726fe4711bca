"""The checker's part for solar PV arrays, re-derived from the instance (``[[solar]]``) and ``steps.csv`` alone:
output within what is available (all of it for an array that cannot curtail), the available column echoing
capacity x availability, its O&M cost and its summary figures."""
from __future__ import annotations

import numpy as np

from .base import Ctx

SECTION = "solar"


def _out(a) -> str:
    return f"solar.{a.id}.output_mw"


def _avail(a) -> str:
    return f"solar.{a.id}.available_mw"


def columns(ctx: Ctx) -> list[str]:
    return [name for a in ctx.inst.solar for name in (_out(a), _avail(a))]


def supply(ctx: Ctx) -> list[np.ndarray]:
    return [ctx.col(_out(a)) for a in ctx.inst.solar]


def costs(ctx: Ctx) -> dict[str, tuple[float, float]]:
    parts = [a.om_usd_per_mwh * ctx.dt * ctx.col(_out(a)) for a in ctx.inst.solar]
    return {"solar_om": (float(sum(p.sum() for p in parts)), float(sum(np.abs(p).sum() for p in parts)))}


def check(ctx: Ctx) -> None:
    for a in ctx.inst.solar:
        name = f"solar {a.id}"
        available = a.capacity_mw * a.availability.values
        out = ctx.col(_out(a))
        ctx.eq_steps("inputs.series", ctx.col(_avail(a)), available, f"column {_avail(a)}")
        ctx.leq("solar.output_nonnegative", -out, 0.0, f"{name}: -output <= 0")
        # A re-plan's fixed steps are what the array made: availability was a forecast, as the weather is.
        free = range(ctx.fixed_steps, ctx.n)
        ctx.leq("solar.available", out[free.start:], available[free.start:],
                f"{name}: output <= capacity x availability", steps=free)
        if not a.curtailable:
            ctx.leq("solar.must_take", available[free.start:], out[free.start:],
                    f"{name} cannot curtail: capacity x availability <= output", steps=free)
        made, avail = float(out.sum() * ctx.dt), float(available.sum() * ctx.dt)
        base = ctx.summary.get("solar", {}).get(a.id) if isinstance(ctx.summary.get("solar"), dict) else None
        if not isinstance(base, dict):
            ctx.add("summary.missing", None, f"summary.json lacks solar.{a.id}", 0.0)
            continue
        for key, want in (("available_mwh", avail), ("output_mwh", made), ("curtailed_mwh", max(avail - made, 0.0))):
            ctx.eq("summary.solar", base.get(key), want, f"solar.{a.id}.{key}", avail)
