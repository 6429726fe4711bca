"""Unit commitment shared by the site's gensets (``generators``) and the plan's genset types (``fleet``): the share of
each step a notice-only unit may run, output limits, on/off transitions from the state at the horizon's start,
minimum up/down times, ramps, the fuel curve (a line, or a convex piecewise-linear curve as its epigraph) and the
cost terms."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from ..inputs.generator import GeneratorBase
from ..inputs.schema import InstanceBase as Instance


def window_share(inst: Instance, windows) -> np.ndarray:
    """Per step, the share of it that the union of ``windows`` ((start, end) pairs) covers, in [0, 1]."""
    time = inst.time
    spans = sorted((max(pd.Timestamp(a), time.start), min(pd.Timestamp(b), time.end)) for a, b in windows)
    merged: list[list[pd.Timestamp]] = []
    for a, b in spans:
        if b <= a:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    share = sum((time.overlap_fraction(a, b) for a, b in merged), np.zeros(time.n_steps))
    return np.clip(share, 0.0, 1.0)


def notice_share(inst: Instance) -> np.ndarray:
    """Per step, the share of it some notice covers (the union of the notices' windows)."""
    return window_share(inst, [(n.start, n.end) for n in inst.notices])


def run_share(inst: Instance, dispatch: str) -> np.ndarray:
    """Per step, the share of it a unit may run: all of it (economic), or the part notices cover (notice_only)."""
    if dispatch == "economic":
        return np.ones(inst.time.n_steps)
    return notice_share(inst)


def allowed_steps(inst: Instance, dispatch: str) -> np.ndarray:
    """Steps a unit may run in (some of): all, or those a curtailment notice's window overlaps."""
    return run_share(inst, dispatch) > 0


def steps_of(hours: float, dt: float) -> int:
    """Whole steps that cover ``hours`` (a minimum up or down time)."""
    return math.ceil(hours / dt - 1e-9)


@dataclass(frozen=True)
class Initial:
    """A unit's state at the horizon's start: on (1) or off (0), the steps it must keep that state for (what its
    minimum up or down time carries in), and its output then (None: unknown, the first step's ramp is free)."""

    on: int = 0
    keep_steps: int = 0
    output_mw: float | None = 0.0


def initial_state(g, dt: float, share: np.ndarray) -> Initial:
    """``g``'s state at the start (a site unit; the plan's types start off). A notice-only unit on at the start
    must stop in the first step no notice covers: its carried minimum up time binds only until then."""
    on = int(getattr(g, "initial_on", False))
    h = getattr(g, "initial_hours_in_state", None)
    need = g.min_up_hours if on else g.min_down_hours
    keep = 0 if h is None else steps_of(max(need - h, 0.0), dt)
    if on:
        closed = np.flatnonzero(share <= 0)
        keep = min(keep, int(closed[0]) if len(closed) else keep)
    out = getattr(g, "initial_output_mw", None) if on else 0.0
    return Initial(on=on, keep_steps=keep, output_mw=out)


def commitment(b: pyo.Block, specs: dict[str, GeneratorBase], T: range, dt: float, installed,
               share: dict[str, np.ndarray] | None = None, initial: dict[str, Initial] | None = None) -> None:
    """Output limits, on/off transitions and minimum up/down times of ``b.On[k,t]`` units of each spec (one
    unit, or a count of identical units of which ``installed(k)`` are installed), from ``b.Output_MW``,
    ``b.Start`` and ``b.Stop``. ``share[k][t]``: the part of step t the unit may run (output and minimum load
    scale with it; default 1); ``initial[k]``: its state at the start (default: off, nothing carried in)."""
    KT = [(k, t) for k in specs for t in T]
    f = {k: (share[k] if share is not None else np.ones(len(T))) for k in specs}
    init = {k: (initial or {}).get(k, Initial()) for k in specs}
    b.initial_on = {k: init[k].on for k in specs}   # read by tighten() and fix()

    def part(k, t):   # a step no notice covers keeps the whole-step row: On is fixed to 0 there
        return float(f[k][t]) if f[k][t] > 0 else 1.0

    b.max_output = pyo.Constraint(KT, rule=lambda _, k, t: b.Output_MW[k, t]
                                  <= specs[k].capacity_mw * part(k, t) * b.On[k, t])
    b.min_output = pyo.Constraint(KT, rule=lambda _, k, t: b.Output_MW[k, t]
                                  >= specs[k].min_load_fraction * specs[k].capacity_mw * part(k, t) * b.On[k, t])
    b.transition = pyo.Constraint(KT, rule=lambda _, k, t: b.On[k, t] - (b.On[k, t - 1] if t else init[k].on)
                                  == b.Start[k, t] - b.Stop[k, t])
    # Units started in the last U steps are still on; units stopped in the last D steps are still off.
    up = {k: steps_of(specs[k].min_up_hours, dt) for k in specs}
    down = {k: steps_of(specs[k].min_down_hours, dt) for k in specs}
    b.min_up = pyo.Constraint([(k, t) for k, t in KT if up[k] > 1], rule=lambda _, k, t: sum(
        b.Start[k, s] for s in range(max(0, t - up[k] + 1), t + 1)) <= b.On[k, t])
    b.min_down = pyo.Constraint([(k, t) for k, t in KT if down[k] > 1], rule=lambda _, k, t: sum(
        b.Stop[k, s] for s in range(max(0, t - down[k] + 1), t + 1)) <= installed(k) - b.On[k, t])
    # The state at the start, kept for what its minimum up (down) time still asks.
    b.initial_up = pyo.Constraint([(k, t) for k in specs if init[k].on for t in T if t < init[k].keep_steps],
                                  rule=lambda _, k, t: b.On[k, t] == 1)
    b.initial_down = pyo.Constraint([(k, t) for k in specs if not init[k].on for t in T if t < init[k].keep_steps],
                                    rule=lambda _, k, t: b.On[k, t] == 0)


def ramps(b: pyo.Block, specs: dict, T: range, step_minutes: int, initial: dict[str, Initial]) -> None:
    """Ramp limits on the change of average output between steps (PyPSA's form, on the binary ``b.On``):
    Output[t] - Output[t-1] <= RU On[t-1] + SU (On[t] - On[t-1]) + P (1 - On[t]) and
    Output[t-1] - Output[t] <= RD On[t] + SD (On[t-1] - On[t]) + P (1 - On[t-1]): RU (RD) while on in both
    steps, SU in the first step after a start, SD in the last step before a stop. Before the start: the initial
    state (no row at t = 0 when a running unit's initial output is unknown)."""
    lim = {}
    for k, g in specs.items():
        cap = g.capacity_mw
        ru = min(g.ramp_up_mw_per_min * step_minutes, cap) if g.ramp_up_mw_per_min is not None else cap
        rd = min(g.ramp_down_mw_per_min * step_minutes, cap) if g.ramp_down_mw_per_min is not None else cap
        su = g.startup_ramp_fraction * cap if g.startup_ramp_fraction is not None else cap
        sd = g.shutdown_ramp_fraction * cap if g.shutdown_ramp_fraction is not None else cap
        lim[k] = (cap, ru, rd, su, sd)

    def prev(k, t):
        if t:
            return b.On[k, t - 1], b.Output_MW[k, t - 1]
        return initial[k].on, initial[k].output_mw

    def rows(kind):
        out = []
        for k in specs:
            cap, ru, rd, su, sd = lim[k]
            if (kind == "up" and min(ru, su) >= cap) or (kind == "down" and min(rd, sd) >= cap):
                continue
            out += [(k, t) for t in T if t or prev(k, 0)[1] is not None]
        return out

    def up_rule(_, k, t):
        cap, ru, _rd, su, _sd = lim[k]
        on0, p0 = prev(k, t)
        return b.Output_MW[k, t] - p0 <= ru * on0 + su * (b.On[k, t] - on0) + cap * (1 - b.On[k, t])

    def down_rule(_, k, t):
        cap, _ru, rd, _su, sd = lim[k]
        on0, p0 = prev(k, t)
        return p0 - b.Output_MW[k, t] <= rd * b.On[k, t] + sd * (on0 - b.On[k, t]) + cap * (1 - on0)

    b.ramp_up = pyo.Constraint(rows("up"), rule=up_rule)
    b.ramp_down = pyo.Constraint(rows("down"), rule=down_rule)


def fuel_and_costs(b: pyo.Block, inst: Instance, specs: dict[str, GeneratorBase], T: range,
                   share: dict[str, np.ndarray] | None = None) -> None:
    """Fuel in each unit's own kind (``b.fuel``: the no-load intercept while on, scaled by the share of the step it
    runs, plus a slope; or a convex curve's epigraph ``b.fuel_curve``), its diesel gallons (``b.fuel_gal``, 0 for
    other kinds), NOx, CO2, the power supplied, and the cost terms (fuel, start-ups, shut-downs, carbon) of
    ``b.On`` / ``b.Output_MW`` / ``b.Start`` / ``b.Stop`` units of each spec."""
    dt = inst.time.dt_hours
    KT = [(k, t) for k in specs for t in T]
    f = {k: (share[k] if share is not None else np.ones(len(T))) for k in specs}
    curved = [k for k in specs if specs[k].fuel_curve is not None]
    CT = [(k, t) for k in curved for t in T]
    b.Fuel_Rate = pyo.Var(CT, domain=pyo.NonNegativeReals)   # per hour, in the kind's unit (curves only)
    # Each segment's line, as (rate per unit on, rate per MW of output): the no-load part scales with the share.
    b.curve_lines = {(k, t): [(float(f[k][t]) * a * specs[k].capacity_mw, s) for a, s in specs[k].fuel_lines()]
                     for k, t in CT}
    b.fuel_curve = pyo.Constraint([(k, t, i) for k, t in CT for i in range(len(b.curve_lines[k, t]))],
                                  rule=lambda _, k, t, i: b.Fuel_Rate[k, t] >= b.curve_lines[k, t][i][0] * b.On[k, t]
                                  + b.curve_lines[k, t][i][1] * b.Output_MW[k, t])

    def fuel(_, k, t):
        g = specs[k]
        if g.fuel_curve is not None:
            return dt * b.Fuel_Rate[k, t]
        return dt * (float(f[k][t]) * g.fuel_noload_per_h_per_mw() * g.capacity_mw * b.On[k, t]
                     + g.fuel_slope_per_mwh() * b.Output_MW[k, t])

    b.fuel = pyo.Expression(KT, rule=fuel)
    b.fuel_gal = pyo.Expression(KT, rule=lambda _, k, t: b.fuel[k, t] if specs[k].fuel == "diesel" else 0.0)
    b.nox_kg = pyo.Expression(list(specs), rule=lambda _, k: sum(
        specs[k].nox_kg_per_mwh * dt * b.Output_MW[k, t] for t in T))
    b.co2_kg = pyo.Expression(expr=sum(specs[k].co2_kg_per_unit() * b.fuel[k, t] for k, t in KT))
    b.supply_mw = pyo.Expression(T, rule=lambda _, t: sum(b.Output_MW[k, t] for k in specs))
    carbon_usd_per_kg = inst.grid.carbon_price_usd_per_t / 1000.0
    b.cost_usd = pyo.Expression(["fuel", "startup", "shutdown", "carbon"], rule=lambda _, c: {
        "fuel": sum(specs[k].fuel_price_usd_per_unit() * b.fuel[k, t] for k, t in KT),
        "startup": sum(specs[k].startup_cost_usd * b.Start[k, t] for k, t in KT),
        "shutdown": sum(specs[k].shutdown_cost_usd * b.Stop[k, t] for k, t in KT),
        "carbon": carbon_usd_per_kg * b.co2_kg,
    }[c])


def tighten_fuel(b: pyo.Block) -> None:
    """Set each curve's fuel rate to the curve at the solved output (the epigraph lets it lie above when fuel
    costs nothing; fuel never pays to be higher, so this keeps the schedule feasible)."""
    for (k, t), lines in b.curve_lines.items():
        on, out = pyo.value(b.On[k, t]), pyo.value(b.Output_MW[k, t])
        b.Fuel_Rate[k, t].set_value(max([0.0] + [c * on + s * out for c, s in lines]))
