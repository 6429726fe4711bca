"""Lifecycle economics (energyopt/results/lifecycle.py): NPV, simple payback, IRR, replacements and residual
value, each derived by hand."""
from __future__ import annotations

import math

import pytest

from energyopt.results.lifecycle import cash_flows, irr, lifecycle, npv, recurring_usd


def test_npv_and_payback_of_a_five_year_case():
    # capex 1000, savings 300 a year for 5 years at 10%, life 5 (no replacement, nothing left at year 5):
    # NPV = -1000 + 300 (1 - 1.1^-5) / 0.1 = -1000 + 300 x 3.790787 = 137.236; payback 1000 / 300 = 3.333 yr.
    out = lifecycle(5, 0.10, [("x", 1000.0, 5.0)], 300.0)
    assert out["cash_flows_usd"] == [-1000.0, 300.0, 300.0, 300.0, 300.0, 300.0]
    assert out["npv_usd"] == pytest.approx(137.236, abs=1e-3)
    assert out["simple_payback_years"] == pytest.approx(1000 / 300)
    assert out["upfront_capex_usd"] == 1000.0 and out["annual_savings_usd"] == 300.0


def test_irr_of_a_two_year_case_by_the_quadratic_formula():
    # -100 + 60 x + 60 x^2 = 0 with x = 1 / (1 + r): x = (-60 + sqrt(60^2 + 4 x 60 x 100)) / 120,
    # r = 1 / x - 1 = 0.130662...
    x = (-60 + math.sqrt(60 ** 2 + 4 * 60 * 100)) / 120
    assert irr([-100.0, 60.0, 60.0]) == pytest.approx(1 / x - 1, rel=1e-9)


def test_irr_of_the_five_year_case_makes_its_npv_zero():
    r = irr([-1000.0] + [300.0] * 5)
    # 300 x annuity(r, 5) = 1000, the annuity factor written out independently
    assert 300 * (1 - (1 + r) ** -5) / r == pytest.approx(1000.0, rel=1e-9)
    assert 0.15 < r < 0.16


@pytest.mark.parametrize("flows", [[-100.0, -10.0, -5.0], [100.0, 10.0], [0.0, 0.0], [-100.0, 0.0, 0.0]])
def test_irr_is_null_without_a_sign_change(flows):
    assert irr(flows) is None


def test_irr_is_null_when_the_npv_has_two_roots():
    # -1 + 5 x - 6 x^2 = 0: x = 1/2 or 1/3, i.e. r = 100% or 200%: no single rate of return.
    assert npv(1.0, [-1.0, 5.0, -6.0]) == pytest.approx(0.0, abs=1e-12)
    assert npv(2.0, [-1.0, 5.0, -6.0]) == pytest.approx(0.0, abs=1e-12)
    assert irr([-1.0, 5.0, -6.0]) is None


def test_payback_is_null_when_nothing_is_saved():
    out = lifecycle(10, 0.05, [("x", 500.0, 10.0)], -10.0)   # life 10: nothing left at year 10
    assert out["simple_payback_years"] is None and out["irr"] is None
    out = lifecycle(10, 0.05, [], 0.0)
    assert out["npv_usd"] == 0.0 and out["simple_payback_years"] is None and out["irr"] is None


def test_a_short_life_is_bought_again_and_its_unexpired_share_comes_back_at_the_end():
    # Life 4 over 10 years: bought at 0, 4 and 8; at year 10 the last has 2 of its 4 years left: +50% of 100.
    # A life of 15 over 10 years is never bought again: 5 of 15 years left, +1/3 of 300.
    flows = cash_flows(10, [("a", 100.0, 4.0), ("b", 300.0, 15.0)], 50.0)
    expected = [-400.0] + [50.0] * 10
    expected[4] -= 100.0
    expected[8] -= 100.0
    expected[10] += 50.0 + 100.0
    assert flows == pytest.approx(expected)


def test_recurring_cost_leaves_out_the_annualized_capex():
    annual = {"capex_and_fixed_om": {"gensets.D": 1000.0, "fixed_om.D": 10.0, "battery": 5.0,
                                     "fixed_om.battery": 2.0},
              "operations": 100.0, "total": 1117.0, "demand_response_capacity": -30.0}
    assert recurring_usd(annual) == pytest.approx(100.0 + 12.0 - 30.0)
