"""What can no longer change when a plan is re-optimized: the steps before "now" (plus the site's
response time), as they happened or as they were planned.

A :class:`History` is an input of the model like the instance itself: ``build_model(inst, history=h)``
fixes every decision of the first ``n_fixed`` steps to the values given here and re-optimizes the rest.
Values are named by the columns of the result table (``steps.csv``), the documented format a plan is
written in; :func:`column` builds those names in one place for the results and for this module.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Column of the per-step result table for each (component kind, quantity).
COLUMNS = {
    ("generator", "on"): "generator.{id}.on",
    ("generator", "output"): "generator.{id}.output_mw",
    ("generator", "fuel"): "generator.{id}.fuel_gal",
    ("job", "power"): "job.{id}.power_mw",
    ("job", "work"): "job.{id}.work_mwh",
    ("inference", "demand"): "inference.{id}.demand_mw",
    ("inference", "served"): "inference.{id}.served_mw",
    ("inference", "shed"): "inference.{id}.shed_mw",
}


def column(kind: str, quantity: str, id: str) -> str:  # noqa: A002 - the component's id
    """The result-table column of ``quantity`` for component ``id`` of ``kind`` (e.g. generator G1's output)."""
    return COLUMNS[(kind, quantity)].format(id=id)


@dataclass(frozen=True)
class History:
    """Steps ``0 .. n_fixed-1`` are fixed to ``values`` (column name -> one value per fixed step).

    Columns it may hold: each generator's ``on`` and ``output_mw``, each job's ``power_mw`` and
    ``work_mwh``, each inference service's ``served_mw``, ``battery.charge_mw``/``battery.discharge_mw``,
    ``thermal_storage.charge_mw_th``/``thermal_storage.discharge_mw_th``. Grid import is not fixed: it
    is whatever balances the fixed loads and sources, and no import cap binds it (a notice's cap in a
    fixed step could no longer be acted on; results report any excess).
    """

    n_fixed: int
    values: dict[str, np.ndarray] = field(default_factory=dict)

    def get(self, name: str) -> np.ndarray | None:
        v = self.values.get(name)
        return None if v is None else np.asarray(v, dtype=float)[: self.n_fixed]

    def fixed_steps(self) -> range:
        return range(self.n_fixed)
