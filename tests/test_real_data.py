"""The Texas example on real ERCOT day-ahead prices and Abilene TMY3 temperatures (skipped without the data).

Each day's real hourly prices (HB_WEST, hour ending 1..24) and TMY temperatures replace the example's
typed series; the plan must be optimal within its gap, pass the independent checker and respect the
notice. This is where the model meets prices and weather nobody on the project chose.
"""
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import energyopt as eo
from energyopt.check import check_result

from .realdata import data_dir, ercot_day, tmy_dry_bulb

TEXAS = Path(__file__).resolve().parent.parent / "instances" / "texas_summer_day"
DATA = data_dir()
pytestmark = pytest.mark.skipif(DATA is None, reason="../shared/data (real ERCOT prices, TMY3 weather) is absent")


@pytest.mark.parametrize("day", ["2024-07-15", "2024-08-20", "2025-08-05"])
def test_texas_example_on_a_real_day(tmp_path, day):
    prices = ercot_day(DATA, day)
    if prices is None:
        pytest.skip(f"ERCOT data for {day} has missing hours")
    when = pd.Timestamp(day)
    temps = tmy_dry_bulb(DATA, when.month, when.day)
    folder = tmp_path / "tx"
    shutil.copytree(TEXAS, folder)
    series = pd.read_csv(folder / "series.csv")
    # 15-minute steps: each hourly value holds for its four quarter-hours.
    series["price_usd_per_mwh"] = np.repeat(prices, 4)
    series["outdoor_temp_c"] = np.repeat(temps, 4)
    series.to_csv(folder / "series.csv", index=False)

    toml = folder / "texas_summer_day.toml"
    result = eo.solve(toml, eo.SolveOptions(mip_rel_gap=1e-4, time_limit_s=120))
    assert result.status is eo.SolveStatus.OPTIMAL
    result.write(tmp_path / "out")
    assert check_result(toml, tmp_path / "out") == []
    s = result.summary
    assert s["curtailment"][0]["max_import_mw"] <= s["curtailment"][0]["cap_mw"] + 1e-6
    assert sum(s["cost_breakdown_usd"].values()) == pytest.approx(s["objective_usd"], rel=1e-9)
