"""Curtailment notices for multi-day simulations and site planning.

:class:`EventSpec` says how often, when, how long and how deep; :func:`draw_notices` draws notices from it
(seeded, reproducible); :func:`read_notices` reads the user's own from a CSV file; :func:`notices_in` and
:func:`known_at` pick those that matter for one day or are known at one time. Every notice is a dict with
exactly the keys of an instance's ``[[notices]]`` table and timezone-aware datetimes. The rules (drawing,
clashes, the CSV format) are in ``docs/events.md``.

Times are compared in UTC throughout: Python compares two datetimes that share a tzinfo by wall clock,
which is wrong in the repeated hour when daylight saving ends.
"""
from __future__ import annotations

import calendar
import csv
import io
import math
import re
import warnings
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta, timezone as _timezone, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from ..inputs.errors import InstanceError, Problem
from ..inputs.schema import ID_PATTERN, F

__all__ = ["EventSpec", "draw_notices", "expected_count", "known_at", "notices_in", "read_notices"]

UTC = _timezone.utc
MIN_LEAD_MINUTES = 10          # domain.md: ERS-10 responds within 10 minutes
MAX_LEAD_MINUTES = 72 * 60     # domain.md: lead times up to 72 hours
MAX_TRIES = 100                # places tried for one event before it is dropped (see docs/events.md)
CSV_COLUMNS = ("id", "issued", "start", "end", "cap_mw", "reduction_fraction", "baseline_mw")
REQUIRED_COLUMNS = CSV_COLUMNS[:4]
_ID = re.compile(ID_PATTERN)

NoticeDict = dict[str, Any]
N = TypeVar("N", bound=Mapping[str, Any])
# allowed values of each (min, max) field: low, high, low excluded, as written in messages and docs/events.md
LIMITS: dict[str, tuple[float, float, bool, str]] = {
    "start_hours": (0, 24, False, "[0, 24] h"),
    "duration_hours": (0, 24, True, "(0, 24] h"),
    "reduction_fraction": (0, 1, True, "(0, 1]"),
    "cap_mw": (0, 5000, False, "[0, 5000] MW"),
    "lead_minutes": (MIN_LEAD_MINUTES, MAX_LEAD_MINUTES, False, "[10, 4320] min (10 min to 72 h)"),
}


class EventSpec(BaseModel):
    """How curtailment events arrive. Ranges are ``(min, max)`` pairs; a single number means min = max."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    events_per_year: float = F(
        9.0, unit="events/yr", ge=0, le=366,
        desc="expected number of notices in a year (Poisson count)",
        source="derived from domain.md: Duke (Norris et al. 2025) curtailment of 0.25% of the year, about 22 h, "
               "at the default mean duration of 2.5 h is about 9 events")
    months: tuple[int, ...] = F(
        (6, 7, 8, 9), unit="month numbers 1-12", desc="months in which a notice may start",
        source="domain.md: ERCOT 4CP peaks fall in June-September")
    start_hours: tuple[float, float] = F(
        (13.0, 19.0), unit="h of local time of day", desc="a notice starts at or after min and before max "
        "(13.5 = 13:30), on the step grid", source="domain.md: 4CP peaks mostly 15:00-17:30; the ERS deployment of "
        "2022-07-13 began 14:58; 13-19 brackets both (assumption)")
    duration_hours: tuple[float, float] = F(
        (1.0, 4.0), unit="h", desc="length of the window (elapsed time, a whole number of steps)",
        source="domain.md: under an hour to about 10 h; ERS deployment of 2022-07-13 about 3.75 h; "
               "ERS-30 pilot obligation capped at 8 h")
    reduction_fraction: tuple[float, float] | None = F(
        (0.5, 0.5), desc="required cut as a share of the baseline (give this or `cap_mw`)",
        source="domain.md: a required reduction of e.g. 50%")
    cap_mw: tuple[float, float] | None = F(
        None, unit="MW", desc="cap on grid import (give this or `reduction_fraction`)",
        source="domain.md: a notice gives a cap on grid import or a reduction")
    lead_minutes: tuple[int, int] = F(
        (30, 120), unit="min", desc="time from issue to start, whole minutes",
        source="domain.md: PJM 30 min to 2 h; all notices 10 min (ERS-10) to 72 h")
    weekdays_only: bool = F(
        False, desc="start only on Monday-Friday (local date)",
        source="domain.md: 4CP peaks fall on hot weekdays, but emergencies (ERS, firm load shed) come on any day")
    step_minutes: int = F(
        15, unit="min", desc="start and end lie on this grid of local time; must divide 60",
        source="domain.md: the 4CP peak is one 15-minute interval")
    seed: int = F(0, ge=0, desc="seed of numpy's default_rng: the same spec, period, timezone and numpy version "
                  "give the same notices")

    @model_validator(mode="before")
    @classmethod
    def _cap_replaces_default(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and data.get("cap_mw") is not None and "reduction_fraction" not in data:
            return {**data, "reduction_fraction": None}
        return data

    @field_validator("start_hours", "duration_hours", "reduction_fraction", "cap_mw", "lead_minutes", mode="before")
    @classmethod
    def _number_is_range(cls, v: Any) -> Any:
        return (v, v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v

    @field_validator("months")
    @classmethod
    def _months(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if not v or len(set(v)) != len(v) or not all(1 <= m <= 12 for m in v):
            raise ValueError(f"months: {list(v)} must be distinct month numbers 1-12, at least one")
        return tuple(sorted(v))

    @field_validator("start_hours", "duration_hours", "reduction_fraction", "cap_mw", "lead_minutes")
    @classmethod
    def _ranges(cls, v: tuple[float, float] | None, info: Any) -> tuple[float, float] | None:
        if v is None:
            return v
        name, (a, b) = info.field_name, v
        if a > b:
            raise ValueError(f"{name}: min {a:g} > max {b:g}")
        lo, hi, lo_open, what = LIMITS[name]
        if any(x < lo or x > hi or (lo_open and x == lo) for x in (a, b)):
            raise ValueError(f"{name}: {a:g}..{b:g} is outside {what}")
        if name == "start_hours" and a == b:
            raise ValueError(f"{name}: the window [{a:g}, {b:g}) is empty")
        return v

    @field_validator("step_minutes")
    @classmethod
    def _step(cls, v: int) -> int:
        if not 1 <= v <= 60 or 60 % v:
            raise ValueError(f"step_minutes: {v} does not divide 60 (e.g. 5, 15 or 60)")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> EventSpec:
        if (self.reduction_fraction is None) == (self.cap_mw is None):
            raise ValueError("reduction_fraction / cap_mw: give exactly one of them")
        if not self.start_minutes():
            raise ValueError(f"start_hours: no {self.step_minutes}-minute step lies in [{self.start_hours[0]:g}, "
                             f"{self.start_hours[1]:g}) h")
        kmin, kmax = self.duration_steps()
        if kmin > kmax:
            raise ValueError(f"duration_hours: no whole number of {self.step_minutes}-minute steps lies in "
                             f"[{self.duration_hours[0]:g}, {self.duration_hours[1]:g}] h")
        return self

    def start_minutes(self) -> list[int]:
        """Minutes after local midnight at which a notice may start."""
        s = self.step_minutes
        first = math.ceil(self.start_hours[0] * 60 / s - 1e-9) * s
        return list(range(first, int(math.ceil(self.start_hours[1] * 60 - 1e-9)), s))

    def duration_steps(self) -> tuple[int, int]:
        """Fewest and most steps a window may last."""
        s = self.step_minutes
        return (max(1, math.ceil(self.duration_hours[0] * 60 / s - 1e-9)),
                math.floor(self.duration_hours[1] * 60 / s + 1e-9))


# -- drawing -----------------------------------------------------------------------------------------

def expected_count(spec: EventSpec, start: datetime, end: datetime, timezone: str | tzinfo) -> float:
    """Mean number of notices :func:`draw_notices` draws for [start, end) (before any is dropped)."""
    tz = _zone(timezone)
    t0, t1 = _period(start, end)
    return spec.events_per_year * sum(w for _, w, _ in _day_weights(spec, t0, t1, tz))


def draw_notices(spec: EventSpec, start: datetime, end: datetime, timezone: str | tzinfo,
                 baseline_mw: float | None = None) -> list[NoticeDict]:
    """Draw notices whose windows lie in [start, end), sorted by start and never overlapping.

    The count is Poisson with mean :func:`expected_count`; each event takes an allowed day (in proportion to
    its weight), a start slot on it, a duration, a lead time and a depth, and is placed again while it would
    overlap an earlier one or run past ``end`` (at most ``MAX_TRIES`` times, then dropped with a warning).
    ``baseline_mw`` is required when the spec gives ``reduction_fraction``; it is ignored with ``cap_mw``.
    """
    tz = _zone(timezone)
    t0, t1 = _period(start, end)
    if spec.reduction_fraction is not None and (baseline_mw is None or not math.isfinite(baseline_mw)
                                                or baseline_mw <= 0):
        raise ValueError(f"baseline_mw: a positive number is needed with reduction_fraction (got {baseline_mw!r})")
    days = _day_weights(spec, t0, t1, tz)
    rng = np.random.default_rng(spec.seed)
    total = sum(w for _, w, _ in days)
    n = int(rng.poisson(spec.events_per_year * total)) if total > 0 else 0
    if n == 0:
        return []
    cdf = np.cumsum([w for _, w, _ in days])
    minutes = spec.start_minutes()
    kmin, kmax = spec.duration_steps()
    lmin, lmax = spec.lead_minutes
    lo, hi = spec.reduction_fraction or spec.cap_mw  # type: ignore[misc]
    step = timedelta(minutes=spec.step_minutes)
    slots: dict[date, list[datetime]] = {}
    placed: list[tuple[datetime, datetime, int, float]] = []
    dropped = 0
    for _ in range(n):
        for _try in range(MAX_TRIES):  # five uniforms per try: day, slot, duration, lead, depth
            ud, us, uk, ul, ux = rng.random(5)
            i = min(int(np.searchsorted(cdf, ud * cdf[-1], side="right")), len(days) - 1)
            k, lead = kmin + int(uk * (kmax - kmin + 1)), lmin + int(ul * (lmax - lmin + 1))
            depth = lo + ux * (hi - lo)
            d, _, regular = days[i]
            if regular:  # every slot exists and lies in the period
                m = minutes[int(us * len(minutes))]
                s = datetime.combine(d, time(m // 60, m % 60), tzinfo=tz).astimezone(UTC)
            else:
                if d not in slots:
                    slots[d] = _slots(spec, d, tz, t0, t1)
                s = slots[d][int(us * len(slots[d]))]
            e = s + k * step
            if e <= t1 and not any(s < pe and ps < e for ps, pe, _, _ in placed):
                placed.append((s, e, lead, min(max(round(float(depth), 4), lo), hi)))
                break
        else:
            dropped += 1
    if dropped:
        warnings.warn(f"{dropped} of {n} drawn notices found no free place in the period after {MAX_TRIES} tries "
                      "and were dropped", stacklevel=2)
    out: list[NoticeDict] = []
    for s, e, lead, depth in sorted(placed):  # starts differ, and each local clock time is one slot: ids differ
        local = s.astimezone(tz)
        notice: NoticeDict = {"id": f"N{local:%Y-%m-%d-%H%M}", "issued": (s - timedelta(minutes=lead)).astimezone(tz),
                              "start": local, "end": e.astimezone(tz)}
        if spec.cap_mw is not None:
            notice["cap_mw"] = depth
        else:
            notice["reduction_fraction"], notice["baseline_mw"] = depth, float(baseline_mw)  # type: ignore[arg-type]
        out.append(notice)
    return out


def _day_weights(spec: EventSpec, t0: datetime, t1: datetime, tz: tzinfo) -> list[tuple[date, float, bool]]:
    """Allowed local dates touching [t0, t1), each weighted (share of its start slots in the period) / A_year,
    and whether it is regular (wholly inside the period, no change of UTC offset: every slot exists)."""
    first, last = t0.astimezone(tz).date(), (t1 - timedelta(microseconds=1)).astimezone(tz).date()
    out: list[tuple[date, float, bool]] = []
    d = first
    while d <= last:
        if d.month in spec.months and not (spec.weekdays_only and d.weekday() >= 5):
            share = 1.0
            regular = first < d < last and _offset(d, tz) == _offset(d + timedelta(1), tz)
            if not regular:
                every = _slots(spec, d, tz, None, None)
                share = len(_slots(spec, d, tz, t0, t1)) / len(every) if every else 0.0
            if share > 0:
                out.append((d, share / _allowed_days(d.year, spec.months, spec.weekdays_only), regular))
        d += timedelta(1)
    return out


def _slots(spec: EventSpec, d: date, tz: tzinfo, t0: datetime | None, t1: datetime | None) -> list[datetime]:
    """Start slots of local date ``d`` (UTC) that exist there, and (if given) lie in [t0, t1). An ambiguous
    local time (the repeated hour) is offered once, at its first occurrence."""
    out = []
    for m in spec.start_minutes():
        naive = datetime.combine(d, time(m // 60, m % 60))
        s = naive.replace(tzinfo=tz).astimezone(UTC)
        if s.astimezone(tz).replace(tzinfo=None) != naive:
            continue  # skipped when daylight saving begins
        if t0 is None or t1 is None or t0 <= s < t1:
            out.append(s)
    return out


@lru_cache(maxsize=256)
def _allowed_days(year: int, months: tuple[int, ...], weekdays_only: bool) -> int:
    return sum(not (weekdays_only and date(year, m, d).weekday() >= 5)
               for m in months for d in range(1, calendar.monthrange(year, m)[1] + 1))


# -- reading -----------------------------------------------------------------------------------------

def read_notices(path: str | Path, timezone: str | tzinfo | None = None) -> list[NoticeDict]:
    """Notices from a CSV file ``id,issued,start,end[,cap_mw][,reduction_fraction][,baseline_mw]``.

    Times are ISO 8601 with a UTC offset, or local times in ``timezone`` (which also sets the timezone of
    the result). Every problem of the file is collected and raised in one :class:`InstanceError` (row =
    CSV line, header = line 1). Returns the notices sorted by start.
    """
    path, problems = Path(path), list[Problem]()
    name = path.name
    try:
        tz = None if timezone is None else _zone(timezone)
    except ValueError as exc:
        raise InstanceError([Problem("timezone", str(exc))], str(path)) from None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        msg = "file does not exist" if isinstance(exc, FileNotFoundError) else f"cannot read the file: {exc}"
        raise InstanceError([Problem("notices", msg, name)], str(path)) from None
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    problems += [Problem(c, "required column is missing", name, 1) for c in REQUIRED_COLUMNS if c not in header]
    problems += [Problem(c, f"unknown column; the columns are {','.join(CSV_COLUMNS)}", name, 1)
                 for c in dict.fromkeys(header) if c not in CSV_COLUMNS]
    problems += [Problem(c, "column appears twice", name, 1) for c in dict.fromkeys(header) if header.count(c) > 1]
    if problems:
        raise InstanceError(problems, str(path))
    good: list[NoticeDict] = []
    windows: list[tuple[datetime, datetime, str, int]] = []
    seen: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(Problem("row", f"{len(cells)} cells; the header has {len(header)}", name, line))
            continue
        rec = {k: v.strip() for k, v in zip(header, cells)}
        bad: list[tuple[str, str]] = []
        nid = rec["id"]
        if not _ID.match(nid):
            bad.append(("id", f"{nid!r} is not an id (a letter, then up to 39 letters, digits, _ or -)"))
        elif nid in seen:
            bad.append(("id", f"id {nid!r} is already used in row {seen[nid]}"))
        seen.setdefault(nid, line)
        t = {key: _parse_time(rec[key], tz) for key in ("issued", "start", "end")}
        x = {key: _parse_number(rec.get(key, "")) for key in CSV_COLUMNS[4:]}
        bad += [(key, msg) for key, (_, msg) in (t | x).items() if msg]
        (issued, _), (s, _), (e, _) = t.values()
        cap, red, base = (v for v, _ in x.values())
        if s and e and e <= s:
            bad.append(("end", f"the window ends ({rec['end']}) at or before it starts ({rec['start']})"))
        elif s and e:
            windows.append((s.astimezone(UTC), e.astimezone(UTC), nid, line))
        if issued and s and issued > s:
            bad.append(("issued", f"issued ({rec['issued']}) after the window starts ({rec['start']})"))
        if (cap is None) == (red is None) and not x["cap_mw"][1] and not x["reduction_fraction"][1]:
            bad.append(("cap_mw", "give exactly one of cap_mw or reduction_fraction (with baseline_mw)"))
        if cap is not None and cap < 0:
            bad.append(("cap_mw", f"{cap:g} is negative"))
        if red is not None and not 0 < red <= 1:
            bad.append(("reduction_fraction", f"{red:g} is outside (0, 1]"))
        if red is not None and base is None and not x["baseline_mw"][1]:
            bad.append(("baseline_mw", "reduction_fraction needs baseline_mw"))
        if base is not None and (cap is not None or base <= 0):
            bad.append(("baseline_mw", f"{base:g} must be > 0" if base <= 0 else "only goes with reduction_fraction"))
        problems += [Problem(field, msg, name, line) for field, msg in bad]
        if not bad:
            notice: NoticeDict = {"id": nid, "issued": issued, "start": s, "end": e}
            notice.update({"cap_mw": cap} if cap is not None else {"reduction_fraction": red, "baseline_mw": base})
            good.append(notice)
    windows.sort()
    reach: tuple[datetime, str, int] | None = None  # the latest end so far, and whose it is
    for s, e, nid, line in windows:
        if reach is not None and s < reach[0]:
            problems.append(Problem("start", f"the window overlaps notice {reach[1]!r} (row {reach[2]}), which "
                                    f"ends {reach[0].astimezone(tz or UTC).isoformat()}", name, line))
        if reach is None or e > reach[0]:
            reach = (e, nid, line)
    if problems:
        raise InstanceError(sorted(problems, key=lambda p: p.row or 0), str(path))
    return sorted(good, key=lambda n: n["start"].astimezone(UTC))


def _parse_time(text: str, tz: tzinfo | None) -> tuple[datetime | None, str | None]:
    if not text:
        return None, "is empty"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None, f"{text!r} is not an ISO 8601 time (e.g. 2025-07-14T15:00:00-05:00)"
    if dt.tzinfo is not None:
        return (dt.astimezone(tz) if tz else dt), None
    if tz is None:
        return None, f"{text!r} has no UTC offset; give one, or give the timezone of local times"
    first = dt.replace(tzinfo=tz)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != dt:
        return None, f"{text!r} does not exist in {tz} (skipped when daylight saving begins)"
    if first.utcoffset() != dt.replace(tzinfo=tz, fold=1).utcoffset():
        return None, f"{text!r} is ambiguous in {tz} (repeated when daylight saving ends); give a UTC offset"
    return first, None


def _parse_number(text: str) -> tuple[float | None, str | None]:
    if not text:
        return None, None
    try:
        x = float(text)
    except ValueError:
        return None, f"{text!r} is not a number"
    return (x, None) if math.isfinite(x) else (None, f"{text!r} is not a finite number")


# -- selecting ---------------------------------------------------------------------------------------

def notices_in(notices: Iterable[N], start: datetime, end: datetime) -> list[N]:
    """The notices whose window overlaps the period [start, end) (touching is not overlapping): those one
    day's instance needs."""
    t0, t1 = _period(start, end)
    return [n for n in notices if _utc(n["start"], "start") < t1 and _utc(n["end"], "end") > t0]


def known_at(notices: Iterable[N], t: datetime) -> list[N]:
    """The notices issued at or before ``t``."""
    when = _utc(t, "t")
    return [n for n in notices if _utc(n["issued"], "issued") <= when]


def _utc(t: datetime, what: str) -> datetime:
    if not isinstance(t, datetime) or t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{what}: a timezone-aware datetime is needed (got {t!r})")
    return t.astimezone(UTC)


def _period(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    t0, t1 = _utc(start, "start"), _utc(end, "end")
    if t1 <= t0:
        raise ValueError(f"end ({end}) must be after start ({start})")
    return t0, t1


def _offset(d: date, tz: tzinfo) -> timedelta | None:
    return datetime.combine(d, time(0), tzinfo=tz).utcoffset()


def _zone(tz: str | tzinfo) -> tzinfo:
    if isinstance(tz, tzinfo):  # a pytz zone must become a zoneinfo one: pytz needs localize(), not tzinfo=
        return ZoneInfo(str(tz.zone)) if hasattr(tz, "localize") and hasattr(tz, "zone") else tz
    try:
        return ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {tz!r} (give an IANA name such as America/Chicago)") from None
