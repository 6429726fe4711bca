"""Hand a Pyomo model to HiGHS through Pyomo's linear standard form and load the solution back.

The route was chosen by measurement (``benchmarks/routes.py``; figures in the README): compiling the
model to sparse matrices with ``LinearStandardFormCompiler`` and passing them to highspy in one call
is the fastest of the routes Pyomo offers.
"""
from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import pyomo.environ as pyo
import scipy.sparse
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler, _LinearStandardFormCompiler_impl

from .status import SolveStatus, TerminationCondition, status_of, termination

# The compiler fills these hooks on first use through Pyomo's lazy scipy import, which also imports
# scipy.stats, scipy.integrate and scipy.spatial (0.6-1.9 s per process, measured). The class leaves the
# hooks open for callers to set ("so that others can change the hooks"); scipy.sparse alone is enough.
if _LinearStandardFormCompiler_impl._to_vector is None:
    _LinearStandardFormCompiler_impl._to_vector = np.fromiter
    _LinearStandardFormCompiler_impl._csc_matrix = scipy.sparse.csc_array
    _LinearStandardFormCompiler_impl._csr_matrix = scipy.sparse.csr_array


_UNSTARTED = object()
_POOL: object = _UNSTARTED   #: the thread count (None: HiGHS's default) this process's HiGHS pool last ran with


@dataclass(frozen=True)
class SolveOptions:
    time_limit_s: float | None = None
    mip_rel_gap: float = 1e-4
    threads: int | None = None
    log: bool = False
    #: Further HiGHS options by name (e.g. ``(("mip_heuristic_effort", 0.2),)``), for tuning and benchmarks.
    highs: tuple[tuple[str, object], ...] = ()


@dataclass
class SolveInfo:
    status: SolveStatus
    objective_usd: float | None
    mip_gap: float | None
    highs_status: str
    termination: TerminationCondition = TerminationCondition.ERROR
    timings_s: dict[str, float] = field(default_factory=dict)
    n_rows: int = 0
    n_cols: int = 0
    n_integer: int = 0


def solve_model(m: pyo.ConcreteModel, opts: SolveOptions) -> SolveInfo:
    """Solve ``m`` with HiGHS; on a schedule, the model's variables hold it afterwards."""
    t0 = time.perf_counter()
    sf = LinearStandardFormCompiler().write(m, mixed_form=True, set_sense=pyo.minimize)
    t1 = time.perf_counter()
    cols = sf.columns
    n_cols, n_rows = len(cols), len(sf.rows)
    lb = np.array([-np.inf if v.lb is None else v.lb for v in cols], dtype=float)
    ub = np.array([np.inf if v.ub is None else v.ub for v in cols], dtype=float)
    is_int = np.array([v.is_integer() for v in cols], dtype=bool)
    sense = np.array([r[1] for r in sf.rows], dtype=np.int8)
    rhs = np.asarray(sf.rhs, dtype=float)

    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    lp.col_cost_ = sf.c.toarray().ravel() if sf.c.shape[0] else np.zeros(n_cols)
    lp.col_lower_ = lb
    lp.col_upper_ = ub
    lp.row_lower_ = np.where(sense >= 0, np.where(sense == 0, rhs, -np.inf), rhs)
    lp.row_upper_ = np.where(sense <= 0, np.where(sense == 0, rhs, np.inf), rhs)
    lp.offset_ = float(sf.c_offset[0]) if len(sf.c_offset) else 0.0
    A = sf.A.tocsc()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = n_rows
    if is_int.any():
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                           for i in is_int]

    h = new_highs(opts.log)
    h.setOptionValue("mip_rel_gap", float(opts.mip_rel_gap))
    h.setOptionValue("random_seed", 0)
    if opts.time_limit_s is not None:
        h.setOptionValue("time_limit", float(opts.time_limit_s))
    global _POOL
    wanted = None if opts.threads is None else int(opts.threads)
    if _POOL is not _UNSTARTED and _POOL != wanted:
        # HiGHS starts one thread pool per process; another size needs it restarted, or every later run
        # of this process fails ("Not Set").
        highspy.Highs.resetGlobalScheduler(True)
    _POOL = wanted
    if wanted is not None:
        h.setOptionValue("threads", wanted)
    for name, value in opts.highs:
        h.setOptionValue(name, value)
    h.passModel(lp)
    t2 = time.perf_counter()
    h.run()
    t3 = time.perf_counter()

    info = h.getInfo()
    ms = h.getModelStatus()
    has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
    term = termination(ms)
    status = status_of(term, has_sol)
    objective = gap = None
    if status.has_schedule:
        x = np.asarray(h.getSolution().col_value, dtype=float)
        x[is_int] = np.round(x[is_int])
        x = np.clip(x, lb, ub)
        for v, val in zip(cols, x.tolist()):
            v.set_value(val, skip_validation=True)
        _default_unused(m)
        objective = float(info.objective_function_value)
        gap = float(info.mip_gap) if is_int.any() else 0.0
        if gap is not None and (not np.isfinite(gap) or gap < 0):
            gap = None
    t4 = time.perf_counter()
    return SolveInfo(status=status, objective_usd=objective, mip_gap=gap, highs_status=h.modelStatusToString(ms),
                     termination=term,
                     timings_s={"hand_off": t2 - t0, "compile": t1 - t0, "highs": t3 - t2, "load": t4 - t3},
                     n_rows=n_rows, n_cols=n_cols, n_integer=int(is_int.sum()))


def new_highs(log: bool) -> highspy.Highs:
    """A Highs object; without ``log`` nothing reaches the console (HiGHS 1.16 prints its banner from
    the constructor, before any option can be set, so stdout is silenced at the descriptor level)."""
    if log:
        return highspy.Highs()
    with _quiet_stdout():
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
    return h


@contextlib.contextmanager
def _quiet_stdout():
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # pytest capture, notebooks: nothing to silence
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), fd)
        yield
    finally:
        _flush_c_stdio()
        os.dup2(saved, fd)
        os.close(saved)


def _flush_c_stdio() -> None:
    """Flush C stdio buffers, so nothing HiGHS printed while silenced reaches the console later."""
    try:
        import ctypes
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):
        pass


def _default_unused(m: pyo.ConcreteModel) -> None:
    """Variables that appear in no constraint and no cost were dropped by the compiler: give them their
    lowest value at or above zero, so results can read every variable."""
    for v in m.component_data_objects(pyo.Var, descend_into=True):
        if v.value is None:
            lo = 0.0 if v.lb is None else v.lb
            v.set_value(lo if v.ub is None else min(max(lo, 0.0), v.ub), skip_validation=True)
