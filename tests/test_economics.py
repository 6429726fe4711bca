"""Economics in the business's own units: tokens and GPU-hours, penalties given in them and converted, and the
summary's energy cost per million tokens / per GPU-hour, margin and value (hand-derived in comments)."""
from __future__ import annotations

import json

import pytest

import energyopt as eo
from energyopt import InstanceError, load_instance
from energyopt.check import check_result, instance_for
from energyopt.results.outputs import undeclared_keys

try:
    from .helpers import base, solve_dict
except ImportError:
    from helpers import base, solve_dict


def approx(x):
    return pytest.approx(x, rel=1e-6, abs=1e-9)


def full_power_job(**kw):
    return {"id": "J1", "power_mw": 10.0, "work_mwh": 10.0, "min_power_fraction": 1.0,
            "throughput_curve": [[1.0, 1.0]], **kw}


def chat(**kw):
    return {"id": "chat", "demand_mw": 10.0, "min_served_fraction": 1.0, **kw}


def checked(r, tmp_path, name="out"):
    out = tmp_path / name
    r.write(out)
    written = json.loads((out / "summary.json").read_text())
    assert check_result(instance_for(out / written["instance_file"], written), out) == []
    return written


def test_energy_cost_per_token_and_per_gpu_hour_by_it_share_per_step(tmp_path):
    # 2 hourly steps at $20 and $80; fixed IT 10 MW; chat serves 10 MW always; J1 (10 MW, 10 MWh, full power
    # only) runs in the $20 hour. Import: 30 MW then 20 MW; cost 600 + 1,600 = 2,200 (the optimum).
    # Attribution by IT share per step: chat 600 x 10/30 + 1,600 x 10/20 = 200 + 800 = 1,000; J1 600 x 10/30 = 200.
    # (A horizon average by MWh would give chat 2,200 x 20/50 = 880: the per-step share differs.)
    # Chat: 1,000 tok/s per MW = 3.6e6 tok/MWh; 20 MWh served = 72 Mtok; energy 1,000 / 72 = $13.8889/Mtok;
    # revenue $20/Mtok -> 1,440; margin 440 = 72 x (20 - 13.8889) = $6.1111/Mtok.
    # J1: 800 GPUs/MW x 10 MWh = 8,000 GPU-h; energy 200 / 8,000 = $0.025/GPU-h; value $2/GPU-h -> 16,000,
    # i.e. 80 per $ of energy, and $1,600 per MWh of work (2 x 800).
    inst, series = base(2, [20.0, 80.0], it_load_mw=10.0)
    inst["inference"] = [chat(shed_penalty_usd_per_mwh=1000.0, tokens_per_s_at_full_mw=1000.0,
                              revenue_usd_per_m_tokens=20.0)]
    inst["training_jobs"] = [full_power_job(gpus_per_mw=800.0, value_usd_per_gpu_hour=2.0)]
    r = solve_dict(tmp_path / "inst", inst, series)
    assert r.objective_usd == approx(2_200.0)
    ec = r.summary["economics"]
    assert ec["attribution"] == "it_share_per_step"
    assert ec["site_energy_cost_usd"] == approx(2_200.0) and ec["it_energy_usd_per_mwh"] == approx(2_200.0 / 50.0)
    c = ec["inference"]["chat"]
    assert c["energy_cost_usd"] == approx(1_000.0)
    assert c["tokens_per_mwh"] == approx(3.6e6) and c["tokens_served_m"] == approx(72.0) and c["tokens_shed_m"] == 0
    assert c["energy_usd_per_m_tokens"] == approx(1_000.0 / 72.0)
    assert c["revenue_usd"] == approx(1_440.0) and c["margin_usd"] == approx(440.0)
    assert c["margin_usd_per_m_tokens"] == approx(20.0 - 1_000.0 / 72.0)
    assert c["shed_penalty_usd_per_m_tokens"] == approx(1000.0 * 1e6 / 3.6e6)
    j = ec["jobs"]["J1"]
    assert j["energy_cost_usd"] == approx(200.0) and j["gpu_hours_done"] == approx(8_000.0)
    assert j["energy_usd_per_gpu_hour"] == approx(0.025) and j["value_usd"] == approx(16_000.0)
    assert j["value_per_energy_usd"] == approx(80.0) and j["value_usd_per_mwh_of_work"] == approx(1_600.0)
    written = checked(r, tmp_path)
    assert undeclared_keys(written) == []
    from energyopt.results.text import render
    text = render(r)
    assert "72.0 Mtok served" in text and "8,000 GPU-h" in text and "80.00 per $ of energy" in text


def test_gensets_energy_is_spread_by_their_output(tmp_path):
    # 1 step at $100, fixed IT 0, chat 10 MW; an economic genset G1 (10 MW, no no-load fuel, 5 gal/MWh at $10/gal
    # = $50/MWh, $100 start) beats the grid: fuel 500 + start 100 = 600, all of it chat's (it is the only IT).
    inst, series = base(1, [100.0])
    inst["inference"] = [chat(shed_penalty_usd_per_mwh=1000.0, tokens_per_mwh=1e9)]
    inst["generators"] = [{"id": "G1", "capacity_mw": 10.0, "min_load_fraction": 0.0,
                           "fuel_noload_gal_per_h_per_mw": 0.0, "fuel_slope_gal_per_mwh": 5.0,
                           "fuel_price_usd_per_gal": 10.0, "startup_cost_usd": 100.0, "run_hours_left": 10.0,
                           "dispatch": "economic"}]
    r = solve_dict(tmp_path / "inst", inst, series)
    assert r.objective_usd == approx(600.0)
    c = r.summary["economics"]["inference"]["chat"]
    assert c["energy_cost_usd"] == approx(600.0) and c["energy_usd_per_m_tokens"] == approx(600.0 / 10_000.0)


@pytest.mark.parametrize("price, cost, shed_mwh", [
    # Penalty $500/Mtok x 2e6 tok/MWh / 1e6 = $1,000/MWh. Hour 0 at $100: serve. Hour 1 at $800 (< 1,000):
    # serve: 10 x 100 + 10 x 800 = 9,000 (read as $500/MWh it would shed half: 1,000 + 4,000 + 2,500 = 7,500).
    (800.0, 9_000.0, 0.0),
    # Hour 1 at $1,500 (> 1,000): shed the 5 MW allowed: 1,000 + 5 x 1,500 + 5 x 1,000 = 13,500; 10 Mtok shed.
    (1_500.0, 13_500.0, 5.0),
])
def test_shed_penalty_per_million_tokens_is_converted(tmp_path, price, cost, shed_mwh):
    inst, series = base(2, [100.0, price])
    inst["inference"] = [chat(min_served_fraction=0.5, tokens_per_mwh=2e6, shed_penalty_usd_per_m_tokens=500.0)]
    r = solve_dict(tmp_path / "inst", inst, series)
    assert r.objective_usd == approx(cost)
    assert r.summary["inference_shed_mwh"] == approx(shed_mwh)
    assert r.summary["economics"]["inference"]["chat"]["tokens_shed_m"] == approx(shed_mwh * 2.0)
    assert r.summary["cost_breakdown_usd"]["inference_shed"] == approx(shed_mwh * 1_000.0)
    checked(r, tmp_path)


@pytest.mark.parametrize("per_gpu_h, cost, unfinished", [
    # 800 GPUs/MW: $0.5/GPU-h = $400/MWh of work < $500 grid: leave the 10 MWh undone, 4,000
    # (read as $0.5/MWh it would cost 5).
    (0.5, 4_000.0, 10.0),
    # $1/GPU-h = $800/MWh > $500: run it, 10 x 500 = 5,000.
    (1.0, 5_000.0, 0.0),
])
def test_unfinished_penalty_per_gpu_hour_is_converted(tmp_path, per_gpu_h, cost, unfinished):
    inst, series = base(1, [500.0])
    inst["training_jobs"] = [full_power_job(gpus_per_mw=800.0, unfinished_penalty_usd_per_gpu_hour=per_gpu_h)]
    r = solve_dict(tmp_path / "inst", inst, series)
    assert r.objective_usd == approx(cost)
    assert r.summary["jobs"]["J1"]["unfinished_mwh"] == approx(unfinished)
    checked(r, tmp_path)


def test_no_economics_field_no_economics_entry(tmp_path):
    inst, series = base(1, [50.0], it_load_mw=1.0)
    inst["inference"] = [chat(shed_penalty_usd_per_mwh=10.0)]
    r = solve_dict(tmp_path / "inst", inst, series)
    assert "economics" not in r.summary


def test_texas_summer_day_keeps_its_optimum():
    r = eo.solve("instances/texas_summer_day/texas_summer_day.toml", eo.SolveOptions(mip_rel_gap=0))
    assert "economics" not in r.summary
    assert r.objective_usd == approx(107_074.57213830636)


def test_report_shows_the_economics(tmp_path):
    from energyopt.report import write_report
    inst, series = base(2, [20.0, 80.0], it_load_mw=10.0)
    inst["inference"] = [chat(shed_penalty_usd_per_mwh=1000.0, tokens_per_s_at_full_mw=1000.0,
                              revenue_usd_per_m_tokens=20.0)]
    inst["training_jobs"] = [full_power_job(gpus_per_mw=800.0, value_usd_per_gpu_hour=2.0)]
    r = solve_dict(tmp_path / "inst", inst, series)
    out = tmp_path / "out"
    r.write(out)
    page = write_report(out).read_text()
    assert "<h3>Economics</h3>" in page and "13.8889" in page and "6.1111" in page and "80.00" in page


# -- bad input ------------------------------------------------------------------------------------------

CHAT = "inference[0] (chat)"
JOB = "training_jobs[0] (J1)"


def problems_of(path):
    with pytest.raises(InstanceError) as info:
        load_instance(path)
    return info.value.problems


@pytest.mark.parametrize("old, new, field, words", [
    ("shed_penalty_usd_per_mwh = 2000.0", "shed_penalty_usd_per_mwh = 2000.0\ntokens_per_mwh = 1e9\n"
     "tokens_per_s_at_full_mw = 1e5", CHAT, "`tokens_per_mwh` or `tokens_per_s_at_full_mw`, not both"),
    ("shed_penalty_usd_per_mwh = 2000.0", "shed_penalty_usd_per_mwh = 2000.0\ntokens_per_mwh = 1e9\n"
     "shed_penalty_usd_per_m_tokens = 1.0", CHAT, "`shed_penalty_usd_per_mwh` or `shed_penalty_usd_per_m_tokens`, "
     "not both"),
    ("shed_penalty_usd_per_mwh = 2000.0", "shed_penalty_usd_per_m_tokens = 1.0", CHAT,
     "`shed_penalty_usd_per_m_tokens` needs `tokens_per_mwh` or `tokens_per_s_at_full_mw`"),
    ("shed_penalty_usd_per_mwh = 2000.0", "", CHAT, "give `shed_penalty_usd_per_mwh` or"),
    ("shed_penalty_usd_per_mwh = 2000.0", "shed_penalty_usd_per_mwh = 2000.0\nrevenue_usd_per_m_tokens = 2.0", CHAT,
     "`revenue_usd_per_m_tokens` needs"),
    ("shed_penalty_usd_per_mwh = 2000.0", "shed_penalty_usd_per_mwh = 2000.0\ntokens_per_mwh = -1.0",
     f"{CHAT}.tokens_per_mwh", "greater than 0"),
    ("shed_penalty_usd_per_mwh = 2000.0", "shed_penalty_usd_per_mwh = 2000.0\ntokens_per_s_at_full_mw = \"9\"",
     f"{CHAT}.tokens_per_s_at_full_mw", "number"),
    ("shed_penalty_usd_per_mwh = 2000.0", "shed_penalty_usd_per_mwh = 2000.0\nrevenue_usd_per_m_tokens = -2.0",
     f"{CHAT}.revenue_usd_per_m_tokens", "greater than or equal to 0"),
    ("shed_penalty_usd_per_mwh = 2000.0", "shed_penalty_usd_per_m_tokens = -1.0\ntokens_per_mwh = 1e9",
     f"{CHAT}.shed_penalty_usd_per_m_tokens", "greater than or equal to 0"),
    ("work_mwh = 18.0", "work_mwh = 18.0\nunfinished_penalty_usd_per_gpu_hour = 2.0", JOB,
     "`unfinished_penalty_usd_per_gpu_hour` needs `gpus_per_mw`"),
    ("work_mwh = 18.0", "work_mwh = 18.0\nunfinished_penalty_usd_per_gpu_hour = 2.0\ngpus_per_mw = 833.0\n"
     "unfinished_penalty_usd_per_mwh = 100.0", JOB, "not both"),
    ("work_mwh = 18.0", "work_mwh = 18.0\nvalue_usd_per_gpu_hour = 2.0", JOB, "`value_usd_per_gpu_hour` needs"),
    ("work_mwh = 18.0", "work_mwh = 18.0\ngpus_per_mw = 0.0", f"{JOB}.gpus_per_mw", "greater than 0"),
    ("work_mwh = 18.0", "work_mwh = 18.0\nvalue_usd_per_gpu_hour = -1.0\ngpus_per_mw = 800.0",
     f"{JOB}.value_usd_per_gpu_hour", "greater than or equal to 0"),
    ("work_mwh = 18.0", "work_mwh = 18.0\nunfinished_penalty_usd_per_gpu_hour = 5000.0\ngpus_per_mw = 800.0",
     f"{JOB}.unfinished_penalty_usd_per_gpu_hour", "less than or equal to 1000"),
])
def test_bad_economics_input_is_refused_naming_the_field(small, old, new, field, words):
    small.replace(old, new)
    problems = problems_of(small.toml)
    hits = [p for p in problems if p.field == field]
    assert len(hits) == 1, problems
    assert words in hits[0].message, hits[0].message
    assert hits[0].file == "small.toml"
