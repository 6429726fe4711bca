"""An infeasible corpus: one small instance per cause an explanation must name (issue 13, findings 10-11).

Each case asserts that the cause is named and the figures, derived by hand in its comment. Steps are 60 min
(1 h), so MW short in a step is also MWh short in it.
"""
from __future__ import annotations

import pytest

import energyopt as eo
from tests.helpers import at, base, col, write_instance

EXACT = eo.SolveOptions(mip_rel_gap=0)


def explained(tmp_path, inst, series) -> str:
    r = eo.solve(write_instance(tmp_path, inst, series), EXACT)
    assert r.status.value == "infeasible"
    return " ".join(r.diagnosis)


def gen(**kw) -> dict:
    g = {"id": "G1", "capacity_mw": 2.0, "fuel_price_usd_per_gal": 3.0, "run_hours_left": 24.0,
         "dispatch": "economic"}
    g.update(kw)
    return g


def test_interconnection_limit(tmp_path):
    # Load 10 MW against an 8 MW interconnection, no other supply: 2 MW short in each of 2 steps, 4 MWh.
    inst, series = base(2, 10.0, interconnection_mw=8.0, it_load_mw=10.0)
    text = explained(tmp_path, inst, series)
    assert "the interconnection limit" in text and "by up to 2.000 MW (4.000 MWh in all" in text
    assert "gives only 8.00 MW, 2.00 MW less than the must-serve load" in text


def test_notice_cap(tmp_path):
    # A notice caps the import at 4 MW in step 1 only; load 10: 6 MW short there, 6 MWh.
    inst, series = base(2, 10.0, it_load_mw=10.0)
    inst["notices"] = [{"id": "N1", "issued": at(-3), "start": at(1), "end": at(2), "cap_mw": 4.0}]
    text = explained(tmp_path, inst, series)
    assert "notice N1" in text and "by up to 6.000 MW (6.000 MWh in all" in text
    assert "from 2025-01-01 01:00 to 02:00" in text


def test_min_load_above_the_need(tmp_path):
    # Load 2 MW, interconnection 1 MW: 1 MW is needed. G1 (5 MW, min load 0.6 -> 3 MW) would give at least 3 MW,
    # and the site exports nothing, so it stays off: 1 MW short in each of 2 steps, 2 MWh; without the min load
    # it gives 1 MW and nothing is short (0 MWh).
    inst, series = base(2, 10.0, interconnection_mw=1.0, it_load_mw=2.0)
    inst["generators"] = [gen(capacity_mw=5.0, min_load_fraction=0.6)]
    text = explained(tmp_path, inst, series)
    assert "generator G1 cannot help" in text and "minimum load of 3.00 MW" in text
    assert "0.000 MWh instead of 2.000 MWh" in text and "by up to 1.000 MW (2.000 MWh in all" in text


def test_min_down_time(tmp_path):
    # G1 (2 MW) has been off 1 h of its 3 h minimum down time: off in steps 0 and 1, free from 02:00. Load 10,
    # interconnection 8: 2 MW short in steps 0 and 1 (4 MWh), none in step 2; without the rule 0 MWh.
    inst, series = base(3, 10.0, interconnection_mw=8.0, it_load_mw=10.0)
    inst["generators"] = [gen(min_down_hours=3.0, initial_on=False, initial_hours_in_state=1.0)]
    text = explained(tmp_path, inst, series)
    assert "generator G1's minimum up/down time" in text and "must stay off until 2025-01-01 02:00" in text
    assert "from 2025-01-01 00:00 to 02:00" in text and "by up to 2.000 MW (4.000 MWh in all" in text


def test_permits_spent(tmp_path):
    # G1 (2 MW) has 1 run hour left; load 10, interconnection 8 over 2 steps: it covers one, 2 MWh short;
    # without its permits 0 MWh.
    inst, series = base(2, 10.0, interconnection_mw=8.0, it_load_mw=10.0)
    inst["generators"] = [gen(run_hours_left=1.0)]
    text = explained(tmp_path, inst, series)
    assert "permits exhausted: G1 1 of 1 h (run_hours_left)" in text and "G1's permits" in text
    assert "by up to 2.000 MW (2.000 MWh in all" in text and "0.000 MWh instead of 2.000 MWh" in text


def test_notice_only_unit(tmp_path):
    # G1 (2 MW) may run only inside notices; the notice (cap 100 MW, not binding) covers step 1 only. Load 10,
    # interconnection 8: step 0 is 2 MW short (2 MWh), step 1 is covered by G1.
    inst, series = base(2, 10.0, interconnection_mw=8.0, it_load_mw=10.0)
    inst["notices"] = [{"id": "N1", "issued": at(-3), "start": at(1), "end": at(2), "cap_mw": 100.0}]
    inst["generators"] = [gen(dispatch="notice_only")]
    text = explained(tmp_path, inst, series)
    assert "generator G1 is notice-only" in text and "may run only 0% of the step at 2025-01-01 00:00" in text
    assert "by up to 2.000 MW (2.000 MWh in all" in text


def test_battery_energy(tmp_path):
    # Battery 2 MWh, 5 MW, lossless, starts full (2 MWh) and must end with 2 MWh: it delivers nothing net.
    # Load 10, interconnection 8, 2 steps: 4 MWh short. Without the end level it gives its 2 MWh: 2 MWh.
    inst, series = base(2, 10.0, interconnection_mw=8.0, it_load_mw=10.0)
    inst["battery"] = {"energy_mwh": 2.0, "power_mw": 5.0, "round_trip_efficiency": 1.0, "initial_fraction": 1.0}
    text = explained(tmp_path, inst, series)
    assert "the battery's energy: it starts with 2.00 MWh" in text and "2.000 MWh instead of 4.000 MWh" in text
    assert "by up to 2.000 MW (4.000 MWh in all" in text


def test_the_least_peak_is_stated(tmp_path):
    # Load [6, 10, 10], interconnection 8. A lossless 3 MWh battery starts with 1 MWh and must end with 1: it can
    # charge 2 MWh in step 0 (2 MW spare) and give them back in steps 1-2, against 4 MWh needed: 2 MWh short at
    # least. Split evenly that is 1 MW in each step; a least-MWh schedule may put all 2 MW in one step.
    inst, series = base(3, 10.0, interconnection_mw=8.0, it_load_mw=col("it"))
    series["it"] = [6.0, 10.0, 10.0]
    inst["battery"] = {"energy_mwh": 3.0, "power_mw": 5.0, "round_trip_efficiency": 1.0,
                       "initial_fraction": 1.0 / 3.0}
    text = explained(tmp_path, inst, series)
    assert "by up to 1.000 MW (2.000 MWh in all" in text


def test_cooling_capacity(tmp_path):
    # IT 10 MW, chillers rated 8 MW thermal with a flat derate of 1 and COP 5: 2 MW thermal short per step.
    inst, series = base(2, 10.0, it_load_mw=10.0)
    series["temp"] = [30.0, 30.0]
    inst["cooling"] = {"outdoor_temp_c": col("temp"), "rated_capacity_mw_th": 8.0,
                       "capacity_derate_curve": [[0.0, 1.0]], "cop_curve": [[0.0, 5.0]]}
    text = explained(tmp_path, inst, series)
    assert "Cooling: from 2025-01-01 00:00 to 02:00" in text and "by up to 2.000 MW thermal (4.000 MWh" in text


def test_ramp(tmp_path):
    # From 10 MW before the horizon the import may fall 6 MW in a step, to 4; the notice caps it at 0: 4 MW.
    inst, series = base(2, 10.0)
    inst["grid"].update(ramp_down_mw_per_min=0.1, initial_import_mw=10.0)
    inst["notices"] = [{"id": "N1", "issued": at(-3), "start": at(0), "end": at(1), "cap_mw": 0.0}]
    text = explained(tmp_path, inst, series)
    assert "ramp-down limit" in text and "4.000 MW" in text


def test_a_whole_day_names_the_end_date(tmp_path):
    # 24 steps of 10 MW against 8: 2 MW short all day, 48 MWh; it ends at the next midnight.
    inst, series = base(24, 10.0, interconnection_mw=8.0, it_load_mw=10.0)
    text = explained(tmp_path, inst, series)
    assert "from 2025-01-01 00:00 to 2025-01-02 00:00" in text and "48.000 MWh in all" in text


def test_an_ambiguous_hour_names_its_offset(tmp_path):
    # America/Chicago, 2025-11-02: 01:00 happens twice (UTC-05:00, then UTC-06:00). Only the first 01:00 is
    # short (load 10 against 8): 2 MW, 2 MWh.
    start = "2025-11-02T00:00:00-05:00"
    inst, series = base(4, 10.0, interconnection_mw=8.0, it_load_mw=col("it"))
    inst["horizon"].update(start=start, timezone="America/Chicago")
    series["it"] = [5.0, 10.0, 5.0, 5.0]
    text = explained(tmp_path, inst, series)
    assert "from 2025-11-02 01:00 (UTC-05:00) to 01:00 (UTC-06:00)" in text
    assert "At 2025-11-02 01:00 (UTC-05:00)" in text and "by up to 2.000 MW (2.000 MWh in all" in text


def test_an_answer_that_does_not_add_up_says_so(tmp_path):
    # Finding 10: work_mwh = 1e18 on the small example once gave "must-serve 11.2 MW against a 9 MW cap plus
    # 2.5 MW of gensets" (11.5 MW, which fits). The explanation must not present that as the cause.
    from pathlib import Path
    import shutil
    src = Path(__file__).resolve().parents[1] / "instances" / "small"
    shutil.copytree(src, tmp_path / "small")
    toml = tmp_path / "small" / "small.toml"
    toml.write_text(toml.read_text().replace("work_mwh = 18.0", "work_mwh = 1e18"))
    try:
        r = eo.solve(toml, EXACT)
    except Exception as e:   # once inputs bound work_mwh (another finding), the case is refused before solving
        pytest.skip(f"refused as input: {e}")
    if r.status.value != "infeasible":
        pytest.skip(f"solved as {r.status.value}")
    text = " ".join(r.diagnosis)
    assert "do not account for the shortfall" in text and "training_jobs[0].work_mwh = 1e+18" in text


def test_cause_line_says_when_chilled_water_storage_makes_the_shortfall_smaller(tmp_path):
    """The import-cap cause counts cooling at the chillers; a tank can carry part of it, so the least shortfall
    stated above it is smaller. The explanation must say so rather than give two figures that seem to disagree."""
    import re
    import shutil
    import tomllib
    from pathlib import Path

    import tomli_w

    src = Path(__file__).resolve().parents[1] / "instances" / "texas_summer_day"
    for f in src.iterdir():
        shutil.copy(f, tmp_path / f.name)
    path = next(tmp_path.glob("*.toml"))
    doc = tomllib.loads(path.read_text())
    for n in doc["notices"]:
        n.pop("reduction_fraction", None), n.pop("baseline_mw", None)
        n["cap_mw"] = 5.0
    path.write_text(tomli_w.dumps(doc))
    r = eo.solve(path, eo.SolveOptions(mip_rel_gap=1e-4))
    assert r.status.value == "infeasible"
    text = " ".join(r.diagnosis)
    peak = float(re.search(r"by up to ([\d.]+) MW", text).group(1))
    gap = float(re.search(r"gives only [\d.]+ MW, ([\d.]+) MW less", text).group(1))
    assert peak < gap and "chilled-water storage can carry part of it" in text
