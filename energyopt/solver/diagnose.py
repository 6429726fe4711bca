"""Explain an infeasible instance: what cannot be met, when, and by how much.

The elastic model (``build_model(..., elastic=True)``) lets the power balance and the cooling capacity
fall short and minimizes the shortfall alone; the steps where it stays short are the ones no schedule
can serve, and the amounts are the smallest possible deficits.
"""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..inputs import Instance
from ..model import build_model
from ..model.cooling import capacity_and_cop
from ..model.grid import import_cap_mw
from ..registry import COMPONENTS
from .highs import SolveOptions, solve_model

TOL = 1e-5


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive stretches [first, last] of True."""
    idx = np.flatnonzero(mask)
    if not len(idx):
        return []
    breaks = np.flatnonzero(np.diff(idx) > 1)
    starts = np.concatenate([[idx[0]], idx[breaks + 1]])
    ends = np.concatenate([idx[breaks], [idx[-1]]])
    return list(zip(starts.tolist(), ends.tolist()))


def _when(inst: Instance, a: int, b: int) -> str:
    idx = inst.time.index
    end = idx[b] + np.timedelta64(inst.time.step_minutes, "m")
    return f"from {idx[a]:%Y-%m-%d %H:%M} to {end:%H:%M}"


def _permits_at_cap(inst: Instance, w: int, on: dict, output: dict) -> list[str]:
    """The generator permits besides run hours that the elastic schedule uses up where step ``w`` is short:
    hours on ``w``'s local day, hours in a notice window holding ``w``, and NOx over the horizon."""
    dt, out = inst.time.dt_hours, []
    day, day_steps = next((d, steps) for d, steps in inst.time.local_days if w in steps)
    events = [(n.id, inst.time.steps_overlapping(n.start, n.end)) for n in inst.notices]
    for g in inst.generators:
        if g.max_hours_per_day is not None:
            h = float(on[g.id][day_steps].sum() * dt)
            if h >= g.max_hours_per_day - 1e-6:
                out.append(f"{g.id} {h:g} of {g.max_hours_per_day:g} h on {day} (max_hours_per_day)")
        if g.max_hours_per_event is not None:
            for nid, steps in events:
                h = float(on[g.id][steps].sum() * dt)
                if w in steps and h >= g.max_hours_per_event - 1e-6:
                    out.append(f"{g.id} {h:g} of {g.max_hours_per_event:g} h in notice {nid} (max_hours_per_event)")
        if g.nox_cap_kg is not None:
            kg = float(g.nox_kg_per_mwh * dt * output[g.id].sum())
            if kg >= g.nox_cap_kg - 1e-6 * max(1.0, g.nox_cap_kg):
                out.append(f"{g.id} {kg:.4g} of {g.nox_cap_kg:g} kg NOx (nox_cap_kg)")
    return out


def explain_infeasible(inst: Instance, opts: SolveOptions, history=None, budgets=()) -> list[str]:
    m = build_model(inst, elastic=True, history=history, budgets=budgets)
    info = solve_model(m, SolveOptions(time_limit_s=opts.time_limit_s, mip_rel_gap=1e-6, threads=opts.threads))
    if not info.status.has_schedule:
        return [f"The instance is infeasible; the check that locates the shortfall ended with "
                f"'{info.highs_status}' and could not say where."]
    n, dt = inst.time.n_steps, inst.time.dt_hours
    T = range(n)
    unserved = np.array([pyo.value(m.Unserved_MW[t]) for t in T])
    short = np.array([pyo.value(m.cooling.Shortfall_MW_th[t]) for t in T]) if inst.cooling else np.zeros(n)
    out = []
    cap = import_cap_mw(inst)
    fixed = inst.site.it_load_mw.values
    overhead = inst.site.overhead_mw.values
    min_inf = sum((s.min_served_fraction * s.demand_mw.values for s in inst.inference), np.zeros(n))
    cop = capacity_and_cop(inst)[1] if inst.cooling else None
    on = {g.id: np.array([pyo.value(m.generators.On[g.id, t]) for t in T]) > 0.5 for g in inst.generators}
    output = {g.id: np.array([pyo.value(m.generators.Output_MW[g.id, t]) for t in T]) for g in inst.generators}
    gen_hours = {g.id: float(on[g.id].sum() * dt) for g in inst.generators}
    for a, b in _runs(unserved > TOL):
        w = a + int(np.argmax(unserved[a:b + 1]))
        cool = (fixed[w] + min_inf[w]) / cop[w] if cop is not None else 0.0
        must = fixed[w] + min_inf[w] + overhead[w] + cool
        notices = [x.id for x in inst.notices if w in inst.time.steps_overlapping(x.start, x.end)
                   and x.import_cap_mw <= cap[w] + 1e-9]
        limit = f"notice {', '.join(notices)}" if notices else "the interconnection limit"
        gens_on = [g for g in inst.generators if on[g.id][w]]
        spent = [f"{g.id} {gen_hours[g.id]:g} of {g.run_hours_left:g} h (run_hours_left)" for g in inst.generators
                 if gen_hours[g.id] >= g.run_hours_left - 1e-6]
        spent += _permits_at_cap(inst, w, on, output)
        spent += [f"{b.unit_id} {pyo.value(m.generators.budget_use[k]):g} of {b.remaining:g} {b.metric.replace('_', ' ')} "
                  f"left in the ledger's {b.label}" for k, b in enumerate(budgets)
                  if b.weights[w] > 0 and pyo.value(m.generators.budget_use[k]) >= b.remaining - 1e-6]
        gtext = (f"{sum(g.capacity_mw for g in gens_on):g} MW of generators running" if inst.generators else
                 "no generators")
        out.append(
            f"Power: {_when(inst, a, b)} the load that must be served exceeds what can be supplied, by up to "
            f"{unserved[a:b + 1].max():.3f} MW "
            f"({unserved[a:b + 1].sum() * dt:.3f} MWh in all). At {inst.time.index[w]:%H:%M} the must-serve load "
            f"is {must:.2f} MW (fixed IT {fixed[w]:.2f}, inference minimum {min_inf[w]:.2f}, overhead "
            f"{overhead[w]:.2f}, cooling {cool:.2f}) against an import cap of {cap[w]:.2f} MW ({limit}) and "
            f"{gtext}" + (f"; permits exhausted: {', '.join(spent)}" if spent else "") + ".")
    if inst.cooling is not None:
        capacity = capacity_and_cop(inst)[0]
        temp = inst.cooling.outdoor_temp_c.values
        for a, b in _runs(short > TOL):
            w = a + int(np.argmax(short[a:b + 1]))
            out.append(
                f"Cooling: {_when(inst, a, b)} the heat that must be removed exceeds the chillers' capacity by up "
                f"to {short[a:b + 1].max():.3f} MW thermal ({short[a:b + 1].sum() * dt:.3f} MWh thermal in all). "
                f"At {inst.time.index[w]:%H:%M} ({temp[w]:.1f} C) capacity is {capacity[w]:.2f} MW thermal "
                f"against must-serve IT load {fixed[w] + min_inf[w]:.2f} MW.")
    for c in COMPONENTS:   # components with an elastic slack of their own say what it found
        if c.explain is not None:
            out += c.explain(inst, m, m.component(c.name))
    if not out:
        out.append("The instance is infeasible, yet relaxing the power balance and cooling capacity finds no "
                   "shortfall; the conflict lies elsewhere (please report it with the instance).")
    return out
