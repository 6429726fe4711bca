"""The ledger's read-side tables as DataFrames: ``show`` (per unit and permit window), ``entries``, ``daily``,
``export`` and ``audit``. Each takes an open :class:`energyopt.ledger.store.Ledger`."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from . import windows as W
from .windows import LedgerInputError, to_date

SHOW_COLUMNS = ["unit_id", "timezone", "window", "kind", "applies_to", "metric", "limit", "as_of", "window_start",
                "window_end", "used", "remaining", "over_limit", "overruns", "first_overrun", "flagged_entries"]
TABLES = ("entries", "daily", "windows")


def show_table(ledger, unit_id: str | None = None, as_of=None):
    """One row per unit and permit window as of ``as_of`` (default: the later of the unit's local today
    and its last entry): used, limit, remaining, ``over_limit`` now, ``overruns`` (window instances ever
    over their limit, e.g. days or rolling windows) and entries recorded with allow-over."""
    import pandas as pd
    with ledger._read() as con:
        units = ledger._units(con)
        if unit_id is not None and unit_id not in units:
            raise LedgerInputError(f"unknown unit {unit_id!r} (known: {', '.join(sorted(units)) or 'none'})")
        records = []
        for u in [unit_id] if unit_id else sorted(units):
            tz, wins = units[u]
            daily = ledger._daily(con, u)
            flagged = con.execute("SELECT COUNT(*) FROM live_entries WHERE unit_id = ? AND over_limit = 1",
                                  (u,)).fetchone()[0]
            today = datetime.now(ZoneInfo(tz)).date()
            day = to_date(as_of) if as_of is not None else max([today, *(d for d, _ in daily)])
            for w in wins:
                st = W.status(w, W.metric_by_day(daily, w), day)
                records.append({"unit_id": u, "timezone": tz, "window": w.spec, "kind": w.kind,
                                "applies_to": w.applies_to, "metric": w.metric, "limit": w.limit, "as_of": day,
                                **st, "flagged_entries": flagged})
    return pd.DataFrame(records, columns=SHOW_COLUMNS)


def entries_table(ledger, unit_id: str | None = None):
    """Every entry ever recorded, voided ones included (``voided`` with who, when and why)."""
    import pandas as pd
    sql = ("SELECT e.*, v.voided_at, v.voided_by, v.reason AS void_reason FROM entries e "
           "LEFT JOIN voids v ON v.entry_id = e.entry_id")
    args = ()
    if unit_id is not None:
        sql, args = sql + " WHERE e.unit_id = ?", (unit_id,)
    with ledger._read() as con:
        cur = con.execute(sql + " ORDER BY e.entry_id", args)
        df = pd.DataFrame(cur.fetchall(), columns=[c[0] for c in cur.description])
    df.insert(len(df.columns) - 3, "voided", df["voided_at"].notna())
    df["over_limit"] = df["over_limit"].astype(bool)
    return df


def daily_table(ledger, unit_id: str | None = None):
    """Live (not voided) totals per unit, local day and category."""
    import pandas as pd
    sql = ("SELECT unit_id, local_date, category, SUM(hours) AS hours, SUM(starts) AS starts, "
           "SUM(fuel_gal) AS fuel_gal, SUM(nox_kg) AS nox_kg, COUNT(*) AS entries FROM live_entries")
    args = ()
    if unit_id is not None:
        sql, args = sql + " WHERE unit_id = ?", (unit_id,)
    with ledger._read() as con:
        cur = con.execute(sql + " GROUP BY unit_id, local_date, category ORDER BY unit_id, local_date, category",
                          args)
        return pd.DataFrame(cur.fetchall(), columns=[c[0] for c in cur.description])


def export(ledger, path=None, table: str = "entries"):
    """The ``entries`` (all, voided included), ``daily`` or ``windows`` (= show) table as a DataFrame;
    written to ``path`` (.csv or .parquet, atomically) when given."""
    if table not in TABLES:
        raise LedgerInputError(f"table {table!r} is not one of {', '.join(TABLES)}")
    if path is not None and Path(path).suffix.lower() not in (".csv", ".parquet"):
        raise LedgerInputError(f"export to {path}: the file name must end in .csv or .parquet")
    df = {"entries": entries_table, "daily": daily_table, "windows": show_table}[table](ledger)
    if path is not None:
        from ..atomic import write_file
        path = Path(path)

        def write(tmp):
            if path.suffix.lower() == ".csv":
                df.to_csv(tmp, index=False)
            else:
                out = df.copy()
                for c in out.columns[out.dtypes == object]:
                    out[c] = out[c].astype(object).where(out[c].notna(), None)
                out.to_parquet(tmp, index=False)
        write_file(path, write)
    return df


def audit_table(ledger, limit: int | None = None):
    """The audit trail, oldest first (the last ``limit`` rows when given): when, who, what (JSON)."""
    import pandas as pd
    with ledger._read() as con:
        if limit is None:
            cur = con.execute("SELECT * FROM audit ORDER BY audit_id")
        else:
            cur = con.execute("SELECT * FROM (SELECT * FROM audit ORDER BY audit_id DESC LIMIT ?) ORDER BY audit_id",
                              (int(limit),))
        return pd.DataFrame(cur.fetchall(), columns=[c[0] for c in cur.description])
