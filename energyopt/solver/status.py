"""Solver outcomes: :class:`SolveStatus` (is there a schedule, is it proven optimal) and
:class:`TerminationCondition` (what stopped HiGHS), with the one mapping from HiGHS's model statuses and
the one from an outcome to its exit code (a class of :mod:`energyopt.errors`)."""
from __future__ import annotations

from enum import Enum

import highspy

from .. import errors as E


class SolveStatus(str, Enum):
    OPTIMAL = "optimal"
    TIME_LIMIT_FEASIBLE = "time_limit_feasible"      # stopped by a limit with a schedule (best found)
    TIME_LIMIT_NO_SOLUTION = "time_limit_no_solution"  # stopped by a limit before any schedule was found
    INFEASIBLE = "infeasible"
    #: infeasible as posed; the schedule written exceeds notice caps at a penalty (a re-plan or simulated day)
    NOTICES_SOFTENED = "notices_softened"
    UNBOUNDED = "unbounded"
    ERROR = "error"

    @property
    def has_schedule(self) -> bool:
        return self in (SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT_FEASIBLE, SolveStatus.NOTICES_SOFTENED)


class TerminationCondition(str, Enum):
    """Why HiGHS stopped (summary.json's ``termination``). A limit leaves the status ``time_limit_feasible``
    or ``time_limit_no_solution`` whichever limit it was; this says which."""
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    ITERATION_LIMIT = "iteration_limit"
    SOLUTION_LIMIT = "solution_limit"
    OBJECTIVE_BOUND = "objective_bound"
    OBJECTIVE_TARGET = "objective_target"
    MEMORY_LIMIT = "memory_limit"
    INTERRUPT = "interrupt"
    UNKNOWN = "unknown"
    ERROR = "error"

    @property
    def is_limit(self) -> bool:
        return self in _LIMITS

    @property
    def reason(self) -> str:
        """What stopped the solve, for the terminal ("stopped by ...")."""
        return _REASONS.get(self, self.value.replace("_", " "))


T = TerminationCondition
_LIMITS = frozenset({T.TIME_LIMIT, T.ITERATION_LIMIT, T.SOLUTION_LIMIT, T.OBJECTIVE_BOUND, T.OBJECTIVE_TARGET,
                     T.MEMORY_LIMIT, T.INTERRUPT})
_REASONS = {T.TIME_LIMIT: "the time limit", T.ITERATION_LIMIT: "HiGHS's iteration limit",
            T.SOLUTION_LIMIT: "HiGHS's solution limit", T.OBJECTIVE_BOUND: "HiGHS's objective bound",
            T.OBJECTIVE_TARGET: "HiGHS's objective target", T.MEMORY_LIMIT: "running out of memory",
            T.INTERRUPT: "an interrupt", T.UNKNOWN: "HiGHS, with an unknown status", T.ERROR: "a HiGHS error"}

_MS = highspy.HighsModelStatus
#: Every HiGHS model status (tests/test_status.py fails for one missing here).
HIGHS: dict[highspy.HighsModelStatus, TerminationCondition] = {
    _MS.kNotset: T.ERROR, _MS.kLoadError: T.ERROR, _MS.kModelError: T.ERROR, _MS.kPresolveError: T.ERROR,
    _MS.kSolveError: T.ERROR, _MS.kPostsolveError: T.ERROR,
    _MS.kModelEmpty: T.OPTIMAL, _MS.kOptimal: T.OPTIMAL,
    _MS.kInfeasible: T.INFEASIBLE, _MS.kUnboundedOrInfeasible: T.INFEASIBLE_OR_UNBOUNDED, _MS.kUnbounded: T.UNBOUNDED,
    _MS.kObjectiveBound: T.OBJECTIVE_BOUND, _MS.kObjectiveTarget: T.OBJECTIVE_TARGET, _MS.kTimeLimit: T.TIME_LIMIT,
    _MS.kIterationLimit: T.ITERATION_LIMIT, _MS.kUnknown: T.UNKNOWN, _MS.kSolutionLimit: T.SOLUTION_LIMIT,
    _MS.kInterrupt: T.INTERRUPT, _MS.kMemoryLimit: T.MEMORY_LIMIT,
}
if hasattr(_MS, "kHighsInterrupt"):   # HiGHS 1.12 and later
    HIGHS[_MS.kHighsInterrupt] = T.INTERRUPT


def termination(model_status: "highspy.HighsModelStatus") -> TerminationCondition:
    """What stopped HiGHS; a status this table does not know is an error."""
    return HIGHS.get(model_status, T.ERROR)


def status_of(term: TerminationCondition, has_primal_solution: bool) -> SolveStatus:
    if term is T.OPTIMAL:
        return SolveStatus.OPTIMAL
    if term.is_limit:
        return SolveStatus.TIME_LIMIT_FEASIBLE if has_primal_solution else SolveStatus.TIME_LIMIT_NO_SOLUTION
    if term in (T.INFEASIBLE, T.INFEASIBLE_OR_UNBOUNDED):
        # Every variable of this model is bounded, so "unbounded or infeasible" can only be infeasible.
        return SolveStatus.INFEASIBLE
    if term is T.UNBOUNDED:
        return SolveStatus.UNBOUNDED
    return SolveStatus.ERROR


def from_highs(model_status: "highspy.HighsModelStatus", has_primal_solution: bool) -> SolveStatus:
    """Map HiGHS's model status (and whether it holds a feasible primal point) to :class:`SolveStatus`."""
    return status_of(termination(model_status), has_primal_solution)


_BY_STATUS = {SolveStatus.OPTIMAL: E.Success, SolveStatus.TIME_LIMIT_FEASIBLE: E.TimeLimitFeasible,
              SolveStatus.TIME_LIMIT_NO_SOLUTION: E.TimeLimitNoSolution, SolveStatus.INFEASIBLE: E.Infeasible,
              SolveStatus.NOTICES_SOFTENED: E.NoticesSoftened,
              SolveStatus.UNBOUNDED: E.Unbounded, SolveStatus.ERROR: E.SolverError}
_BY_TERMINATION = {T.MEMORY_LIMIT: E.OutOfMemory, T.INTERRUPT: E.Interrupted}


def outcome(status: SolveStatus, term: TerminationCondition | str | None = None) -> type:
    """The class of :mod:`energyopt.errors` whose ``exit_code`` the CLI exits with: by the termination where a
    user acts differently (out of memory, interrupted), else by the status."""
    if term is not None and TerminationCondition(term) in _BY_TERMINATION:
        return _BY_TERMINATION[TerminationCondition(term)]
    return _BY_STATUS[SolveStatus(status)]
