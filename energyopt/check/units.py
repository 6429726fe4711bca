"""The checker's part for a plan's genset type unit by unit (``energyopt/ops/units.py``), re-derived from the
instance and the per-unit on/off schedule alone: the units on add up to the fleet's count in each step, a
unit runs only in steps its type may run in, each run lasts at least the minimum up time (a run the horizon's
end cuts short excepted), each rest between runs at least the minimum down time, and each unit's own hours,
scaled to a year as the plan scales them, stay within the type's caps per unit (non-emergency, total, per
notice). Not a component's module (no ``SECTION``): ``energyopt plan`` calls it on every per-unit schedule it
reports."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .generators import transitions

TOL = 1e-6


def covered(inst, windows) -> np.ndarray:
    """Per step, the share of it the union of ``windows`` ((start, end)) covers (vectorized over the steps:
    this runs on a year of steps once per notice)."""
    time = inst.time
    step = pd.Timedelta(minutes=time.step_minutes).value
    starts = time.index.as_unit("ns").asi8   # ns since the epoch (UTC), as Timestamp.value
    spans = sorted((pd.Timestamp(a).as_unit("ns").value, pd.Timestamp(b).as_unit("ns").value) for a, b in windows
                   if pd.Timestamp(b) > pd.Timestamp(a))
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    share = np.zeros(len(starts))
    for a, b in merged:
        share += np.clip(np.minimum(b, starts + step) - np.maximum(a, starts), 0, None) / step
    return np.minimum(share, 1.0)


def check_unit_schedule(inst, g, notice_category: str, hours_scale: float, on, counts) -> list[str]:
    """Every violation (text) of the schedule ``on`` (units x steps, 0/1) of type ``g`` (a plan's
    ``GensetType``) carrying ``counts`` units on per step; empty when it holds."""
    on = np.asarray(on, dtype=float) > 0.5
    n_units, n = on.shape
    dt = inst.time.dt_hours
    notices = covered(inst, [(nt.start, nt.end) for nt in inst.notices])
    share = notices if g.dispatch == "notice_only" else np.ones(n)
    inside = notices > 0
    counted = np.ones(n, dtype=bool) if notice_category == "non_emergency" else ~inside
    up = math.ceil(g.min_up_hours / dt - 1e-9)
    down = math.ceil(g.min_down_hours / dt - 1e-9)
    counts = np.round(np.asarray(counts, dtype=float))
    out = [f"step {t}: {int(on[:, t].sum())} units of {g.id} on, the fleet has {int(counts[t])}"
           for t in np.flatnonzero(on.sum(axis=0) != counts)]
    events = [covered(inst, [(nt.start, nt.end)]) for nt in inst.notices]

    def cap(what, used, limit):
        if limit is not None and used > limit * (1 + TOL) + TOL:
            out.append(f"{g.id} unit {i}: {what} {used:.6g} h a year > {limit:g}")

    for i in range(n_units):
        u = on[i]
        for t in np.flatnonzero(u & (share <= 0)):
            out.append(f"{g.id} unit {i}: on in step {t}, where the type may not run")
        starts, stops = transitions(u.astype(float), 0)
        for s in starts:
            end = next((x for x in stops if x > s), None)
            if end is not None and end - s < up:
                out.append(f"{g.id} unit {i}: run from step {s} lasts {end - s} steps < minimum up {up}")
        for x in stops:
            nxt = next((s for s in starts if s > x), None)
            if nxt is not None and nxt - x < down:
                out.append(f"{g.id} unit {i}: rest from step {x} lasts {nxt - x} steps < minimum down {down}")
        hours = dt * share * u
        cap("non-emergency hours", hours_scale * float(hours[counted].sum()), g.non_emergency_hours_per_year)
        cap("hours", hours_scale * float(hours.sum()), g.total_hours_per_year)
        for e, within in enumerate(events):
            h = float((dt * (within if g.dispatch == "notice_only" else (within > 0)) * u).sum())
            if g.max_hours_per_event is not None and h > g.max_hours_per_event * (1 + TOL) + TOL:
                out.append(f"{g.id} unit {i}: {h:.6g} h in notice {inst.notices[e].id} > {g.max_hours_per_event:g}")
    return out
