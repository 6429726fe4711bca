"""Representative periods for planning: a year cut into local days, of which the plan models only

* every day a curtailment notice touches (consecutive such days merged into one period), weight 1, so an
  event is always modeled whole, with the hours before and after it on the same days;
* the partial days at the ends of a horizon that does not start or end at local midnight, weight 1;
* optionally the extreme event-free days (the hottest, the one with the highest price, the one with the
  highest load), weight 1;
* ``typical_days`` days chosen by k-means clustering of the remaining days' hourly price, temperature and
  load profiles: each cluster is represented by its medoid (the real day nearest its centre), weighted by
  its members' hours over the medoid's (the number of days, but exact across 23- and 25-hour days).

Weight times hours adds up to the horizon's hours over a scenario's periods, so weighted sums of costs and
permit hours stand for the whole horizon. Each period becomes an instance of its own
(:func:`slice_instance`): series cut to its steps, the notices inside it, and each training job's work on
the days the period stands for (see docs/plan.md).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pydantic import BaseModel

from .instance import Instance
from .schema import SeriesInput
from .timegrid import TimeGrid

KMEANS_RESTARTS = 8
KMEANS_MAX_ITER = 100


@dataclass(frozen=True)
class Period:
    label: str          #: first local date, or "first..last" for a multi-day event period
    first_step: int     #: index of its first step in the horizon
    n_steps: int
    weight: float       #: how many periods like it the year holds (1 for event, edge and extreme days)
    kind: str           #: "event", "edge", "extreme", "typical" or "horizon"
    #: (first step, steps) of every day it stands for (itself, unless a typical day)
    members: tuple[tuple[int, int], ...]

    @property
    def stands_for_itself(self) -> bool:
        return self.members == ((self.first_step, self.n_steps),)


def whole_horizon(inst: Instance) -> list[Period]:
    """The horizon as one period of weight 1 (planning over the full year)."""
    return [Period("horizon", 0, inst.time.n_steps, 1.0, "horizon", ((0, inst.time.n_steps),))]


def select_periods(inst: Instance, typical_days: int, extreme_days: bool = True, seed: int = 0) -> list[Period]:
    """The periods of one scenario (``inst`` carries that scenario's notices), in time order."""
    days = inst.time.local_days
    n_days = len(days)
    day_of_step = np.empty(inst.time.n_steps, dtype=int)
    for d, (_, steps) in enumerate(days):
        day_of_step[steps] = d
    event = np.zeros(n_days, dtype=bool)
    for n in inst.notices:
        steps = inst.time.steps_overlapping(n.start, n.end)
        if steps:
            event[day_of_step[steps[0]]:day_of_step[steps[-1]] + 1] = True

    def span(d: int) -> tuple[int, int]:
        return days[d][1][0], len(days[d][1])

    def period(first_day: int, last_day: int, kind: str, members: list[int] | None = None) -> Period:
        first = days[first_day][1][0]
        last = days[last_day][1][-1]
        label = days[first_day][0] if first_day == last_day else f"{days[first_day][0]}..{days[last_day][0]}"
        n = last - first + 1
        if members is None:
            return Period(label, first, n, 1.0, kind, ((first, n),))
        spans = tuple(span(m) for m in members)
        return Period(label, first, n, sum(k for _, k in spans) / n, kind, spans)

    out: list[Period] = []
    d = 0
    while d < n_days:                  # runs of consecutive event days
        if event[d]:
            e = d
            while e + 1 < n_days and event[e + 1]:
                e += 1
            out.append(period(d, e, "event"))
            d = e + 1
        else:
            d += 1
    # Partial days (a horizon starting or ending off local midnight) are modeled as they are.
    partial = [d for d in range(n_days) if not event[d] and len(days[d][1]) * inst.time.dt_hours < 23]
    out += [period(d, d, "edge") for d in partial]
    free = [d for d in range(n_days) if not event[d] and d not in partial]
    features = day_features(inst)
    if extreme_days and free:
        for col in extreme_columns(inst):
            if not free:
                break
            pick = max(free, key=lambda x: (features[col][x].max(), -x))
            out.append(period(pick, pick, "extreme"))
            free.remove(pick)
    if free:
        X = np.hstack([_standardized(features[c])[free] for c in features])
        labels = kmeans(X, min(typical_days, len(free)), seed)
        for c in np.unique(labels):
            members = np.flatnonzero(labels == c)
            centre = X[members].mean(axis=0)
            medoid = members[np.argmin(((X[members] - centre) ** 2).sum(axis=1))]
            out.append(period(free[medoid], free[medoid], "typical", [free[i] for i in members]))
    return sorted(out, key=lambda p: p.first_step)


def day_features(inst: Instance) -> dict[str, np.ndarray]:
    """Per local day, 24 hourly values of each profile (days of 23 or 25 hours resampled to 24 points)."""
    cols = {"price": inst.grid.price_usd_per_mwh.values,
            "load": inst.site.it_load_mw.values + sum((s.demand_mw.values for s in inst.inference),
                                                      np.zeros(inst.time.n_steps))}
    if inst.cooling is not None:
        cols["temperature"] = inst.cooling.outdoor_temp_c.values
    out = {}
    for name, v in cols.items():
        rows = []
        for _, steps in inst.time.local_days:
            x = np.asarray(v, dtype=float)[steps]
            rows.append(np.interp(np.linspace(0, len(x) - 1, 24), np.arange(len(x)), x) if len(x) > 1
                        else np.full(24, x[0]))
        out[name] = np.array(rows)
    return out


def extreme_columns(inst: Instance) -> list[str]:
    return ["temperature", "price", "load"] if inst.cooling is not None else ["price", "load"]


def _standardized(a: np.ndarray) -> np.ndarray:
    sd = a.std()
    return (a - a.mean()) / sd if sd > 0 else np.zeros_like(a)


def kmeans(X: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Cluster labels of the rows of ``X`` into at most ``k`` groups: Lloyd's algorithm from k-means++
    starts, the best of a few seeded restarts (deterministic for a seed)."""
    n = len(X)
    if k >= n:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    best, best_inertia = None, np.inf
    for _ in range(KMEANS_RESTARTS):
        centres = [X[rng.integers(n)]]
        for _ in range(1, k):
            d2 = np.min([((X - c) ** 2).sum(axis=1) for c in centres], axis=0)
            centres.append(X[rng.choice(n, p=d2 / d2.sum())] if d2.sum() > 0 else X[rng.integers(n)])
        C = np.array(centres)
        labels = np.full(n, -1)
        for _ in range(KMEANS_MAX_ITER):
            new = np.argmin(((X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2), axis=1)
            if np.array_equal(new, labels):
                break
            labels = new
            C = np.array([X[labels == c].mean(axis=0) if (labels == c).any() else C[c] for c in range(k)])
        inertia = ((X - C[labels]) ** 2).sum()
        if inertia < best_inertia - 1e-12:
            best, best_inertia = labels.copy(), inertia
    return best


def slice_instance(inst: Instance, p: Period) -> Instance:
    """The instance over one period's steps: series views, the notices inside it, and the training jobs'
    work on the days it stands for (:func:`_job_shares`)."""
    sl = slice(p.first_step, p.first_step + p.n_steps)
    start = inst.time.index[p.first_step]
    end = start + pd.Timedelta(minutes=inst.time.step_minutes * p.n_steps)
    out = _sliced(inst, sl)
    out = out.model_copy(update={
        "name": f"{inst.name} {p.label}",
        "horizon": inst.horizon.model_copy(update={"start": start.to_pydatetime(), "hours": p.n_steps *
                                                   inst.time.dt_hours, "days": None}),
        "notices": [n for n in inst.notices if n.start < end and n.end > start],
        "training_jobs": _job_shares(inst, p, start, end)})
    out._time = TimeGrid(start=start, step_minutes=inst.time.step_minutes, n_steps=p.n_steps)
    out._source = inst.source
    return out


def _job_shares(inst: Instance, p: Period, start: pd.Timestamp, end: pd.Timestamp) -> list:
    """Each training job's work on the days ``p`` stands for, as a job of the period. A job may run in the
    steps wholly inside its window (as in the model); the steps of that range falling on a member day carry
    their share of its work. A typical day gets the members' shares divided by its weight (so weight times
    work is their sum) in a window spanning the clock hours they cover; a job wholly inside a period that
    stands for itself is kept as it is, others become pausable shares."""
    grid = inst.time
    dt = pd.Timedelta(minutes=grid.step_minutes)
    out = []
    for j in inst.training_jobs:
        rel = j.release if j.release is not None else grid.start
        dl = j.deadline if j.deadline is not None else grid.end
        if p.stands_for_itself and rel >= start and dl <= end:
            out.append(j)
            continue
        steps = grid.steps_within(rel, dl)
        a, b = steps[0], steps[-1] + 1
        work, lo, hi = 0.0, p.n_steps, 0
        for f, n in p.members:
            k0, k1 = max(a, f), min(b, f + n)
            if k1 > k0:
                work += j.work_mwh * (k1 - k0) / (b - a)
                lo, hi = min(lo, k0 - f), max(hi, k1 - f)
        if work <= 0:
            continue
        lo, hi = min(lo, p.n_steps - 1), min(hi, p.n_steps)
        out.append(j.model_copy(update={"release": start + lo * dt, "deadline": start + max(hi, lo + 1) * dt,
                                        "work_mwh": work / p.weight, "can_pause": True}))
    return out


def _sliced(obj, sl: slice):
    """A shallow copy of a model whose every series holds a view of ``sl`` of its values."""
    if isinstance(obj, SeriesInput):
        new = obj.model_copy()
        new._values = None if obj._values is None else obj._values[sl]
        return new
    if isinstance(obj, BaseModel):
        update = {}
        for name in type(obj).model_fields:
            v = getattr(obj, name)
            if isinstance(v, BaseModel):
                update[name] = _sliced(v, sl)
            elif isinstance(v, list) and v and isinstance(v[0], BaseModel):
                update[name] = [_sliced(x, sl) for x in v]
        new = obj.model_copy(update=update)
        return new
    return obj
