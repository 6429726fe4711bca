"""`energyopt replan`, `solve --ledger` and `simulate` through a real subprocess: exit codes, files written,
nothing written on refusal."""
from __future__ import annotations

import json

try:
    from .test_cli import assert_exit
    from .test_simulate import write_case
except ImportError:
    from test_cli import assert_exit
    from test_simulate import write_case

NOTICES = ("id,issued,start,end,cap_mw,reduction_fraction,baseline_mw\n"
           "N2,2025-07-15T13:10:00-05:00,2025-07-15T16:00:00-05:00,2025-07-15T18:00:00-05:00,9,,\n")


def test_replan_writes_the_new_plan_and_its_diff(run_cli, small_toml, tmp_path):
    plan, new = tmp_path / "plan", tmp_path / "new"
    assert_exit(run_cli("solve", small_toml, "--out", plan, "-q", "--mip-gap", "0"), 0)
    (tmp_path / "n.csv").write_text(NOTICES)
    proc = run_cli("replan", plan, "--now", "2025-07-15T13:10:00-05:00", "--add-notices", tmp_path / "n.csv",
                   "--response-minutes", "10", "--out", new, "--mip-gap", "0")
    assert_exit(proc, 0)
    assert "notice N2 added" in proc.stdout
    assert {p.name for p in new.iterdir()} == {"summary.json", "steps.csv", "diff.txt", "diff.json"}
    summary = json.loads((new / "summary.json").read_text())
    assert summary["replan"]["fixed_steps"] == 2          # 12:00 and 13:00 start before 13:20
    assert [n["id"] for n in summary["curtailment"]] == ["N1", "N2"]
    # The checker reads the added notice from the summary and the previous plan for the fixed steps.
    assert_exit(run_cli("check", small_toml, new), 0)
    # A second replan over the first replaces only its own kind of folder.
    assert_exit(run_cli("replan", new, "--now", "2025-07-15T15:00:00-05:00", "--out", new, "-q"), 0)


def test_replan_with_now_outside_the_plan_exits_13_and_writes_nothing(run_cli, small_toml, tmp_path):
    plan, new = tmp_path / "plan", tmp_path / "new"
    assert_exit(run_cli("solve", small_toml, "--out", plan, "-q"), 0)
    proc = run_cli("replan", plan, "--now", "2025-07-16T13:00:00-05:00", "--out", new)
    assert_exit(proc, 13)
    assert "outside the previous plan" in proc.stderr
    assert not new.exists()


def test_replan_with_bad_actuals_exits_13_naming_rows(run_cli, small_toml, tmp_path):
    plan = tmp_path / "plan"
    assert_exit(run_cli("solve", small_toml, "--out", plan, "-q"), 0)
    (tmp_path / "a.csv").write_text("timestamp,job.J1.power_mw,generator.G9.on\n"
                                    "2025-07-15T12:00:00-05:00,-1,0\n")
    proc = run_cli("replan", plan, "--now", "2025-07-15T14:00:00-05:00", "--actuals", tmp_path / "a.csv",
                   "--out", tmp_path / "new")
    assert_exit(proc, 13)
    assert "row 2" in proc.stderr and "generator.G9.on" in proc.stderr
    assert not (tmp_path / "new").exists()


def test_solve_with_a_ledger_shows_budgets_and_refuses_unknown_units(run_cli, small_toml, tmp_path):
    led = tmp_path / "led.sqlite"
    assert_exit(run_cli("ledger", "init", "--ledger", led), 0)
    proc = run_cli("solve", small_toml, "--out", tmp_path / "a", "--ledger", led)
    assert_exit(proc, 3)
    assert "no unit for generator(s) G1" in proc.stderr and not (tmp_path / "a").exists()
    assert_exit(run_cli("ledger", "unit", "add", "G1", "--timezone", "America/Chicago", "--window",
                        "calendar_year:all:hours:1", "--ledger", led), 0)
    # The notice needs the unit for 2 hours (16:00 and 17:00); with 1 h left the plan is infeasible and
    # the explanation names the ledger window.
    proc = run_cli("solve", small_toml, "--out", tmp_path / "a", "--ledger", led)
    assert_exit(proc, 4)
    assert "left in the ledger's calendar_year:all:hours" in proc.stderr
    led2 = tmp_path / "led2.sqlite"
    assert_exit(run_cli("ledger", "init", "--ledger", led2), 0)
    assert_exit(run_cli("ledger", "unit", "add", "G1", "--timezone", "America/Chicago", "--window",
                        "calendar_year:all:hours:3", "--ledger", led2), 0)
    assert_exit(run_cli("solve", small_toml, "--out", tmp_path / "a", "--ledger", led2, "-q"), 0)
    summary = json.loads((tmp_path / "a" / "summary.json").read_text())
    (b,) = summary["permit_budgets"]
    assert b["remaining_before"] == 3.0 and b["plan_uses"] <= 3.0 + 1e-9
    assert summary["generator_run_hours"]["G1"]["hours"] <= 3.0 + 1e-9


def test_simulate_cli_writes_the_report(run_cli, tmp_path):
    cfg = write_case(tmp_path / "case", days=2)
    proc = run_cli("simulate", cfg, "--out", tmp_path / "sim")
    assert_exit(proc, 0)
    assert "optimizing saves" in proc.stdout
    assert (tmp_path / "sim" / "report.txt").is_file() and (tmp_path / "sim" / "days.csv").is_file()
    bad = tmp_path / "case" / "bad.toml"
    bad.write_text(cfg.read_text().replace("days = 2", 'days = "2"'))
    proc = run_cli("simulate", bad, "--out", tmp_path / "sim2")
    assert_exit(proc, 3)
    assert "days" in proc.stderr and not (tmp_path / "sim2").exists()


def test_solve_with_report_and_solving_again_into_the_same_folder(run_cli, small_toml, tmp_path):
    out = tmp_path / "r"
    assert_exit(run_cli("solve", small_toml, "--out", out, "--report", "-q"), 0)
    assert (out / "report.html").stat().st_size > 100_000       # plotly.js is inside
    assert_exit(run_cli("solve", small_toml, "--out", out, "-q"), 0)   # a report does not make it "not a result"
