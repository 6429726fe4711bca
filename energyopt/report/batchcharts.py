"""The report of a batch: the objective against each swept parameter, and the summary table as a sortable
HTML table (sorted in the page by clicking a column's header; the script is in page.py)."""
from __future__ import annotations

import html
import math
import numbers
import os
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .batchmaps import NO_SCHEDULE, short_labels
from .reader import BatchData

OK_STATUS = "optimal"
#: How the cases without a schedule are drawn on every chart (at the foot of the panel: they have no objective).
NO_SCHEDULE_MARKER = dict(symbol="square-x-open", size=11, color=NO_SCHEDULE, line=dict(width=2, color=NO_SCHEDULE))


def objective_figure(data: BatchData) -> go.Figure:
    """One panel per swept axis: every case's objective at its value of that axis (optimal as dots, others
    with a schedule as crosses), and the mean over the other axes as a line; cases without a schedule as red
    crossed squares at the foot of the panel. Without sweeps (instance files), one bar per case, labelled
    short (:func:`short_labels`; the full id on hover), a case without a schedule as a red mark at zero."""
    t = data.table
    has_obj = t["objective_usd"].notna()
    missing = t.loc[~has_obj, "id"].astype(str).tolist()
    if not data.swept:
        label = dict(zip(t["id"].astype(str), short_labels(t["id"].astype(str).tolist())))
        ids = t["id"].astype(str)
        fig = go.Figure(go.Bar(x=ids[has_obj].map(label), y=t.loc[has_obj, "objective_usd"],
                               marker_color=["#4C78A8" if s == OK_STATUS else "#F58518"
                                             for s in t.loc[has_obj, "status"]],
                               customdata=t.loc[has_obj, ["id", "status"]].astype(str).to_numpy(), name="objective",
                               hovertemplate="%{customdata[0]}<br>$%{y:,.2f} (%{customdata[1]})<extra></extra>"))
        if missing:
            fig.add_trace(go.Scatter(x=ids[~has_obj].map(label), y=[0.0] * len(missing), mode="markers+text",
                                     marker=NO_SCHEDULE_MARKER, text=t.loc[~has_obj, "status"].astype(str),
                                     textposition="top center", name="no schedule",
                                     customdata=t.loc[~has_obj, ["id", "status"]].astype(str).to_numpy(),
                                     hovertemplate="%{customdata[0]}<br>no schedule (%{customdata[1]})"
                                                   "<extra></extra>"))
        fig.update_layout(xaxis_title="case", yaxis_title="objective ($)", template="plotly_white",
                          height=420, margin=dict(l=80, r=30, t=40, b=120), showlegend=False,
                          xaxis=dict(type="category", categoryorder="array", categoryarray=ids.map(label).tolist()))
        _note_missing(fig, missing)
        return fig
    n = len(data.swept)
    cols = 1 if n == 1 else 2
    rows = math.ceil(n / cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[axis_name(c) for c in data.swept],
                        vertical_spacing=0.3 / rows if rows > 1 else 0.1, horizontal_spacing=0.1)
    for k, c in enumerate(data.swept):
        r, cc = k // cols + 1, k % cols + 1
        sel = t[has_obj]
        x = sel[c]
        numeric = pd.api.types.is_numeric_dtype(x)
        for status, symbol, color in ((True, "circle", "#4C78A8"), (False, "x", "#F58518")):
            part = sel[(sel["status"] == OK_STATUS) == status]
            if part.empty:
                continue
            fig.add_trace(go.Scatter(
                x=part[c] if numeric else part[c].astype(str), y=part["objective_usd"], mode="markers",
                name="optimal" if status else "not optimal (best found)", legendgroup=str(status),
                showlegend=k == 0, marker=dict(symbol=symbol, size=9, color=color, opacity=0.8),
                customdata=part[["id", "status"]].astype(str).to_numpy(),
                hovertemplate="%{customdata[0]}<br>%{x}: $%{y:,.2f} (%{customdata[1]})<extra></extra>"),
                row=r, col=cc)
        gone = t[~has_obj]
        if not gone.empty:
            foot = float(sel["objective_usd"].min()) if not sel.empty else 0.0
            fig.add_trace(go.Scatter(
                x=gone[c] if numeric else gone[c].astype(str), y=[foot] * len(gone), mode="markers",
                name="no schedule (drawn at the foot)", legendgroup="none", showlegend=k == 0,
                marker=NO_SCHEDULE_MARKER, customdata=gone[["id", "status"]].astype(str).to_numpy(),
                hovertemplate="%{customdata[0]}<br>%{x}: no schedule (%{customdata[1]})<extra></extra>"),
                row=r, col=cc)
        if not sel.empty:
            mean = sel.groupby(c, sort=True)["objective_usd"].mean()
            fig.add_trace(go.Scatter(x=mean.index if numeric else mean.index.astype(str), y=mean.to_numpy(),
                                     mode="lines", name="mean over the other axes" if n > 1 else "trend",
                                     legendgroup="mean",
                                     showlegend=k == 0, line=dict(color="#888888", dash="dot"),
                                     hovertemplate="mean $%{y:,.2f}<extra></extra>"), row=r, col=cc)
        values = sorted(t[c].dropna().unique()) if numeric else []
        if numeric and 0 < len(values) <= 12:   # ticks at the swept values only (2 gensets, not 1.8)
            fig.update_xaxes(tickmode="array", tickvals=values, row=r, col=cc)
        fig.update_xaxes(title_text=axis_name(c), row=r, col=cc)
        fig.update_yaxes(title_text="objective ($)", row=r, col=cc)
    fig.update_layout(template="plotly_white", height=120 + 330 * rows, margin=dict(l=80, r=30, t=60, b=60),
                      legend=dict(orientation="h", yanchor="bottom", y=1.06, xanchor="left", x=0))
    _note_missing(fig, missing)
    return fig


def axis_name(column: str) -> str:
    return column.removeprefix("swept.")


def _note_missing(fig: go.Figure, missing: list[str]) -> None:
    if missing:
        fig.add_annotation(text=f"{len(missing)} case(s) without a schedule: red crossed squares (see the table)",
                           xref="paper", yref="paper", x=1, y=-0.02, xanchor="right", yanchor="top",
                           showarrow=False, font=dict(size=11, color="#a33"), yshift=-40)


def table_html(data: BatchData, out_file: Path) -> str:
    """The summary table: every column; ids link to their case folder's summary.json (relative to the
    report, so the link works where the report is written); a header click sorts (page.py's script)."""
    t = data.table
    cols = [c for c in t.columns if c != "input_hash"]
    head = "".join(f'<th title="sort by {html.escape(c)}">{html.escape(c)}</th>' for c in cols)
    body = []
    for _, row in t.iterrows():
        cells = []
        for c in cols:
            v = row[c]
            if c == "id":
                target = data.folder / "cases" / str(v) / "summary.json"
                href = os.path.relpath(target.resolve(), out_file.resolve().parent)
                cells.append(f'<td data-v="{html.escape(str(v))}"><a href="{html.escape(href)}">'
                             f"{html.escape(str(v))}</a></td>")
                continue
            cells.append(_cell(c, v))
        cls = "" if row.get("status") == OK_STATUS else ' class="notok"'
        body.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
    return ('<div class="tablewrap"><table class="sortable" id="batch-table"><thead><tr>' + head
            + "</tr></thead><tbody>" + "\n".join(body) + "</tbody></table></div>")


def _cell(column: str, v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return '<td data-v="" class="na"></td>'
    if isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)):
        if isinstance(v, numbers.Integral):
            shown = str(int(v))
        else:
            shown = f"{v:,.2f}" if column.endswith("_usd") else f"{float(v):.4g}"
        return f'<td class="num" data-v="{float(v)!r}">{html.escape(shown)}</td>'
    text = str(v)
    short = text if len(text) <= 120 else text[:117] + "..."
    return f'<td data-v="{html.escape(text)}" title="{html.escape(text)}">{html.escape(short)}</td>'
