"""The naive policy: what the site would do without the optimizer, to show what optimizing is worth.

"Run everything as soon as possible, follow notices by shedding." Precisely, per step in time order:

* Every training job runs at full power (``power_mw``) from the first step wholly inside its
  [release, deadline) window (:func:`energyopt.model.training.job_steps`) until its work is done. Work per
  step at full power = throughput at power fraction 1 x ``power_mw`` x dt; the last step runs at full power
  for the whole step and the work done is capped at what was still required.
* Restart loss (as in the model): for a job that can pause, every start after the first is a restart and
  loses ``restart_loss_hours`` x ``power_mw`` of work (at most the work done so far: the work still to do
  never exceeds ``work_mwh``). A job with ``can_pause = false`` that is paused by a notice after it has
  started cannot resume: its remaining work is unfinished (one paused before its first start may still
  start later: that is its one stretch).
* Inference is served in full. Generators never run; battery and thermal storage are not used.
* Supply that needs no decision (a component's ``naive_supply_mw``, e.g. what an on-site array makes) is
  used first, up to the load; the rest of it is curtailed.
* Load = fixed IT load + training power + inference served + overhead + cooling power (IT load / COP when
  there is a cooling plant). Import = that load less the supply used.
* Limits: the import cap: the interconnection, lowered by each notice for the share of each step its window
  covers (:func:`energyopt.model.grid.import_cap_mw`, energy per step). A notice is issued before its window
  starts (the loader refuses one that is not), so the operator acts on it only from its issue time: a step the
  window begins inside is cut only for the part after the window's start. And, with a cooling plant, heat (= IT load) <= the cooling
  capacity of the step. While a step is over a limit the naive operator sheds, in this order:
  (1) pauses training jobs, latest deadline first (ties: larger power first, then instance order), whole
  jobs at a time (it does not throttle); (2) sheds inference down to each service's
  ``min_served_fraction`` of demand, lowest shed penalty first, partially as needed. Whatever is still over
  is a missed notice / cooling shortfall, reported in MW per step (nothing more can be done without
  generators). Every notice in the instance is followed from its issue time. A notice is met when in every
  step it touches the import is within what it allows there (:func:`energyopt.model.grid.notice_excess_mw`).
* Costs use the optimizer's terms: energy = price x import x dt (the price defaults to the forecast
  ``grid.price_usd_per_mwh``; give actual prices for settlement); carbon = carbon price x grid carbon
  intensity x import x dt; demand_charge = rate x 1000 x peak import (once per horizon);
  inference_shed = penalty x shed MWh; unfinished_work = penalty x unfinished MWh; fuel = startup = 0.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..inputs import Instance
from ..inputs.schema import interp_curve
from ..model.cooling import capacity_and_cop
from ..model.grid import import_cap_mw, notice_excess_mw
from ..model.training import job_steps
from ..registry import COMPONENTS

EPS = 1e-6
COST_TERMS = ("energy", "carbon", "demand_charge", "fuel", "startup", "unfinished_work", "inference_shed")


@dataclass
class NaiveOutcome:
    """The naive schedule: ``steps`` (columns named as in a solve's ``steps.csv`` where they exist, plus
    ``over_limit_mw``) and ``summary`` (keys as in a solve's summary where they exist)."""

    steps: pd.DataFrame
    summary: dict


def naive_schedule(inst: Instance, price_usd_per_mwh: np.ndarray | None = None) -> NaiveOutcome:
    """Schedule ``inst`` by the naive policy (see the module docstring) and cost it at ``price_usd_per_mwh``
    (one price per step; default: the instance's forecast)."""
    g = inst.time
    n, dt = g.n_steps, g.dt_hours
    price = inst.grid.price_usd_per_mwh.values if price_usd_per_mwh is None else price_usd_per_mwh
    price = np.asarray(price, dtype=float)
    if price.shape != (n,):
        raise ValueError(f"price_usd_per_mwh must have one value per step ({n}), got shape {price.shape}")

    cap = import_cap_mw(inst)
    fixed = np.asarray(inst.site.it_load_mw.values, dtype=float)
    overhead = np.asarray(inst.site.overhead_mw.values, dtype=float)
    if inst.cooling is not None:
        heat_cap, cop = capacity_and_cop(inst)
    else:
        heat_cap, cop = np.full(n, np.inf), np.full(n, np.inf)
    per_it = 1.0 + 1.0 / cop  # MW of import per MW of IT load (IT plus its cooling)
    free_by = [(c, np.asarray(c.naive_supply_mw(inst), dtype=float)) for c in COMPONENTS
               if c.naive_supply_mw is not None and c.present(inst, None)]
    free = sum((f for _, f in free_by), np.zeros(n))   # MW offered at no decision, used first

    jobs = inst.training_jobs
    nj = len(jobs)
    window = [set(job_steps(inst, j)) for j in jobs]
    full_work = [float(interp_curve(j.throughput_curve, np.array([1.0]))[0]) * j.power_mw * dt for j in jobs]
    deadline = [pd.Timestamp(j.deadline if j.deadline is not None else g.end) for j in jobs]
    # Pause order: latest deadline first, then larger power, then instance order (sorted is stable).
    pause_order = sorted(range(nj), key=lambda k: (-deadline[k].value, -jobs[k].power_mw))
    remaining = np.array([j.work_mwh for j in jobs], dtype=float)
    started, ran_before, dead = np.zeros(nj, bool), np.zeros(nj, bool), np.zeros(nj, bool)
    restarts = np.zeros(nj, int)
    power, work = np.zeros((nj, n)), np.zeros((nj, n))

    svc = inst.inference
    demand = np.array([s.demand_mw.values for s in svc], dtype=float).reshape(len(svc), n)
    sheddable = demand * (1.0 - np.array([s.min_served_fraction for s in svc]))[:, None]
    served = demand.copy()
    shed_order = sorted(range(len(svc)), key=lambda i: svc[i].shed_penalty_usd_per_mwh)

    def need(t: int, it_mw: float) -> float:
        """IT MW to cut at step t so that import and heat are both within their limits."""
        return max((it_mw * per_it[t] + overhead[t] - free[t] - cap[t]) / per_it[t], it_mw - heat_cap[t], 0.0)

    for t in range(n):
        want = [k for k in pause_order if t in window[k] and remaining[k] > EPS and not dead[k]]
        it = fixed[t] + served[:, t].sum() + sum(jobs[k].power_mw for k in want)
        paused: set[int] = set()
        for k in want:
            if need(t, it) <= EPS:
                break
            paused.add(k)
            it -= jobs[k].power_mw
        cut = need(t, it)
        for i in shed_order:
            if cut <= EPS:
                break
            x = min(cut, sheddable[i, t])
            served[i, t] -= x
            cut -= x
        for k in want:
            j = jobs[k]
            if k in paused:
                dead[k] |= started[k] and not j.can_pause
                ran_before[k] = False
                continue
            if started[k] and not ran_before[k]:
                restarts[k] += 1
                if j.can_pause and j.restart_loss_hours > 0:
                    remaining[k] = min(j.work_mwh, remaining[k] + j.restart_loss_hours * j.power_mw)
            started[k] = ran_before[k] = True
            power[k, t] = j.power_mw
            work[k, t] = min(full_work[k], remaining[k])
            remaining[k] = max(remaining[k] - work[k, t], 0.0)
        for k in set(range(nj)) - set(want):
            ran_before[k] = False

    shed = demand - served
    it_load = fixed + power.sum(axis=0) + served.sum(axis=0)
    cooling = it_load / cop if inst.cooling is not None else np.zeros(n)
    load = it_load + overhead + cooling
    used = np.minimum(free, load)
    share = np.divide(used, free, out=np.zeros(n), where=free > 0)
    imp = load - used
    heat_over = np.maximum(it_load - heat_cap, 0.0)
    over = np.maximum(np.maximum(imp - cap, 0.0), heat_over)

    cols: dict[str, object] = {
        "timestamp": g.index.strftime("%Y-%m-%dT%H:%M:%S%z").str.replace(r"(\d\d)$", r":\1", regex=True),
        "price_usd_per_mwh": price,
        "carbon_kg_per_mwh": inst.grid.carbon_kg_per_mwh.values,
        "import_cap_mw": cap,
        "grid_import_mw": imp,
    }
    extra_costs: dict[str, float] = {}
    for c, _ in free_by:
        more, costs = c.naive_steps(inst, share)
        cols.update(more)
        for term, usd in costs.items():
            extra_costs[term] = extra_costs.get(term, 0.0) + usd
    for k, j in enumerate(jobs):
        cols[f"job.{j.id}.power_mw"] = power[k]
        cols[f"job.{j.id}.work_mwh"] = work[k]
    for i, s in enumerate(svc):
        cols[f"inference.{s.id}.demand_mw"] = demand[i]
        cols[f"inference.{s.id}.served_mw"] = served[i]
        cols[f"inference.{s.id}.shed_mw"] = shed[i]
    cols["it_load_mw"] = it_load
    cols["overhead_mw"] = overhead
    if inst.cooling is not None:
        cols["cooling_capacity_mw_th"] = heat_cap
        cols["cooling_cop"] = cop
    cols["cooling_mw"] = cooling
    cols["facility_load_mw"] = load
    cols["over_limit_mw"] = over
    steps = pd.DataFrame(cols)

    ends = g.index + pd.Timedelta(minutes=g.step_minutes)
    co2_kg = float(np.sum(inst.grid.carbon_kg_per_mwh.values * imp) * dt)
    peak = float(imp.max()) if n else 0.0
    breakdown = dict.fromkeys(COST_TERMS, 0.0) | extra_costs
    breakdown["energy"] = float(np.sum(price * imp) * dt)
    breakdown["carbon"] = inst.grid.carbon_price_usd_per_t / 1000.0 * co2_kg
    breakdown["demand_charge"] = 1000.0 * inst.grid.demand_charge_usd_per_kw * peak
    breakdown["unfinished_work"] = float(sum(j.unfinished_penalty_usd_per_mwh * remaining[k]
                                             for k, j in enumerate(jobs)))
    breakdown["inference_shed"] = float(sum(s.shed_penalty_usd_per_mwh * shed[i].sum() * dt
                                            for i, s in enumerate(svc)))
    job_summary = {}
    for k, j in enumerate(jobs):
        last = np.flatnonzero(work[k] > EPS)
        job_summary[j.id] = {
            "work_required_mwh": j.work_mwh, "work_done_mwh": float(j.work_mwh - remaining[k]),
            "unfinished_mwh": float(remaining[k]),
            "finish_time": ends[last[-1]].isoformat() if len(last) else None,
            "deadline": deadline[k].isoformat(), "energy_mwh": float(power[k].sum() * dt),
            "starts": int(started[k]) + int(restarts[k]), "restarts": int(restarts[k]),
        }
    curtailment = []
    for notice in inst.notices:
        w = g.steps_overlapping(notice.start, notice.end)
        top = float(imp[w].max()) if w else None
        excess = notice_excess_mw(g, inst.site.interconnection_mw, notice.start, notice.end, notice.import_cap_mw, imp)
        missed = float(excess.max()) if n else 0.0
        curtailment.append({"id": notice.id, "cap_mw": notice.import_cap_mw, "max_import_mw": top,
                            "met": missed <= EPS, "missed_mw": missed, "missed_mwh": float(excess.sum() * dt)})
    summary = {
        "policy": "naive",
        "objective_usd": float(sum(breakdown.values())),
        "cost_breakdown_usd": breakdown,
        "co2_t": co2_kg / 1000.0,
        "grid_import_mwh": float(imp.sum() * dt),
        "peak_import_mw": peak,
        "jobs": job_summary,
        "inference_shed_mwh": float(shed.sum() * dt),
        "curtailment": curtailment,
        "cooling_shortfall_mw_max": float(heat_over.max()) if n else 0.0,
    }
    return NaiveOutcome(steps=steps, summary=summary)
