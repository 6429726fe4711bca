"""The checker's part for training jobs, re-derived from the instance (``[[training_jobs]]``) and ``steps.csv``
alone: the window, power and work limits, the throughput curve, one stretch for a job that cannot pause, the
state at the horizon start, the minimum run and pause times, the restart cost and the restart count.

A re-plan's fixed steps are what happened: a stretch that ended before "now" owes no more of its minimum run
time, a resume before "now" no more of its minimum pause, and a minimum carried in from the initial state binds
only while that state lasted through them (as ``energyopt.model.training.fix`` does)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .base import Ctx
from .physics import interp, runs

SECTION = "training_jobs"


def steps_of(hours: float, dt: float) -> int:
    """A duration in whole steps, rounded up (0 for none)."""
    return int(math.ceil(hours / dt - 1e-9)) if hours > 0 else 0


def job_window(ctx: Ctx, job) -> np.ndarray:
    """Steps lying wholly inside ``[release, deadline)``, as a boolean mask."""
    time = ctx.inst.time
    release = pd.Timestamp(job.release) if job.release is not None else time.start
    deadline = pd.Timestamp(job.deadline) if job.deadline is not None else time.end
    starts = time.index
    ends = starts + pd.Timedelta(minutes=time.step_minutes)
    return np.asarray((starts >= release) & (ends <= deadline), dtype=bool)


def throughput(job, frac: np.ndarray) -> np.ndarray:
    """Share of full speed at a power fraction (the loader makes the curve cover every allowed cap)."""
    return interp(job.throughput_curve, frac)


def job_running(ctx: Ctx, job) -> np.ndarray:
    return ctx.col(f"job.{job.id}.power_mw") > ctx.allow(job.power_mw)


def resumes(ctx: Ctx, job) -> int:
    """Resumes after a pause: a running step after a paused one, not the first start of a job that had not
    started before the horizon, nor the stretch from step 0 of a job running then (every start of a job paused
    at the horizon start, ``initial_hours_in_state`` given, is one)."""
    running = job_running(ctx, job)
    n = len(runs(running))
    if job.initially_running and ctx.n and running[0]:
        return n - 1
    started_before = job.initially_running or job.initial_hours_in_state is not None
    return n if started_before else max(n - 1, 0)


def work_done(ctx: Ctx, job) -> float:
    """Work of every step, less the restart loss at each resume (pausable jobs)."""
    restarts = resumes(ctx, job) if job.can_pause else 0
    return float(ctx.col(f"job.{job.id}.work_mwh").sum() - job.restart_loss_hours * job.power_mw * restarts)


def finished(ctx: Ctx, job) -> bool:
    """All its work done (what lets a job stop before its minimum run time, for good)."""
    return work_done(ctx, job) >= job.work_mwh - ctx.allow(job.work_mwh)


def columns(ctx: Ctx) -> list[str]:
    return [f"job.{j.id}.{x}" for j in ctx.inst.training_jobs for x in ("power_mw", "work_mwh")]


def supply(ctx: Ctx) -> list[np.ndarray]:
    return []


def costs(ctx: Ctx) -> dict[str, tuple[float, float]]:
    parts = [j.restart_cost_usd * resumes(ctx, j) for j in ctx.inst.training_jobs if j.can_pause]
    return {"restarts": (float(sum(parts)), float(sum(abs(p) for p in parts)))}


def check(ctx: Ctx) -> None:
    for j in ctx.inst.training_jobs:
        name, P = f"job {j.id}", j.power_mw
        power, work = ctx.col(f"job.{j.id}.power_mw"), ctx.col(f"job.{j.id}.work_mwh")
        window = job_window(ctx, j)
        running = job_running(ctx, j)
        for t in np.flatnonzero(~window & (running | (np.abs(work) > ctx.allow(P * ctx.dt)))):
            ctx.add("job.window", int(t), f"{name} draws {power[t]:.6g} MW / does {work[t]:.6g} MWh outside "
                    "the steps wholly inside [release, deadline)", max(abs(power[t]), abs(work[t])))
        ctx.leq("job.max_power", power, P, f"{name}: power <= full power")
        ctx.leq("job.power_nonnegative", -power, 0.0, f"{name}: -power <= 0")
        r = np.flatnonzero(running)
        ctx.leq("job.min_power", np.full(len(r), j.min_power_fraction * P), power[r],
                f"{name}: min fraction * full power <= power while running", steps=r)
        ctx.leq("job.work_nonnegative", -work, 0.0, f"{name}: -work <= 0")
        bound = np.where(running, ctx.dt * P * throughput(j, np.clip(power / P, 0.0, None)), 0.0)
        ctx.leq("job.throughput", work, bound, f"{name}: work <= dt * P * throughput(power / P)")
        stretches = runs(running)
        if not j.can_pause and len(stretches) > 1:
            ctx.add("job.one_stretch", stretches[1][0], f"{name} cannot pause but runs in {len(stretches)} "
                    "stretches", len(stretches) - 1)
        inside = np.flatnonzero(window)
        end = int(inside[-1]) + 1 if len(inside) else 0   # the window's end (a step index)
        _initial_state(ctx, j, stretches, end)
        _min_run(ctx, j, stretches, end)
        _min_pause(ctx, j, stretches)
        jobs = ctx.summary.get("jobs")
        entry = jobs.get(j.id) if isinstance(jobs, dict) else None
        if isinstance(entry, dict):
            ctx.eq("summary.jobs", entry.get("restarts"), resumes(ctx, j), f"jobs.{j.id}.restarts")


def _initial_state(ctx: Ctx, j, stretches: list[tuple[int, int]], end: int) -> None:
    """A job running at the horizon start: one that cannot pause starts no new stretch, and it runs on for what
    is left of its minimum run time (unless it finishes its work sooner); a job paused then stays paused for what
    is left of its minimum pause."""
    name, k, dt = f"job {j.id}", ctx.fixed_steps, ctx.dt
    if j.initially_running:
        if not j.can_pause:
            for a, _ in stretches:
                if a > 0 and a >= k:
                    ctx.add("job.initial_state", a, f"{name} cannot pause and was running at the horizon start: "
                            "it cannot start a new stretch", 1.0)
        if j.initial_hours_in_state is not None:
            need = min(steps_of(max(0.0, j.min_run_hours - j.initial_hours_in_state), dt), end)
            b0 = stretches[0][1] if stretches and stretches[0][0] == 0 else 0
            excused = b0 > 0 and len(stretches) == 1 and finished(ctx, j)
            if b0 < need and b0 >= k and not excused:
                ctx.add("job.initial_state", b0, f"{name} was running for {j.initial_hours_in_state:g} h at the "
                        f"horizon start and stops after {b0} step(s); its min run time ({j.min_run_hours:g} h) "
                        f"needs {need}", need - b0)
    elif j.initial_hours_in_state is not None and stretches:
        need = steps_of(max(0.0, j.min_pause_hours - j.initial_hours_in_state), dt) if j.can_pause else 0
        a1 = stretches[0][0]
        if a1 < need and a1 >= k:
            ctx.add("job.initial_state", a1, f"{name} was paused for {j.initial_hours_in_state:g} h at the horizon "
                    f"start and resumes after {a1} step(s); its min pause ({j.min_pause_hours:g} h) needs {need}",
                    need - a1)


def _min_run(ctx: Ctx, j, stretches: list[tuple[int, int]], end: int) -> None:
    """Each stretch started in the horizon runs ``min_run_hours`` (or to the end of its window), unless it is the
    job's last and the job has finished its work."""
    up = steps_of(j.min_run_hours, ctx.dt)
    if up <= 1:
        return
    for i, (a, b) in enumerate(stretches):
        if a == 0 and j.initially_running:
            continue   # under way at the start: its minimum is the initial state's
        need = min(up, end - a)
        excused = i == len(stretches) - 1 and finished(ctx, j)
        if b - a < need and b >= ctx.fixed_steps and not excused:
            ctx.add("job.min_run", a, f"job {j.id} started here runs {b - a} step(s); min run is {up} step(s) "
                    f"({j.min_run_hours:g} h) and its work is not finished", need - (b - a))


def _min_pause(ctx: Ctx, j, stretches: list[tuple[int, int]]) -> None:
    """Each pause lasts ``min_pause_hours``; a job running at the start and not at step 0 paused at step 0."""
    down = steps_of(j.min_pause_hours, ctx.dt) if j.can_pause else 0
    if down <= 1:
        return
    gaps = [(b, a2) for (_, b), (a2, _) in zip(stretches, stretches[1:])]
    if j.initially_running and stretches and stretches[0][0] > 0:
        gaps.insert(0, (0, stretches[0][0]))   # it was running before step 0: it paused there
    for b, a2 in gaps:
        if a2 - b < down and a2 >= ctx.fixed_steps:
            ctx.add("job.min_pause", b, f"job {j.id} paused here resumes after {a2 - b} step(s); min pause is "
                    f"{down} step(s) ({j.min_pause_hours:g} h)", down - (a2 - b))
