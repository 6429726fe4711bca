"""Training jobs: power caps with a concave throughput curve, pauses, restarts (lost work and a cost), minimum run
and pause times, the state at the horizon start, and deadlines."""
from __future__ import annotations

import math

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


def steps_of(hours: float, dt: float) -> int:
    """A duration in whole steps, rounded up (0 for none)."""
    return int(math.ceil(hours / dt - 1e-9)) if hours > 0 else 0


def initial_run_steps(job: TrainingJob, dt: float) -> int:
    """Steps from the horizon start a job running then must still run (its minimum run time less the hours it
    has run, ``initial_hours_in_state``; none if that is not given)."""
    if not job.initially_running or job.initial_hours_in_state is None:
        return 0
    return steps_of(max(0.0, job.min_run_hours - job.initial_hours_in_state), dt)


def initial_pause_steps(job: TrainingJob, dt: float) -> int:
    """Steps from the horizon start a job paused then must stay paused (its minimum pause less the hours it has
    been paused; none for a job that has not started, ``initial_hours_in_state`` not given)."""
    if job.initially_running or job.initial_hours_in_state is None:
        return 0
    return steps_of(max(0.0, job.min_pause_hours - job.initial_hours_in_state), dt)


def build(b: pyo.Block, inst: Instance, ctx: BuildContext | None = None) -> None:
    """``ctx.relax_jobs``: on/off as a fraction (planning over a year; restarts then count fractional starts)."""
    relax = ctx is not None and ctx.relax_jobs
    T = range(inst.time.n_steps)
    dt = inst.time.dt_hours
    jobs = {j.id: j for j in inst.training_jobs}
    steps = {j: job_steps(inst, jobs[j]) for j in jobs}
    JT = [(j, t) for j in jobs for t in steps[j]]
    segs = {j: curve_segments(jobs[j]) for j in jobs}
    up = {j: steps_of(jobs[j].min_run_hours, dt) for j in jobs}
    down = {j: steps_of(jobs[j].min_pause_hours, dt) if jobs[j].can_pause else 0 for j in jobs}
    run0 = {j: initial_run_steps(jobs[j], dt) for j in jobs}
    pause0 = {j: initial_pause_steps(jobs[j], dt) for j in jobs}
    # Running at the horizon start (the loader makes its window start there): its stretch from step 0 is no start.
    on0 = {j: jobs[j].initially_running and bool(steps[j]) and steps[j][0] == 0 for j in jobs}

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

    def needs_start(j: str) -> bool:
        job = jobs[j]
        return (not job.can_pause or job.restart_loss_hours > 0 or job.restart_cost_usd > 0
                or up[j] > 1 or down[j] > 1)

    tracked = [(j, t) for j, t in JT if needs_start(j)]
    b.Start = pyo.Var(tracked, bounds=(0.0, 1.0))

    def prev_run(j, t):
        if (j, t - 1) in b.Run:
            return b.Run[j, t - 1]
        return 1 if on0[j] and t == 0 else 0

    # Start is at least the transition: 1 where the job runs and did not run the step before. Every row that
    # holds Start has it on the side where less is better (one stretch, minimum run and pause, restart losses
    # and costs), so a schedule never gains from a larger Start, and with binary Run the rows Start <= Run[t] and
    # Start <= 1 - Run[t-1] are left out: they do not move the relaxation's bound, and without them HiGHS's root
    # cut rounds are faster (benchmarks/operations.py; README, Speed). ``tighten`` sets Start to the transition
    # itself after the solve. With relaxed on/off (plans over a year) they stay: fractional starts are counted.
    b.start_def = pyo.Constraint(tracked, rule=lambda _, j, t: b.Start[j, t] >= b.Run[j, t] - prev_run(j, t))
    upper = tracked if relax else []
    b.start_if_running = pyo.Constraint(upper, rule=lambda _, j, t: b.Start[j, t] <= b.Run[j, t])
    b.start_if_was_off = pyo.Constraint(upper, rule=lambda _, j, t: b.Start[j, t] <= 1 - prev_run(j, t))
    b.on0, b.relaxed, b.work_mwh = on0, relax, {j: jobs[j].work_mwh for j in jobs}   # read by tighten()
    # A stop is the other side of the transition: Run[t] - Run[t-1] = Start[t] - stop[t] (exact, as Start is).
    b.stop = pyo.Expression(tracked, rule=lambda _, j, t: b.Start[j, t] - b.Run[j, t] + prev_run(j, t))
    no_pause = [j for j in jobs if not jobs[j].can_pause and steps[j]]
    # One stretch; none new for a job already running at the start (its stretch is the one under way).
    b.one_stretch = pyo.Constraint(no_pause, rule=lambda _, j: sum(b.Start[j, t] for t in steps[j])
                                   <= (0 if on0[j] else 1))

    # Finished[j,t] = 1: all its work is done by the end of step t and it never runs again. Only then may a job
    # stop before its minimum run time. Continuous: it binds only at 1 (starts and Run are integral).
    finishing = [j for j in jobs if steps[j] and (up[j] > 1 or run0[j] > 0)]
    b.Finished = pyo.Var([(j, t) for j in finishing for t in steps[j]], bounds=(0.0, 1.0))

    def finished_before(j, t):
        return b.Finished[j, t - 1] if (j, t - 1) in b.Finished else 0

    later = [(j, t) for j in finishing for t in steps[j][1:]]
    b.finished_stays = pyo.Constraint(later, rule=lambda _, j, t: b.Finished[j, t] >= b.Finished[j, t - 1])
    b.finished_stops = pyo.Constraint(later, rule=lambda _, j, t: b.Run[j, t] <= 1 - b.Finished[j, t - 1])
    b.finished_done = pyo.Constraint(finishing, rule=lambda _, j: b.Unfinished_MWh[j]
                                     <= jobs[j].work_mwh * (1 - b.Finished[j, steps[j][-1]]))
    # Minimum run time (the tight form): a start in the last U steps keeps it running, unless it has finished.
    b.min_run = pyo.Constraint([(j, t) for j, t in JT if up[j] > 1], rule=lambda _, j, t: sum(
        b.Start[j, s] for s in range(max(steps[j][0], t - up[j] + 1), t + 1)) <= b.Run[j, t] + finished_before(j, t))
    b.min_run_initial = pyo.Constraint([(j, t) for j, t in JT if t < run0[j]],
                                       rule=lambda _, j, t: b.Run[j, t] + finished_before(j, t) >= 1)
    # Minimum pause: a stop in the last L steps keeps it paused.
    b.min_pause = pyo.Constraint([(j, t) for j, t in JT if down[j] > 1], rule=lambda _, j, t: sum(
        b.stop[j, s] for s in range(max(steps[j][0], t - down[j] + 1), t + 1)) <= 1 - b.Run[j, t])
    b.min_pause_initial = pyo.Constraint([(j, t) for j, t in JT if t < pause0[j]],
                                         rule=lambda _, j, t: b.Run[j, t] <= 0)
    b.min_run_after_now = pyo.Constraint(pyo.Any)     # filled only when re-planning (see fix)
    b.min_pause_after_now = pyo.Constraint(pyo.Any)

    # Restarts: every start of a job that ran before the horizon; otherwise starts - 1 if it ran at all (Ran is
    # min(1, starts), exact because starts are integral).
    restarting = [j for j in jobs if jobs[j].can_pause and steps[j]
                  and (jobs[j].restart_loss_hours > 0 or jobs[j].restart_cost_usd > 0)]
    fresh = [j for j in restarting if not jobs[j].started_before]
    b.Ran = pyo.Var(fresh, bounds=(0.0, 1.0))
    b.ran_if_started = pyo.Constraint([(j, t) for j in fresh for t in steps[j]],
                                      rule=lambda _, j, t: b.Ran[j] >= b.Start[j, t])
    b.ran_only_if_started = pyo.Constraint(fresh, rule=lambda _, j: b.Ran[j] <= sum(b.Start[j, t] for t in steps[j]))
    b.restarts = pyo.Expression(restarting, rule=lambda _, j: sum(b.Start[j, t] for t in steps[j])
                                - (b.Ran[j] if j in fresh else 0))

    def done(j):
        loss = jobs[j].restart_loss_hours * jobs[j].power_mw * b.restarts[j] if j in restarting else 0
        return sum(b.Work_MWh[j, t] for t in steps[j]) - loss

    b.work_done_mwh = pyo.Expression(list(jobs), rule=lambda _, j: done(j))
    b.work_balance = pyo.Constraint(list(jobs), rule=lambda _, j: b.work_done_mwh[j] + b.Unfinished_MWh[j]
                                    == jobs[j].work_mwh)
    b.it_load_mw = pyo.Expression(T, rule=lambda _, t: sum(
        b.Power_MW[j, t] for j in jobs if (j, t) in b.Power_MW))
    terms = {"unfinished_work": lambda: sum(jobs[j].unfinished_penalty_usd_per_mwh * b.Unfinished_MWh[j]
                                            for j in jobs),
             "restarts": lambda: sum(jobs[j].restart_cost_usd * b.restarts[j] for j in restarting)}
    b.cost_usd = pyo.Expression(list(terms), rule=lambda _, k: terms[k]())


def fix(b: pyo.Block, inst: Instance, history: History) -> None:
    """Steps before "now": each job's power and work as they were (work as reported, even off the curve:
    the past is a fact, and constraints among fixed values alone are dropped by the model builder).

    The history decides the state at "now" (the initial state applies at the horizon start): a job paused
    at "now" owes no more of a minimum run time begun before it (even one it broke, as after a fault), a job
    running at "now" owes no more of a minimum pause, and a minimum carried in from the initial state binds
    only while that state lasted through the fixed steps."""
    k, dt = history.n_fixed, inst.time.dt_hours
    for j in inst.training_jobs:
        power, work = history.get(POWER.format(id=j.id)), history.get(WORK.format(id=j.id))
        mine = [t for t in history.fixed_steps() if (j.id, t) in b.Power_MW]
        for t in mine:
            if power is not None:
                b.Power_MW[j.id, t].fix(float(power[t]), skip_validation=True)
                b.Run[j.id, t].fix(1 if power[t] > EPS else 0)
            if work is not None:
                b.Work_MWh[j.id, t].fix(float(work[t]), skip_validation=True)
        if power is None or not mine:
            continue
        ran = {t: power[t] > EPS for t in mine}
        was = bool(j.initially_running and mine[0] == 0)
        for t in mine:
            if (j.id, t) in b.Start:
                b.Start[j.id, t].fix(1 if ran[t] and not was else 0)
            was = ran[t]
        _fix_minimums(b, j, mine, ran, k, dt)


def _fix_minimums(b: pyo.Block, j: TrainingJob, mine: list[int], ran: dict, k: int, dt: float) -> None:
    """The rows of the minimum run and pause at the boundary of a re-plan's fixed past (see ``fix``)."""
    rows = [(con, t) for con in (b.min_run, b.min_pause, b.min_run_initial, b.min_pause_initial)
            for (i, t) in con if i == j.id]
    for con, t in rows:
        if t < k:
            con[j.id, t].deactivate()   # the past is a fact
    running_now = ran[mine[-1]] if mine[-1] == k - 1 else False
    if not all(ran.values()):           # the initial stretch ended in the fixed steps
        for (i, t) in list(b.min_run_initial):
            if i == j.id and t >= k:
                b.min_run_initial[i, t].deactivate()
    if any(ran.values()):               # the initial pause ended in the fixed steps
        for (i, t) in list(b.min_pause_initial):
            if i == j.id and t >= k:
                b.min_pause_initial[i, t].deactivate()
    up, down = steps_of(j.min_run_hours, dt), steps_of(j.min_pause_hours, dt)

    def finished_before(t):
        return b.Finished[j.id, t - 1] if (j.id, t - 1) in b.Finished else 0

    for t in range(k, k + max(up, down)):
        if not running_now and (j.id, t) in b.min_run and t < k + up - 1:
            b.min_run[j.id, t].deactivate()
            b.min_run_after_now[j.id, t] = sum(b.Start[j.id, s] for s in range(max(k, t - up + 1), t + 1)) \
                <= b.Run[j.id, t] + finished_before(t)
        if running_now and (j.id, t) in b.min_pause and t < k + down - 1:
            b.min_pause[j.id, t].deactivate()
            b.min_pause_after_now[j.id, t] = sum(b.stop[j.id, s] for s in range(max(k, t - down + 1), t + 1)) \
                <= 1 - b.Run[j.id, t]


def tighten(b: pyo.Block) -> None:
    """After a solve, set each start to the on/off change itself and ``Ran`` to whether the job started, then the
    unfinished work to what the work done less its restart losses leaves (the schedule is unchanged; only a
    Start the solver left above the transition, possible at a nonzero gap, changes the figures). Work above
    what the job needed (only where the losses counted were too many) is taken off its last steps."""
    if b.relaxed or not len(b.Start):
        return
    was: dict[str, int] = {}
    for j, t in b.Run:   # in step order per job
        run = round(pyo.value(b.Run[j, t]))
        if (j, t) in b.Start:
            prev = was.get(j, 1 if b.on0[j] and t == 0 else 0)
            b.Start[j, t].set_value(float(max(run - prev, 0)))
        was[j] = run
    for j in b.Ran:
        b.Ran[j].set_value(float(min(1.0, sum(pyo.value(b.Start[i, t]) for i, t in b.Start if i == j))))
    for j in b.restarts:
        left = b.work_mwh[j] - pyo.value(b.work_done_mwh[j])
        for key in reversed([k for k in b.Work_MWh if k[0] == j and left < 0]):
            cut = min(-left, pyo.value(b.Work_MWh[key]))
            b.Work_MWh[key].set_value(pyo.value(b.Work_MWh[key]) - cut)
            left += cut
            if left >= 0:
                break
        b.Unfinished_MWh[j].set_value(max(0.0, left))


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
        starts = int(np.sum(np.diff(np.concatenate([[False], running]).astype(int)) > 0))
        jobs[j.id] = {
            "work_required_mwh": j.work_mwh, "work_done_mwh": float(pyo.value(b.work_done_mwh[j.id])),
            "unfinished_mwh": float(pyo.value(b.Unfinished_MWh[j.id])),
            "finish_time": ends[last[-1]].isoformat() if len(last) else None,
            "deadline": (j.deadline if j.deadline is not None else inst.time.end).isoformat(),
            "energy_mwh": float(steps[POWER.format(id=j.id)].sum() * dt),
            "starts": starts,
            "restarts": resumes(j, starts, bool(len(running) and running[0])),
        }
    return {"jobs": jobs}


def resumes(job: TrainingJob, stretches: int, runs_at_start: bool) -> int:
    """Resumes after a pause among a job's ``stretches``: all but its first start, every start of a job paused at
    the horizon start, every stretch but the one under way from step 0 of a job running then."""
    if job.initially_running and runs_at_start:
        return stretches - 1
    return stretches if job.started_before else max(stretches - 1, 0)


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
    build=build, fix=fix, tighten=tighten,
    cost_terms=(("unfinished_work", "penalty x work left undone at the deadline"),
                ("restarts", "restart cost x resumes after a pause")),
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
        SummaryEntry("jobs.{id}.restarts", "", "resumes after a pause (a stretch under way at the horizon start "
                     "is none; every start of a job paused then is one)", "integer"),
    ),
    summary=summary, actuals=actuals, text=text,
)
