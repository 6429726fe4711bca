"""The report's charts of what the plan decides and what it costs: training jobs as a Gantt chart, generator
run hours and NOx against their permits (and the ledger's windows), and the cost breakdown."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from .reader import ResultData, finite, local_time
from .timecharts import CAP, GENERATORS, col, shade_windows

EPS = 1e-6   # as energyopt.results.extract: a job runs in a step when its power exceeds this
SHADES = "Blues"
LIMIT_MARKER = dict(symbol="line-ew", size=44, line=dict(width=3, color=CAP), color=CAP)


def job_segments(data: ResultData, job: str) -> tuple[list[dict], list[dict], list]:
    """The job's runs (consecutive steps at the same power), its pauses (idle steps between its first and
    last run) and its restarts (the start of every run that follows a pause), from steps.csv."""
    p = col(data, f"job.{job}.power_mw")
    t = list(data.steps["t"])
    on = p > EPS
    runs, pauses, restarts = [], [], []
    k, n = 0, len(p)
    while k < n:
        e = k
        if on[k]:
            while e + 1 < n and on[e + 1] and abs(p[e + 1] - p[k]) <= EPS:
                e += 1
            runs.append({"start": t[k], "steps": e - k + 1, "mw": float(p[k])})
            if k > 0 and not on[k - 1] and np.any(on[:k]):
                restarts.append(t[k])
        else:
            while e + 1 < n and not on[e + 1]:
                e += 1
            if np.any(on[:k]) and np.any(on[e + 1:]):
                pauses.append({"start": t[k], "steps": e - k + 1})
        k = e + 1
    return runs, pauses, restarts


def training_figure(data: ResultData) -> go.Figure | None:
    jobs = data.ids("jobs")
    if not jobs:
        return None
    step_ms = data.step.total_seconds() * 1000
    info = data.summary["jobs"]
    bars = {"y": [], "base": [], "x": [], "share": [], "text": []}
    paused = {"y": [], "base": [], "x": [], "text": []}
    marks = {"restart": ([], [], []), "deadline": ([], [], []), "release": ([], [], [])}
    for j in jobs:
        runs, pauses, restarts = job_segments(data, j)
        peak = max((r["mw"] for r in runs), default=0.0) or 1.0
        for r in runs:
            end = r["start"] + r["steps"] * data.step
            bars["y"].append(j), bars["base"].append(r["start"]), bars["x"].append(r["steps"] * step_ms)
            bars["share"].append(r["mw"] / peak)
            bars["text"].append(f"{j}: {r['mw']:.2f} MW, {r['start']:%H:%M}-{end:%H:%M}")
        for q in pauses:
            end = q["start"] + q["steps"] * data.step
            paused["y"].append(j), paused["base"].append(q["start"]), paused["x"].append(q["steps"] * step_ms)
            paused["text"].append(f"{j}: paused {q['start']:%H:%M}-{end:%H:%M}")
        for t in restarts:
            _mark(marks["restart"], j, t, f"{j}: restarts at {t:%H:%M}")
        ji = info.get(j) if isinstance(info.get(j), dict) else {}
        dl = local_time(data, ji.get("deadline"))
        if dl is not None:
            left = finite(ji.get("unfinished_mwh")) or 0.0
            _mark(marks["deadline"], j, dl, f"{j}: deadline {dl:%m-%d %H:%M}"
                  + (f"; {left:.2f} MWh unfinished" if left > EPS else "; done"
                     + (f" at {local_time(data, ji.get('finish_time')):%H:%M}" if ji.get("finish_time") else "")))
        rel = local_time(data, ji.get("release"))
        if rel is not None:
            _mark(marks["release"], j, rel, f"{j}: released {rel:%m-%d %H:%M}")
    fig = go.Figure()
    # colours sampled here rather than numbers on a colorscale: plotly.js warns on the console about numeric
    # bar colours; the colour bar comes from an empty marker trace
    shades = sample_colorscale(SHADES, [_shade(v) for v in bars["share"]]) if bars["share"] else []
    scale = [[k / 10, c] for k, c in enumerate(sample_colorscale(SHADES, [_shade(k / 10) for k in range(11)]))]
    fig.add_trace(go.Bar(y=bars["y"], base=bars["base"], x=bars["x"], orientation="h", name="running",
                         width=0.6, hovertext=bars["text"], hoverinfo="text",
                         marker=dict(color=shades, line=dict(width=0.5, color="#1f3b5a"))))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip",
                             marker=dict(color=[0], cmin=0, cmax=1, colorscale=scale, showscale=True,
                                         colorbar=dict(title="share of the job's<br>peak power", len=0.8,
                                                       x=1.02, xanchor="left", tickformat=".0%"))))
    fig.add_trace(go.Bar(y=paused["y"], base=paused["base"], x=paused["x"], orientation="h", name="paused",
                         width=0.25, hovertext=paused["text"], hoverinfo="text",
                         marker=dict(color="rgba(150,150,150,0.5)", pattern=dict(shape="/"))))
    styles = {"restart": dict(symbol="triangle-right", size=13, color="#F58518", line=dict(width=1, color="#333")),
              "deadline": dict(symbol="line-ns", size=30, line=dict(width=3, color=CAP), color=CAP),
              "release": dict(symbol="line-ns", size=30, line=dict(width=3, color="#54A24B"), color="#54A24B")}
    for name, (ys, xs, texts) in marks.items():
        if ys:
            fig.add_trace(go.Scatter(y=ys, x=xs, mode="markers", name=name, marker=styles[name],
                                     hovertext=texts, hoverinfo="text"))
    lo, hi = data.steps["t"].iloc[0], data.steps["t"].iloc[-1] + data.step
    fig.update_layout(barmode="overlay", height=max(260, 60 + 46 * len(jobs)), template="plotly_white",
                      margin=dict(l=70, r=110, t=30, b=50), hovermode="closest",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
                      xaxis=dict(type="date", title=f"time ({data.tz_label})",
                                 range=[lo - (hi - lo) * 0.01, hi + (hi - lo) * 0.02]),
                      yaxis=dict(title="training job", autorange="reversed", type="category",
                                 categoryorder="array", categoryarray=jobs))
    shade_windows(fig, data, label=False)
    return fig


def _shade(share: float) -> float:
    """Where on the colour scale a run at ``share`` of its peak sits (the palest 15% is left out, so even a
    slow run stays visible)."""
    return 0.15 + 0.85 * min(max(share, 0.0), 1.0)


def _mark(store, y, x, text) -> None:
    store[0].append(y), store[1].append(x), store[2].append(text)


def permits_figure(data: ResultData) -> go.Figure | None:
    """Run hours and NOx of each generator in this plan against what its permit leaves; then every ledger
    window the plan draws on (``permit_budgets``), one panel per metric, as horizontal bars: used before
    plus this plan against the window's limit."""
    gens = data.summary.get("generator_run_hours") or {}
    budgets = [b for b in data.summary.get("permit_budgets") or [] if isinstance(b, dict)]
    if not gens and not budgets:
        return None
    metrics = list(dict.fromkeys(str(b.get("metric", "?")) for b in budgets))
    by_metric = {m: [b for b in budgets if str(b.get("metric", "?")) == m] for m in metrics}
    heights = [300] + [70 + 44 * len(by_metric[m]) for m in metrics]
    gap = 90
    total = sum(heights) + gap * (len(heights) - 1)
    titles = ["generator run hours in this plan", "generator NOx in this plan"]
    titles += [f"permit ledger windows: {m.replace('_', ' ')} (used before + this plan, against the limit)"
               for m in metrics]
    specs = [[{}, {}]] + [[{"colspan": 2}, None] for _ in metrics]
    fig = make_subplots(rows=len(heights), cols=2, specs=specs, subplot_titles=titles,
                        row_heights=[h / sum(heights) for h in heights], vertical_spacing=gap / total,
                        horizontal_spacing=0.12)
    ids = list(gens)
    colors = [GENERATORS[k % len(GENERATORS)] for k in range(len(ids))]
    hours = [finite(gens[g].get("hours")) or 0.0 for g in ids]
    fig.add_trace(go.Bar(x=ids, y=hours, name="run hours", marker_color=colors, showlegend=False,
                         text=[f"{h:g} h" for h in hours], textposition="outside", cliponaxis=False,
                         hovertemplate="%{x}: %{y:.2f} h<extra></extra>"), row=1, col=1)
    _limits(fig, ids, [finite(gens[g].get("limit_hours")) for g in ids], "h", "permit hours left", 1, 1, True)
    nox = [finite(gens[g].get("nox_kg")) or 0.0 for g in ids]
    fig.add_trace(go.Bar(x=ids, y=nox, name="NOx", marker_color=colors, showlegend=False,
                         text=[f"{v:.1f} kg" for v in nox], textposition="outside", cliponaxis=False,
                         hovertemplate="%{x}: %{y:.2f} kg NOx<extra></extra>"), row=1, col=2)
    _limits(fig, ids, [finite(gens[g].get("nox_cap_kg")) for g in ids], "kg", "NOx cap", 1, 2, True)
    fig.update_yaxes(title_text="hours", row=1, col=1, rangemode="tozero")
    fig.update_yaxes(title_text="kg NOx", row=1, col=2, rangemode="tozero")
    for r, m in enumerate(metrics, start=2):
        sel = by_metric[m]
        labels = [window_label(b) for b in sel]
        before = [finite(b.get("used_before")) or 0.0 for b in sel]
        plan = [finite(b.get("plan_uses")) or 0.0 for b in sel]
        limits = [finite(b.get("limit")) for b in sel]
        fig.add_trace(go.Bar(y=labels, x=before, orientation="h", name="used before this plan",
                             marker_color="#BAB0AC", legendgroup="before", showlegend=r == 2,
                             hovertemplate="%{y}<br>used before: %{x:.2f}<extra></extra>"), row=r, col=1)
        fig.add_trace(go.Bar(y=labels, x=plan, orientation="h", name="this plan", marker_color="#F58518",
                             legendgroup="plan", showlegend=r == 2, text=[_used(b, p, lim) for b, p, lim in
                                                                          zip(before, plan, limits)],
                             textposition="outside", cliponaxis=False,
                             hovertemplate="%{y}<br>this plan: %{x:.2f}<extra></extra>"), row=r, col=1)
        pts = [(lab, v) for lab, v in zip(labels, limits) if v is not None]
        if pts:
            fig.add_trace(go.Scatter(y=[p[0] for p in pts], x=[p[1] for p in pts], mode="markers",
                                     name="window limit", showlegend=r == 2,
                                     marker=dict(symbol="line-ns", size=30, line=dict(width=3, color=CAP), color=CAP),
                                     hovertemplate="%{y}<br>limit %{x:.2f}<extra></extra>"), row=r, col=1)
        fig.update_xaxes(title_text=m.replace("_", " "), row=r, col=1, rangemode="tozero")
        fig.update_yaxes(autorange="reversed", row=r, col=1)
    fig.update_layout(barmode="stack", template="plotly_white", height=total + 110,
                      margin=dict(l=70, r=60, t=90, b=50), hovermode="closest",
                      legend=dict(orientation="h", yanchor="bottom", y=1 + 40 / total, xanchor="left", x=0))
    return fig


def _used(before: float, plan: float, limit: float | None) -> str:
    return f"{before + plan:.4g} of {limit:.4g}" if limit else f"{before + plan:.4g}"


def window_label(b: dict) -> str:
    """'G1 · testing and non emergency<br>calendar year 2025-01-01..2025-12-31' from a ledger window."""
    parts = str(b.get("window", "")).split(" ", 1)
    kind = parts[0].split(":")
    period = kind[0].replace("_", " ") if kind and kind[0] else ""
    applies = kind[1].replace("_", " ") if len(kind) > 1 else ""
    rng = parts[1] if len(parts) > 1 else ""
    first = " · ".join(x for x in (str(b.get("unit_id", "")), applies) if x)
    return first + (f"<br>{period} {rng}".rstrip() if period or rng else "")


def _limits(fig, xs, limits, unit, name, row, col_, legend) -> None:
    """The limits as red ticks across the bars (those that have one)."""
    pts = [(x, v) for x, v in zip(xs, limits) if v is not None]
    if pts:
        fig.add_trace(go.Scatter(x=[p[0] for p in pts], y=[p[1] for p in pts], mode="markers", name=name,
                                 marker=LIMIT_MARKER, showlegend=legend,
                                 hovertemplate="%{x}: " + name + " %{y:.2f} " + unit + "<extra></extra>"),
                      row=row, col=col_)


def cost_figure(data: ResultData) -> go.Figure:
    """The objective's nonzero terms as bars (all terms, zeros too, are in the page's table)."""
    terms = {k: finite(v) or 0.0 for k, v in (data.summary.get("cost_breakdown_usd") or {}).items()}
    items = sorted(((k, v) for k, v in terms.items() if abs(v) >= 0.005), key=lambda kv: kv[1])
    names = [k.replace("_", " ") for k, _ in items]
    vals = [v for _, v in items]
    fig = go.Figure(go.Bar(x=vals, y=names, orientation="h", marker_color=["#4C78A8" if v >= 0 else "#54A24B"
                                                                          for v in vals],
                           text=[f"${v:,.0f}" for v in vals], textposition="outside", cliponaxis=False,
                           hovertemplate="%{y}: $%{x:,.2f}<extra></extra>", name="cost"))
    fig.update_layout(height=max(240, 60 + 34 * len(vals)), template="plotly_white",
                      margin=dict(l=140, r=90, t=20, b=50), xaxis=dict(title="$", rangemode="tozero"),
                      showlegend=False)
    return fig
