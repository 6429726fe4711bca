"""`energyopt init`: a ready instance folder from flags, on small files written here (always) and on the shared real
data (the README's quick start; skipped where ../shared/data is absent).

Expected figures are derived by hand in the comments from the flags and energyopt/ops/init.py's documented shares:
IT = 70% of --site-mw, of it 10% fixed and 30% inference's peak, overhead 3% of IT, cooling IT / 0.77."""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import energyopt as eo
from energyopt.cli import app

from .realdata import data_dir

ROOT = Path(__file__).resolve().parent.parent


def _ercot(path: Path, day: str = "2024-08-20") -> Path:
    """The wide hub file's layout: HB_WEST day-ahead price = 10 x hour ending."""
    rows = [f"{day},{h},{10.0 * h},{-1.0}" for h in range(1, 25)]
    path.write_text("delivery_date,hour_ending,HB_WEST_DAM,HB_WEST_RTM\n" + "\n".join(rows) + "\n")
    return path


def _tmy3(path: Path) -> Path:
    """Aug 19-20 of a TMY3 file (station standard time, UTC-6, rows stamped at each hour's end): dry-bulb = hour."""
    head = '722660,"TEST SITE",TX,-6.0,32.470,-99.710,530\n'
    cols = "Date (MM/DD/YYYY),Time (HH:MM),GHI (W/m^2),Dry-bulb (C),Wspd (m/s)\n"
    rows = [f"{d},{h:02d}:00,{100 * max(0, 6 - abs(h - 12))},{float(h)},2.0" for d in ("08/19/1991", "08/20/1991")
            for h in range(1, 25)]
    path.write_text(head + cols + "\n".join(rows) + "\n")
    return path


def _trace(path: Path) -> Path:
    """Three requests: 100 tokens in minute 0, 300 in minute 2 (the peak), 50 in minute 3."""
    path.write_text("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:00.1,60,40\n"
                    "2023-11-16 18:17:10,200,100\n2023-11-16 18:18:30,25,25\n")
    return path


def _flags(tmp_path: Path, **extra) -> list[str]:
    flags = {"--site-mw": "20", "--node": "HB_WEST", "--prices": str(_ercot(tmp_path / "prices.csv")),
             "--date": "2024-08-20", "--step": "60", "--weather": str(_tmy3(tmp_path / "w.tmy3")),
             "--gensets": "2", "--hours-left": "8", "--inference-trace": str(_trace(tmp_path / "trace.csv")),
             "--training-jobs": "1"} | extra
    return [x for k, v in flags.items() if v is not None for x in (k, v)]


def test_init_writes_an_instance_that_validates_solves_and_checks(tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["init", str(tmp_path / "site"), *_flags(tmp_path)])
    assert r.exit_code == 0, r.output
    toml = tmp_path / "site" / "site-2024-08-20.toml"
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["series.csv", "site-2024-08-20.toml"]
    raw = tomllib.loads(toml.read_text())
    assert raw["site"] == {"interconnection_mw": 20.0, "it_load_mw": 1.4, "overhead_mw": 0.42}   # 0.1 x 14, 0.03 x 14
    assert raw["cooling"]["rated_capacity_mw_th"] == pytest.approx(14 / 0.77, abs=1e-3)
    job = raw["training_jobs"][0]
    assert job["power_mw"] == pytest.approx(8.4) and job["work_mwh"] == pytest.approx(0.85 * 8.4 * 24)  # 14-1.4-4.2
    assert [g["run_hours_left"] for g in raw["generators"]] == [8.0, 8.0]
    assert "# --site-mw" in toml.read_text() and "figures.md, Economics" in toml.read_text()

    inst = eo.load_instance(toml)
    assert inst.grid.price_usd_per_mwh.values == pytest.approx(10.0 * np.arange(1, 25), rel=0)   # 10 x hour ending
    # 00:00 CDT is 23:00 CST of Aug 19: the hour stamped 08/19 24:00 (24 C); then 08/20's hours 01:00.. (1, 2, ...)
    assert inst.cooling.outdoor_temp_c.values == pytest.approx([24.0, *range(1, 24)], abs=1e-9)
    demand = inst.inference[0].demand_mw.values
    assert demand.max() == pytest.approx(0.3 * 14, rel=1e-9) and demand.min() > 0   # scaled to a 4.2 MW peak

    r = runner.invoke(app, ["validate", str(toml)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["solve", str(toml), "--out", str(tmp_path / "out"), "--mip-gap", "0"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["check", str(toml), str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    # the jobs' work is done and the site bought energy (the prices are positive)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["status"] == "optimal" and summary["cost_breakdown_usd"]["energy"] > 0


def test_init_without_weather_or_trace_uses_documented_constants(tmp_path):
    r = CliRunner().invoke(app, ["init", str(tmp_path / "s"), *_flags(tmp_path, **{"--weather": None,
                                 "--inference-trace": None, "--name": "plain"})])
    assert r.exit_code == 0, r.output
    inst = eo.load_instance(tmp_path / "s" / "plain.toml")
    assert inst.name == "plain" and set(inst.cooling.outdoor_temp_c.values) == {35.0}
    assert inst.inference[0].demand_mw.values == pytest.approx([0.7 * 4.2] * 24)   # 70% of the 4.2 MW peak


@pytest.mark.parametrize("extra, flag", [
    ({"--site-mw": "-5"}, "--site-mw"), ({"--date": "2024-02-30"}, "--date"), ({"--step": "30"}, "--step"),
    ({"--timezone": "Mars/Olympus"}, "--timezone"), ({"--gensets": "-1"}, "--gensets"),
    ({"--prices": "missing.csv"}, "--prices"), ({"--weather": "missing.tmy3"}, "--weather"),
    ({"--node": "HB_NOWHERE"}, "--prices"), ({"--date": "2024-08-21"}, "--prices"),   # no such node; no prices that day
    ({"--market": "hourly"}, "--market"), ({"--prices-format": "nyiso"}, "--prices-format"),
    ({"--notice": "19:00-15:00"}, "--notice"), ({"--notice": "15:00-19:00", "--notice-cut": "1.5"}, "--notice-cut"),
    ({"--carbon": "missing.csv"}, "--carbon"),
])
def test_bad_flags_exit_3_naming_the_flag_and_write_nothing(tmp_path, extra, flag):
    r = CliRunner().invoke(app, ["init", str(tmp_path / "site"), *_flags(tmp_path, **extra)])
    assert r.exit_code == 3, r.output
    assert flag in r.output and "Traceback" not in r.output
    assert not (tmp_path / "site").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]   # no temporary folder left


def _eia930(path: Path, year: int) -> Path:
    """EIA-930 layout (UTC hour starts, avg_CI in g/kWh): Aug 19-21 of ``year``, intensity = 300 + UTC hour."""
    times = [f"{year}-08-{d:02d} {h:02d}:00:00+00:00" for d in (19, 20, 21) for h in range(24)]
    path.write_text("timestamp,avg_CI\n" + "\n".join(f"{t},{300.0 + int(t[11:13])}" for t in times) + "\n")
    return path


def test_carbon_and_a_notice_the_gensets_meet(tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["init", str(tmp_path / "s"), *_flags(tmp_path, **{
        "--carbon": str(_eia930(tmp_path / "c.csv", 2024)), "--notice": "15:00-19:00", "--notice-cut": "0.5"})])
    assert r.exit_code == 0, r.output
    toml = tmp_path / "s" / "site-2024-08-20.toml"
    inst = eo.load_instance(toml)
    # step k starts at 00:00 CDT + k h = 05:00 UTC + k h: intensity 300 + (5 + k) mod 24
    assert inst.grid.carbon_kg_per_mwh.values == pytest.approx([300.0 + (5 + k) % 24 for k in range(24)], rel=0)
    (n,) = inst.notices
    assert n.import_cap_mw == pytest.approx(10.0) and n.issued.isoformat() == "2024-08-19T15:00:00-05:00"
    r = runner.invoke(app, ["solve", str(toml), "--out", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    assert runner.invoke(app, ["check", str(toml), str(tmp_path / "out")]).exit_code == 0
    # another year's table is laid on the date by month, day and hour in the site's timezone
    r = runner.invoke(app, ["init", str(tmp_path / "t"), *_flags(tmp_path, **{
        "--carbon": str(_eia930(tmp_path / "c22.csv", 2022))})])
    assert r.exit_code == 0, r.output
    toml = tmp_path / "t" / "site-2024-08-20.toml"
    assert "(EIA-930 average intensity, matched by month, day and hour)" in toml.read_text()
    # 2024-08-20 00:00 CDT is matched to 2022-08-20 00:00 CDT, 05:00 UTC: the same intensities as above
    assert eo.load_instance(toml).grid.carbon_kg_per_mwh.values == pytest.approx(
        [300.0 + (5 + k) % 24 for k in range(24)], rel=0)


def test_refuses_a_non_empty_folder_unless_force(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "mine.txt").write_text("keep")
    runner = CliRunner()
    r = runner.invoke(app, ["init", str(tmp_path / "site"), *_flags(tmp_path)])
    assert r.exit_code == 3 and "is not empty" in r.output and "--force" in r.output
    assert (tmp_path / "site" / "mine.txt").read_text() == "keep"
    r = runner.invoke(app, ["init", str(tmp_path / "site"), *_flags(tmp_path), "--force"])
    assert r.exit_code == 0, r.output
    assert not (tmp_path / "site" / "mine.txt").exists() and (tmp_path / "site" / "series.csv").is_file()


def test_a_failed_write_leaves_the_previous_folder_and_no_temporary_one(tmp_path, monkeypatch):
    import energyopt.importers as importers
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "mine.txt").write_text("keep")

    def broken(frame, path, parquet=False):
        Path(path).write_text("half")
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(importers, "write_series", broken)
    r = CliRunner().invoke(app, ["init", str(tmp_path / "site"), *_flags(tmp_path), "--force"])
    assert r.exit_code == 3 and "DIR: cannot write" in r.output and "No space left" in r.output, r.output
    assert [p.name for p in (tmp_path / "site").iterdir()] == ["mine.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_gap_in_the_prices_is_refused_unless_filled(tmp_path):
    prices = _ercot(tmp_path / "p.csv")
    lines = prices.read_text().splitlines()
    prices.write_text("\n".join(lines[:10] + lines[11:]) + "\n")   # hour ending 10 (09:00-10:00) missing
    runner = CliRunner()
    r = runner.invoke(app, ["init", str(tmp_path / "a"), *_flags(tmp_path, **{"--prices": str(prices)})])
    assert r.exit_code == 3 and "--prices" in r.output and "2024-08-20T09:00:00-05:00" in r.output, r.output
    r = runner.invoke(app, ["init", str(tmp_path / "b"), *_flags(tmp_path, **{"--prices": str(prices)}),
                            "--fill", "interpolate"])
    assert r.exit_code == 0, r.output
    price = eo.load_instance(tmp_path / "b" / "site-2024-08-20.toml").grid.price_usd_per_mwh.values
    assert price[9] == pytest.approx(100.0)   # between 90 (hour ending 9) and 110 (hour ending 11)


D = data_dir()


def _quick_start() -> list[list[str]]:
    """The README's operator quick start: the commands of its first code block, each as its arguments."""
    import re
    import shlex
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Operator quick start.*?```\n(.*?)```", text, re.S).group(1)
    lines = [shlex.split(line.split("  #")[0]) for line in block.replace("\\\n", " ").splitlines() if line.strip()]
    assert [line[:2] for line in lines] == [["energyopt", "init"], ["energyopt", "solve"], ["energyopt", "report"]]
    return [line[1:] for line in lines]


@pytest.mark.slow
@pytest.mark.skipif(D is None, reason="the real data folder ../shared/data is absent")
def test_quick_start_on_the_real_data(tmp_path, monkeypatch):
    """The README's three commands as written (with ../shared/data where the data is): init from ERCOT HB_WEST
    2024-08-20, Abilene's TMY3 and the Azure trace; solve; report. Its fast sibling is the first test."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for args in _quick_start():
        r = runner.invoke(app, [a.replace("../shared/data", str(D)) for a in args])
        assert r.exit_code == 0, r.output
    toml = tmp_path / "site" / "site-2024-08-20.toml"
    inst = eo.load_instance(toml)
    assert inst.time.n_steps == 96 and inst.inference[0].demand_mw.values.max() == pytest.approx(31.5)
    assert len(inst.generators) == 4 and inst.generators[0].run_hours_left == 50.0
    assert runner.invoke(app, ["check", str(toml), "out/site"]).exit_code == 0
    assert (tmp_path / "out" / "site" / "report.html").is_file()


def _caiso(path: Path) -> Path:
    """OASIS layout, 5-minute UTC intervals of 2025-08-15 PDT: SP15's LMP = minutes since 07:00 UTC / 5
    (k = 0, 1, ...), another node at 1000 + k and a congestion component that must be left out."""
    t = pd.date_range("2025-08-15T07:00Z", periods=288, freq="5min")
    rows = [{"INTERVALSTARTTIME_GMT": s.strftime("%Y-%m-%dT%H:%M:%S-00:00"), "NODE": node, "LMP_TYPE": kind,
             "MW": value} for k, s in enumerate(t)
            for node, kind, value in (("TH_SP15_GEN-APND", "LMP", float(k)), ("TH_NP15_GEN-APND", "LMP", 1000.0 + k),
                                      ("TH_SP15_GEN-APND", "MCC", -5.0))]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("fmt", ["caiso", "gridstatus", "table"])
def test_other_price_formats_take_the_node(tmp_path, fmt):
    hours = pd.date_range("2025-08-15T00:00", periods=24, freq="h", tz="America/Los_Angeles")
    if fmt == "caiso":
        prices, node = _caiso(tmp_path / "p.csv"), "TH_SP15_GEN-APND"
        # hour h averages k = 12h .. 12h + 11: 12h + 5.5
        expected = [12.0 * h + 5.5 for h in range(24)]
    elif fmt == "gridstatus":
        node = "SP15"
        frame = pd.DataFrame({"Interval Start": list(hours) * 2, "Location": ["SP15"] * 24 + ["NP15"] * 24,
                              "LMP": [float(h) for h in range(24)] + [999.0] * 24})
        prices = tmp_path / "p.csv"
        frame.to_csv(prices, index=False)
        expected = [float(h) for h in range(24)]
    else:
        node = "sp15_usd"   # a table: --node names its price column
        prices = tmp_path / "p.csv"
        pd.DataFrame({"timestamp": [t.isoformat() for t in hours], "sp15_usd": [2.0 * h for h in range(24)],
                      "other": 7.0}).to_csv(prices, index=False)
        expected = [2.0 * h for h in range(24)]
    r = CliRunner().invoke(app, ["init", str(tmp_path / "s"), "--site-mw", "20", "--prices", str(prices),
                                 "--prices-format", fmt, "--node", node, "--date", "2025-08-15", "--step", "60",
                                 "--timezone", "America/Los_Angeles", "--training-jobs", "1"])
    assert r.exit_code == 0, r.output
    inst = eo.load_instance(tmp_path / "s" / "site-2025-08-15.toml")
    assert inst.grid.price_usd_per_mwh.values == pytest.approx(expected, rel=1e-12)
