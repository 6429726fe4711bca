"""Cooling: heat-removal capacity and COP against outdoor temperature, optional chilled-water storage."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from ..inputs import Instance
from ..inputs.history import History
from ..inputs.schema import interp_curve


def capacity_and_cop(inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Per-step heat-removal capacity (MW thermal) and COP from the outdoor temperature."""
    c = inst.cooling
    temp = c.outdoor_temp_c.values
    return c.rated_capacity_mw_th * interp_curve(c.capacity_derate_curve, temp), interp_curve(c.cop_curve, temp)


@dataclass(frozen=True)
class ThermalSizing:
    """A chilled-water tank whose size the plan chooses: ``energy`` (MWh thermal) is a Pyomo variable."""
    energy: object
    max_mwh_th: float
    c_rate_per_h: float
    initial_fraction: float


def build(b: pyo.Block, inst: Instance, it_load_mw, elastic: bool = False, sized: ThermalSizing | None = None) -> None:
    """``it_load_mw[t]``: the site's IT power, all of which becomes heat to remove."""
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
        b.Stored_MWh_th = pyo.Var(range(n + 1), bounds=(0.0, emax))
        if sized is None:
            b.Stored_MWh_th[0].fix(start)
        else:   # the chosen tank bounds the level and the flows
            b.sized_level = pyo.Constraint(range(n + 1), rule=lambda _, t: b.Stored_MWh_th[t] <= sized.energy)
            b.sized_charge = pyo.Constraint(T, rule=lambda _, t: b.Net_Charge_MW_th[t]
                                            <= sized.c_rate_per_h * sized.energy)
            b.sized_discharge = pyo.Constraint(T, rule=lambda _, t: -b.Net_Charge_MW_th[t]
                                               <= sized.c_rate_per_h * sized.energy)
            b.sized_start = pyo.Constraint(expr=b.Stored_MWh_th[0] == start)
        b.heat_balance = pyo.Constraint(T, rule=lambda _, t: b.Chill_MW_th[t] == it_load_mw[t] + b.Net_Charge_MW_th[t])
        b.storage_balance = pyo.Constraint(T, rule=lambda _, t: b.Stored_MWh_th[t + 1]
                                           == b.Stored_MWh_th[t] + dt * b.Net_Charge_MW_th[t])
        b.end_level = pyo.Constraint(expr=b.Stored_MWh_th[n] >= start)
    b.power_mw = pyo.Expression(T, rule=lambda _, t: b.Chill_MW_th[t] / float(cop[t]))


def fix(b: pyo.Block, inst: Instance, history: History) -> None:
    """Steps before "now": thermal storage flows as they were; the chillers' capacity is not enforced
    there (what the plant removed then is a fact, even if the forecast weather says it could not)."""
    for t in history.fixed_steps():
        b.capacity[t].deactivate()
    charge, discharge = history.get("thermal_storage.charge_mw_th"), history.get("thermal_storage.discharge_mw_th")
    if hasattr(b, "Net_Charge_MW_th") and charge is not None and discharge is not None:
        for t in history.fixed_steps():
            b.Net_Charge_MW_th[t].fix(float(charge[t] - discharge[t]), skip_validation=True)
