"""Links across a plan's representative periods, along the chronological sequence of the year's days.

Storage (Kotzur et al. 2018, "Time series aggregation for energy system design: modeling seasonal storage",
Applied Energy 213): in each period a store's level is relative to the period's start (``level[0] = 0``);
each day of the horizon (``inputs.periods.chronology``: every member day of a typical day, every event,
edge and extreme period) has a level at its start, ``Level[c]``, and ends at ``Level[c] + level_p[n]`` of
the period ``p`` that stands for it. The absolute level stays within the store's bounds on every day:
``Level[c] + Hi_p <= high`` and ``Level[c] + Lo_p >= low`` with ``Lo_p <= level_p[t] <= Hi_p`` over the
period's steps (exact: a day's absolute levels are ``Level[c]`` plus its period's relative levels). The
year starts at the store's initial level and ends at least as full, as the full-horizon model does.

Training jobs (``inputs.periods.job_parts(linked=True)``): a job's parts in the periods are averages of it
running alike on the member days inside its window; the weighted work of all its parts plus what is left
undone equals its work, and only that is penalized. Work thus moves freely between any days of its window,
which is all a job's window asks (a job's cumulative work has no bound before its deadline)."""
from __future__ import annotations

import pyomo.environ as pyo

from ..inputs.periods import Period, chronology, job_parts


def link_storage(b: pyo.Block, periods: list[Period], blocks: list[pyo.Block]) -> None:
    """One ``b.storage_link[name]`` block per store the periods expose (``blk.<name>.linked_level``)."""
    seq = chronology(periods)
    C = range(len(seq))
    P = range(len(periods))
    names = [blk.local_name for blk in blocks[0].component_blocks if hasattr(blk, "linked_level")]
    b.storage_link = pyo.Block(names)
    for name in names:
        lv = [getattr(blocks[i], name).linked_level for i in P]
        s = b.storage_link[name]
        s.Level = pyo.Var(range(len(seq) + 1))
        s.Hi = pyo.Var(P)
        s.Lo = pyo.Var(P)
        s.hi = pyo.Constraint([(i, t) for i in P for t in range(lv[i].n + 1)],
                              rule=lambda _, i, t: s.Hi[i] >= lv[i].level[t])
        s.lo = pyo.Constraint([(i, t) for i in P for t in range(lv[i].n + 1)],
                              rule=lambda _, i, t: s.Lo[i] <= lv[i].level[t])
        s.step = pyo.Constraint(C, rule=lambda _, c: s.Level[c + 1] == s.Level[c] + lv[seq[c][2]].level[
            lv[seq[c][2]].n])
        s.below_high = pyo.Constraint(C, rule=lambda _, c: s.Level[c] + s.Hi[seq[c][2]] <= lv[seq[c][2]].high)
        s.above_low = pyo.Constraint(C, rule=lambda _, c: s.Level[c] + s.Lo[seq[c][2]] >= lv[seq[c][2]].low)
        s.start = pyo.Constraint(expr=s.Level[0] == lv[0].start)
        s.end = pyo.Constraint(expr=s.Level[len(seq)] >= lv[0].start)


def link_jobs(b: pyo.Block, inst, periods: list[Period], blocks: list[pyo.Block], linked: bool) -> dict:
    """Per training job, its work left undone over the horizon (a Pyomo expression); with ``linked``, the
    constraints that bind its parts' weighted work to its work (``b.job_link``) and the penalty of what is
    left (``b.job_link.cost_usd``, 0 without linking: each part then prices its own)."""
    parts: dict[str, list] = {j.id: [] for j in inst.training_jobs}
    for i, p in enumerate(periods):
        for jid, share, whole in job_parts(inst, p, linked):
            parts[jid].append((i, share.id, whole))
    jobs = {j.id: j for j in inst.training_jobs}
    shared = [j for j in jobs if linked and parts[j] and not all(w for _, _, w in parts[j])]
    b.job_link = pyo.Block()
    lk = b.job_link
    lk.Unfinished_MWh = pyo.Var(shared, bounds=lambda _, j: (0.0, jobs[j].work_mwh))
    lk.work = pyo.Constraint(shared, rule=lambda _, j: sum(
        periods[i].weight * blocks[i].training_jobs.work_done_mwh[k] for i, k, _ in parts[j])
        + lk.Unfinished_MWh[j] == jobs[j].work_mwh)
    lk.cost_usd = pyo.Expression(expr=sum(jobs[j].unfinished_penalty_usd_per_mwh * lk.Unfinished_MWh[j]
                                          for j in shared))

    def left(j):
        if j in shared:
            return lk.Unfinished_MWh[j]
        if not parts[j]:   # no step of its window in any period: all of it is undone
            return jobs[j].work_mwh
        return sum(periods[i].weight * blocks[i].training_jobs.Unfinished_MWh[k] for i, k, _ in parts[j])

    return {j: left(j) for j in jobs}
