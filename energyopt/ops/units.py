"""Permits as each unit lives them: check a plan's genset types unit by unit (docs/plan.md, "Unit by unit").

The plan pools a type's permit hours over its units. For each type of the design and each scenario, on a
schedule over every step of the horizon (the plan's own for a full-horizon plan, the full-year evaluation's
otherwise):

1. **Rotation** of the schedule's counts of units on to the design's units (``model/units.py``, a small MIP:
   each unit's hours within its caps, runs of at least the minimum up time, rests of at least the minimum
   down time, the fewest starts). Without a per-unit cap a rotation always exists (stop the units longest
   on first: the fleet's own minimum up/down rows are exact for identical units), so no MIP is solved.
2. If no rotation of that schedule exists, the design is **evaluated with every unit of the type on its own**
   (the fleet's counts are the units' sum, each unit within its caps; the other sizes fixed): the exact test
   of whether the design can be operated at all, and at what cost. If it cannot, the same with N + 1, N + 2,
   ... units up to ``max_units``: the fewest units that can, and their annual cost.
"""
from __future__ import annotations

import sys

import numpy as np
import pyomo.environ as pyo

from ..inputs.plan import PlanFile
from ..check.units import check_unit_schedule
from ..model.units import build_units, on_matrix, rotation_model, unit_hours, unit_rules


def note(msg: str) -> None:
    """A line on stderr for the planner (what is about to cost solves, what the plan should know)."""
    print(f"energyopt plan: {msg}", file=sys.stderr, flush=True)


def has_unit_cap(g) -> bool:
    return any(c is not None for c in (g.non_emergency_hours_per_year, g.total_hours_per_year,
                                       g.max_hours_per_event))


def fleet_schedule(blk, k: str) -> tuple[np.ndarray, float]:
    """A solved fleet block's units on per step of type ``k``, and its starts."""
    T = sorted(t for kk, t in blk.On if kk == k)
    on = np.array([pyo.value(blk.On[k, t]) for t in T], dtype=float)
    return np.round(on), float(sum(pyo.value(blk.Start[k, t]) for t in T))


def rotate(plan: PlanFile, inst, g, n: int, counts: np.ndarray, scale: float, opts) -> dict:
    """Rotation of one scenario's counts of type ``g`` onto ``n`` units: feasible or not, each unit's hours a
    year (as the permits see them, sorted), and the starts it takes against the fleet's."""
    from ..solver import solve_model
    rules = unit_rules(inst, g, plan.notice_category, scale)
    if n == 0 or not counts.any():
        return {"feasible": True, "unit_hours": [0.0] * n, "starts": 0}
    if not has_unit_cap(g):
        return {"feasible": True, "unit_hours": None, "starts": None}
    m = rotation_model(n, rules, counts)
    info = solve_model(m, opts)
    if not info.status.has_schedule:
        return {"feasible": False, "status": info.status.value, "unit_hours": None, "starts": None}
    hours, counted, starts = unit_hours(m, n)
    shown = counted if g.non_emergency_hours_per_year is not None else hours
    check = check_unit_schedule(inst, g, plan.notice_category, scale, on_matrix(m, n, len(counts)), counts)
    return {"feasible": True, "unit_hours": sorted((scale * h for h in shown), reverse=True), "starts": starts,
            "check": check}


def per_unit_design(plan: PlanFile, scenarios: dict, design: dict, k: str, n: int, opts, fixed_model) -> dict:
    """The design with type ``k`` at ``n`` units, every unit of it on its own, over every step of each
    scenario (``fixed_model(name, inst, design)`` builds the full-horizon model with the sizes fixed)."""
    from ..solver import solve_model
    g = next(x for x in plan.genset_types if x.id == k)
    trial = {**design, "gensets": {**design["gensets"], k: n}}
    opex, gaps, hours, check = [], [], [], []
    capex = None
    for name, inst in scenarios.items():
        pm = fixed_model(name, inst, trial)
        f = pm.model.scenario[name].period[0].fleet
        f.units = pyo.Block()
        build_units(f.units, n, unit_rules(inst, g, plan.notice_category, pm.scale),
                    count=lambda t: f.On[k, t], starts=lambda t: f.Start[k, t])
        info = solve_model(pm.model, opts)
        if not info.status.has_schedule:
            return {"units": n, "feasible": False, "status": info.status.value, "scenario": name}
        m = pm.model
        capex = sum(float(pyo.value(m.annual_capex_usd[c])) for c in m.annual_capex_usd)
        opex.append(float(pyo.value(m.annual_opex_usd)))
        gaps.append(info.mip_gap or 0.0)
        h, counted, _ = unit_hours(f.units, n)
        shown = counted if g.non_emergency_hours_per_year is not None else h
        hours.append(sorted((pm.scale * x for x in shown), reverse=True))
        counts = fleet_schedule(f, k)[0]
        check += check_unit_schedule(inst, g, plan.notice_category, pm.scale,
                                     on_matrix(f.units, n, len(counts)), counts)
    ops = max(opex) if plan.mode == "robust" else sum(opex) / len(opex)
    worst = max(hours, key=lambda h: h[0] if h else 0.0)
    return {"units": n, "feasible": True, "status": "optimal", "total_usd_per_year": capex + ops,
            "mip_gap": max(gaps), "unit_hours": worst, "check": check}


def check_types(plan: PlanFile, scenarios: dict, design: dict, schedules: dict, scale: float, opts,
                fixed_model, total_usd: float) -> list[dict]:
    """The ``per_unit`` entries of ``full_year_evaluation``: one per genset type of the design.
    ``schedules[scenario][type]``: the counts of units on per step over the whole horizon; ``total_usd``:
    the design's annual cost as evaluated (to state what a design that can costs more)."""
    out = []
    for g in plan.genset_types:
        n = design["gensets"][g.id]
        cap = g.non_emergency_hours_per_year if g.non_emergency_hours_per_year is not None else g.total_hours_per_year
        row = {"type": g.id, "units": n, "feasible": True, "unit_hours": [], "cap_hours": cap,
               "units_needed": n, "message": None, "checked_by": "rotation", "scenarios": []}
        for s, counts in ((s, sch[g.id]) for s, sch in schedules.items()):
            r = rotate(plan, scenarios[s], g, n, counts, scale, opts)
            row["scenarios"].append({"scenario": s, **r})
            if r["unit_hours"] and (not row["unit_hours"] or r["unit_hours"][0] > row["unit_hours"][0]):
                row["unit_hours"] = r["unit_hours"]
        failed = [r["scenario"] for r in row["scenarios"] if not r["feasible"]]
        row["check"] = [v for r in row["scenarios"] for v in r.get("check") or []]
        if not has_unit_cap(g) or n == 0:
            row["message"] = "no per-unit cap: any schedule of the counts can be rotated" if n else None
        elif not failed:
            row["message"] = (f"{n} unit{'s' if n > 1 else ''} of {g.id} carry every scenario's hours in "
                              "rotation, each within its own cap")
        else:
            row.update(_units_needed(plan, scenarios, design, g, n, opts, fixed_model, total_usd, failed))
        if row["check"]:
            note(f"{g.id}: the per-unit schedule fails the independent check (energyopt/check/units.py): "
                 + "; ".join(row["check"][:3]))
        out.append(row)
    return out


def _units_needed(plan, scenarios, design, g, n, opts, fixed_model, total_usd, failed) -> dict:
    tries = g.max_units - n + 1
    note(f"{g.id}: the schedule's hours of scenario {', '.join(failed)} cannot be rotated over {n} units; "
         f"evaluating unit by unit with {n} to {g.max_units} units (at most {tries * len(scenarios)} solves, "
         "stopping at the first that can)")
    pooled = f"pooled, {n} units had {n} x {g.non_emergency_hours_per_year or g.total_hours_per_year:g} h"
    for k in range(n, g.max_units + 1):
        r = per_unit_design(plan, scenarios, design, g.id, k, opts, fixed_model)
        if not r["feasible"] and r["status"] != "infeasible":   # a limit, not a proof: say so and stop
            msg = (f"rotation cannot spread the hours over {n} units ({pooled}); whether {k} units can, "
                   f"operated unit by unit, is undecided: scenario {r['scenario']} stopped with {r['status']}")
            note(msg)
            return {"feasible": False, "units_needed": None, "checked_by": "per-unit model", "message": msg,
                    "design_that_can": None}
        if not r["feasible"]:
            continue
        more = r["total_usd_per_year"] - total_usd
        if k == n:
            msg = (f"no rotation of the evaluated schedule spreads the hours over the {n} units ({pooled}); "
                   f"operated unit by unit they can, at ${more:,.0f}/yr more")
        else:
            msg = (f"rotation cannot spread the hours over {n} units ({pooled}): each unit's own cap, runs of "
                   f"at least {g.min_up_hours:g} h; the fewest that can is {k} units of {g.id}, "
                   f"${r['total_usd_per_year']:,.0f}/yr (${more:,.0f}/yr more, the other sizes as chosen)")
        note(msg)
        return {"feasible": k == n, "units_needed": k, "unit_hours": r["unit_hours"], "checked_by": "per-unit model",
                "check": r["check"],
                "message": msg, "design_that_can": {"units": k, "total_usd_per_year": r["total_usd_per_year"],
                                                    "more_usd_per_year": more, "mip_gap": r["mip_gap"]}}
    msg = (f"rotation cannot spread the hours over {n} units ({pooled}), nor can any count up to max_units = "
           f"{g.max_units} with the other sizes as chosen")
    note(msg)
    return {"feasible": False, "units_needed": None, "checked_by": "per-unit model", "message": msg,
            "design_that_can": None}
