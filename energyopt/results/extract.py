"""Read a solved model into the per-step table and the summary, component by component (the registry); costs
come from the objective's own expressions (``cost_usd`` of each block), so the breakdown always sums to the
objective. What each column and key means is declared where it is produced (each component's ``COMPONENT``)
and listed in docs/output-format.md (``python -m energyopt.results.docs``)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from ..inputs.schema import InstanceBase as Instance
from ..model.build import cost_terms
from ..model.component import Role
from ..registry import COMPONENTS
from .economics import economics

FORMAT_VERSION = 1


def timestamps(inst: Instance) -> pd.Index:
    """Each step's start, ISO 8601 with its UTC offset (``2025-07-15T00:00:00-05:00``)."""
    return inst.time.index.strftime("%Y-%m-%dT%H:%M:%S%z").str.replace(r"(\d\d)$", r":\1", regex=True)


def steps_table(inst: Instance, m: pyo.ConcreteModel) -> pd.DataFrame:
    """One row per step: every component's columns, in registry order, after the step's start."""
    cols: dict[str, object] = {"timestamp": timestamps(inst)}
    for c in COMPONENTS:
        if c.steps is not None and c.written(inst):
            blk = m.component(c.name) if not c.role & Role.STAGE else m
            cols.update(c.steps(inst, m, blk))
    return pd.DataFrame(cols)


def summary(inst: Instance, m: pyo.ConcreteModel, steps: pd.DataFrame, budgets=()) -> dict:
    """The figures a user looks at first; every one is computed from the same model values as the table."""
    breakdown = {k: float(pyo.value(e)) for k, e in cost_terms(m).items()}
    co2 = {c.name: float(pyo.value(m.component(c.name).co2_kg)) if m.component(c.name) is not None else 0.0
           for c in COMPONENTS if c.role & Role.EMITS}
    out = {"cost_breakdown_usd": breakdown, "objective_usd": float(sum(breakdown.values())),
           "co2_t": sum(co2.values()) / 1000.0, "co2_t_by_source": {k: v / 1000.0 for k, v in co2.items()}}
    for c in COMPONENTS:   # every component says its part, present or not (empty then: "jobs": {})
        if c.summary is not None:
            out.update(c.summary(inst, m, m.component(c.name), steps, budgets))
    out.update(economics(inst, steps, out))   # only when the instance gives an economics field
    return out
