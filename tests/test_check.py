"""The independent checker: a solved result passes; each kind of corruption is caught and named."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import energyopt
from energyopt.check import Violation, check_result

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "instances" / "small" / "small.toml"
TEXAS = ROOT / "instances" / "texas_summer_day" / "texas_summer_day.toml"
BATTERY = """
[battery]
energy_mwh = 8.0
power_mw = 3.0
reserve_fraction = 0.25
"""


def solve_to(instance: Path, out: Path, **options) -> Path:
    result = energyopt.solve(instance, energyopt.SolveOptions(**{"mip_rel_gap": 0, **options}))
    assert result.status.has_schedule, result.status
    return result.write(out)


@pytest.fixture(scope="module")
def small_out(tmp_path_factory) -> Path:
    return solve_to(SMALL, tmp_path_factory.mktemp("small") / "out")


@pytest.fixture(scope="module")
def battery_case(tmp_path_factory) -> tuple[Path, Path]:
    """instances/small with a battery (and thermal storage), solved."""
    folder = tmp_path_factory.mktemp("battery")
    shutil.copy(SMALL.parent / "series.csv", folder / "series.csv")
    text = SMALL.read_text(encoding="utf-8").replace(
        "rated_capacity_mw_th = 25.0", "rated_capacity_mw_th = 25.0\nthermal_storage = { capacity_mwh_th = 4.0, "
        "max_charge_mw_th = 2.0, max_discharge_mw_th = 3.0 }")
    (folder / "small.toml").write_text(text + BATTERY, encoding="utf-8")
    return folder / "small.toml", solve_to(folder / "small.toml", folder / "out")


def corrupted(src: Path, dest: Path, edit_steps=None, edit_summary=None) -> Path:
    shutil.copytree(src, dest)
    if edit_steps is not None:
        df = pd.read_csv(dest / "steps.csv", dtype={"timestamp": str})
        changed = edit_steps(df)  # edits in place, or returns a new table
        df = df if changed is None else changed
        df.to_csv(dest / "steps.csv", index=False, float_format="%.9g")
    if edit_summary is not None:
        s = json.loads((dest / "summary.json").read_text())
        edit_summary(s)
        (dest / "summary.json").write_text(json.dumps(s))
    return dest


def names(violations: list[Violation]) -> set[str]:
    return {v.constraint for v in violations}


def at_step(violations: list[Violation], constraint: str) -> set[int | None]:
    return {v.step for v in violations if v.constraint == constraint}


def test_solved_small_passes(small_out):
    assert check_result(SMALL, small_out) == []
    assert check_result(energyopt.load_instance(SMALL), str(small_out), tol=1e-7) == []


def test_solved_small_with_battery_and_thermal_storage_passes(battery_case):
    toml, out = battery_case
    assert check_result(toml, out) == []
    steps = pd.read_csv(out / "steps.csv")
    assert (steps["battery.charge_mw"] + steps["battery.discharge_mw"]).max() > 0.1  # the battery is used


def _notice_step(df):  # 15:00, inside notice N1 (cap 9 MW)
    return int(df.index[df["import_cap_mw"] < 10][0])


@pytest.mark.parametrize("edit, constraint, step", [
    # import above the notice cap in a notice step
    (lambda df: df.loc.__setitem__((3, "grid_import_mw"), 10.5), "grid.import_cap", 3),
    # a generator switched on outside every notice window (notice_only)
    (lambda df: df.loc.__setitem__((0, ["generator.G1.on", "generator.G1.output_mw"]), [1, 1.0]),
     "generator.notice_only", 0),
    # a job's power below its minimum fraction (0.6 x 6 MW)
    (lambda df: df.loc.__setitem__((1, "job.J1.power_mw"), 2.0), "job.min_power", 1),
    # one cell of the power balance
    (lambda df: df.loc.__setitem__((5, "grid_import_mw"), df.loc[5, "grid_import_mw"] + 0.5), "balance.power", 5),
    # inference served below its minimum share
    (lambda df: df.loc.__setitem__((2, "inference.chat.served_mw"), 0.5), "inference.min_served", 2),
    # cooling power that does not follow the COP
    (lambda df: df.loc.__setitem__((4, "cooling_mw"), 1.0), "cooling.power", 4),
    # fuel that does not follow the fuel curve
    (lambda df: df.loc.__setitem__((3, "generator.G1.fuel_gal"), 100.0), "generator.fuel", 3),
    # a price column that is not the instance's series
    (lambda df: df.loc.__setitem__((0, "price_usd_per_mwh"), 36.0), "inputs.series", 0),
    # work above the throughput curve
    (lambda df: df.loc.__setitem__((0, "job.J1.work_mwh"), 5.5), "job.throughput", 0),
    # a shifted timestamp
    (lambda df: df.loc.__setitem__((2, "timestamp"), "2025-07-15T14:00:00-04:00"), "steps.timestamp", 2),
])
def test_corrupted_steps_are_caught(small_out, tmp_path, edit, constraint, step):
    out = corrupted(small_out, tmp_path / "bad", edit_steps=edit)
    found = check_result(SMALL, out)
    assert constraint in names(found), [str(v) for v in found]
    assert step in at_step(found, constraint)


def test_import_above_notice_cap_is_named(small_out, tmp_path):
    def edit(df):
        t = _notice_step(df)
        df.loc[t, "grid_import_mw"] = 9.5
        df.loc[t, "facility_load_mw"] += 0.5  # keep the balance: only the cap is broken
    found = check_result(SMALL, corrupted(small_out, tmp_path / "bad", edit_steps=edit))
    assert "grid.import_cap" in names(found)
    v = next(v for v in found if v.constraint == "grid.import_cap" and v.step is not None)
    assert v.step == 3 and v.timestamp == "2025-07-15T15:00:00-05:00" and v.amount == pytest.approx(0.5)
    assert "9.5" in str(v)


@pytest.mark.parametrize("key", ["energy", "fuel", "startup", "inference_shed"])
def test_changed_cost_is_caught(small_out, tmp_path, key):
    def edit(s):
        s["cost_breakdown_usd"][key] += 25.0
    found = check_result(SMALL, corrupted(small_out, tmp_path / "bad", edit_summary=edit))
    # the term no longer matches the schedule, and the objective no longer is the sum of the terms
    assert names(found) == {f"cost.{key}", "cost.objective"}, [str(v) for v in found]
    assert [v.step for v in found] == [None, None]
    assert "sum of its reported terms" in next(str(v) for v in found if v.constraint == "cost.objective")


def test_changed_objective_and_figures_are_caught(small_out, tmp_path):
    def edit(s):
        s["objective_usd"] += 1.0
        s["co2_t"] *= 1.01
        s["jobs"]["J1"]["work_done_mwh"] = 17.0
        s["generator_run_hours"]["G1"]["hours"] = 1.0
        s["curtailment"][0]["max_import_mw"] = 8.0
    found = check_result(SMALL, corrupted(small_out, tmp_path / "bad", edit_summary=edit))
    assert {"cost.objective", "summary.co2", "job.work_done", "job.unfinished", "summary.generators",
            "summary.curtailment"} <= names(found), [str(v) for v in found]


@pytest.mark.parametrize("edit, constraint", [
    (lambda df: df.loc.__setitem__((2, "battery.stored_mwh"), df.loc[2, "battery.stored_mwh"] + 0.3),
     "battery.energy_balance"),
    (lambda df: df.loc.__setitem__((1, "battery.discharge_mw"), df.loc[1, "battery.discharge_mw"] + 1.0),
     "balance.power"),
    (lambda df: df.__setitem__("battery.charge_mw", df["battery.charge_mw"] + 0.5), "battery.charge_xor_discharge"),
    (lambda df: df.loc.__setitem__((5, "battery.stored_mwh"), 1.0), "battery.min_level"),
    (lambda df: df.loc.__setitem__((0, "thermal_storage.stored_mwh_th"), 5.0), "thermal_storage.max_level"),
    (lambda df: df.loc.__setitem__((0, "cooling_chill_mw_th"), df.loc[0, "cooling_chill_mw_th"] + 1.0),
     "cooling.heat_balance"),
])
def test_corrupted_storage_is_caught(battery_case, tmp_path, edit, constraint):
    toml, out = battery_case
    found = check_result(toml, corrupted(out, tmp_path / "bad", edit_steps=edit))
    assert constraint in names(found), [str(v) for v in found]


@pytest.mark.parametrize("old, new, constraint", [
    ("min_up_hours = 1.0", "min_up_hours = 3.0", "generator.min_up"),
    ("run_hours_left = 8.0", "run_hours_left = 1.5", "generator.run_hours"),
    ("run_hours_left = 8.0", "run_hours_left = 8.0\nmax_hours_per_event = 1.0", "generator.event_hours"),
    ("run_hours_left = 8.0", "run_hours_left = 8.0\nmax_hours_per_day = 1.0", "generator.day_hours"),
    ("run_hours_left = 8.0", "run_hours_left = 8.0\nnox_cap_kg = 10.0", "generator.nox_cap"),
    ('deadline = "2025-07-15T18:00:00"', 'deadline = "2025-07-15T17:00:00"', "job.window"),
    ('deadline = "2025-07-15T18:00:00"', 'deadline = "2025-07-15T18:00:00"\ncan_pause = false',
     "job.one_stretch"),
    ("work_mwh = 18.0", "work_mwh = 17.0", "job.work_limit"),
])
def test_result_checked_against_a_stricter_instance(small_out, tmp_path, old, new, constraint):
    """The small schedule (G1 on for 2 h in the notice, J1 paused during it) breaks tightened permits."""
    shutil.copy(SMALL.parent / "series.csv", tmp_path / "series.csv")
    text = SMALL.read_text(encoding="utf-8")
    assert text.count(old) == 1
    (tmp_path / "strict.toml").write_text(text.replace(old, new), encoding="utf-8")
    found = check_result(tmp_path / "strict.toml", small_out)
    assert constraint in names(found), [str(v) for v in found]


def test_unreadable_or_missing_result(small_out, tmp_path):
    found = check_result(SMALL, tmp_path / "nothing")
    assert names(found) == {"result.files"}
    out = corrupted(small_out, tmp_path / "rows", edit_steps=lambda df: df.drop(index=5))
    assert names(check_result(SMALL, out)) == {"steps.rows"}
    out = corrupted(small_out, tmp_path / "cols", edit_steps=lambda df: df.drop(columns="cooling_mw"))
    assert names(check_result(SMALL, out)) == {"steps.columns"}


def test_texas_summer_day(tmp_path):
    if not TEXAS.is_file():
        pytest.skip("instances/texas_summer_day is not there yet")
    out = solve_to(TEXAS, tmp_path / "texas", mip_rel_gap=1e-4, time_limit_s=6)
    found = check_result(TEXAS, out)
    assert found == [], [str(v) for v in found[:20]]


def test_summary_that_is_not_an_object_is_unreadable(small_out, tmp_path):
    out = corrupted(small_out, tmp_path / "listed")
    (out / "summary.json").write_text("[1, 2, 3]\n")
    (found,) = check_result(SMALL, out)
    assert found.constraint == "result.files" and "not an object" in found.message


def test_missing_summary_and_steps_are_named_together(tmp_path):
    (tmp_path / "empty").mkdir()
    (found,) = check_result(SMALL, tmp_path / "empty")
    assert found.constraint == "result.files"
    assert "no summary.json" in found.message and "no steps.csv" in found.message


@pytest.mark.parametrize("key, value", [
    ("solver", "HiGHS"), ("horizon", [1, 2]), ("cost_breakdown_usd", {"energy": "a lot", "fuel": [1]}),
    ("curtailment", 5), ("curtailment", ["N1"]), ("curtailment", [{"id": "N1", "max_import_mw": [9]}]),
    ("objective_usd", {"usd": 1}), ("jobs", {"J1": {"work_done_mwh": [18], "finish_time": 17}}),
    ("co2_t", True),
])
def test_odd_summary_values_are_violations_not_crashes(small_out, tmp_path, key, value):
    out = corrupted(small_out, tmp_path / "odd", edit_summary=lambda s: s.__setitem__(key, value))
    found = check_result(SMALL, out)  # must not raise
    assert all(isinstance(v, Violation) and str(v) for v in found)
    if key != "solver":  # the solver's own figures are optional; everything else is checked
        assert found, f"summary {key} = {value!r} passed the check"
