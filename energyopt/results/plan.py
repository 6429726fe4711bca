"""What a solved plan says: sizes, annualized cost and its breakdown, and per scenario the operating cost,
permit hours used against each window, energy shed and work left unfinished. Read from the same model
expressions the objective sums, so the breakdown adds up to the objective."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pyomo.environ as pyo

from ..atomic import swap_in, umask

from ..inputs.plan import PlanFile
from ..model.plan import ROBUST_TIE_WEIGHT
from ..registry import candidates
from .plan_days import FILE as EVENT_DAYS, event_days, split

PLAN_FORMAT = 1


def _v(x) -> float:
    return float(pyo.value(x))


def reported_objective(plan: PlanFile, pm) -> float:
    """The solved plan's objective without robust mode's tie-break term (ROBUST_TIE_WEIGHT x the mean
    operating cost): the one figure plan.json and count_table.csv report."""
    m = pm.model
    tie = ROBUST_TIE_WEIGHT * sum(pm.scale * _v(m.scenario[s].opex_usd) for s in pm.scenarios) / len(pm.scenarios) \
        if plan.mode == "robust" else 0.0
    return _v(m.objective) - tie


def plan_summary(plan: PlanFile, pm, info, scenarios: dict | None = None) -> dict:
    """``scenarios`` (name -> the site instance with its notices, as planned) adds ``event_days`` (each
    scenario's worst event day, written as event_days.csv) and ``work_flags`` (results/plan_days.py)."""
    m = pm.model
    sizes = {"gensets": {k: int(round(_v(m.Units[k]))) for k in m.Units}}
    for c in candidates():
        if getattr(plan, c.candidate.table, None) is not None:
            sizes |= c.candidate.sizes(m)
    capex = {k: _v(m.annual_capex_usd[k]) for k in m.annual_capex_usd}
    rows = [scenario_row(plan, pm, s) for s in pm.scenarios]
    out = {
        "format_version": PLAN_FORMAT, "kind": "plan", "plan": plan.name, "mode": plan.mode,
        "status": info.status.value, "termination": info.termination.value,
        "objective_usd_per_year": reported_objective(plan, pm), "mip_gap": info.mip_gap,
        "solve_seconds": info.timings_s.get("highs"), "timings_s": info.timings_s,
        "solver": {"rows": info.n_rows, "columns": info.n_cols, "integer_columns": info.n_integer,
                   "highs_status": info.highs_status},
        "sizes": sizes,
        "annual_cost_usd": {"capex_and_fixed_om": capex, "operations": _v(m.annual_opex_usd),
                            "total": sum(capex.values()) + _v(m.annual_opex_usd)},
        "operations_scale_to_year": pm.scale,
        "periods": {s: [{"label": p.label, "kind": p.kind, "weight": p.weight, "hours": p.n_steps * pm.dt_hours,
                         "days_it_stands_for": len(p.members)}
                        for p in pm.periods[s]] for s in pm.scenarios} if plan.representative_periods else None,
        "scenarios": rows,
    }
    if scenarios:
        out["event_days"], out["work_flags"] = event_days(plan, pm, scenarios)
    return out


def scenario_row(plan: PlanFile, pm, s: str) -> dict:
    """One scenario's figures for a year: costs by term and permit hours as the model's scenario-level
    expressions have them; energy figures weighted over the periods and scaled like the costs."""
    b = pm.model.scenario[s]
    dt = pm.dt_hours
    parts = [(p.weight, b.period[i]) for i, p in enumerate(pm.periods[s])]

    def year(f) -> float:   # a per-period quantity summed to a year
        return pm.scale * sum(w * f(blk) for w, blk in parts)

    row: dict = {"scenario": s, "opex_usd_per_year": pm.scale * _v(b.opex_usd), "periods": len(parts)}
    row.update({f"cost.{k}_usd_per_year": pm.scale * _v(b.cost_usd[k]) for k in b.cost_usd})
    if hasattr(b, "fleet"):
        for g in plan.genset_types:
            n = max(int(round(_v(pm.model.Units[g.id]))), 0)
            # a year's hours, as the permits see them
            row[f"{g.id}.unit_hours"] = _v(b.fleet.unit_hours[g.id])
            row[f"{g.id}.non_emergency_hours"] = _v(b.fleet.non_emergency_hours[g.id])
            row[f"{g.id}.non_emergency_hours_limit"] = (g.non_emergency_hours_per_year * n
                                                        if g.non_emergency_hours_per_year is not None else None)
            row[f"{g.id}.total_hours_limit"] = (g.total_hours_per_year * n
                                                if g.total_hours_per_year is not None else None)
            row[f"{g.id}.output_mwh"] = year(lambda blk: dt * sum(
                _v(blk.fleet.Output_MW[g.id, t]) for t in blk.power_balance))
    if hasattr(b, "generators"):   # the site's own units: their instance permits, over the horizon
        for gid in b.generators.run_hours:
            row[f"site.{gid}.hours"] = _v(b.generators.run_hours[gid])
    row["inference_shed_mwh"] = year(lambda blk: dt * sum(_v(blk.inference.shed_mw[k]) for k in blk.inference.shed_mw)
                                     if hasattr(blk, "inference") else 0.0)
    left = {j: _v(b.job_unfinished_mwh[j]) for j in b.job_unfinished_mwh}   # over the horizon, per job
    row["unfinished_mwh"] = pm.scale * sum(left.values())
    row["jobs_late"] = sum(1 for v in left.values() if v > 1e-6)
    return row


def count_chart(summary: dict, rows: list[dict]) -> str:
    """A self-contained HTML chart (plotly inline): total annual cost against each type's unit count."""
    import plotly.graph_objects as go
    fig = go.Figure()
    for k in dict.fromkeys(r["type"] for r in rows):
        pts = [r for r in rows if r["type"] == k and r["total_usd_per_year"] is not None]
        fig.add_trace(go.Scatter(x=[r["units"] for r in pts], y=[r["total_usd_per_year"] for r in pts],
                                 mode="lines+markers", name=k))
        best = [r for r in pts if r["optimum"]]
        if best:
            fig.add_trace(go.Scatter(x=[best[0]["units"]], y=[best[0]["total_usd_per_year"]], mode="markers",
                                     marker={"size": 14, "symbol": "star"}, name=f"{k}: chosen"))
    fig.update_layout(title=f"{summary['plan']}: total annual cost against genset count (other sizes re-optimized)",
                      xaxis_title="units of the type", yaxis_title="total cost ($/yr)", template="plotly_white")
    return fig.to_html(include_plotlyjs=True, full_html=True)


def write_plan(out: Path, summary: dict, count_table: list[dict] | None) -> Path:
    """plan.json, scenarios.csv, event_days.csv and count_table.csv, written to a temporary folder and renamed into place; an
    existing folder is replaced only if it holds an earlier plan."""
    out = Path(out)
    if out.exists():
        try:
            ok = json.loads((out / "plan.json").read_text()).get("kind") == "plan"
        except (OSError, ValueError, AttributeError):
            ok = not any(out.iterdir()) if out.is_dir() else False
        if not ok:
            raise OSError(f"{out} exists and is not an energyopt plan; refusing to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        summary, days = split(summary)   # the event days' steps go to event_days.csv, not plan.json
        if days is not None:
            days.to_csv(tmp / EVENT_DAYS, index=False)
        (tmp / "plan.json").write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
        pd.DataFrame(summary["scenarios"]).to_csv(tmp / "scenarios.csv", index=False)
        if count_table:
            pd.DataFrame(count_table).to_csv(tmp / "count_table.csv", index=False)
            (tmp / "count_table.html").write_text(count_chart(summary, count_table), encoding="utf-8")
        os.chmod(tmp, 0o777 & ~umask())
        swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
