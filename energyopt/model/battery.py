"""Battery / UPS: charge, discharge, efficiency losses, a reserve kept for ride-through, a wear cost per MWh delivered
and a limit on cycles per local day."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from ..inputs.history import History
from ..inputs.schema import F, InstanceBase as Instance, Number, Section
from ..inputs.battery import Battery
from .component import BuildContext, Candidate, Column, Component, LinkedLevel, Role

CHARGE, DISCHARGE, STORED = "battery.charge_mw", "battery.discharge_mw", "battery.stored_mwh"


class BatteryCandidate(Section):
    """A battery ``energyopt plan`` sizes (``[battery]`` in the plan file): its MWh and MW are chosen."""

    capex_usd_per_mwh: Number = F(unit="$/MWh", ge=0, desc="cost of energy capacity")
    capex_usd_per_mw: Number = F(0.0, unit="$/MW", ge=0, desc="cost of power capacity (inverter)")
    fixed_om_usd_per_mwh_year: Number = F(0.0, unit="$/MWh-yr", ge=0, desc="fixed O&M per MWh installed")
    life_years: Number = F(15.0, unit="yr", gt=0, le=60, desc="economic life")
    max_mwh: Number = F(unit="MWh", ge=0, desc="largest energy capacity considered")
    max_mw: Number = F(unit="MW", ge=0, desc="largest power capacity considered")
    round_trip_efficiency: Number = F(0.88, gt=0, le=1, desc="energy out / energy in")
    initial_fraction: Number = F(0.5, ge=0, le=1, desc="stored share at the start and (at least) at the end")


@dataclass(frozen=True)
class BatterySizing:
    """A battery whose size the plan chooses: ``energy`` (MWh) and ``power`` (MW) are Pyomo variables."""
    energy: object
    power: object
    max_mwh: float
    max_mw: float
    round_trip_efficiency: float
    initial_fraction: float


def build(b: pyo.Block, inst: Instance, ctx: BuildContext | None = None) -> None:
    """The site's battery (``inst.battery``), or one the plan sizes (``ctx.sized("battery")``)."""
    sized: BatterySizing | None = ctx.sized("battery") if ctx is not None else None
    n = inst.time.n_steps
    T = range(n)
    dt = inst.time.dt_hours
    if sized is None:
        bat = inst.battery
        eta, pmax, emax, init = math.sqrt(bat.round_trip_efficiency), bat.power_mw, bat.energy_mwh, bat.initial_fraction
        low = bat.reserve_fraction * bat.energy_mwh
    else:
        eta, pmax, emax, init = math.sqrt(sized.round_trip_efficiency), sized.max_mw, sized.max_mwh, sized.initial_fraction
        low = 0.0

    linked = ctx is not None and ctx.link_storage
    b.Charge_MW = pyo.Var(T, bounds=(0.0, pmax))
    b.Discharge_MW = pyo.Var(T, bounds=(0.0, pmax))
    b.Charging = pyo.Var(T, domain=pyo.Binary)
    # Linked across a plan's periods: the level is relative to the period's start (model/linking.py).
    b.Stored_MWh = pyo.Var(range(n + 1), bounds=(-emax, emax) if linked else (low, emax))
    if sized is not None:   # the chosen size bounds the flows (and, below, the level)
        b.sized_charge = pyo.Constraint(T, rule=lambda _, t: b.Charge_MW[t] <= sized.power)
        b.sized_discharge = pyo.Constraint(T, rule=lambda _, t: b.Discharge_MW[t] <= sized.power)
    high = emax if sized is None else sized.energy
    start = init * high
    if linked:
        b.Stored_MWh[0].fix(0.0)
        b.linked_level = LinkedLevel(b.Stored_MWh, n, low, high, start)
    elif sized is None:
        b.Stored_MWh[0].fix(start)
    else:
        b.sized_level = pyo.Constraint(range(n + 1), rule=lambda _, t: b.Stored_MWh[t] <= sized.energy)
        b.sized_start = pyo.Constraint(expr=b.Stored_MWh[0] == start)
    # No charging and discharging in the same step (it would burn energy at negative prices).
    b.charge_mode = pyo.Constraint(T, rule=lambda _, t: b.Charge_MW[t] <= pmax * b.Charging[t])
    b.discharge_mode = pyo.Constraint(T, rule=lambda _, t: b.Discharge_MW[t] <= pmax * (1 - b.Charging[t]))
    b.energy_balance = pyo.Constraint(T, rule=lambda _, t: b.Stored_MWh[t + 1] == b.Stored_MWh[t]
                                      + dt * (eta * b.Charge_MW[t] - b.Discharge_MW[t] / eta))
    if not linked:
        b.end_level = pyo.Constraint(expr=b.Stored_MWh[n] >= start)
    b.supply_mw = pyo.Expression(T, rule=lambda _, t: b.Discharge_MW[t] - b.Charge_MW[t])
    bat = inst.battery if sized is None else None
    # Energy delivered on each local day at most max_cycles_per_day full cycles of energy_mwh.
    days = [(d, steps) for d, (_, steps) in enumerate(inst.time.local_days)] \
        if bat is not None and bat.max_cycles_per_day is not None else []
    b.cycles_per_day = pyo.Constraint([d for d, _ in days], rule=lambda _, d: dt * sum(
        b.Discharge_MW[t] for t in days[d][1]) <= bat.max_cycles_per_day * bat.energy_mwh)
    b.cycles_after_now = pyo.Constraint(pyo.Any)   # filled only when re-planning (see fix)
    wear = bat.throughput_cost_usd_per_mwh if bat is not None else 0.0
    b.cost_usd = pyo.Expression(["battery_wear"], rule=lambda _, k: wear * dt * sum(b.Discharge_MW[t] for t in T)
                                if wear else 0.0)


def fix(b: pyo.Block, inst: Instance, history: History) -> None:
    """Steps before "now": battery charge and discharge as they were."""
    charge, discharge = history.get(CHARGE), history.get(DISCHARGE)
    if charge is None or discharge is None:
        return
    for t in history.fixed_steps():
        b.Charge_MW[t].fix(float(charge[t]), skip_validation=True)
        b.Discharge_MW[t].fix(float(discharge[t]), skip_validation=True)
        b.Charging[t].fix(1 if charge[t] > 1e-9 else 0)
    # A day begun before "now" keeps what is left of its cycles; delivered beyond them is history, not infeasible.
    k, dt = history.n_fixed, inst.time.dt_hours
    for d, (_, steps) in enumerate(inst.time.local_days):
        if d in b.cycles_per_day and steps[0] < k <= steps[-1]:
            left = inst.battery.max_cycles_per_day * inst.battery.energy_mwh - dt * float(
                sum(discharge[t] for t in steps if t < k))
            b.cycles_per_day[d].deactivate()
            b.cycles_after_now[d] = dt * sum(b.Discharge_MW[t] for t in steps if t >= k) <= max(left, 0.0)


def steps(inst: Instance, m, b: pyo.Block | None) -> dict[str, np.ndarray]:
    n = inst.time.n_steps
    return {CHARGE: np.array([pyo.value(b.Charge_MW[t]) for t in range(n)], dtype=float),
            DISCHARGE: np.array([pyo.value(b.Discharge_MW[t]) for t in range(n)], dtype=float),
            STORED: np.array([pyo.value(b.Stored_MWh[t]) for t in range(1, n + 1)], dtype=float)}


def _variables(m: pyo.Block, cand: BatteryCandidate) -> BatterySizing:
    m.Battery_MWh = pyo.Var(bounds=(0.0, cand.max_mwh))
    m.Battery_MW = pyo.Var(bounds=(0.0, cand.max_mw))
    return BatterySizing(m.Battery_MWh, m.Battery_MW, cand.max_mwh, cand.max_mw, cand.round_trip_efficiency,
                         cand.initial_fraction)


def _capex(m: pyo.Block, cand: BatteryCandidate, crf) -> dict:
    return {"battery": crf(cand.life_years) * (cand.capex_usd_per_mwh * m.Battery_MWh
                                               + cand.capex_usd_per_mw * m.Battery_MW),
            "fixed_om.battery": cand.fixed_om_usd_per_mwh_year * m.Battery_MWh}


def _sizes(m: pyo.Block) -> dict:
    return {"battery_mwh": float(pyo.value(m.Battery_MWh)), "battery_mw": float(pyo.value(m.Battery_MW))}


def _clash(site, cand) -> str | None:
    return "the site already has one; a candidate would replace it (give its size in the site, or remove it " \
        "there to size it here)" if site.battery is not None else None


def max_supply_mw(inst: Instance) -> np.ndarray:
    """The site's battery discharging at full power (a battery the plan sizes adds its own largest size)."""
    return np.full(inst.time.n_steps, inst.battery.power_mw if inst.battery is not None else 0.0)


COMPONENT = Component(
    name="battery", section=Battery, role=Role.SUPPLY | Role.SIZES,
    description="battery / UPS: charge, discharge, efficiency losses and a reserve kept for ride-through",
    present=lambda inst, ctx: inst.battery is not None or (ctx is not None and ctx.sized("battery") is not None),
    build=build, fix=fix, max_supply_mw=max_supply_mw,
    cost_terms=(("battery_wear", "throughput cost x energy the battery delivers"),),
    columns=(
        Column(CHARGE, "MW", "power drawn to charge", replan=True, chart="draw", label="battery charging"),
        Column(DISCHARGE, "MW", "power supplied by discharging", replan=True, chart="supply",
               label="battery discharge"),
        Column(STORED, "MWh", "energy stored at the end of the step"),
    ),
    steps=steps,
    candidate=Candidate(table="battery", section=BatteryCandidate, variables=_variables, capex=_capex, sizes=_sizes,
                        clash=_clash, description="candidate battery (size chosen)"),
)
