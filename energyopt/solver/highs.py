"""Hand a Pyomo model to HiGHS through Pyomo's linear standard form and load the solution back.

The route was chosen by measurement (``benchmarks/routes.py``; figures in the README): compiling the
model to sparse matrices with ``LinearStandardFormCompiler`` and passing them to highspy in one call
is the fastest of the routes Pyomo offers.
"""
from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
import dataclasses
from dataclasses import dataclass, field
from typing import Callable, Mapping

import highspy
import numpy as np
import pyomo.common.dependencies as pyomo_dependencies
import pyomo.environ as pyo

# Pyomo registers a callback on the import of scipy (wherever it comes from) that imports scipy.stats,
# scipy.integrate and scipy.spatial, which this project never uses (0.4-0.7 s of every process, issue 15; with
# scipy.special's backends more). Dropped before scipy.sparse is imported: a Pyomo feature that does reach
# for its deferred ``scipy`` still gets it (with the callback) through attempt_import.
pyomo_dependencies.DeferredImportCallbackFinder._callbacks.pop("scipy", None)
import scipy.sparse  # noqa: E402  (after the callback is gone)
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler, _LinearStandardFormCompiler_impl  # noqa: E402

from .status import SolveStatus, TerminationCondition, status_of, termination
from .tuning import DEFAULT_HIGHS_OPTIONS

# The compiler fills these hooks on first use through Pyomo's lazy scipy import, which also imports
# scipy.stats, scipy.integrate and scipy.spatial (0.6-1.9 s per process, measured). The class leaves the
# hooks open for callers to set ("so that others can change the hooks"); scipy.sparse alone is enough.
if _LinearStandardFormCompiler_impl._to_vector is None:
    _LinearStandardFormCompiler_impl._to_vector = np.fromiter
    _LinearStandardFormCompiler_impl._csc_matrix = scipy.sparse.csc_array
    _LinearStandardFormCompiler_impl._csr_matrix = scipy.sparse.csr_array


_UNSTARTED = object()
_POOL: object = _UNSTARTED   #: the thread count (None: HiGHS's default) this process's HiGHS pool last ran with


#: HiGHS option defaults every solve starts from, before ``SolveOptions.highs``: the options tuned on the
#: operator benchmark set (energyopt/solver/tuning.py, issue 15), the one place they enter the hand-off.
BASE_HIGHS_OPTIONS: tuple[tuple[str, object], ...] = DEFAULT_HIGHS_OPTIONS


@dataclass(frozen=True)
class Progress:
    """What a running MIP solve reports to ``SolveOptions.progress`` (about twice a second at most)."""
    elapsed_s: float                 #: HiGHS's running time
    best_usd: float | None           #: the best schedule's objective so far (None before the first)
    bound_usd: float | None          #: the proven lower bound
    gap: float | None                #: the proven relative gap of the best schedule
    nodes: int = 0


@dataclass(frozen=True)
class SolveOptions:
    time_limit_s: float | None = None
    mip_rel_gap: float = 1e-4
    threads: int | None = None
    log: bool = False
    #: Further HiGHS options by name (e.g. ``(("mip_heuristic_effort", 0.2),)``), for tuning and benchmarks.
    highs: tuple[tuple[str, object], ...] = ()
    #: ``time.monotonic()`` at which to stop: one budget over build, solve and diagnosis, shared by every solve
    #: given these options (each gets what is left; with ``time_limit_s`` too, the sooner of the two).
    deadline: float | None = None
    #: Called with a :class:`Progress` while HiGHS's MIP search runs (live progress on stderr).
    progress: Callable[[Progress], None] | None = None

    def seconds_left(self) -> float | None:
        """Seconds to the deadline (0 once past it), or None without one."""
        return None if self.deadline is None else max(0.0, self.deadline - time.monotonic())

    def out_of_time(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline


def with_budget(opts: SolveOptions, seconds: float | None, start: float | None = None) -> SolveOptions:
    """``opts`` with a deadline ``seconds`` after ``start`` (``time.monotonic()``; default now), or as they are
    without ``seconds``. An earlier deadline already in ``opts`` stands."""
    if seconds is None:
        return opts
    deadline = (time.monotonic() if start is None else start) + float(seconds)
    if opts.deadline is not None:
        deadline = min(deadline, opts.deadline)
    return dataclasses.replace(opts, deadline=deadline)


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
    #: (HiGHS seconds, objective) of each improving schedule HiGHS found, in order (a MIP start, when HiGHS
    #: accepts it, is the first)
    incumbents: list[tuple[float, float]] = field(default_factory=list)
    start_values: int = 0    #: how many columns the MIP start gave (0: no start)
    stopped_for_time: bool = False   #: the solve ended at the deadline or time limit
    time_limit_s: float | None = None   #: the time limit HiGHS was given (the sooner of the limit and the deadline)
    nodes: int = 0             #: branch-and-bound nodes HiGHS explored
    lp_iterations: int = 0     #: simplex iterations, over every LP HiGHS solved


def solve_model(m: pyo.ConcreteModel, opts: SolveOptions,
                start: Mapping[object, float] | None = None) -> SolveInfo:
    """Solve ``m`` with HiGHS; on a schedule, the model's variables hold it afterwards.

    ``start`` maps variables of ``m`` (Pyomo var data) to values: a MIP start, handed to HiGHS as a sparse
    solution (HiGHS fixes the integers it gives, completes the rest, and keeps the result as its first schedule
    when it is feasible; an infeasible start is dropped). Variables the compiler left out are ignored.
    ``opts.deadline`` bounds HiGHS by what is left of the budget; ``opts.progress`` hears about the search."""
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
    for name, value in BASE_HIGHS_OPTIONS:
        h.setOptionValue(name, value)
    h.setOptionValue("mip_rel_gap", float(opts.mip_rel_gap))
    h.setOptionValue("random_seed", 0)
    limit = _time_limit(opts)
    if limit is not None:
        h.setOptionValue("time_limit", limit)
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
    n_start = _set_start(h, cols, is_int, lb, ub, start) if start else 0
    watch = _Watch(opts) if is_int.any() else None
    if watch is not None:
        watch.attach(h)
    t2 = time.perf_counter()
    with watch.running() if watch is not None else contextlib.nullcontext():
        h.run()
    t3 = time.perf_counter()

    info = h.getInfo()
    ms = h.getModelStatus()
    has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
    term = termination(ms)
    if watch is not None and watch.timed_out and term is TerminationCondition.INTERRUPT:
        term = TerminationCondition.TIME_LIMIT   # our own interrupt at the deadline is the time limit
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
                     n_rows=n_rows, n_cols=n_cols, n_integer=int(is_int.sum()),
                     incumbents=watch.incumbents if watch is not None else [], start_values=n_start,
                     stopped_for_time=term is TerminationCondition.TIME_LIMIT, time_limit_s=limit,
                     nodes=max(int(info.mip_node_count), 0), lp_iterations=max(int(info.simplex_iteration_count), 0))


def _time_limit(opts: SolveOptions) -> float | None:
    """HiGHS's time limit: the sooner of ``time_limit_s`` and what is left to the deadline (a token 10 ms past
    it, so HiGHS stops at once with whatever it has)."""
    left = opts.seconds_left()
    limits = [x for x in (opts.time_limit_s, None if left is None else max(left, 0.01)) if x is not None]
    return float(min(limits)) if limits else None


def _set_start(h, cols, is_int, lb, ub, start: Mapping[object, float]) -> int:
    """Hand ``start`` (var data -> value) to HiGHS as a sparse solution; returns how many columns it gave."""
    pos = {id(v): k for k, v in enumerate(cols)}
    idx, val = [], []
    for v, x in start.items():
        k = pos.get(id(v))
        if k is None or x is None or not np.isfinite(x):
            continue
        x = float(np.clip(round(x) if is_int[k] else x, lb[k], ub[k]))
        idx.append(k)
        val.append(x)
    if idx:
        h.setSolution(len(idx), np.asarray(idx, dtype=np.int32), np.asarray(val, dtype=float))
    return len(idx)


class _Watch:
    """HiGHS's MIP callbacks: record each improving schedule and the search's state, and interrupt the search at
    the deadline (HiGHS's own time limit stops it too; this is the backstop). HiGHS calls back only now and then
    (about once a second, and not at all through long root-node phases), so progress is reported from a thread of
    its own every ``EVERY_S`` seconds with the state last heard of (HiGHS releases the GIL while it solves)."""

    EVERY_S = 0.5

    def __init__(self, opts: SolveOptions):
        self.opts = opts
        self.incumbents: list[tuple[float, float]] = []
        self.timed_out = False
        self.state = Progress(0.0, None, None, None)
        self._t0 = time.monotonic()

    def attach(self, h) -> None:
        h.cbMipImprovingSolution += self._improved
        if self.opts.deadline is not None or self.opts.progress is not None:
            h.cbMipInterrupt += self._tick

    @contextlib.contextmanager
    def running(self):
        self._t0 = time.monotonic()
        if self.opts.progress is None:
            yield
            return
        stop = threading.Event()

        def beat():
            while not stop.wait(self.EVERY_S):
                s = self.state
                self.opts.progress(dataclasses.replace(s, elapsed_s=time.monotonic() - self._t0))
        thread = threading.Thread(target=beat, name="energyopt-progress", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def _improved(self, e) -> None:
        d = e.data_out
        self.incumbents.append((float(d.running_time), float(d.objective_function_value)))

    def _tick(self, e) -> None:
        if self.opts.deadline is not None and time.monotonic() >= self.opts.deadline:
            self.timed_out = True
            e.interrupt()
        d = e.data_out
        best, bound, gap = float(d.mip_primal_bound), float(d.mip_dual_bound), float(d.mip_gap)
        self.state = Progress(
            elapsed_s=float(d.running_time), best_usd=best if np.isfinite(best) and abs(best) < 1e30 else None,
            bound_usd=bound if np.isfinite(bound) and abs(bound) < 1e30 else None,
            gap=gap if np.isfinite(gap) and 0 <= gap < 1e30 else None, nodes=int(d.mip_node_count))


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
