"""The Pyomo model: one block per component, assembled by :func:`build_model`."""
from .build import build_model, cost_terms, tighten_solution

__all__ = ["build_model", "cost_terms", "tighten_solution"]
