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
plan's own solution of that period, read from its variables at those days' steps only (a year-long period
has 8,760 steps or more: through the solve's steps table, tests/test_plan.py's year with two scenarios took
24 s here, read this way 3 s, on the shared 2-core machine at load 10-12); the cap is
``model.grid.import_cap_mw`` of the period's instance, as steps.csv's ``import_cap_mw``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from ..inputs.periods import slice_instance
from ..model.grid import import_cap_mw
from .extract import timestamps

EPS = 1e-6
FILE = "event_days.csv"
#: The columns of event_days.csv before the fleet's ``fleet.<type>.output_mw``.
COLUMNS = ("scenario", "day", "timestamp", "notices", "price_usd_per_mwh", "import_cap_mw", "grid_import_mw",
           "site_gensets_mw", "solar_mw", "battery_discharge_mw", "battery_charge_mw", "training_mw",
           "inference_served_mw", "inference_shed_mw", "facility_load_mw")
RULE = ("the event day with the largest notice shortfall (MWh drawn or shed above the import cap in force: "
        "sum of max(facility load + inference shed - cap, 0) x step hours), ties to the highest grid energy cost")


def _at(var, keys) -> np.ndarray:
    return np.array([pyo.value(var[k]) for k in keys], dtype=float)


def step_columns(plan, sub, blk, steps: list[int]) -> pd.DataFrame:
    """At ``steps`` of a period (``sub``: its sliced instance, ``blk``: its block), event_days.csv's columns
    (without scenario and day) and each training job's ``job.<id>.power_mw``: read from the block's
    variables at those steps only (the solve's steps_table would read every step of a year-long period);
    the cap and the series from the instance (``model.grid.import_cap_mw``, as steps.csv has them)."""
    k = list(steps)
    zero = np.zeros(len(k))
    cols: dict[str, object] = {"timestamp": np.asarray(timestamps(sub))[k]}
    ids = {t: [] for t in k}
    for note in sub.notices:
        for t in sub.time.steps_overlapping(note.start, note.end):
            if t in ids:
                ids[t].append(note.id)
    cols["notices"] = [";".join(ids[t]) for t in k]
    cols["price_usd_per_mwh"] = np.asarray(sub.grid.price_usd_per_mwh.values, dtype=float)[k]
    cols["import_cap_mw"] = import_cap_mw(sub)[k]
    cols["grid_import_mw"] = _at(blk.grid.Import_MW, k)
    gens = blk.component("generators")
    cols["site_gensets_mw"] = sum((_at(gens.Output_MW, [(g.id, t) for t in k]) for g in sub.generators), zero) \
        if gens is not None else zero
    pv = blk.component("solar")
    cols["solar_mw"] = sum((_at(pv.Output_MW, [(a.id, t) for t in k]) for a in sub.solar), zero) \
        if pv is not None else zero
    bat = blk.component("battery")
    cols["battery_discharge_mw"] = _at(bat.Discharge_MW, k) if bat is not None else zero
    cols["battery_charge_mw"] = _at(bat.Charge_MW, k) if bat is not None else zero
    jobs = blk.component("training_jobs")
    power = {}
    for j in sub.training_jobs if jobs is not None else []:
        power[j.id] = np.array([pyo.value(jobs.Power_MW[j.id, t]) if (j.id, t) in jobs.Power_MW else 0.0
                                for t in k], dtype=float)
    cols["training_mw"] = sum(power.values(), zero)
    inf = blk.component("inference")
    served = {x.id: _at(inf.Served_MW, [(x.id, t) for t in k]) for x in sub.inference} if inf is not None else {}
    cols["inference_served_mw"] = sum(served.values(), zero)
    cols["inference_shed_mw"] = sum((np.maximum(np.asarray(x.demand_mw.values, dtype=float)[k] - served[x.id], 0.0)
                                     for x in sub.inference if x.id in served), zero)
    cols["facility_load_mw"] = _at(blk.facility_load_mw, k)
    for g in plan.genset_types:
        cols[f"fleet.{g.id}.output_mw"] = _at(blk.fleet.Output_MW, [(g.id, t) for t in k]) \
            if hasattr(blk, "fleet") else zero
    cols.update({f"job.{j}.power_mw": v for j, v in power.items()})
    return pd.DataFrame(cols, index=k)


def day_rows(s: str, day: str, t: pd.DataFrame, fleet: list[str]) -> pd.DataFrame:
    """The event_days.csv rows of one day's slice ``t`` of :func:`step_columns`."""
    out = t[[c for c in COLUMNS if c in t] + [f"fleet.{g}.output_mw" for g in fleet]].reset_index(drop=True)
    out.insert(0, "day", day)
    out.insert(0, "scenario", s)
    return out


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
            sub, blk = None, pm.model.scenario[s].period[i]
            if _unfinished(pm, s, i):
                sub = slice_instance(inst, p)
                flags += work_flags(plan, pm, s, i, sub)
            if not p.stands_for_itself:
                continue
            sub = sub or slice_instance(inst, p)
            touched = {t for n in sub.notices for t in sub.time.steps_overlapping(n.start, n.end)}
            days = [(day, steps) for day, steps in sub.time.local_days if touched.intersection(steps)]
            if not days:
                continue
            t = step_columns(plan, sub, blk, [k for _, steps in days for k in steps])
            for day, steps in days:
                rows = day_rows(s, day, t.loc[steps], fleet)
                short = shortfall_mwh(rows, dt)
                cost = float(dt * (rows["price_usd_per_mwh"] * rows["grid_import_mw"]).sum())
                k = (round(short, 6), round(cost, 6))
                if key is None or k > key:
                    best, key = (day, rows, short, cost), k
        flags += linked_work_flags(plan, pm, s, inst)
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


def _shared(pm, s: str) -> set[str]:
    """The jobs whose work the linked days share out over their periods (model/linking.py): what they leave
    undone is the scenario's, not a period's (a part's own Unfinished_MWh is slack below an upper bound)."""
    lk = getattr(pm.model.scenario[s], "job_link", None)
    return set(lk.Unfinished_MWh) if lk is not None else set()


def _unfinished(pm, s: str, i: int) -> bool:
    blk = pm.model.scenario[s].period[i]
    shared = _shared(pm, s)
    return hasattr(blk, "training_jobs") and any(
        pyo.value(blk.training_jobs.Unfinished_MWh[j]) > EPS for j in blk.training_jobs.Unfinished_MWh
        if j not in shared)


def linked_work_flags(plan, pm, s: str, inst) -> list[dict]:
    """A flag for each job whose work the linked days share (``period_kind`` "linked") and leave partly undone:
    the permit hours used up, the notices inside its window, or else the penalty."""
    lk = getattr(pm.model.scenario[s], "job_link", None)
    if lk is None:
        return []
    jobs = {j.id: j for j in inst.training_jobs}
    out = []
    for jid in lk.Unfinished_MWh:
        left = float(pyo.value(lk.Unfinished_MWh[jid]))
        if left <= EPS:
            continue
        j = jobs[jid]
        rel, dl = j.release or inst.time.start, j.deadline or inst.time.end
        causes = _permit_causes(plan, permit_use(pm, plan, s))
        causes += [f"notice {n.id} on {n.start:%Y-%m-%d %H:%M}-{n.end:%H:%M} fell inside the job's window"
                   for n in inst.notices if n.start < dl and n.end > rel]
        if not causes:
            causes.append(f"running it would cost more than its unfinished-work penalty "
                          f"(${j.unfinished_penalty_usd_per_mwh:,.0f}/MWh)")
        out.append({"scenario": s, "job": jid, "period": "the linked days of its window", "period_kind": "linked",
                    "unfinished_mwh_per_year": pm.scale * left, "cause": "; ".join(causes)})
    return out


def work_flags(plan, pm, s: str, i: int, sub) -> list[dict]:
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
    shared, here = _shared(pm, s), set(blk.training_jobs.Unfinished_MWh)
    for j in sub.training_jobs:
        if j.id in shared or j.id not in here:   # linked: flagged once for the scenario (linked_work_flags)
            continue
        left = float(pyo.value(blk.training_jobs.Unfinished_MWh[j.id]))
        if left <= EPS:
            continue
        causes = _permit_causes(plan, row)
        causes += _notice_causes(plan, sub, blk, j)
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


def _notice_causes(plan, sub, blk, job) -> list[str]:
    """Notices inside the job's window whose cap, less the rest of the site's load, is below the job's floor."""
    window = set(sub.time.steps_within(job.release or sub.time.start, job.deadline or sub.time.end))
    floor = job.min_power_fraction * job.power_mw
    steps = sorted({k for n in sub.notices for k in sub.time.steps_overlapping(n.start, n.end)} & window)
    if not steps:
        return []
    t = step_columns(plan, sub, blk, steps)
    own = t.get(f"job.{job.id}.power_mw", pd.Series(0.0, index=t.index))
    rest = t["facility_load_mw"] - own
    cap = t["import_cap_mw"]
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

