"""The horizon's steps across daylight-saving changes, and series alignment (finer, coarser, Parquet)."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from energyopt.inputs import InstanceError, load_instance

BASE = """
[horizon]
start = "{start}"
timezone = "America/Chicago"
days = 1
step_minutes = {step}

[site]
interconnection_mw = 10.0

[grid]
price_usd_per_mwh = {price}
"""


def write(tmp_path: Path, start="2025-07-15T00:00:00", step=60, price="30.0", csv=None, name="series.csv"):
    (tmp_path / "i.toml").write_text(BASE.format(start=start, step=step, price=price))
    if csv is not None:
        if name.endswith(".parquet"):
            csv.to_parquet(tmp_path / name, index=False)
        else:
            (tmp_path / name).write_text(csv)
    return tmp_path / "i.toml"


@pytest.mark.parametrize("day,hours", [("2025-11-02", 25), ("2025-03-09", 23), ("2025-07-15", 24)])
def test_local_day_has_23_24_or_25_hours(tmp_path, day, hours):
    # America/Chicago leaves daylight time on 2025-11-02 (01:00 happens twice) and enters it on 2025-03-09.
    inst = load_instance(write(tmp_path, start=f"{day}T00:00:00", step=15))
    assert inst.time.n_steps == hours * 4
    assert inst.time.local_days == [(day, list(range(hours * 4)))]
    assert inst.time.end == pd.Timestamp(day, tz="America/Chicago") + pd.DateOffset(days=1)


def test_series_with_offsets_across_the_fall_change(tmp_path):
    # 25 hourly values with UTC offsets: 00:00-05:00 ... 01:00-05:00, 01:00-06:00, ... 23:00-06:00.
    t = pd.date_range("2025-11-02", periods=25, freq="h", tz="America/Chicago")
    stamps = [x.isoformat() for x in t]
    csv = "timestamp,price_usd_per_mwh\n" + "\n".join(f"{s},{k}" for k, s in enumerate(stamps)) + "\n"
    inst = load_instance(write(tmp_path, start="2025-11-02T00:00:00", price='{ file = "series.csv" }', csv=csv))
    assert inst.time.n_steps == 25
    np.testing.assert_allclose(inst.grid.price_usd_per_mwh.values, np.arange(25.0))


def test_local_series_times_in_the_horizon_timezone(tmp_path):
    # Local (offset-free) stamps are placed in the horizon's timezone; the repeated 01:00 is inferred in order.
    t = pd.date_range("2025-11-02", periods=25, freq="h", tz="America/Chicago").tz_localize(None)
    csv = "timestamp,price_usd_per_mwh\n" + "\n".join(f"{s.isoformat()},{k}" for k, s in enumerate(t)) + "\n"
    inst = load_instance(write(tmp_path, start="2025-11-02T00:00:00", price='{ file = "series.csv" }', csv=csv))
    np.testing.assert_allclose(inst.grid.price_usd_per_mwh.values, np.arange(25.0))


def test_hourly_series_repeats_on_15_minute_steps_and_5_minute_series_average(tmp_path):
    hourly = pd.date_range("2025-07-15", periods=24, freq="h", tz="America/Chicago")
    csv = "timestamp,price_usd_per_mwh\n" + "\n".join(f"{s.isoformat()},{10 * k}" for k, s in enumerate(hourly))
    inst = load_instance(write(tmp_path, step=15, price='{ file = "series.csv" }', csv=csv + "\n"))
    np.testing.assert_allclose(inst.grid.price_usd_per_mwh.values, np.repeat(10.0 * np.arange(24), 4))

    five = pd.date_range("2025-07-15", periods=24 * 12, freq="5min", tz="America/Chicago")
    vals = np.arange(len(five), dtype=float)
    csv = "timestamp,price_usd_per_mwh\n" + "\n".join(f"{s.isoformat()},{v}" for s, v in zip(five, vals))
    inst = load_instance(write(tmp_path, step=60, price='{ file = "series.csv" }', csv=csv + "\n"))
    # Hour h averages the twelve 5-minute values 12h..12h+11, i.e. 12h + 5.5.
    np.testing.assert_allclose(inst.grid.price_usd_per_mwh.values, 12 * np.arange(24) + 5.5)


def test_parquet_series(tmp_path):
    t = pd.date_range("2025-07-15", periods=24, freq="h", tz="America/Chicago")
    frame = pd.DataFrame({"timestamp": t, "price_usd_per_mwh": np.linspace(-20, 200, 24)})
    inst = load_instance(write(tmp_path, price='{ file = "p.parquet" }', csv=frame, name="p.parquet"))
    np.testing.assert_allclose(inst.grid.price_usd_per_mwh.values, np.linspace(-20, 200, 24))


def test_parquet_series_too_short_names_the_file(tmp_path):
    t = pd.date_range("2025-07-15", periods=20, freq="h", tz="America/Chicago")
    frame = pd.DataFrame({"timestamp": t, "price_usd_per_mwh": 1.0})
    with pytest.raises(InstanceError) as err:
        load_instance(write(tmp_path, price='{ file = "p.parquet" }', csv=frame, name="p.parquet"))
    (p,) = err.value.problems
    assert p.file == "p.parquet" and "too short" in p.message and p.field == "grid.price_usd_per_mwh"


def test_start_that_does_not_exist_locally(tmp_path):
    # 02:30 on 2025-03-09 does not exist in America/Chicago (clocks jump from 02:00 to 03:00).
    path = write(tmp_path, start="2025-03-09T02:30:00")
    with pytest.raises(InstanceError) as err:
        load_instance(path)
    assert err.value.problems[0].field == "horizon.start"


# -- local (offset-free) Parquet timestamps that cannot be placed, and missing ones -----------------

def _parquet_problem(tmp_path, start, times):
    frame = pd.DataFrame({"timestamp": times, "price_usd_per_mwh": 1.0})
    with pytest.raises(InstanceError) as err:
        load_instance(write(tmp_path, start=start, price='{ file = "p.parquet" }', csv=frame, name="p.parquet"))
    (p,) = err.value.problems
    assert (p.field, p.file) == ("grid.price_usd_per_mwh", "p.parquet")
    assert "'timestamp'" in p.message
    return p


def test_parquet_local_time_in_the_spring_gap_names_the_row(tmp_path):
    # Naive hourly stamps 00:00 ... 23:00 on 2025-03-09: 02:00 (Parquet row 3) does not exist in Chicago.
    p = _parquet_problem(tmp_path, "2025-03-09T00:00:00", pd.date_range("2025-03-09", periods=24, freq="h"))
    assert p.row == 3
    assert "2025-03-09 02:00:00" in p.message and "does not exist" in p.message and "UTC offset" in p.message


def test_parquet_ambiguous_local_time_names_the_row(tmp_path):
    # 01:00 on 2025-11-02 happens twice in Chicago, but the file has it once (row 2): its order cannot say which.
    p = _parquet_problem(tmp_path, "2025-11-02T00:00:00", pd.date_range("2025-11-02", periods=24, freq="h"))
    assert p.row == 2
    assert "2025-11-02 01:00:00" in p.message and "ambiguous" in p.message and "UTC offset" in p.message


def test_parquet_repeated_local_time_in_order_is_placed(tmp_path):
    t = pd.date_range("2025-11-02", periods=25, freq="h", tz="America/Chicago").tz_localize(None)
    frame = pd.DataFrame({"timestamp": t, "price_usd_per_mwh": np.arange(25.0)})
    inst = load_instance(write(tmp_path, start="2025-11-02T00:00:00", price='{ file = "p.parquet" }', csv=frame,
                               name="p.parquet"))
    np.testing.assert_allclose(inst.grid.price_usd_per_mwh.values, np.arange(25.0))


@pytest.mark.parametrize("tz", [None, "America/Chicago"])
def test_parquet_missing_timestamp_names_the_row(tmp_path, tz):
    t = pd.Series(pd.date_range("2025-07-15", periods=24, freq="h", tz=tz))
    t[4] = pd.NaT  # Parquet row 5 (the price is there, the time is not)
    p = _parquet_problem(tmp_path, "2025-07-15T00:00:00", t)
    assert p.row == 5
    assert "missing timestamp" in p.message


def test_csv_local_time_in_the_spring_gap_names_the_row(tmp_path):
    t = pd.date_range("2025-03-09", periods=24, freq="h")
    csv = "timestamp,price_usd_per_mwh\n" + "\n".join(f"{s.isoformat()},1" for s in t) + "\n"
    with pytest.raises(InstanceError) as err:
        load_instance(write(tmp_path, start="2025-03-09T00:00:00", price='{ file = "series.csv" }', csv=csv))
    (p,) = err.value.problems
    assert (p.file, p.row) == ("series.csv", 4)  # 02:00 is the third data row, CSV line 4
    assert "does not exist" in p.message
