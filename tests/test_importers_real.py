"""The series importers on the real public files of ../shared/data (skipped where the folder is absent): ERCOT's
daylight-saving days 2024-03-10 and 2024-11-03, a CAISO 5-minute day (2025-08-15), Abilene's TMY3, EIA-930
carbon, PJM and an Azure trace; and an instance made from them that solves and passes `energyopt check`.

Every expected value is read from the file here with plain pandas, independently of the importers."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from energyopt.cli import app
from energyopt.importers import ImportError_, make_grid, read, to_grid

from .realdata import ABILENE, ERCOT, data_dir, ercot_day, tmy_dry_bulb
from .test_importers import solves_and_checks

D = data_dir()
pytestmark = pytest.mark.skipif(D is None, reason="the real data folder ../shared/data is absent")
ROOT = Path(__file__).resolve().parent.parent
CAISO_RT = "prices/caiso_sp15_rt_5min_2025-08-01_2025-10-01.csv"
CAISO_DA = "prices/caiso_sp15_da_hourly_2025-08-01_2025-10-01.csv"
EIA = "grid/ercot_2022_hourly_fuelmix_carbon_intensity_eia.csv"
AZURE = "workload/AzureLLMInferenceTrace_conv.csv"


@pytest.fixture(scope="module")
def ercot():
    return read("ercot", D / ERCOT, location="HB_WEST", market="dam")


def test_ercot_fall_back_2024_11_03_has_25_hours(ercot):
    frame, repairs = to_grid(ercot, make_grid("2024-11-03T00:00:00", "America/Chicago", 60, days=1))
    he = ercot_day(D, "2024-11-03")   # the file's 24 rows, hour ending 1..24
    # the file gives the day's 24 clock hours once: the repeated hour (01:00 CST) takes hour ending 2's price
    assert frame["price_usd_per_mwh"].to_numpy() == pytest.approx(np.concatenate([he[:2], he[1:]]), rel=1e-12)
    assert [r for r in repairs if r.startswith("2024-11-03") and "repeated hour" in r]


def test_ercot_spring_forward_2024_03_10_is_a_gap_in_this_file(ercot):
    grid = make_grid("2024-03-10T00:00:00", "America/Chicago", 60, days=1)
    raw = pd.read_csv(D / ERCOT, usecols=["delivery_date", "hour_ending", "HB_WEST_DAM"])
    day = raw[raw["delivery_date"] == "2024-03-10"]
    assert day["hour_ending"].tolist() == [1]   # the file holds hour ending 1 only: 22 of the 23 hours missing
    with pytest.raises(ImportError_, match=r"22 missing interval\(s\).*2024-03-10T01:00:00-06:00"):
        to_grid(ercot, grid)
    frame, repairs = to_grid(ercot, grid, fill="ffill")
    assert len(frame) == 23 and (frame["price_usd_per_mwh"] == day["HB_WEST_DAM"].iloc[0]).all()


def test_ercot_summer_day_on_15_minute_steps(ercot):
    frame, repairs = to_grid(ercot, make_grid("2024-08-20T00:00:00", "America/Chicago", 15, days=1))
    assert frame["price_usd_per_mwh"].to_numpy() == pytest.approx(np.repeat(ercot_day(D, "2024-08-20"), 4))
    assert repairs == ()


def test_caiso_five_minute_day_2025_08_15():
    imp = read("caiso", D / CAISO_RT)
    assert imp.step == pd.Timedelta(minutes=5)
    frame, _ = to_grid(imp, make_grid("2025-08-15T00:00:00", "America/Los_Angeles", 5, days=1))
    raw = pd.read_csv(D / CAISO_RT)
    t = pd.to_datetime(raw["timestamp"], utc=True)
    day = raw[(t >= "2025-08-15T07:00Z") & (t < "2025-08-16T07:00Z")]["price_mwh"].to_numpy()
    assert len(frame) == 288 and frame["price_usd_per_mwh"].to_numpy() == pytest.approx(day, rel=1e-12)
    hourly, _ = to_grid(imp, make_grid("2025-08-15T00:00:00", "America/Los_Angeles", 60, days=1))
    assert hourly["price_usd_per_mwh"].to_numpy() == pytest.approx(day.reshape(24, 12).mean(axis=1))
    da, _ = to_grid(read("caiso", D / CAISO_DA), make_grid("2025-08-15T00:00:00", "America/Los_Angeles", 5, days=1))
    blocks = da["price_usd_per_mwh"].to_numpy().reshape(24, 12)
    assert (blocks == blocks[:, :1]).all()   # each hour's price repeated on its twelve 5-minute steps


def test_tmy3_abilene_matched_in_standard_time():
    frame, _ = to_grid(read("tmy3", D / ABILENE), make_grid("2025-07-15T00:00:00", "America/Chicago", 60, days=1))
    # 00:00 CDT is 23:00 of Jul 14 in the station's standard time (UTC-6): the row stamped 24:00 of Jul 14; then
    # 01:00 CDT = 00:00 CST = the row stamped 01:00 of Jul 15, and so on
    expect = np.concatenate([tmy_dry_bulb(D, 7, 14)[-1:], tmy_dry_bulb(D, 7, 15)[:23]])
    assert frame["outdoor_temp_c"].to_numpy() == pytest.approx(expect)
    assert frame["availability"].between(0, 1).all() and frame["availability"].max() > 0.4


def test_eia930_pjm_and_azure():
    frame, _ = to_grid(read("eia930", D / EIA), make_grid("2022-07-01T00:00:00+00:00", None, 60, hours=24))
    raw = pd.read_csv(D / EIA)
    i = int(np.flatnonzero(raw["timestamp"].str.startswith("2022-07-01 00:00"))[0])
    assert frame["carbon_kg_per_mwh"].to_numpy() == pytest.approx(raw["avg_CI"].to_numpy()[i:i + 24])
    pjm, repairs = to_grid(read("pjm", D / "prices/epf_PJM.csv"),
                           make_grid("2016-11-06T00:00:00", "America/New_York", 60, days=1))
    assert len(pjm) == 25 and any("fall back" in r for r in repairs)
    imp = read("azure", D / AZURE)
    az = pd.read_csv(D / AZURE)
    tokens = (az["ContextTokens"] + az["GeneratedTokens"]).sum()
    # MW x 60 s x tokens/s per MW over the bins = every token of the trace
    assert imp.frame["demand_mw"].sum() * 60 * 833_000 == pytest.approx(tokens, rel=1e-9)


@pytest.mark.slow   # fast sibling: test_importers.py::test_cli_series_writes_the_instances_file_solves_and_checks
def test_real_series_instance_on_the_fall_back_day_solves_and_checks(tmp_path):
    """instances/small moved to 2024-11-03 (a 25-hour local day) with every series imported from the real files."""
    toml = (ROOT / "instances" / "small" / "small.toml").read_text().replace("2025-07-15", "2024-11-03")
    toml = toml.replace('start = "2024-11-03T12:00:00"', 'start = "2024-11-03T00:00:00"').replace("hours = 6",
                                                                                                  "days = 1")
    site = tmp_path / "site"
    site.mkdir()
    (site / "small.toml").write_text(toml)
    common = ["--instance", str(site / "small.toml"), "--out", str(site / "series.csv")]
    runner = CliRunner()
    for args in (["ercot", str(D / ERCOT), "--location", "HB_WEST", "--market", "dam"],
                 ["eia930", str(D / EIA), "--typical", "--match-tz", "America/Chicago", "--append"],
                 ["tmy3", str(D / ABILENE), "--append"],
                 ["azure", str(D / AZURE), "--peak-mw", "2.5", "--rename", "demand_mw=chat_mw", "--append"]):
        r = runner.invoke(app, ["series", *args, *common], standalone_mode=False)
        assert r.exit_code == 0, r.output
    written = pd.read_csv(site / "series.csv")
    assert len(written) == 25
    solves_and_checks(site / "small.toml", tmp_path / "out")
