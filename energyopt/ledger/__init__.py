"""The permit ledger: a durable SQLite record of generator run hours, starts, fuel and NOx per unit and local
day, checked against each unit's permit windows (calendar year, rolling 12 months, day; all hours, or only
testing and non-emergency, or only non-emergency). See docs/ledger.md.

    from energyopt.ledger import Ledger
    with Ledger("site-ledger.sqlite", create=True) as led:
        led.add_unit("G1", "America/Chicago", ["calendar_year:testing_and_non_emergency:hours:100",
                                               "calendar_year:non_emergency:hours:50"])
        led.record_plan("out/small")                      # idempotent by plan id
        led.remaining("G1", "2025-07-16", "2025-07-16")   # [WindowBudget(...), ...]

The read-side tables (``show``, ``entries``, ``export``, ``audit``) are in :mod:`energyopt.ledger.tables`.
"""
from __future__ import annotations

from .importer import ImportOutcome, PlanOutcome
from .store import DEFAULT_PATH, ENV_PATH, SCHEMA_VERSION, Ledger, resolve_path
from .tables import SHOW_COLUMNS, TABLES, audit_table, daily_table, entries_table, export, show_table  # noqa: F401
from .windows import (APPLIES_TO, CATEGORIES, KINDS, METRICS, LedgerCorrupt, LedgerError, LedgerInputError,
                      LedgerLocked, PermitExceeded, PermitWindow, Row, WindowBudget)

__all__ = ["APPLIES_TO", "CATEGORIES", "DEFAULT_PATH", "ENV_PATH", "KINDS", "METRICS", "SCHEMA_VERSION",
           "ImportOutcome", "Ledger", "LedgerCorrupt", "LedgerError", "LedgerInputError", "LedgerLocked",
           "PermitExceeded", "PermitWindow", "PlanOutcome", "Row", "WindowBudget", "resolve_path"]
