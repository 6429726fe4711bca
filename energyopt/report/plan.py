"""The report of an ``energyopt plan`` result: sizes chosen, business as usual against the design (cards and
cost by term, when plan.json has them), the operating cost by term, capex on its own chart, each scenario's
worst event day, the total cost against each genset count (each re-optimized), per scenario the permit hours
used against their limits, flags for unfinished work and late jobs, and the scenarios table."""
from __future__ import annotations

import plotly.graph_objects as go

from .build import Chart
from .page import chart_html, document, e, facts_html
from .planbau import bau_facts, bau_figure, capex_figure, design_terms, flags, money
from .plandays import event_day_figure
from .reader import PlanData


def plan_charts(data: PlanData) -> list[Chart]:
    """The plan's charts in page order; a chart its plan.json or files cannot give is left out."""
    counts = _count_figure(data) if data.counts is not None and len(data.counts) else None
    parts = [
        ("plan_bau", "Business as usual against the design", "Cost a year by term: the site as it stands (no new "
         "equipment) on the same scenarios and periods, against the design (annualized capex and fixed O&M, then "
         "each operating term, mean over the scenarios).", bau_figure(data)),
        ("plan_cost", "Operating cost", "The operating cost a year by term (expected over the scenarios, or the "
         "worst one in robust mode); they sum to the operations of the total. Capex has a chart of its own "
         "below.", _cost_figure(data)),
        ("plan_capex", "Capex and fixed O&M", "Annualized capex (the capital recovery factor at the plan's "
         "discount rate over each item's life) and fixed O&M of each item.", capex_figure(data)),
        ("plan_event_days", "Worst event day of each scenario", "Power by source on each scenario's worst event "
         "day (the day with the largest notice shortfall: energy drawn or shed above the import cap), stacked as "
         "steps under the import cap (dashed red); the facility load in black, training and inference served "
         "dotted, inference shed in red on top; notices shaded. From event_days.csv.",
         event_day_figure(data.days, _shortfalls(data))),
        ("plan_counts", "Total cost against genset count", "Each type's count fixed in turn, every other size "
         "re-optimized; the star is the plan's choice. A flat curve means the optimum is not sensitive to the "
         "count.", counts),
        ("plan_hours", "Permit hours per scenario", "Hours each genset type runs in each scenario that count "
         "against its non-emergency permit (bars), against the limit for the units chosen (ticks).",
         _hours_figure(data))]
    return [Chart(k, title, caption, fig) for k, title, caption, fig in parts if fig is not None]


def _cost_figure(data: PlanData) -> go.Figure:
    c = data.plan["annual_cost_usd"]
    items = {k.replace("_", " "): v for k, v in design_terms(data).items() if abs(v) > 0.005}
    if not items:   # a plan.json without per-scenario terms: operations as one bar
        items = {"operations": c["operations"]}
    fig = go.Figure(go.Bar(x=list(items), y=list(items.values()), marker_color="#4c78a8",
                           text=[money(v) for v in items.values()], textposition="outside", cliponaxis=False,
                           hovertemplate="%{x}: $%{y:,.0f}<extra></extra>"))
    fig.update_layout(yaxis_title="$ per year", template="plotly_white", height=380,
                      title=f"operations {money(c['operations'])} a year, of a total {c['total']:,.0f}")
    return fig


def _shortfalls(data: PlanData) -> dict[str, float]:
    ev = data.plan.get("event_days")
    sc = ev.get("scenarios") if isinstance(ev, dict) else None
    return {str(s): float(v["notice_shortfall_mwh"]) for s, v in (sc or {}).items()
            if isinstance(v, dict) and isinstance(v.get("notice_shortfall_mwh"), (int, float))}


def _count_figure(data: PlanData) -> go.Figure:
    fig = go.Figure()
    t = data.counts
    for k in dict.fromkeys(t["type"]):
        rows = t[(t["type"] == k) & t["total_usd_per_year"].notna()]
        fig.add_trace(go.Scatter(x=rows["units"], y=rows["total_usd_per_year"], mode="lines+markers", name=k))
        best = rows[rows["optimum"].astype(bool)]
        if len(best):
            fig.add_trace(go.Scatter(x=best["units"], y=best["total_usd_per_year"], mode="markers", showlegend=False,
                                     marker={"size": 16, "symbol": "star", "color": "#e45756"}))
    fig.update_layout(xaxis_title="units of the type", yaxis_title="total cost ($ per year)", template="plotly_white",
                      height=380)
    return fig


def _hours_figure(data: PlanData) -> go.Figure | None:
    s = data.scenarios
    types = [c[: -len(".non_emergency_hours")] for c in s.columns if c.endswith(".non_emergency_hours")]
    if not types:
        return None
    fig = go.Figure()
    for k in types:
        fig.add_trace(go.Bar(x=s["scenario"], y=s[f"{k}.non_emergency_hours"], name=f"{k} hours"))
        lim = s.get(f"{k}.non_emergency_hours_limit")
        if lim is not None and lim.notna().any():
            fig.add_trace(go.Scatter(x=s["scenario"], y=lim, mode="markers", name=f"{k} limit",
                                     marker={"symbol": "line-ew", "size": 40, "line": {"width": 3}}))
    fig.update_layout(barmode="group", yaxis_title="unit-hours", template="plotly_white", height=380)
    return fig


def plan_page(data: PlanData, charts: list[Chart]) -> str:
    p = data.plan
    sizes = dict(p["sizes"].get("gensets", {}))
    sizes.update({k: round(v, 3) for k, v in p["sizes"].items() if k != "gensets"})
    header = (f"<h1>{e(p.get('plan', data.folder.name))} <span class=\"sub\">plan ({e(p.get('mode', ''))})</span>"
              f"<span class=\"badge ok\" id=\"status\">{e(p['status'])}</span></h1>"
              f"<div class=\"sub\">{e(data.folder)}</div><nav>"
              + "".join(f'<a href="#{e(c.key)}">{e(c.title)}</a>' for c in charts)
              + '<a href="#scenarios">scenarios</a></nav>')
    facts = [(k, str(v)) for k, v in sizes.items()]
    facts += [("total per year", f"${p['annual_cost_usd']['total']:,.0f}"),
              ("MIP gap", f"{(p.get('mip_gap') or 0):.2%}"), ("HiGHS time", f"{(p.get('solve_seconds') or 0):.1f} s")]
    periods = p.get("periods")
    counts = sorted(len(v) for v in (periods or {}).values())
    facts.append(("operations over", "every step of the horizon" if not counts else
                  f"representative days: {counts[0]}{'-' + str(counts[-1]) if counts[-1] != counts[0] else ''} "
                  "periods per scenario"))
    table = data.scenarios.to_html(index=False, float_format=lambda x: f"{x:,.2f}", border=0, table_id="scenario-table")
    body = [facts_html(facts)]
    cards = bau_facts(data)
    if cards:
        title = "Against business as usual" if isinstance(p.get("business_as_usual"), dict) else "The design in figures"
        body.append(f'<section id="bau-cards"><h2>{title}</h2>' + facts_html(cards) + "</section>")
    problems = flags(data)
    if problems:
        body.append('<section id="flags"><h2>Flags</h2>' + "".join(f'<p class="flag">{e(x)}</p>' for x in problems)
                    + "</section>")
    body += [chart_html(c) for c in charts]
    body.append('<section id="scenarios"><h2>Scenarios</h2><p class="cap">scenarios.csv (scroll sideways for '
                f'every column)</p><div class="tablewrap scenarios">{table}</div></section>')
    return document(f"energyopt plan report: {p.get('plan', '')}", header, "\n".join(body))
