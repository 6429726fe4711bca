"""Inputs: the instance's schema, its loader and the horizon's time grid.

Names are imported on first use, so a module that needs only the error types (the batch command reading
its cases) does not pay for pandas and the loader.
"""
from __future__ import annotations

import importlib

from .errors import InstanceError, Problem

_LAZY = {"load_instance": ".loader", "Instance": ".instance", "TimeGrid": ".timegrid"}

__all__ = ["Instance", "InstanceError", "Problem", "TimeGrid", "load_instance"]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'energyopt.inputs' has no attribute {name!r}")
