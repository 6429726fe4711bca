"""The plan report's new parts (energyopt/report/planbau.py, plandays.py) and the batch report's heatmaps and
labels (batchmaps.py), checked against the files they draw from.

The plan is tests/test_plan_days.py's (a twelfth of a year, two scenarios, no gensets bought, a job the
July 1 notice starves). plan.json's keys of the other parts of issue 14 (business_as_usual, lifecycle,
demand_response, full_year_evaluation) are written here by hand in the shape docs/plan.md gives them, so the
page is checked against figures known in advance; a plan.json without them (today's) must still report.
"""
from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

from energyopt.report import write_report
from energyopt.report.batchmaps import cells, short_labels
from energyopt.report.build import batch_charts
from energyopt.report.cli import report_command
from energyopt.report.plan import plan_charts
from energyopt.report.reader import read_folder, read_plan

try:
    from . import test_plan_days as days_tests, test_report as report_tests
except ImportError:
    import test_plan_days as days_tests
    import test_report as report_tests

planned = days_tests.planned          # fixtures shared with those files
batch_dir = report_tests.batch_dir

BAU = {"status": "optimal", "feasible": False, "why": "the site as it stands cannot meet notice A1",
       "annual_cost_usd": {"capex_and_fixed_om": {}, "operations": 12_000_000.0, "total": 12_000_000.0},
       "cost_by_term_usd_per_year": {"energy": 9_000_000.0, "notice_overrun": 3_000_000.0},
       "scenarios": [{"scenario": "s0", "notices_met": 0, "notices_missed": 1},
                     {"scenario": "s1", "notices_met": 2, "notices_missed": 0}]}
LIFE = {"analysis_years": 20, "discount_rate": 0.07, "upfront_capex_usd": 1_500_000.0,
        "annual_savings_usd": 300_000.0, "npv_usd": 1_678_204.4, "simple_payback_years": 5.0, "irr": 0.1943,
        "cash_flows_usd": [-1_500_000.0] + [300_000.0] * 20}
DR = {"program": "ERS", "offered_mw": 4.0, "capacity_revenue_usd_per_year": 100_000.0,
      "event_revenue_usd_per_year": 20_000.0, "missed_notice_penalty_usd_per_year": 0.0}


def with_keys(src, dst, **keys):
    shutil.copytree(src, dst)
    plan = json.loads((dst / "plan.json").read_text())
    plan.update(keys)
    (dst / "plan.json").write_text(json.dumps(plan))
    return dst


def test_business_as_usual_cards_and_chart_come_from_plan_json(planned, tmp_path):
    _, run, out = planned
    folder = with_keys(out, tmp_path / "plan", business_as_usual=BAU, lifecycle=LIFE, demand_response=DR)
    data = read_plan(folder)
    charts = {c.key: c.figure for c in plan_charts(data)}
    assert list(charts) == ["plan_bau", "plan_cost", "plan_event_days", "plan_hours"]   # no capex: none bought
    bau, design = charts["plan_bau"].data
    assert bau.name == "business as usual" and design.name == "design"
    got = dict(zip(bau.x, bau.y))
    assert got["capex and fixed O&M"] == 0 and got["energy"] == 9_000_000 and got["notice overrun"] == 3_000_000
    rows = run.summary["scenarios"]   # the design's terms: the mean over its two scenarios
    mine = dict(zip(design.x, design.y))
    assert mine["energy"] == pytest.approx(sum(r["cost.energy_usd_per_year"] for r in rows) / 2)
    assert mine["inference shed"] == pytest.approx(sum(r["cost.inference_shed_usd_per_year"] for r in rows) / 2)
    page = write_report(folder).read_text()
    cards = dict(re.findall(r'<div class="k">([^<]*)</div><div class="v">([^<]*)</div>', page))
    total = run.summary["annual_cost_usd"]["total"]
    assert cards["business as usual per year"] == "$12,000,000"
    assert cards["design saves per year"] == f"${12_000_000 - total:,.0f}"
    assert cards["NPV over 20 yr at 7.0%"] == "$1,678,204" and cards["simple payback"] == "5.0 years"
    assert cards["IRR"] == "19.4%" and cards["upfront capex"] == "$1,500,000"
    assert cards["business as usual: notices missed"] == "1 of 3"
    assert cards["demand response revenue per year"] == "$120,000"
    flags = re.findall(r'<p class="flag">([^<]*)</p>', page)
    assert any("Business as usual, scenario s0: 1 notice(s) missed" in f for f in flags)
    assert any(f.startswith("Scenario s0: job train is late, 48.0 MWh a year unfinished") and "notice A1" in f
               for f in flags)
    # the scenarios table scrolls sideways inside its own box
    assert re.search(r'<div class="tablewrap scenarios"><table[^>]*id="scenario-table"', page)


def test_the_event_day_chart_draws_event_days_csv(planned):
    _, _, out = planned
    days = pd.read_csv(out / "event_days.csv")
    fig = {c.key: c.figure for c in plan_charts(read_plan(out))}["plan_event_days"]
    for k, s in enumerate(["s0", "s1"]):
        axis = "y" if k == 0 else f"y{k + 1}"
        d = days[days["scenario"] == s]
        traces = {t.name: t for t in fig.data if (t.yaxis or "y") == axis}
        # each line is the day's steps plus the end of its last step
        assert list(traces["grid import"].y) == pytest.approx(list(d["grid_import_mw"]) + [d["grid_import_mw"].iloc[-1]])
        assert list(traces["import cap"].y)[:-1] == pytest.approx(list(d["import_cap_mw"]))
        assert list(traces["facility load"].y)[:-1] == pytest.approx(list(d["facility_load_mw"]))
        shed = traces["inference shed"]
        assert list(shed.y) == pytest.approx(list(d["inference_shed_mw"]))
        assert list(shed.base) == pytest.approx(list(d["facility_load_mw"]))
    assert "s0: 2025-07-01 (shortfall 20.0 MWh)" in [a.text for a in fig.layout.annotations]


def test_a_plan_without_the_new_keys_or_event_days_still_reports_and_flags_from_its_rows(planned, tmp_path):
    _, run, out = planned
    folder = tmp_path / "old"
    shutil.copytree(out, folder)
    (folder / "event_days.csv").unlink()
    plan = json.loads((folder / "plan.json").read_text())
    for key in ("event_days", "work_flags", "full_year_evaluation", "business_as_usual", "lifecycle"):
        del plan[key]
    (folder / "plan.json").write_text(json.dumps(plan))
    assert [c.key for c in plan_charts(read_plan(folder))] == ["plan_cost", "plan_hours"]
    page = write_report(folder).read_text()
    assert "business as usual" not in page.lower()
    (flag,) = re.findall(r'<p class="flag">([^<]*)</p>', page)
    row = next(r for r in run.summary["scenarios"] if r["scenario"] == "s0")
    assert flag.startswith(f"Scenario s0: {row['unfinished_mwh']:,.1f} MWh of training a year left unfinished, 1 job(s)")


def test_a_bad_event_days_csv_exits_16_naming_the_file_and_column(planned, tmp_path):
    _, _, out = planned
    folder = tmp_path / "bad"
    shutil.copytree(out, folder)
    days = pd.read_csv(folder / "event_days.csv")
    days.drop(columns=["import_cap_mw"]).to_csv(folder / "event_days.csv", index=False)
    r = CliRunner().invoke(report_command, [str(folder)])
    assert r.exit_code == 16 and "event_days.csv" in r.output and "import_cap_mw" in r.output
    assert not (folder / "report.html").exists()


def test_short_labels_drop_what_every_id_shares_and_never_cut_a_value():
    ids = ["sw__price=x0.5__gensets=0", "sw__price=x0.5__gensets=1", "sw__price=x2__gensets=0"]
    assert short_labels(ids) == ["x0.5 · gensets=0", "x0.5 · gensets=1", "x2 · gensets=0"]
    assert short_labels(["site-a.toml", "site-b.toml"]) == ["a", "b"]
    assert short_labels(["run10", "run11"]) == ["run10", "run11"]   # no separator to cut at: kept whole
    assert short_labels(["only"]) == ["only"]


def test_batch_heatmap_cells_and_cases_without_a_schedule_on_every_chart(batch_dir):
    table = pd.read_csv(batch_dir / "summary.csv")
    data = read_folder(batch_dir)
    charts = {c.key: c.figure for c in batch_charts(data)}
    assert list(charts) == ["objective", "heatmap"]
    xs, ys, share, obj, text, _ = cells(data, "swept.price_usd_per_mwh", "swept.gensets")
    assert xs == ["0.5", "1", "2"] and ys == ["0", "1", "2"]
    for _, r in table.iterrows():
        i, j = ys.index(str(int(r["swept.gensets"]))), xs.index(f"{r['swept.price_usd_per_mwh']:g}")
        solved = pd.notna(r["objective_usd"])
        assert share[i][j] == (1.0 if solved else 0.0)
        assert (obj[i][j] == pytest.approx(r["objective_usd"])) if solved else (obj[i][j] is None
                                                                                 and text[i][j].startswith("✕"))
    left, right = charts["heatmap"].data[:2]
    assert [list(r) for r in left.z] == share and [list(r) for r in right.z] == obj
    # every case without a schedule is drawn on each panel of the objective chart (not dropped)
    gone = table[table["objective_usd"].isna()]
    marks = [t for t in charts["objective"].data if t.name and t.name.startswith("no schedule")]
    assert len(marks) == len(data.swept) and len(gone) > 0
    for t, axis in zip(marks, data.swept):
        assert sorted(map(float, t.x)) == sorted(gone[axis].astype(float))
        assert sorted(c[0] for c in t.customdata) == sorted(gone["id"])
