"""Battery / UPS: charge, discharge, efficiency losses and a reserve kept for ride-through."""
from __future__ import annotations

import math

import pyomo.environ as pyo

from ..inputs import Instance
from ..inputs.history import History


def build(b: pyo.Block, inst: Instance) -> None:
    n = inst.time.n_steps
    T = range(n)
    dt = inst.time.dt_hours
    bat = inst.battery
    eta = math.sqrt(bat.round_trip_efficiency)

    b.Charge_MW = pyo.Var(T, bounds=(0.0, bat.power_mw))
    b.Discharge_MW = pyo.Var(T, bounds=(0.0, bat.power_mw))
    b.Charging = pyo.Var(T, domain=pyo.Binary)
    b.Stored_MWh = pyo.Var(range(n + 1), bounds=(bat.reserve_fraction * bat.energy_mwh, bat.energy_mwh))
    b.Stored_MWh[0].fix(bat.initial_fraction * bat.energy_mwh)
    # No charging and discharging in the same step (it would burn energy at negative prices).
    b.charge_mode = pyo.Constraint(T, rule=lambda _, t: b.Charge_MW[t] <= bat.power_mw * b.Charging[t])
    b.discharge_mode = pyo.Constraint(T, rule=lambda _, t: b.Discharge_MW[t] <= bat.power_mw * (1 - b.Charging[t]))
    b.energy_balance = pyo.Constraint(T, rule=lambda _, t: b.Stored_MWh[t + 1] == b.Stored_MWh[t]
                                      + dt * (eta * b.Charge_MW[t] - b.Discharge_MW[t] / eta))
    b.end_level = pyo.Constraint(expr=b.Stored_MWh[n] >= bat.initial_fraction * bat.energy_mwh)
    b.supply_mw = pyo.Expression(T, rule=lambda _, t: b.Discharge_MW[t] - b.Charge_MW[t])


def fix(b: pyo.Block, inst: Instance, history: History) -> None:
    """Steps before "now": battery charge and discharge as they were."""
    charge, discharge = history.get("battery.charge_mw"), history.get("battery.discharge_mw")
    if charge is None or discharge is None:
        return
    for t in history.fixed_steps():
        b.Charge_MW[t].fix(float(charge[t]), skip_validation=True)
        b.Discharge_MW[t].fix(float(discharge[t]), skip_validation=True)
        b.Charging[t].fix(1 if charge[t] > 1e-9 else 0)
