"""Cooling: heat-removal capacity and COP against outdoor temperature, optional chilled-water storage."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from ..inputs.history import History
from ..inputs.schema import F, InstanceBase as Instance, Number, Section, interp_curve
from ..inputs.cooling import Cooling
from .component import BuildContext, Candidate, Column, Component, LinkedLevel, Role

TES_CHARGE, TES_DISCHARGE = "thermal_storage.charge_mw_th", "thermal_storage.discharge_mw_th"
TES_STORED = "thermal_storage.stored_mwh_th"


def capacity_and_cop(inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Per-step heat-removal capacity (MW thermal) and COP from the outdoor temperature."""
    c = inst.cooling
    temp = c.outdoor_temp_c.values
    return c.rated_capacity_mw_th * interp_curve(c.capacity_derate_curve, temp), interp_curve(c.cop_curve, temp)


class ThermalCandidate(Section):
    """A chilled-water tank ``energyopt plan`` sizes (``[thermal_storage]`` in the plan file)."""

    capex_usd_per_mwh_th: Number = F(unit="$/MWh thermal", ge=0, desc="cost of chilled-water storage capacity")
    fixed_om_usd_per_mwh_th_year: Number = F(0.0, unit="$/MWh thermal-yr", ge=0, desc="fixed O&M per MWh installed")
    life_years: Number = F(30.0, unit="yr", gt=0, le=60, desc="economic life")
    max_mwh_th: Number = F(unit="MWh thermal", ge=0, desc="largest tank considered")
    c_rate_per_h: Number = F(0.5, gt=0, le=10, unit="1/h",
                             desc="charge and discharge limit as a share of capacity per hour",
                             source="domain.md: one Virginia site sized for 2 h at peak cooling load (0.5/h)")
    initial_fraction: Number = F(0.5, ge=0, le=1, desc="stored share at the start and (at least) at the end")


@dataclass(frozen=True)
class ThermalSizing:
    """A chilled-water tank whose size the plan chooses: ``energy`` (MWh thermal) is a Pyomo variable."""
    energy: object
    max_mwh_th: float
    c_rate_per_h: float
    initial_fraction: float


def build(b: pyo.Block, inst: Instance, ctx: BuildContext | None = None) -> None:
    """The heat to remove is the site's IT power (``it_load_mw[t]`` of the enclosing block, summed by the ``site``
    stage); ``ctx.sized("thermal_storage")``: a chilled-water tank the plan sizes."""
    ctx = ctx or BuildContext()
    it_load_mw = b.parent_block().it_load_mw
    elastic, sized = ctx.elastic, ctx.sized("thermal_storage")
    n = inst.time.n_steps
    T = range(n)
    dt = inst.time.dt_hours
    cap, cop = capacity_and_cop(inst)
    tes = inst.cooling.thermal_storage

    b.Chill_MW_th = pyo.Var(T, bounds=lambda _, t: (0.0, None))
    if elastic:  # only for explaining an infeasible instance: heat the plant cannot remove
        b.Shortfall_MW_th = pyo.Var(T, bounds=(0.0, None))
    b.capacity = pyo.Constraint(T, rule=lambda _, t: b.Chill_MW_th[t]
                                <= float(cap[t]) + (b.Shortfall_MW_th[t] if elastic else 0))
    if tes is None and sized is None:
        b.heat_balance = pyo.Constraint(T, rule=lambda _, t: b.Chill_MW_th[t] == it_load_mw[t])
    else:
        # One net flow (charge > 0, discharge < 0): the tank is lossless, so separate charge and discharge
        # variables would only add equivalent schedules for the solver to sort through.
        if sized is None:
            lo, hi, emax = -tes.max_discharge_mw_th, tes.max_charge_mw_th, tes.capacity_mwh_th
            start = tes.initial_fraction * tes.capacity_mwh_th
        else:
            lo, hi, emax = -sized.c_rate_per_h * sized.max_mwh_th, sized.c_rate_per_h * sized.max_mwh_th, sized.max_mwh_th
            start = sized.initial_fraction * sized.energy
        b.Net_Charge_MW_th = pyo.Var(T, bounds=(lo, hi))
        # Linked across a plan's periods: the level is relative to the period's start (model/linking.py).
        b.Stored_MWh_th = pyo.Var(range(n + 1), bounds=(-emax, emax) if ctx.link_storage else (0.0, emax))
        if sized is not None:   # the chosen tank bounds the flows (and, below, the level)
            b.sized_charge = pyo.Constraint(T, rule=lambda _, t: b.Net_Charge_MW_th[t]
                                            <= sized.c_rate_per_h * sized.energy)
            b.sized_discharge = pyo.Constraint(T, rule=lambda _, t: -b.Net_Charge_MW_th[t]
                                               <= sized.c_rate_per_h * sized.energy)
        if ctx.link_storage:
            b.Stored_MWh_th[0].fix(0.0)
            b.linked_level = LinkedLevel(b.Stored_MWh_th, n, 0.0, emax if sized is None else sized.energy, start)
        elif sized is None:
            b.Stored_MWh_th[0].fix(start)
        else:
            b.sized_level = pyo.Constraint(range(n + 1), rule=lambda _, t: b.Stored_MWh_th[t] <= sized.energy)
            b.sized_start = pyo.Constraint(expr=b.Stored_MWh_th[0] == start)
        b.heat_balance = pyo.Constraint(T, rule=lambda _, t: b.Chill_MW_th[t] == it_load_mw[t] + b.Net_Charge_MW_th[t])
        b.storage_balance = pyo.Constraint(T, rule=lambda _, t: b.Stored_MWh_th[t + 1]
                                           == b.Stored_MWh_th[t] + dt * b.Net_Charge_MW_th[t])
        if not ctx.link_storage:
            b.end_level = pyo.Constraint(expr=b.Stored_MWh_th[n] >= start)
    b.load_mw = pyo.Expression(T, rule=lambda _, t: b.Chill_MW_th[t] / float(cop[t]))
    if elastic:
        b.elastic_mwh = pyo.Expression(expr=dt * sum(b.Shortfall_MW_th[t] for t in T))


def fix(b: pyo.Block, inst: Instance, history: History) -> None:
    """Steps before "now": thermal storage flows as they were; the chillers' capacity is not enforced
    there (what the plant removed then is a fact, even if the forecast weather says it could not)."""
    for t in history.fixed_steps():
        b.capacity[t].deactivate()
    charge, discharge = history.get(TES_CHARGE), history.get(TES_DISCHARGE)
    if hasattr(b, "Net_Charge_MW_th") and charge is not None and discharge is not None:
        for t in history.fixed_steps():
            b.Net_Charge_MW_th[t].fix(float(charge[t] - discharge[t]), skip_validation=True)


def steps(inst: Instance, m, b: pyo.Block | None) -> dict[str, np.ndarray]:
    n = inst.time.n_steps
    if b is None:
        return {"cooling_mw": np.zeros(n)}
    T = range(n)
    cap, cop = capacity_and_cop(inst)
    cols = {"outdoor_temp_c": inst.cooling.outdoor_temp_c.values, "cooling_capacity_mw_th": cap, "cooling_cop": cop,
            "cooling_chill_mw_th": np.array([pyo.value(b.Chill_MW_th[t]) for t in T], dtype=float)}
    if inst.cooling.thermal_storage is not None:
        net = np.array([pyo.value(b.Net_Charge_MW_th[t]) for t in T], dtype=float)
        cols[TES_CHARGE] = np.maximum(net, 0.0)
        cols[TES_DISCHARGE] = np.maximum(-net, 0.0)
        cols[TES_STORED] = np.array([pyo.value(b.Stored_MWh_th[t]) for t in range(1, n + 1)], dtype=float)
    cols["cooling_mw"] = np.array([pyo.value(b.load_mw[t]) for t in T], dtype=float)
    return cols


def _tank(inst) -> bool:
    return inst.cooling is not None and inst.cooling.thermal_storage is not None


def _plant(inst) -> bool:
    return inst.cooling is not None


def _variables(m: pyo.Block, cand: ThermalCandidate) -> ThermalSizing:
    m.Thermal_MWh_th = pyo.Var(bounds=(0.0, cand.max_mwh_th))
    return ThermalSizing(m.Thermal_MWh_th, cand.max_mwh_th, cand.c_rate_per_h, cand.initial_fraction)


def _capex(m: pyo.Block, cand: ThermalCandidate, crf) -> dict:
    return {"thermal_storage": crf(cand.life_years) * cand.capex_usd_per_mwh_th * m.Thermal_MWh_th,
            "fixed_om.thermal_storage": cand.fixed_om_usd_per_mwh_th_year * m.Thermal_MWh_th}


def _sizes(m: pyo.Block) -> dict:
    return {"thermal_storage_mwh_th": float(pyo.value(m.Thermal_MWh_th))}


def _clash(site, cand) -> str | None:
    if site.cooling is None:
        return "the site has no [cooling] for a tank to serve"
    if site.cooling.thermal_storage is not None:
        return ("the site already has one; a candidate would replace it (give its size in the site, or remove it "
                "there to size it here)")
    return None


COMPONENT = Component(
    name="cooling", section=Cooling, role=Role.HEAT | Role.LOAD | Role.SIZES,
    description="cooling: heat-removal capacity and COP against outdoor temperature, optional chilled-water storage",
    present=lambda inst, ctx: inst.cooling is not None,
    build=build, fix=fix,
    columns=(
        Column("outdoor_temp_c", "degC", "outdoor temperature (the instance's series)", when=_plant),
        Column("cooling_capacity_mw_th", "MW thermal", "heat the chillers can remove (rated x derate curve)",
               when=_plant),
        Column("cooling_cop", "", "the chillers' COP at the step's temperature", when=_plant),
        Column("cooling_chill_mw_th", "MW thermal", "heat the chillers remove (IT heat + tank charging)", when=_plant),
        Column(TES_CHARGE, "MW thermal", "chilled-water tank charging", replan=True, when=_tank),
        Column(TES_DISCHARGE, "MW thermal", "chilled-water tank discharging", replan=True, when=_tank),
        Column(TES_STORED, "MWh thermal", "cold stored at the end of the step", when=_tank),
        Column("cooling_mw", "MW", "electric power of the chillers (chill / COP; 0 without a cooling plant)",
               when=lambda inst: True),
    ),
    steps=steps,
    candidate=Candidate(table="thermal_storage", section=ThermalCandidate, variables=_variables, capex=_capex,
                        sizes=_sizes, clash=_clash, description="candidate chilled-water storage (size chosen)"),
)
