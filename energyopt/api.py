"""The Python API: load an instance, solve it, get a :class:`Result`. The CLI is a thin layer over this."""
from __future__ import annotations

import time
import uuid
from pathlib import Path

from .inputs import Instance, load_instance
from .inputs.budgets import PermitBudget
from .inputs.history import History
from .model import build_model, tighten_solution
from .results import Result
from .results.extract import FORMAT_VERSION, steps_table, summary
from .solver import SolveOptions, solve_model
from .solver.status import SolveStatus
from .solver.diagnose import explain_infeasible


def solver_error_text(highs_status: str) -> str:
    """What a solve that ended in a solver error (exit 8) says: HiGHS's own status, and what to do about it."""
    return (f"solver error: HiGHS stopped with model status '{highs_status}' and no schedule. HiGHS treats a "
            "coefficient of 1e20 or more as infinite and cannot solve reliably when coefficients differ by more "
            "than about 1e9; the instance's bounds (docs/model.md, Bounds) keep them inside that range, so please "
            "report the instance")


#: What the diagnosis says when the time budget is spent before it could run.
NO_TIME_FOR_DIAGNOSIS = ("The instance is infeasible; the diagnosis of why was skipped for time (the time budget was "
                         "spent by the solve; give a larger --time-limit to have it)")


def _softened(inst: Instance, opts: SolveOptions, history, budgets, warm_start=None):
    """``(model, info)`` of the instance solved with its notices' caps softened, or None without a schedule."""
    m = build_model(inst, history=history, budgets=budgets, soften_notices=True)
    info = solve_model(m, opts, start=warm_start(m) if warm_start is not None else None)
    return (m, info) if info.status.has_schedule else None


def solve(instance: Instance | str | Path, options: SolveOptions | None = None, *,
          history: History | None = None, budgets: tuple[PermitBudget, ...] = (),
          soften_notices: bool = False, warm_start=None) -> Result:
    """Solve a day-ahead instance (an :class:`Instance` or the path of its TOML file).

    ``history`` fixes the steps before "now" (see :mod:`energyopt.ops.replan`); ``budgets`` are permit
    windows the plan must stay inside (see :func:`energyopt.ledger.budgets.plan_budgets`). With ``soften_notices``
    (re-plans and simulated days) an instance that no schedule can solve as posed is solved again with the notices'
    caps softened at a large penalty; that schedule is the result, with status ``notices_softened``, the
    explanation of why the caps cannot be kept and the overruns by step (``notice_overruns``).

    ``options.deadline`` is one budget for the whole call: the diagnosis and the softened re-solve get what the
    solve left (none left: the diagnosis says it was skipped for time). ``warm_start`` (a function of the built
    model giving ``{var data: value}``, e.g. :func:`energyopt.ops.warmstart.previous_plan_start`) is HiGHS's
    MIP start."""
    inst = instance if isinstance(instance, Instance) else load_instance(instance)
    opts = options or SolveOptions()
    t0 = time.perf_counter()
    m = build_model(inst, history=history, budgets=budgets)
    t1 = time.perf_counter()
    info = solve_model(m, opts, start=warm_start(m) if warm_start is not None else None)
    t2 = time.perf_counter()
    head = {
        "format_version": FORMAT_VERSION,
        "plan_id": uuid.uuid4().hex,
        "instance": inst.name,
        "instance_file": str(inst.source) if inst.source else None,
        "status": info.status.value,
        "termination": info.termination.value,
        "objective_usd": None,
        "mip_gap": info.mip_gap,
        "solve_seconds": info.timings_s["highs"],
        "horizon": {"start": inst.time.start.isoformat(), "end": inst.time.end.isoformat(),
                    "step_minutes": inst.time.step_minutes, "n_steps": inst.time.n_steps},
        "solver": {"highs_status": info.highs_status, "rows": info.n_rows, "columns": info.n_cols,
                   "integer_columns": info.n_integer, "highs_objective_usd": info.objective_usd,
                   "options": {"time_limit_s": opts.time_limit_s, "mip_rel_gap": opts.mip_rel_gap,
                               "threads": opts.threads},
                   "highs_time_limit_s": info.time_limit_s,
                   "start_columns": info.start_values,
                   "first_schedule_s": info.incumbents[0][0] if info.incumbents else None,
                   "first_schedule_usd": info.incumbents[0][1] if info.incumbents else None,
                   "nodes": info.nodes, "lp_iterations": info.lp_iterations},
    }
    status, diagnosis = info.status, []
    if status is SolveStatus.INFEASIBLE:
        diagnosis = ([NO_TIME_FOR_DIAGNOSIS] if opts.out_of_time() else
                     explain_infeasible(inst, opts, history=history, budgets=budgets))
        soft = (_softened(inst, opts, history, budgets, warm_start)
                if soften_notices and inst.notices and not opts.out_of_time() else None)
        if soften_notices and inst.notices and soft is None and opts.out_of_time():
            diagnosis.append("The re-solve with the notices' caps softened was skipped for time: no schedule is "
                             "written")
        if soft is not None:
            (m, info), status = soft, SolveStatus.NOTICES_SOFTENED
            head.update(status=status.value, termination=info.termination.value, mip_gap=info.mip_gap,
                        solve_seconds=head["solve_seconds"] + info.timings_s["highs"])
            head["solver"].update(highs_status=info.highs_status, highs_objective_usd=info.objective_usd)
    elif status is SolveStatus.ERROR:
        diagnosis = [solver_error_text(info.highs_status)]
    if not status.has_schedule:
        head["diagnosis"] = diagnosis
        head["timings_s"] = {"build": t1 - t0, **info.timings_s}
        return Result(status=status, summary=head, diagnosis=diagnosis)
    if diagnosis:
        head["diagnosis"] = diagnosis
        t2 = time.perf_counter()
    # Within a nonzero gap (or at a limit) HiGHS may leave starts and the peak above what the schedule
    # implies; the reported costs are those of the schedule, so they can be below HiGHS's objective.
    tighten_solution(m)
    steps = steps_table(inst, m)
    body = summary(inst, m, steps, budgets)
    t3 = time.perf_counter()
    head.update(body)
    head["timings_s"] = {"build": t1 - t0, **info.timings_s, "extract": t3 - t2}
    return Result(status=status, summary=head, steps=steps, diagnosis=diagnosis)
