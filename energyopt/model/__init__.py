"""The Pyomo model: one block per component of the registry, assembled by :func:`build_model`.

Names are imported on first use: the registry imports the component modules of this package, and the builder
imports the registry, so importing the builder here would run it before the registry is complete.
"""
from __future__ import annotations

import importlib

_LAZY = {"build_model": ".build", "cost_terms": ".build", "tighten_solution": ".build"}

__all__ = ["build_model", "cost_terms", "tighten_solution"]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'energyopt.model' has no attribute {name!r}")
