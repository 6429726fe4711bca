"""Inputs: the instance's schema, its loader and the horizon's time grid.

Names are imported on first use, so a module that needs only the error types (the batch command reading
its cases) does not pay for pandas and the loader.
"""
from __future__ import annotations

from ..lazy import lazy_names
from .errors import InstanceError, Problem

_LAZY = {"load_instance": ".loader", "Instance": ".instance", "TimeGrid": ".timegrid"}

__all__ = ["Instance", "InstanceError", "Problem", "TimeGrid", "load_instance"]

__getattr__ = lazy_names(__name__, _LAZY)
