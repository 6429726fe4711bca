"""The site stage: the IT load every component draws, summed with the site's fixed IT load, and the overhead.

It is built after every component that draws IT power (``Role.IT_LOAD``) and before the cooling plant, which
removes the heat of ``it_load_mw``.
"""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..inputs.schema import InstanceBase as Instance
from .component import BuildContext, Column, Component, Role


def build(m: pyo.Block, inst: Instance, ctx: BuildContext) -> None:
    T = range(inst.time.n_steps)
    fixed = inst.site.it_load_mw.values
    draws = [blk for c, blk in ctx.built if c.role & Role.IT_LOAD] + list(ctx.extra_it)
    m.it_load_mw = pyo.Expression(T, rule=lambda _, t: float(fixed[t]) + sum(blk.it_load_mw[t] for blk in draws))


def steps(inst: Instance, m, b) -> dict[str, np.ndarray]:
    return {"it_load_mw": np.array([pyo.value(m.it_load_mw[t]) for t in range(inst.time.n_steps)], dtype=float),
            "overhead_mw": inst.site.overhead_mw.values}


COMPONENT = Component(
    name="site", role=Role.STAGE,
    description="the site's IT load (fixed IT + every IT-drawing component) and its overhead",
    build=build,
    columns=(
        Column("it_load_mw", "MW", "IT power: fixed IT load + training jobs + inference served (+ other IT loads)"),
        Column("overhead_mw", "MW", "non-IT, non-cooling overhead (the instance's series)"),
    ),
    steps=steps,
)
