"""Instances from pandas (eo.from_frames) and back to files (eo.to_files).

The reference is the same instance read from its files (instances/small): a frame must give the same series and the
same optimum, and a frame's faults the loader's messages with the column and the time instead of a file's row."""
from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import BaseModel

import energyopt as eo
from energyopt.inputs.schema import SeriesInput

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "instances" / "small" / "small.toml"
EXACT = eo.SolveOptions(mip_rel_gap=0, time_limit_s=60)


def _config() -> dict:
    return tomllib.loads(SMALL.read_text())


def _frame() -> pd.DataFrame:
    """instances/small/series.csv as a tz-aware frame (its timestamps carry -05:00)."""
    f = pd.read_csv(SMALL.parent / "series.csv")
    return f.set_index(pd.DatetimeIndex(pd.to_datetime(f.pop("timestamp"))).tz_convert("America/Chicago"))


def _problems(exc: pytest.ExceptionInfo) -> str:
    return "\n".join(str(p) for p in exc.value.problems)


@pytest.fixture(scope="module")
def files_objective():
    return eo.solve(eo.load_instance(SMALL), EXACT).summary["objective_usd"]


def test_frame_gives_the_files_instance_and_optimum(files_objective):
    inst = eo.from_frames(_config(), _frame())
    ref = eo.load_instance(SMALL)
    assert inst.grid.price_usd_per_mwh.values == pytest.approx(ref.grid.price_usd_per_mwh.values, rel=0)
    assert inst.inference[0].demand_mw.values == pytest.approx([2.0, 2.2, 2.4, 2.5, 2.5, 2.3], rel=0)
    assert inst.time.n_steps == 6 and inst.source is None
    assert eo.solve(inst, EXACT).summary["objective_usd"] == pytest.approx(files_objective, rel=1e-6)
    utc = eo.from_frames(_config(), _frame().tz_convert("UTC"))   # any timezone: the instants count
    assert utc.grid.price_usd_per_mwh.values == pytest.approx(ref.grid.price_usd_per_mwh.values, rel=0)


def test_to_files_round_trip_validates_and_solves_the_same(tmp_path, files_objective):
    inst = eo.from_frames(_config(), _frame())
    path = eo.to_files(inst, tmp_path / "out")
    assert path == tmp_path / "out" / "small.toml" and (tmp_path / "out" / "series.csv").is_file()
    back = eo.load_instance(path)
    for a, b in ((inst.grid.price_usd_per_mwh, back.grid.price_usd_per_mwh),
                 (inst.cooling.outdoor_temp_c, back.cooling.outdoor_temp_c),
                 (inst.inference[0].demand_mw, back.inference[0].demand_mw)):
        assert b.values == pytest.approx(a.values, rel=1e-15)
    assert back.notices[0].start == inst.notices[0].start and back.time.start == inst.time.start
    assert eo.solve(back, EXACT).summary["objective_usd"] == pytest.approx(files_objective, rel=1e-6)
    with pytest.raises(eo.EnergyoptError, match="not an empty folder"):   # never written over
        eo.to_files(inst, tmp_path / "out")


def test_to_files_keeps_converted_penalties_and_scaled_series(tmp_path):
    cfg = _config()
    cfg["grid"]["price_usd_per_mwh"] = {"file": "series.csv", "scale": 2.0}
    svc = cfg["inference"][0]
    del svc["shed_penalty_usd_per_mwh"]
    svc.update(shed_penalty_usd_per_m_tokens=1.0, tokens_per_mwh=2e9)   # $1/Mtok x 2e9 tok/MWh = $2,000/MWh
    inst = eo.from_frames(cfg, _frame())
    assert inst.grid.price_usd_per_mwh.values[0] == 70.0 and inst.inference[0].shed_penalty_usd_per_mwh == 2000.0
    back = eo.load_instance(eo.to_files(inst, tmp_path / "o"))
    assert back.grid.price_usd_per_mwh.values == pytest.approx(inst.grid.price_usd_per_mwh.values, rel=0)
    assert back.inference[0].shed_penalty_usd_per_mwh == 2000.0


def test_series_in_the_config_and_column_only_shortcut():
    f = _frame()
    cfg = _config()
    cfg["grid"]["price_usd_per_mwh"] = f["price_usd_per_mwh"] * 2   # a Series in place of the value
    cfg["inference"][0]["demand_mw"] = {"column": "chat_mw"}        # the one DataFrame, without `file`
    cfg["site"]["it_load_mw"] = np.float64(6.0)                     # NumPy scalars read as numbers
    cfg["horizon"]["hours"] = np.int64(6)
    inst = eo.from_frames(cfg, f)
    assert inst.grid.price_usd_per_mwh.values[:2] == pytest.approx([70.0, 84.0], rel=0)
    assert inst.inference[0].demand_mw.values[0] == 2.0


def test_faults_name_the_column_and_the_time():
    f = _frame()
    f.loc[f.index[2], "chat_mw"] = np.nan
    f.loc[f.index[4], "price_usd_per_mwh"] = 99999.0     # above the allowed 10,000
    with pytest.raises(eo.InstanceError) as exc:
        eo.from_frames(_config(), f)
    text = _problems(exc)
    assert "inference[0] (chat).demand_mw (the series DataFrame, at 2025-07-15T14:00:00-05:00): column 'chat_mw' " \
           "has a missing or non-numeric value" in text
    assert "grid.price_usd_per_mwh (the series DataFrame, at 2025-07-15T16:00:00-05:00): value 99999 in column " \
           "'price_usd_per_mwh' is outside the allowed range" in text
    assert "row " not in text   # no file row: "(1 such rows)" counts them


def test_frame_faults_of_times_and_columns():
    f = _frame()
    dup = pd.concat([f.iloc[:3], f.iloc[2:]])          # 14:00 twice
    with pytest.raises(eo.InstanceError) as exc:
        eo.from_frames(_config(), dup)
    assert "at 2025-07-15T14:00:00-05:00): duplicate timestamp" in _problems(exc)
    with pytest.raises(eo.InstanceError) as exc:
        eo.from_frames(_config(), f.iloc[:4])              # ends at 16:00, the horizon at 18:00
    assert "series too short" in _problems(exc) and "2025-07-15 18:00:00-05:00" in _problems(exc)
    with pytest.raises(eo.InstanceError) as exc:
        eo.from_frames(_config(), f.drop(columns="chat_mw"))
    assert "inference[0] (chat).demand_mw (the series DataFrame): no column 'chat_mw'" in _problems(exc)
    cfg = _config()
    cfg["grid"]["price_usd_per_mwh"] = f["price_usd_per_mwh"].iloc[1:]
    with pytest.raises(eo.InstanceError) as exc:
        eo.from_frames(cfg, f)
    assert "grid.price_usd_per_mwh (the Series at grid.price_usd_per_mwh): series too short" in _problems(exc)


def test_timezone_naive_frame_is_refused():
    f = _frame().tz_localize(None)
    with pytest.raises(eo.InstanceError) as exc:
        eo.from_frames(_config(), f)
    assert "series (the series DataFrame): its index has no timezone" in _problems(exc)
    g = _frame().reset_index(names="timestamp")
    g["timestamp"] = g["timestamp"].dt.tz_localize(None)
    with pytest.raises(eo.InstanceError, match="its 'timestamp' column has no timezone"):
        eo.from_frames(_config(), g)
    with pytest.raises(eo.InstanceError, match="holds no times"):
        eo.from_frames(_config(), _frame().reset_index(drop=True))
    with pytest.raises(eo.InstanceError, match="expected a dict shaped as the instance TOML"):
        eo.from_frames([_config()], _frame())


def test_toml_path_config_with_named_frames(tmp_path):
    (tmp_path / "s.toml").write_text(SMALL.read_text().replace('"series.csv"', '"prices"'))
    inst = eo.from_frames(tmp_path / "s.toml", {"prices": _frame()})
    assert inst.grid.carbon_kg_per_mwh.values[0] == 420.0 and inst.source == tmp_path / "s.toml"
    with pytest.raises(eo.InstanceError) as exc:   # another key: read as a file beside the TOML, which is absent
        eo.from_frames(tmp_path / "s.toml", {"other": _frame()})
    assert "file 'prices' does not exist" in _problems(exc)


def test_the_python_api_page_runs_as_written(tmp_path, monkeypatch, capsys):
    """docs/python-api.md's first two examples (the third needs the shared data), run in an empty folder."""
    import re
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "python-api.md").read_text(), re.S)
    monkeypatch.chdir(tmp_path)
    exec(compile(blocks[0] + blocks[1], "docs/python-api.md", "exec"), {})
    out = capsys.readouterr().out
    assert "(the series DataFrame, at 2025-07-15T14:00:00-05:00): column 'chat_mw' has a missing" in out
    assert "[35.0, 35.0, 35.0, 35.0, 42.0]" in out
    assert (tmp_path / "out" / "pandas-site" / "pandas-site.toml").is_file()


def _fields(obj, out: dict, where: str = "") -> dict:
    """Every field of an instance, series as their values on the steps (how they are given aside)."""
    for name in type(obj).model_fields:
        v = getattr(obj, name)
        key = f"{where}.{name}"
        if isinstance(v, SeriesInput):
            out[key] = v.values.tolist()
        elif isinstance(v, BaseModel):
            _fields(v, out, key)
        elif isinstance(v, list) and v and isinstance(v[0], BaseModel):
            for i, x in enumerate(v):
                _fields(x, out, f"{key}[{i}]")
        else:
            out[key] = v
    return out


def test_to_files_round_trip_of_the_texas_example_keeps_every_field(tmp_path):
    inst = eo.load_instance(ROOT / "instances" / "texas_summer_day" / "texas_summer_day.toml")
    back = eo.load_instance(eo.to_files(inst, tmp_path / "tx"))
    assert _fields(back, {}) == _fields(inst, {})
    frame = eo.from_frames(tmp_path / "tx" / "texas_summer_day.toml")   # a TOML path and no frames: the files
    assert _fields(frame, {}) == _fields(inst, {})
