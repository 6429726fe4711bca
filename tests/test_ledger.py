"""The permit ledger (energyopt.ledger): window arithmetic derived by hand, recording a real plan, CSV import,
refusals that change nothing, voids, a corrupt file, and the CLI's exit codes through real subprocesses.

Hand-derived facts used below:
* a rolling 12-month window ending on e starts the day after e's date one year earlier: ending 2025-05-31
  it holds 2024-06-01..2025-05-31, ending 2025-06-01 it holds 2024-06-02..2025-06-01;
* instances/small runs G1 at 2.5 MW in the notice 15:00-17:00 CDT of 2025-07-15 (20:00-22:00 UTC): 2 h,
  1 start, 2 x 174.825 gal (4.25 gal/h/MW x 2.5 MW + 65.68 gal/MWh x 2.5 MWh), 6.4 kg/MWh x 5 MWh = 32 kg NOx.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from energyopt.ledger import (Ledger, LedgerCorrupt, LedgerInputError, PermitExceeded, PermitWindow)
from energyopt.ledger.cli import ledger_group
from energyopt.ledger.windows import day_hours, rolling_start

ROOT = Path(__file__).resolve().parents[1]
EPA = ["calendar_year:testing_and_non_emergency:hours:100", "calendar_year:non_emergency:hours:50"]
VIRGINIA = ["calendar_year:all:hours:500", "calendar_year:non_emergency:hours:0"]


def dump(path: Path) -> list[str]:
    """The ledger's logical content (SQL dump): equal before and after means nothing changed."""
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory) -> Path:
    """instances/small solved once and written like `energyopt solve --out`."""
    import energyopt as eo
    out = tmp_path_factory.mktemp("plan") / "small"
    result = eo.solve(ROOT / "instances" / "small" / "small.toml", eo.SolveOptions(mip_rel_gap=0))
    assert result.status is eo.SolveStatus.OPTIMAL
    result.write(out)
    return out


@pytest.fixture
def led(tmp_path) -> Ledger:
    ledger = Ledger(tmp_path / "ledger.sqlite", create=True, who="tester")
    yield ledger
    ledger.close()


def budgets(ledger, unit, start, end) -> dict:
    return {(b.kind, b.applies_to, b.metric, b.window_start.year if b.kind == "calendar_year" else None):
            (b.used, b.remaining) for b in ledger.remaining(unit, start, end)}


# -- window arithmetic ----------------------------------------------------------------------------

def test_rolling_window_starts_a_year_back_and_holds_365_or_366_days():
    assert rolling_start(date(2025, 3, 31)) == date(2024, 4, 1)       # 365 days
    assert rolling_start(date(2025, 2, 28)) == date(2024, 2, 29)      # holds 29 Feb 2024: 366 days
    assert rolling_start(date(2024, 2, 29)) == date(2023, 3, 1)       # ends on 29 Feb: 366 days
    assert rolling_start(date(2025, 3, 1)) == date(2024, 3, 2)        # 365 days
    assert day_hours("America/Chicago", date(2025, 3, 9)) == 23
    assert day_hours("America/Chicago", date(2025, 11, 2)) == 25
    assert day_hours("America/Chicago", date(2025, 7, 15)) == 24


def test_calendar_year_and_rolling_window_across_a_year_boundary(led):
    led.add_unit("G1", "America/Chicago", ["calendar_year:all:hours:100", "rolling_12_months:all:hours:100"])
    led.add_entry("G1", "2024-01-14", "testing", 20)   # just outside the rolling window for 2025-01-15
    led.add_entry("G1", "2024-01-15", "testing", 3)    # first day of that window
    led.add_entry("G1", "2024-12-20", "emergency", 10)
    led.add_entry("G1", "2025-01-10", "non_emergency", 5)
    b = budgets(led, "G1", "2025-01-15", "2025-01-15")
    assert b[("calendar_year", "all", "hours", 2025)] == (5, 95)         # 2025 only
    assert b[("rolling_12_months", "all", "hours", None)] == (18, 82)    # 2024-01-15..2025-01-14: 3+10+5
    # a period across New Year: one budget per calendar year, each counting entries before the period
    b = budgets(led, "G1", "2024-12-31", "2025-01-01")
    assert b[("calendar_year", "all", "hours", 2024)] == (33, 67)        # 20+3+10
    assert b[("calendar_year", "all", "hours", 2025)] == (0, 100)
    assert b[("rolling_12_months", "all", "hours", None)] == (33, 67)    # 2023-12-31..2024-12-30: 20+3+10


def test_rolling_window_edges_and_backdated_entries(led):
    led.add_unit("W1", "America/Los_Angeles", ["rolling_12_months:all:fuel_gal:1000"])
    led.add_entry("W1", "2024-06-01", "emergency", 10, fuel_gal=600)
    led.add_entry("W1", "2025-03-01", "emergency", 5, fuel_gal=300)
    with pytest.raises(PermitExceeded, match="2024-06-01..2025-05-31"):   # 600+300+200 = 1100 > 1000
        led.add_entry("W1", "2025-05-31", "testing", 2, fuel_gal=200)
    led.add_entry("W1", "2025-06-01", "testing", 2, fuel_gal=200)           # 300+200: the 600 dropped out
    # a back-dated entry is checked against every later window that holds it:
    led.add_entry("W1", "2025-12-01", "emergency", 8, fuel_gal=400)       # window to 2025-12-01: 300+200+400
    with pytest.raises(PermitExceeded, match="2024-12-02..2025-12-01: 900 gal used \\+ 150 gal new"):
        led.add_entry("W1", "2025-07-10", "testing", 1, fuel_gal=150)     # its own window: 300+200+150 only
    led.add_entry("W1", "2025-07-10", "testing", 1, fuel_gal=100)         # exactly 1000 is allowed
    assert led.usage("W1", "rolling_12_months:all:fuel_gal", "2025-12-01") == 1000


def test_epa_100_50_split(led):
    led.add_unit("G1", "America/Chicago", EPA)
    for d in ("2025-02-03", "2025-02-04", "2025-02-05"):
        led.add_entry("G1", d, "non_emergency", 15)                        # 45 h non-emergency
    for d in range(10, 15):
        led.add_entry("G1", f"2025-03-{d}", "testing", 10, starts=1)        # 50 h testing
    b = budgets(led, "G1", "2025-07-15", "2025-07-15")
    assert b[("calendar_year", "testing_and_non_emergency", "hours", 2025)] == (95, 5)
    assert b[("calendar_year", "non_emergency", "hours", 2025)] == (45, 5)
    assert led.plan_limits("G1", "2025-07-15", "2025-07-15", ["non_emergency"])["hours"] == 5
    assert led.plan_limits("G1", "2025-07-15", "2025-07-15", ["emergency"])["hours"] is None  # unlimited
    with pytest.raises(PermitExceeded, match="testing_and_non_emergency hours 2025-01-01..2025-12-31"):
        led.add_entry("G1", "2025-07-01", "testing", 6)
    led.add_entry("G1", "2025-07-01", "emergency", 20)                     # emergency use counts nowhere
    led.add_entry("G1", "2025-07-02", "testing", 5)                        # exactly uses the last 5 h
    assert budgets(led, "G1", "2025-07-15", "2025-07-15")[
        ("calendar_year", "testing_and_non_emergency", "hours", 2025)] == (100, 0)


def test_virginia_500_all_hours_and_no_non_emergency(led, tmp_path):
    led.add_unit("V1", "America/New_York", VIRGINIA)
    with pytest.raises(PermitExceeded, match="non_emergency hours"):
        led.add_entry("V1", "2025-08-01", "non_emergency", 0.25)
    rows = [f"V1,2025-01-{d:02d},emergency,24,1,1700,10" for d in range(1, 21)]   # 480 h
    (tmp_path / "v.csv").write_text("unit_id,date,category,hours,starts,fuel_gal,nox_kg\n" + "\n".join(rows) + "\n")
    led.import_csv(tmp_path / "v.csv")
    led.add_entry("V1", "2025-06-01", "testing", 20)                       # 500: exactly the limit
    with pytest.raises(PermitExceeded, match="all hours"):
        led.add_entry("V1", "2025-06-02", "emergency", 0.5)
    assert budgets(led, "V1", "2026-01-01", "2026-01-01")[("calendar_year", "all", "hours", 2026)] == (0, 500)


def test_local_day_length_follows_daylight_saving(led):
    led.add_unit("G1", "America/Chicago")
    led.add_entry("G1", "2025-11-02", "emergency", 25)                     # fall back: a 25-hour day
    with pytest.raises(LedgerInputError, match="23 h of that local day"):
        led.add_entry("G1", "2025-03-09", "emergency", 24)                 # spring forward: 23 hours


# -- recording plans ------------------------------------------------------------------------------

def test_record_plan_counts_notice_hours_as_emergency_on_the_local_day(led, plan_dir):
    led.add_unit("G1", "America/Chicago", EPA)
    out = led.record_plan(plan_dir, notice_category="emergency")
    assert not out.already and len(out.entry_ids) == 1
    e = led.entries()
    assert e[["local_date", "category", "hours", "starts"]].values.tolist() == [["2025-07-15", "emergency", 2.0, 1]]
    assert e["fuel_gal"].iloc[0] == pytest.approx(349.65) and e["nox_kg"].iloc[0] == pytest.approx(32.0)
    assert e["source"].iloc[0] == "plan" and e["plan_id"].iloc[0] == out.plan_id
    # emergency hours leave the EPA windows untouched
    assert {b.remaining for b in led.remaining("G1", "2025-07-16", "2025-07-16")} == {100, 50}


def test_notice_category_and_local_days_of_other_timezones(tmp_path, plan_dir):
    with Ledger(tmp_path / "a.sqlite", create=True) as a:
        a.add_unit("G1", "America/Chicago", EPA)
        a.record_plan(plan_dir, notice_category="non_emergency")
        assert a.usage("G1", "calendar_year:non_emergency:hours", "2025-12-31") == 2.0
    with Ledger(tmp_path / "b.sqlite", create=True) as b:   # 20:00-22:00 UTC = 23:00-01:00 in Moscow
        b.add_unit("G1", "Europe/Moscow")
        b.record_plan(plan_dir)
        rows = b.daily()[["local_date", "hours", "starts", "fuel_gal"]].values.tolist()
        assert rows == [["2025-07-15", 1.0, 1, pytest.approx(174.825)], ["2025-07-16", 1.0, 0, pytest.approx(174.825)]]
    moved = tmp_path / "moved"
    shutil.copytree(plan_dir, moved)
    s = json.loads((moved / "summary.json").read_text())
    s["curtailment"][0]["start"] = "2025-07-15T15:30:00-05:00"    # the first step is half inside the notice
    (moved / "summary.json").write_text(json.dumps(s))
    with Ledger(tmp_path / "c.sqlite", create=True) as c:
        c.add_unit("G1", "America/Chicago")
        c.record_plan(moved, notice_category="emergency")
        assert dict(c.daily()[["category", "hours"]].values.tolist()) == {"emergency": 1.5, "non_emergency": 0.5}
    with Ledger(tmp_path / "d.sqlite", create=True) as d:   # the default: demand response is non-emergency use
        d.add_unit("G1", "America/Chicago")
        d.record_plan(moved)
        assert dict(d.daily()[["category", "hours"]].values.tolist()) == {"non_emergency": 2.0}


def test_recording_twice_is_a_no_op_and_same_id_other_content_is_refused(led, plan_dir, tmp_path):
    led.add_unit("G1", "America/Chicago", EPA)
    first = led.record_plan(plan_dir)
    before = dump(led.path)
    again = led.record_plan(plan_dir)
    assert again.already and again.plan_id == first.plan_id and dump(led.path) == before
    # a plan id given in summary.json names one plan: other content under that id is refused
    p1 = tmp_path / "p1"
    shutil.copytree(plan_dir, p1)
    s = json.loads((p1 / "summary.json").read_text())
    s["plan_id"] = "P1"
    (p1 / "summary.json").write_text(json.dumps(s))
    led.void_plan(first.plan_id, "superseded by P1")
    assert led.record_plan(p1).plan_id == "P1"
    steps = (p1 / "steps.csv").read_text()
    (p1 / "steps.csv").write_text(steps.replace("174.825", "174.8", 1))
    s["generator_run_hours"]["G1"]["fuel_gal"] = 349.625
    (p1 / "summary.json").write_text(json.dumps(s))
    before = dump(led.path)
    with pytest.raises(LedgerInputError, match="P1 was recorded .* with different content"):
        led.record_plan(p1)
    assert dump(led.path) == before


def test_an_overlapping_plan_is_refused_until_the_first_is_voided(led, plan_dir, tmp_path):
    led.add_unit("G1", "America/Chicago", EPA)
    first = led.record_plan(plan_dir)
    other = tmp_path / "resolved"                 # the same day solved again: new bytes, new plan id
    shutil.copytree(plan_dir, other)
    s = json.loads((other / "summary.json").read_text())
    s["solve_seconds"] = 99.0
    s["plan_id"] = "another-solve-of-the-same-day"
    (other / "summary.json").write_text(json.dumps(s))
    before = dump(led.path)
    with pytest.raises(LedgerInputError, match="counted twice"):
        led.record_plan(other)
    assert dump(led.path) == before
    assert led.void_plan(first.plan_id, "re-planned") == 1
    led.record_plan(other)
    assert led.daily()["hours"].tolist() == [2.0]


def test_a_folder_whose_files_disagree_is_refused(led, plan_dir, tmp_path):
    led.add_unit("G1", "America/Chicago")
    bad = tmp_path / "bad"
    shutil.copytree(plan_dir, bad)
    s = json.loads((bad / "summary.json").read_text())
    s["generator_run_hours"]["G1"]["hours"] = 3.0
    (bad / "summary.json").write_text(json.dumps(s))
    with pytest.raises(LedgerInputError, match="do not belong together"):
        led.record_plan(bad)
    with pytest.raises(LedgerInputError, match="not a result folder"):
        led.record_plan(tmp_path)
    assert led.entries().empty


# -- CSV import -----------------------------------------------------------------------------------

BAD_CSV = """unit_id,date,category,hours,starts,fuel_gal,nox_kg,note
G1,2025-03-01,testing,1,1,50,0.5,fine
G9,2025-03-02,testing,1,1,50,0.5,
G1,2025-02-30,testing,1,1,50,0.5,
G1,2025-03-03,testing,-1,0,0,0,
G1,2025-03-04,maintenance,1,0,0,0,
G1,2025-03-05,emergency,20,1,0,0,
G1,2025-03-05,emergency,10,1,0,0,
G1,2025-03-06,non_emergency,24,1,0,0,
G1,2025-03-07,non_emergency,24,1,0,0,
G1,2025-03-08,non_emergency,5,1,0,0,
G1,2025-03-09,testing,1,1
"""


def test_csv_import_reports_every_bad_line_and_imports_nothing(led, tmp_path):
    led.add_unit("G1", "America/Chicago", EPA)
    f = tmp_path / "actuals.csv"
    f.write_text(BAD_CSV)
    before = dump(led.path)
    with pytest.raises(LedgerInputError) as info:
        led.import_csv(f)
    msg = str(info.value)
    for line, what in [(3, "unknown unit 'G9'"), (4, "2025-02-30"), (5, "hours '-1'"), (6, "maintenance"),
                       (7, "30 h, more than the 24 h"), (9, "non_emergency hours"),
                       (12, "5 fields, but the header has 8")]:
        assert f"line {line}" in msg and what in msg, (line, what, msg)
    assert "line 7, 8:" in msg and "line 9, 10, 11:" in msg and "line 2:" not in msg
    assert dump(led.path) == before


def test_csv_import_all_rows_land_once_and_over_limit_needs_allow_over(led, tmp_path):
    led.add_unit("G1", "America/Chicago", EPA)
    good = tmp_path / "good.csv"
    good.write_text("unit_id,date,category,hours,starts,fuel_gal,nox_kg\n"
                    + "".join(f"G1,2025-04-{d:02d},testing,2,1,140,1.5\n" for d in range(1, 21)))
    out = led.import_csv(good)
    assert len(out.entry_ids) == 20 and not out.already
    assert led.import_csv(good).already and len(led.entries()) == 20          # same file again: no-op
    over = tmp_path / "over.csv"
    over.write_text("unit_id,date,category,hours,starts,fuel_gal,nox_kg\nG1,2025-05-01,non_emergency,20,1,0,0\n"
                    "G1,2025-05-02,non_emergency,20,1,0,0\nG1,2025-05-03,non_emergency,20,1,0,0\n")
    with pytest.raises(PermitExceeded, match="line 2, 3, 4: unit G1: calendar_year non_emergency hours"):
        led.import_csv(over)                                      # testing and non-emergency: 40 + 60 = 100 is fine
    assert len(led.entries()) == 20
    assert led.import_csv(over, allow_over=True).flagged == 3
    show = led.show(as_of="2025-12-31").set_index("window")
    assert show.loc["calendar_year:non_emergency:hours:50", "over_limit"]
    assert show.loc["calendar_year:non_emergency:hours:50", "remaining"] == -10
    assert show.loc["calendar_year:testing_and_non_emergency:hours:100", "remaining"] == 0
    assert show["flagged_entries"].iloc[0] == 3


# -- refusals that change nothing, voids, corrupt files --------------------------------------------

def test_unknown_unit_and_over_limit_are_refused_with_no_change(led):
    led.add_unit("G1", "America/Chicago", EPA)
    led.add_entry("G1", "2025-01-02", "non_emergency", 20)
    led.add_entry("G1", "2025-01-03", "non_emergency", 20)
    before = dump(led.path)
    with pytest.raises(LedgerInputError, match="unknown unit 'G2'"):
        led.add_entry("G2", "2025-01-02", "testing", 1)
    with pytest.raises(PermitExceeded, match="40 h used \\+ 11 h new = 51 h > limit 50 h"):
        led.add_entry("G1", "2025-01-04", "non_emergency", 11)
    assert dump(led.path) == before
    entry = led.add_entry("G1", "2025-01-04", "non_emergency", 11, note="real overrun", allow_over=True)
    e = led.entries().set_index("entry_id")
    assert e.loc[entry, "over_limit"] and not e.loc[1, "over_limit"]
    row = led.show(as_of="2025-01-31").set_index("window").loc["calendar_year:non_emergency:hours:50"]
    assert row["over_limit"] and row["overruns"] == 1 and row["remaining"] == -1


def test_void_keeps_the_row_and_the_audit_trail(led):
    led.add_unit("G1", "America/Chicago", EPA)
    keep = led.add_entry("G1", "2025-01-02", "testing", 4)
    typo = led.add_entry("G1", "2025-01-03", "testing", 40 / 2)
    led.void(typo, "typed 20 for 2")
    assert led.usage("G1", "calendar_year:testing_and_non_emergency:hours", "2025-12-31") == 4
    e = led.entries().set_index("entry_id")
    assert e.loc[typo, "hours"] == 20 and e.loc[typo, "voided"] and e.loc[typo, "void_reason"] == "typed 20 for 2"
    assert not e.loc[keep, "voided"]
    audit = led.audit()
    assert audit["action"].tolist() == ["init", "add_unit", "add_entry", "add_entry", "void"]
    assert set(audit["who"]) == {"tester"}
    details = json.loads(audit["details"].iloc[-1])
    assert details["reason"] == "typed 20 for 2" and details["entries"][0]["hours"] == 20
    with pytest.raises(LedgerInputError, match="already voided"):
        led.void(typo, "again")
    con = sqlite3.connect(led.path)
    for sql in ("UPDATE entries SET hours = 0", "DELETE FROM entries", "DELETE FROM audit", "DELETE FROM voids"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute(sql)
    con.close()


def test_corrupt_or_newer_ledger_is_refused_untouched(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(bytes(range(256)) * 16)
    with pytest.raises(LedgerCorrupt, match="file is not a database"):
        Ledger(junk)
    assert junk.read_bytes() == bytes(range(256)) * 16
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.sqlite"]
    newer = tmp_path / "newer.sqlite"
    Ledger(newer, create=True).close()
    con = sqlite3.connect(newer)
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with pytest.raises(LedgerCorrupt, match="format version 99, newer"):
        Ledger(newer)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(LedgerCorrupt, match="not an energyopt ledger"):
        Ledger(other)
    with pytest.raises(LedgerInputError, match="no ledger at"):
        Ledger(tmp_path / "missing.sqlite")
    assert not (tmp_path / "missing.sqlite").exists()


def test_window_specs_are_validated():
    assert PermitWindow.parse("rolling_12_months:all:fuel_gal:30000").limit == 30000
    for bad in ("year:all:hours:100", "calendar_year:most:hours:1", "day:all:hours:30", "day:all:hours",
                "day:all:kwh:1", "calendar_year:all:hours:-5"):
        with pytest.raises(ValueError):
            PermitWindow.parse(bad)


# -- CLI ------------------------------------------------------------------------------------------

def cli(*args, env=None):
    return CliRunner().invoke(ledger_group, [str(a) for a in args], env=env)


def test_cli_in_process_round_trip(tmp_path, plan_dir):
    lp = tmp_path / "l.sqlite"
    env = {"ENERGYOPT_LEDGER": str(lp)}
    assert cli("init", env=env).exit_code == 0 and lp.exists()
    r = cli("unit", "add", "G1", "--timezone", "America/Chicago", *sum((["--window", w] for w in EPA), []),
            "--who", "ops", env=env)
    assert r.exit_code == 0, r.output
    assert cli("record", plan_dir, "--notice-category", "emergency", env=env).exit_code == 0
    r = cli("add", "G1", "2025-07-16", "--category", "testing", "--hours", "2", "--starts", "1", env=env)
    assert r.exit_code == 0 and "recorded entry 2" in r.output
    r = cli("show", "--as-of", "2025-07-31", env=env)
    assert r.exit_code == 0 and "G1 (America/Chicago) as of 2025-07-31" in r.output
    assert "calendar_year testing_and_non_emergency hours" in r.output and "98 h" in r.output
    assert cli("void", "2", "--reason", "test run", env=env).exit_code == 0
    assert cli("void", "--reason", "x", env=env).exit_code == 3
    assert cli("export", tmp_path / "e.csv", env=env).exit_code == 0
    assert "void_reason" in (tmp_path / "e.csv").read_text() and "test run" in (tmp_path / "e.csv").read_text()
    assert cli("export", tmp_path / "w.parquet", "--table", "windows", env=env).exit_code == 0
    assert cli("export", tmp_path / "e.xlsx", env=env).exit_code == 3
    r = cli("audit", env=env)
    assert r.exit_code == 0 and [ln.split()[3] for ln in r.output.splitlines()] == [
        "init", "add_unit", "record_plan", "add_entry", "void"]
    assert " ops " in r.output.splitlines()[1]
    r = cli("--help")
    for code in ("3 bad input", "10 would exceed", "11 ledger corrupt", "12 ledger locked"):
        assert code in r.output


def test_cli_exit_codes_in_real_processes(tmp_path, plan_dir):
    """Each case on its own ledger, all processes at once (each pays the package's import time)."""
    def fresh(name: str, record: bool = False) -> Path:
        p = tmp_path / f"{name}.sqlite"
        with Ledger(p, create=True) as led:
            led.add_unit("G1", "America/Chicago", EPA)
            led.add_entry("G1", "2025-01-02", "non_emergency", 20)
            led.add_entry("G1", "2025-01-03", "non_emergency", 20)
            if record:
                led.record_plan(plan_dir)
        return p

    (tmp_path / "bad.csv").write_text(BAD_CSV)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"\x00garbage" * 500)
    cases = {
        "again": (["record", plan_dir], fresh("again", record=True), 0, "already recorded"),
        "over": (["add", "G1", "2025-01-04", "--category", "non_emergency", "--hours", "11"], fresh("over"), 10,
                 "40 h used + 11 h new = 51 h > limit 50 h"),
        "csv": (["import", tmp_path / "bad.csv"], fresh("csv"), 3, "line 3: unknown unit 'G9'"),
        "corrupt": (["show"], junk, 11, "file is not a database"),
    }
    before = {k: dump(c[1]) for k, c in cases.items() if k != "corrupt"}
    procs = {k: subprocess.Popen([sys.executable, "-m", "energyopt.cli", "ledger", *map(str, args), "--ledger", str(lp)],
                                 cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for k, (args, lp, _, _) in cases.items()}
    for k, p in procs.items():
        out, err = p.communicate(timeout=120)
        _, lp, code, text = cases[k]
        assert p.returncode == code, (k, p.returncode, out, err)
        assert text in out + err and "Traceback" not in err, (k, out, err)
        if k != "corrupt":
            assert dump(lp) == before[k], k
    assert junk.read_bytes() == b"\x00garbage" * 500


def test_docs_cite_real_tests_windows_and_exit_codes():
    import re
    from energyopt.ledger import cli as ledger_cli
    text = (ROOT / "docs" / "ledger.md").read_text(encoding="utf-8")
    tests = (Path(__file__).read_text() + (Path(__file__).parent / "test_ledger_processes.py").read_text())
    for name in set(re.findall(r"`(?:test_ledger_processes\.py::)?(test_\w+?)(?:\.\.\.)?`", text)):
        assert f"def {name}" in tests, f"docs/ledger.md cites {name}, which is not a test"
    for spec in re.findall(r"--window ([a-z_0-9:]+)", text):
        PermitWindow.parse(spec)
    for code in (ledger_cli.EXIT_BAD_INPUT, ledger_cli.EXIT_EXCEEDS, ledger_cli.EXIT_CORRUPT, ledger_cli.EXIT_LOCKED):
        assert f"| {code} |" in text
