"""The plan report's chart of each scenario's worst event day (event_days.csv, written by
results/plan_days.py): power by source stacked under the import cap, the load it serves, one panel per
scenario."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .timecharts import CAP, GENERATORS

#: Sources stacked from the bottom (fleet types come after the grid, from ``fleet.<type>.output_mw``).
SOURCES = (("grid_import_mw", "grid import", "#4C78A8"), ("site_gensets_mw", "site gensets", "#9D755D"),
           ("solar_mw", "solar", "#EECA3B"), ("battery_discharge_mw", "battery discharge", "#54A24B"))
LOADS = (("training_mw", "training", "#B279A2", "dot"), ("inference_served_mw", "inference served", "#FF9DA6", "dot"))

LOAD_COLUMNS = {c for c, *_ in LOADS}


def wall_clock(stamps: pd.Series) -> pd.Series:
    """ISO times as wall-clock times at the UTC offset of the first (evenly spaced across a daylight-saving
    change, as the result report draws them)."""
    utc = pd.to_datetime(stamps.astype(str), utc=True, format="ISO8601")
    first = pd.Timestamp(str(stamps.iloc[0]))
    offset = first.utcoffset() if first.tzinfo is not None else pd.Timedelta(0)
    return (utc.dt.tz_localize(None) + offset).reset_index(drop=True)


def fleet_columns(days: pd.DataFrame) -> list[str]:
    return [c for c in days.columns if c.startswith("fleet.") and c.endswith(".output_mw")]


def event_day_figure(days: pd.DataFrame | None, rules: dict | None = None) -> go.Figure | None:
    """One panel per scenario with an event day: the sources as stacked steps (their top is the facility
    load plus any battery charging, drawn below zero), the facility load as a black line, the import cap
    dashed red, training and inference served as dotted lines, inference shed in red on top."""
    if days is None or days.empty:
        return None
    names = list(dict.fromkeys(days["scenario"].astype(str)))
    fig = make_subplots(rows=len(names), cols=1, shared_xaxes=False, vertical_spacing=0.14 / max(len(names), 1),
                        subplot_titles=[f"{s}: {days.loc[days['scenario'].astype(str) == s, 'day'].iloc[0]}"
                                        + (f" (shortfall {rules[s]:,.1f} MWh)" if rules and s in rules else "")
                                        for s in names])
    fleet = fleet_columns(days)
    stack = [SOURCES[0]] + [(c, f"gensets {c[len('fleet.'):-len('.output_mw')]}", GENERATORS[k % len(GENERATORS)])
                            for k, c in enumerate(fleet)] + list(SOURCES[1:])
    shown: set[str] = set()
    for r, s in enumerate(names, start=1):
        d = days[days["scenario"].astype(str) == s]
        t = wall_clock(d["timestamp"])
        d = _with_end(d.reset_index(drop=True))   # the last step drawn to its end
        t = pd.concat([t, t.iloc[-1:] + pd.Timedelta(milliseconds=_step_ms(t))], ignore_index=True)
        for col, label, color in stack:
            y = d[col] if col in d else None
            if y is None or not (y.abs() > 1e-9).any():
                continue
            fig.add_trace(go.Scatter(x=t, y=y, name=label, legendgroup=label, showlegend=label not in shown,
                                     stackgroup=f"s{r}", line=dict(shape="hv", width=0.5, color=color),
                                     fillcolor=color, hovertemplate=label + ": %{y:.2f} MW<extra></extra>"),
                          row=r, col=1)
            shown.add(label)
        if "battery_charge_mw" in d and (d["battery_charge_mw"] > 1e-9).any():
            fig.add_trace(go.Scatter(x=t, y=-d["battery_charge_mw"], name="battery charge", legendgroup="charge",
                                     showlegend="charge" not in shown, fill="tozeroy",
                                     line=dict(shape="hv", width=0.5, color="#88D27A"),
                                     hovertemplate="battery charge: %{y:.2f} MW<extra></extra>"), row=r, col=1)
            shown.add("charge")
        lines = [("facility_load_mw", "facility load", "#222222", "solid", 2),
                 ("import_cap_mw", "import cap", CAP, "dash", 2)]
        lines += [(c, label, color, dash, 1.5) for c, label, color, dash in LOADS]
        for col, label, color, dash, width in lines:
            if col not in d or (col in LOAD_COLUMNS and not (d[col] > 1e-9).any()):
                continue
            fig.add_trace(go.Scatter(x=t, y=d[col], name=label, legendgroup=label, showlegend=label not in shown,
                                     mode="lines", line=dict(shape="hv", color=color, dash=dash, width=width),
                                     hovertemplate=label + ": %{y:.2f} MW<extra></extra>"), row=r, col=1)
            shown.add(label)
        if "inference_shed_mw" in d and (d["inference_shed_mw"] > 1e-9).any():
            b = d.iloc[:-1]
            fig.add_trace(go.Bar(x=t.iloc[:-1], y=b["inference_shed_mw"], base=b["facility_load_mw"], name="inference shed",
                                 legendgroup="shed", showlegend="shed" not in shown, marker_color="rgba(220,50,47,0.55)",
                                 offset=0, width=_step_ms(t), hovertemplate="shed: %{y:.2f} MW<extra></extra>"),
                          row=r, col=1)
            shown.add("shed")
        _shade_notices(fig, d.iloc[:-1], t.iloc[:-1], r)
        # the y range fits the load (an interconnection far above it would flatten the day); the cap is
        # drawn where it is lower and named on hover everywhere
        notice = d["notices"].astype(str) != ""
        top = max(float((d["facility_load_mw"] + d.get("inference_shed_mw", 0.0)).max()),
                  float(d.loc[notice, "import_cap_mw"].max()) if notice.any() else 0.0)
        low = -float(d["battery_charge_mw"].max()) if "battery_charge_mw" in d else 0.0
        fig.update_yaxes(title_text="MW", range=[min(low, 0.0) * 1.15, top * 1.3 if top > 0 else 1.0], row=r, col=1)
    fig.update_layout(template="plotly_white", height=140 + 330 * len(names), hovermode="x unified",
                      margin=dict(l=70, r=30, t=80, b=50),
                      legend=dict(orientation="h", yanchor="bottom", y=1 + 30 / (330 * len(names)), xanchor="left", x=0))
    return fig


def _with_end(d: pd.DataFrame) -> pd.DataFrame:
    """``d`` with its last row repeated, so that steps drawn as ``hv`` lines reach the end of the day."""
    return pd.concat([d, d.iloc[-1:]], ignore_index=True)


def _step_ms(t: pd.Series) -> float:
    d = t.diff().dropna()
    return d.iloc[0].total_seconds() * 1000 if len(d) else 3_600_000


def _shade_notices(fig: go.Figure, d: pd.DataFrame, t: pd.Series, row: int) -> None:
    """Shade the runs of steps some notice is in force, labelled with the notices' ids."""
    ids = d["notices"].fillna("").astype(str).tolist() if "notices" in d else []
    step = pd.Timedelta(milliseconds=_step_ms(t))
    k = 0
    while k < len(ids):
        if not ids[k]:
            k += 1
            continue
        e = k
        while e + 1 < len(ids) and ids[e + 1]:
            e += 1
        label = ", ".join(dict.fromkeys(x for v in ids[k:e + 1] for x in v.split(";") if x))
        fig.add_vrect(x0=t.iloc[k], x1=t.iloc[e] + step, fillcolor="rgba(214,39,40,0.08)", line_width=0,
                      annotation_text=label, annotation_position="top left", annotation_font_size=10,
                      row=row, col=1)
        k = e + 1
