"""The Pyomo model: one block per component of the registry, assembled by :func:`build_model`.

Names are imported on first use: the registry imports the component modules of this package, and the builder
imports the registry, so importing the builder here would run it before the registry is complete.
"""
from __future__ import annotations

from ..lazy import lazy_names

_LAZY = {"build_model": ".build", "cost_terms": ".build", "tighten_solution": ".build"}

__all__ = ["build_model", "cost_terms", "tighten_solution"]

__getattr__ = lazy_names(__name__, _LAZY)
