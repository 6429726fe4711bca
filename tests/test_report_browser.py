"""The report as a person sees it: opened from file:// in a real headless Chromium (Debian's, driven by the
`playwright` package with its bundled driver; no browser download) with the network off. The page loads with
no console errors or warnings and asks for nothing from the network, every chart is drawn (plotly's SVG with
marks in it), screenshots are not blank, and the batch table sorts on a click. `--png` (kaleido, the same
Chromium) writes real, non-blank images.

Skipped, with the reason, where Chromium is not installed (.ci/run installs it when it runs as root).
The pages in a browser are `slow` (`pytest -m "not slow"` leaves them out; CI runs them; test_report.py
checks the same pages' contents quickly); the `--png` export, which only a browser can test, is not."""
from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

CHROMIUM = os.environ.get("ENERGYOPT_CHROMIUM", "/usr/bin/chromium")
if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
    pytest.skip(f"Chromium is not installed at {CHROMIUM} (install it with `apt-get install chromium`, which "
                ".ci/run does when it runs as root; or set ENERGYOPT_CHROMIUM): the browser tests of the report "
                "are skipped", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package (in the test extra) is "
                               "not installed: pip install -e '.[test]'")
Image = pytest.importorskip("PIL.Image", reason="Pillow (in the test extra) is not installed")

from energyopt.report import write_report  # noqa: E402
from energyopt.report.build import RESULT_CHARTS  # noqa: E402
from energyopt.report.cli import report_command  # noqa: E402

try:
    from .test_report import batch_dir, results  # noqa: F401,E402 - fixtures
except ImportError:
    from test_report import batch_dir, results  # noqa: F401,E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-default-apps"]


@pytest.fixture(scope="module")
def browser():
    try:
        pw = sync_api.sync_playwright().start()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"playwright cannot start its driver: {exc}")
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
    except Exception as exc:  # noqa: BLE001
        pw.stop()
        pytest.skip(f"{CHROMIUM} cannot be started headless: {exc}")
    yield b
    b.close()
    pw.stop()


class Opened:
    """A report open in a fresh offline browser context, with what the page logged and requested."""

    def __init__(self, browser, html: Path, width: int = 1400):
        self.context = browser.new_context(viewport={"width": width, "height": 1000}, offline=True)
        self.page = self.context.new_page()
        self.console: list[tuple[str, str]] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda exc: self.console.append(("pageerror", str(exc))))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(html.resolve().as_uri(), wait_until="load", timeout=60_000)
        n = self.page.locator("figure.chart").count()
        self.page.wait_for_function(f"document.querySelectorAll('figure.chart .main-svg').length >= {n}",
                                    timeout=30_000)
        self.page.wait_for_timeout(300)

    def charts(self) -> dict[str, dict]:
        """For each chart: its traces, SVG layers, drawn marks and size on the screen."""
        return {c["key"]: c for c in self.page.evaluate("""() =>
            Array.from(document.querySelectorAll('figure.chart')).map(f => {
              const el = f.querySelector('.js-plotly-plot');
              const box = f.getBoundingClientRect();
              return {key: f.dataset.chart, id: el ? el.id : null,
                      traces: el && el._fullData ? el._fullData.length : 0,
                      svgs: f.querySelectorAll('.main-svg').length,
                      marks: Array.from(f.querySelectorAll('.trace path')).filter(
                               p => (p.getAttribute('d') || '').length > 10).length,
                      width: box.width, height: box.height};
            })""")}

    def problems(self) -> list:
        return [m for m in self.console if m[0] in ("error", "warning", "pageerror") or "WARN" in m[1]]

    def close(self):
        self.context.close()


def pixels_vary(png: bytes, min_std: float = 8.0) -> tuple[bool, float]:
    img = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    return img.std() >= min_std and len(np.unique(img)) > 16, float(img.std())


@pytest.mark.slow
def test_texas_report_in_a_real_browser(browser, results, tmp_path):
    html = write_report(results["texas"], tmp_path / "texas.html")
    o = Opened(browser, html)
    try:
        assert o.problems() == [], o.problems()
        assert all(u.startswith(("file:", "data:", "blob:", "about:")) for u in o.requests), o.requests
        charts = o.charts()
        assert list(charts) == list(RESULT_CHARTS)
        for key, c in charts.items():
            assert c["id"] == f"chart-{key}" and c["traces"] > 0 and c["svgs"] > 0, c
            assert c["marks"] > 0, f"{key}: nothing drawn"
            assert c["width"] > 800 and c["height"] > 150, c
            shot = o.page.locator(f'figure.chart[data-chart="{key}"]').screenshot()
            ok, std = pixels_vary(shot, 5.0)
            assert ok, f"{key} looks blank (pixel std {std:.1f})"
        ok, std = pixels_vary(o.page.screenshot(full_page=True))
        assert ok, f"the page looks blank (pixel std {std:.1f})"
        assert o.page.locator("#status").inner_text() == "optimal"
        # hovering over the power chart shows plotly's hover label (the page is interactive)
        drag = o.page.locator("#chart-power .nsewdrag").first
        drag.scroll_into_view_if_needed()
        box = drag.bounding_box()
        o.page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.5)
        o.page.wait_for_function("document.querySelector('#chart-power .hoverlayer').childElementCount > 0",
                                 timeout=5_000)
    finally:
        o.close()


@pytest.mark.slow
def test_replan_report_shows_the_diff(browser, results, tmp_path):
    html = write_report(results["replan"], tmp_path / "replan.html")
    o = Opened(browser, html)
    try:
        assert o.problems() == []
        assert "Generators:" in o.page.locator("#diff pre").inner_text()
        assert all(c["marks"] > 0 for c in o.charts().values())
    finally:
        o.close()


@pytest.mark.slow
def test_batch_report_table_sorts_on_a_click(browser, batch_dir, tmp_path):
    html = write_report(batch_dir, tmp_path / "batch.html")
    o = Opened(browser, html)
    try:
        assert o.problems() == []
        charts = o.charts()
        assert list(charts) == ["objective", "heatmap"] and charts["objective"]["marks"] > 0
        # the heatmaps are drawn as images, one per panel, with their cells' text
        cells = o.page.locator('figure.chart[data-chart="heatmap"] .hm image')
        assert cells.count() == 2 and "✕ infeasible" in o.page.locator("#chart-heatmap").inner_text()
        headers = o.page.locator("#batch-table th").all_inner_texts()
        col = headers.index("objective_usd")

        def column():
            cells = o.page.locator(f"#batch-table tbody tr td:nth-child({col + 1})").all()
            return [c.get_attribute("data-v") for c in cells]
        o.page.locator("#batch-table th").nth(col).click()
        values = [float(v) for v in column() if v]
        assert values == sorted(values) and column()[-1] == ""        # cases without an objective last
        o.page.locator("#batch-table th").nth(col).click()
        values = [float(v) for v in column() if v]
        assert values == sorted(values, reverse=True)
        ok, std = pixels_vary(o.page.screenshot(full_page=True))
        assert ok, std
    finally:
        o.close()


def test_png_export_writes_real_images(results, tmp_path):
    folder = tmp_path / "texas"
    shutil.copytree(results["texas"], folder)
    r = CliRunner().invoke(report_command, [str(folder), "--png", str(tmp_path / "png")])
    assert r.exit_code == 0, r.output
    files = sorted(p.name for p in (tmp_path / "png").iterdir())
    assert files == sorted(f"{k}.png" for k in RESULT_CHARTS)
    for name in files:
        blob = (tmp_path / "png" / name).read_bytes()
        img = Image.open(io.BytesIO(blob))
        assert img.format == "PNG" and img.size[0] == 1400 and img.size[1] > 200
        ok, std = pixels_vary(blob, 5.0)
        assert ok, f"{name} looks blank ({std:.1f})"


@pytest.mark.slow
def test_plan_report_in_a_real_browser(browser, tmp_path):
    # A plan with two scenarios and the cost-vs-count table: sizes, annual cost, counts and permit hours drawn.
    try:
        from .test_plan import write_plan
    except ImportError:
        from test_plan import write_plan
    from energyopt.ops.planning import run_plan
    from energyopt.results.plan import write_plan as write_plan_dir
    p = write_plan(tmp_path / "p", scenarios=[(3, 15.0, 4), (15, 17.5, 4)])
    p.write_text(p.read_text().replace("count_table = false", "count_table = true"))
    run = run_plan(p)
    write_plan_dir(tmp_path / "plan", run.summary, run.count_table)
    o = Opened(browser, write_report(tmp_path / "plan"))
    try:
        assert o.problems() == [] and all(u.startswith("file:") or u.startswith("data:") for u in o.requests)
        charts = o.charts()
        assert list(charts) == ["plan_bau", "plan_cost", "plan_capex", "plan_event_days", "plan_counts",
                                "plan_hours"]
        assert all(c["marks"] > 0 and c["width"] > 300 for c in charts.values())
        ok, std = pixels_vary(o.page.screenshot(full_page=True))
        assert ok, std
    finally:
        o.close()


@pytest.mark.slow
def test_plan_report_with_business_as_usual_and_event_days_in_a_real_browser(browser, tmp_path):
    # tests/test_plan_days.py's plan (a twelfth of a year) with business_as_usual and lifecycle keys added as
    # docs/plan.md gives them: the cards and flags are shown, every chart is drawn, the event-day chart has
    # a panel per scenario, and the scenarios table scrolls sideways inside its box instead of being cut.
    try:
        from .test_plan_days import days_plan
        from .test_report_plan import BAU, LIFE, with_keys
    except ImportError:
        from test_plan_days import days_plan
        from test_report_plan import BAU, LIFE, with_keys
    from energyopt.ops.planning import run_plan
    from energyopt.results.plan import write_plan as write_plan_dir
    run = run_plan(days_plan(tmp_path / "p"))
    out = write_plan_dir(tmp_path / "out", run.summary, run.count_table)
    folder = with_keys(out, tmp_path / "plan", business_as_usual=BAU, lifecycle=LIFE)
    o = Opened(browser, write_report(folder), width=1200)
    try:
        assert o.problems() == [] and all(u.startswith(("file:", "data:")) for u in o.requests)
        charts = o.charts()
        assert list(charts) == ["plan_bau", "plan_cost", "plan_event_days", "plan_hours"]
        assert all(c["marks"] > 0 and c["width"] > 300 for c in charts.values()), charts
        assert o.page.locator("#chart-plan_event_days .cartesianlayer > .subplot").count() == 2   # per scenario
        assert "npv over 20 yr" in o.page.locator("#bau-cards").inner_text().lower()
        assert "notice A1" in o.page.locator("#flags").inner_text()
        box = o.page.evaluate("""() => { const w = document.querySelector('.tablewrap.scenarios');
            return {scroll: w.scrollWidth, client: w.clientWidth,
                    page: document.documentElement.scrollWidth, view: window.innerWidth}; }""")
        assert box["scroll"] > box["client"] and box["page"] <= box["view"], box
        shot = o.page.locator('figure.chart[data-chart="plan_event_days"]').screenshot()
        ok, std = pixels_vary(shot, 5.0)
        assert ok, std
    finally:
        o.close()
