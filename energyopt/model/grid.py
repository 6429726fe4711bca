"""Grid import, curtailment notices and the grid's cost terms (energy, carbon, demand charge)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from ..inputs.history import History
from ..inputs.schema import Grid, InstanceBase as Instance
from . import ramps
from .component import Column, Component, Role, SummaryEntry


def import_cap_mw(inst: Instance, notices=None) -> np.ndarray:
    """Per-step import limit, as the step's average MW: the interconnection, lowered by each notice for the part
    of the step its window covers. A notice that covers a quarter of a step at cap C under interconnection I
    allows C/4 + 3I/4 on average: the step is capped by energy, not as a whole. Where notices overlap, the
    lowest cap in force applies at each moment."""
    return cap_profile(inst.time, inst.site.interconnection_mw,
                       [(n.start, n.end, n.import_cap_mw) for n in inst.notices])


def cap_profile(time, interconnection_mw: float, windows) -> np.ndarray:
    """The time-weighted mean over each step of min(interconnection, caps of the windows ``(start, end, cap_mw)``
    in force at that moment). Only the steps some window touches are split at the windows' edges; every other
    step is the interconnection."""
    out = np.full(time.n_steps, float(interconnection_mw))
    step = pd.Timedelta(minutes=time.step_minutes)
    touching: dict[int, list] = {}
    for w in windows:
        for t in time.steps_overlapping(w[0], w[1]):
            touching.setdefault(t, []).append(w)
    for t, here in touching.items():
        t0 = time.start + t * step
        marks = sorted({t0, t0 + step, *(x for a, b, _ in here for x in (a, b) if t0 < x < t0 + step)})
        out[t] = sum(min([interconnection_mw, *(c for a, b, c in here if a <= lo and hi <= b)]) * ((hi - lo) / step)
                     for lo, hi in zip(marks, marks[1:]))
    return out


def notice_excess_mw(time, interconnection_mw: float, start, end, cap_mw: float, import_mw) -> np.ndarray:
    """Per step, how far the average import is above what one notice allows there (its cap for the part of the
    step its window covers, the interconnection for the rest); 0 in steps it does not touch. A notice is met
    when this is 0 in every step."""
    allowed = cap_profile(time, interconnection_mw, [(start, end, cap_mw)])
    touched = time.overlap_fraction(start, end) > 0
    return np.where(touched, np.maximum(np.asarray(import_mw, dtype=float) - allowed, 0.0), 0.0)


def import_ramps(inst: Instance) -> ramps.RampLimits:
    g = inst.grid
    return ramps.RampLimits("grid import", g.ramp_up_mw_per_min, g.ramp_down_mw_per_min, g.max_change_mw_per_15min,
                            g.initial_import_mw)


#: The least penalty on energy imported above a notice's cap in a plan whose notices were softened.
NOTICE_OVERRUN_FLOOR_USD_PER_MWH = 100_000.0


def notice_overrun_usd_per_mwh(inst: Instance) -> float:
    """The penalty on each MWh over a softened notice's cap: $100,000/MWh, or 10x the instance's highest price or
    penalty per MWh (energy price, inference shed, unfinished work) where that is more, so that a softened plan
    exceeds a cap only where nothing else (gensets, storage, pausing or shedding) can keep it."""
    figures = [float(np.max(inst.grid.price_usd_per_mwh.values, initial=0.0))]
    figures += [s.shed_penalty_usd_per_mwh for s in inst.inference]
    figures += [j.unfinished_penalty_usd_per_mwh for j in inst.training_jobs]
    return max(NOTICE_OVERRUN_FLOOR_USD_PER_MWH, 10.0 * max(figures))


def build(b: pyo.Block, inst: Instance, ctx=None) -> None:
    T = range(inst.time.n_steps)
    dt = inst.time.dt_hours
    cap = import_cap_mw(inst)
    price = inst.grid.price_usd_per_mwh.values
    ci = inst.grid.carbon_kg_per_mwh.values

    soft = bool(ctx and ctx.soften_notices)
    room = np.maximum(inst.site.interconnection_mw - cap, 0.0)
    b.Import_MW = pyo.Var(T, bounds=lambda _, t: (0.0, float(cap[t] + (room[t] if soft else 0.0))))
    b.supply_mw = pyo.Expression(T, rule=lambda _, t: b.Import_MW[t])
    over_cost = 0.0
    if soft:   # the notices' caps may be exceeded, at a penalty far above every other cost of the instance
        b.Over_Cap_MW = pyo.Var(T, bounds=lambda _, t: (0.0, float(room[t])))
        b.notice_cap_soft = pyo.Constraint(T, rule=lambda _, t: b.Import_MW[t] <= float(cap[t]) + b.Over_Cap_MW[t])
        over_cost = notice_overrun_usd_per_mwh(inst) * dt * sum(b.Over_Cap_MW[t] for t in T)
    lim = import_ramps(inst)
    if lim.any:
        ramps.add(b, lambda t: b.Import_MW[t], lim, len(T), inst.time.step_minutes, bool(ctx and ctx.elastic))
    b.co2_kg = pyo.Expression(expr=sum(float(ci[t]) * dt * b.Import_MW[t] for t in T))

    rate = inst.grid.demand_charge_usd_per_kw
    if rate > 0:
        b.Peak_MW = pyo.Var(bounds=(0.0, float(cap.max())))
        b.peak_def = pyo.Constraint(T, rule=lambda _, t: b.Import_MW[t] <= b.Peak_MW)
        demand = 1000.0 * rate * b.Peak_MW
    else:
        demand = 0.0
    carbon_usd_per_kg = inst.grid.carbon_price_usd_per_t / 1000.0
    b.cost_usd = pyo.Expression(["energy", "carbon", "demand_charge", "notice_overrun"], rule=lambda _, k: {
        "energy": sum(float(price[t]) * dt * b.Import_MW[t] for t in T),
        "carbon": carbon_usd_per_kg * b.co2_kg,
        "demand_charge": demand,
        "notice_overrun": over_cost,
    }[k])


def horizon_peak(b: pyo.Block, parts: list[pyo.Block], inst: Instance):
    """Planning over representative periods: the demand charge applies once to the highest import of every
    period (not once per period, weighted); returns that cost term (0 without a demand charge)."""
    rate = inst.grid.demand_charge_usd_per_kw
    if rate <= 0:
        return 0.0
    b.Peak_MW = pyo.Var(bounds=(0.0, max(p.Peak_MW.ub for p in parts)))
    b.peak_def = pyo.Constraint(range(len(parts)), rule=lambda _, i: parts[i].Peak_MW <= b.Peak_MW)
    return 1000.0 * rate * b.Peak_MW


def fix(b: pyo.Block, inst: Instance, history: History) -> None:
    """Steps before "now": import is what balanced the site then; no cap binds it (it can no longer change)."""
    for t in history.fixed_steps():
        b.Import_MW[t].setub(None)
        if hasattr(b, "Over_Cap_MW"):   # the past is not over any cap: it could no longer act
            b.notice_cap_soft[t].deactivate()
            b.Over_Cap_MW[t].fix(0.0)
    if hasattr(b, "Peak_MW") and history.n_fixed:
        b.Peak_MW.setub(None)
    ramps.release_past(b, history.n_fixed)


def explain(inst: Instance, m, b: pyo.Block) -> list[str]:
    return ramps.explain(b, import_ramps(inst), inst.time.index, inst.time.step_minutes)


def tighten(b: pyo.Block) -> None:
    """After a solve stopped short of optimality, set the peak to the highest import actually planned."""
    if hasattr(b, "Peak_MW"):
        b.Peak_MW.set_value(max(pyo.value(b.Import_MW[t]) for t in b.Import_MW))


def steps(inst: Instance, m, b: pyo.Block) -> dict[str, np.ndarray]:
    T = range(inst.time.n_steps)
    return {"price_usd_per_mwh": inst.grid.price_usd_per_mwh.values,
            "carbon_kg_per_mwh": inst.grid.carbon_kg_per_mwh.values,
            "import_cap_mw": import_cap_mw(inst),
            "grid_import_mw": np.array([pyo.value(b.Import_MW[t]) for t in T], dtype=float)}


def summary(inst: Instance, m, b: pyo.Block, steps, budgets=()) -> dict:
    dt = inst.time.dt_hours
    imp = steps["grid_import_mw"].to_numpy()
    curtailment = []
    for n in inst.notices:
        w = inst.time.steps_overlapping(n.start, n.end)
        over = notice_excess_mw(inst.time, inst.site.interconnection_mw, n.start, n.end, n.import_cap_mw, imp)
        curtailment.append({"id": n.id, "issued": n.issued.isoformat(), "start": n.start.isoformat(),
                            "end": n.end.isoformat(), "cap_mw": n.import_cap_mw,
                            "max_import_mw": float(imp[w].max()) if w else None,
                            "over_cap_mwh": float(over.sum() * dt)})
    overruns = []
    if b is not None and hasattr(b, "Over_Cap_MW"):
        cap = import_cap_mw(inst)
        touches = {n.id: inst.time.overlap_fraction(n.start, n.end) > 0 for n in inst.notices}
        for t in range(inst.time.n_steps):
            over = float(pyo.value(b.Over_Cap_MW[t]))
            if over > 1e-6:
                t0 = inst.time.index[t]
                ids = [nid for nid, touched in touches.items() if touched[t]]
                overruns.append({"start": t0.isoformat(), "over_mw": over, "over_mwh": over * dt,
                                 "cap_mw": float(cap[t]), "import_mw": float(imp[t]), "notices": ids})
    return {"grid_import_mwh": float(imp.sum() * dt), "peak_import_mw": float(imp.max()),
            "curtailment": curtailment, "notice_overruns": overruns}


def text(s: dict) -> list[str]:
    lines = [f"  grid import        {s['grid_import_mwh']:,.2f} MWh, peak {s['peak_import_mw']:.2f} MW"]
    for n in s["curtailment"]:
        top = "no step in the horizon" if n["max_import_mw"] is None else f"highest import {n['max_import_mw']:.2f} MW"
        over = f", {n['over_cap_mwh']:.3f} MWh over its cap" if n.get("over_cap_mwh", 0.0) > 1e-6 else ""
        lines.append(f"  notice {n['id']:<11} cap {n['cap_mw']:.2f} MW, {top} ({n['start'][11:16]}-{n['end'][11:16]})"
                     f"{over}")
    over = s.get("notice_overruns") or []
    if over:
        lines.append(f"  NOTICES SOFTENED: {sum(o['over_mwh'] for o in over):.3f} MWh above the caps in {len(over)} "
                     f"step(s), up to {max(o['over_mw'] for o in over):.3f} MW, from {over[0]['start']}")
    return lines


COMPONENT = Component(
    name="grid", role=Role.SUPPLY | Role.EMITS, section=Grid, required=True,
    description="grid import under the interconnection limit and curtailment notices, with optional ramp limits; "
                "energy, carbon and demand-charge costs",
    build=build, fix=fix, tighten=tighten, max_supply_mw=import_cap_mw, explain=explain,
    cost_terms=(("energy", "price x import x step hours"),
                ("carbon", "carbon price x CO2 (grid and generators)"),
                ("demand_charge", "rate x 1,000 x the horizon's highest import (MW)"),
                ("notice_overrun", "only in a plan whose notices were softened (status notices_softened): penalty "
                                   "x MWh imported above the notices' caps")),
    columns=(
        Column("price_usd_per_mwh", "$/MWh", "energy price of the step (the instance's series)"),
        Column("carbon_kg_per_mwh", "kg CO2/MWh", "grid carbon intensity of the step (the instance's series)"),
        Column("import_cap_mw", "MW", "import limit, as the step's average: the interconnection, lowered by each notice for "
               "the part of the step its window covers (a step a notice covers in part is capped by energy)",
               chart="cap", label="import cap"),
        Column("grid_import_mw", "MW", "power imported from the grid", chart="supply", label="grid import"),
    ),
    steps=steps,
    summary_entries=(
        SummaryEntry("grid_import_mwh", "MWh", "energy imported over the horizon"),
        SummaryEntry("peak_import_mw", "MW", "highest import of any step"),
        SummaryEntry("curtailment", "", "one entry per notice, in the instance's order", "list"),
        SummaryEntry("curtailment[].id", "", "the notice's id", "text"),
        SummaryEntry("curtailment[].issued", "", "when it was issued", "time"),
        SummaryEntry("curtailment[].start", "", "its window's start", "time"),
        SummaryEntry("curtailment[].end", "", "its window's end", "time"),
        SummaryEntry("curtailment[].cap_mw", "MW", "the import cap it sets"),
        SummaryEntry("curtailment[].max_import_mw", "MW", "highest import in a step its window touches (null if none); "
                     "in a step the window covers in part this may exceed the cap (the step is capped by energy)",
                     "number or null"),
        SummaryEntry("notice_overruns", "", "steps whose import exceeds the notices' caps, in a plan whose notices were "
                     "softened (status notices_softened; empty otherwise)", "list"),
        SummaryEntry("notice_overruns[].start", "", "the step's start", "time"),
        SummaryEntry("notice_overruns[].over_mw", "MW", "average import above the cap in the step"),
        SummaryEntry("notice_overruns[].over_mwh", "MWh", "energy above the cap in the step"),
        SummaryEntry("notice_overruns[].cap_mw", "MW", "the cap (the step's average, notices in force)"),
        SummaryEntry("notice_overruns[].import_mw", "MW", "the import planned"),
        SummaryEntry("notice_overruns[].notices", "", "ids of the notices whose window touches the step", "list"),
        SummaryEntry("curtailment[].over_cap_mwh", "MWh", "energy imported above what the notice allows (its cap for the "
                     "covered part of each step, the interconnection for the rest): 0 when it is met; a re-plan's fixed "
                     "past or a plan with softened notices can exceed it"),
    ),
    summary=summary, text=text,
)
