"""The component registry: every component of the model, one line each, in build order.

Supplies come first, then the loads that draw IT power, then the stages that sum them: the site's IT load, the
cooling plant that removes its heat, and the power balance. The same order gives the columns of ``steps.csv``.
Adding a component is one module (``energyopt/model/<name>.py``, whose ``COMPONENT`` declares everything about
it), its checker module, its tests, and one line here: see ``docs/components.md``.
"""
from __future__ import annotations

from .model.balance import COMPONENT as balance
from .model.battery import COMPONENT as battery
from .model.component import Column, Component, Role, SummaryEntry
from .model.cooling import COMPONENT as cooling
from .model.fleet import COMPONENT as fleet
from .model.generators import COMPONENT as generators
from .model.grid import COMPONENT as grid
from .model.inference import COMPONENT as inference
from .model.site import COMPONENT as site
from .model.solar import COMPONENT as solar
from .model.training import COMPONENT as training_jobs

COMPONENTS: tuple[Component, ...] = (
    grid,
    generators,
    battery,
    solar,
    fleet,
    training_jobs,
    inference,
    site,
    cooling,
    balance,
)

BY_NAME: dict[str, Component] = {c.name: c for c in COMPONENTS}

__all__ = ["BY_NAME", "COMPONENTS", "Column", "Component", "Role", "SummaryEntry", "columns", "sections"]


def sections() -> list[Component]:
    """Components with a section in the instance file, in order."""
    return [c for c in COMPONENTS if c.section is not None]


def candidates() -> list[Component]:
    """Components ``energyopt plan`` may size through the registry (``Component.candidate``)."""
    return [c for c in COMPONENTS if c.candidate is not None]


def columns() -> list[tuple[Component, Column]]:
    """Every ``steps.csv`` column any component may write, in table order."""
    return [(c, col) for c in COMPONENTS for col in c.columns]


def column_names(inst) -> list[str]:
    """The columns of ``steps.csv`` for ``inst``, in order."""
    return [name for c in COMPONENTS for name in c.column_names(inst)]


def replan_columns(inst) -> list[str]:
    """The columns a re-plan reads back for ``inst`` (the decisions of the steps before "now")."""
    return [name for c in COMPONENTS for name in c.column_names(inst, replan_only=True)]


def binary_columns(inst) -> set[str]:
    """Columns that hold 0 or 1 (on/off)."""
    out: set[str] = set()
    for c in COMPONENTS:
        for col in c.written(inst):
            if col.kind == "binary":
                out |= {col.name.format(id=i) for i in c.ids(inst)} if "{id}" in col.name else {col.name}
    return out
