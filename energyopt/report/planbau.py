"""The plan report's comparison with business as usual (cards and cost by term), its capex chart, and the flags
for unfinished training work and late jobs. Every key of plan.json read here is optional
(``business_as_usual``, ``lifecycle``, ``demand_response``, ``full_year_evaluation``, ``work_flags``: see
docs/plan.md): a plan without them gets the charts and flags its other figures allow."""
from __future__ import annotations

import math

import plotly.graph_objects as go

from .reader import PlanData, finite

DESIGN, BAU = "#4c78a8", "#bab0ac"


def money(x) -> str:
    v = finite(x)
    if v is None:
        return "-"
    return f"-${-v:,.0f}" if v < 0 else f"${v:,.0f}"


def term_name(key: str) -> str:
    """'energy' from 'cost.energy_usd_per_year' (or 'energy' itself)."""
    return key.removeprefix("cost.").removesuffix("_usd_per_year")


def design_terms(data: PlanData) -> dict[str, float]:
    """The design's operating cost by term, as ``annual_cost_usd.operations`` counts it: the mean over the
    scenarios (stochastic), or the worst scenario's (robust)."""
    rows = [r for r in data.plan.get("scenarios") or [] if isinstance(r, dict)]
    if not rows:
        return {}
    if data.plan.get("mode") == "robust":
        rows = [max(rows, key=lambda r: finite(r.get("opex_usd_per_year")) or -math.inf)]
    keys = list(dict.fromkeys(k for r in rows for k in r if k.startswith("cost.")))
    return {term_name(k): sum(finite(r.get(k)) or 0.0 for r in rows) / len(rows) for k in keys}


def capex_figure(data: PlanData) -> go.Figure | None:
    """Annualized capex and fixed O&M of each item, on an axis of their own."""
    items = {k: finite(v) or 0.0 for k, v in data.plan["annual_cost_usd"].get("capex_and_fixed_om", {}).items()}
    items = {k: v for k, v in items.items() if abs(v) > 0.005}
    if not items:
        return None
    fig = go.Figure(go.Bar(x=list(items), y=list(items.values()), marker_color=DESIGN, name="capex and fixed O&M",
                           text=[money(v) for v in items.values()], textposition="outside", cliponaxis=False,
                           hovertemplate="%{x}: $%{y:,.0f} a year<extra></extra>"))
    fig.update_layout(yaxis_title="$ per year", template="plotly_white", height=360, showlegend=False,
                      title=f"capex and fixed O&M {money(sum(items.values()))} a year",
                      margin=dict(l=80, r=30, t=50, b=60))
    return fig


def bau_figure(data: PlanData) -> go.Figure | None:
    """Cost by term, business as usual against the design: capex and fixed O&M, then each operating term."""
    bau = data.plan.get("business_as_usual")
    if not isinstance(bau, dict) or not isinstance(bau.get("annual_cost_usd"), dict):
        return None
    mine = design_terms(data)
    theirs = {term_name(k): finite(v) or 0.0 for k, v in (bau.get("cost_by_term_usd_per_year") or {}).items()}
    capex = sum(finite(v) or 0.0 for v in data.plan["annual_cost_usd"].get("capex_and_fixed_om", {}).values())
    bau_capex = sum(finite(v) or 0.0 for v in (bau["annual_cost_usd"].get("capex_and_fixed_om") or {}).values())
    terms = [t for t in dict.fromkeys([*mine, *theirs]) if abs(mine.get(t, 0.0)) > 0.005
             or abs(theirs.get(t, 0.0)) > 0.005]
    names = ["capex and fixed O&M"] + [t.replace("_", " ") for t in terms]
    fig = go.Figure()
    for label, vals, color in (("business as usual", [bau_capex] + [theirs.get(t, 0.0) for t in terms], BAU),
                               ("design", [capex] + [mine.get(t, 0.0) for t in terms], DESIGN)):
        fig.add_trace(go.Bar(x=names, y=vals, name=label, marker_color=color,
                             hovertemplate=label + " · %{x}: $%{y:,.0f} a year<extra></extra>"))
    fig.update_layout(barmode="group", yaxis_title="$ per year", template="plotly_white", height=400,
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
                      margin=dict(l=80, r=30, t=40, b=80))
    return fig


def bau_facts(data: PlanData) -> list[tuple[str, str]]:
    """Cards: both totals, the savings, upfront capex, NPV, payback, IRR, business as usual's missed notices,
    demand-response revenue and the full-year evaluation, each only when plan.json has it."""
    p = data.plan
    out: list[tuple[str, str]] = []
    bau = p.get("business_as_usual") if isinstance(p.get("business_as_usual"), dict) else None
    if bau is not None:
        total = (bau.get("annual_cost_usd") or {}).get("total")
        out.append(("business as usual per year", money(total)))
        saved = finite(total)
        if saved is not None:
            out.append(("design saves per year", money(saved - p["annual_cost_usd"]["total"])))
        rows = [r for r in bau.get("scenarios") or [] if isinstance(r, dict)]
        missed = sum(int(finite(r.get("notices_missed")) or 0) for r in rows)
        met = sum(int(finite(r.get("notices_met")) or 0) for r in rows)
        if rows:
            out.append(("business as usual: notices missed", f"{missed} of {missed + met}"))
        if bau.get("feasible") is False:
            out.append(("business as usual", "cannot meet every notice"))
    life = p.get("lifecycle") if isinstance(p.get("lifecycle"), dict) else None
    if life is not None:
        years, rate = finite(life.get("analysis_years")), finite(life.get("discount_rate"))
        out.append(("upfront capex", money(life.get("upfront_capex_usd"))))
        out.append((f"NPV over {years:g} yr at {rate:.1%}" if years is not None and rate is not None else "NPV",
                    money(life.get("npv_usd"))))
        pay = finite(life.get("simple_payback_years"))
        out.append(("simple payback", "never" if pay is None else f"{pay:.1f} years"))
        irr = finite(life.get("irr"))
        out.append(("IRR", "undefined" if irr is None else f"{irr:.1%}"))
    dr = p.get("demand_response") if isinstance(p.get("demand_response"), dict) else None
    if dr is not None:
        out.append(("demand response offered", f"{finite(dr.get('offered_mw')) or 0.0:,.1f} MW"))
        rev = (finite(dr.get("capacity_revenue_usd_per_year")) or 0.0) + (finite(dr.get("event_revenue_usd_per_year"))
                                                                          or 0.0)
        out.append(("demand response revenue per year", money(rev)))
        pen = finite(dr.get("missed_notice_penalty_usd_per_year"))
        if pen:
            out.append(("missed-notice penalty per year", money(pen)))
    fy = p.get("full_year_evaluation") if isinstance(p.get("full_year_evaluation"), dict) else None
    if fy is not None:
        total = (fy.get("annual_cost_usd") or {}).get("total") if isinstance(fy.get("annual_cost_usd"), dict) else None
        diff = finite(fy.get("difference_from_plan_fraction"))
        out.append(("full-year evaluation per year", money(total) + (f" ({diff:+.2%} vs plan)" if diff is not None
                                                                    else "")))
    return out


def flags(data: PlanData) -> list[str]:
    """One sentence per problem a planner must see: training left unfinished and late jobs (with the cause
    plan.json's ``work_flags`` names, or the permit hours a scenario used up), business as usual's missed
    notices, and the full-year evaluation's units that cannot keep their permits."""
    p = data.plan
    out = []
    named = [f for f in p.get("work_flags") or [] if isinstance(f, dict)]
    for f in named:
        kind = f.get("period_kind")
        where = ("over the whole horizon" if kind == "horizon" else "over the linked days of its window"
                 if kind == "linked" else f"on the {kind} day(s) {f.get('period')}")
        left = finite(f.get("unfinished_mwh_per_year")) or 0.0
        out.append(f"Scenario {f.get('scenario')}: job {f.get('job')} is late, {left:,.1f} MWh a year unfinished "
                   f"{where}. Likely cause: {f.get('cause')}.")
    flagged = {str(f.get("scenario")) for f in named}
    for r in [r for r in p.get("scenarios") or [] if isinstance(r, dict)]:
        left, late = finite(r.get("unfinished_mwh")) or 0.0, int(finite(r.get("jobs_late")) or 0)
        if (left > 1e-6 or late) and str(r.get("scenario")) not in flagged:
            out.append(f"Scenario {r.get('scenario')}: {left:,.1f} MWh of training a year left unfinished, "
                       f"{late} job(s) late. Likely cause: {_row_cause(r)}.")
    bau = p.get("business_as_usual") if isinstance(p.get("business_as_usual"), dict) else {}
    for r in [r for r in bau.get("scenarios") or [] if isinstance(r, dict)]:
        missed = int(finite(r.get("notices_missed")) or 0)
        if missed:
            out.append(f"Business as usual, scenario {r.get('scenario')}: {missed} notice(s) missed with the site as "
                       "it stands.")
    fy = p.get("full_year_evaluation") if isinstance(p.get("full_year_evaluation"), dict) else {}
    for u in [u for u in fy.get("per_unit") or [] if isinstance(u, dict)]:
        if u.get("feasible") is False:
            out.append(f"Full-year evaluation: {u.get('units')} unit(s) of {u.get('type')} cannot keep each unit's "
                       f"permit hours ({u.get('message') or 'see plan.json'}).")
    return out


def _row_cause(row: dict) -> str:
    """From a scenarios row alone: a genset type whose permit hours the scenario used up, or the window."""
    used = []
    for k, v in row.items():
        if k.endswith(".non_emergency_hours"):
            lim = finite(row.get(k + "_limit"))
            h = finite(v)
            if lim and h is not None and h >= lim * (1 - 1e-6):
                used.append(f"{k[: -len('.non_emergency_hours')]} ran {h:,.0f} of its {lim:,.0f} permitted hours")
    if used:
        return "permit hours exhausted (" + "; ".join(used) + ")"
    return "the power left in the jobs' windows under the notices (see the event-day chart)"
