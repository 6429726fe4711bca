"""A readable difference between a plan and its re-plan: what moved, what it costs, and why.

Made from the two result tables and summaries alone (what ``solve``/``replan`` wrote), so it can be
produced for any two plans of the same horizon; the new instance, when given, only names each genset's
dispatch. Why each cost term moved is :mod:`energyopt.ops.costwhy`'s account.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..check.physics import runs
from ..model.grid import notice_excess_mw
from .costwhy import cost_why, job_move_prices, usd

EPS = 1e-6


def step_times(steps: pd.DataFrame) -> list[pd.Timestamp]:
    """The table's step starts, each with its own UTC offset (a daylight-saving day has two)."""
    return [pd.Timestamp(t) for t in steps["timestamp"]]


def _span(times: list[pd.Timestamp], step: pd.Timedelta, a: int, b: int) -> str:
    start, end = times[a], times[b - 1] + step
    fmt = "%H:%M" if start.date() == (end - pd.Timedelta(seconds=1)).date() else "%m-%d %H:%M"
    return f"{start.strftime('%m-%d %H:%M')}-{end.strftime(fmt)}"


def plan_diff(old_summary: dict, old_steps: pd.DataFrame, new_summary: dict, new_steps: pd.DataFrame,
              n_fixed: int = 0, inst=None) -> dict:
    """The structured difference (JSON-ready) between the old plan and the new one; ``inst`` (the new
    instance, optional) names the gensets' dispatch in the cost account and gives each notice's allowance in a
    step it covers in part."""
    step = pd.Timedelta(minutes=new_summary["horizon"]["step_minutes"])
    dt = step / pd.Timedelta(hours=1)
    times = step_times(new_steps)
    n = min(len(old_steps), len(new_steps))
    out: dict = {"why": _why(old_summary, old_steps, new_summary, new_steps, times, step, n, n_fixed, inst)}
    ob, nb = old_summary.get("cost_breakdown_usd", {}), new_summary.get("cost_breakdown_usd", {})
    out["cost_usd"] = {"before": old_summary.get("objective_usd"), "after": new_summary.get("objective_usd"),
                       "by_term": {k: {"before": ob.get(k, 0.0), "after": nb.get(k, 0.0),
                                       "change": nb.get(k, 0.0) - ob.get(k, 0.0)} for k in sorted(set(ob) | set(nb))}}
    out["cost_why"] = cost_why(old_summary, old_steps, new_summary, new_steps, times, step, n, n_fixed, inst)
    prices = new_steps["price_usd_per_mwh"].to_numpy(dtype=float)[:n] if "price_usd_per_mwh" in new_steps else None
    out["emissions"] = {k: {"before": old_summary.get(k), "after": new_summary.get(k)} for k in ("co2_t", "nox_kg")}
    out["jobs"] = {}
    for jid, after in (new_summary.get("jobs") or {}).items():
        col = f"job.{jid}.power_mw"
        if col not in old_steps or col not in new_steps:
            continue
        delta = (new_steps[col].to_numpy()[:n] - old_steps[col].to_numpy()[:n]) * dt
        before = (old_summary.get("jobs") or {}).get(jid, {})
        spans = [r for sign in (-1, 1) for r in runs(sign * delta > EPS)]
        moves = [{"when": _span(times, step, a, b), "energy_mwh": float(delta[a:b].sum())} for a, b in spans]
        if prices is not None:
            job_move_prices(moves, delta, prices, spans)
        moves.sort(key=lambda m: m["when"])
        out["jobs"][jid] = {"moves": moves, "finish_before": before.get("finish_time"),
                            "finish_after": after.get("finish_time"),
                            "unfinished_before_mwh": before.get("unfinished_mwh"),
                            "unfinished_after_mwh": after.get("unfinished_mwh")}
    out["generators"] = {}
    for gid, after in (new_summary.get("generator_run_hours") or {}).items():
        col = f"generator.{gid}.on"
        old_on = old_steps[col].to_numpy()[:n] > 0.5 if col in old_steps else np.zeros(n, bool)
        new_on = new_steps[col].to_numpy()[:n] > 0.5
        before = (old_summary.get("generator_run_hours") or {}).get(gid, {})
        out["generators"][gid] = {"runs_before": [_span(times, step, a, b) for a, b in runs(old_on)],
                                  "runs_after": [_span(times, step, a, b) for a, b in runs(new_on)],
                                  "hours_before": before.get("hours"), "hours_after": after.get("hours")}
    fleet = [c for c in new_steps.columns if c.startswith("generator.") and c.endswith(".output_mw")]
    out["generator_fleet_unchanged"] = bool(fleet) and all(c in old_steps for c in fleet) and bool(np.allclose(
        sum(new_steps[c].to_numpy(dtype=float)[:n] for c in fleet),
        sum(old_steps[c].to_numpy(dtype=float)[:n] for c in fleet), atol=EPS))
    out["inference_shed_mwh"] = {"before": old_summary.get("inference_shed_mwh"),
                                 "after": new_summary.get("inference_shed_mwh")}
    out["notices"] = _notice_outcomes(new_summary, new_steps, times, step, n_fixed, inst)
    return out


def _why(old_summary, old_steps, new_summary, new_steps, times, step, n, n_fixed, inst=None) -> list[str]:
    why = []
    old_n = {x["id"]: x for x in old_summary.get("curtailment", [])}
    new_n = {x["id"]: x for x in new_summary.get("curtailment", [])}
    for nid in sorted(set(new_n) - set(old_n)):
        x = new_n[nid]
        why.append(f"notice {nid} added: issued {x['issued']}, {x['start']} to {x['end']}, import cap "
                   f"{x['cap_mw']:g} MW")
    for nid in sorted(set(old_n) - set(new_n)):
        why.append(f"notice {nid} cancelled ({old_n[nid]['start']} to {old_n[nid]['end']})")
    for nid in sorted(set(old_n) & set(new_n)):
        a, b = old_n[nid], new_n[nid]
        if (a["start"], a["end"], a["cap_mw"]) != (b["start"], b["end"], b["cap_mw"]):
            why.append(f"notice {nid} changed: {a['start']}-{a['end']} cap {a['cap_mw']:g} MW -> "
                       f"{b['start']}-{b['end']} cap {b['cap_mw']:g} MW")
    for col, what, unit in (("price_usd_per_mwh", "price forecast", "$/MWh"),
                            ("outdoor_temp_c", "temperature forecast", "C")):
        if col in old_steps and col in new_steps:
            d = new_steps[col].to_numpy()[n_fixed:n] - old_steps[col].to_numpy()[n_fixed:n]
            changed = np.abs(d) > EPS
            if changed.any():
                k = n_fixed + int(np.argmax(np.abs(d)))
                why.append(f"{what} changed in {int(changed.sum())} step(s) still open; largest "
                           f"{d[k - n_fixed]:+,.2f} {unit} at {times[k]:%m-%d %H:%M}")
    if n_fixed:
        why.append(f"the first {n_fixed} step(s) (to {times[n_fixed - 1] + step:%m-%d %H:%M}) are kept as they "
                   f"happened or were planned{_actuals_note(old_steps, new_steps, min(n_fixed, n), step, inst)}")
    if not why:
        why.append("no input changed; the new plan re-optimizes the same instance")
    return why


def _actuals_note(old_steps: pd.DataFrame, new_steps: pd.DataFrame, k: int, step: pd.Timedelta, inst=None) -> str:
    """Where the fixed steps as they ran differ from the plan: which decision columns (those a re-plan reads
    back, when the instance is given), in how many steps, and the grid import's difference."""
    if inst is not None:
        from ..registry import replan_columns
        decisions = set(replan_columns(inst))
    else:
        decisions = {c for c in new_steps.columns if c.startswith(("generator.", "job.", "battery.", "thermal_storage."))
                     or c.endswith(".served_mw")}
    cols = [c for c in new_steps.columns if c in old_steps and c in decisions]
    bad = [c for c in cols if (np.abs(new_steps[c].to_numpy(dtype=float)[:k]
                                      - old_steps[c].to_numpy(dtype=float)[:k]) > EPS).any()]
    if not bad:
        return ""
    steps_ = int(np.any([np.abs(new_steps[c].to_numpy(dtype=float)[:k] - old_steps[c].to_numpy(dtype=float)[:k])
                         > EPS for c in bad], axis=0).sum())
    imp = ""
    if "grid_import_mw" in new_steps and "grid_import_mw" in old_steps:
        d = float((new_steps["grid_import_mw"].to_numpy(dtype=float)[:k]
                   - old_steps["grid_import_mw"].to_numpy(dtype=float)[:k]).sum() * (step / pd.Timedelta(hours=1)))
        imp = f"; grid import {d:+,.2f} MWh"
    shown = ", ".join(bad[:4]) + (f" and {len(bad) - 4} more" if len(bad) > 4 else "")
    return f"; the actuals differ from the plan in {steps_} of them ({shown}{imp})"


def _notice_outcomes(summary, steps, times, step, n_fixed, inst=None) -> list[dict]:
    """Per notice, the steps whose import is above what it allows there: its cap for the part of the step its
    window covers, the interconnection (from the instance, when at hand) for the rest."""
    imp = steps["grid_import_mw"].to_numpy()
    out = []
    for x in summary.get("curtailment", []):
        s, e = pd.Timestamp(x["start"]), pd.Timestamp(x["end"])
        if inst is not None:
            excess = notice_excess_mw(inst.time, inst.site.interconnection_mw, s, e, x["cap_mw"], imp)
            over = [(int(k), float(excess[k])) for k in np.flatnonzero(excess > 1e-6)]
        else:
            ks = [k for k, t in enumerate(times) if t < e and t + step > s]
            over = [(k, imp[k] - x["cap_mw"]) for k in ks if imp[k] > x["cap_mw"] + 1e-6]
        out.append({"id": x["id"], "cap_mw": x["cap_mw"], "met": not over,
                    "missed_mw": max((v for _, v in over), default=0.0),
                    "missed_steps": [times[k].isoformat() for k, _ in over],
                    "missed_because_fixed": all(k < n_fixed for k, _ in over) if over else False})
    return out


def diff_text(d: dict) -> str:
    """The difference as a few lines a person reads."""
    lines = ["Why:"] + [f"  - {w}" for w in d["why"]]
    c = d["cost_usd"]
    if c["before"] is not None and c["after"] is not None:
        lines.append(f"Cost: ${c['before']:,.2f} -> ${c['after']:,.2f} ({c['after'] - c['before']:+,.2f})")
        lines += [f"  {k}: {v['change']:+,.2f}" for k, v in c["by_term"].items() if abs(v["change"]) > 0.005]
    if d.get("cost_why"):
        lines.append("Why the cost moved:")
        for w in d["cost_why"]:
            lines.append(f"  - {w['term']} {usd(w['change_usd'])}" + (f": {w['text']}" if w.get("text") else ""))
            parts = w.get("parts") or []
            if len(parts) > 1:
                lines += [f"      {p['text']}" for p in parts]
    e = d["emissions"]
    if e["co2_t"]["before"] is not None:
        lines.append(f"Emissions: CO2 {e['co2_t']['before']:,.3f} t -> {e['co2_t']['after']:,.3f} t; "
                     f"NOx {e['nox_kg']['before']:,.3f} kg -> {e['nox_kg']['after']:,.3f} kg")
    moved = {j: v for j, v in d["jobs"].items() if v["moves"]}
    lines.append("Jobs:" if moved else "Jobs: none moved")
    for j, v in moved.items():
        parts = ", ".join(f"{m['energy_mwh']:+,.2f} MWh {m['when']}" + (
            f" (at ${m['price_usd_per_mwh']:,.2f}/MWh)" if m.get("price_usd_per_mwh") is not None else "")
            for m in v["moves"])
        cost = sum(m.get("energy_usd", 0.0) for m in v["moves"])
        parts += f"; at the new prices its energy costs {usd(cost)}" if "price_usd_per_mwh" in v["moves"][0] else ""
        lines.append(f"  {j}: {parts}; finish {v['finish_before']} -> {v['finish_after']}"
                     + (f"; unfinished {v['unfinished_after_mwh']:,.2f} MWh" if v["unfinished_after_mwh"] else ""))
    changed = {g: v for g, v in d["generators"].items() if v["runs_before"] != v["runs_after"]}
    same = " (identical units trade places: the total genset output is unchanged)" if (
        changed and d.get("generator_fleet_unchanged")) else ""
    lines.append(f"Generators:{same}" if changed else "Generators: no change")
    for g, v in changed.items():
        lines.append(f"  {g}: now runs {', '.join(v['runs_after']) or 'never'} (was "
                     f"{', '.join(v['runs_before']) or 'off'}); {v['hours_before']:g} h -> {v['hours_after']:g} h")
    s = d["inference_shed_mwh"]
    if s["before"] is not None:
        lines.append(f"Inference shed: {s['before']:,.3f} MWh -> {s['after']:,.3f} MWh")
    for x in d["notices"]:
        if x["met"]:
            lines.append(f"Notice {x['id']}: import stays within {x['cap_mw']:g} MW")
        else:
            why = " (those steps were fixed: the site could not respond sooner)" if x["missed_because_fixed"] else ""
            lines.append(f"Notice {x['id']}: missed by up to {x['missed_mw']:,.3f} MW in "
                         f"{len(x['missed_steps'])} step(s) from {x['missed_steps'][0]}{why}")
    return "\n".join(lines) + "\n"
