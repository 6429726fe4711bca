"""Lifecycle economics of a design against business as usual: upfront capex at year 0, the annual savings
in years 1..N, replacements of equipment whose life is shorter than the analysis period, and the residual
value of what is left at year N; NPV, simple payback and IRR (docs/plan.md, "Lifecycle").

    CF_0 = -upfront capex
    CF_t = savings - replacements_t (+ residual value at t = N),  t = 1..N
    NPV(r) = sum_t CF_t / (1 + r)^t;  IRR: the r > -1 with NPV(r) = 0 (null when none, or when several)
    simple payback = upfront capex / savings (null when savings <= 0)

An item of life L bought at year 0 is bought again at the years round(k L) < N (k = 1, 2, ...) at the same
real cost; at year N, the last one's unexpired share of its life, max(0, (y + L - N) / L), of its cost comes
back as residual value (straight-line). Savings are real (the discount rate is real) and the same each year.
"""
from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo

from ..registry import candidates

#: The range over which the IRR is sought: -99%/yr to 1,000%/yr.
IRR_RANGE = (-0.99, 10.0)


def npv(rate: float, flows: list[float]) -> float:
    return float(sum(cf / (1.0 + rate) ** t for t, cf in enumerate(flows)))


def irr(flows: list[float]) -> float | None:
    """The internal rate of return: the root of NPV(r) in :data:`IRR_RANGE`, found by scanning NPV on a fine
    grid (uniform in log(1 + r)) for sign changes and bisecting each to 1e-12. None when the flows never change
    sign, when NPV has no root in the range, or when it has more than one (the IRR is then undefined)."""
    signs = {np.sign(x) for x in flows if abs(x) > 1e-9}
    if signs != {-1.0, 1.0}:
        return None
    grid = np.expm1(np.linspace(math.log1p(IRR_RANGE[0]), math.log1p(IRR_RANGE[1]), 4001))
    t = np.arange(len(flows))
    values = (np.asarray(flows, dtype=float)[None, :] / (1.0 + grid[:, None]) ** t[None, :]).sum(axis=1)
    roots = []
    for i in range(len(grid) - 1):
        a, b, fa, fb = grid[i], grid[i + 1], values[i], values[i + 1]
        if fa == 0.0:
            roots.append(float(a))
        elif fa * fb < 0:
            for _ in range(200):
                mid = 0.5 * (a + b)
                fm = npv(mid, flows)
                if fa * fm <= 0:
                    b = mid
                else:
                    a, fa = mid, fm
                if b - a < 1e-12:
                    break
            roots.append(0.5 * (a + b))
    return float(roots[0]) if len(roots) == 1 else None


def cash_flows(years: int, items: list[tuple[str, float, float]], savings: float) -> list[float]:
    """Year 0..N: ``items`` are (name, upfront capex $, life years) of the equipment the design adds."""
    flows = [-sum(c for _, c, _ in items)] + [savings] * years
    for _, cost, life in items:
        bought = [0]
        k = 1
        while max(round(k * life), 1) < years:
            y = max(round(k * life), 1)
            flows[y] -= cost
            bought.append(y)
            k += 1
        flows[years] += cost * max(0.0, (bought[-1] + life - years) / life)
    return flows


def lifecycle(years: int, rate: float, items: list[tuple[str, float, float]], savings: float) -> dict:
    """plan.json's ``lifecycle`` section."""
    flows = cash_flows(years, items, savings)
    upfront = sum(c for _, c, _ in items)
    return {"analysis_years": years, "discount_rate": rate, "upfront_capex_usd": upfront,
            "annual_savings_usd": savings, "npv_usd": npv(rate, flows),
            "simple_payback_years": upfront / savings if savings > 0 else None,
            "irr": irr(flows), "cash_flows_usd": flows,
            "items": [{"item": k, "capex_usd": c, "life_years": life} for k, c, life in items]}


def upfront_items(plan, m) -> list[tuple[str, float, float]]:
    """(item, upfront capex $, life) of what a solved plan model ``m`` adds to the site: new genset units
    and each candidate's size (its ``capex`` hook with a recovery factor of 1 is its upfront cost)."""
    out = []
    for g in plan.genset_types:
        n = int(round(pyo.value(m.Units[g.id]))) - g.existing_units
        if n > 0:
            out.append((f"gensets.{g.id}", g.capex_usd * n, g.life_years))
    for c in candidates():
        cand = getattr(plan, c.candidate.table, None)
        if cand is None:
            continue
        for k, expr in c.candidate.capex(m, cand, lambda life: 1.0).items():
            cost = float(pyo.value(expr))
            if not k.startswith("fixed_om.") and cost > 1e-6:
                out.append((k, cost, cand.life_years))
    return out


def recurring_usd(annual: dict) -> float:
    """A year's recurring cost of an ``annual_cost_usd`` section: operations, fixed O&M and any capacity
    payment (negative), without the annualized capex the lifecycle counts as cash at year 0."""
    fixed = sum(v for k, v in annual["capex_and_fixed_om"].items() if k.startswith("fixed_om."))
    return annual["operations"] + fixed + annual.get("demand_response_capacity", 0.0)


def economics_lines(summary: dict) -> list[str]:
    """The terminal's lines on business as usual, the lifecycle figures and a demand-response program."""
    out = []
    bau = summary.get("business_as_usual")
    if bau and bau.get("annual_cost_usd"):
        met = "meets every notice" if bau["feasible"] else bau["why"]
        out.append(f"  business as usual: ${bau['annual_cost_usd']['total']:,.0f}/yr; {met}")
    life = summary.get("lifecycle")
    if life:
        pay = f"{life['simple_payback_years']:.1f} yr" if life["simple_payback_years"] is not None else "never"
        irr = f"{100 * life['irr']:.1f}%" if life["irr"] is not None else "undefined"
        out.append(f"  against it: capex ${life['upfront_capex_usd']:,.0f}, savings ${life['annual_savings_usd']:,.0f}"
                   f"/yr, NPV ${life['npv_usd']:,.0f} over {life['analysis_years']} yr at "
                   f"{100 * life['discount_rate']:g}%, payback {pay}, IRR {irr}")
    dr = summary.get("demand_response")
    if dr:
        out.append(f"  {dr['program']}: {dr['offered_mw']:,.1f} MW offered, capacity ${dr['capacity_revenue_usd_per_year']:,.0f}"
                   f"/yr, events ${dr['event_revenue_usd_per_year']:,.0f}/yr, missed-notice charges "
                   f"${dr['missed_notice_penalty_usd_per_year']:,.0f}/yr")
    return out
