"""The command line through a real subprocess (``python cli.py ...`` and ``python -m energyopt.cli``).

Each subprocess pays ~1-2 s of Pyomo start-up, so cases share runs where they can.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

RESULT_FILES = {"summary.json", "steps.csv", "steps.parquet"}
EXIT_CODES = ["0 optimal", "1 internal error", "2 usage error", "3 bad input", "4 infeasible",
              "5 time limit", "6 time limit", "7 unbounded", "8 solver error"]


def assert_exit(proc, code: int):
    assert proc.returncode == code, (f"exit {proc.returncode}, expected {code}\n--- stdout\n{proc.stdout}"
                                     f"\n--- stderr\n{proc.stderr}")
    assert "Traceback" not in proc.stderr


def leftovers(folder: Path) -> list[str]:
    """Temporary folders the atomic writer may have left next to --out."""
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name or ".old-" in p.name)


# -- help -------------------------------------------------------------------------------------------

def _assert_exit_codes_listed(text: str):
    flat = " ".join(text.split())
    for code in EXIT_CODES:
        assert code in flat, f"{code!r} missing from help"


def test_solve_help_shows_example_and_exit_codes(run_cli):
    proc = run_cli("solve", "--help")
    assert_exit(proc, 0)
    assert "Example" in proc.stdout and "solve " in proc.stdout and "--out" in proc.stdout
    _assert_exit_codes_listed(proc.stdout)


@pytest.fixture(scope="module")
def top_help():
    """`python cli.py --help`, run once for the tests below."""
    root = Path(__file__).resolve().parents[1]
    return subprocess.run([sys.executable, str(root / "cli.py"), "--help"], capture_output=True, text=True,
                          cwd=root, timeout=120)


def test_top_level_help_lists_exit_codes(top_help):
    assert_exit(top_help, 0)
    assert "solve" in top_help.stdout and "validate" in top_help.stdout
    _assert_exit_codes_listed(top_help.stdout)


def test_top_level_help_shows_an_example(top_help):
    assert "Example" in top_help.stdout


# -- solve ------------------------------------------------------------------------------------------

def test_solve_small_writes_the_result(run_cli, small_toml, tmp_path):
    out = tmp_path / "out"
    proc = run_cli("solve", small_toml, "--out", out)
    assert_exit(proc, 0)
    assert "optimal" in proc.stdout
    assert {p.name for p in out.iterdir()} == {"summary.json", "steps.csv"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal"
    assert summary["objective_usd"] is not None
    assert len((out / "steps.csv").read_text().strip().splitlines()) == 1 + 6  # header + 6 hourly steps
    assert leftovers(tmp_path) == []


def test_parquet_then_resolve_replaces_the_previous_result(run_cli, small_toml, tmp_path):
    out = tmp_path / "out"
    proc = run_cli("solve", small_toml, "--out", out, "--parquet", "-q")
    assert_exit(proc, 0)
    assert proc.stdout == ""  # --quiet
    assert {p.name for p in out.iterdir()} == {"summary.json", "steps.csv", "steps.parquet"}
    import pandas as pd
    assert len(pd.read_parquet(out / "steps.parquet")) == 6

    # Re-solving into a previous result replaces it whole: without --parquet the old parquet is gone.
    proc = run_cli("solve", small_toml, "--out", out)
    assert_exit(proc, 0)
    assert {p.name for p in out.iterdir()} == {"summary.json", "steps.csv"}
    assert leftovers(tmp_path) == []


def test_time_limit_status_matches_exit_code(run_cli, small_toml, tmp_path):
    out = tmp_path / "out"
    proc = run_cli("solve", small_toml, "--out", out, "--time-limit", "0.001")
    # A tiny limit may still solve small to optimality (0), stop with a schedule (5) or, as HiGHS often
    # does with 1 ms, stop before finding any schedule (6). Whichever, the summary must agree.
    expected = {0: "optimal", 5: "time_limit_feasible", 6: "time_limit_no_solution"}
    assert proc.returncode in expected, proc.stderr
    assert "Traceback" not in proc.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == expected[proc.returncode]
    assert summary["solver"]["options"]["time_limit_s"] == pytest.approx(0.001)
    assert (out / "steps.csv").exists() == (proc.returncode in (0, 5))


def test_infeasible_is_explained(run_cli, small, tmp_path):
    small.replace("reduction_fraction = 0.5", "reduction_fraction = 0.9")  # cap 18 x 0.1 = 1.8 MW, 15:00-17:00
    proc = run_cli("solve", small.toml, "--out", tmp_path / "out")
    assert_exit(proc, 4)
    text = proc.stdout + proc.stderr
    assert "infeasible" in text
    assert "N1" in text
    assert "15:00" in text
    m = re.search(r"by up to ([0-9.]+) MW", text)
    assert m, text
    # By hand, at 15:00 (the worst step: hottest, highest demand), with the default COP curve
    # (15 C, 4.4) -> (45 C, 2.57):  COP(38.5 C) = 4.4 - (1.83 / 30) * 23.5 = 2.967.
    #   must-serve = fixed IT 6.0 + inference minimum 0.8 x 2.5 = 2.0 + overhead 0.5
    #                + cooling (6.0 + 2.0) / 2.967 = 2.70                        = 11.20 MW
    #   supply     = notice cap 1.8 + generator 2.5                              =  4.30 MW
    #   shortfall  = 6.90 MW   (the training job can run outside 15:00-17:00, so it adds nothing).
    # Tolerance 0.1 MW: the only inexact term is cooling (a 2-3% change in COP moves it < 0.1 MW), while
    # any term wrongly added or dropped (overhead 0.5, cooling the overhead +0.17, the cap 1.8) moves the
    # figure by more than that.
    assert float(m.group(1)) == pytest.approx(6.90, abs=0.1)


# -- bad input and output folders -------------------------------------------------------------------

def test_validate_invalid_instance_lists_every_problem(run_cli, small):
    small.replace("capacity_mw = 2.5\n", "").replace("min_served_fraction = 0.8", "min_served_fraction = 1.5")
    lines = small.lines()
    lines[2], lines[3] = lines[3], lines[2]
    small.write_lines(lines)
    proc = run_cli("validate", small.toml)
    assert_exit(proc, 3)
    assert "3 problems" in proc.stderr
    assert "generators[0] (G1).capacity_mw" in proc.stderr
    assert "inference[0] (chat).min_served_fraction" in proc.stderr
    assert "series.csv, row 4" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_solve_bad_instance_writes_nothing(run_cli, small, tmp_path):
    small.replace("run_hours_left", "run_hour_left")
    before = sorted(p.name for p in tmp_path.iterdir())
    out = tmp_path / "out"
    proc = run_cli("solve", small.toml, "--out", out)
    assert_exit(proc, 3)
    assert "run_hour_left" in proc.stderr and "did you mean 'run_hours_left'" in proc.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no stray temporary folders


def test_out_folder_that_is_not_a_result_is_refused(run_cli, small_toml, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me\n")
    proc = run_cli("solve", small_toml, "--out", out)
    assert_exit(proc, 3)
    assert "notes.txt" in proc.stderr
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert (out / "notes.txt").read_text() == "keep me\n"
    assert leftovers(tmp_path) == []


def test_out_under_a_file_is_bad_input(run_cli, small_toml, tmp_path):
    (tmp_path / "afile").write_text("x")
    proc = run_cli("solve", small_toml, "--out", tmp_path / "afile" / "out")
    assert_exit(proc, 3)


def test_out_current_folder(run_cli, small_toml, tmp_path):
    here = tmp_path / "empty"
    here.mkdir()
    proc = run_cli("solve", small_toml, "--out", ".", "-q", cwd=here)
    # Either writing the result into it or refusing it cleanly is fine; crashing and littering is not.
    assert proc.returncode in (0, 3), proc.stderr
    assert {p.name for p in here.iterdir()} <= RESULT_FILES


def test_missing_out_is_a_usage_error(run_cli, small_toml):
    proc = run_cli("solve", small_toml)
    assert_exit(proc, 2)
    assert "--out" in proc.stderr


# -- python -m ---------------------------------------------------------------------------------------

def test_validate_valid_and_module_entry_point_matches_cli_py(run_cli, small_toml, tmp_path):
    a = run_cli("validate", small_toml)
    b = run_cli("validate", small_toml, module=True)
    assert_exit(a, 0)
    assert_exit(b, 0)
    assert "valid" in a.stdout and "6 steps" in a.stdout
    assert a.stdout == b.stdout

    out = tmp_path / "via_module"
    proc = run_cli("solve", small_toml, "--out", out, module=True)
    assert_exit(proc, 0)
    assert "optimal" in proc.stdout
    assert json.loads((out / "summary.json").read_text())["status"] == "optimal"


# -- check -------------------------------------------------------------------------------------------

def test_check_accepts_a_solved_schedule_and_rejects_a_tampered_one(run_cli, small_toml, tmp_path):
    out = tmp_path / "res"
    assert_exit(run_cli("solve", small_toml, "--out", out, "-q", "--mip-gap", "0"), 0)
    ok = run_cli("check", small_toml, out)
    assert_exit(ok, 0)
    # Push one step's import 5 MW above the 20 MW interconnection: the checker must name the cap.
    lines = (out / "steps.csv").read_text().splitlines()
    header = lines[0].split(",")
    k = header.index("grid_import_mw")
    row = lines[1].split(",")
    row[k] = "25"
    lines[1] = ",".join(row)
    (out / "steps.csv").write_text("\n".join(lines) + "\n")
    bad = run_cli("check", small_toml, out)
    assert_exit(bad, 9)
    assert "grid.import_cap" in bad.stderr and "Traceback" not in bad.stderr


# -- output folders: only an energyopt result is ever replaced ---------------------------------------

def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> content), to show a folder was left exactly as it was."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _result(value: float = 1.0):
    import pandas as pd

    from energyopt.results import Result
    from energyopt.solver import SolveStatus
    summary = {"format_version": 1, "instance": "t", "status": "optimal", "objective_usd": value}
    return Result(SolveStatus.OPTIMAL, summary, pd.DataFrame({"timestamp": ["x"], "value": [value]}))


def test_out_folder_with_a_users_own_summary_is_refused(run_cli, small_toml, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "summary.json").write_text('{"total": 3}\n')        # valid JSON, but not an energyopt summary
    (out / "steps.csv").write_text("step,value\n1,2\n")
    before = _tree(out)
    proc = run_cli("solve", small_toml, "--out", out)
    assert_exit(proc, 3)
    assert "not an energyopt summary" in proc.stderr and "format_version" in proc.stderr
    assert _tree(out) == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("files", [
    {"summary.json": "[1, 2, 3]\n"},                                                  # JSON, not an object
    {"summary.json": "not json at all\n", "steps.csv": "a\n1\n"},
    {"summary.json": '{"format_version": 1, "status": "optimal"}\n'},                # no "instance"
    {"steps.csv": "a\n1\n"},                                                           # no summary.json
    {"summary.json": '{"format_version": 1, "instance": "t", "status": "optimal"}\n',
     "steps.csv/keep.txt": "a folder named steps.csv\n"},
    {"summary.json/keep.txt": "a folder named summary.json\n"},
])
def test_folder_that_is_not_an_energyopt_result_is_never_replaced(tmp_path, files):
    from energyopt.results import OutputError
    from energyopt.results.result import output_dir_problem, write_result
    out = tmp_path / "mine"
    for name, text in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    before = _tree(out)
    assert output_dir_problem(out) is not None
    with pytest.raises(OutputError, match="refusing to replace"):
        write_result(_result(), out)
    assert _tree(out) == before
    assert leftovers(tmp_path) == []


def test_empty_folder_and_previous_result_are_used(tmp_path):
    import json as _json

    from energyopt.results.result import output_dir_problem, write_result
    out = tmp_path / "empty"
    out.mkdir()
    assert output_dir_problem(out) is None
    write_result(_result(1.0), out, parquet=True)
    assert {p.name for p in out.iterdir()} == RESULT_FILES
    write_result(_result(2.0), out)  # a previous energyopt result is replaced whole
    assert {p.name for p in out.iterdir()} == {"summary.json", "steps.csv"}
    assert _json.loads((out / "summary.json").read_text())["objective_usd"] == 2.0
    assert leftovers(tmp_path) == []


def test_failed_final_rename_puts_the_previous_result_back(tmp_path, monkeypatch):
    import os

    from energyopt.results import OutputError
    from energyopt.results.result import write_result
    out = tmp_path / "out"
    write_result(_result(1.0), out, parquet=True)
    before = _tree(out)
    real_rename, real_replace = os.rename, os.replace

    def failing(real):
        def move(src, dst, *args, **kwargs):
            if ".tmp-" in Path(src).name and Path(dst) == out:  # only the new result's move into place
                raise OSError(28, "No space left on device (simulated)")
            return real(src, dst, *args, **kwargs)
        return move

    monkeypatch.setattr(os, "rename", failing(real_rename))
    monkeypatch.setattr(os, "replace", failing(real_replace))
    with pytest.raises(OutputError, match="simulated"):
        write_result(_result(2.0), out)
    assert _tree(out) == before
    assert leftovers(tmp_path) == []


def test_every_written_file_and_the_parent_folder_are_synced(tmp_path, monkeypatch):
    import os
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc/self/fd to name synced files")
    from energyopt.results.result import write_result
    synced: list[Path] = []
    real_fsync = os.fsync

    def fsync(fd):
        synced.append(Path(os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    write_result(_result(), tmp_path / "out", parquet=True)
    assert RESULT_FILES <= {p.name for p in synced}
    assert tmp_path.resolve() in {p.resolve() for p in synced}  # the rename into place is made durable


# -- check: a folder that holds no result is bad input, not a violation --------------------------------

def test_check_without_a_result_is_bad_input(run_cli, small_toml, tmp_path):
    proc = run_cli("check", small_toml, tmp_path / "nowhere")
    assert_exit(proc, 3)
    assert "does not exist" in proc.stderr

    half = tmp_path / "half"
    half.mkdir()
    (half / "summary.json").write_text('{"format_version": 1, "instance": "small", "status": "infeasible"}')
    proc = run_cli("check", small_toml, half)
    assert_exit(proc, 3)
    assert "no steps.csv" in proc.stderr and "infeasible" in proc.stderr

    listed = tmp_path / "listed"
    listed.mkdir()
    (listed / "summary.json").write_text("[1, 2]\n")
    (listed / "steps.csv").write_text("timestamp\n")
    proc = run_cli("check", small_toml, listed)
    assert_exit(proc, 3)
    assert "not an object" in proc.stderr


def test_check_reports_a_bad_instance_and_a_missing_result_together(run_cli, small, tmp_path):
    small.replace("capacity_mw = 2.5\n", "")
    proc = run_cli("check", small.toml, tmp_path / "nowhere")
    assert_exit(proc, 3)
    assert "capacity_mw" in proc.stderr and "does not exist" in proc.stderr


# -- infeasibility names the generator permit that binds ---------------------------------------------

def test_infeasible_names_the_daily_hour_cap(run_cli, small, tmp_path):
    # The 9 MW notice cap (15:00-17:00) leaves about 2.2 MW short in both hours, which G1 (2.5 MW) could cover,
    # but its permit allows it 1 hour a day.
    small.replace("run_hours_left = 8.0", "run_hours_left = 8.0\nmax_hours_per_day = 1.0")
    proc = run_cli("solve", small.toml, "--out", tmp_path / "out")
    assert_exit(proc, 4)
    text = proc.stdout + proc.stderr
    assert "permits exhausted" in text
    assert "G1 1 of 1 h on 2025-07-15 (max_hours_per_day)" in text


@pytest.mark.parametrize("extra, named", [
    ("max_hours_per_event = 1.0", "G1 1 of 1 h in notice N1 (max_hours_per_event)"),
    ("nox_cap_kg = 16.0", "G1 16 of 16 kg NOx (nox_cap_kg)"),   # 6.4 kg/MWh: 2.5 MWh, about one hour
    ("max_hours_per_day = 5.0\nmax_hours_per_event = 5.0\nnox_cap_kg = 1000.0", None),  # none binds: feasible
])
def test_infeasible_names_the_event_and_nox_caps(small, extra, named):
    import energyopt as eo
    small.replace("run_hours_left = 8.0", "run_hours_left = 8.0\n" + extra)
    result = eo.solve(small.toml)
    if named is None:
        assert result.status.value == "optimal"
        return
    assert result.status.value == "infeasible"
    text = " ".join(result.diagnosis)
    assert "permits exhausted" in text and named in text, text
