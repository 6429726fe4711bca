"""Explain an infeasible instance: what cannot be met, when, by how much, and what it is owed to.

The elastic model (``build_model(..., elastic=True)``) lets the power balance and the cooling capacity
fall short and minimizes the shortfall (MWh) alone; the steps where it stays short are the ones no schedule
can serve. A second solve gives each short stretch's least peak (MW), and solves with one family of limits
relaxed at a time name the limits the shortfall is owed to (``causes.py``). Every time carries its date, and
the UTC offset where the wall time is ambiguous (``model/when.py``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from ..inputs import Instance
from ..model import build_model
from ..model.cooling import capacity_and_cop
from ..model.grid import import_cap_mw
from ..model.unitcommit import run_share, steps_of
from ..model.when import span, stamp
from ..registry import COMPONENTS
from .causes import Relaxed, least_peaks, relaxations
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
    return span(inst.time.index, inst.time.step_minutes, a, b)


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


def _largest_number(obj, path: str = "", seen=None) -> tuple[str, float] | None:
    """The instance field of largest magnitude (path, value), for an answer that does not add up."""
    from pydantic import BaseModel
    best = None
    items = []
    if isinstance(obj, BaseModel):
        items = [(f"{path}.{k}" if path else k, getattr(obj, k, None)) for k in type(obj).model_fields]
    elif isinstance(obj, (list, tuple)):
        items = [(f"{path}[{i}]", x) for i, x in enumerate(obj)]
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool) and np.isfinite(obj):
        return path, float(obj)
    for p, x in items:
        got = _largest_number(x, p)
        if got is not None and (best is None or abs(got[1]) > abs(best[1])):
            best = got
    return best


def _cause(inst: Instance, r: Relaxed) -> str:
    """One relaxed family in words, with what the least shortfall falls to without it."""
    idx, dt = inst.time.index, inst.time.dt_hours
    if r.power_before is not None and r.power_after is not None and r.power_after < r.power_before - 1e-6:
        cut = (f" (without it the least power shortfall would be {r.power_after:.3f} MWh instead of "
               f"{r.power_before:.3f} MWh)")
    else:   # it helps heat or ramps, not (only) power: say so, with every shortfall together
        cut = (f" (without it the least shortfall of power, heat and ramps together would be {r.after:.3f} MWh "
               f"instead of {r.before:.3f} MWh)")
    g = next((u for u in inst.generators if u.id == r.unit), None)
    if r.family == "min_load":
        low = g.min_load_fraction * g.capacity_mw
        return (f"Cause: generator {g.id} cannot help: once on it must give at least its minimum load of {low:.2f} MW "
                f"(min_load_fraction {g.min_load_fraction:g} x {g.capacity_mw:g} MW), more than the site can take from "
                f"it where it is short (the site exports nothing){cut}.")
    if r.family == "min_up_down":
        keep = 0 if g.initial_hours_in_state is None else steps_of(max(
            (g.min_up_hours if g.initial_on else g.min_down_hours) - g.initial_hours_in_state, 0.0), dt)
        until = (stamp(idx[keep]) if keep < len(idx) else
                 f"{stamp(idx[0] + pd.Timedelta(hours=keep * dt))}, beyond the horizon's end ({stamp(inst.time.end)})")
        if keep and not g.initial_on:
            why = (f"it must stay off until {until} (min_down_hours "
                   f"{g.min_down_hours:g}, off for {g.initial_hours_in_state:g} h at the start)")
        elif keep:
            why = (f"it must stay on until {until} (min_up_hours {g.min_up_hours:g}, "
                   f"on for {g.initial_hours_in_state:g} h at the start)")
        else:
            why = (f"its minimum up time ({g.min_up_hours:g} h) and minimum down time ({g.min_down_hours:g} h) keep "
                   "it from running in the steps it is needed without running (or stopping) where it cannot")
        return f"Cause: generator {g.id}'s minimum up/down time: {why}{cut}."
    if r.family == "ramps":
        return (f"Cause: generator {g.id}'s ramp limits (ramp_up_mw_per_min, ramp_down_mw_per_min, "
                f"startup_ramp_fraction, shutdown_ramp_fraction) keep it from reaching the output needed in time{cut}.")
    if r.family == "permits":
        return f"Cause: generator {g.id}'s permits (run hours, hours per day or event, NOx, ledger budgets){cut}."
    b = inst.battery
    start, reserve = b.initial_fraction * b.energy_mwh, b.reserve_fraction * b.energy_mwh
    cycles = (f", and may deliver at most {b.max_cycles_per_day * b.energy_mwh:.2f} MWh a day (max_cycles_per_day "
              f"{b.max_cycles_per_day:g})") if b.max_cycles_per_day is not None else ""
    return (f"Cause: the battery's energy: it starts with {start:.2f} MWh, keeps {reserve:.2f} MWh in reserve "
            f"(reserve_fraction {b.reserve_fraction:g}) and must end with at least {start:.2f} MWh{cycles}, so it "
            f"can give at most {max(start - reserve, 0.0):.2f} MWh more than it charges{cut}.")


def _tank(inst) -> bool:
    return inst.cooling is not None and inst.cooling.thermal_storage is not None


def explain_infeasible(inst: Instance, opts: SolveOptions, history=None, budgets=()) -> list[str]:
    m = build_model(inst, elastic=True, history=history, budgets=budgets)
    sub = SolveOptions(time_limit_s=opts.time_limit_s, mip_rel_gap=1e-6, threads=opts.threads, deadline=opts.deadline)
    info = solve_model(m, sub)
    if not info.status.has_schedule:
        return [f"The instance is infeasible; the check that locates the shortfall ended with "
                f"'{info.highs_status}' and could not say where"
                + (" (it ran out of the time budget)." if info.stopped_for_time else ".")]
    n, dt = inst.time.n_steps, inst.time.dt_hours
    T = range(n)
    idx = inst.time.index
    total = float(pyo.value(m.objective))
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
    share = {g.id: run_share(inst, g.dispatch) for g in inst.generators}
    peak = least_peaks(inst, sub, m, history, budgets) if unserved.max() > TOL else None
    if peak is not None:   # the least-peak schedule (it has the least MWh too) says where the site is short
        unserved = peak
    stretches = _runs(unserved > TOL)
    surplus = np.array([pyo.value(m.Surplus_MW[t]) for t in T])
    relaxed = (relaxations(inst, sub, total, history, budgets, power=float(unserved.sum() * dt))
               if stretches or short.max() > TOL or surplus.max() > TOL else [])
    discharge = (np.array([pyo.value(m.battery.Discharge_MW[t]) for t in T]) if inst.battery is not None
                 else np.zeros(n))
    # components with an elastic slack of their own say what it found
    own = [line for c in COMPONENTS if c.explain is not None for line in c.explain(inst, m, m.component(c.name))]
    for a, b in stretches:
        w = a + int(np.argmax(unserved[a:b + 1]))
        cool = (fixed[w] + min_inf[w]) / cop[w] if cop is not None else 0.0
        must = fixed[w] + min_inf[w] + overhead[w] + cool
        notices = [x.id for x in inst.notices if w in inst.time.steps_overlapping(x.start, x.end)
                   and x.import_cap_mw <= cap[w] + 1e-9]
        limit = f"notice {', '.join(notices)}" if notices else "the interconnection limit"
        spent = [f"{g.id} {gen_hours[g.id]:g} of {g.run_hours_left:g} h (run_hours_left)" for g in inst.generators
                 if gen_hours[g.id] >= g.run_hours_left - 1e-6]
        spent += _permits_at_cap(inst, w, on, output)
        spent += [f"{b.unit_id} {pyo.value(m.generators.budget_use[k]):g} of {b.remaining:g} {b.metric.replace('_', ' ')} "
                  f"left in the ledger's {b.label}" for k, b in enumerate(budgets)
                  if b.weights[w] > 0 and pyo.value(m.generators.budget_use[k]) >= b.remaining - 1e-6]
        avail = {g.id: g.capacity_mw * float(share[g.id][w]) for g in inst.generators}
        units = ", ".join(f"{g.id} {'on at ' + format(output[g.id][w], '.2f') if on[g.id][w] else 'off'} of "
                          f"{avail[g.id]:g} MW" for g in inst.generators)
        gtext = (f"generators giving {sum(output[g.id][w] for g in inst.generators):.2f} MW ({units})"
                 if inst.generators else "no generators")
        if inst.battery is not None:
            full = " (its full power)" if discharge[w] >= inst.battery.power_mw - 1e-6 else ""
            gtext += f", the battery {discharge[w]:.2f} of {inst.battery.power_mw:g} MW{full}"
        bound = cap[w] + sum(avail.values()) + (inst.battery.power_mw if inst.battery is not None else 0.0) + sum(
            (s.capacity_mw * s.availability.values[w] for s in inst.solar), 0.0)
        direct = [f"Cause: generator {g.id} is notice-only (dispatch = \"notice_only\") and may run only "
                  f"{share[g.id][w]:.0%} of the step at {stamp(idx[w])}, the part a notice covers."
                  for g in inst.generators if g.dispatch == "notice_only" and share[g.id][w] < 1 - 1e-9]
        doubtful = (not relaxed and not direct and not spent and must <= bound + 1e-6
                    and not own)
        worst = unserved[a:b + 1].max() >= unserved.max() - 1e-6
        least = "" if peak is None or doubtful else "; no schedule is short by less in all" + (
            ", and none of those by less in its worst step" if worst else "")
        size = (f"{'reportedly ' if doubtful else ''}by up to {unserved[a:b + 1].max():.3f} MW "
                f"({unserved[a:b + 1].sum() * dt:.3f} MWh in all{least})")
        out.append(
            f"Power: {_when(inst, a, b)} the load that must be served exceeds what can be supplied, {size}. "
            f"At {stamp(idx[w])} the must-serve load "
            f"is {must:.2f} MW (fixed IT {fixed[w]:.2f}, inference minimum {min_inf[w]:.2f}, overhead "
            f"{overhead[w]:.2f}, cooling {cool:.2f}) against an import cap of {cap[w]:.2f} MW ({limit}) and "
            f"{gtext}" + (f"; permits exhausted: {', '.join(spent)}" if spent else "") + ".")
        out += [c for c in direct if c not in out]
        if not relaxed and must > bound + 1e-6:
            out.append(f"Cause: at {stamp(idx[w])} even the import cap with every generator and battery at the most "
                       f"they may give gives only {bound:.2f} MW, {must - bound:.2f} MW less than the must-serve load"
                       + (" (with its cooling at the chillers: chilled-water storage can carry part of it, which is "
                          "why the least shortfall above is smaller)" if _tank(inst) and unserved[w] < must - bound - 1e-6
                          else "") + ".")
        elif doubtful:
            big = _largest_number(inst)
            named = f" (largest: {big[0]} = {big[1]:g})" if big else ""
            out.append(f"These figures do not account for the shortfall: at {stamp(idx[w])} the must-serve load "
                       f"{must:.2f} MW fits within {bound:.2f} MW of import cap and supplies, and relaxing minimum loads, "
                       "minimum up/down times, ramps, permits and the battery's limits finds no other limit behind "
                       "it. The solver's answer is not reliable here, most likely because the instance mixes numbers "
                       f"of very different magnitudes{named}; check the inputs.")
    for a, b in _runs(surplus > TOL):   # supply that cannot be turned down, and the site exports nothing
        w = a + int(np.argmax(surplus[a:b + 1]))
        running = [f"{g.id} {output[g.id][w]:.2f} MW" for g in inst.generators if on[g.id][w]]
        out.append(f"Power: {_when(inst, a, b)} the supply that cannot be turned down exceeds the load by up to "
                   f"{surplus[a:b + 1].max():.3f} MW ({surplus[a:b + 1].sum() * dt:.3f} MWh in all), and the site "
                   f"exports nothing. At {stamp(idx[w])}: " + (f"generators that must run give {', '.join(running)}"
                                                                  if running else "no generator runs")
                   + " (a unit held on by its minimum up time or its state at the start runs at least its minimum "
                     "load; solar that cannot curtail gives all it makes).")
    out += [_cause(inst, r) for r in relaxed]
    if inst.cooling is not None:
        capacity = capacity_and_cop(inst)[0]
        temp = inst.cooling.outdoor_temp_c.values
        for a, b in _runs(short > TOL):
            w = a + int(np.argmax(short[a:b + 1]))
            out.append(
                f"Cooling: {_when(inst, a, b)} the heat that must be removed exceeds the chillers' capacity by up "
                f"to {short[a:b + 1].max():.3f} MW thermal ({short[a:b + 1].sum() * dt:.3f} MWh thermal in all). "
                f"At {stamp(idx[w])} ({temp[w]:.1f} C) capacity is {capacity[w]:.2f} MW thermal "
                f"against must-serve IT load {fixed[w] + min_inf[w]:.2f} MW.")
    out += own
    if sub.out_of_time():
        out.append("The diagnosis ran out of the time budget: its figures are those of the best schedule it found in "
                   "time (not proven least), and some causes may not have been tried (a larger --time-limit gives "
                   "the full diagnosis).")
    if not out:
        out.append("The instance is infeasible, yet relaxing the power balance and cooling capacity finds no "
                   "shortfall; the conflict lies elsewhere (please report it with the instance).")
    return out
