"""Inputs: the instance's schema, its loader and the horizon's time grid."""
from .errors import InstanceError, Problem
from .loader import load_instance
from .schema import Instance
from .timegrid import TimeGrid

__all__ = ["Instance", "InstanceError", "Problem", "TimeGrid", "load_instance"]
