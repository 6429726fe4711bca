"""The one mapping from HiGHS's model statuses to SolveStatus, and exit codes per status."""
import highspy
import pytest

from energyopt.cli import _status_exit
from energyopt.solver.status import SolveStatus, from_highs

MS = highspy.HighsModelStatus


@pytest.mark.parametrize("ms,has_sol,expected", [
    (MS.kOptimal, True, SolveStatus.OPTIMAL),
    (MS.kTimeLimit, True, SolveStatus.TIME_LIMIT_FEASIBLE),
    (MS.kTimeLimit, False, SolveStatus.TIME_LIMIT_NO_SOLUTION),
    (MS.kIterationLimit, True, SolveStatus.TIME_LIMIT_FEASIBLE),
    (MS.kInfeasible, False, SolveStatus.INFEASIBLE),
    (MS.kUnboundedOrInfeasible, False, SolveStatus.INFEASIBLE),
    (MS.kUnbounded, False, SolveStatus.UNBOUNDED),
    (MS.kSolveError, False, SolveStatus.ERROR),
    (MS.kLoadError, False, SolveStatus.ERROR),
])
def test_highs_status_mapping(ms, has_sol, expected):
    assert from_highs(ms, has_sol) is expected


def test_every_status_has_a_distinct_exit_code():
    codes = {s: _status_exit(s) for s in SolveStatus}
    assert codes[SolveStatus.OPTIMAL] == 0
    assert len(set(codes.values())) == len(SolveStatus)
    assert 3 not in codes.values()  # 3 is bad input


def test_one_process_can_solve_with_different_thread_counts():
    # HiGHS keeps one thread pool per process: a later solve with another --threads used to fail ("Not Set").
    import energyopt as eo
    from pathlib import Path
    inst = eo.load_instance(Path(__file__).resolve().parents[1] / "instances" / "small" / "small.toml")
    assert [eo.solve(inst, eo.SolveOptions(threads=t)).status.value for t in (None, 1, 2, None, 1)] == ["optimal"] * 5
