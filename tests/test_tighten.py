"""After a solve stopped at a limit, auxiliary variables are set to what the schedule implies."""
from pathlib import Path

import pyomo.environ as pyo
import pytest

import energyopt as eo
from energyopt.model import build_model, cost_terms, tighten_solution
from energyopt.solver import SolveOptions, solve_model

SMALL = Path(__file__).resolve().parent.parent / "instances" / "small" / "small.toml"


def test_starts_and_peak_follow_the_schedule():
    inst = eo.load_instance(SMALL)
    inst.grid.demand_charge_usd_per_kw = 1.0
    m = build_model(inst)
    assert solve_model(m, SolveOptions(mip_rel_gap=0)).status is eo.SolveStatus.OPTIMAL
    # What a solver stopped early may leave: a start in every step and a peak above every import.
    for k in m.generators.Start:
        m.generators.Start[k].set_value(1.0)
    m.grid.Peak_MW.set_value(1000.0)
    tighten_solution(m)
    on = [round(pyo.value(m.generators.On["G1", t])) for t in range(6)]
    starts = sum(max(b - a, 0) for a, b in zip([0] + on, on))
    assert [pyo.value(m.generators.Start["G1", t]) for t in range(6)] == \
        [float(max(b - a, 0)) for a, b in zip([0] + on, on)]
    # small.toml: G1 costs $50 a start.
    assert pyo.value(cost_terms(m)["startup"]) == pytest.approx(50.0 * starts)
    assert pyo.value(m.grid.Peak_MW) == pytest.approx(max(pyo.value(m.grid.Import_MW[t]) for t in range(6)))
