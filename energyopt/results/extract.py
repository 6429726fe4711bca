"""Read a solved model into the per-step table and the summary; costs come from the objective's own
expressions (``cost_usd`` of each block), so the breakdown always sums to the objective."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from ..inputs import Instance
from ..model import cost_terms
from ..model.cooling import capacity_and_cop
from ..model.grid import import_cap_mw
from ..model.training import job_steps

FORMAT_VERSION = 1
EPS = 1e-6


def _vals(var, keys) -> np.ndarray:
    return np.array([pyo.value(var[k]) for k in keys], dtype=float)


def steps_table(inst: Instance, m: pyo.ConcreteModel) -> pd.DataFrame:
    """One row per step: prices, the import cap, every component's power, loads."""
    n = inst.time.n_steps
    T = range(n)
    cols: dict[str, np.ndarray] = {
        "timestamp": inst.time.index.strftime("%Y-%m-%dT%H:%M:%S%z").str.replace(r"(\d\d)$", r":\1", regex=True),
        "price_usd_per_mwh": inst.grid.price_usd_per_mwh.values,
        "carbon_kg_per_mwh": inst.grid.carbon_kg_per_mwh.values,
        "import_cap_mw": import_cap_mw(inst),
        "grid_import_mw": _vals(m.grid.Import_MW, T),
    }
    for g in inst.generators:
        keys = [(g.id, t) for t in T]
        cols[f"generator.{g.id}.on"] = np.round(_vals(m.generators.On, keys)).astype(int)
        cols[f"generator.{g.id}.output_mw"] = _vals(m.generators.Output_MW, keys)
        cols[f"generator.{g.id}.fuel_gal"] = np.array([pyo.value(m.generators.fuel_gal[k]) for k in keys])
    if inst.battery is not None:
        cols["battery.charge_mw"] = _vals(m.storage.Charge_MW, T)
        cols["battery.discharge_mw"] = _vals(m.storage.Discharge_MW, T)
        cols["battery.stored_mwh"] = _vals(m.storage.Stored_MWh, range(1, n + 1))
    for j in inst.training_jobs:
        power, work = np.zeros(n), np.zeros(n)
        steps = job_steps(inst, j)
        power[steps] = _vals(m.training.Power_MW, [(j.id, t) for t in steps])
        work[steps] = _vals(m.training.Work_MWh, [(j.id, t) for t in steps])
        cols[f"job.{j.id}.power_mw"] = power
        cols[f"job.{j.id}.work_mwh"] = work
    for s in inst.inference:
        served = _vals(m.inference.Served_MW, [(s.id, t) for t in T])
        cols[f"inference.{s.id}.demand_mw"] = s.demand_mw.values
        cols[f"inference.{s.id}.served_mw"] = served
        cols[f"inference.{s.id}.shed_mw"] = np.maximum(s.demand_mw.values - served, 0.0)
    cols["it_load_mw"] = np.array([pyo.value(m.it_load_mw[t]) for t in T])
    cols["overhead_mw"] = inst.site.overhead_mw.values
    if inst.cooling is not None:
        cap, cop = capacity_and_cop(inst)
        cols["outdoor_temp_c"] = inst.cooling.outdoor_temp_c.values
        cols["cooling_capacity_mw_th"] = cap
        cols["cooling_cop"] = cop
        cols["cooling_chill_mw_th"] = _vals(m.cooling.Chill_MW_th, T)
        if inst.cooling.thermal_storage is not None:
            net = _vals(m.cooling.Net_Charge_MW_th, T)
            cols["thermal_storage.charge_mw_th"] = np.maximum(net, 0.0)
            cols["thermal_storage.discharge_mw_th"] = np.maximum(-net, 0.0)
            cols["thermal_storage.stored_mwh_th"] = _vals(m.cooling.Stored_MWh_th, range(1, n + 1))
        cols["cooling_mw"] = np.array([pyo.value(m.cooling.power_mw[t]) for t in T])
    else:
        cols["cooling_mw"] = np.zeros(n)
    cols["facility_load_mw"] = np.array([pyo.value(m.facility_load_mw[t]) for t in T])
    return pd.DataFrame(cols)


def summary(inst: Instance, m: pyo.ConcreteModel, steps: pd.DataFrame, budgets=()) -> dict:
    """The figures a user looks at first; every one is computed from the same model values as the table."""
    dt = inst.time.dt_hours
    breakdown = {k: float(pyo.value(e)) for k, e in cost_terms(m).items()}
    grid_co2 = float(pyo.value(m.grid.co2_kg))
    gen_co2 = float(pyo.value(m.generators.co2_kg)) if inst.generators else 0.0
    gens = {}
    for g in inst.generators:
        on = steps[f"generator.{g.id}.on"].to_numpy()
        gens[g.id] = {
            "hours": float(on.sum() * dt), "limit_hours": g.run_hours_left,
            "max_hours_per_day": g.max_hours_per_day, "max_hours_per_event": g.max_hours_per_event,
            "starts": int(np.sum(np.diff(np.concatenate([[0], on])) > 0)),
            "output_mwh": float(steps[f"generator.{g.id}.output_mw"].sum() * dt),
            "fuel_gal": float(steps[f"generator.{g.id}.fuel_gal"].sum()),
            "nox_kg": float(pyo.value(m.generators.nox_kg[g.id])), "nox_cap_kg": g.nox_cap_kg,
        }
    jobs = {}
    ends = inst.time.index + pd.Timedelta(minutes=inst.time.step_minutes)
    for j in inst.training_jobs:
        work = steps[f"job.{j.id}.work_mwh"].to_numpy()
        running = steps[f"job.{j.id}.power_mw"].to_numpy() > EPS
        done = float(pyo.value(m.training.work_done_mwh[j.id]))
        last = np.flatnonzero(work > EPS)
        jobs[j.id] = {
            "work_required_mwh": j.work_mwh, "work_done_mwh": done,
            "unfinished_mwh": float(pyo.value(m.training.Unfinished_MWh[j.id])),
            "finish_time": ends[last[-1]].isoformat() if len(last) else None,
            "deadline": (j.deadline if j.deadline is not None else inst.time.end).isoformat(),
            "energy_mwh": float(steps[f"job.{j.id}.power_mw"].sum() * dt),
            "starts": int(np.sum(np.diff(np.concatenate([[False], running]).astype(int)) > 0)),
        }
    inference = {s.id: {"demand_mwh": float(steps[f"inference.{s.id}.demand_mw"].sum() * dt),
                        "served_mwh": float(steps[f"inference.{s.id}.served_mw"].sum() * dt),
                        "shed_mwh": float(steps[f"inference.{s.id}.shed_mw"].sum() * dt)} for s in inst.inference}
    imp = steps["grid_import_mw"].to_numpy()
    curtailment = []
    for n in inst.notices:
        w = inst.time.steps_overlapping(n.start, n.end)
        curtailment.append({"id": n.id, "issued": n.issued.isoformat(), "start": n.start.isoformat(),
                            "end": n.end.isoformat(), "cap_mw": n.import_cap_mw,
                            "max_import_mw": float(imp[w].max()) if w else None})
    return {
        "cost_breakdown_usd": breakdown,
        "objective_usd": float(sum(breakdown.values())),
        "co2_t": (grid_co2 + gen_co2) / 1000.0,
        "co2_t_by_source": {"grid": grid_co2 / 1000.0, "generators": gen_co2 / 1000.0},
        "nox_kg": float(sum(v["nox_kg"] for v in gens.values())),
        "grid_import_mwh": float(imp.sum() * dt),
        "peak_import_mw": float(imp.max()),
        "generator_run_hours": gens,
        "jobs": jobs,
        "inference_shed_mwh": float(sum(v["shed_mwh"] for v in inference.values())),
        "inference": inference,
        "curtailment": curtailment,
        **({"permit_budgets": permit_budgets(m, budgets)} if budgets else {}),
    }


def permit_budgets(m: pyo.ConcreteModel, budgets) -> list[dict]:
    """Each ledger window the plan draws on: what it had left before the plan and what it has left after."""
    out = []
    for k, b in enumerate(budgets):
        used = float(pyo.value(m.generators.budget_use[k]))
        out.append({"unit_id": b.unit_id, "window": b.label, "metric": b.metric, "limit": b.limit,
                    "used_before": b.used_before, "remaining_before": b.limit - b.used_before,
                    "plan_uses": used, "remaining_after": b.limit - b.used_before - used})
    return out
