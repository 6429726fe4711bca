"""``energyopt simulate``: roll the day-ahead plan through consecutive days on real data.

Each local day is planned the day before (at ``plan_hour``) on the price forecast with the notices issued
by then, re-planned at the moment each later notice is issued (the site acts ``response_minutes`` after
that), executed as its last plan says, settled at the real-time price, and recorded in a permit ledger
whose remaining hours bound the next day's plan. The same days run under the naive policy
(:mod:`energyopt.ops.naive`) for comparison. See docs/simulate.md.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import swap_in
from ..inputs import InstanceError, load_instance
from ..inputs.errors import Problem
from ..inputs.notices import notice_iso
from ..model.grid import notice_excess_mw
from .dayfile import Template, write_day
from .simconfig import SimConfig, load_sim_config

EPS = 1e-6


@dataclass
class DayRecord:
    row: dict
    notices: list[dict] = field(default_factory=list)        #: per notice of the day: missed_mw, missed_mwh
    naive_notices: list[dict] = field(default_factory=list)  #: the same under the naive policy


def read_season(cfg: SimConfig, base: Path, tpl: Template) -> tuple[pd.DataFrame, dict[str, int]]:
    """The season's series on the simulation's steps (UTC index); gaps filled by linear interpolation."""
    path = base / cfg.series
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise InstanceError([Problem("series", f"cannot read the file: {exc}", str(path))], str(path)) from None
    wanted = {c for c in (cfg.price_forecast_column, cfg.price_actual_column, cfg.temperature_column,
                          cfg.carbon_column) if c}
    problems = [Problem(f"series column {c!r}", "not in the file", str(path)) for c in sorted(wanted)
                if c not in frame.columns]
    if "timestamp" not in frame.columns:
        problems.append(Problem("series", "no `timestamp` column", str(path)))
    if problems:
        raise InstanceError(problems, str(path))
    text = frame["timestamp"].astype(str).str.strip()
    aware = text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True)
    if aware.any() and not aware.all():
        raise InstanceError([Problem("timestamp", "mixes times with and without a UTC offset (first without: "
                                     f"row {int(np.flatnonzero(~aware.to_numpy())[0]) + 2})", str(path))], str(path))
    if aware.all():   # offsets may change across a daylight-saving change: parse each to UTC
        ts = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
    else:
        ts = pd.to_datetime(text, errors="coerce", format="ISO8601")
    bad = [i + 2 for i, t in enumerate(ts) if pd.isna(t)]
    if bad:
        raise InstanceError([Problem("timestamp", f"not an ISO time in row(s) {bad[:10]}", str(path))], str(path))
    if not aware.all():
        ts = ts.dt.tz_localize(tpl.tz, ambiguous="NaT", nonexistent="NaT")
        unclear = [i + 2 for i, t in enumerate(ts) if pd.isna(t)]
        if unclear:
            raise InstanceError([Problem("timestamp", f"local time in a daylight-saving gap or repeated hour in "
                                         f"row(s) {unclear[:10]}; write those times with a UTC offset",
                                         str(path))], str(path))
    ts = ts.dt.tz_convert("UTC")
    data = frame[sorted(wanted)].apply(pd.to_numeric, errors="coerce")
    data.index = pd.DatetimeIndex(ts)
    data = data[~data.index.isna()]
    data = data[~data.index.duplicated(keep="first")].sort_index()
    first = cfg.start_date
    steps = pd.DatetimeIndex(np.concatenate([tpl.day_steps(first + timedelta(days=k)).tz_convert("UTC").to_numpy()
                                             for k in range(cfg.days)]))
    if len(data) == 0 or steps[0] < data.index[0] - pd.Timedelta(hours=1) or steps[-1] > data.index[-1]:
        raise InstanceError([Problem("series", f"covers {data.index.min()} to {data.index.max()}, not the "
                                     f"simulated steps {steps[0]} to {steps[-1]}", str(path))], str(path))
    # Hourly (or coarser) data hold for their whole interval: forward-fill onto finer steps.
    joined = data.reindex(data.index.union(steps))
    filled = {c: int(joined[c].reindex(steps).isna().sum()) for c in joined.columns}
    joined = joined.interpolate(method="time", limit_area="inside").ffill().bfill()
    return joined.reindex(steps), filled


def run(cfg_path: str | Path, out_dir: str | Path, progress=None, solve_progress=None) -> dict:
    """Run the simulation of ``cfg_path`` and write it to ``out_dir`` (atomically: the folder appears whole).
    ``progress(done, total, row)`` hears of each day simulated; ``solve_progress`` is every solve's
    ``SolveOptions.progress``."""
    from ..ledger import Ledger

    t_start = time.perf_counter()
    cfg, base = load_sim_config(cfg_path)
    tpl = Template(base / cfg.site)
    season, filled = read_season(cfg, base, tpl)
    notices = _all_notices(cfg, base, tpl)
    out_dir = Path(out_dir)
    problem = out_problem(out_dir)
    if problem:
        raise InstanceError([Problem("--out", problem)], str(out_dir))
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.absolute().parent))
    try:
        ledger_path = work / "ledger.sqlite"
        if cfg.ledger:
            _copy_sqlite(base / cfg.ledger, ledger_path)
        ledger = Ledger(ledger_path, create=True, who="energyopt simulate")
        tz_name = tpl.raw["horizon"]["timezone"]
        known_units = ledger.units()
        for g in tpl.inst.generators:
            if g.id not in known_units:
                ledger.add_unit(g.id, tz_name, list(cfg.ledger_windows))
        days = []
        for k in range(cfg.days):
            d = cfg.start_date + timedelta(days=k)
            days.append(_simulate_day(cfg, tpl, season, notices, d, work / "days" / d.isoformat(), ledger,
                                      solve_progress))
            if progress is not None:
                progress(k + 1, cfg.days, days[-1].row)
        rows = pd.DataFrame([r.row for r in days])
        rows.to_csv(work / "days.csv", index=False)
        windows = ledger.show(as_of=cfg.start_date + timedelta(days=cfg.days - 1))
        windows.to_csv(work / "permit_windows.csv", index=False)
        summary = _totals(cfg, rows, days, windows, filled, notices, time.perf_counter() - t_start)
        (work / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
        (work / "report.txt").write_text(report_text(summary), encoding="utf-8")
        ledger.close()
        _replace_dir(work, out_dir)
    except BaseException:   # nothing half-built is left behind
        shutil.rmtree(work, ignore_errors=True)
        raise
    return summary


def _all_notices(cfg: SimConfig, base: Path, tpl: Template) -> list[dict]:
    from pydantic import ValidationError

    from . import events
    if cfg.notices_file:
        return list(events.read_notices(base / cfg.notices_file, timezone=tpl.tz))
    if cfg.random_notices:
        try:
            spec = events.EventSpec(**cfg.random_notices)
        except ValidationError as exc:
            raise InstanceError([Problem("random_notices." + ".".join(str(x) for x in e["loc"]), e["msg"])
                                 for e in exc.errors()], "random_notices") from None
        if spec.cap_mw is None and cfg.notice_baseline_mw is None:
            raise InstanceError([Problem("notice_baseline_mw", "random notices that cut a share of a baseline "
                                         "need notice_baseline_mw (or give random_notices.cap_mw)")],
                                "simulation")
        start = tpl.day_start(cfg.start_date).to_pydatetime()
        end = tpl.day_start(cfg.start_date + timedelta(days=cfg.days)).to_pydatetime()
        return list(events.draw_notices(spec, start, end, tpl.tz, cfg.notice_baseline_mw))
    return []


def _simulate_day(cfg, tpl: Template, season: pd.DataFrame, notices: list[dict], d: date, folder: Path,
                  ledger, solve_progress=None) -> DayRecord:
    from ..api import solve
    from ..ledger.budgets import plan_budgets
    from ..solver import SolveOptions
    from . import events
    from .naive import naive_schedule
    from .replan import replan

    opts = SolveOptions(time_limit_s=cfg.time_limit_s, mip_rel_gap=cfg.mip_gap, progress=solve_progress)
    steps = tpl.day_steps(d)
    day_start, day_end = steps[0], steps[-1] + pd.Timedelta(minutes=tpl.inst.time.step_minutes)
    plan_time = pd.Timestamp(datetime.combine(d - timedelta(days=1), datetime.min.time().replace(hour=cfg.plan_hour),
                                              tpl.tz))
    mine = events.notices_in(notices, day_start, day_end)
    known_raw = events.known_at(mine, plan_time)
    known = [notice_iso(n) for n in known_raw]
    later = sorted((n for n in mine if n not in known_raw), key=lambda n: pd.Timestamp(n["issued"]))
    day = season.loc[steps.tz_convert("UTC")]
    overrides = {"grid.price_usd_per_mwh": day[cfg.price_forecast_column].to_numpy()}
    if cfg.temperature_column:
        overrides["cooling.outdoor_temp_c"] = day[cfg.temperature_column].to_numpy()
    if cfg.carbon_column:
        overrides["grid.carbon_kg_per_mwh"] = day[cfg.carbon_column].to_numpy()
    actual = day[cfg.price_actual_column or cfg.price_forecast_column].to_numpy()
    inst_path = write_day(folder / "instance", tpl, d, overrides, known, cfg.name)
    inst = load_instance(inst_path)
    t0 = time.perf_counter()
    result = solve(inst, opts, budgets=plan_budgets(ledger, inst, cfg.notice_category), soften_notices=True)
    solve_s = time.perf_counter() - t0
    plans, final, status, replans_failed, softened = [], None, result.status.value, 0, 0
    if result.status.has_schedule:
        final = folder / "plan-0"
        result.write(final)
        plans.append(final)
    for k, n in enumerate(later, start=1):
        issued = pd.Timestamp(n["issued"])
        now = max(issued, day_start)
        if final is None or now >= day_end:
            continue
        # Issued the evening before: only what is left of the response time after midnight is lost.
        ready = issued + pd.Timedelta(minutes=cfg.response_minutes)
        response = max(0.0, (ready - now) / pd.Timedelta(minutes=1))
        t0 = time.perf_counter()
        r, diff = replan(final, now, response_minutes=response, add_notices=[notice_iso(n)], options=opts,
                         ledger=ledger, notice_category=cfg.notice_category)
        solve_s += time.perf_counter() - t0
        if r.steps is None:   # no schedule even with the notices softened: the previous plan stands
            replans_failed += 1
            continue
        from .diff import diff_text
        final = folder / f"replan-{k}"
        r.extra_files = {"diff.txt": diff_text(diff), "diff.json": json.dumps(diff, indent=2, default=str) + "\n"}
        r.write(final)
        plans.append(final)
        softened += r.status.value == "notices_softened"
    all_notices = [notice_iso(n) for n in mine]
    full = load_instance(inst_path, patch=lambda raw: raw.__setitem__("notices", all_notices)) if later else inst
    naive = naive_schedule(full, actual)
    row = {"date": d.isoformat(), "status": status, "plans": len(plans), "replans_failed": replans_failed,
           "replans_softened": softened,
           "notices": len(mine), "solve_seconds": solve_s}
    if final is not None:
        summ = json.loads((final / "summary.json").read_text())
        steps_df = pd.read_csv(final / "steps.csv")
        dt = tpl.inst.time.dt_hours
        imp = steps_df["grid_import_mw"].to_numpy()
        energy_actual = float(np.sum(imp * actual * dt))
        realized = summ["objective_usd"] - summ["cost_breakdown_usd"]["energy"] + energy_actual
        missed = _missed(all_notices, steps_df, full.time, full.site.interconnection_mw)
        ledger.record_plan(final, cfg.notice_category, allow_over=True)
        row.update({"plan_cost_usd": summ["objective_usd"], "realized_cost_usd": realized,
                    "energy_forecast_usd": summ["cost_breakdown_usd"]["energy"], "energy_actual_usd": energy_actual,
                    "generator_hours": sum(v["hours"] for v in summ["generator_run_hours"].values()),
                    "inference_shed_mwh": summ["inference_shed_mwh"],
                    "unfinished_mwh": sum(v["unfinished_mwh"] for v in summ["jobs"].values()),
                    "jobs_late": sum(1 for v in summ["jobs"].values() if v["unfinished_mwh"] > EPS),
                    "co2_t": summ["co2_t"], "nox_kg": summ["nox_kg"],
                    "notices_missed": sum(1 for m in missed if m["missed_mw"] > EPS),
                    "notice_missed_mw_max": max((m["missed_mw"] for m in missed), default=0.0),
                    "final_plan": str(final.relative_to(folder.parent.parent))})
        for gid, v in summ["generator_run_hours"].items():
            row[f"hours.{gid}"] = v["hours"]
    else:
        missed = [{"id": m["id"], "missed_mw": m["missed_mw"]} for m in naive.summary["curtailment"]]
        row.update({"realized_cost_usd": float(naive.summary["objective_usd"]), "plan_cost_usd": None, "generator_hours": 0.0,
                    "inference_shed_mwh": naive.summary["inference_shed_mwh"],
                    "unfinished_mwh": sum(v["unfinished_mwh"] for v in naive.summary["jobs"].values()),
                    "notices_missed": sum(1 for m in missed if m["missed_mw"] > EPS),
                    "notice_missed_mw_max": max((m["missed_mw"] for m in missed), default=0.0),
                    "diagnosis": " | ".join(result.diagnosis), "final_plan": None})
    row.update({"naive_cost_usd": float(naive.summary["objective_usd"]), "naive_inference_shed_mwh": naive.summary["inference_shed_mwh"],
                "naive_unfinished_mwh": sum(v["unfinished_mwh"] for v in naive.summary["jobs"].values()),
                "naive_notices_missed": sum(1 for m in naive.summary["curtailment"] if not m["met"]),
                "naive_notice_missed_mw_max": max((m["missed_mw"] for m in naive.summary["curtailment"]),
                                                  default=0.0)})
    naive_missed = [{"id": m["id"], "missed_mw": m["missed_mw"]} for m in naive.summary["curtailment"]]
    return DayRecord(row, missed, naive_missed)


def _missed(notices: list[dict], steps: pd.DataFrame, time, interconnection_mw: float) -> list[dict]:
    """Per notice, how far the plan's import is above what it allows (MW at worst, MWh in all): a step the
    notice covers in part is held to its cap for that part only (:func:`notice_excess_mw`)."""
    imp = steps["grid_import_mw"].to_numpy()
    out = []
    for n in notices:
        s, e = pd.Timestamp(n["start"]), pd.Timestamp(n["end"])
        cap = n["cap_mw"] if n.get("cap_mw") is not None else n["baseline_mw"] * (1 - n["reduction_fraction"])
        excess = notice_excess_mw(time, interconnection_mw, s, e, cap, imp)
        out.append({"id": n["id"], "missed_mw": float(excess.max()) if len(excess) else 0.0,
                    "missed_mwh": float(excess.sum() * time.dt_hours)})
    return out


def _totals(cfg, rows: pd.DataFrame, days: list[DayRecord], windows: pd.DataFrame, filled: dict,
            notices: list[dict], seconds: float) -> dict:
    def total(c):
        return float(rows[c].fillna(0).sum()) if c in rows else 0.0
    by_notice: dict[str, dict] = {}
    for r in days:
        for m in r.notices:
            x = by_notice.setdefault(m["id"], {"id": m["id"], "missed_mw": 0.0, "missed_mwh": 0.0})
            x["missed_mw"] = max(x["missed_mw"], m["missed_mw"])
            x["missed_mwh"] += m.get("missed_mwh", 0.0)
    missed = [x for x in by_notice.values() if x["missed_mw"] > EPS]
    naive_by_notice: dict[str, float] = {}
    for r in days:   # a notice across midnight counts once
        for m in r.naive_notices:
            naive_by_notice[m["id"]] = max(naive_by_notice.get(m["id"], 0.0), m["missed_mw"])
    return {
        "simulation": cfg.name, "start_date": cfg.start_date.isoformat(), "days": cfg.days,
        "optimized": {"realized_cost_usd": total("realized_cost_usd"), "plan_cost_usd": total("plan_cost_usd"),
                      "generator_hours": total("generator_hours"), "inference_shed_mwh": total("inference_shed_mwh"),
                      "unfinished_mwh": total("unfinished_mwh"), "jobs_late": int(total("jobs_late")),
                      "co2_t": total("co2_t"), "nox_kg": total("nox_kg"),
                      "notices": len(by_notice), "notices_met": len(by_notice) - len(missed), "notices_missed": missed,
                      "replans": int(total("plans") - (rows["plans"] > 0).sum()) if "plans" in rows else 0,
                      "days_without_plan": int((rows["status"].isin(["optimal", "time_limit_feasible", "notices_softened"]) == False).sum())},  # noqa: E712
        "naive": {"realized_cost_usd": total("naive_cost_usd"), "inference_shed_mwh": total("naive_inference_shed_mwh"),
                  "unfinished_mwh": total("naive_unfinished_mwh"), "notices_missed": sum(1 for v in naive_by_notice.values() if v > EPS)},
        "savings_usd": total("naive_cost_usd") - total("realized_cost_usd"),
        "permit_windows": windows.to_dict("records"),
        "series_values_filled": filled,
        "notices_total": len(notices),
        "seconds": {"total": seconds, "solving": total("solve_seconds")},
    }


def report_text(s: dict) -> str:
    o, n = s["optimized"], s["naive"]
    lines = [f"Simulation {s['simulation']}: {s['days']} days from {s['start_date']} "
             f"({s['seconds']['total']:.1f} s, of which solving {s['seconds']['solving']:.1f} s)",
             f"{'':28}{'optimized':>16}{'naive':>16}",
             f"{'realized cost ($)':28}{o['realized_cost_usd']:>16,.0f}{n['realized_cost_usd']:>16,.0f}",
             f"{'inference shed (MWh)':28}{o['inference_shed_mwh']:>16,.2f}{n['inference_shed_mwh']:>16,.2f}",
             f"{'training unfinished (MWh)':28}{o['unfinished_mwh']:>16,.2f}{n['unfinished_mwh']:>16,.2f}",
             f"{'notices missed':28}{len(o['notices_missed']):>16}{n['notices_missed']:>16}",
             f"optimizing saves ${s['savings_usd']:,.0f}; generators ran {o['generator_hours']:,.2f} h; "
             f"{o['notices']} notice(s), {o['notices_met']} met; {o['replans']} re-plan(s); jobs late on "
             f"{o['jobs_late']} job-day(s)"]
    for m in o["notices_missed"]:
        lines.append(f"  notice {m['id']} missed by up to {m['missed_mw']:,.3f} MW ({m['missed_mwh']:,.3f} MWh)")
    lines.append("Permit windows at the end:")
    for w in s["permit_windows"]:
        lines.append(f"  {w['unit_id']} {w['window']}: used {w['used']:,.2f} of {w['limit']:,.2f} "
                     f"(left {w['remaining']:,.2f})")
    gaps = {k: v for k, v in s["series_values_filled"].items() if v}
    if gaps:
        lines.append("Series values filled by interpolation: " + ", ".join(f"{k} {v}" for k, v in gaps.items()))
    return "\n".join(lines) + "\n"


def _copy_sqlite(src: Path, dst: Path) -> None:
    """A consistent copy of a live SQLite file (its own backup API, not a file copy)."""
    from ..ledger.windows import LedgerCorrupt
    try:
        with sqlite3.connect(f"file:{src}?mode=ro", uri=True) as a, sqlite3.connect(dst) as b:
            a.backup(b)
    except sqlite3.DatabaseError as exc:
        raise LedgerCorrupt(f"ledger {src} cannot be read as SQLite ({exc})") from None


def out_problem(out: Path) -> str | None:
    """Why ``out`` cannot receive a simulation (checked before simulating and again before replacing)."""
    if not out.exists():
        return None if out.absolute().parent.is_dir() else f"the folder {out.absolute().parent} does not exist"
    if not out.is_dir():
        return f"{out} exists and is not a folder"
    if not any(out.iterdir()):
        return None
    try:
        ok = "simulation" in json.loads((out / "summary.json").read_text())
    except (OSError, ValueError, TypeError):
        ok = False
    return None if ok else f"{out} exists and is not an energyopt simulation; refusing to replace it"


def _replace_dir(work: Path, out: Path) -> None:
    """Move the finished ``work`` folder to ``out``; an earlier simulation there is replaced, anything else
    is refused."""
    problem = out_problem(out)
    if problem:
        raise InstanceError([Problem("--out", problem)], str(out))
    swap_in(work, out)
