"""What can no longer change when a plan is re-optimized: the steps before "now" (plus the site's
response time), as they happened or as they were planned.

A :class:`History` is an input of the model like the instance itself: ``build_model(inst, history=h)``
fixes every decision of the first ``n_fixed`` steps to the values given here and re-optimizes the rest.
Values are named by the columns of the result table (``steps.csv``), the documented format a plan is
written in (docs/output-format.md); each component declares which of its columns a re-plan reads back.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class History:
    """Steps ``0 .. n_fixed-1`` are fixed to ``values`` (column name -> one value per fixed step).

    Columns it may hold: those each component declares with ``replan=True`` (``registry.replan_columns``: a
    generator's ``on`` and ``output_mw``, a job's ``power_mw`` and ``work_mwh``, ...). Grid import is not fixed: it
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
