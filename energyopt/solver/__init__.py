"""Solving: HiGHS hand-off, the outcome enum, and explanations of infeasible instances."""
from .highs import Progress, SolveInfo, SolveOptions, solve_model, with_budget
from .status import SolveStatus, TerminationCondition

__all__ = ["Progress", "SolveInfo", "SolveOptions", "SolveStatus", "TerminationCondition", "solve_model", "with_budget"]
