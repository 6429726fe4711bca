"""Why a re-plan's cost moved: each changed cost term tied to its cause, with the figures that add up to it.

Made from the two result tables and summaries (and, when given, the new instance, for what kind of dispatch
each genset has). Every figure is recomputed from ``steps.csv`` columns the two plans share:

- **energy** (price x import x step) splits exactly into the fixed past (the steps before "now", as they
  ran), the price effect (open steps: price change x the old plan's import) and the quantity effect (open
  steps: import change x the new price), the last inside the windows of notices added or changed and
  elsewhere;
- **fuel** and **startup**: the gensets' change in output, unit-hours and starts, their cost per MWh of
  output (fuel, and fuel plus start-ups) against the grid price where their output rose;
- **inference_shed**, **unfinished_work**, **carbon**, **demand_charge**: the MWh, tonnes or MW behind them
  and the rate (change in $ / change in quantity);
- any other term: its change alone.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

EPS = 1e-6


def usd(x: float) -> str:
    """A signed dollar amount: ``+$2,310.00``, ``-$5,907.12``."""
    return f"{'-' if x < -0.005 else '+'}${abs(x):,.2f}"


def mwh(x: float) -> str:
    return f"{x:+,.2f} MWh"


def notice_windows(old_summary: dict, new_summary: dict, times, step) -> dict[str, np.ndarray]:
    """Each notice added or changed by the re-plan -> the steps its (new) window touches."""
    old_n = {x["id"]: x for x in old_summary.get("curtailment", [])}
    out = {}
    for x in new_summary.get("curtailment", []):
        a = old_n.get(x["id"])
        if a is not None and (a["start"], a["end"], a["cap_mw"]) == (x["start"], x["end"], x["cap_mw"]):
            continue
        s, e = pd.Timestamp(x["start"]), pd.Timestamp(x["end"])
        out[x["id"]] = np.array([t < e and t + step > s for t in times], dtype=bool)
    return out


def notice_label(x: dict) -> str:
    s, e = pd.Timestamp(x["start"]), pd.Timestamp(x["end"])
    return f"{x['id']} ({s:%H:%M}-{e:%H:%M}, cap {x['cap_mw']:g} MW)"


def _col(steps: pd.DataFrame, name: str, n: int) -> np.ndarray:
    return steps[name].to_numpy(dtype=float)[:n] if name in steps else np.zeros(n)


def _sum_cols(steps: pd.DataFrame, prefix: str, suffix: str, n: int) -> np.ndarray:
    cols = [c for c in steps.columns if c.startswith(prefix) and c.endswith(suffix)]
    return sum((steps[c].to_numpy(dtype=float)[:n] for c in cols), np.zeros(n))


def cost_why(old_summary: dict, old_steps: pd.DataFrame, new_summary: dict, new_steps: pd.DataFrame,
             times, step: pd.Timedelta, n: int, n_fixed: int, inst=None) -> list[dict]:
    """One entry per cost term that changed: ``{"term", "change_usd", "text", "parts": [...], ...figures}``."""
    dt = step / pd.Timedelta(hours=1)
    ob, nb = old_summary.get("cost_breakdown_usd", {}), new_summary.get("cost_breakdown_usd", {})
    change = {k: nb.get(k, 0.0) - ob.get(k, 0.0) for k in sorted(set(ob) | set(nb))}
    wins = notice_windows(old_summary, new_summary, times[:n], step)
    labels = {x["id"]: notice_label(x) for x in new_summary.get("curtailment", []) if x["id"] in wins}
    ctx = _Ctx(old_summary, old_steps, new_summary, new_steps, n, n_fixed, dt, wins, labels, inst)
    out = []
    for term, d in change.items():
        if abs(d) <= 0.005:
            continue
        explain = EXPLAIN.get(term)
        entry = explain(ctx, d) if explain is not None else {"text": "(no finer account of this term)"}
        out.append({"term": term, "change_usd": d, **entry})
    return out


class _Ctx:
    def __init__(self, old_summary, old_steps, new_summary, new_steps, n, n_fixed, dt, wins, labels, inst):
        self.os, self.ns, self.n, self.nf, self.dt = old_summary, new_summary, n, n_fixed, dt
        self.old, self.new = old_steps, new_steps
        self.wins, self.labels, self.inst = wins, labels, inst
        self.open = np.arange(n) >= n_fixed
        self.p0, self.p1 = _col(old_steps, "price_usd_per_mwh", n), _col(new_steps, "price_usd_per_mwh", n)
        self.in_window = np.zeros(n, dtype=bool)
        for w in wins.values():
            self.in_window |= w

    def where(self, mask: np.ndarray) -> str:
        """Which changed notices' windows the steps of ``mask`` lie in ("" if none)."""
        ids = [i for i, w in self.wins.items() if (w & mask).any()]
        return " and ".join(self.labels[i] for i in ids)


def _energy(c: _Ctx, d: float) -> dict:
    i0, i1 = _col(c.old, "grid_import_mw", c.n), _col(c.new, "grid_import_mw", c.n)
    fixed = ~c.open
    past = float(((c.p1 * i1 - c.p0 * i0) * c.dt)[fixed].sum())
    price = float(((c.p1 - c.p0) * i0 * c.dt)[c.open].sum())
    dq = (i1 - i0) * c.dt
    inside = c.open & c.in_window
    outside = c.open & ~c.in_window
    parts = []
    if inside.any() and np.abs(dq[inside]).sum() > EPS:
        q, usd_ = float(dq[inside].sum()), float((c.p1 * dq)[inside].sum())
        mean = float(c.p1[inside].mean())
        rate = f"at ${usd_ / q:,.2f}/MWh where it changed" if abs(q) > EPS else "net zero MWh"
        parts.append({"cause": "notice", "usd": usd_, "mwh": q, "text": (
            f"{usd(usd_)}: {abs(q):,.2f} MWh {'less' if q < 0 else 'more'} grid import inside the window of "
            f"{c.where(inside)}, {rate} (mean price in the window ${mean:,.2f}/MWh)")})
    if outside.any() and np.abs(dq[outside]).sum() > EPS:
        q, usd_ = float(dq[outside].sum()), float((c.p1 * dq)[outside].sum())
        less, more = float(-dq[outside][dq[outside] < 0].sum()), float(dq[outside][dq[outside] > 0].sum())
        lo = float((c.p1 * dq)[outside & (dq < 0)].sum())
        hi = float((c.p1 * dq)[outside & (dq > 0)].sum())
        bits = []
        if less > EPS:
            bits.append(f"{less:,.2f} MWh less at ${-lo / less:,.2f}/MWh")
        if more > EPS:
            bits.append(f"{more:,.2f} MWh more at ${hi / more:,.2f}/MWh")
        where = "outside the windows of the new notices" if c.wins else "in the open steps"
        parts.append({"cause": "redispatch", "usd": usd_, "mwh": q,
                      "text": f"{usd(usd_)}: import moved {where}: {', '.join(bits)} (net {mwh(q)})"})
    dp = (c.p1 - c.p0)[c.open]
    if np.abs(dp).max(initial=0) > EPS:
        k = np.abs(dp) > EPS
        parts.append({"cause": "prices", "usd": price, "steps": int(k.sum()), "text": (
            f"{usd(price)}: prices changed in {int(k.sum())} open step(s) (by {dp[k].min():+,.2f} to "
            f"{dp[k].max():+,.2f} $/MWh), valued at the import of the old plan")})
    if abs(past) > 0.005 or c.nf:
        differs = int((np.abs(i1 - i0)[fixed] > EPS).sum())
        dmwh = float(((i1 - i0) * c.dt)[fixed].sum())
        ran = float((c.p1 * (i1 - i0) * c.dt)[fixed].sum())
        how = [f"the actuals differ from the plan in {differs} of them (import {mwh(dmwh)}, {usd(ran)})"
               if differs else "as planned"]
        repriced = int((np.abs(c.p1 - c.p0)[fixed] > EPS).sum())
        if repriced:
            how.append(f"the new instance prices {repriced} of them differently "
                       f"({usd(past - ran)} at the import of the old plan)")
        parts.append({"cause": "past", "usd": past, "mwh": dmwh, "steps_differ": differs, "text": (
            f"{usd(past)}: the past is fixed: the {c.nf} step(s) before now + response as they ran, "
            + "; ".join(how))})
    causes = {"notice": "a new notice", "redispatch": "re-dispatch", "prices": "prices", "past": "the fixed past"}
    summary = ", ".join(f"{causes[p['cause']]} {usd(p['usd'])}" for p in parts if abs(p["usd"]) > 0.005)
    return {"text": parts[0]["text"] if len(parts) == 1 else summary, "parts": parts}


def _gen_ids(s: dict) -> list[str]:
    return list((s.get("generator_run_hours") or {}).keys())


def _gensets(c: _Ctx, d: float, term: str) -> dict:
    g0 = _sum_cols(c.old, "generator.", ".output_mw", c.n)
    g1 = _sum_cols(c.new, "generator.", ".output_mw", c.n)
    dg = (g1 - g0) * c.dt
    oh, nh = c.os.get("generator_run_hours") or {}, c.ns.get("generator_run_hours") or {}
    ids = sorted(set(oh) | set(nh))
    out_mwh = {g: nh.get(g, {}).get("output_mwh", 0.0) - oh.get(g, {}).get("output_mwh", 0.0) for g in ids}
    hours = sum(nh.get(g, {}).get("hours", 0.0) - oh.get(g, {}).get("hours", 0.0) for g in ids)
    starts = sum(nh.get(g, {}).get("starts", 0) - oh.get(g, {}).get("starts", 0) for g in ids)
    q = float(dg.sum())
    if term == "startup":
        before = sum(oh.get(g, {}).get("starts", 0) for g in ids)
        after = sum(nh.get(g, {}).get("starts", 0) for g in ids)
        rate = f" at ${d / starts:,.2f} each" if starts else ""
        return {"starts_change": starts, "text": f"{starts:+d} start(s) ({before} -> {after}){rate}"}
    moved = [g for g in ids if abs(out_mwh[g]) > EPS]
    dispatch = {u.id: u.dispatch for u in getattr(c.inst, "generators", [])} if c.inst is not None else {}
    kind = {dispatch.get(g) for g in moved}
    kinds = {"notice_only": "notice-only ", "economic": "economic "}
    who = f"{kinds.get(next(iter(kind)), '') if len(kind) == 1 else ''}gensets {','.join(moved) or '-'}"
    rose = dg > EPS
    parts = [f"{who} run {hours:+,.2f} unit-hours, {mwh(q)} of output"]
    total = d + ((c.ns.get("cost_breakdown_usd", {}).get("startup", 0.0)
                  - c.os.get("cost_breakdown_usd", {}).get("startup", 0.0)) if term == "fuel" else 0.0)
    figures = {"output_mwh_change": q, "unit_hours_change": hours}
    if abs(q) > EPS:
        figures["fuel_usd_per_mwh"] = d / q
        parts.append(f"at ${d / q:,.2f}/MWh of output in {term}"
                     + (f" (${total / q:,.2f}/MWh with start-ups)" if term == "fuel" and abs(total - d) > 0.005 else ""))
    if rose.any():
        grid = float((c.p1 * dg)[rose].sum() / dg[rose].sum())
        figures["grid_usd_per_mwh_where_rose"] = grid
        parts.append(f"against grid energy at ${grid:,.2f}/MWh where their output rose")
    inside = c.where(rose | (dg < -EPS))
    lead = ""
    if inside and rose.any() and not (rose & ~c.in_window).any():
        lead = f"a new notice {inside} let " if "notice_only" in kind else f"inside notice {inside}: "
    return {**figures, "text": lead + ", ".join(parts)}


def _shed(c: _Ctx, d: float) -> dict:
    s0 = _sum_cols(c.old, "inference.", ".shed_mw", c.n) * c.dt
    s1 = _sum_cols(c.new, "inference.", ".shed_mw", c.n) * c.dt
    q = float((s1 - s0).sum())
    where = c.where(np.abs(s1 - s0) > EPS)
    rate = f" at ${d / q:,.2f}/MWh of penalty" if abs(q) > EPS else ""
    return {"shed_mwh_change": q,
            "text": f"{mwh(q)} of inference demand shed{rate}" + (f", inside the window of {where}" if where else "")}


def _unfinished(c: _Ctx, d: float) -> dict:
    oj, nj = c.os.get("jobs") or {}, c.ns.get("jobs") or {}
    bits = []
    for j in sorted(set(oj) | set(nj)):
        q = (nj.get(j, {}).get("unfinished_mwh") or 0.0) - (oj.get(j, {}).get("unfinished_mwh") or 0.0)
        if abs(q) > EPS:
            bits.append(f"job {j} leaves {mwh(q)} undone")
    total = sum(((nj.get(j, {}).get("unfinished_mwh") or 0.0) - (oj.get(j, {}).get("unfinished_mwh") or 0.0))
                for j in set(oj) | set(nj))
    rate = f" (penalty ${d / total:,.2f}/MWh of work)" if abs(total) > EPS else ""
    return {"unfinished_mwh_change": total, "text": "; ".join(bits) + rate}


def _carbon(c: _Ctx, d: float) -> dict:
    a, b = c.os.get("co2_t") or 0.0, c.ns.get("co2_t") or 0.0
    rate = f" at ${d / (b - a):,.2f}/t" if abs(b - a) > EPS else ""
    return {"text": f"CO2 {a:,.3f} t -> {b:,.3f} t{rate}"}


def _demand(c: _Ctx, d: float) -> dict:
    a, b = c.os.get("peak_import_mw"), c.ns.get("peak_import_mw")
    return {"text": f"the highest import {a:,.3f} MW -> {b:,.3f} MW" if a is not None and b is not None else ""}


EXPLAIN = {
    "energy": _energy,
    "fuel": lambda c, d: _gensets(c, d, "fuel"),
    "startup": lambda c, d: _gensets(c, d, "startup"),
    "inference_shed": _shed,
    "unfinished_work": _unfinished,
    "carbon": _carbon,
    "demand_charge": _demand,
}


def job_move_prices(moves: list[dict], delta_mwh: np.ndarray, prices: np.ndarray, spans: list) -> None:
    """Add each move's mean price (the new plan's prices, weighted by the energy moved) and its cost there."""
    for m, (a, b) in zip(moves, spans):
        e = delta_mwh[a:b]
        m["price_usd_per_mwh"] = float((prices[a:b] * e).sum() / e.sum()) if abs(e.sum()) > EPS else None
        m["energy_usd"] = float((prices[a:b] * e).sum())

