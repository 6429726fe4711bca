"""The permit ledger: an SQLite file of generator run hours, starts, fuel and NOx per unit and local day.

Every change is one ``BEGIN IMMEDIATE`` transaction that also writes its audit row, on a WAL database with
``synchronous=FULL``: a change lands whole or not at all (even if the process is killed), two writers
queue behind each other's lock (up to ``wait`` seconds), and the checks that guard a change (unknown unit,
a full local day, a permit window that would go negative) run inside the same transaction as the insert.
Entries, voids, plans, imports and the audit trail are append-only (triggers refuse UPDATE and DELETE).
"""
from __future__ import annotations

import getpass
import json
import os
import sqlite3
import sys
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from . import tables
from . import windows as W
from .windows import (LedgerCorrupt, LedgerError, LedgerInputError, LedgerLocked, PermitExceeded,
                      PermitWindow, Row, WindowBudget, now_utc, to_date)

SCHEMA_VERSION = 1
DEFAULT_PATH = "energyopt-ledger.sqlite"
ENV_PATH = "ENERGYOPT_LEDGER"
PAUSE_ENV = "ENERGYOPT_LEDGER_TEST_PAUSE"  # test hook: sleep this many seconds inside a batch insert
SQLITE_HEADER = b"SQLite format 3\x00"


SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS units (
  unit_id TEXT PRIMARY KEY, timezone TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS permit_windows (
  window_id INTEGER PRIMARY KEY, unit_id TEXT NOT NULL REFERENCES units(unit_id),
  kind TEXT NOT NULL CHECK (kind IN {W.KINDS}),
  applies_to TEXT NOT NULL CHECK (applies_to IN {tuple(W.APPLIES_TO)}),
  metric TEXT NOT NULL CHECK (metric IN {W.METRICS}),
  limit_value REAL NOT NULL CHECK (limit_value >= 0), UNIQUE (unit_id, kind, applies_to, metric));
CREATE TABLE IF NOT EXISTS plans (
  plan_id TEXT PRIMARY KEY, content_hash TEXT NOT NULL, source_dir TEXT NOT NULL, horizon_start TEXT,
  horizon_end TEXT, notice_category TEXT NOT NULL, recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS imports (
  import_id TEXT PRIMARY KEY, file TEXT NOT NULL, n_rows INTEGER NOT NULL, recorded_at TEXT NOT NULL,
  recorded_by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
  entry_id INTEGER PRIMARY KEY AUTOINCREMENT, unit_id TEXT NOT NULL REFERENCES units(unit_id),
  local_date TEXT NOT NULL, category TEXT NOT NULL CHECK (category IN {W.CATEGORIES}),
  hours REAL NOT NULL CHECK (hours >= 0), starts INTEGER NOT NULL CHECK (starts >= 0),
  fuel_gal REAL NOT NULL CHECK (fuel_gal >= 0), nox_kg REAL NOT NULL CHECK (nox_kg >= 0),
  source TEXT NOT NULL CHECK (source IN ('plan', 'manual', 'csv')),
  plan_id TEXT REFERENCES plans(plan_id), import_id TEXT REFERENCES imports(import_id),
  over_limit INTEGER NOT NULL DEFAULT 0, recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL, note TEXT);
CREATE INDEX IF NOT EXISTS entries_unit_date ON entries (unit_id, local_date);
CREATE INDEX IF NOT EXISTS entries_plan ON entries (plan_id);
CREATE TABLE IF NOT EXISTS voids (
  entry_id INTEGER PRIMARY KEY REFERENCES entries(entry_id), voided_at TEXT NOT NULL,
  voided_by TEXT NOT NULL, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
  audit_id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL,
  details TEXT NOT NULL);
CREATE VIEW IF NOT EXISTS live_entries AS
  SELECT * FROM entries WHERE entry_id NOT IN (SELECT entry_id FROM voids);
""" + "".join(
    f"CREATE TRIGGER IF NOT EXISTS {t}_no_{op.lower()} BEFORE {op} ON {t} "
    f"BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: {t} rows are never changed or deleted'); END;\n"
    for t in ("units", "permit_windows", "plans", "imports", "entries", "voids", "audit")
    for op in ("UPDATE", "DELETE"))


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (containers): fall back to the uid
        return f"uid{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def resolve_path(path: str | os.PathLike | None) -> Path:
    return Path(path or os.environ.get(ENV_PATH) or DEFAULT_PATH)


def _test_pause(done: int, total: int) -> None:
    """Test hook (documented in docs/ledger.md): with ENERGYOPT_LEDGER_TEST_PAUSE=S, sleep S seconds inside
    the open transaction after inserting half of a batch, so a test can kill the process there."""
    seconds = os.environ.get(PAUSE_ENV)
    if seconds:
        print(f"{PAUSE_ENV}: paused inside the transaction after {done} of {total} rows", file=sys.stderr,
              flush=True)
        time.sleep(float(seconds))


class Ledger:
    """An open ledger file. ``create=True`` makes a new one (``ledger init``); otherwise the file must
    exist. ``wait`` is how long a change waits for another writer's lock; ``who`` names the user in the
    audit trail (default: the login name)."""

    def __init__(self, path: str | os.PathLike | None = None, *, create: bool = False, wait: float = 10.0,
                 who: str | None = None):
        self.path = resolve_path(path)
        self.wait = float(wait)
        self.who = who or current_user()
        self.created = False
        self._con: sqlite3.Connection | None = None
        try:
            self._open(create)
        except BaseException:
            self.close()
            raise

    # -- opening, errors, transactions ------------------------------------------------------------
    def _open(self, create: bool) -> None:
        p = self.path
        if p.is_dir():
            raise LedgerInputError(f"ledger {p} is a folder, not a file")
        if not p.exists():
            if not create:
                raise LedgerInputError(f"no ledger at {p}; create one with `energyopt ledger init --ledger {p}` "
                                       f"(or set {ENV_PATH})")
            if not p.parent.is_dir():
                raise LedgerInputError(f"cannot create ledger {p}: folder {p.parent} does not exist")
        else:
            with open(p, "rb") as f:
                head = f.read(16)
            if head and head != SQLITE_HEADER:
                raise LedgerCorrupt(f"ledger {p} is corrupt: file is not a database (it does not start with "
                                    "SQLite's header); nothing was changed. Restore it from a backup.")
            if not head and not create:
                raise LedgerInputError(f"ledger {p} is an empty file; run `energyopt ledger init --ledger {p}`")
        with self._errors():
            self._con = sqlite3.connect(str(p), timeout=self.wait, isolation_level=None)
            self._con.execute("PRAGMA foreign_keys=ON")
            self._con.execute("PRAGMA synchronous=FULL")
            tables = {r[0] for r in self._con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not tables and create:
                self._con.execute("PRAGMA journal_mode=WAL")
                with self._write() as con:
                    for stmt in _statements(SCHEMA):
                        con.execute(stmt)
                    if con.execute("SELECT 1 FROM meta WHERE key='schema_version'").fetchone() is None:
                        con.executemany("INSERT INTO meta VALUES (?, ?)", [
                            ("schema_version", str(SCHEMA_VERSION)), ("application", "energyopt-ledger"),
                            ("created_at", now_utc())])
                        self._audit(con, "init", {"path": str(p), "schema_version": SCHEMA_VERSION})
                        self.created = True
                return
            if "meta" not in tables:
                raise LedgerCorrupt(f"{p} is an SQLite database but not an energyopt ledger (no meta table)")
            row = self._con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            version = int(row[0]) if row and str(row[0]).isdigit() else 0
            if version > SCHEMA_VERSION:
                raise LedgerCorrupt(f"ledger {p} has format version {version}, newer than this energyopt reads "
                                    f"({SCHEMA_VERSION}); upgrade energyopt. Nothing was changed.")
            if version < 1:
                raise LedgerCorrupt(f"ledger {p} has no valid format version")
            if self._con.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                self._con.execute("PRAGMA journal_mode=WAL")

    @contextmanager
    def _errors(self):
        """Turn SQLite's exceptions into the ledger's refusals."""
        try:
            yield
        except LedgerError:
            raise
        except sqlite3.IntegrityError:
            raise  # a constraint the checks above should have caught first: a bug, reported as such
        except sqlite3.OperationalError as exc:
            msg = str(exc)
            if "locked" in msg or "busy" in msg:
                raise LedgerLocked(f"ledger {self.path} is locked by another process (waited {self.wait:g} s); "
                                   "nothing was changed. Try again, or wait longer with --wait S.") from None
            if "malformed" in msg or "not a database" in msg:
                raise LedgerCorrupt(f"ledger {self.path} is corrupt: {msg}; nothing was changed.") from None
            raise LedgerInputError(f"cannot use ledger {self.path}: {msg}") from None
        except sqlite3.DatabaseError as exc:
            raise LedgerCorrupt(f"ledger {self.path} is corrupt: {exc}; nothing was changed.") from None

    @contextmanager
    def _write(self):
        """One ``BEGIN IMMEDIATE`` transaction: committed whole, or rolled back on any exception."""
        con = self._con
        with self._errors():
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
                con.execute("COMMIT")
            except BaseException:
                try:
                    con.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                raise

    @contextmanager
    def _read(self):
        """A consistent snapshot for several SELECTs (WAL readers never wait for writers)."""
        con = self._con
        with self._errors():
            con.execute("BEGIN")
            try:
                yield con
            finally:
                if con.in_transaction:
                    con.execute("COMMIT")

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _audit(self, con, action: str, details: dict) -> None:
        con.execute("INSERT INTO audit (at, who, action, details) VALUES (?, ?, ?, ?)",
                    (now_utc(), self.who, action, json.dumps(details, default=str, sort_keys=True)))

    # -- units and windows ------------------------------------------------------------------------
    def _units(self, con) -> dict[str, tuple[str, list[PermitWindow]]]:
        units = {u: (tz, []) for u, tz in con.execute("SELECT unit_id, timezone FROM units")}
        for u, k, a, m, lim in con.execute(
                "SELECT unit_id, kind, applies_to, metric, limit_value FROM permit_windows ORDER BY window_id"):
            units[u][1].append(PermitWindow(k, a, m, lim))
        return units

    def units(self) -> dict[str, tuple[str, list[PermitWindow]]]:
        """``{unit_id: (timezone, [PermitWindow, ...])}``."""
        with self._read() as con:
            return self._units(con)

    def add_unit(self, unit_id: str, timezone: str, windows=()) -> bool:
        """Register a unit (same id as the instance's generator) with its IANA timezone and permit windows
        (``PermitWindow`` or ``"KIND:APPLIES_TO:METRIC:LIMIT"``). Adding an identical unit again is a no-op
        (returns False); a different definition under an existing id is refused."""
        parsed, problems = W.check_unit(unit_id, timezone, windows)
        if problems:
            raise LedgerInputError(f"cannot add unit {unit_id}:", problems)
        with self._write() as con:
            existing = self._units(con).get(unit_id)
            if existing is not None:
                if existing[0] == timezone and sorted(existing[1], key=str) == sorted(parsed, key=str):
                    return False
                raise LedgerInputError(
                    f"unit {unit_id} already exists with timezone {existing[0]} and windows "
                    f"{', '.join(w.spec for w in existing[1]) or '(none)'}; units are never redefined")
            at = now_utc()
            con.execute("INSERT INTO units VALUES (?, ?, ?, ?)", (unit_id, timezone, at, self.who))
            con.executemany("INSERT INTO permit_windows (unit_id, kind, applies_to, metric, limit_value) "
                            "VALUES (?, ?, ?, ?, ?)", [(unit_id, w.kind, w.applies_to, w.metric, w.limit)
                                                       for w in parsed])
            self._audit(con, "add_unit", {"unit_id": unit_id, "timezone": timezone,
                                          "windows": [w.spec for w in parsed]})
        return True

    # -- writing entries --------------------------------------------------------------------------
    def _daily(self, con, unit_id: str, lo: date | None = None, hi: date | None = None) -> dict:
        """``{(day, category): [hours, starts, fuel_gal, nox_kg]}`` of live entries."""
        sql = ("SELECT local_date, category, SUM(hours), SUM(starts), SUM(fuel_gal), SUM(nox_kg) "
               "FROM live_entries WHERE unit_id = ?")
        args: list = [unit_id]
        if lo is not None:
            sql += " AND local_date BETWEEN ? AND ?"
            args += [lo.isoformat(), hi.isoformat()]
        out = {}
        for d, c, *vals in con.execute(sql + " GROUP BY local_date, category", args):
            out[(date.fromisoformat(d), c)] = vals
        return out

    def _check(self, con, rows: list[Row]):
        return W.check_rows(rows, self._units(con), lambda unit_id, lo, hi: self._daily(con, unit_id, lo, hi))

    def _insert(self, con, rows: list[Row], source: str, allow_over: bool, plan_id: str | None = None,
                import_id: str | None = None, checked=None) -> list[int]:
        """Check ``rows`` inside the open transaction (unless the caller just did: ``checked``) and insert
        them, or raise (the caller's transaction then rolls back)."""
        problems, overruns = checked if checked is not None else self._check(con, rows)
        if problems:
            raise LedgerInputError("refused; nothing was changed:", problems)
        if overruns and not allow_over:
            raise PermitExceeded(
                "refused: this would exceed a permit window (remaining would be negative); nothing was changed. "
                "If this really happened, record it deliberately with --allow-over (it is flagged in `show`).",
                [(f"line {', '.join(str(r.line) for r in rs)}: " if rs and rs[0].line is not None else "")
                 + o.describe(u) for u, o, rs in overruns])
        flagged = {id(r) for _, _, rs in overruns for r in rs}
        at, ids = now_utc(), []
        for i, r in enumerate(rows):
            if i == len(rows) // 2:
                _test_pause(i, len(rows))
            cur = con.execute(
                "INSERT INTO entries (unit_id, local_date, category, hours, starts, fuel_gal, nox_kg, source, "
                "plan_id, import_id, over_limit, recorded_at, recorded_by, note) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (r.unit_id, r.day.isoformat(), r.category, r.hours, r.starts, r.fuel_gal, r.nox_kg, source,
                 plan_id, import_id, int(id(r) in flagged), at, self.who, r.note))
            ids.append(cur.lastrowid)
        return ids

    def add_entry(self, unit_id: str, day, category: str, hours, starts=0, fuel_gal=0.0, nox_kg=0.0,
                  note: str | None = None, allow_over: bool = False) -> int:
        """Record one manual contribution; returns its entry id. Refused (nothing changed) for an unknown
        unit, a bad value, a full day or a window overrun (unless ``allow_over``)."""
        from .importer import parse_row
        row, problems = parse_row({"unit_id": unit_id, "date": day, "category": category, "hours": hours,
                                   "starts": starts, "fuel_gal": fuel_gal, "nox_kg": nox_kg, "note": note})
        if problems:
            raise LedgerInputError("refused; nothing was changed:", problems)
        with self._write() as con:
            (entry_id,) = self._insert(con, [row], "manual", allow_over)
            self._audit(con, "add_entry", {"entry_id": entry_id, **_row_dict(row), "allow_over": allow_over})
        return entry_id

    def record_plan(self, result_dir, notice_category: str = W.DEFAULT_NOTICE_CATEGORY, allow_over: bool = False,
                    allow_overlap: bool = False):
        """Record a result folder of ``energyopt solve`` (see :func:`energyopt.ledger.importer.record_plan`)."""
        from .importer import record_plan
        return record_plan(self, result_dir, notice_category, allow_over, allow_overlap)

    def import_csv(self, path, allow_over: bool = False):
        """Import operator actuals from CSV, all rows or none (see :func:`energyopt.ledger.importer.import_csv`)."""
        from .importer import import_csv
        return import_csv(self, path, allow_over)

    def void_plan(self, plan_id: str, reason: str) -> int:
        """Void every live entry of a recorded plan in one transaction; returns how many."""
        with self._write() as con:
            if con.execute("SELECT 1 FROM plans WHERE plan_id = ?", (plan_id,)).fetchone() is None:
                raise LedgerInputError(f"no recorded plan {plan_id!r}")
            ids = [r[0] for r in con.execute("SELECT entry_id FROM live_entries WHERE plan_id = ?", (plan_id,))]
            if not ids:
                raise LedgerInputError(f"plan {plan_id!r} has no entries left to void")
            self._void(con, ids, reason, {"plan_id": plan_id})
        return len(ids)

    def void(self, entry_id: int, reason: str) -> None:
        """Void an entry: it stays in the ledger (and in ``export``), marked void, and stops counting."""
        with self._write() as con:
            self._void(con, [entry_id], reason, {"entry_id": entry_id})

    def _void(self, con, entry_ids: list[int], reason: str, what: dict) -> None:
        if not reason or not str(reason).strip():
            raise LedgerInputError("a void needs a reason (--reason)")
        originals = []
        for entry_id in entry_ids:
            cur = con.execute("SELECT * FROM entries WHERE entry_id = ?", (entry_id,))
            row = cur.fetchone()
            if row is None:
                raise LedgerInputError(f"no entry {entry_id} in the ledger")
            v = con.execute("SELECT voided_at, voided_by, reason FROM voids WHERE entry_id = ?",
                            (entry_id,)).fetchone()
            if v is not None:
                raise LedgerInputError(f"entry {entry_id} was already voided on {v[0]} by {v[1]} ({v[2]})")
            originals.append(dict(zip([c[0] for c in cur.description], row)))
        at = now_utc()
        con.executemany("INSERT INTO voids VALUES (?, ?, ?, ?)", [(i, at, self.who, reason) for i in entry_ids])
        self._audit(con, "void", {**what, "reason": reason, "entries": originals})

    # -- reading ----------------------------------------------------------------------------------
    def _window(self, unit_id: str, window) -> tuple[str, PermitWindow]:
        units = self.units()
        if unit_id not in units:
            raise LedgerInputError(f"unknown unit {unit_id!r}")
        tz, wins = units[unit_id]
        if isinstance(window, str):
            k = window.split(":")[:3]
            match = [w for w in wins if [w.kind, w.applies_to, w.metric] == k]
            if not match:
                raise LedgerInputError(f"unit {unit_id} has no window {window!r}")
            window = match[0]
        return tz, window

    def usage(self, unit_id: str, window, as_of) -> float:
        """Used amount of ``window`` (a PermitWindow or ``KIND:APPLIES_TO:METRIC``) in its instance that
        holds ``as_of``, counting live entries dated up to and including ``as_of``."""
        _, w = self._window(unit_id, window)
        as_of = to_date(as_of)
        with self._read() as con:
            daily = W.metric_by_day(self._daily(con, unit_id), w)
        start, end = W.instance(w.kind, as_of)
        return W.used_in(daily, start, min(end, as_of))

    def remaining(self, unit_id: str, start_date, end_date) -> list[WindowBudget]:
        """For each permit window: what it leaves for the planning period ``start_date..end_date`` (local
        dates of the unit), counting live entries dated before ``start_date`` (see windows.budgets)."""
        start, end = to_date(start_date), to_date(end_date)
        if end < start:
            raise LedgerInputError(f"the period ends ({end}) before it starts ({start})")
        with self._read() as con:
            units = self._units(con)
            if unit_id not in units:
                raise LedgerInputError(f"unknown unit {unit_id!r}")
            daily = self._daily(con, unit_id)
        out = []
        for w in units[unit_id][1]:
            out += W.budgets(unit_id, w, W.metric_by_day(daily, w), start, end)
        return out

    def plan_limits(self, unit_id: str, start_date, end_date, categories=("non_emergency",)) -> dict:
        """The tightest budget a plan for ``start_date..end_date`` may use, if its hours count as
        ``categories``: ``{"hours", "nox_kg", "fuel_gal", "hours_per_day", "nox_kg_per_day",
        "fuel_gal_per_day"}``, each the smallest remaining (never below 0) of the windows that count those
        categories, or None when no window limits it."""
        cats = set(categories)
        bad = cats - set(W.CATEGORIES)
        if bad:
            raise LedgerInputError(f"unknown categories {sorted(bad)}; use {', '.join(W.CATEGORIES)}")
        out: dict[str, float | None] = {m + s: None for m in W.METRICS for s in ("", "_per_day")}
        for b in self.remaining(unit_id, start_date, end_date):
            if cats & set(b.categories):
                key = b.metric + ("_per_day" if b.per_day else "")
                left = max(0.0, b.remaining)
                out[key] = left if out[key] is None else min(out[key], left)
        return out

    def show(self, unit_id: str | None = None, as_of=None):
        """DataFrame: one row per unit and permit window (used, limit, remaining, over-limit flags)."""
        return tables.show_table(self, unit_id, as_of)

    def entries(self, unit_id: str | None = None):
        """DataFrame of every entry, voided ones included."""
        return tables.entries_table(self, unit_id)

    def daily(self, unit_id: str | None = None):
        """DataFrame of live totals per unit, local day and category."""
        return tables.daily_table(self, unit_id)

    def export(self, path=None, table: str = "entries"):
        """The ``entries``, ``daily`` or ``windows`` table; written to ``path`` (.csv/.parquet) if given."""
        return tables.export(self, path, table)

    def audit(self, limit: int | None = None):
        """DataFrame of the audit trail (who, when, what)."""
        return tables.audit_table(self, limit)


def _row_dict(r: Row) -> dict:
    return {"unit_id": r.unit_id, "date": r.day.isoformat(), "category": r.category, "hours": r.hours,
            "starts": r.starts, "fuel_gal": r.fuel_gal, "nox_kg": r.nox_kg, "note": r.note}


def _statements(script: str) -> list[str]:
    """Split the schema into statements (``executescript`` would commit the open transaction)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    return [s for s in out if s]
