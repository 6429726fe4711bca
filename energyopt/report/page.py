"""The report as one self-contained HTML page: plotly.js inline (the page needs no network), each chart a
``<figure class="chart" data-chart=KEY>`` holding a plotly div ``chart-KEY``, and the tables beside them.
Every text that comes from the result is escaped."""
from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

import plotly.io as pio
from plotly.offline import get_plotlyjs

from .build import Chart
from .economics import economics_tables
from .reader import BatchData, ResultData, finite

CONFIG = {"displaylogo": False, "responsive": True}

CSS = """
body{font-family:-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Helvetica,Arial,sans-serif;margin:0;color:#222;
background:#f6f7f9}
header{background:#1f2d3d;color:#fff;padding:18px 32px 14px}
header h1{margin:0 0 4px;font-size:24px;font-weight:600}
header .sub{color:#c9d3de;font-size:13px}
main{padding:12px 32px 40px;max-width:1500px}
nav{margin:10px 0 0;font-size:13px}nav a{color:#9cc3ee;margin-right:14px;text-decoration:none}
.badge{display:inline-block;padding:2px 10px;border-radius:10px;font-size:13px;font-weight:600;
vertical-align:middle;margin-left:8px}
.ok{background:#2e7d32;color:#fff}.warn{background:#ef8f00;color:#fff}.bad{background:#c62828;color:#fff}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(175px,1fr));gap:10px;margin:14px 0 6px}
.fact{background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:8px 12px}
.fact .k{font-size:11px;color:#667;text-transform:uppercase;letter-spacing:.04em}
.fact .v{font-size:19px;font-weight:600;margin-top:2px}
section{background:#fff;border:1px solid #dde2e8;border-radius:6px;margin:16px 0;padding:12px 18px}
section h2{font-size:17px;margin:4px 0 2px}
section p.cap{color:#556;font-size:13px;margin:2px 0 8px}
figure.chart{margin:0;min-height:200px}
table{border-collapse:collapse;font-size:13px;margin:6px 0}
th,td{border-bottom:1px solid #e3e6ea;padding:4px 10px;text-align:left;white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f0f2f5;position:sticky;top:0}
table.sortable th{cursor:pointer}table.sortable th:hover{background:#e2e7ee}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
tr.notok td{background:#fff4e5}td.na{color:#aaa}
.tablewrap{overflow:auto;max-height:640px}
pre{background:#f4f5f7;padding:10px 14px;border-radius:4px;font-size:13px;white-space:pre-wrap}
.note{color:#556;font-size:13px}
.flag{color:#6b2f00;background:#fff4e5;border-left:4px solid #ef8f00;padding:6px 10px;margin:6px 0;font-size:13px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:16px}
@media(max-width:1000px){.grid2{grid-template-columns:1fr}}
"""

SORT_JS = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, col) {
    th.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      function key(r) { var c = r.cells[col]; return c ? c.getAttribute("data-v") : ""; }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x === "" && y === "") return 0;
        if (x === "") return 1;
        if (y === "") return -1;
        var nx = Number(x), ny = Number(y), d;
        d = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return asc ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
"""

STATUS_CLASS = {"optimal": "ok", "time_limit_feasible": "warn"}


def e(x) -> str:
    return html.escape(str(x))


def document(title: str, header: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{e(title)}</title>"
            f"<style>{CSS}</style>\n<script type=\"text/javascript\">{get_plotlyjs()}</script>\n</head>\n"
            f"<body>\n<header>{header}</header>\n<main>\n{body}\n</main>\n<script>{SORT_JS}</script>\n"
            "</body></html>\n")


def chart_html(c: Chart) -> str:
    div = pio.to_html(c.figure, full_html=False, include_plotlyjs=False, div_id=f"chart-{c.key}", config=CONFIG,
                      default_width="100%", default_height=f"{int(c.figure.layout.height or 420)}px")
    return (f'<section id="{e(c.key)}"><h2>{e(c.title)}</h2><p class="cap">{c.caption}</p>'
            f'<figure class="chart" data-chart="{e(c.key)}">{div}</figure></section>')


def facts_html(items: list[tuple[str, str]]) -> str:
    return '<div class="facts">' + "".join(f'<div class="fact"><div class="k">{e(k)}</div><div class="v">'
                                            f"{e(v)}</div></div>" for k, v in items) + "</div>"


def _table(head: list[str], rows: list[list], num_from: int = 1, sortable: bool = False) -> str:
    cls = ' class="sortable"' if sortable else ""
    out = [f"<table{cls}><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>" + "".join(f'<td{" class=num" if i >= num_from else ""}>{e(v)}</td>'
                                    for i, v in enumerate(row)) + "</tr>")
    return "".join(out) + "</tbody></table>"


def when(iso) -> str:
    """'2025-07-15 12:00 -05:00' from an ISO time ('' if none)."""
    if not iso:
        return ""
    try:
        t = datetime.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    z = t.strftime("%z")
    return t.strftime("%Y-%m-%d %H:%M") + (f" {z[:3]}:{z[3:]}" if z else "")


def num(x, fmt: str = "{:,.2f}", none: str = "-") -> str:
    v = finite(x)
    return none if v is None else fmt.format(v)


def gap(x) -> str:
    v = finite(x)
    return "-" if v is None else "0%" if abs(v) < 1e-9 else f"{v * 100:.3g}%"


def result_page(data: ResultData, charts: list[Chart], notes: list[str]) -> str:
    s = data.summary
    status = str(s.get("status"))
    name = s.get("instance") or data.folder.name
    kind = f"{data.kind} result"
    hz = s.get("horizon") if isinstance(s.get("horizon"), dict) else {}
    nav = "".join(f'<a href="#{e(c.key)}">{e(c.title)}</a>' for c in charts) + '<a href="#tables">tables</a>'
    header = (f"<h1>{e(name)} <span class=\"sub\">{kind}</span><span class=\"badge "
              f"{STATUS_CLASS.get(status, 'bad')}\" id=\"status\">{e(status)}</span></h1>"
              f"<div class=\"sub\">{e(data.folder)} &middot; {e(when(hz.get('start')))} to {e(when(hz.get('end')))}"
              f" &middot; {e(hz.get('n_steps', '?'))} steps of {e(hz.get('step_minutes', '?'))} min"
              f" &middot; plan {e(s.get('plan_id', ''))}</div><nav>{nav}</nav>")
    jobs = s.get("jobs") or {}
    facts = [("objective", num(s.get("objective_usd"), "${:,.0f}")),
             ("MIP gap", gap(s.get("mip_gap"))),
             ("HiGHS time", num(s.get("solve_seconds"), "{:.2f} s")),
             ("grid import", num(s.get("grid_import_mwh"), "{:,.1f} MWh")),
             ("peak import", num(s.get("peak_import_mw"), "{:,.2f} MW")),
             ("CO2", num(s.get("co2_t"), "{:,.1f} t")), ("NOx", num(s.get("nox_kg"), "{:,.1f} kg")),
             ("inference shed", num(s.get("inference_shed_mwh"), "{:,.2f} MWh")),
             ("training unfinished", num(sum(finite(j.get("unfinished_mwh")) or 0.0 for j in jobs.values()
                                             if isinstance(j, dict)), "{:,.2f} MWh"))]
    body = [facts_html(facts)]
    if not data.has_schedule:
        diag = s.get("diagnosis") or []
        body.append("<section id=\"diagnosis\"><h2>No schedule</h2><p class=\"cap\">The solve ended "
                    f"<b>{e(status)}</b>, so there is no schedule to chart.</p>"
                    + ("<ul>" + "".join(f"<li>{e(d)}</li>" for d in diag) + "</ul>" if diag else "")
                    + "</section>")
    if data.diff:
        body.append(f'<section id="diff"><h2>What the re-plan changed (diff.txt)</h2><pre>{e(data.diff)}</pre>'
                    "</section>")
    body += [chart_html(c) for c in charts]
    if notes:
        body.append('<section id="notes"><h2>Not drawn</h2>' + "".join(f'<p class="note">{e(n)}</p>'
                                                                     for n in notes) + "</section>")
    if data.has_schedule:
        body.append(_result_tables(data))
    return document(f"energyopt report: {name}", header, "\n".join(body))


def _result_tables(data: ResultData) -> str:
    s = data.summary
    parts = ['<section id="tables"><h2>Tables</h2><div class="grid2">']
    costs = {k: finite(v) or 0.0 for k, v in (s.get("cost_breakdown_usd") or {}).items()}
    total = sum(costs.values())
    parts.append("<div><h3>Cost breakdown</h3>" + _table(
        ["term", "$", "share"], [[k.replace("_", " "), f"{v:,.2f}", f"{v / total:.1%}" if total else "-"]
                                 for k, v in costs.items()] + [["total", f"{total:,.2f}", ""]]) + "</div>")
    solver = s.get("solver") if isinstance(s.get("solver"), dict) else {}
    parts.append("<div><h3>Solver</h3>" + _table(["", ""], [
        ["status", s.get("status")], ["HiGHS status", solver.get("highs_status", "-")],
        ["MIP gap", gap(s.get("mip_gap"))], ["HiGHS seconds", num(s.get("solve_seconds"), "{:.3f}")],
        ["rows x columns", f"{solver.get('rows', '?')} x {solver.get('columns', '?')}"],
        ["integer columns", solver.get("integer_columns", "-")]]) + "</div>")
    parts.append("</div>")
    jobs = s.get("jobs") or {}
    if jobs:
        parts.append("<h3>Training jobs</h3>" + _table(
            ["job", "work required MWh", "done MWh", "unfinished MWh", "finish", "deadline", "starts", "restarts"],
            [[j, num(v.get("work_required_mwh")), num(v.get("work_done_mwh")), num(v.get("unfinished_mwh")),
              when(v.get("finish_time")), when(v.get("deadline")), v.get("starts", "-"),
              max(int(v.get("starts") or 0) - 1, 0)] for j, v in jobs.items() if isinstance(v, dict)]))
    gens = s.get("generator_run_hours") or {}
    if gens:
        parts.append("<h3>Generators</h3>" + _table(
            ["unit", "hours", "hours left (permit)", "starts", "output MWh", "fuel gal", "NOx kg", "NOx cap kg"],
            [[g, num(v.get("hours")), num(v.get("limit_hours")), v.get("starts", "-"), num(v.get("output_mwh")),
              num(v.get("fuel_gal"), "{:,.1f}"), num(v.get("nox_kg")), num(v.get("nox_cap_kg"))]
             for g, v in gens.items() if isinstance(v, dict)]))
    notices = [n for n in s.get("curtailment") or [] if isinstance(n, dict)]
    if notices:
        parts.append("<h3>Curtailment notices</h3>" + _table(
            ["notice", "issued", "start", "end", "cap MW", "highest import MW"],
            [[n.get("id"), when(n.get("issued")), when(n.get("start")), when(n.get("end")), num(n.get("cap_mw")),
              num(n.get("max_import_mw"))] for n in notices]))
    budgets = [b for b in s.get("permit_budgets") or [] if isinstance(b, dict)]
    if budgets:
        parts.append("<h3>Permit ledger windows</h3>" + _table(
            ["unit", "window", "metric", "limit", "used before", "this plan", "left after"],
            [[b.get("unit_id"), b.get("window"), b.get("metric"), num(b.get("limit")), num(b.get("used_before")),
              num(b.get("plan_uses")), num(b.get("remaining_after"))] for b in budgets], num_from=3))
    parts.append(economics_tables(s, _table, num))
    rp = s.get("replan")
    if isinstance(rp, dict):
        parts.append("<h3>Re-plan</h3>" + _table(["", ""], [
            ["now", when(rp.get("now"))], ["kept until", when(rp.get("fixed_until"))],
            ["steps kept", rp.get("fixed_steps", "-")], ["previous plan", rp.get("previous_plan_id", "-")],
            ["actuals", rp.get("actuals") or "-"]]))
    return "".join(parts) + "</section>"


def batch_page(data: BatchData, charts: list[Chart], table: str, out_file: Path) -> str:
    t = data.table
    counts = t["status"].astype(str).value_counts()
    header = (f"<h1>{e(data.folder.name)} <span class=\"sub\">batch</span><span class=\"badge "
              f"{'ok' if (t['status'] == 'optimal').all() else 'warn'}\" id=\"status\">{len(t)} case(s)</span></h1>"
              f"<div class=\"sub\">{e(data.folder)} &middot; swept: "
              f"{e(', '.join(c.removeprefix('swept.') for c in data.swept) or 'nothing (instance files)')}</div><nav>"
              + "".join(f'<a href="#{e(c.key)}">{e(c.title)}</a>' for c in charts)
              + '<a href="#table">summary table</a></nav>')
    best = t.loc[t["objective_usd"].idxmin()] if t["objective_usd"].notna().any() else None
    facts = [(f"{k}", str(v)) for k, v in counts.items()]
    if best is not None:
        facts.append(("lowest objective", f"${best['objective_usd']:,.0f}"))
    body = [facts_html(facts)] + [chart_html(c) for c in charts]
    body.append('<section id="table"><h2>Summary table</h2><p class="cap">summary.csv, one row per case; click '
                "a column's header to sort by it (again to reverse). Rows that did not solve to optimality are "
                f"shaded.</p>{table}</section>")
    return document(f"energyopt batch report: {data.folder.name}", header, "\n".join(body))
