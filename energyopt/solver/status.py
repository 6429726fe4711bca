"""Solver outcomes as a small enum, with the one mapping from HiGHS's model statuses."""
from __future__ import annotations

from enum import Enum

import highspy


class SolveStatus(str, Enum):
    OPTIMAL = "optimal"
    TIME_LIMIT_FEASIBLE = "time_limit_feasible"      # stopped by a limit with a schedule (best found)
    TIME_LIMIT_NO_SOLUTION = "time_limit_no_solution"  # stopped by a limit before any schedule was found
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    ERROR = "error"

    @property
    def has_schedule(self) -> bool:
        return self in (SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT_FEASIBLE)


_MS = highspy.HighsModelStatus
_LIMITS = {_MS.kTimeLimit, _MS.kIterationLimit, _MS.kSolutionLimit, _MS.kInterrupt, _MS.kMemoryLimit,
           _MS.kObjectiveBound, _MS.kObjectiveTarget}
_LIMITS |= {getattr(_MS, "kHighsInterrupt")} if hasattr(_MS, "kHighsInterrupt") else set()


def from_highs(model_status: "highspy.HighsModelStatus", has_primal_solution: bool) -> SolveStatus:
    """Map HiGHS's model status (and whether it holds a feasible primal point) to :class:`SolveStatus`."""
    if model_status in (_MS.kOptimal, _MS.kModelEmpty):
        return SolveStatus.OPTIMAL
    if model_status in _LIMITS:
        return SolveStatus.TIME_LIMIT_FEASIBLE if has_primal_solution else SolveStatus.TIME_LIMIT_NO_SOLUTION
    if model_status in (_MS.kInfeasible, _MS.kUnboundedOrInfeasible):
        # Every variable of this model is bounded, so "unbounded or infeasible" can only be infeasible.
        return SolveStatus.INFEASIBLE
    if model_status == _MS.kUnbounded:
        return SolveStatus.UNBOUNDED
    return SolveStatus.ERROR
