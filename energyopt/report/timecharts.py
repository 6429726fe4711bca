"""The report's charts over time for one result: facility power by source (with price, import cap and
curtailment windows), inference served and shed against demand, and cooling against its capacity.

Every series is drawn as a step function (``line_shape="hv"``) over the step starts plus the horizon's end,
so a step's value holds for the whole step as it does in the model."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..registry import columns
from .reader import ResultData, local_time

GRID = "#4C78A8"
GENERATORS = ["#E45756", "#F58518", "#B279A2", "#9D755D", "#FF9DA6", "#EECA3B", "#D67195", "#BAB0AC"]
BATTERY = "#54A24B"
#: Colours of each component's series in the power chart (a component not named here takes OTHERS in turn).
COMPONENT_COLOURS = {"grid": [GRID], "generators": GENERATORS, "battery": [BATTERY]}
OTHERS = ["#EECA3B", "#72B7B2", "#FF9DA6", "#9D755D", "#BAB0AC"]
PRICE = "#E5A800"
CAP = "#D62728"
LOAD = "#222222"
SERVICES = ["#4C78A8", "#72B7B2", "#54A24B", "#B279A2", "#9D755D", "#F58518"]
SHED = ["#E45756", "#FF9DA6", "#D62728", "#F58518", "#EECA3B", "#9D755D"]
NOTICE_FILL = "rgba(214, 39, 40, 0.10)"
FIXED_FILL = "rgba(120, 120, 120, 0.12)"


def edges(data: ResultData) -> list:
    """Step starts and the horizon's end (one more point than steps), as naive wall-clock times."""
    t = list(data.steps["t"])
    return t + [t[-1] + data.step]


def hv(values) -> np.ndarray:
    """A step series extended by its last value, to pair with :func:`edges`."""
    v = np.asarray(values, dtype=float)
    return np.append(v, v[-1])


def col(data: ResultData, name: str, default: float = 0.0) -> np.ndarray:
    if name in data.steps.columns:
        return data.steps[name].to_numpy(dtype=float)
    return np.full(len(data.steps), default)


def base_layout(fig: go.Figure, data: ResultData, ytitle: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        height=height, margin=dict(l=70, r=70, t=30, b=50), hovermode="x unified", template="plotly_white",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        xaxis=dict(title=f"time ({data.tz_label})", type="date"), yaxis=dict(title=ytitle))
    return fig


def shade_windows(fig: go.Figure, data: ResultData, label: bool = True) -> None:
    """Each curtailment notice's window shaded red; a re-plan's kept steps shaded grey with "now" drawn."""
    lo, hi = data.steps["t"].iloc[0], data.steps["t"].iloc[-1] + data.step
    for n in data.summary.get("curtailment") or []:
        if not isinstance(n, dict):
            continue
        a, b = local_time(data, n.get("start")), local_time(data, n.get("end"))
        if a is None or b is None:
            continue
        a, b = max(a, lo), min(b, hi)
        if a >= b:
            continue
        text = f"notice {n.get('id', '')}" + (f" (cap {n['cap_mw']:.1f} MW)" if _num(n.get("cap_mw")) else "")
        note = dict(annotation_text=text, annotation_position="top left", annotation_font_size=11,
                    annotation_font_color=CAP) if label else {}
        fig.add_vrect(x0=a, x1=b, fillcolor=NOTICE_FILL, line_width=0, layer="below", **note)
    rp = data.summary.get("replan")
    if isinstance(rp, dict):
        until = local_time(data, rp.get("fixed_until"))
        now = local_time(data, rp.get("now"))
        if until is not None and until > lo:
            note = dict(annotation_text="kept (before now)", annotation_position="bottom left",
                        annotation_font_size=11) if label else {}
            fig.add_vrect(x0=lo, x1=min(until, hi), fillcolor=FIXED_FILL, line_width=0, layer="below", **note)
        if now is not None and lo <= now <= hi:
            note = dict(annotation_text="now", annotation_position="top right") if label else {}
            fig.add_vline(x=now, line_dash="dot", line_color="#555555", **note)


def _num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and np.isfinite(x)


def chart_series(data: ResultData, kind: str) -> list[tuple[str, np.ndarray, str]]:
    """(legend, MW per step, colour) of every column the components declare for the power chart as ``kind``
    ("supply": stacked sources; "draw": drawn below zero), in registry order, for the ids the result holds."""
    out, others = [], iter(OTHERS * 10)
    for c, column in columns():
        if column.chart != kind:
            continue
        if "{id}" in column.name:
            head, tail = column.name.split("{id}")
            ids = [n[len(head):len(n) - len(tail)] for n in data.steps.columns
                   if n.startswith(head) and n.endswith(tail) and len(n) > len(head) + len(tail)]
        else:
            ids = [None] if column.name in data.steps.columns else []
        palette = COMPONENT_COLOURS.get(c.name)
        for k, i in enumerate(ids):
            name = column.name if i is None else column.name.format(id=i)
            colour = palette[k % len(palette)] if palette else next(others)
            out.append((column.label.format(id=i), col(data, name), colour))
    return out


def power_sources(data: ResultData) -> list[tuple[str, np.ndarray, str]]:
    """(name, MW per step, colour) of every supply: grid, each generator, battery discharge, ... (the
    columns components declare with ``chart="supply"``). Their sum minus what is drawn (battery charging) is
    the facility load (the model's power balance)."""
    return chart_series(data, "supply")


def power_figure(data: ResultData) -> go.Figure:
    x = edges(data)
    fig = go.Figure()
    for name, mw, color in power_sources(data):
        fig.add_trace(go.Scatter(x=x, y=hv(mw), name=name, stackgroup="supply", line_shape="hv",
                                 line=dict(width=0.5, color=color), fillcolor=color, mode="lines",
                                 hovertemplate="%{y:.2f} MW"))
    for name, mw, color in chart_series(data, "draw"):
        fig.add_trace(go.Scatter(x=x, y=hv(-mw), name=name, stackgroup="charge", line_shape="hv", mode="lines",
                                 line=dict(width=0.5, color=color), fillcolor=color, opacity=0.35,
                                 hovertemplate="%{y:.2f} MW"))
    fig.add_trace(go.Scatter(x=x, y=hv(col(data, "facility_load_mw")), name="facility load", mode="lines",
                             line_shape="hv", line=dict(color=LOAD, width=1.5), hovertemplate="%{y:.2f} MW"))
    fig.add_trace(go.Scatter(x=x, y=hv(col(data, "import_cap_mw")), name="import cap", mode="lines",
                             line_shape="hv", line=dict(color=CAP, width=2, dash="dash"),
                             hovertemplate="%{y:.2f} MW"))
    fig.add_trace(go.Scatter(x=x, y=hv(col(data, "price_usd_per_mwh")), name="price", mode="lines",
                             line_shape="hv", line=dict(color=PRICE, width=2, dash="dot"), yaxis="y2",
                             hovertemplate="$%{y:,.2f}/MWh"))
    base_layout(fig, data, "MW", height=460)
    fig.update_layout(yaxis2=dict(title="price ($/MWh)", overlaying="y", side="right", showgrid=False,
                                  zeroline=False, tickmode="auto"))
    shade_windows(fig, data)
    return fig


def inference_figure(data: ResultData) -> go.Figure | None:
    """Served and shed power of every service, stacked: the top of the stack is total demand."""
    services = data.ids("inference")
    if not services:
        return None
    x = edges(data)
    fig = go.Figure()
    for k, s in enumerate(services):
        c = SERVICES[k % len(SERVICES)]
        fig.add_trace(go.Scatter(x=x, y=hv(col(data, f"inference.{s}.served_mw")), name=f"{s} served",
                                 stackgroup="inference", line_shape="hv", mode="lines",
                                 line=dict(width=0.5, color=c), fillcolor=c, hovertemplate="%{y:.2f} MW"))
    for k, s in enumerate(services):
        c = SHED[k % len(SHED)]
        fig.add_trace(go.Scatter(x=x, y=hv(col(data, f"inference.{s}.shed_mw")), name=f"{s} shed",
                                 stackgroup="inference", line_shape="hv", mode="lines",
                                 line=dict(width=0.5, color=c), fillcolor=c, hovertemplate="%{y:.2f} MW"))
    demand = sum(col(data, f"inference.{s}.demand_mw") for s in services)
    fig.add_trace(go.Scatter(x=x, y=hv(demand), name="demand (all services)", mode="lines", line_shape="hv",
                             line=dict(color=LOAD, width=1.5, dash="dash"), hovertemplate="%{y:.2f} MW"))
    base_layout(fig, data, "MW", height=380)
    shade_windows(fig, data, label=False)
    return fig


def cooling_figure(data: ResultData) -> go.Figure | None:
    """Heat to remove (IT load) against the chillers' capacity, chiller output and chilled-water storage,
    with the outdoor temperature that derates the chillers."""
    if "cooling_capacity_mw_th" not in data.steps.columns:
        return None
    x = edges(data)
    fig = go.Figure()
    chill = col(data, "cooling_chill_mw_th", np.nan)
    charge = col(data, "thermal_storage.charge_mw_th")
    discharge = col(data, "thermal_storage.discharge_mw_th")
    if "cooling_chill_mw_th" in data.steps.columns:
        # heat balance: chillers = IT load + storage charging - storage discharge, so chillers less charging
        # plus discharge is the IT load, and charging stacks above it up to the chillers' output
        fig.add_trace(go.Scatter(x=x, y=hv(chill - charge), name="chillers (cooling the IT load)", mode="lines",
                                 stackgroup="heat", line_shape="hv", line=dict(width=0.5, color="#72B7B2"),
                                 fillcolor="rgba(114, 183, 178, 0.65)", hovertemplate="%{y:.2f} MWth"))
    if "thermal_storage.discharge_mw_th" in data.steps.columns:
        fig.add_trace(go.Scatter(x=x, y=hv(discharge), mode="lines", name="chilled-water storage discharge",
                                 stackgroup="heat", line_shape="hv", line=dict(width=0.5, color="#4C78A8"),
                                 fillcolor="rgba(76, 120, 168, 0.65)", hovertemplate="%{y:.2f} MWth"))
        fig.add_trace(go.Scatter(x=x, y=hv(charge), mode="lines", name="chillers charging the storage",
                                 stackgroup="heat", line_shape="hv", line=dict(width=0.5, color="#9ecae9"),
                                 fillcolor="rgba(158, 202, 233, 0.55)", hovertemplate="%{y:.2f} MWth"))
    fig.add_trace(go.Scatter(x=x, y=hv(col(data, "it_load_mw")), name="IT load (heat to remove)", mode="lines",
                             line_shape="hv", line=dict(color=LOAD, width=2), hovertemplate="%{y:.2f} MW"))
    fig.add_trace(go.Scatter(x=x, y=hv(col(data, "cooling_capacity_mw_th")), name="cooling capacity",
                             mode="lines", line_shape="hv", line=dict(color=CAP, width=2, dash="dash"),
                             hovertemplate="%{y:.2f} MWth"))
    if "outdoor_temp_c" in data.steps.columns:
        fig.add_trace(go.Scatter(x=x, y=hv(col(data, "outdoor_temp_c")), name="outdoor temperature",
                                 mode="lines", line_shape="hv", yaxis="y2",
                                 line=dict(color="#F58518", width=1.5, dash="dot"), hovertemplate="%{y:.1f} °C"))
    base_layout(fig, data, "MW (thermal)", height=400)
    fig.update_layout(yaxis2=dict(title="outdoor temperature (°C)", overlaying="y", side="right",
                                  showgrid=False, zeroline=False, tickmode="auto"))
    shade_windows(fig, data, label=False)
    return fig
