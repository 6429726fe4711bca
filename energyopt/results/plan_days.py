"""Each scenario's worst event day, step by step (``event_days.csv`` of a plan), and why training work was left
undone (``work_flags`` of ``plan.json``).

The days looked at are the local days some notice of the scenario touches, inside a period that stands for
itself (an event period of representative days, or the whole horizon). The *worst* of a scenario's event days
is the one with the largest **notice shortfall**: the energy the site drew or would have drawn above the
import cap in force, ``sum_t dt * max(facility load_t + inference shed_t - import cap_t, 0)`` (what the
gensets, the battery and solar had to supply, or was shed); ties go to the day whose grid energy cost
(price x import) is highest, then to the earlier day. A scenario without an event day has no rows.

Each step of that day becomes a row (columns: :data:`COLUMNS`, then ``fleet.<type>.output_mw`` per genset
type the plan sizes): the power of every source (grid import, each genset type of the fleet, the site's own
generators, solar, battery discharge; battery charging as its own column) and where it went (training jobs,
inference served; inference shed), with the import cap in force and the notices in force. Values are the
plan's own solution of that period, read through the same per-step tables a solve writes (results/extract).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from ..inputs.periods import slice_instance
from .extract import steps_table

EPS = 1e-6
FILE = "event_days.csv"
#: The columns of event_days.csv before the fleet's ``fleet.<type>.output_mw``.
COLUMNS = ("scenario", "day", "timestamp", "notices", "price_usd_per_mwh", "import_cap_mw", "grid_import_mw",
           "site_gensets_mw", "solar_mw", "battery_discharge_mw", "battery_charge_mw", "training_mw",
           "inference_served_mw", "inference_shed_mw", "facility_load_mw")
RULE = ("the event day with the largest notice shortfall (MWh drawn or shed above the import cap in force: "
        "sum of max(facility load + inference shed - cap, 0) x step hours), ties to the highest grid energy cost")


def _sum(t: pd.DataFrame, prefix: str, suffix: str) -> np.ndarray:
    cols = [c for c in t.columns if c.startswith(prefix) and c.endswith(suffix)]
    return t[cols].to_numpy(dtype=float).sum(axis=1) if cols else np.zeros(len(t))


def period_table(plan, pm, s: str, inst, i: int) -> tuple[object, pd.DataFrame]:
    """The sliced instance of period ``i`` of scenario ``s`` and its steps: the solve's per-step table plus
    each fleet type's output and the notices in force."""
    sub = slice_instance(inst, pm.periods[s][i])
    blk = pm.model.scenario[s].period[i]
    t = steps_table(sub, blk)
    n = sub.time.n_steps
    if hasattr(blk, "fleet"):
        for g in plan.genset_types:
            t[f"fleet.{g.id}.output_mw"] = [float(pyo.value(blk.fleet.Output_MW[g.id, k])) for k in range(n)]
    ids = [[] for _ in range(n)]
    for note in sub.notices:
        for k in sub.time.steps_overlapping(note.start, note.end):
            ids[k].append(note.id)
    t["notices"] = [";".join(x) for x in ids]
    return sub, t


def day_rows(s: str, day: str, t: pd.DataFrame, fleet: list[str]) -> pd.DataFrame:
    """The event_days.csv rows of one day's slice ``t`` of a period table."""
    out = pd.DataFrame({"scenario": s, "day": day, "timestamp": t["timestamp"].to_numpy(),
                        "notices": t["notices"].to_numpy()})
    for c in ("price_usd_per_mwh", "import_cap_mw", "grid_import_mw"):
        out[c] = t[c].to_numpy(dtype=float)
    out["site_gensets_mw"] = _sum(t, "generator.", ".output_mw")
    out["solar_mw"] = _sum(t, "solar.", ".output_mw")
    for c in ("discharge", "charge"):
        out[f"battery_{c}_mw"] = t[f"battery.{c}_mw"].to_numpy(dtype=float) if f"battery.{c}_mw" in t else 0.0
    out["training_mw"] = _sum(t, "job.", ".power_mw")
    out["inference_served_mw"] = _sum(t, "inference.", ".served_mw")
    out["inference_shed_mw"] = _sum(t, "inference.", ".shed_mw")
    out["facility_load_mw"] = t["facility_load_mw"].to_numpy(dtype=float)
    for g in fleet:
        out[f"fleet.{g}.output_mw"] = t[f"fleet.{g}.output_mw"].to_numpy(dtype=float) if f"fleet.{g}.output_mw" in t \
            else 0.0
    return out.reset_index(drop=True)


def shortfall_mwh(rows: pd.DataFrame, dt: float) -> float:
    need = rows["facility_load_mw"] + rows["inference_shed_mw"] - rows["import_cap_mw"]
    return float(dt * np.maximum(need.to_numpy(dtype=float), 0.0).sum())


def event_days(plan, pm, scenarios: dict) -> tuple[dict, list[dict]]:
    """(``plan.json``'s ``event_days``: the rule, the file and per scenario its worst day with its figures and
    the rows of event_days.csv under ``steps``; ``work_flags``: every job left unfinished, per scenario and
    period, with its likely cause)."""
    fleet = [g.id for g in plan.genset_types]
    dt = pm.dt_hours
    out: dict[str, dict] = {}
    flags: list[dict] = []
    for s, inst in scenarios.items():
        best, key = None, None
        for i, p in enumerate(pm.periods[s]):
            if not p.stands_for_itself and not _unfinished(pm, s, i):
                continue
            sub, t = period_table(plan, pm, s, inst, i)
            flags += work_flags(plan, pm, s, i, sub, t)
            if not p.stands_for_itself:
                continue
            for day, steps in sub.time.local_days:
                part = t.iloc[steps]
                if not (part["notices"] != "").any():
                    continue
                rows = day_rows(s, day, part, fleet)
                short = shortfall_mwh(rows, dt)
                cost = float(dt * (rows["price_usd_per_mwh"] * rows["grid_import_mw"]).sum())
                k = (round(short, 6), round(cost, 6))
                if key is None or k > key:
                    best, key = (day, rows, short, cost), k
        if best is None:
            continue
        day, rows, short, cost = best
        ids = sorted({x for v in rows["notices"] for x in v.split(";") if x})
        out[s] = {"day": day, "notices": ids, "notice_shortfall_mwh": short, "grid_energy_cost_usd": cost,
                  "peak_genset_mw": float(rows[[f"fleet.{g}.output_mw" for g in fleet]].to_numpy().sum(axis=1).max()
                                          if fleet else 0.0) + float(rows["site_gensets_mw"].max()),
                  "training_mwh": float(dt * rows["training_mw"].sum()),
                  "inference_shed_mwh": float(dt * rows["inference_shed_mw"].sum()),
                  "steps": rows.to_dict(orient="records")}
    return {"file": FILE, "rule": RULE, "scenarios": out}, flags


def _unfinished(pm, s: str, i: int) -> bool:
    blk = pm.model.scenario[s].period[i]
    return hasattr(blk, "training_jobs") and any(
        pyo.value(blk.training_jobs.Unfinished_MWh[j]) > EPS for j in blk.training_jobs.Unfinished_MWh)


def work_flags(plan, pm, s: str, i: int, sub, t: pd.DataFrame) -> list[dict]:
    """A flag for each job of period ``i`` left unfinished, with its likely cause, derived from the figures:
    a genset type's permit hours used up in the scenario; a notice in the job's window that cut the import
    below what the job needs to run (its floor, ``min_power_fraction x power_mw``) once the rest of the site
    is served; a typical day that carries its days' share of the work alone; otherwise the penalty."""
    blk = pm.model.scenario[s].period[i]
    if not hasattr(blk, "training_jobs"):
        return []
    p = pm.periods[s][i]
    row = permit_use(pm, plan, s)
    out = []
    for j in sub.training_jobs:
        left = float(pyo.value(blk.training_jobs.Unfinished_MWh[j.id]))
        if left <= EPS:
            continue
        causes = _permit_causes(plan, row)
        causes += _notice_causes(sub, t, j)
        if not p.stands_for_itself:
            causes.append(f"the typical day {p.label} stands for {len(p.members)} days and carries their share of "
                          "the job's work alone (work cannot move to another day)")
        if not causes:
            causes.append(f"running it would cost more than its unfinished-work penalty "
                          f"(${j.unfinished_penalty_usd_per_mwh:,.0f}/MWh)")
        out.append({"scenario": s, "job": j.id, "period": p.label, "period_kind": p.kind,
                    "unfinished_mwh_per_year": pm.scale * p.weight * left, "cause": "; ".join(causes)})
    return out


def permit_use(pm, plan, s: str) -> dict:
    """Per genset type of the fleet: (units, non-emergency hours, their cap per unit, all hours, their cap per
    unit) of scenario ``s``, a year's, as results/plan.py's scenario_row has them."""
    b = pm.model.scenario[s]
    r = {}
    if hasattr(b, "fleet"):
        for g in plan.genset_types:
            n = max(int(round(pyo.value(pm.model.Units[g.id]))), 0)
            r[g.id] = (n, float(pyo.value(b.fleet.non_emergency_hours[g.id])), g.non_emergency_hours_per_year,
                       float(pyo.value(b.fleet.unit_hours[g.id])), g.total_hours_per_year)
    return r


def _permit_causes(plan, row: dict) -> list[str]:
    out = []
    for g, (n, non_em, non_lim, total, total_lim) in row.items():
        for used, lim, what in ((non_em, non_lim, "non-emergency"), (total, total_lim, "total")):
            if lim is not None and n > 0 and used >= lim * n * (1 - 1e-6) - EPS:
                out.append(f"permit hours exhausted: {g} ran {used:,.1f} of the {lim * n:,.0f} {what} unit-hours "
                           f"a year its {n} unit(s) may run")
    return out


def _notice_causes(sub, t: pd.DataFrame, job) -> list[str]:
    """Notices inside the job's window whose cap, less the rest of the site's load, is below the job's floor."""
    window = set(sub.time.steps_within(job.release or sub.time.start, job.deadline or sub.time.end))
    floor = job.min_power_fraction * job.power_mw
    own = t.get(f"job.{job.id}.power_mw", pd.Series(np.zeros(len(t)))).to_numpy(dtype=float)
    rest = t["facility_load_mw"].to_numpy(dtype=float) - own
    cap = t["import_cap_mw"].to_numpy(dtype=float)
    out = []
    for n in sub.notices:
        steps = [k for k in sub.time.steps_overlapping(n.start, n.end) if k in window]
        if not steps:
            continue
        room = float(min(cap[k] - rest[k] for k in steps))
        when = f"{n.start:%Y-%m-%d %H:%M}-{n.end:%H:%M}"
        if room < floor - EPS:
            out.append(f"notice {n.id} on {when} cut the import to {float(min(cap[k] for k in steps)):g} MW, "
                       f"{max(room, 0.0):.2f} MW above the rest of the site's load: below the job's floor of "
                       f"{floor:g} MW")
        else:
            out.append(f"notice {n.id} on {when} cut the import to {float(min(cap[k] for k in steps)):g} MW "
                       "inside the job's window")
    return out


def split(summary: dict) -> tuple[dict, pd.DataFrame | None]:
    """``summary`` without the event days' step rows (for plan.json), and those rows as event_days.csv's table
    (None when the summary has no ``event_days``)."""
    ev = summary.get("event_days")
    if not isinstance(ev, dict):
        return summary, None
    rows = [r for v in ev.get("scenarios", {}).values() for r in v.get("steps", [])]
    slim = {**ev, "scenarios": {s: {k: x for k, x in v.items() if k != "steps"} for s, v in ev["scenarios"].items()}}
    table = pd.DataFrame(rows)
    if table.empty:
        table = pd.DataFrame(columns=list(COLUMNS))
    return {**summary, "event_days": slim}, table

