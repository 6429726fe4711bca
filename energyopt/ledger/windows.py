"""The ledger's data model without the database: categories, permit windows and their arithmetic, the
row of an entry, the checks every change passes, and the refusals (each with its CLI exit code, defined in
energyopt.errors).

Window arithmetic works on ``{date: amount}`` maps, so every figure can be derived by hand:

* ``calendar_year``: 1 January - 31 December of the entry's year.
* ``rolling_12_months``: the window *ending* on day ``e`` starts the day after the same date one year
  earlier, so it holds 365 days, or 366 when it contains a 29 February (``rolling_start``). Every day's
  window must stay within the limit, so a new entry on day ``d`` is checked against all windows ending
  on ``d`` .. ``d + 1 year - 1 day``.
* ``day``: one local day of the unit.

A window counts the categories of use it ``applies_to`` (US EPA emergency engines: testing and
non-emergency hours share 100 h/yr, of which non-emergency at most 50 h; emergency use is unlimited).
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

# The refusals (each with its CLI exit code) are defined with every other exit code.
from ..errors import LedgerCorrupt, LedgerError, LedgerInputError, LedgerLocked, PermitExceeded  # noqa: F401

KINDS = ("calendar_year", "rolling_12_months", "day")
METRICS = ("hours", "nox_kg", "fuel_gal")
CATEGORIES = ("emergency", "non_emergency", "testing")
#: How generator hours inside a curtailment notice count unless told otherwise: non-emergency, as US EPA's 2025
#: guidance counts demand response dispatched by the balancing authority (domain.md); the conservative
#: choice, since it draws on the 50 h/yr non-emergency allowance. Pass "emergency" for a declared emergency.
DEFAULT_NOTICE_CATEGORY = "non_emergency"
APPLIES_TO: dict[str, frozenset[str]] = {
    "all": frozenset(CATEGORIES),
    "non_emergency": frozenset({"non_emergency"}),
    "testing_and_non_emergency": frozenset({"testing", "non_emergency"}),
}
UNITS = {"hours": "h", "nox_kg": "kg", "fuel_gal": "gal"}
ONE_DAY = timedelta(days=1)
ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_\-]{0,39}$"  # the instance format's generator ids


def now_utc() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def to_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise LedgerInputError(f"date {value!r} is not a date (YYYY-MM-DD)") from None


@dataclass
class Row:
    """One contribution: ``hours`` etc. of ``unit_id`` on local day ``day`` in ``category``."""
    unit_id: str
    day: date
    category: str
    hours: float
    starts: int = 0
    fuel_gal: float = 0.0
    nox_kg: float = 0.0
    note: str | None = None
    line: int | None = None  # CSV line number, for messages

    def amount(self, metric: str) -> float:
        return float(getattr(self, metric))

    @property
    def where(self) -> str:
        return f"line {self.line}: " if self.line is not None else ""


def tolerance(limit: float) -> float:
    """Rounding slack when comparing a sum of floats with a limit."""
    return 1e-6 * max(1.0, abs(limit))


@dataclass(frozen=True)
class PermitWindow:
    """One permit limit of a unit: ``kind`` of window, the categories it ``applies_to``, a ``metric``
    (hours, nox_kg, fuel_gal) and its ``limit`` per window."""
    kind: str
    applies_to: str
    metric: str
    limit: float

    def __post_init__(self):
        problems = []
        if self.kind not in KINDS:
            problems.append(f"kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.applies_to not in APPLIES_TO:
            problems.append(f"applies_to {self.applies_to!r} is not one of {', '.join(APPLIES_TO)}")
        if self.metric not in METRICS:
            problems.append(f"metric {self.metric!r} is not one of {', '.join(METRICS)}")
        try:
            limit = float(self.limit)
        except (TypeError, ValueError):
            problems.append(f"limit {self.limit!r} is not a number")
        else:
            if not math.isfinite(limit) or limit < 0:
                problems.append(f"limit {self.limit!r} must be a finite number >= 0")
            elif self.kind == "day" and self.metric == "hours" and limit > 25:
                problems.append(f"a day holds at most 25 hours, so a day limit of {limit:g} h means nothing")
            object.__setattr__(self, "limit", limit)
        if problems:
            raise ValueError("; ".join(problems))

    @classmethod
    def parse(cls, text: str) -> "PermitWindow":
        """``KIND:APPLIES_TO:METRIC:LIMIT``, e.g. ``calendar_year:testing_and_non_emergency:hours:100``."""
        parts = text.strip().split(":")
        if len(parts) != 4:
            raise ValueError(f"window {text!r}: expected KIND:APPLIES_TO:METRIC:LIMIT, "
                             "e.g. calendar_year:testing_and_non_emergency:hours:100")
        try:
            return cls(parts[0], parts[1], parts[2], parts[3])
        except ValueError as exc:
            raise ValueError(f"window {text!r}: {exc}") from None

    @property
    def categories(self) -> frozenset[str]:
        return APPLIES_TO[self.applies_to]

    def counts(self, category: str) -> bool:
        return category in APPLIES_TO[self.applies_to]

    @property
    def spec(self) -> str:
        return f"{self.kind}:{self.applies_to}:{self.metric}:{self.limit:g}"

    def fmt(self, amount: float) -> str:
        return f"{amount:.6g} {UNITS[self.metric]}"


def rolling_start(end: date) -> date:
    """First day of the rolling 12-month window that ends on ``end`` (inclusive)."""
    try:
        year_ago = end.replace(year=end.year - 1)
    except ValueError:  # 29 February: a year earlier there is no such day
        year_ago = date(end.year - 1, 2, 28)
    return year_ago + ONE_DAY


def instance(kind: str, d: date) -> tuple[date, date]:
    """The window of ``kind`` that holds ``d`` (calendar year, day) or ends on ``d`` (rolling)."""
    if kind == "calendar_year":
        return date(d.year, 1, 1), date(d.year, 12, 31)
    if kind == "day":
        return d, d
    return rolling_start(d), d


def used_in(daily: dict[date, float], start: date, end: date) -> float:
    return float(sum(v for d, v in daily.items() if start <= d <= end))


@dataclass
class Overrun:
    """One window instance whose total would exceed (or exceeds) the limit."""
    window: PermitWindow
    start: date
    end: date
    used_before: float
    new: float

    @property
    def total(self) -> float:
        return self.used_before + self.new

    def describe(self, unit_id: str) -> str:
        w = self.window
        span = f"{self.start}" if self.start == self.end else f"{self.start}..{self.end}"
        return (f"unit {unit_id}: {w.kind} {w.applies_to} {w.metric} {span}: {w.fmt(self.used_before)} used + "
                f"{w.fmt(self.new)} new = {w.fmt(self.total)} > limit {w.fmt(w.limit)}")


def find_overruns(window: PermitWindow, existing: dict[date, float], new: dict[date, float]) -> list[Overrun]:
    """Every instance of ``window`` that receives a positive new amount and whose total
    (existing + new) exceeds its limit. For rolling windows that is every window end ``e`` whose
    365/366 days hold a new amount."""
    days = sorted(d for d, v in new.items() if v > 0)
    if not days:
        return []
    if window.kind == "day":
        spans = [(d, d) for d in days]
    elif window.kind == "calendar_year":
        spans = [instance("calendar_year", date(y, 1, 1)) for y in sorted({d.year for d in days})]
    else:
        last = days[-1].replace(year=days[-1].year + 1) if not (days[-1].month == 2 and days[-1].day == 29) \
            else date(days[-1].year + 1, 3, 1)
        spans = [(rolling_start(e), e) for e in _days(days[0], last)]
    lo = min(a for a, _ in spans)
    hi = max(b for _, b in spans)
    old_sum = _prefix(existing, lo, hi)
    new_sum = _prefix(new, lo, hi)
    out = []
    for a, b in spans:
        i, j = (a - lo).days, (b - lo).days + 1
        added = new_sum[j] - new_sum[i]
        if added <= 0:
            continue
        before = old_sum[j] - old_sum[i]
        if before + added > window.limit + tolerance(window.limit):
            out.append(Overrun(window, a, b, float(before), float(added)))
    return out


def worst(overruns: list[Overrun]) -> Overrun:
    return max(overruns, key=lambda o: o.total)


def _days(a: date, b: date):
    d = a
    while d <= b:
        yield d
        d += ONE_DAY


def _prefix(daily: dict[date, float], lo: date, hi: date) -> np.ndarray:
    arr = np.zeros((hi - lo).days + 1)
    for d, v in daily.items():
        if lo <= d <= hi:
            arr[(d - lo).days] += v
    return np.concatenate([[0.0], np.cumsum(arr)])


@dataclass
class WindowBudget:
    """What a permit window leaves for a planning period ``[period_start, period_end]`` (local dates).

    ``used`` counts entries dated before the period's first day inside the window instance
    ``[window_start, window_end]``; ``remaining = limit - used`` (negative after a recorded overrun).
    For ``day`` windows ``remaining`` is the limit of each day of the period."""
    unit_id: str
    kind: str
    applies_to: str
    metric: str
    limit: float
    window_start: date
    window_end: date
    period_start: date
    period_end: date
    used: float
    remaining: float
    categories: tuple[str, ...] = field(default=())

    @property
    def per_day(self) -> bool:
        return self.kind == "day"


def budgets(unit_id: str, window: PermitWindow, daily: dict[date, float], start: date, end: date
            ) -> list[WindowBudget]:
    """The budgets ``window`` leaves for the period ``start..end``; ``daily`` holds the window's metric
    per day for its categories. A calendar-year window gives one budget per year the period touches."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    cats = tuple(sorted(window.categories))
    common = dict(unit_id=unit_id, kind=window.kind, applies_to=window.applies_to, metric=window.metric,
                  limit=window.limit, categories=cats)
    if window.kind == "day":
        return [WindowBudget(**common, window_start=start, window_end=end, period_start=start, period_end=end,
                             used=0.0, remaining=window.limit)]
    if window.kind == "rolling_12_months":
        last = start - ONE_DAY
        first = rolling_start(last)
        used = used_in(daily, first, last)
        return [WindowBudget(**common, window_start=first, window_end=last, period_start=start, period_end=end,
                             used=used, remaining=window.limit - used)]
    out = []
    for year in range(start.year, end.year + 1):
        first, last = date(year, 1, 1), date(year, 12, 31)
        used = used_in(daily, first, min(last, start - ONE_DAY))
        out.append(WindowBudget(**common, window_start=first, window_end=last, period_start=max(start, first),
                                period_end=min(end, last), used=used, remaining=window.limit - used))
    return out


def status(window: PermitWindow, daily: dict[date, float], as_of: date) -> dict:
    """The window as of ``as_of`` (entries dated up to and including it): the instance that holds
    ``as_of``, what it used, what is left, and every instance ever over its limit."""
    start, end = instance(window.kind, as_of)
    used = used_in(daily, start, min(end, as_of))
    history = find_overruns(window, {}, {d: v for d, v in daily.items() if d <= as_of})
    return {"window_start": start, "window_end": end, "used": used, "remaining": window.limit - used,
            "over_limit": used > window.limit + tolerance(window.limit),
            "overruns": len(history), "first_overrun": history[0].end if history else None}


def check_timezone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"timezone {tz!r} is not an IANA timezone (e.g. America/Chicago)") from None


def day_hours(tz: str, d: date) -> float:
    """Length of local day ``d`` in ``tz``: 24 h, or 23/25 h at daylight-saving changes."""
    z = check_timezone(tz)
    a = datetime.combine(d, time(0), z).astimezone(timezone.utc)
    b = datetime.combine(d + ONE_DAY, time(0), z).astimezone(timezone.utc)
    return (b - a).total_seconds() / 3600.0


def check_unit(unit_id, tz, windows) -> tuple[list[PermitWindow], list[str]]:
    """Parse a unit's definition; returns its windows and every problem found."""
    problems = []
    if not isinstance(unit_id, str) or not re.match(ID_PATTERN, unit_id):
        problems.append(f"unit id {unit_id!r} must be a letter then up to 39 letters, digits, _ or -")
    try:
        check_timezone(tz)
    except ValueError as exc:
        problems.append(str(exc))
    parsed = []
    for w in windows:
        try:
            parsed.append(w if isinstance(w, PermitWindow) else PermitWindow.parse(str(w)))
        except ValueError as exc:
            problems.append(str(exc))
    keys = [(w.kind, w.applies_to, w.metric) for w in parsed]
    problems += [f"window {':'.join(k)} is given twice" for k in sorted(set(keys)) if keys.count(k) > 1]
    return parsed, problems


def metric_by_day(daily: dict, window: PermitWindow) -> dict[date, float]:
    """``{day: amount}`` of ``window``'s metric and categories, from ``{(day, category): [h, starts, gal, kg]}``."""
    idx = {"hours": 0, "fuel_gal": 2, "nox_kg": 3}[window.metric]
    out: dict[date, float] = defaultdict(float)
    for (d, c), vals in daily.items():
        if window.counts(c):
            out[d] += vals[idx]
    return dict(out)


def check_rows(rows: list[Row], units: dict, load_daily: Callable) -> tuple[list[str], list]:
    """What the ledger's content refuses in ``rows``: unknown units, more hours than a local day holds
    (23/24/25 h), and permit windows the rows would overrun (``(unit, worst Overrun, contributing rows)``).
    ``units`` is ``{unit: (tz, windows)}``; ``load_daily(unit, lo, hi)`` the unit's live entries per
    (day, category) between two dates."""
    problems, overruns = [], []
    by_unit: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        if r.unit_id in units:
            by_unit[r.unit_id].append(r)
        else:
            problems.append(f"{r.where}unknown unit {r.unit_id!r} (known: {', '.join(sorted(units)) or 'none'}; "
                            "add it with `energyopt ledger unit add`)")
    for unit_id, urows in by_unit.items():
        tz, windows = units[unit_id]
        days = sorted({r.day for r in urows})
        daily = load_daily(unit_id, date(days[0].year - 1, 1, 1), date(days[-1].year + 1, 12, 31))
        per_day: dict[date, list[Row]] = defaultdict(list)
        for r in urows:
            per_day[r.day].append(r)
        hours_on: dict[date, float] = defaultdict(float)
        for (dd, _), v in daily.items():
            hours_on[dd] += v[0]
        for d, drows in sorted(per_day.items()):
            old = hours_on[d]
            new = sum(r.hours for r in drows)
            length = day_hours(tz, d)
            if old + new > length + 1e-6:
                lines = ", ".join(str(r.line) for r in drows if r.line is not None)
                problems.append(f"{'line ' + lines + ': ' if lines else ''}unit {unit_id} {d}: {old:g} h recorded "
                                f"+ {new:g} h new = {old + new:g} h, more than the {length:g} h of that local day "
                                f"({tz})")
        for w in windows:
            new = defaultdict(float)
            for r in urows:
                if w.counts(r.category):
                    new[r.day] += r.amount(w.metric)
            found = find_overruns(w, metric_by_day(daily, w), dict(new))
            if found:
                inside = [r for r in urows if w.counts(r.category) and r.amount(w.metric) > 0
                          and any(o.start <= r.day <= o.end for o in found)]
                overruns.append((unit_id, worst(found), inside))
    return problems, overruns
