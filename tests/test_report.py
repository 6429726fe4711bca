"""`energyopt report` without a browser: every chart is there and its data are the result's own figures
(stacked sources sum to the facility load, permit bars equal the summary's hours, ...), the page needs no
network, and bad inputs exit 16 (bad --out 3, no PNG renderer 17) with nothing written.
What a person sees in a real browser is in test_report_browser.py (`slow`), plan reports included."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import energyopt as eo
from energyopt.report import write_report
from energyopt.report.build import RESULT_CHARTS, batch_charts, result_charts
from energyopt.report.cli import report_command
from energyopt.report.reader import FORMAT_VERSION, read_folder

try:
    from .helpers import at, base, write_instance
except ImportError:
    from helpers import at, base, write_instance

ROOT = Path(__file__).resolve().parents[1]
TEXAS = ROOT / "instances" / "texas_summer_day" / "texas_summer_day.toml"
EXACT = eo.SolveOptions(mip_rel_gap=0)


# -- results to report ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, Path]:
    """Written results: the Texas example, a re-plan of it, a rich small case (battery, a job that pauses
    and restarts, an economic generator with a NOx cap, shed inference, no cooling) and an infeasible one."""
    tmp = tmp_path_factory.mktemp("results")
    out = {}
    eo.solve(TEXAS, EXACT).write(tmp / "texas")
    out["texas"] = tmp / "texas"
    from energyopt.ops.replan import replan
    from energyopt.ops.diff import diff_text
    r, diff = replan(tmp / "texas", "2025-07-15T13:40:00-05:00", options=EXACT)
    r.extra_files["diff.txt"] = diff_text(diff)
    r.write(tmp / "replan")
    out["replan"] = tmp / "replan"
    r = eo.solve(rich_instance(tmp / "rich_inst"), EXACT)
    assert r.status.value == "optimal"
    r.write(tmp / "rich")
    out["rich"] = tmp / "rich"
    inst, series = base(4, 50.0, it_load_mw=10.0, interconnection_mw=5.0)
    r = eo.solve(write_instance(tmp / "bad_inst", inst, series), EXACT)
    assert r.status.value == "infeasible"
    r.write(tmp / "infeasible")
    out["infeasible"] = tmp / "infeasible"
    return out


def rich_instance(folder: Path) -> Path:
    prices = [20, 20, 600, 600, 20, 20, 30, 30, 900, 900, 20, 20]
    inst, series = base(12, prices, it_load_mw=2.0, interconnection_mw=30.0)
    inst["notices"] = [{"id": "N1", "issued": at(-10), "start": at(8), "end": at(10), "cap_mw": 6.0}]
    inst["generators"] = [{"id": "G1", "capacity_mw": 4.0, "min_load_fraction": 0.0, "fuel_price_usd_per_gal": 3.0,
                           "run_hours_left": 3.0, "dispatch": "economic", "nox_cap_kg": 60.0}]
    inst["battery"] = {"energy_mwh": 8.0, "power_mw": 4.0}
    inst["training_jobs"] = [{"id": "J1", "power_mw": 10.0, "work_mwh": 50.0, "deadline": at(12),
                              "min_power_fraction": 0.6},
                             {"id": "J2", "power_mw": 4.0, "work_mwh": 8.0, "release": at(2), "deadline": at(8)}]
    inst["inference"] = [{"id": "chat", "demand_mw": 5.0, "min_served_fraction": 0.5,
                          "shed_penalty_usd_per_mwh": 300.0}]
    return write_instance(folder, inst, series)


def charts_of(folder: Path) -> dict:
    charts, _ = result_charts(read_folder(folder))
    return {c.key: c.figure for c in charts}


def trace(fig, name: str):
    found = [t for t in fig.data if t.name == name]
    assert found, f"no trace {name!r} in {[t.name for t in fig.data]}"
    return found[0]


def steps(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "steps.csv")


def summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text())


# -- what each chart shows ---------------------------------------------------------------------------------
def test_format_version_is_the_results_own():
    from energyopt.results.extract import FORMAT_VERSION as written
    assert FORMAT_VERSION == written


@pytest.mark.parametrize("name", ["texas", "rich"])
def test_stacked_sources_sum_to_the_facility_load(results, name):
    st = steps(results[name])
    fig = charts_of(results[name])["power"]
    supply = [t for t in fig.data if t.stackgroup == "supply"]
    n = len(st)
    assert [t.name for t in supply][0] == "grid import"
    total = sum(np.asarray(t.y[:n], dtype=float) for t in supply)
    charge = [t for t in fig.data if t.stackgroup == "charge"]
    total += sum((np.asarray(t.y[:n], dtype=float) for t in charge), np.zeros(n))   # drawn below zero
    assert np.allclose(total, st["facility_load_mw"], atol=1e-5)
    gens = [c.split(".")[1] for c in st.columns if c.endswith(".output_mw")]
    assert {f"generator {g}" for g in gens} <= {t.name for t in supply}
    assert np.allclose(trace(fig, "import cap").y[:n], st["import_cap_mw"])
    price = trace(fig, "price")
    assert price.yaxis == "y2" and np.allclose(price.y[:n], st["price_usd_per_mwh"])
    assert len(trace(fig, "grid import").x) == n + 1                       # the last step is drawn whole


def test_battery_is_a_source_and_a_load(results):
    st = steps(results["rich"])
    fig = charts_of(results["rich"])["power"]
    n = len(st)
    assert np.allclose(trace(fig, "battery discharge").y[:n], st["battery.discharge_mw"])
    assert np.allclose(trace(fig, "battery charging").y[:n], -st["battery.charge_mw"])
    assert st["battery.discharge_mw"].max() > 0.1 and st["battery.charge_mw"].max() > 0.1


def test_curtailment_windows_are_shaded(results):
    fig = charts_of(results["texas"])["power"]
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert [(pd.Timestamp(r.x0), pd.Timestamp(r.x1)) for r in rects] == [
        (pd.Timestamp("2025-07-15 15:00"), pd.Timestamp("2025-07-15 19:00"))]
    assert any("ercot-dr" in (a.text or "") for a in fig.layout.annotations)


def test_a_replan_shows_now_the_kept_steps_and_its_diff(results):
    charts, _ = result_charts(read_folder(results["replan"]))
    fig = charts[0].figure
    rects = [(pd.Timestamp(s.x0), pd.Timestamp(s.x1)) for s in fig.layout.shapes if s.type == "rect"]
    assert (pd.Timestamp("2025-07-15 00:00"), pd.Timestamp("2025-07-15 13:45")) in rects
    assert any(s.type == "line" and pd.Timestamp(s.x0) == pd.Timestamp("2025-07-15 13:40") for s in fig.layout.shapes)
    page = write_report(results["replan"]).read_text()
    diff = (results["replan"] / "diff.txt").read_text()
    assert "Generators:" in diff
    for line in diff.splitlines():
        assert line.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;") in page


def test_a_daylight_saving_day_is_drawn_on_one_clock(tmp_path):
    """25 hourly steps on 2 November 2025 in Chicago: times stay in order at the start's offset (UTC-05:00),
    the axis says so, and the 15:00-17:00 CST notice is shaded at 16:00-18:00 on that clock."""
    inst, series = base(25, 40.0, it_load_mw=3.0, interconnection_mw=20.0)
    inst["horizon"] = {"start": "2025-11-02T00:00:00", "timezone": "America/Chicago", "days": 1,
                       "step_minutes": 60}
    inst["notices"] = [{"id": "N1", "issued": "2025-11-01T10:00:00", "start": "2025-11-02T15:00:00",
                        "end": "2025-11-02T17:00:00", "cap_mw": 4.0}]
    inst["inference"] = [{"id": "chat", "demand_mw": 2.0, "min_served_fraction": 0.0,
                          "shed_penalty_usd_per_mwh": 100.0}]
    r = eo.solve(write_instance(tmp_path / "inst", inst), EXACT)
    assert r.status.value == "optimal", r.diagnosis
    r.write(tmp_path / "dst")
    data = read_folder(tmp_path / "dst")
    t = data.steps["t"]
    assert len(t) == 25 and t.is_monotonic_increasing and t.diff().dropna().nunique() == 1
    fig = charts_of(tmp_path / "dst")["power"]
    assert "UTC-05:00" in fig.layout.xaxis.title.text and "UTC-06:00" in fig.layout.xaxis.title.text
    (rect,) = [s for s in fig.layout.shapes if s.type == "rect"]
    assert (pd.Timestamp(rect.x0), pd.Timestamp(rect.x1)) == (pd.Timestamp("2025-11-02 16:00"),
                                                             pd.Timestamp("2025-11-02 18:00"))


def test_gantt_runs_pauses_restarts_and_deadlines(results):
    for name in ("texas", "rich"):
        folder = results[name]
        st, sm = steps(folder), summary(folder)
        fig = charts_of(folder)["training"]
        step_ms = sm["horizon"]["step_minutes"] * 60_000
        runs = trace(fig, "running")
        for job in sm["jobs"]:
            ran = (st[f"job.{job}.power_mw"] > 1e-6).sum()
            ms = sum(x for x, y in zip(runs.x, runs.y) if y == job)
            assert ms == pytest.approx(ran * step_ms), job
        restarts = sum(max(j["starts"] - 1, 0) for j in sm["jobs"].values())
        marks = [t for t in fig.data if t.name == "restart"]
        assert (len(marks[0].x) if marks else 0) == restarts
        dl = trace(fig, "deadline")
        assert list(dl.y) == list(sm["jobs"])
        assert [pd.Timestamp(x) for x in dl.x] == [
            pd.Timestamp(j["deadline"]).tz_localize(None) for j in sm["jobs"].values()]
    # the rich case's job J1 pauses through the expensive hours and restarts after them
    sm = summary(results["rich"])
    assert sm["jobs"]["J1"]["starts"] >= 2
    fig = charts_of(results["rich"])["training"]
    assert "J1" in trace(fig, "paused").y


def test_inference_served_and_shed_stack_to_demand(results):
    folder = results["rich"]
    st = steps(folder)
    fig = charts_of(folder)["inference"]
    n = len(st)
    stack = sum(np.asarray(t.y[:n], dtype=float) for t in fig.data if t.stackgroup == "inference")
    assert np.allclose(stack, st["inference.chat.demand_mw"])
    assert np.allclose(trace(fig, "demand (all services)").y[:n], st["inference.chat.demand_mw"])
    assert np.allclose(trace(fig, "chat shed").y[:n], st["inference.chat.shed_mw"])
    assert st["inference.chat.shed_mw"].max() > 0.1


def test_cooling_load_capacity_and_temperature(results):
    st = steps(results["texas"])
    fig = charts_of(results["texas"])["cooling"]
    n = len(st)
    assert np.allclose(trace(fig, "cooling capacity").y[:n], st["cooling_capacity_mw_th"])
    assert np.allclose(trace(fig, "IT load (heat to remove)").y[:n], st["it_load_mw"])
    temp = trace(fig, "outdoor temperature")
    assert temp.yaxis == "y2" and np.allclose(temp.y[:n], st["outdoor_temp_c"])
    heat = sum(np.asarray(t.y[:n], dtype=float) for t in fig.data if t.stackgroup == "heat")
    # the stack tops out at what the chillers and the storage deliver: the IT load plus any charging
    assert np.allclose(heat, st["it_load_mw"] + st["thermal_storage.charge_mw_th"], atol=1e-5)


def test_permit_bars_equal_the_summary(results):
    sm = summary(results["rich"])
    fig = charts_of(results["rich"])["permits"]
    gens = sm["generator_run_hours"]
    hours = trace(fig, "run hours")
    assert list(hours.x) == list(gens) and list(hours.y) == [g["hours"] for g in gens.values()]
    assert list(trace(fig, "permit hours left").y) == [g["limit_hours"] for g in gens.values()]
    assert list(trace(fig, "NOx").y) == pytest.approx([g["nox_kg"] for g in gens.values()])
    assert list(trace(fig, "NOx cap").y) == [60.0]
    assert gens["G1"]["hours"] > 0


def test_ledger_windows_are_drawn_against_their_limits(results, tmp_path):
    """A summary with permit_budgets (as `solve --ledger` writes): every window a bar of used before plus
    this plan, with its limit."""
    folder = tmp_path / "led"
    shutil.copytree(results["rich"], folder)
    sm = summary(folder)
    sm["permit_budgets"] = [
        {"unit_id": "G1", "window": "calendar_year:non_emergency:hours 2025-01-01..2025-12-31", "metric": "hours",
         "limit": 50.0, "used_before": 45.0, "remaining_before": 5.0, "plan_uses": 3.0, "remaining_after": 2.0},
        {"unit_id": "G1", "window": "rolling_12_months:all:nox_kg 2024-01-02..2025-01-01", "metric": "nox_kg",
         "limit": 400.0, "used_before": 100.0, "remaining_before": 300.0, "plan_uses": 20.0,
         "remaining_after": 280.0}]
    (folder / "summary.json").write_text(json.dumps(sm))
    fig = charts_of(folder)["permits"]
    before = [t for t in fig.data if t.name == "used before this plan"]
    plan = [t for t in fig.data if t.name == "this plan"]
    limits = [t for t in fig.data if t.name == "window limit"]
    assert [list(t.x) for t in before] == [[45.0], [100.0]] and [list(t.x) for t in plan] == [[3.0], [20.0]]
    assert [list(t.x) for t in limits] == [[50.0], [400.0]]
    assert "non emergency" in before[0].y[0] and "2025-01-01..2025-12-31" in before[0].y[0]
    page = write_report(folder).read_text()
    assert "rolling_12_months:all:nox_kg 2024-01-02..2025-01-01" in page


def test_cost_bars_are_the_breakdown_and_sum_to_the_objective(results):
    sm = summary(results["texas"])
    fig = charts_of(results["texas"])["cost"]
    bars = dict(zip([y.replace(" ", "_") for y in fig.data[0].y], fig.data[0].x))
    assert bars == {k: v for k, v in sm["cost_breakdown_usd"].items() if abs(v) >= 0.005}
    assert sum(bars.values()) == pytest.approx(sm["objective_usd"])


def test_a_plan_report_draws_the_cost_the_counts_and_the_permit_hours(tmp_path):
    # The fast sibling of test_report_browser.py's plan report (a full year there): a plan over a twelfth of
    # a year with two scenarios and the cost-vs-count table. The cost bars are the annual cost's items, the
    # count curve is count_table.csv's feasible rows with a star on the chosen count, and the permit bars
    # are the scenarios' hours against their limits.
    try:
        from .test_plan import twelfth, write_plan
    except ImportError:
        from test_plan import twelfth, write_plan
    from energyopt.ops.planning import run_plan
    from energyopt.report.plan import plan_charts
    from energyopt.report.reader import read_plan
    from energyopt.results.plan import write_plan as write_plan_dir
    p = write_plan(tmp_path / "p", scenarios=[(1, 15.0, 4), (2, 17.5, 4)])
    twelfth(tmp_path / "p")
    p.write_text(p.read_text().replace("count_table = false", "count_table = true"))
    run = run_plan(p)
    write_plan_dir(tmp_path / "plan", run.summary, run.count_table)
    charts = {c.key: c.figure for c in plan_charts(read_plan(tmp_path / "plan"))}
    assert list(charts) == ["plan_bau", "plan_cost", "plan_capex", "plan_event_days", "plan_counts", "plan_hours"]
    cost = run.summary["annual_cost_usd"]
    (bars,) = charts["plan_cost"].data    # operations by term; capex and fixed O&M on a chart of their own
    (capex,) = charts["plan_capex"].data
    assert sum(bars.y) == pytest.approx(cost["operations"]) and "fuel" in bars.x
    assert sum(capex.y) == pytest.approx(sum(cost["capex_and_fixed_om"].values()))
    assert sum(bars.y) + sum(capex.y) == pytest.approx(cost["total"])
    feasible = [r for r in run.count_table if r["total_usd_per_year"] is not None]
    line, star = charts["plan_counts"].data
    assert list(line.x) == [r["units"] for r in feasible] and list(star.x) == [run.summary["sizes"]["gensets"]["D"]]
    assert list(line.y) == pytest.approx([r["total_usd_per_year"] for r in feasible])
    hours, limit = charts["plan_hours"].data
    rows = run.summary["scenarios"]
    assert list(hours.y) == pytest.approx([r["D.non_emergency_hours"] for r in rows])
    assert list(limit.y) == pytest.approx([r["D.non_emergency_hours_limit"] for r in rows])
    page = write_report(tmp_path / "plan").read_text()
    assert all(f'data-chart="{k}"' in page for k in charts) and not re.search(r"<script[^>]*\bsrc=", page)


def test_every_chart_is_there_and_the_page_is_self_contained(results, tmp_path):
    out = write_report(results["texas"], tmp_path / "r.html")
    page = out.read_text()
    assert [c.key for c in result_charts(read_folder(results["texas"]))[0]] == list(RESULT_CHARTS)
    for key in RESULT_CHARTS:
        assert f'data-chart="{key}"' in page and f'id="chart-{key}"' in page
    assert len(page) > 3_000_000 and "Plotly.newPlot" in page          # plotly.js is inline
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert not re.search(r"<link[^>]*\bhref=\"?https?:", page)
    sm = summary(results["texas"])
    assert 'id="status"' in page and ">optimal<" in page
    assert "HiGHS time" in page and f"{sm['solve_seconds']:.2f} s" in page and "MIP gap" in page
    assert f"${sm['objective_usd']:,.0f}" in page


def test_a_result_without_some_parts_names_the_charts_it_cannot_have(results):
    charts, notes = result_charts(read_folder(results["rich"]))
    assert "cooling" not in [c.key for c in charts]
    assert any("no cooling plant" in n for n in notes)
    page = write_report(results["rich"]).read_text()
    assert "no cooling plant in this result" in page


def test_an_infeasible_result_is_reported_with_its_diagnosis(results):
    out = write_report(results["infeasible"])
    page = out.read_text()
    diagnosis = summary(results["infeasible"])["diagnosis"]
    assert diagnosis and "No schedule" in page and ">infeasible<" in page
    assert "data-chart=" not in page


def test_default_out_and_click_command(results, tmp_path):
    folder = tmp_path / "texas"
    shutil.copytree(results["texas"], folder)
    r = CliRunner().invoke(report_command, [str(folder)])
    assert r.exit_code == 0, r.output
    assert (folder / "report.html").is_file() and str(folder / "report.html") in r.output
    assert sorted(p.name for p in folder.iterdir()) == ["report.html", "steps.csv", "summary.json"]


# -- batch ---------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory) -> Path:
    from energyopt.batch.cases import collect
    from energyopt.batch.runner import Options, run_batch
    tmp = tmp_path_factory.mktemp("batch")
    shutil.copytree(ROOT / "instances" / "small", tmp / "small")
    sw = tmp / "small" / "sw.toml"
    sw.write_text('base = "small.toml"\n[[axis]]\npath = "grid.price_usd_per_mwh"\nscale = [0.5, 1.0, 2.0]\n'
                  '[[axis]]\npath = "generators[G1]"\nname = "gensets"\ncount = [0, 1, 2]\n')
    # threads=None: HiGHS refuses threads=1 once an earlier solve in this process started its thread pool
    run_batch(collect([], [str(sw)]), tmp / "out", Options(mip_rel_gap=0.0, threads=None), workers=1)
    return tmp / "out"


def test_batch_report_table_and_objective_per_swept_parameter(batch_dir, tmp_path):
    table = pd.read_csv(batch_dir / "summary.csv")
    data = read_folder(batch_dir)
    assert data.swept == ["swept.price_usd_per_mwh", "swept.gensets"]
    fig = batch_charts(data)[0].figure
    for k, axis in enumerate(data.swept):
        xaxis = "x" if k == 0 else f"x{k + 1}"
        dots = [t for t in fig.data if t.mode == "markers" and (t.xaxis or "x") == xaxis
                and not t.name.startswith("no schedule")]   # those: tests/test_report_plan.py
        got = sorted((float(x), float(y)) for t in dots for x, y in zip(t.x, t.y))
        solved = table[table["objective_usd"].notna()]
        assert got == sorted(zip(solved[axis].astype(float), solved["objective_usd"]))
    out = tmp_path / "elsewhere" / "b.html"
    r = CliRunner().invoke(report_command, [str(batch_dir), "--out", str(out)])
    assert r.exit_code == 0, r.output
    page = out.read_text()
    assert page.count("<tr") == len(table) + 1 and 'class="sortable"' in page
    assert 'data-chart="objective"' in page and "infeasible" in page
    first = table["id"].iloc[0]
    link = os.path.relpath(batch_dir / "cases" / first / "summary.json", out.parent)
    assert f'href="{link}"' in page and (out.parent / link).is_file()


def test_a_batch_of_instance_files_draws_one_bar_per_case(batch_dir, tmp_path):
    folder = tmp_path / "files"
    shutil.copytree(batch_dir, folder)
    t = pd.read_csv(folder / "summary.csv")
    t.drop(columns=[c for c in t.columns if c.startswith("swept.")]).to_csv(folder / "summary.csv", index=False)
    fig = batch_charts(read_folder(folder))[0].figure
    assert fig.data[0].type == "bar" and len(fig.data[0].x) == t["objective_usd"].notna().sum()
    assert write_report(folder) == folder / "report.html"


# -- bad input: exit 16, nothing written ------------------------------------------------------------------
def snapshot(*folders: Path) -> dict:
    return {str(p): p.stat().st_mtime_ns for f in folders if f.exists() for p in sorted(f.rglob("*"))}


def bad_cases(results: dict, tmp: Path) -> list[tuple[str, Path, str]]:
    """(label, folder, text the message must hold)."""
    cases = []
    empty = tmp / "empty"
    empty.mkdir(parents=True)
    cases.append(("empty folder", empty, "no summary.json"))
    mine = tmp / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("hello")
    cases.append(("a user's folder", mine, "is not an energyopt result"))
    cases.append(("missing folder", tmp / "nope", "does not exist"))
    for label, edit, text in [
            ("newer format", lambda s: {**s, "format_version": FORMAT_VERSION + 1}, "newer energyopt"),
            ("no format_version", lambda s: {k: v for k, v in s.items() if k != "format_version"},
             "lacks format_version"),
            ("no jobs", lambda s: {k: v for k, v in s.items() if k != "jobs"}, "lacks jobs")]:
        f = tmp / label.replace(" ", "_")
        shutil.copytree(results["texas"], f)
        (f / "summary.json").write_text(json.dumps(edit(summary(f))))
        cases.append((label, f, text))
    f = tmp / "no_steps"
    shutil.copytree(results["texas"], f)
    (f / "steps.csv").unlink()
    cases.append(("missing steps.csv", f, "steps.csv is missing"))
    f = tmp / "short_steps"
    shutil.copytree(results["texas"], f)
    st = steps(f).drop(columns=["generator.G3.output_mw", "facility_load_mw"])
    st.to_csv(f / "steps.csv", index=False)
    cases.append(("steps.csv without columns", f, "generator.G3.output_mw"))
    f = tmp / "not_json"
    f.mkdir()
    (f / "summary.json").write_text("{not json")
    cases.append(("summary.json not JSON", f, "not JSON"))
    f = tmp / "a_plan"
    f.mkdir()
    (f / "plan.json").write_text(json.dumps({"format_version": 1, "kind": "plan", "status": "optimal"}))
    cases.append(("a plan result without its figures", f, "not a whole plan result: missing sizes"))
    f = tmp / "newer_plan"
    f.mkdir()
    (f / "plan.json").write_text(json.dumps({"format_version": 99, "kind": "plan", "status": "optimal"}))
    cases.append(("a plan of a newer format", f, "format_version 99"))
    f = tmp / "batch_no_cases"
    f.mkdir()
    (f / "summary.csv").write_text("id,status,objective_usd\na,optimal,1\n")
    cases.append(("batch without cases/", f, "cases/ is missing"))
    return cases


def test_bad_inputs_exit_16_naming_the_folder_and_write_nothing(results, tmp_path):
    for label, folder, text in bad_cases(results, tmp_path / "in"):
        before = snapshot(folder)
        out, png = tmp_path / "o" / f"{folder.name}.html", tmp_path / "png" / folder.name
        r = CliRunner().invoke(report_command, [str(folder), "--out", str(out), "--png", str(png)])
        assert r.exit_code == 16, (label, r.output)
        assert str(folder) in r.output and text in r.output, (label, r.output)
        assert snapshot(folder) == before and not out.exists() and not png.exists(), label
        assert not (folder / "report.html").exists()
    assert not (tmp_path / "o").exists() and not (tmp_path / "png").exists()


def test_bad_input_through_a_process(results, tmp_path):
    f = tmp_path / "newer"
    shutil.copytree(results["texas"], f)
    (f / "summary.json").write_text(json.dumps({**summary(f), "format_version": 99}))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-m", "energyopt.report.cli", str(f)], capture_output=True, text=True,
                       env=env, timeout=120)
    assert p.returncode == 16, p.stderr
    assert "format_version 99" in p.stderr and str(f) in p.stderr and "Traceback" not in p.stderr
    assert sorted(x.name for x in f.iterdir()) == ["steps.csv", "summary.json"]
    p = subprocess.run([sys.executable, "-m", "energyopt.report.cli", str(results["texas"]), "--out",
                        str(tmp_path / "ok.html")], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "ok.html").stat().st_size > 3_000_000


def test_an_unwritable_out_exits_3_and_writes_nothing(results, tmp_path):
    folder = tmp_path / "texas"
    shutil.copytree(results["texas"], folder)
    for out in (tmp_path, tmp_path / "file.txt" / "r.html"):
        (tmp_path / "file.txt").write_text("x")
        r = CliRunner().invoke(report_command, [str(folder), "--out", str(out)])
        assert r.exit_code == 3, r.output
        assert "--out" in r.output
    r = CliRunner().invoke(report_command, [str(folder), "--png", str(tmp_path / "file.txt")])
    assert r.exit_code == 3 and "--png" in r.output
    assert sorted(p.name for p in folder.iterdir()) == ["steps.csv", "summary.json"]
    assert not [p for p in tmp_path.rglob(".*tmp")]


def test_png_without_a_browser_exits_17_and_writes_nothing(results, tmp_path, monkeypatch):
    folder = tmp_path / "texas"
    shutil.copytree(results["texas"], folder)
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chrome"))
    r = CliRunner().invoke(report_command, [str(folder), "--png", str(tmp_path / "png")])
    assert r.exit_code == 17, r.output
    assert "Chrome or Chromium" in r.output and "nothing was written" in r.output
    assert not (tmp_path / "png").exists() and not (folder / "report.html").exists()
