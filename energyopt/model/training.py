"""Training jobs: power caps with a concave throughput curve, pauses, restarts and deadlines."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from ..inputs.history import History
from ..inputs.schema import InstanceBase as Instance, interp_curve
from ..inputs.training import TrainingJob
from .component import BuildContext, Column, Component, Role, SummaryEntry, values

POWER, WORK = "job.{id}.power_mw", "job.{id}.work_mwh"
EPS = 1e-6


def job_steps(inst: Instance, job: TrainingJob) -> list[int]:
    """Steps that lie wholly between the job's release and its deadline."""
    g = inst.time
    return g.steps_within(job.release if job.release is not None else g.start,
                          job.deadline if job.deadline is not None else g.end)


def curve_segments(job: TrainingJob) -> list[tuple[float, float]]:
    """(slope, intercept) of each segment of throughput against power fraction; y = x for a one-point curve."""
    pts = job.throughput_curve
    if len(pts) == 1:
        return [(1.0, 0.0)]
    return [((y2 - y1) / (x2 - x1), y1 - (y2 - y1) / (x2 - x1) * x1) for (x1, y1), (x2, y2) in zip(pts, pts[1:])]


def build(b: pyo.Block, inst: Instance, ctx: BuildContext | None = None) -> None:
    """``ctx.relax_jobs``: on/off as a fraction (planning over a year; restarts then count fractional starts)."""
    relax = ctx is not None and ctx.relax_jobs
    T = range(inst.time.n_steps)
    dt = inst.time.dt_hours
    jobs = {j.id: j for j in inst.training_jobs}
    steps = {j: job_steps(inst, jobs[j]) for j in jobs}
    JT = [(j, t) for j in jobs for t in steps[j]]
    segs = {j: curve_segments(jobs[j]) for j in jobs}

    b.Power_MW = pyo.Var(JT, bounds=lambda _, j, t: (0.0, jobs[j].power_mw))
    b.Run = pyo.Var(JT, domain=pyo.UnitInterval if relax else pyo.Binary)
    b.Work_MWh = pyo.Var(JT, bounds=lambda _, j, t: (0.0, jobs[j].power_mw * dt))
    b.Unfinished_MWh = pyo.Var(list(jobs), bounds=lambda _, j: (0.0, jobs[j].work_mwh))

    b.max_power = pyo.Constraint(JT, rule=lambda _, j, t: b.Power_MW[j, t] <= jobs[j].power_mw * b.Run[j, t])
    b.min_power = pyo.Constraint(JT, rule=lambda _, j, t: b.Power_MW[j, t]
                                 >= jobs[j].min_power_fraction * jobs[j].power_mw * b.Run[j, t])
    # Work per step lies under every segment of the concave curve (its hypograph).
    b.throughput = pyo.Constraint([(j, t, k) for j, t in JT for k in range(len(segs[j]))],
                                  rule=lambda _, j, t, k: b.Work_MWh[j, t] <= dt * (
                                      segs[j][k][0] * b.Power_MW[j, t]
                                      + segs[j][k][1] * jobs[j].power_mw * b.Run[j, t]))

    tracked = [(j, t) for j, t in JT if not jobs[j].can_pause or jobs[j].restart_loss_hours > 0]
    b.Start = pyo.Var(tracked, bounds=(0.0, 1.0))

    def prev_run(j, t):
        return b.Run[j, t - 1] if (j, t - 1) in b.Run else 0

    # Start is exact: 1 exactly where the job runs and did not run the step before (Run is binary).
    b.start_def = pyo.Constraint(tracked, rule=lambda _, j, t: b.Start[j, t] >= b.Run[j, t] - prev_run(j, t))
    b.start_if_running = pyo.Constraint(tracked, rule=lambda _, j, t: b.Start[j, t] <= b.Run[j, t])
    b.start_if_was_off = pyo.Constraint(tracked, rule=lambda _, j, t: b.Start[j, t] <= 1 - prev_run(j, t))
    no_pause = [j for j in jobs if not jobs[j].can_pause and steps[j]]
    b.one_stretch = pyo.Constraint(no_pause, rule=lambda _, j: sum(b.Start[j, t] for t in steps[j]) <= 1)
    # Restarts = starts - (1 if the job ran at all): Ran is min(1, starts), exact because starts are integral.
    lossy = [j for j in jobs if jobs[j].can_pause and jobs[j].restart_loss_hours > 0 and steps[j]]
    b.Ran = pyo.Var(lossy, bounds=(0.0, 1.0))
    b.ran_if_started = pyo.Constraint([(j, t) for j in lossy for t in steps[j]],
                                      rule=lambda _, j, t: b.Ran[j] >= b.Start[j, t])
    b.ran_only_if_started = pyo.Constraint(lossy, rule=lambda _, j: b.Ran[j] <= sum(b.Start[j, t] for t in steps[j]))
    b.restarts = pyo.Expression(lossy, rule=lambda _, j: sum(b.Start[j, t] for t in steps[j]) - b.Ran[j])

    def done(j):
        loss = jobs[j].restart_loss_hours * jobs[j].power_mw * b.restarts[j] if j in lossy else 0
        return sum(b.Work_MWh[j, t] for t in steps[j]) - loss

    b.work_done_mwh = pyo.Expression(list(jobs), rule=lambda _, j: done(j))
    b.work_balance = pyo.Constraint(list(jobs), rule=lambda _, j: b.work_done_mwh[j] + b.Unfinished_MWh[j]
                                    == jobs[j].work_mwh)
    b.it_load_mw = pyo.Expression(T, rule=lambda _, t: sum(
        b.Power_MW[j, t] for j in jobs if (j, t) in b.Power_MW))
    b.cost_usd = pyo.Expression(["unfinished_work"], rule=lambda _, k: sum(
        jobs[j].unfinished_penalty_usd_per_mwh * b.Unfinished_MWh[j] for j in jobs))


def fix(b: pyo.Block, inst: Instance, history: History) -> None:
    """Steps before "now": each job's power and work as they were (work as reported, even off the curve:
    the past is a fact, and constraints among fixed values alone are dropped by the model builder)."""
    for j in inst.training_jobs:
        power, work = history.get(POWER.format(id=j.id)), history.get(WORK.format(id=j.id))
        for t in history.fixed_steps():
            if (j.id, t) not in b.Power_MW:
                continue
            if power is not None:
                b.Power_MW[j.id, t].fix(float(power[t]), skip_validation=True)
                b.Run[j.id, t].fix(1 if power[t] > 1e-6 else 0)
            if work is not None:
                b.Work_MWh[j.id, t].fix(float(work[t]), skip_validation=True)


def steps(inst: Instance, m, b: pyo.Block | None) -> dict[str, np.ndarray]:
    n = inst.time.n_steps
    cols: dict[str, np.ndarray] = {}
    for j in inst.training_jobs:
        power, work = np.zeros(n), np.zeros(n)
        steps_ = job_steps(inst, j)
        power[steps_] = values(b.Power_MW, [(j.id, t) for t in steps_])
        work[steps_] = values(b.Work_MWh, [(j.id, t) for t in steps_])
        cols[POWER.format(id=j.id)] = power
        cols[WORK.format(id=j.id)] = work
    return cols


def summary(inst: Instance, m, b: pyo.Block | None, steps, budgets=()) -> dict:
    dt = inst.time.dt_hours
    jobs = {}
    ends = inst.time.index + pd.Timedelta(minutes=inst.time.step_minutes)
    for j in inst.training_jobs:
        work = steps[WORK.format(id=j.id)].to_numpy()
        running = steps[POWER.format(id=j.id)].to_numpy() > EPS
        last = np.flatnonzero(work > EPS)
        jobs[j.id] = {
            "work_required_mwh": j.work_mwh, "work_done_mwh": float(pyo.value(b.work_done_mwh[j.id])),
            "unfinished_mwh": float(pyo.value(b.Unfinished_MWh[j.id])),
            "finish_time": ends[last[-1]].isoformat() if len(last) else None,
            "deadline": (j.deadline if j.deadline is not None else inst.time.end).isoformat(),
            "energy_mwh": float(steps[POWER.format(id=j.id)].sum() * dt),
            "starts": int(np.sum(np.diff(np.concatenate([[False], running]).astype(int)) > 0)),
        }
    return {"jobs": jobs}


def actuals(inst: Instance, given, values: dict[str, np.ndarray], k: int) -> None:
    """A job's power without its work: the work follows the throughput curve at that power; work without power:
    full power if the job did any work."""
    for j in inst.training_jobs:
        p, w = POWER.format(id=j.id), WORK.format(id=j.id)
        if given(p) and not given(w):
            power = given.value(p)
            y = float(interp_curve(j.throughput_curve, np.array([power / j.power_mw]))[0]) if power > 0 else 0.0
            values[w][k] = y * j.power_mw * inst.time.dt_hours
        elif given(w) and not given(p):
            values[p][k] = j.power_mw if given.value(w) > 0 else 0.0


def text(s: dict) -> list[str]:
    lines = []
    for j, v in s["jobs"].items():
        late = f", {v['unfinished_mwh']:.2f} MWh unfinished" if v["unfinished_mwh"] > 1e-6 else ""
        fin = v["finish_time"][11:16] if v["finish_time"] else "-"
        lines.append(f"  job {j:<14} {v['work_done_mwh']:.2f} of {v['work_required_mwh']:g} MWh, done {fin}{late}")
    return lines


COMPONENT = Component(
    name="training_jobs", item="job", many=True, section=TrainingJob, role=Role.IT_LOAD,
    description="training jobs: power caps with a concave throughput curve, pauses, restarts and deadlines",
    present=lambda inst, ctx: bool(inst.training_jobs),
    build=build, fix=fix,
    cost_terms=(("unfinished_work", "penalty x work left undone at the deadline"),),
    columns=(
        Column(POWER, "MW", "power the job draws (0 outside its window or while paused)", replan=True),
        Column(WORK, "MWh at full speed", "work it does in the step (on its throughput curve)", replan=True),
    ),
    steps=steps,
    summary_entries=(
        SummaryEntry("jobs", "", "one entry per training job id", "object"),
        SummaryEntry("jobs.{id}.work_required_mwh", "MWh", "its work_mwh"),
        SummaryEntry("jobs.{id}.work_done_mwh", "MWh", "work done, less restart losses"),
        SummaryEntry("jobs.{id}.unfinished_mwh", "MWh", "work left undone at its deadline"),
        SummaryEntry("jobs.{id}.finish_time", "", "end of the last step it does work in (null if none)",
                     "time or null"),
        SummaryEntry("jobs.{id}.deadline", "", "its deadline (the horizon's end if none)", "time"),
        SummaryEntry("jobs.{id}.energy_mwh", "MWh", "energy it draws"),
        SummaryEntry("jobs.{id}.starts", "", "stretches it runs in", "integer"),
    ),
    summary=summary, actuals=actuals, text=text,
)
