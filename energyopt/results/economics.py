"""Economics in the business's own units: the energy cost of each inference service and training job, per
million tokens and per GPU-hour, tokens served and shed, revenue, margin and the value of training done per
dollar of energy (docs/model.md, "Economics in the business's units").

Written to ``summary.json`` as ``economics`` only when an instance gives any of the fields it needs (an
inference service's tokens or revenue, a job's GPUs per MW or value), so other summaries are unchanged.

Attribution (chosen and documented): the site's energy cost of each step (grid energy, price x import, plus
the gensets' fuel and start-ups spread over the steps by their output) is shared among the IT loads of that
step by their share of the step's IT power (``it_load_mw``). Cooling and overhead are thereby carried by the
IT they serve, as a PUE-loaded cost; a load that runs in cheap steps is charged those steps' cost. Carbon,
demand charges and penalties are not energy costs and are left out.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: Cost terms of the gensets that are energy (spread over the steps by their output).
GENSET_ENERGY_TERMS = ("fuel", "startup")
ATTRIBUTION = "it_share_per_step"


def wanted(inst) -> bool:
    """Whether the instance gives any economics field."""
    return any(s.tokens_per_mwh_value is not None or s.revenue_usd_per_m_tokens is not None for s in inst.inference) \
        or any(j.gpus_per_mw is not None or j.value_usd_per_gpu_hour is not None for j in inst.training_jobs)


def step_energy_cost_usd(steps: pd.DataFrame, breakdown: dict, dt: float) -> np.ndarray:
    """The site's energy cost of each step: grid energy plus the gensets' fuel and start-ups by their output."""
    n = len(steps)
    grid = steps["price_usd_per_mwh"].to_numpy(dtype=float) * steps["grid_import_mw"].to_numpy(dtype=float) * dt
    gens = sum(float(breakdown.get(k, 0.0)) for k in GENSET_ENERGY_TERMS)
    out = sum((steps[c].to_numpy(dtype=float) for c in steps.columns
               if c.startswith("generator.") and c.endswith(".output_mw")), np.zeros(n))
    if abs(gens) > 0:
        share = out / out.sum() if out.sum() > 0 else np.full(n, 1.0 / n)
        grid = grid + gens * share
    return grid


def _share(cost: np.ndarray, load: np.ndarray, it: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        part = np.where(it > 1e-9, load / it, 0.0)
    return float((cost * part).sum())


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or abs(b) < 1e-12 else a / b


def economics(inst, steps: pd.DataFrame, summary: dict) -> dict:
    """``{"economics": {...}}`` for the summary, or ``{}`` when the instance gives no economics field."""
    if not wanted(inst):
        return {}
    dt = inst.time.dt_hours
    cost = step_energy_cost_usd(steps, summary.get("cost_breakdown_usd", {}), dt)
    it = steps["it_load_mw"].to_numpy(dtype=float)
    it_mwh = float(it.sum() * dt)
    out: dict = {"attribution": ATTRIBUTION, "site_energy_cost_usd": float(cost.sum()),
                 "it_energy_mwh": it_mwh, "it_energy_usd_per_mwh": _ratio(float(cost.sum()), it_mwh),
                 "inference": {}, "jobs": {}}
    for s in inst.inference:
        served = steps[f"inference.{s.id}.served_mw"].to_numpy(dtype=float)
        shed = steps[f"inference.{s.id}.shed_mw"].to_numpy(dtype=float)
        usd = _share(cost, served, it)
        served_mwh, shed_mwh = float(served.sum() * dt), float(shed.sum() * dt)
        tok = s.tokens_per_mwh_value
        m_served = served_mwh * tok / 1e6 if tok is not None else None
        m_shed = shed_mwh * tok / 1e6 if tok is not None else None
        rev = s.revenue_usd_per_m_tokens
        revenue = m_served * rev if rev is not None and m_served is not None else None
        per_m = _ratio(usd, m_served)
        out["inference"][s.id] = {
            "served_mwh": served_mwh, "energy_cost_usd": usd, "energy_usd_per_mwh": _ratio(usd, served_mwh),
            "tokens_per_mwh": tok, "tokens_served_m": m_served, "tokens_shed_m": m_shed,
            "energy_usd_per_m_tokens": per_m,
            "shed_penalty_usd_per_m_tokens": s.shed_penalty_usd_per_mwh * 1e6 / tok if tok else None,
            "revenue_usd": revenue, "margin_usd": revenue - usd if revenue is not None else None,
            "margin_usd_per_m_tokens": rev - per_m if rev is not None and per_m is not None else None}
    jobs = summary.get("jobs") or {}
    for j in inst.training_jobs:
        power = steps[f"job.{j.id}.power_mw"].to_numpy(dtype=float)
        usd = _share(cost, power, it)
        done = float((jobs.get(j.id) or {}).get("work_done_mwh", 0.0))
        gpu_h = done * j.gpus_per_mw if j.gpus_per_mw is not None else None
        value = gpu_h * j.value_usd_per_gpu_hour if gpu_h is not None and j.value_usd_per_gpu_hour is not None \
            else None
        out["jobs"][j.id] = {
            "energy_mwh": float(power.sum() * dt), "energy_cost_usd": usd,
            "energy_usd_per_mwh": _ratio(usd, float(power.sum() * dt)), "gpus_per_mw": j.gpus_per_mw,
            "gpu_hours_done": gpu_h, "energy_usd_per_gpu_hour": _ratio(usd, gpu_h), "value_usd": value,
            "value_usd_per_mwh_of_work": (j.value_usd_per_gpu_hour * j.gpus_per_mw
                                          if value is not None else None),
            "value_per_energy_usd": _ratio(value, usd)}
    return {"economics": out}


def text(summary: dict) -> list[str]:
    """Lines of the terminal summary (none without ``economics``)."""
    e = summary.get("economics")
    if not e:
        return []
    lines = [f"  economics          IT energy ${e['it_energy_usd_per_mwh'] or 0:,.2f}/MWh (site energy cost by "
             "IT share per step)"]
    for i, v in e["inference"].items():
        if v["tokens_served_m"] is not None:
            margin = (f", margin ${v['margin_usd_per_m_tokens']:,.4f}/Mtok"
                      if v["margin_usd_per_m_tokens"] is not None else "")
            lines.append(f"  inference {i:<8} {v['tokens_served_m']:,.1f} Mtok served, {v['tokens_shed_m']:,.1f} shed, "
                         f"energy ${v['energy_usd_per_m_tokens'] or 0:,.4f}/Mtok{margin}")
    for j, v in e["jobs"].items():
        if v["gpu_hours_done"] is not None:
            val = (f", value ${v['value_usd']:,.0f} = {v['value_per_energy_usd']:,.2f} per $ of energy"
                   if v["value_usd"] is not None and v["value_per_energy_usd"] is not None else "")
            lines.append(f"  job {j:<14} {v['gpu_hours_done']:,.0f} GPU-h, energy "
                         f"${v['energy_usd_per_gpu_hour'] or 0:,.4f}/GPU-h{val}")
    return lines
