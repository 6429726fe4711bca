"""Regressions found by reviewing issue 13's merged change: each failed before its fix."""
from __future__ import annotations

import pytest

import energyopt as eo
from energyopt import InstanceError
from energyopt.batch.cluster import address_host, insecure_warning
from energyopt.errors import UsageError

try:
    from .helpers import base, write_instance
except ImportError:  # tests/ is not a package: pytest puts it on sys.path
    from helpers import base, write_instance


def test_a_cause_reports_the_power_shortfall_not_heat_and_power_together(tmp_path):
    inst, series = base(2, 10.0, interconnection_mw=1.0, it_load_mw=2.0)
    inst["generators"] = [{"id": "G1", "capacity_mw": 5.0, "min_load_fraction": 0.6, "fuel_price_usd_per_gal": 3.0,
                           "run_hours_left": 10.0, "dispatch": "economic"}]
    inst["cooling"] = {"outdoor_temp_c": 20.0, "rated_capacity_mw_th": 1.0, "capacity_derate_curve": [[0.0, 1.0]],
                       "cop_curve": [[0.0, 30.0]]}
    r = eo.solve(write_instance(tmp_path, inst, series), eo.SolveOptions(mip_rel_gap=0))
    # Load 2 MW IT + 2/30 MW cooling = 2.0667 MW against 1 MW of import: 1.0667 MW short a step, 2.133 MWh, unless
    # G1 runs - but at least 3 MW, which the site cannot take. The chillers remove 1 of the 2 MW of heat: 1 MWh
    # thermal short a step, 2 MWh. Without G1's minimum load the power shortfall is 0 (G1 gives 1.0667 MW); the
    # heat shortfall stays. The cause must say 0 instead of 2.133 MWh of power, not "2 instead of 4.133".
    assert r.status.value == "infeasible"
    text = " ".join(r.diagnosis)
    assert "least power shortfall would be 0.000 MWh instead of 2.133 MWh" in text, text


def test_a_minimum_down_time_past_the_horizon_says_so(tmp_path):
    inst, series = base(3, 10.0, interconnection_mw=8.0, it_load_mw=10.0)
    inst["generators"] = [{"id": "G1", "capacity_mw": 5.0, "min_load_fraction": 0.0, "fuel_price_usd_per_gal": 3.0,
                           "run_hours_left": 10.0, "dispatch": "economic", "min_down_hours": 10.0,
                           "initial_on": False, "initial_hours_in_state": 1.0}]
    r = eo.solve(write_instance(tmp_path, inst, series), eo.SolveOptions(mip_rel_gap=0))
    # Off for 1 h of a 10 h minimum down time: off until 09:00, past the horizon's end at 03:00.
    text = " ".join(r.diagnosis)
    assert "stay off until 2025-01-01 09:00, beyond the horizon's end (2025-01-01 03:00)" in text, text


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_a_date_time_outside_the_era_is_refused_by_name(tmp_path, value):
    inst, series = base(3, 10.0)
    inst["training_jobs"] = [{"id": "J1", "power_mw": 1.0, "work_mwh": 1.0, "deadline": value}]
    with pytest.raises(InstanceError) as info:
        eo.load_instance(write_instance(tmp_path, inst, series))
    hits = [p for p in info.value.problems if p.field == "training_jobs[0] (J1).deadline"]
    assert hits and "outside 1900-2200" in hits[0].message, info.value.problems


def test_a_malformed_scheduler_address_is_a_usage_error():
    with pytest.raises(UsageError):
        address_host("tcp://[::1")


def test_ucx_crosses_machines_without_tls_and_is_warned_about():
    assert insecure_warning("ucx://10.0.0.5:8786") is not None
    assert insecure_warning("inproc://127.0.0.1/1/1") is None


def test_a_unit_held_on_above_the_load_is_explained(tmp_path):
    inst, series = base(2, 10.0, interconnection_mw=100.0, it_load_mw=1.0)
    inst["generators"] = [{"id": "G1", "capacity_mw": 5.0, "min_load_fraction": 0.6, "fuel_price_usd_per_gal": 3.0,
                           "run_hours_left": 10.0, "dispatch": "economic", "min_up_hours": 3.0, "initial_on": True,
                           "initial_hours_in_state": 1.0}]
    r = eo.solve(write_instance(tmp_path, inst, series), eo.SolveOptions(mip_rel_gap=0))
    # On for 1 h of a 3 h minimum up time, G1 must run both steps at 0.6 x 5 = 3 MW at least, against 1 MW of load
    # and no export: 2 MW too much in each step, 4 MWh. Without its minimum up time it could stop: no surplus.
    assert r.status.value == "infeasible"
    text = " ".join(r.diagnosis)
    assert "cannot be turned down exceeds the load by up to 2.000 MW (4.000 MWh in all)" in text, text
    assert "G1 3.00 MW" in text and "Cause: generator G1" in text, text
