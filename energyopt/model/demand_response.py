"""A demand-response program in the plan: the MW offered (chosen once, ``m.DR_Offered_MW``), the capacity
payment for them (a year's revenue, a negative cost at the plan's top level), and per period the notices'
caps scaled by the offer, the event payment and the charge for a missed notice (cost terms of the period's
``demand_response`` block, so the objective and the reported figures sum the same expressions).

The scenarios' notices are the program's deployments at the full offer ``max_offer_mw`` (O_max). With B the
baseline (``baseline_mw``, default the interconnection I), C a notice's cap and f_t the share of step t the
notices cover, per step (as the time-weighted mean over the step, like the grid's own caps):

    b_t   = f_t min(B, I) + (1 - f_t) I                   the baseline
    cut_t = max(b_t - c_t, 0),  c_t the notices' cap       the cut asked at the full offer
    Import_t <= b_t - (O / O_max) cut_t + Miss_t           the cut scales with the offer O
    0 <= Paid_t <= f_t O,   Paid_t <= b_t - Import_t + Miss_t
    event revenue  = event price x dt x sum_t (Paid_t - Miss_t)   (what was curtailed below the baseline,
                     up to the offer, less what was missed)
    missed charge  = penalty x dt x sum_t Miss_t  (Miss_t only with a penalty, or in a softened evaluation)

These replace the grid's notice caps in the steps the notices touch (the grid's import bound there becomes
the interconnection). The fleet's floor rows (model/fleet.py) assume the hard caps, so they are dropped.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from ..inputs.demand_response import DemandResponse
from ..inputs.schema import InstanceBase as Instance
from .grid import cap_profile, import_cap_mw, notice_overrun_usd_per_mwh

TERMS = (("dr_event", "demand response: event payment (negative: revenue)"),
         ("dr_missed_notice", "demand response: charge for MWh drawn above what the offer allows"))


@dataclass(frozen=True)
class DemandResponseSizing:
    program: DemandResponse
    offer: object   #: Pyomo Var: the MW offered


def offer(m: pyo.Block, dr: DemandResponse) -> DemandResponseSizing:
    """The offer variable and the year's capacity payment (``m.dr_capacity_usd``, negative)."""
    m.DR_Offered_MW = pyo.Var(bounds=(0.0, dr.max_offer_mw))
    if dr.offer_mw is not None:
        m.DR_Offered_MW.fix(dr.offer_mw)
    m.dr_capacity_usd = pyo.Expression(expr=-dr.capacity_usd_per_mw * m.DR_Offered_MW)
    return DemandResponseSizing(dr, m.DR_Offered_MW)


def profiles(inst: Instance, dr: DemandResponse) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per step: the notices' share f_t, the baseline b_t and the cut at the full offer cut_t (see above)."""
    interconnection = inst.site.interconnection_mw
    windows = [(n.start, n.end) for n in inst.notices]
    share = 1.0 - cap_profile(inst.time, 1.0, [(a, b, 0.0) for a, b in windows])
    base_mw = interconnection if dr.baseline_mw is None else dr.baseline_mw
    base = cap_profile(inst.time, interconnection, [(a, b, base_mw) for a, b in windows])
    cut = np.maximum(base - import_cap_mw(inst), 0.0)
    return share, base, cut


def build(blk: pyo.Block, inst: Instance, sizing: DemandResponseSizing, soften: bool = False) -> None:
    """The program in one period ``blk`` (already populated from ``inst``, the period's instance)."""
    dr, offered = sizing.program, sizing.offer
    share, base, cut = profiles(inst, dr)
    g = blk.grid
    T = [int(t) for t in np.flatnonzero(share > 1e-12)]
    for t in T:   # the program's caps replace the grid's in the steps notices touch
        g.Import_MW[t].setub(float(inst.site.interconnection_mw))
        if hasattr(g, "notice_cap_soft"):
            g.notice_cap_soft[t].deactivate()
            g.Over_Cap_MW[t].fix(0.0)
    if hasattr(blk, "fleet"):
        blk.fleet.floor.deactivate()
    b = pyo.Block(concrete=True)
    blk.add_component("demand_response", b)
    penalty = dr.penalty_usd_per_mwh
    if penalty is None and soften:
        penalty = notice_overrun_usd_per_mwh(inst)
    b.Miss_MW = pyo.Var(T, bounds=(0.0, float(inst.site.interconnection_mw)))
    if penalty is None:
        b.Miss_MW.fix(0.0)
    b.cap = pyo.Constraint(T, rule=lambda _, t: g.Import_MW[t] <= float(base[t]) - float(cut[t]) / dr.max_offer_mw
                           * offered + b.Miss_MW[t])
    b.Paid_MW = pyo.Var(T, bounds=(0.0, None))
    if dr.event_usd_per_mwh <= 0:
        b.Paid_MW.fix(0.0)
    else:
        b.paid_offer = pyo.Constraint(T, rule=lambda _, t: b.Paid_MW[t] <= float(share[t]) * offered)
        b.paid_base = pyo.Constraint(T, rule=lambda _, t: b.Paid_MW[t] <= float(base[t]) - g.Import_MW[t]
                                     + b.Miss_MW[t])
    dt = inst.time.dt_hours
    b.missed_mwh = pyo.Expression(expr=dt * sum(b.Miss_MW[t] for t in T))
    b.event_mwh = pyo.Expression(expr=dt * sum(b.Paid_MW[t] - b.Miss_MW[t] for t in T)
                                 if dr.event_usd_per_mwh > 0 else 0.0)
    b.cost_usd = pyo.Expression([k for k, _ in TERMS], rule=lambda _, k: {
        "dr_event": -dr.event_usd_per_mwh * b.event_mwh,
        "dr_missed_notice": (penalty or 0.0) * b.missed_mwh}[k])
    blk.cost_blocks.append(b)


def overrun_mw(blk: pyo.Block) -> dict[int, float]:
    """Per step of one period, the MW drawn above what the notices allow (the program's miss, or a softened
    grid cap's overrun); empty when no cap was soft."""
    out: dict[int, float] = {}
    for var in ("demand_response.Miss_MW", "grid.Over_Cap_MW"):
        owner, name = var.split(".")
        sub = blk.component(owner)
        v = sub.component(name) if sub is not None else None
        if v is None:
            continue
        for t in v:
            x = pyo.value(v[t]) if v[t].value is not None else 0.0
            if x > 1e-6:
                out[t] = out.get(t, 0.0) + float(x)
    return out
