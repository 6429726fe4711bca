"""Ramp limits on the grid import and the facility load, and notices that cover part of a step.

Every expected optimum is derived by hand in the comment beside it, solved with a zero MIP gap, and each case
fails when its constraint is removed (the figure without it is stated too). Unless a test says otherwise: one
job of 10 MW whose throughput is linear in power (work = power x step hours), no other load, so the grid import
equals the job's power.
"""
from __future__ import annotations

import pandas as pd
import pytest

import energyopt as eo
from energyopt import InstanceError
from energyopt.check import check_result
from energyopt.ops.naive import naive_schedule

try:
    from .helpers import at, base, solve, write_instance
except ImportError:  # tests/ is not a package: pytest puts it on sys.path
    from helpers import at, base, solve, write_instance

LINEAR = [[0.1, 0.1], [1.0, 1.0]]


def approx(x):
    return pytest.approx(x, rel=1e-6, abs=1e-6)


def job(power=10.0, work=10.0, **kw):
    return {"id": "J1", "power_mw": power, "work_mwh": work, "min_power_fraction": 0.1, "throughput_curve": LINEAR,
            **kw}


def solved(tmp_path, inst, series, **kw):
    path = write_instance(tmp_path, inst, series, **kw)
    r = solve(path)
    r.write(tmp_path / "out")
    assert check_result(path, tmp_path / "out") == []
    return r, path


def imports(r):
    return r.steps["grid_import_mw"].to_numpy()


# -- grid import ramps --------------------------------------------------------------------------------------
def test_ramp_up_spreads_the_rise(tmp_path):
    inst, series = base(3, [100, 10, 100])
    inst["training_jobs"] = [job()]
    inst["grid"]["ramp_up_mw_per_min"] = 0.1          # 6 MW per hourly step
    r, _ = solved(tmp_path, inst, series)
    # x0 + x1 + x2 = 10 (work), x1 - x0 <= 6, x2 - x1 <= 6, x0 >= 0 (no initial import: the first step is free).
    # Put x0 = a, x1 = a + 6, x2 = 4 - 2a >= 0: cost 100a + 10(a + 6) + 100(4 - 2a) = 460 - 90a, least at a = 2:
    # x = [2, 8, 0], cost 200 + 80 = 280. Without the limit: [0, 10, 0] for 100.
    assert imports(r) == approx([2, 8, 0])
    assert r.summary["objective_usd"] == approx(280.0)


def test_ramp_down_from_the_initial_import(tmp_path):
    inst, series = base(3, [100, 10, 10])
    inst["training_jobs"] = [job()]
    inst["grid"].update(ramp_down_mw_per_min=0.1, initial_import_mw=10.0)
    r, _ = solved(tmp_path, inst, series)
    # 10 MW before the horizon, falling at most 6 MW a step: x0 >= 4, and the job can take it (4 MWh of work);
    # the other 6 MWh at $10: cost 4 x 100 + 6 x 10 = 460. Without the limit (or the initial import): 100.
    assert imports(r)[0] == approx(4.0)
    assert r.summary["objective_usd"] == approx(460.0)


def test_fifteen_minute_change_binds_steps_up_to_15_minutes_apart(tmp_path):
    inst, series = base(1, [100, 100, 10, 10], step_minutes=5)
    inst["horizon"]["hours"] = 1 / 3                    # four 5-minute steps
    inst["training_jobs"] = [job(power=12.0, work=2.0)]
    inst["grid"]["max_change_mw_per_15min"] = 6.0
    r, _ = solved(tmp_path, inst, series, series_step_minutes=5)
    # Work: sum(x) / 12 = 2, so sum(x) = 24. Every pair of steps is at most 15 minutes apart (starts 0..15 min),
    # so every |x_i - x_j| <= 6. Let S = x0 + x1: x2, x3 <= min(x0, x1) + 6 <= S/2 + 6, so 24 - S <= S + 12 and
    # S >= 6. Cost (100 S + 10 (24 - S)) / 12 is least at S = 6: x = [3, 3, 9, 9], cost 780 / 12 = 65.
    # Were only consecutive steps bound: [0, 3, 9, 12], cost (300 + 210) / 12 = 42.5; unbounded: 20.
    assert imports(r) == approx([3, 3, 9, 9])
    assert r.summary["objective_usd"] == approx(65.0)


def test_facility_load_ramp(tmp_path):
    inst, series = base(3, [100, 10, 100])
    inst["training_jobs"] = [job()]
    inst["site"]["load_ramp_up_mw_per_min"] = 0.1
    r, _ = solved(tmp_path, inst, series)
    # The load is the job alone: the same derivation as the import's ramp-up, [2, 8, 0] for 280.
    assert r.steps["facility_load_mw"].to_numpy() == approx([2, 8, 0])
    assert r.summary["objective_usd"] == approx(280.0)


def test_a_battery_lets_the_load_move_while_the_import_ramps(tmp_path):
    inst, series = base(2, [10, 10])
    inst["site"]["it_load_mw"] = {"file": "series.csv", "column": "it"}
    series["it"] = [0.0, 10.0]
    inst["battery"] = {"energy_mwh": 20.0, "power_mw": 10.0, "round_trip_efficiency": 1.0, "initial_fraction": 0.5}
    inst["grid"]["ramp_up_mw_per_min"] = 0.05          # 3 MW a step
    r, _ = solved(tmp_path, inst, series)
    # Load [0, 10]; import may rise 3 MW a step. The battery (no losses) must end at least at its start, 10 MWh:
    # import x0 charges c0 = x0, then x1 + d1 = 10 with x1 <= x0 + 3 and d1 <= c0 = x0 (the level may not fall
    # below the start). So x0 + x0 + 3 >= 10: x0 >= 3.5; energy 10 x (x0 + x1) = 10 x 10 = 100 whatever x0 is.
    x = imports(r)
    assert x[1] - x[0] <= 3.0 + 1e-6
    assert r.summary["objective_usd"] == approx(100.0)


def test_ramps_cannot_be_kept_are_explained(tmp_path):
    inst, series = base(2, [10, 10])
    inst["grid"].update(ramp_down_mw_per_min=0.1, initial_import_mw=10.0)
    inst["notices"] = [{"id": "N1", "issued": at(-3), "start": at(0), "end": at(1), "cap_mw": 0.0}]
    path = write_instance(tmp_path, inst, series)
    r = eo.solve(path, eo.SolveOptions(mip_rel_gap=0))
    # From 10 MW before the horizon the import can fall 6 MW in the first step, to 4; the notice caps it at 0.
    assert r.status.value == "infeasible"
    text = " ".join(r.diagnosis)
    assert "ramp-down limit" in text and "4.000 MW" in text and "before the horizon" in text


def test_checker_flags_a_ramp_broken_in_the_written_steps(tmp_path):
    inst, series = base(3, [100, 10, 100])
    inst["training_jobs"] = [job()]
    inst["grid"]["ramp_up_mw_per_min"] = 0.1
    r, path = solved(tmp_path, inst, series)
    out = tmp_path / "out"
    steps = pd.read_csv(out / "steps.csv")
    # Move 1 MW of import from step 0 to step 1 (and the job with it): the rise becomes 8 MW against 6.
    for c in ("grid_import_mw", "job.J1.power_mw", "job.J1.work_mwh", "it_load_mw", "facility_load_mw"):
        steps.loc[0, c] -= 1.0
        steps.loc[1, c] += 1.0
    steps.to_csv(out / "steps.csv", index=False)
    codes = {v.constraint for v in check_result(path, out)}
    assert "grid.ramp_up" in codes


@pytest.mark.parametrize("section, field, value, words", [
    ("grid", "ramp_up_mw_per_min", -1.0, "greater than 0"),
    ("grid", "ramp_down_mw_per_min", "fast", "without quotes"),
    ("grid", "max_change_mw_per_15min", 0.0, "greater than 0"),
    ("grid", "initial_import_mw", -5.0, "greater than or equal to 0"),
    ("site", "load_ramp_up_mw_per_min", 0.0, "greater than 0"),
    ("site", "load_ramp_down_mw_per_min", 1e9, "less than or equal to 5000"),
    ("site", "initial_load_mw", -1.0, "greater than or equal to 0"),
])
def test_bad_ramp_fields_are_named(tmp_path, section, field, value, words):
    inst, series = base(2, 10.0)
    inst[section][field] = value
    with pytest.raises(InstanceError) as info:
        eo.load_instance(write_instance(tmp_path, inst, series))
    hits = [p for p in info.value.problems if p.field == f"{section}.{field}"]
    assert hits and words in hits[0].message and hits[0].file == "instance.toml", info.value.problems


# -- notices that cover part of a step ----------------------------------------------------------------------
def test_a_notice_covering_part_of_a_step_caps_it_by_energy(tmp_path):
    inst, series = base(2, [10, 1000], interconnection_mw=20.0)
    inst["training_jobs"] = [job(power=20.0, work=40.0)]
    # 00:45-02:00 at 4 MW: step 0 is covered for 15 of its 60 minutes, step 1 wholly.
    inst["notices"] = [{"id": "N1", "issued": at(-3), "start": at(0.75), "end": at(2), "cap_mw": 4.0}]
    r, _ = solved(tmp_path, inst, series)
    # Step 0 may import 0.25 x 4 + 0.75 x 20 = 16 MW on average (capping the whole step would allow 4); step 1
    # 4 MW. The job does 16 + 4 = 20 of its 40 MWh; 20 MWh unfinished at $10,000. Cost 16 x 10 + 4 x 1000 +
    # 200,000 = 204,160 (the whole-step cap would give 4 x 10 + 4 x 1000 + 320,000).
    assert r.steps["import_cap_mw"].to_numpy() == approx([16.0, 4.0])
    assert imports(r) == approx([16.0, 4.0])
    assert r.summary["objective_usd"] == approx(204160.0)
    assert r.summary["curtailment"][0]["over_cap_mwh"] == approx(0.0)


def test_overlapping_partial_notices_take_the_lowest_cap_at_each_moment(tmp_path):
    inst, series = base(1, 10.0, interconnection_mw=20.0)
    inst["notices"] = [{"id": "A", "issued": at(-3), "start": at(0), "end": at(0.5), "cap_mw": 10.0},
                       {"id": "B", "issued": at(-3), "start": at(0.25), "end": at(0.75), "cap_mw": 4.0}]
    inst["training_jobs"] = [job(power=20.0, work=1.0)]
    r, _ = solved(tmp_path, inst, series)
    # 00:00-00:15 A: 10; 00:15-00:45 B (4 < 10): 4; 00:45-01:00 none: 20. Mean (10 + 2 x 4 + 20) / 4 = 9.5 MW.
    assert r.steps["import_cap_mw"].to_numpy() == approx([9.5])


def test_the_naive_operator_does_not_act_before_a_notice_is_issued(tmp_path):
    inst, series = base(2, 10.0, interconnection_mw=20.0)
    inst["training_jobs"] = [{"id": "J1", "power_mw": 12.0, "work_mwh": 24.0}]
    # Issued at 00:30 for 00:45-02:00 at 6 MW: step 0 is covered for its last 15 minutes only.
    inst["notices"] = [{"id": "N1", "issued": at(0.5), "start": at(0.75), "end": at(2), "cap_mw": 6.0}]
    out = naive_schedule(eo.load_instance(write_instance(tmp_path, inst, series)))
    # Step 0 allows 0.25 x 6 + 0.75 x 20 = 16.5 MW on average, so the 12 MW job runs (it used to be paused for the
    # whole step, from 00:00, before the notice existed); step 1 allows 6: it pauses. The notice is met.
    assert out.steps["import_cap_mw"].to_numpy() == approx([16.5, 6.0])
    assert out.steps["job.J1.power_mw"].to_numpy() == approx([12.0, 0.0])
    c = out.summary["curtailment"][0]
    assert c["met"] and c["missed_mwh"] == approx(0.0)


def test_a_replan_holds_the_ramp_from_now_not_in_the_past(tmp_path):
    import json

    from energyopt.check import instance_for
    from energyopt.ops.replan import replan

    inst, series = base(3, [100, 10, 100])
    inst["training_jobs"] = [job()]
    inst["grid"]["ramp_up_mw_per_min"] = 0.1
    r, _ = solved(tmp_path, inst, series)            # [2, 8, 0] as above
    # What happened: the job ran 0 then 10 MW (a jump of 10 MW, over the 6 MW limit) and finished its 10 MWh.
    actuals = pd.DataFrame({"timestamp": [at(0), at(1)], "job.J1.power_mw": [0.0, 10.0],
                            "job.J1.work_mwh": [0.0, 10.0]})
    r2, _ = replan(tmp_path / "out", at(2), actuals=actuals, options=eo.SolveOptions(mip_rel_gap=0))
    # The past's jump is a fact, not a violation: the re-plan solves. Step 2 has nothing left to do: import 0
    # (a fall, which no limit bounds). Cost 0 x 100 + 10 x 10 + 0 = 100.
    assert r2.status.value == "optimal"
    assert imports(r2) == approx([0, 10, 0])
    assert r2.summary["objective_usd"] == approx(100.0)
    r2.write(tmp_path / "re")
    written = json.loads((tmp_path / "re" / "summary.json").read_text())
    assert check_result(instance_for(tmp_path / "re" / written["instance_file"], written), tmp_path / "re") == []


# -- found in review: partial steps in re-plans and diffs, a forced stop the shut-down ramp forbids -----------
def _notice_at(start_h, end_h, cap, issued_h):
    return {"id": "N1", "issued": pd.Timestamp(at(issued_h)).to_pydatetime(),
            "start": pd.Timestamp(at(start_h)).to_pydatetime(), "end": pd.Timestamp(at(end_h)).to_pydatetime(),
            "cap_mw": cap}


def test_a_notice_cancelled_mid_step_does_not_hold_the_past_to_the_new_share(tmp_path):
    import json

    from energyopt.check import instance_for
    from energyopt.ops.replan import replan

    inst, series = base(4, 10.0, interconnection_mw=20.0, it_load_mw=5.0)
    inst["notices"] = [{"id": "N1", "issued": at(-5), "start": at(1), "end": at(3), "cap_mw": 1.0}]
    inst["generators"] = [{"id": "G1", "capacity_mw": 4.0, "min_load_fraction": 0.0, "fuel_price_usd_per_gal": 3.0,
                           "run_hours_left": 10.0, "dispatch": "notice_only"}]
    solved(tmp_path, inst, series)     # G1 runs at 4 MW through steps 1 and 2 (the notice's window)
    # Cancelled at 01:30: N1 now ends inside step 1, which is fixed (it began before now) with G1 at 4 MW.
    r2, _ = replan(tmp_path / "out", at(1.5), cancel_notices=["N1"], options=eo.SolveOptions(mip_rel_gap=0))
    assert r2.status.value == "optimal"
    r2.write(tmp_path / "re")
    written = json.loads((tmp_path / "re" / "summary.json").read_text())
    assert check_result(instance_for(tmp_path / "re" / written["instance_file"], written), tmp_path / "re") == []


def test_diff_judges_a_partly_covered_step_by_its_allowance(tmp_path):
    from energyopt.ops.diff import diff_text
    from energyopt.ops.replan import replan

    inst, series = base(3, 10.0, interconnection_mw=20.0, it_load_mw=10.0)
    solved(tmp_path, inst, series)
    r2, d = replan(tmp_path / "out", at(1), add_notices=[_notice_at(1.5, 2, 4.0, 1)],
                   options=eo.SolveOptions(mip_rel_gap=0))
    # Step 1 may average 0.5 x 4 + 0.5 x 20 = 12 MW; the fixed IT load imports 10: the notice is met.
    assert r2.status.value == "optimal"
    assert d["notices"][0]["met"] and d["notices"][0]["missed_mw"] == 0.0
    assert "within" in diff_text(d).splitlines()[-1]


def test_a_forced_stop_the_shutdown_ramp_forbids_is_refused_by_name(tmp_path):
    inst, series = base(3, 10.0, interconnection_mw=20.0, it_load_mw=5.0)
    inst["notices"] = [{"id": "N0", "issued": at(-5), "start": at(1.5), "end": at(2), "cap_mw": 1.0}]
    inst["generators"] = [{"id": "G1", "capacity_mw": 4.0, "min_load_fraction": 0.0, "fuel_price_usd_per_gal": 3.0,
                           "run_hours_left": 10.0, "dispatch": "notice_only", "initial_on": True,
                           "initial_output_mw": 3.0, "shutdown_ramp_fraction": 0.6}]
    with pytest.raises(InstanceError) as info:
        eo.load_instance(write_instance(tmp_path, inst, series))
    hits = [p for p in info.value.problems if p.field == "generators[0] (G1).initial_output_mw"]
    assert hits and "2.4 MW" in hits[0].message, info.value.problems
