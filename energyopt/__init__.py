"""energyopt: day-ahead power planning for AI data centers (Pyomo + HiGHS)."""
from .api import solve
from .inputs import Instance, InstanceError, load_instance
from .results import Result
from .solve import SolveOptions, SolveStatus

__all__ = ["Instance", "InstanceError", "Result", "SolveOptions", "SolveStatus", "load_instance", "solve"]
__version__ = "0.1.0"
