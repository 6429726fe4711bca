"""Solving: HiGHS hand-off, the outcome enum, and explanations of infeasible instances."""
from .highs import SolveInfo, SolveOptions, solve_model
from .status import SolveStatus, TerminationCondition

__all__ = ["SolveInfo", "SolveOptions", "SolveStatus", "TerminationCondition", "solve_model"]
