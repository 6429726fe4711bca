"""Getting usage into the ledger: operator rows (``ledger add``), CSV files of actuals (``ledger import``) and
result folders of ``energyopt solve`` (``ledger record``). Everything is parsed and checked before the one
transaction that writes it; a batch lands whole or not at all."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from .windows import CATEGORIES, DEFAULT_NOTICE_CATEGORY, ONE_DAY, LedgerInputError, Row, now_utc

CSV_COLUMNS = ("unit_id", "date", "category", "hours", "starts", "fuel_gal", "nox_kg")
CSV_OPTIONAL = ("note",)
SCHEDULE_STATUSES = ("optimal", "time_limit_feasible")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# -- one row --------------------------------------------------------------------------------------

def _number(name: str, value, problems: list[str], integer: bool = False) -> float:
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            problems.append(f"{name} is empty (write 0 for none)")
            return 0.0
    try:
        x = float(value)
    except (TypeError, ValueError):
        problems.append(f"{name} {value!r} is not a number")
        return 0.0
    if not math.isfinite(x) or x < 0:
        problems.append(f"{name} {value!r} must be a finite number >= 0")
        return 0.0
    if integer and x != int(x):
        problems.append(f"{name} {value!r} must be a whole number")
    return x


def parse_row(fields: dict, line: int | None = None) -> tuple[Row | None, list[str]]:
    """A :class:`Row` from ``unit_id, date, category, hours, starts, fuel_gal, nox_kg[, note]`` (strings or
    numbers), or None and every problem of the row."""
    problems: list[str] = []
    unit = str(fields.get("unit_id") or "").strip()
    if not unit:
        problems.append("unit_id is empty")
    d = fields.get("date")
    day = None
    if isinstance(d, datetime):
        day = d.date()
    elif isinstance(d, date):
        day = d
    else:
        text = str(d or "").strip()
        try:
            day = date.fromisoformat(text) if DATE_RE.match(text) else None
        except ValueError:
            day = None
        if day is None:
            problems.append(f"date {text!r} is not a date (YYYY-MM-DD)")
    category = str(fields.get("category") or "").strip()
    if category not in CATEGORIES:
        problems.append(f"category {category!r} is not one of {', '.join(CATEGORIES)}")
    hours = _number("hours", fields.get("hours"), problems)
    starts = _number("starts", fields.get("starts", 0), problems, integer=True)
    fuel = _number("fuel_gal", fields.get("fuel_gal", 0), problems)
    nox = _number("nox_kg", fields.get("nox_kg", 0), problems)
    if hours > 25:
        problems.append(f"hours {hours:g} is more than a day holds")
    if starts > 0 and hours == 0:
        problems.append(f"{starts:g} start(s) with 0 hours")
    note = fields.get("note")
    note = str(note).strip() or None if note is not None else None
    where = f"line {line}: " if line is not None else ""
    if problems:
        return None, [where + p for p in problems]
    return Row(unit, day, category, hours, int(starts), fuel, nox, note, line), []


# -- CSV ------------------------------------------------------------------------------------------

@dataclass
class ImportOutcome:
    file: str
    import_id: str
    already: bool
    entry_ids: list[int] = field(default_factory=list)
    flagged: int = 0
    previous: tuple | None = None  # (recorded_at, recorded_by, file) of the earlier identical import


def read_csv(path) -> tuple[list[Row], list[str], bytes]:
    """Every row of an actuals CSV and every problem (with its file line number)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise LedgerInputError(f"cannot read {p}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LedgerInputError(f"{p} is not UTF-8 text (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise LedgerInputError(f"{p} is empty; expected the header {','.join(CSV_COLUMNS)}[,note]")
    cols = [h.strip().lower() for h in header]
    missing = [c for c in CSV_COLUMNS if c not in cols]
    unknown = [c for c in cols if c not in CSV_COLUMNS + CSV_OPTIONAL]
    dup = sorted({c for c in cols if cols.count(c) > 1})
    if missing or unknown or dup:
        raise LedgerInputError(f"{p} line 1: the header must be {','.join(CSV_COLUMNS)}[,note]; nothing was imported",
                               [f"missing column {c}" for c in missing] + [f"unknown column {c!r}" for c in unknown]
                               + [f"column {c} appears twice" for c in dup])
    rows, problems = [], []
    for rec in reader:
        line = reader.line_num
        if not any(c.strip() for c in rec):
            continue
        if len(rec) != len(cols):
            problems.append(f"line {line}: {len(rec)} fields, but the header has {len(cols)}")
            continue
        row, bad = parse_row(dict(zip(cols, rec)), line)
        problems += bad
        if row is not None:
            rows.append(row)
    if not rows and not problems:
        problems.append("line 2: no data rows")
    return rows, problems, data


def _line_of(msg: str) -> int:
    m = re.match(r"line (\d+)", msg)
    return int(m.group(1)) if m else 0


def import_csv(ledger, path, allow_over: bool = False) -> ImportOutcome:
    """Import ``unit_id,date,category,hours,starts,fuel_gal,nox_kg[,note]`` rows: every row is checked
    (values, unknown units, local-day length, permit windows) and either all land or none. The same file
    content imported again is a no-op."""
    rows, problems, data = read_csv(path)
    import_id = hashlib.sha256(data).hexdigest()
    with ledger._write() as con:
        prev = con.execute("SELECT recorded_at, recorded_by, file FROM imports WHERE import_id = ?",
                           (import_id,)).fetchone()
        if prev is not None:
            return ImportOutcome(str(path), import_id, True, previous=tuple(prev))
        db_problems, overruns = ledger._check(con, rows)
        if problems or db_problems:
            over = [f"line {', '.join(str(r.line) for r in rs)}: {o.describe(u)}" for u, o, rs in overruns]
            every = sorted(problems + db_problems, key=_line_of) + over
            raise LedgerInputError(f"{path}: {len(every)} problem(s); nothing was imported:", every)
        con.execute("INSERT INTO imports VALUES (?, ?, ?, ?, ?)",
                    (import_id, str(Path(path).resolve()), len(rows), now_utc(), ledger.who))
        ids = ledger._insert(con, rows, "csv", allow_over, import_id=import_id, checked=([], overruns))
        ledger._audit(con, "import_csv", {"file": str(Path(path).resolve()), "sha256": import_id, "rows": len(rows),
                                          "entry_ids": [ids[0], ids[-1]], "allow_over": allow_over,
                                          "over_limit": [o.describe(u) for u, o, _ in overruns]})
    flagged = len({id(r) for _, _, rs in overruns for r in rs})
    return ImportOutcome(str(path), import_id, False, ids, flagged)


# -- plans ----------------------------------------------------------------------------------------

@dataclass
class Plan:
    folder: Path
    plan_id: str
    content_hash: str
    step: timedelta
    times: list[datetime]
    generators: dict[str, dict]  # id -> {"on": [...], "output_mw": [...], "fuel_gal": [...], "summary": {...}}
    notices: list[tuple[datetime, datetime]]
    start: datetime
    end: datetime
    supersedes: tuple[str, ...] = ()   #: plans this re-plan replaces (summary.json "supersedes")


@dataclass
class PlanOutcome:
    plan_id: str
    folder: str
    already: bool
    entry_ids: list[int] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    flagged: int = 0
    previous: tuple | None = None  # (recorded_at, recorded_by, source_dir) of the earlier recording


def _when(text, what: str, problems: list[str]) -> datetime | None:
    try:
        t = datetime.fromisoformat(str(text))
    except ValueError:
        problems.append(f"{what} {text!r} is not an ISO time")
        return None
    if t.tzinfo is None:
        problems.append(f"{what} {text!r} has no UTC offset")
        return None
    return t.astimezone(timezone.utc)


def load_plan(folder) -> Plan:
    """Read and cross-check ``summary.json`` and ``steps.csv`` of a result folder of ``energyopt solve``."""
    folder = Path(folder)
    files = {n: folder / n for n in ("summary.json", "steps.csv")}
    missing = [n for n, f in files.items() if not f.is_file()]
    if not folder.is_dir() or missing:
        raise LedgerInputError(f"{folder} is not a result folder of `energyopt solve` "
                               f"(missing {', '.join(missing) or 'the folder'})")
    sbytes, cbytes = files["summary.json"].read_bytes(), files["steps.csv"].read_bytes()
    content_hash = hashlib.sha256(b"summary.json\0" + sbytes + b"\0steps.csv\0" + cbytes).hexdigest()
    try:
        summary = json.loads(sbytes)
        horizon = summary["horizon"]
        step = timedelta(minutes=float(horizon["step_minutes"]))
        gens = dict(summary.get("generator_run_hours") or {})
    except (ValueError, KeyError, TypeError) as exc:
        raise LedgerInputError(f"{files['summary.json']} is not an energyopt summary ({exc})") from None
    if summary.get("status") not in SCHEDULE_STATUSES:
        raise LedgerInputError(f"{folder}: status {summary.get('status')!r} holds no schedule to record")
    plan_id = summary.get("plan_id") or content_hash
    if not isinstance(plan_id, str):
        raise LedgerInputError(f"{files['summary.json']}: plan_id {plan_id!r} is not a string")
    problems: list[str] = []
    reader = csv.DictReader(io.StringIO(cbytes.decode("utf-8"), newline=""))
    cols = reader.fieldnames or []
    extra = {c.split(".")[1] for c in cols if c.startswith("generator.")} - set(gens)
    problems += [f"steps.csv has generator {g} that summary.json does not list" for g in sorted(extra)]
    need = ["timestamp"] + [f"generator.{g}.{k}" for g in gens for k in ("on", "output_mw", "fuel_gal")]
    problems += [f"steps.csv has no column {c}" for c in need if c not in cols]
    if problems:
        raise LedgerInputError(f"cannot record {folder}:", problems)
    times, series = [], {c: [] for c in need[1:]}
    for rec in reader:
        t = _when(rec["timestamp"], f"steps.csv line {reader.line_num}: timestamp", problems)
        times.append(t)
        for c in series:
            try:
                x = float(rec[c])
                if not math.isfinite(x) or x < 0:
                    raise ValueError
            except (TypeError, ValueError):
                problems.append(f"steps.csv line {reader.line_num}: {c} {rec[c]!r} is not a number >= 0")
                x = 0.0
            series[c].append(x)
    gaps = [i for i in range(1, len(times)) if times[i] and times[i - 1] and times[i] - times[i - 1] != step]
    problems += [f"steps.csv line {i + 2}: not {step} after the step before" for i in gaps[:5]]
    notices = []
    for n in summary.get("curtailment") or []:
        a, b = _when(n.get("start"), "notice start", problems), _when(n.get("end"), "notice end", problems)
        if a and b:
            notices.append((a, b))
    if not times:
        problems.append("steps.csv has no steps")
    if problems:
        raise LedgerInputError(f"cannot record {folder}:", problems)
    start = _when(horizon.get("start"), "horizon start", []) or times[0]
    end = _when(horizon.get("end"), "horizon end", []) or times[-1] + step
    generators = {g: {"on": series[f"generator.{g}.on"], "output_mw": series[f"generator.{g}.output_mw"],
                      "fuel_gal": series[f"generator.{g}.fuel_gal"], "summary": gens[g]} for g in gens}
    supersedes = summary.get("supersedes") or []
    if not isinstance(supersedes, list) or not all(isinstance(x, str) for x in supersedes):
        raise LedgerInputError(f"{files['summary.json']}: supersedes {supersedes!r} is not a list of plan ids")
    return Plan(folder, plan_id, content_hash, step, times, generators, notices, start, end, tuple(supersedes))


def step_cuts(a: datetime, b: datetime, tz: ZoneInfo, edges: list[datetime]) -> list[datetime]:
    """Split the step ``[a, b)`` at notice edges and local midnights (UTC times); the one rule by which a
    recorded plan and a plan's budgets (ledger/budgets.py) both count hours."""
    cuts = {a, b} | {x for x in edges if a < x < b}
    m = datetime.combine(a.astimezone(tz).date() + ONE_DAY, time(0), tz).astimezone(timezone.utc)
    while m < b:
        cuts.add(m)
        m = datetime.combine(m.astimezone(tz).date() + ONE_DAY, time(0), tz).astimezone(timezone.utc)
    return sorted(cuts)


def plan_rows(plan: Plan, timezones: dict[str, str], notice_category: str) -> tuple[list[Row], list[str]]:
    """Hours, starts, fuel and NOx per generator, local day and category. A step's share inside a notice
    window counts as ``notice_category``, outside as ``non_emergency``; NOx is the unit's summary total
    apportioned by output; steps are split at local midnight and at notice edges."""
    problems = [f"generator {g} of the plan is not a unit of the ledger (add it with `energyopt ledger unit add "
                f"{g} --timezone TZ --window ...`)" for g in plan.generators if g not in timezones]
    if problems:
        return [], problems
    edges = sorted({x for n in plan.notices for x in n})
    dt_h = plan.step.total_seconds() / 3600.0
    rows = []
    for g, s in plan.generators.items():
        tz = ZoneInfo(timezones[g])
        on, out, fuel, summ = s["on"], s["output_mw"], s["fuel_gal"], s["summary"]
        nox_total = float(summ.get("nox_kg") or 0.0)
        weight = out if sum(out) > 0 else on
        if nox_total > 0 and sum(weight) <= 0:
            problems.append(f"generator {g}: summary.json reports {nox_total:g} kg NOx but it never runs")
            continue
        nox = [nox_total * w / sum(weight) if nox_total > 0 else 0.0 for w in weight]
        acc: dict = defaultdict(lambda: [0.0, 0, 0.0, 0.0])
        prev = 0
        for t, a in enumerate(plan.times):
            if on[t] or fuel[t] > 0 or nox[t] > 0:
                cuts = step_cuts(a, a + plan.step, tz, edges)
                for i, (u, v) in enumerate(zip(cuts, cuts[1:])):
                    frac = (v - u) / plan.step
                    inside = any(ns <= u and v <= ne for ns, ne in plan.notices)
                    k = acc[(u.astimezone(tz).date(), notice_category if inside else "non_emergency")]
                    k[0] += on[t] * dt_h * frac
                    k[1] += int(i == 0 and on[t] > 0 and prev == 0)
                    k[2] += fuel[t] * frac
                    k[3] += nox[t] * frac
            prev = on[t]
        totals = [sum(v[i] for v in acc.values()) for i in range(4)]
        for name, mine, theirs in (("hours", totals[0], summ.get("hours")), ("starts", totals[1], summ.get("starts")),
                                   ("fuel_gal", totals[2], summ.get("fuel_gal"))):
            if theirs is not None and abs(mine - float(theirs)) > 1e-6 * max(1.0, abs(float(theirs))):
                problems.append(f"generator {g}: steps.csv gives {mine:.9g} {name}, summary.json {theirs}: the "
                                "two files of the folder do not belong together")
        for (d, c), (h, st, f, x) in sorted(acc.items()):
            if h > 0 or st > 0 or f > 0 or x > 0:
                rows.append(Row(g, d, c, round(h, 9), st, round(f, 9), round(x, 9), f"plan {plan.plan_id[:16]}"))
    return rows, problems


def record_plan(ledger, folder, notice_category: str = DEFAULT_NOTICE_CATEGORY, allow_over: bool = False,
                allow_overlap: bool = False) -> PlanOutcome:
    """Record a result folder of ``energyopt solve``: idempotent by plan id (``summary.json["plan_id"]``, else
    the SHA-256 of summary.json and steps.csv). The same id with other content is refused, and so is a plan
    whose horizon overlaps a recorded plan's live entries for the same unit (it would count hours twice)
    unless ``allow_overlap``."""
    if notice_category not in CATEGORIES:
        raise LedgerInputError(f"notice category {notice_category!r} is not one of {', '.join(CATEGORIES)}")
    plan = load_plan(folder)
    with ledger._write() as con:
        prev = con.execute("SELECT content_hash, recorded_at, recorded_by, source_dir FROM plans WHERE plan_id = ?",
                           (plan.plan_id,)).fetchone()
        if prev is not None:
            if prev[0] == plan.content_hash:
                return PlanOutcome(plan.plan_id, str(folder), True, previous=tuple(prev[1:]))
            raise LedgerInputError(f"plan id {plan.plan_id} was recorded on {prev[1]} by {prev[2]} (from {prev[3]}) "
                                   "with different content; one plan id names one plan, so this is refused")
        timezones = {u: tz for u, (tz, _) in ledger._units(con).items()}
        rows, problems = plan_rows(plan, timezones, notice_category)
        if problems:
            raise LedgerInputError(f"cannot record {folder}; nothing was changed:", problems)
        # A re-plan replaces the plans it revises: their live entries are voided in this same transaction,
        # so the day's hours are counted once whichever plans were recorded.
        superseded = [i for (i,) in con.execute(
            "SELECT entry_id FROM live_entries WHERE plan_id IN ({})".format(",".join("?" * len(plan.supersedes))),
            plan.supersedes)] if plan.supersedes else []
        if superseded:
            ledger._void(con, superseded, f"superseded by re-plan {plan.plan_id}",
                         {"superseded_by": plan.plan_id, "plans": list(plan.supersedes)})
        if not allow_overlap:
            _refuse_overlap(con, plan, {r.unit_id for r in rows})
        checked = ledger._check(con, rows)
        con.execute("INSERT INTO plans VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (plan.plan_id, plan.content_hash, str(plan.folder.resolve()), plan.start.isoformat(),
                     plan.end.isoformat(), notice_category, now_utc(), ledger.who))
        ids = ledger._insert(con, rows, "plan", allow_over, plan_id=plan.plan_id, checked=checked)
        ledger._audit(con, "record_plan", {
            "plan_id": plan.plan_id, "content_sha256": plan.content_hash, "folder": str(plan.folder.resolve()),
            "horizon": [plan.start.isoformat(), plan.end.isoformat()], "notice_category": notice_category,
            "entry_ids": ids, "allow_over": allow_over, "allow_overlap": allow_overlap,
            "over_limit": [o.describe(u) for u, o, _ in checked[1]]})
    flagged = len({id(r) for _, _, rs in checked[1] for r in rs})
    return PlanOutcome(plan.plan_id, str(folder), False, ids, rows, flagged)


def _refuse_overlap(con, plan: Plan, units: set[str]) -> None:
    clashes = []
    for pid, hs, he, unit in con.execute(
            "SELECT DISTINCT p.plan_id, p.horizon_start, p.horizon_end, e.unit_id FROM plans p "
            "JOIN live_entries e ON e.plan_id = p.plan_id ORDER BY p.recorded_at"):
        if unit in units and datetime.fromisoformat(hs) < plan.end and plan.start < datetime.fromisoformat(he):
            clashes.append(f"plan {pid} ({hs} to {he}) already holds hours of unit {unit}")
    if clashes:
        raise LedgerInputError(
            f"refused: plan {plan.plan_id} ({plan.start.isoformat()} to {plan.end.isoformat()}) overlaps recorded "
            "plans, so its hours would be counted twice; nothing was changed. Void the superseded plan first "
            "(`energyopt ledger void --plan PLAN_ID --reason ...`) or pass --allow-overlap.", clashes)

