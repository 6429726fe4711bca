"""Which charts a report holds, with their titles and captions (the keys are also the PNG file names and
the page's ``data-chart`` names)."""
from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from .reader import BatchData, ResultData

#: Every chart of a result with a schedule, in page order (those a result lacks are named in the page).
RESULT_CHARTS = ("power", "training", "inference", "cooling", "permits", "cost")
BATCH_CHARTS = ("objective", "heatmap")   #: the heatmap only with two swept axes or more


@dataclass
class Chart:
    key: str
    title: str
    caption: str          # HTML (static text of this module only)
    figure: go.Figure


def result_charts(data: ResultData) -> tuple[list[Chart], list[str]]:
    """The charts of a result and, for each chart it cannot have, a sentence why."""
    from .plancharts import cost_figure, permits_figure, training_figure
    from .timecharts import cooling_figure, inference_figure, power_figure
    if not data.has_schedule:
        return [], []
    charts = [Chart("power", "Facility power by source",
                    "Grid import, each generator and battery discharge, stacked: their top is the facility load "
                    "(black) plus any battery charging, which is drawn below zero. The dashed red line is the grid "
                    "import cap; "
                    "curtailment windows are shaded red; the price (right axis) is dotted."
                    + (" A re-plan's kept steps (before &ldquo;now&rdquo;) are shaded grey."
                       if data.kind == "replan" else ""), power_figure(data))]
    notes = []
    parts = [("training", "Training jobs", "Each job's runs, shaded by power as a share of the job's highest "
              "power in this plan; grey hatched bars are pauses, orange triangles restarts, red ticks deadlines "
              "(hover for the finish time and any unfinished work).", training_figure,
              "no training jobs in this result"),
             ("inference", "Inference served and shed", "Served power of every service, with what is shed "
              "stacked on top in red: the top of the stack is demand (dashed).", inference_figure,
              "no inference services in this result"),
             ("cooling", "Cooling", "Heat to remove (the IT load) against what the chillers can remove (dashed "
              "red, derated in hot weather) and what they and the chilled-water storage do remove; outdoor "
              "temperature on the right axis.", cooling_figure, "no cooling plant in this result (cooling is "
              "inside the overhead)"),
             ("permits", "Generator permits", "Run hours and NOx of each generator in this plan against what its "
              "permit leaves (red ticks), and each permit-ledger window the plan draws on: used before this plan "
              "(grey) plus this plan (orange) against the window's limit.", permits_figure,
              "no generators in this result")]
    for key, title, caption, make, why in parts:
        fig = make(data)
        if fig is None:
            notes.append(f"{title}: {why}.")
        else:
            charts.append(Chart(key, title, caption, fig))
    charts.append(Chart("cost", "Cost breakdown", "Each nonzero term of the objective; together they sum to it (every term, zeros too, is "
                        "in the cost table below).",
                        cost_figure(data)))
    return charts, notes


def batch_charts(data: BatchData) -> list[Chart]:
    from .batchcharts import objective_figure
    from .batchmaps import heatmap_figure
    caption = ("Every case's objective against each swept parameter (crosses: stopped at a limit with a "
               "schedule; dotted: the mean over the other axes; red crossed squares: no schedule, drawn at the "
               "foot of the panel)." if data.swept else
               "Every case's objective (orange: not optimal; red marks at zero: no schedule). Labels leave out "
               "what every case's id shares; hover for the full id.")
    charts = [Chart("objective", "Objective against the swept parameters" if data.swept else "Objective by case",
                    caption, objective_figure(data))]
    heat = heatmap_figure(data)
    if heat is not None:
        charts.append(Chart("heatmap", "Feasible and objective over two swept axes", "One row per pair of swept "
                            "axes. Left: the share of the cell's cases with a schedule (green all, red none); "
                            "right: their objective (the mean over any other axes), cells without a schedule "
                            "marked &#10005; with their status. Hover for every case of a cell.", heat))
    return charts
