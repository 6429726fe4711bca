"""The series importers (energyopt.importers, `energyopt series`) on small files written here, in each format.

Expected values are derived by hand in the comments: prices are set to 10 x hour ending, so where each hour lands
on the horizon (the repeated hour of a fall-back day, the skipped one of spring) is read off the values.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import energyopt as eo
from energyopt.cli import app
from energyopt.importers import ImportError_, make_grid, merge_series, read, to_grid, write_series

ROOT = Path(__file__).resolve().parent.parent


def _ercot_wide(path: Path, day: str, hours) -> Path:
    rows = [f"{day},{h},{10.0 * h},{-1.0}" for h in hours]
    path.write_text("delivery_date,hour_ending,HB_WEST_DAM,HB_WEST_RTM\n" + "\n".join(rows) + "\n")
    return path


def test_ercot_wide_fall_back_day_with_24_rows_repeats_hour_ending_2(tmp_path):
    f = _ercot_wide(tmp_path / "e.csv", "2024-11-03", range(1, 25))
    imp = read("ercot", f, location="HB_WEST", market="dam")
    frame, repairs = to_grid(imp, make_grid("2024-11-03T00:00:00", "America/Chicago", 60, days=1))
    # 25 steps: 00 CDT (HE1), 01 CDT (HE2), 01 CST (the repeated hour, HE2's value), 02 CST (HE3) ... 23 CST (HE24)
    assert frame["price_usd_per_mwh"].tolist() == [10, 20, 20] + [10.0 * h for h in range(3, 25)]
    assert any("fall back" in r and "repeated hour" in r for r in repairs)


def test_ercot_long_dst_flag_and_star_mark_the_repeated_hour(tmp_path):
    lines = ["DeliveryDate,HourEnding,SettlementPoint,SettlementPointPrice,DSTFlag"]
    for h in range(1, 25):
        lines.append(f"11/03/2024,{h:02d}:00,HB_WEST,{10.0 * h},N")
        if h == 2:
            lines.append("11/03/2024,02:00,HB_WEST,25.0,Y")
        lines.append(f"11/03/2024,{h:02d}:00,HB_NORTH,1.0,N")
    (tmp_path / "np4.csv").write_text("\n".join(lines) + "\n")
    grid = make_grid("2024-11-03T00:00:00", "America/Chicago", 60, days=1)
    frame, _ = to_grid(read("ercot", tmp_path / "np4.csv", location="hb_west"), grid)
    assert frame["price_usd_per_mwh"].tolist() == [10, 20, 25] + [10.0 * h for h in range(3, 25)]
    # the same with the repeated hour written "2*" and no flag column
    star = ["delivery_date,hour_ending,HB_WEST_DAM"] + [f"2024-11-03,{h},{10.0 * h}" for h in range(1, 3)] \
        + ["2024-11-03,2*,25"] + [f"2024-11-03,{h},{10.0 * h}" for h in range(3, 25)]
    (tmp_path / "star.csv").write_text("\n".join(star) + "\n")
    frame, _ = to_grid(read("ercot", tmp_path / "star.csv"), grid)
    assert frame["price_usd_per_mwh"].tolist()[:4] == [10, 20, 25, 30]
    with pytest.raises(ImportError_, match="location"):
        read("ercot", tmp_path / "np4.csv")    # two points and none chosen
    # the historical NP4-180-ER layout: spaced names and "Repeated Hour Flag"
    hist = pd.read_csv(tmp_path / "np4.csv", dtype=str).rename(columns={
        "DeliveryDate": "Delivery Date", "HourEnding": "Hour Ending", "SettlementPoint": "Settlement Point",
        "SettlementPointPrice": "Settlement Point Price", "DSTFlag": "Repeated Hour Flag"})
    frame, _ = to_grid(read("ercot", hist, location="HB_WEST"), grid)
    assert frame["price_usd_per_mwh"].tolist()[:4] == [10, 20, 25, 30]


def test_ercot_spring_forward_day_and_15_minute_steps(tmp_path):
    f = _ercot_wide(tmp_path / "e.csv", "2024-03-10", [1] + list(range(3, 25)))   # ERCOT skips HE2
    imp = read("ercot", f, location="HB_WEST", market="dam")
    frame, repairs = to_grid(imp, make_grid("2024-03-10T00:00:00", "America/Chicago", 15, days=1))
    # 23 hours x 4: HE1 at 00:00 CST, HE3 (labelled after the skipped 02:00) from 01:00 CST, HE4 from 03:00 CDT
    assert len(frame) == 92
    assert frame["price_usd_per_mwh"].tolist() == list(np.repeat([10.0] + [10.0 * h for h in range(3, 25)], 4))
    assert any("spring forward" in r for r in repairs)


def test_ercot_rtm_15_minute_intervals_average_on_hourly_steps(tmp_path):
    lines = ["DeliveryDate,DeliveryHour,DeliveryInterval,SettlementPointName,SettlementPointType,"
             "SettlementPointPrice,DSTFlag"]
    for h in (1, 2):
        for i in range(1, 5):
            lines.append(f"08/20/2024,{h},{i},HB_WEST,HU,{h * 100 + i},N")
    (tmp_path / "np6.csv").write_text("\n".join(lines) + "\n")
    imp = read("ercot", tmp_path / "np6.csv", location="HB_WEST")
    assert imp.step == pd.Timedelta(minutes=15)
    frame, _ = to_grid(imp, make_grid("2024-08-20T00:00:00", "America/Chicago", 60, hours=2))
    # hour 1: (101+102+103+104)/4 = 102.5; hour 2: 202.5
    assert frame["price_usd_per_mwh"].tolist() == [102.5, 202.5]


def test_rtm_fall_back_flags_and_bad_cells_named_by_line(tmp_path):
    lines = ["DeliveryDate,DeliveryHour,DeliveryInterval,SettlementPointName,SettlementPointPrice,DSTFlag"]
    for h, flag in ((1, "N"), (2, "N"), (2, "Y"), (3, "N")):
        for i in range(1, 5):
            lines.append(f"11/03/2024,{h},{i},HB_WEST,{h * 10 + (5 if flag == 'Y' else 0)},{flag}")
    (tmp_path / "rtm.csv").write_text("\n".join(lines) + "\n")
    frame, _ = to_grid(read("ercot", tmp_path / "rtm.csv"), make_grid("2024-11-03T00:00:00", "America/Chicago", 60,
                                                                       hours=4))
    # 00 CDT: 10; 01 CDT: 20 (flag N); 01 CST: 25 (flag Y); 02 CST: 30
    assert frame["price_usd_per_mwh"].tolist() == [10, 20, 25, 30]
    lines[6] = lines[6].replace(",20,N", ",abc,N")   # the 6th data row: line 7 of the file
    (tmp_path / "rtm.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(ImportError_, match=r"rtm.csv: column 'SettlementPointPrice': 'abc' is not a number .*line 7"):
        read("ercot", tmp_path / "rtm.csv")
    with pytest.raises(ImportError_, match="unknown series format"):
        read("nyiso", tmp_path / "rtm.csv")
    with pytest.raises(ImportError_, match="unexpected keyword"):
        read("ercot", tmp_path / "rtm.csv", node="X")


def test_gaps_are_refused_with_their_times_unless_filled(tmp_path):
    f = _ercot_wide(tmp_path / "e.csv", "2024-08-20", [h for h in range(1, 25) if h not in (5, 6)])
    imp = read("ercot", f, location="HB_WEST", market="dam")
    grid = make_grid("2024-08-20T00:00:00", "America/Chicago", 60, days=1)
    with pytest.raises(ImportError_, match=r"2 missing .*2024-08-20T04:00:00-05:00 \.\. 2024-08-20T06:00:00-05:00") \
            as exc:
        to_grid(imp, grid)
    assert exc.value.exit_code == 3 and "e.csv" in str(exc.value)
    # interpolate: HE4 = 40 and HE7 = 70, so HE5, HE6 = 50, 60; ffill: 40, 40; zero: 0, 0
    for fill, expect in (("interpolate", [50, 60]), ("ffill", [40, 40]), ("zero", [0, 0])):
        frame, repairs = to_grid(imp, grid, fill)
        assert frame["price_usd_per_mwh"].tolist()[4:6] == expect
        assert any("filled" in r for r in repairs)
    with pytest.raises(ImportError_, match="covers"):
        to_grid(imp, make_grid("2024-08-21T00:00:00", "America/Chicago", 60, days=1))


def test_caiso_oasis_node_and_lmp_type_averaged_to_hours(tmp_path):
    t = pd.date_range("2025-08-15T07:00Z", periods=24, freq="5min")
    rows = []
    for node, base in (("TH_SP15_GEN-APND", 0.0), ("TH_NP15_GEN-APND", 1000.0)):
        for k, s in enumerate(t):
            rows.append({"INTERVALSTARTTIME_GMT": s.strftime("%Y-%m-%dT%H:%M:%S-00:00"), "NODE": node,
                         "LMP_TYPE": "LMP", "MW": base + k})
            rows.append({"INTERVALSTARTTIME_GMT": s.strftime("%Y-%m-%dT%H:%M:%S-00:00"), "NODE": node,
                         "LMP_TYPE": "MCC", "MW": -5.0})
    pd.DataFrame(rows).to_csv(tmp_path / "oasis.csv", index=False)
    imp = read("caiso", tmp_path / "oasis.csv", node="TH_SP15_GEN-APND")
    frame, _ = to_grid(imp, make_grid("2025-08-15T00:00:00", "America/Los_Angeles", 60, hours=2))
    # 00:00 PDT = 07:00 UTC; hour 1 averages k = 0..11 -> 5.5; hour 2 k = 12..23 -> 17.5
    assert frame["price_usd_per_mwh"].tolist() == [5.5, 17.5]


def test_pjm_local_ept_and_gridstatus_frame(tmp_path):
    t = pd.date_range("2024-07-01 00:00", periods=3, freq="h")
    pd.DataFrame({"datetime_beginning_ept": t.strftime("%m/%d/%Y %I:%M:%S %p"), "pnode_name": "COMED",
                  "total_lmp_da": [30.0, 31.0, 32.0]}).to_csv(tmp_path / "pjm.csv", index=False)
    frame, _ = to_grid(read("pjm", tmp_path / "pjm.csv"), make_grid("2024-07-01T01:00:00", "America/New_York", 60,
                                                                    hours=2))
    assert frame["price_usd_per_mwh"].tolist() == [31.0, 32.0]
    gs = pd.DataFrame({"Interval Start": pd.date_range("2024-07-01", periods=2, freq="h", tz="US/Central"),
                       "Location": ["HB_WEST"] * 2, "Market": ["DAY_AHEAD_HOURLY"] * 2, "LMP": [40.0, 50.0]})
    frame, _ = to_grid(read("gridstatus", gs), make_grid("2024-07-01T00:00:00", "America/Chicago", 15, hours=2))
    assert frame["price_usd_per_mwh"].tolist() == [40.0] * 4 + [50.0] * 4   # hourly repeated on 15-min steps
    gs.to_parquet(tmp_path / "gs.parquet")
    gs.assign(**{"Interval Start": gs["Interval Start"].map(lambda t: t.isoformat())}).to_csv(tmp_path / "gs.csv")
    for f in ("gs.parquet", "gs.csv"):
        again, _ = to_grid(read("gridstatus", tmp_path / f, location="HB_WEST"),
                           make_grid("2024-07-01T00:00:00", "America/Chicago", 15, hours=2))
        assert again.equals(frame)


def test_table_options_and_temperature_interpolation(tmp_path):
    pd.DataFrame({"when": ["2024-07-01 01:00", "2024-07-01 02:00", "2024-07-01 03:00"], "t": [20.0, 24.0, 28.0],
                  "load_kw": [1000.0, 2000.0, 3000.0]}).to_csv(tmp_path / "t.csv", index=False)
    imp = read("table", tmp_path / "t.csv", time="when", tz="America/Chicago",
               column=["t=outdoor_temp_c", "load_kw=demand_mw"], scale=1.0, label="end")
    frame, _ = to_grid(imp, make_grid("2024-07-01T00:00:00", "America/Chicago", 15, hours=3))
    # hour ending 01:00 = 20 C taken at 00:30, 24 at 01:30, 28 at 02:30; 15-min steps read at 00:07:30, 00:22:30,
    # 00:37:30 ... -> 20, 20, 20.5, 21.5, 22.5, 23.5, 24.5, ..., 27.5, 28, 28
    assert frame["outdoor_temp_c"].tolist() == [20, 20, 20.5, 21.5, 22.5, 23.5, 24.5, 25.5, 26.5, 27.5, 28, 28]
    assert frame["demand_mw"].tolist() == [1000.0] * 4 + [2000.0] * 4 + [3000.0] * 4
    with pytest.raises(ImportError_, match="--tz"):
        read("table", tmp_path / "t.csv", time="when")


def _tmy3(path: Path) -> Path:
    """Two days (Jan 1-2 and Feb 28) of a TMY3 file in its layout: GHI 100 x hour, dry-bulb = hour."""
    head = '722660,"TEST SITE",TX,-6.0,32.470,-99.710,530\n'
    cols = "Date (MM/DD/YYYY),Time (HH:MM),GHI (W/m^2),Dry-bulb (C),Wspd (m/s)\n"
    rows = [f"{d},{h:02d}:00,{100 * max(0, 6 - abs(h - 12))},{float(h)},2.0"
            for d in ("02/28/1991", "03/01/1991") for h in range(1, 25)]
    path.write_text(head + cols + "\n".join(rows) + "\n")
    return path


def test_tmy3_typical_year_by_month_day_hour_and_feb_29(tmp_path):
    imp = read("tmy3", _tmy3(tmp_path / "w.tmy3"))
    # 2024-02-29 is not in the typical year: it takes Feb 28's hours. The station's standard time is UTC-6, so
    # 2024-02-29 00:00 CST is the hour starting 00:00, i.e. the row stamped 01:00 (dry-bulb 1.0).
    frame, repairs = to_grid(imp, make_grid("2024-02-29T00:00:00", "America/Chicago", 60, days=1))
    assert frame["outdoor_temp_c"].tolist() == [float(h) for h in range(1, 25)]
    assert any("Feb 29" in r for r in repairs)
    assert frame["ghi_w_per_m2"].max() == 600.0 and frame["ghi_w_per_m2"].iloc[0] == 0
    # availability: PVWatts, 600 W/m2 at 12 C air and 2 m/s is a little under 0.6 x 0.86 (cells warm above 25 C)
    assert 0.45 < frame["availability"].max() < 0.6 * 0.86
    assert frame["availability"].between(0, 1).all()


def _epw(path: Path) -> Path:
    head = ["LOCATION,TEST,TX,USA,TMY3,722660,32.47,-99.71,-6.0,530.0"] + ["X"] * 7
    rows = []
    for h in range(1, 25):
        f = [1999, 8, 20, h, 60, "?", float(h), 10, 50, 100000, 0, 0, 0, 50 * h, 0, 0, 0, 0, 0, 0, 0, 3.0]
        rows.append(",".join(map(str, f + [0] * 13)))
    path.write_text("\n".join(head + rows) + "\n")
    return path


def test_epw_rows_start_at_their_hour(tmp_path):
    imp = read("epw", _epw(tmp_path / "w.epw"))
    frame, _ = to_grid(imp, make_grid("2025-08-20T00:00:00-06:00", None, 60, hours=24))
    assert frame["outdoor_temp_c"].tolist() == [float(h) for h in range(1, 25)]   # EPW hour 1 = 00:00-01:00
    assert frame["ghi_w_per_m2"].tolist() == [50.0 * h for h in range(1, 25)]


def test_eia930_carbon_and_typical_year(tmp_path):
    t = pd.date_range("2022-07-01T00:00Z", periods=48, freq="h")
    pd.DataFrame({"timestamp": [s.isoformat() for s in t], "NG": 1.0, "avg_CI": np.arange(48.0)}
                 ).to_csv(tmp_path / "ci.csv", index=False)
    frame, _ = to_grid(read("eia930", tmp_path / "ci.csv"), make_grid("2022-07-01T05:00:00+00:00", None, 60,
                                                                      hours=2))
    assert frame["carbon_kg_per_mwh"].tolist() == [5.0, 6.0]   # g/kWh = kg/MWh
    frame, _ = to_grid(read("eia930", tmp_path / "ci.csv", typical=True), make_grid("2025-07-02T00:00:00+00:00",
                                                                                     None, 60, hours=2))
    assert frame["carbon_kg_per_mwh"].tolist() == [24.0, 25.0]   # July 2 00:00 UTC of 2022


def test_azure_trace_to_mw_repeated_and_scaled(tmp_path):
    # 1,000 generated tokens in minute 0 and 3,000 in minute 1 (context weighted 0): 1000/60 and 3000/60 tokens/s
    pd.DataFrame({"TIMESTAMP": ["2023-11-16 18:00:10.5", "2023-11-16 18:00:50", "2023-11-16 18:01:30"],
                  "ContextTokens": [500, 500, 999], "GeneratedTokens": [400, 600, 3000]}
                 ).to_csv(tmp_path / "az.csv", index=False)
    imp = read("azure", tmp_path / "az.csv", tokens_per_s_per_mw=100.0 / 6, context_weight=0.0)
    assert imp.frame["demand_mw"].tolist() == pytest.approx([1.0, 3.0])   # (1000/60) / (100/6) = 1 MW
    grid = make_grid("2025-01-01T00:00:00+00:00", None, 5, hours=1)
    imp = read("azure", tmp_path / "az.csv", tokens_per_s_per_mw=100.0 / 6, context_weight=0.0, bin_minutes=5.0)
    frame, repairs = to_grid(imp, grid)
    # a 5-minute bin of 4,000 tokens: 4000/300 tokens/s / (100/6) = 0.8 MW, repeated every 5 minutes
    assert frame["demand_mw"].tolist() == pytest.approx([0.8] * 12)
    imp = read("azure", tmp_path / "az.csv", mean_mw=30.0)
    frame, _ = to_grid(imp, grid)
    assert frame["demand_mw"].mean() == pytest.approx(30.0)


def test_write_and_merge_series(tmp_path):
    grid = make_grid("2024-11-03T00:00:00", "America/Chicago", 60, hours=3)
    a = pd.DataFrame({"price_usd_per_mwh": [1.0, 2.0, 3.0]}, index=grid.index)
    write_series(a, tmp_path / "s.csv")
    text = (tmp_path / "s.csv").read_text().splitlines()
    assert text[1:4] == ["2024-11-03T00:00:00-05:00,1.0", "2024-11-03T01:00:00-05:00,2.0",
                            "2024-11-03T01:00:00-06:00,3.0"]
    merged, replaced = merge_series(tmp_path / "s.csv", pd.DataFrame({"price_usd_per_mwh": [4.0] * 3,
                                                                       "chat_mw": [1.0] * 3}, index=grid.index))
    assert replaced == ["price_usd_per_mwh"] and merged["price_usd_per_mwh"].tolist() == [4.0] * 3
    other = make_grid("2024-11-04T00:00:00", "America/Chicago", 60, hours=3)
    with pytest.raises(ImportError_, match="not the horizon's steps"):
        merge_series(tmp_path / "s.csv", a.set_axis(other.index))
    write_series(a, tmp_path / "s.parquet")
    assert pd.read_parquet(tmp_path / "s.parquet")["timestamp"].dt.tz is not None


def test_cli_series_writes_the_instances_file_solves_and_checks(tmp_path):
    """An instance (instances/small moved to 2024-08-20) whose series come from `energyopt series`: it validates,
    solves and passes the independent check."""
    site = tmp_path / "site"
    site.mkdir()
    toml = (ROOT / "instances" / "small" / "small.toml").read_text().replace("2025-07-15", "2024-08-20")
    (site / "small.toml").write_text(toml)
    _ercot_wide(tmp_path / "e.csv", "2024-08-20", range(1, 25))
    pd.DataFrame({"timestamp": pd.date_range("2024-08-20", periods=24, freq="h").strftime("%Y-%m-%d %H:%M"),
                  "ci": 400.0, "chat": 2.0}).to_csv(tmp_path / "t.csv", index=False)
    runner = CliRunner()
    inst = ["--instance", str(site / "small.toml"), "--out", str(site / "series.csv")]
    r = runner.invoke(app, ["series", "ercot", str(tmp_path / "e.csv"), "--location", "HB_WEST", "--market", "dam",
                            *inst], standalone_mode=False)
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["series", "table", str(tmp_path / "t.csv"), "--tz", "America/Chicago", "--column",
                            "ci=carbon_kg_per_mwh", "--column", "chat=chat_mw", *inst, "--append"],
                      standalone_mode=False)
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["series", "tmy3", str(_tmy3(tmp_path / "w.tmy3")), *inst, "--append"])
    # the test TMY3 holds Feb 28 and Mar 1 only
    assert r.exit_code == 3 and "w.tmy3: the typical year has no row for 08-20" in r.output
    pd.DataFrame({"timestamp": pd.date_range("2024-08-20", periods=24, freq="h").strftime("%Y-%m-%d %H:%M"),
                  "t": 30.0}).to_csv(tmp_path / "temp.csv", index=False)
    r = runner.invoke(app, ["series", "table", str(tmp_path / "temp.csv"), "--tz", "America/Chicago", "--column",
                            "t=outdoor_temp_c", *inst, "--append"], standalone_mode=False)
    assert r.exit_code == 0, r.output
    written = pd.read_csv(site / "series.csv")
    # small.toml starts at 12:00 for 6 hours: HE13..HE18 = 130..180
    assert written["price_usd_per_mwh"].tolist() == [130.0, 140.0, 150.0, 160.0, 170.0, 180.0]
    solves_and_checks(site / "small.toml", tmp_path / "out")


def solves_and_checks(toml: Path, out: Path) -> None:
    """The instance validates, solves to optimality (gap 0), and its written schedule passes `energyopt check`."""
    result = eo.solve(eo.load_instance(toml), eo.SolveOptions(mip_rel_gap=0))
    assert result.status == eo.SolveStatus.OPTIMAL
    result.write(out)
    r = CliRunner().invoke(app, ["check", str(toml), str(out)], standalone_mode=False)
    assert r.exit_code == 0, r.output


def test_cli_series_gap_exits_3_and_writes_nothing(tmp_path):
    f = _ercot_wide(tmp_path / "e.csv", "2024-08-20", [h for h in range(1, 25) if h != 7])
    out = tmp_path / "s.csv"
    args = ["series", "ercot", str(f), "--location", "HB_WEST", "--market", "dam", "--start", "2024-08-20T00:00",
            "--days", "1", "--tz", "America/Chicago", "--out", str(out)]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 3 and "2024-08-20T06:00:00-05:00" in r.output and not out.exists()
    r = CliRunner().invoke(app, args + ["--fill", "interpolate"])
    assert r.exit_code == 0 and "repair" in r.output and out.exists()
