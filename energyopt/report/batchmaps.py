"""The batch report's heatmaps over two swept axes (which cases have a schedule, and their objective) and the
short case labels every batch chart uses (the ids with the part all cases share removed; the full id on
hover)."""
from __future__ import annotations

import itertools
import math
import re

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .reader import BatchData

#: Characters a label may be cut at (a common prefix or suffix ends or starts at one of them).
SEPARATORS = "_-=/ ."
NO_SCHEDULE = "#C62828"


def short_labels(ids: list[str]) -> list[str]:
    """``ids`` with the prefix and suffix they all share removed (cut at a separator, so no value is split),
    and ``__`` shown as `` · ``; the ids themselves where that leaves an empty or a repeated label."""
    ids = [str(i) for i in ids]
    if len(ids) < 2:
        return ids
    pre = _cut(_common(ids), at_end=True)
    suf = _cut(_common([i[::-1] for i in ids])[::-1], at_end=False)
    out = []
    for i in ids:
        core = i[len(pre): len(i) - len(suf) if suf else None].strip(SEPARATORS)
        out.append(re.sub(r"_{2,}", " · ", core) if core else i)
    return out if len(set(out)) == len(out) else ids


def _common(xs: list[str]) -> str:
    n = 0
    for chars in zip(*xs):
        if len(set(chars)) != 1:
            break
        n += 1
    return xs[0][:n]


def _cut(common: str, at_end: bool) -> str:
    """The longest part of a common prefix (``at_end``) or suffix that ends (starts) at a separator."""
    if at_end:
        k = max((common.rfind(c) for c in SEPARATORS), default=-1)
        return common[: k + 1] if k >= 0 else ""
    k = min((p for p in (common.find(c) for c in SEPARATORS) if p >= 0), default=-1)
    return common[k:] if k >= 0 else ""


def _values(s: pd.Series) -> list:
    vals = s.dropna().unique().tolist()
    try:
        return sorted(vals, key=float)
    except (TypeError, ValueError):
        return sorted(vals, key=str)


def _text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def cells(data: BatchData, a: str, b: str) -> tuple[list, list, list[list], list[list], list[list], list[list]]:
    """For axes ``a`` (columns) and ``b`` (rows): their values, and per cell the share of its cases with a
    schedule, the mean objective of those (None if none), the cell's text and its hover text (every case's
    id and status). With more than two swept axes a cell holds one case per combination of the others."""
    t = data.table
    xs, ys = _values(t[a]), _values(t[b])
    share, obj, text, hover = [], [], [], []
    for y in ys:
        rs, ro, rt, rh = [], [], [], []
        for x in xs:
            c = t[(t[a] == x) & (t[b] == y)]
            ok = c["objective_usd"].notna()
            if c.empty:
                rs.append(None), ro.append(None), rt.append(""), rh.append("no case")
                continue
            rs.append(float(ok.mean()))
            ro.append(float(c.loc[ok, "objective_usd"].mean()) if ok.any() else None)
            if ok.all():
                rt.append(f"${ro[-1]:,.0f}" if len(c) == 1 else f"${ro[-1]:,.0f} (mean)")
            elif not ok.any():
                rt.append("✕ " + ("/".join(sorted(set(c["status"].astype(str)))) if len(c) == 1
                                  else f"none of {len(c)}"))
            else:
                rt.append(f"${ro[-1]:,.0f} ({int(ok.sum())} of {len(c)})")
            rh.append("<br>".join(f"{i}: {s}" + (f" ${o:,.2f}" if isinstance(o, float) and not math.isnan(o) else "")
                                  for i, s, o in zip(c["id"], c["status"], c["objective_usd"])))
        share.append(rs), obj.append(ro), text.append(rt), hover.append(rh)
    return [_text(x) for x in xs], [_text(y) for y in ys], share, obj, text, hover


def heatmap_figure(data: BatchData) -> go.Figure | None:
    """Per pair of swept axes, a row of two heatmaps: the share of cases with a schedule (red: none, green:
    all) and the objective (cells without a schedule are left grey and marked ✕ with their status). None
    with fewer than two swept axes."""
    axes = [c for c in data.swept if data.table[c].nunique(dropna=True) > 1] or data.swept
    if len(axes) < 2:
        return None
    pairs = list(itertools.combinations(axes, 2))
    n = len(pairs)
    titles = []
    for a, b in pairs:
        names = f"{b.removeprefix('swept.')} against {a.removeprefix('swept.')}"
        titles += [f"cases with a schedule: {names}", f"objective ($; ✕ no schedule): {names}"]
    fig = make_subplots(rows=n, cols=2, horizontal_spacing=0.16, vertical_spacing=0.3 / n if n > 1 else 0.1,
                        subplot_titles=titles)
    for r, (a, b) in enumerate(pairs, start=1):
        xs, ys, share, obj, text, hover = cells(data, a, b)
        top = 1 - (r - 1) / n
        fig.add_trace(go.Heatmap(x=xs, y=ys, z=share, zmin=0, zmax=1, text=text, texttemplate="%{text}",
                                 customdata=hover, colorscale=[[0, NO_SCHEDULE], [0.5, "#F6C141"], [1, "#2E7D32"]],
                                 colorbar=dict(title="share", x=0.42, y=top, yanchor="top", len=0.8 / n,
                                               tickformat=".0%"), xgap=2, ygap=2, name="cases with a schedule",
                                 hovertemplate="%{customdata}<extra></extra>"), row=r, col=1)
        fig.add_trace(go.Heatmap(x=xs, y=ys, z=obj, text=text, texttemplate="%{text}", customdata=hover,
                                 colorscale="Blues", colorbar=dict(title="$", x=1.0, y=top, yanchor="top", len=0.8 / n),
                                 xgap=2, ygap=2, name="objective",
                                 hovertemplate="%{customdata}<extra></extra>"), row=r, col=2)
        for col in (1, 2):
            fig.update_xaxes(title_text=a.removeprefix("swept."), type="category", row=r, col=col)
            fig.update_yaxes(title_text=b.removeprefix("swept."), type="category", row=r, col=col)
    fig.update_layout(template="plotly_white", height=100 + 380 * n, margin=dict(l=90, r=40, t=60, b=60),
                      plot_bgcolor="#e0e0e0")
    return fig
