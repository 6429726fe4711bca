"""Representative periods for planning: a year cut into local days, of which the plan models only

* every day a curtailment notice touches (consecutive such days merged into one period), weight 1, so an
  event is always modeled whole, with the hours before and after it on the same days;
* the partial days at the ends of a horizon that does not start or end at local midnight, weight 1;
* optionally the extreme event-free days (the hottest, the one with the highest price, the one with the
  highest load), weight 1 (chosen here, before the clustering, so they are never averaged away);
* ``typical_days`` days chosen by tsam (Kotzur et al. 2018; :func:`cluster_days`) from the remaining days'
  hourly price, temperature and load profiles: hierarchical (Ward) clustering by default, or k-means;
  each cluster is represented by its medoid (the real day nearest its centre), weighted by its members'
  hours over the medoid's (the number of days, but exact across 23- and 25-hour days).

Weight times hours adds up to the horizon's hours over a scenario's periods, so weighted sums of costs and
permit hours stand for the whole horizon. Every day of the horizon is a member of exactly one period
(:func:`chronology` lists them in time order), which is how the plan links storage levels across the
year (``model/linking.py``). Each period becomes an instance of its own (:func:`slice_instance`): series cut
to its steps, the notices inside it, and each training job's part on the days the period stands for
(:func:`job_parts`; see docs/plan.md).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pydantic import BaseModel

from .instance import Instance
from .schema import SeriesInput
from .timegrid import TimeGrid

#: tsam clustering methods a plan may choose (``representative_periods.method``)
METHODS = ("hierarchical", "kmeans")


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


def select_periods(inst: Instance, typical_days: int, extreme_days: bool = True, seed: int = 0,
                   method: str = "hierarchical") -> list[Period]:
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
        labels, medoids = cluster_days({c: features[c][free] for c in features}, typical_days, method, seed)
        for c, medoid in enumerate(medoids):
            members = np.flatnonzero(labels == c)
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


def cluster_days(profiles: dict[str, np.ndarray], k: int, method: str = "hierarchical",
                 seed: int = 0) -> tuple[np.ndarray, list[int]]:
    """tsam's clustering of days: ``profiles`` maps a profile's name to its (days x 24) values. Returns each
    day's cluster (0..k'-1, k' = min(k, days)) and each cluster's medoid (the index of the member day nearest
    its centre, tsam's medoid representation). ``method``: "hierarchical" (Ward's agglomerative clustering,
    tsam's default and deterministic) or "kmeans" (scikit-learn's k-means from ``seed``). Each profile is
    min-max scaled by tsam, so price, temperature and load weigh alike. Fewer days than ``k``: a day each."""
    n = len(next(iter(profiles.values())))
    if k >= n:
        return np.arange(n), list(range(n))
    import warnings

    with warnings.catch_warnings():   # tsam 2.3.9 sets a pandas option at import that pandas 3 calls deprecated
        warnings.simplefilter("ignore")
        from tsam.timeseriesaggregation import TimeSeriesAggregation
    index = pd.date_range("2001-01-01", periods=24 * n, freq="h")   # the days back to back, as tsam takes them
    frame = pd.DataFrame({c: np.asarray(v, dtype=float).reshape(-1) for c, v in profiles.items()}, index=index)
    frame = frame.loc[:, frame.max() > frame.min()]   # a flat profile tells no day from another
    if frame.shape[1] == 0:
        return np.zeros(n, dtype=int), [0]
    agg = TimeSeriesAggregation(frame, noTypicalPeriods=k, hoursPerPeriod=24, resolution=1.0,
                                clusterMethod="k_means" if method == "kmeans" else "hierarchical",
                                representationMethod="medoidRepresentation", rescaleClusterPeriods=False)
    state = np.random.get_state()   # tsam's k-means (scikit-learn's, no seed argument) draws from numpy's
    np.random.seed(seed)            # global generator: seeded here, and put back after
    try:
        with warnings.catch_warnings():   # tsam warns of what it rescales; the plan uses no rescaled values
            warnings.simplefilter("ignore")
            agg.createTypicalPeriods()
    finally:
        np.random.set_state(state)
    labels = np.asarray(agg.clusterOrder, dtype=int)
    centres = [int(c) for c in agg.clusterCenterIndices]
    used = sorted(set(labels.tolist()))   # renumber the clusters that hold days, by first member
    used.sort(key=lambda c: int(np.flatnonzero(labels == c)[0]))
    order = {c: i for i, c in enumerate(used)}
    return np.array([order[c] for c in labels]), [centres[c] for c in used]


def chronology(periods: list[Period]) -> list[tuple[int, int, int]]:
    """Every day (or multi-day event period) of the horizon in time order, as (first step, steps, index of
    the period that stands for it): the sequence along which the plan links storage across periods."""
    out = sorted((f, n, i) for i, p in enumerate(periods) for f, n in p.members)
    for (f, n, _), (g, _, _) in zip(out, out[1:]):
        if f + n != g:
            raise ValueError(f"periods leave a gap or overlap at step {f + n} (next member starts at {g})")
    return out


def slice_instance(inst: Instance, p: Period, linked: bool = False) -> Instance:
    """The instance over one period's steps: series views, the notices inside it, and the training jobs'
    parts on the days it stands for (:func:`job_parts`, ``linked`` as there)."""
    start = inst.time.index[p.first_step]
    end = start + pd.Timedelta(minutes=inst.time.step_minutes * p.n_steps)
    out = _sliced(inst, lambda v: day_values(v, p))
    out = out.model_copy(update={
        "name": f"{inst.name} {p.label}",
        "horizon": inst.horizon.model_copy(update={"start": start.to_pydatetime(), "hours": p.n_steps *
                                                   inst.time.dt_hours, "days": None}),
        "notices": [n for n in inst.notices if n.start < end and n.end > start],
        "training_jobs": [share for _, share, _ in job_parts(inst, p, linked)]})
    out._time = TimeGrid(start=start, step_minutes=inst.time.step_minutes, n_steps=p.n_steps)
    out._source = inst.source
    return out


def job_parts(inst: Instance, p: Period, linked: bool = False) -> list[tuple[str, object, bool]]:
    """Each training job's part in period ``p``, as (job id, the job of the period, whole). A job may run in
    the steps wholly inside its window (as in the model). A job wholly inside a period that stands for itself
    is kept as it is (whole = True). Otherwise:

    - ``linked=False`` (fixed shares): the steps of that range falling on a member day carry their share of
      its work; the period gets the members' shares divided by its weight (so weight times work is their
      sum) in a window spanning the clock hours they cover, pausable, with the job's id;
    - ``linked=True`` (shares chosen by the plan, ``model/linking.py``): one pausable part per distinct clock
      window the job has on the member days (the whole day inside its window, or the hours of its first or
      last day), with the job's power times the member days with that window over the weight, so the part
      is the average over the members of the job running alike on each; its ``work_mwh`` is only an upper
      bound (all it could do) and it carries no unfinished penalty: the plan binds the weighted work of all
      parts of a job to its work, and prices what is left undone once. Ids: the job's, or ``id@lo-hi`` (the
      clock steps) when it has several parts in the period."""
    grid = inst.time
    dt = pd.Timedelta(minutes=grid.step_minutes)
    start = grid.index[p.first_step]
    end = start + dt * p.n_steps
    out = []
    for j in inst.training_jobs:
        rel = j.release if j.release is not None else grid.start
        dl = j.deadline if j.deadline is not None else grid.end
        if p.stands_for_itself and rel >= start and dl <= end:
            out.append((j.id, j, True))
            continue
        steps = grid.steps_within(rel, dl)
        a, b = steps[0], steps[-1] + 1
        windows: dict[tuple[int, int], int] = {}
        for f, n in p.members:
            k0, k1 = max(a, f), min(b, f + n)
            if k1 > k0:
                lo, hi = min(k0 - f, p.n_steps - 1), min(k1 - f, p.n_steps)
                windows[lo, max(hi, lo + 1)] = windows.get((lo, max(hi, lo + 1)), 0) + (k1 - k0)
        if not windows:
            continue
        if not linked:
            work = j.work_mwh * sum(windows.values()) / (b - a)
            lo, hi = min(w[0] for w in windows), max(w[1] for w in windows)
            out.append((j.id, j.model_copy(update={"release": start + lo * dt, "deadline": start + hi * dt,
                                                   "work_mwh": work / p.weight, "can_pause": True}), False))
            continue
        for (lo, hi), steps_on in sorted(windows.items()):
            days = steps_on / (hi - lo)   # member days with this window (steps in it over its length)
            power = j.power_mw * days / p.weight
            out.append((j.id, j.model_copy(update={
                "id": j.id if len(windows) == 1 else f"{j.id}@{lo}-{hi}", "release": start + lo * dt,
                "deadline": start + hi * dt, "power_mw": power, "work_mwh": power * (hi - lo) * grid.dt_hours,
                "unfinished_penalty_usd_per_mwh": 0.0, "can_pause": True}), False))
    return out


def day_values(v: np.ndarray, p: Period) -> np.ndarray:
    """A series over period ``p``: its own steps (a view) for a period that stands for itself; for a typical
    day, its medoid's values shifted by one constant so that weight times their sum equals the sum over the
    days it stands for (mean-preserving, as tsam's ``preserve_column_means`` is for its representatives:
    the medoid keeps its shape, the year keeps its total price, load and degree-hours), then clipped to the
    series' range over the horizon (a 0-1 availability stays one)."""
    own = v[p.first_step:p.first_step + p.n_steps]
    if p.stands_for_itself or own.dtype.kind not in "fi":
        return own
    members = sum(float(v[f:f + n].sum()) for f, n in p.members)
    shift = members / (p.weight * p.n_steps) - float(own.mean())
    return np.clip(own + shift, v.min(), v.max())


def _sliced(obj, cut):
    """A shallow copy of a model whose every series holds ``cut(values)`` (its values over one period)."""
    if isinstance(obj, SeriesInput):
        new = obj.model_copy()
        new._values = None if obj._values is None else cut(obj._values)
        return new
    if isinstance(obj, BaseModel):
        update = {}
        for name in type(obj).model_fields:
            v = getattr(obj, name)
            if isinstance(v, BaseModel):
                update[name] = _sliced(v, cut)
            elif isinstance(v, list) and v and isinstance(v[0], BaseModel):
                update[name] = [_sliced(x, cut) for x in v]
        new = obj.model_copy(update=update)
        return new
    return obj
