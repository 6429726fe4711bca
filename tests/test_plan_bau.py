"""Business as usual, lifecycle figures and demand response in `energyopt plan`, on plans known by hand.

Common site: 48 h from 2025-07-01 00:00 UTC at hourly steps, so a plan scales its operating cost to a year by
8,760 / 48 = 182.5. Price $40/MWh on July 1, $60/MWh on July 2 (a series file); interconnection 100 MW;
fixed IT load 20 MW unless a test says otherwise. Grid energy at 20 MW for the 48 h: 20 x 24 x (40 + 60) =
$48,000. Genset type D: 2.5 MW, no minimum load or no-load fuel, 70 gal/MWh at $3/gal = $210/MWh, may run in
notices only, no permit that binds (8,760 h a year), capex $1,000,000 a unit over 20 years at 7%:
CRF = 0.0943929..., $94,392.93 a year a unit. One notice on July 1 14:00-18:00 capping import at 15 MW.
"""
from __future__ import annotations

import json
import math

import pytest

from energyopt.inputs import InstanceError
from energyopt.model.plan import crf
from energyopt.ops.planning import run_plan

try:
    from .test_cli import assert_exit
except ImportError:
    from test_cli import assert_exit

SCALE = 8760 / 48
CAPEX = 1_000_000 * crf(0.07, 20)
SITE = """\
name = "two days"
[horizon]
start = "2025-07-01T00:00:00+00:00"
hours = 48
step_minutes = 60
[site]
interconnection_mw = 100.0
it_load_mw = {it}
[grid]
price_usd_per_mwh = {{ file = "prices.csv", column = "price" }}
"""
INFERENCE = """
[[inference]]
id = "chat"
demand_mw = 10.0
min_served_fraction = 0.0
shed_penalty_usd_per_mwh = 1000.0
"""
TYPE = """
[[genset_types]]
id = "D"
capacity_mw = 2.5
min_load_fraction = 0.0
fuel_noload_gal_per_h_per_mw = 0.0
fuel_slope_gal_per_mwh = 70.0
fuel_price_usd_per_gal = {fuel_price}
capex_usd = 1000000
fixed_om_usd_per_year = {fixed_om}
life_years = 20
max_units = 4
existing_units = {existing}
non_emergency_hours_per_year = 8760
dispatch = "{dispatch}"
"""


def changes_sign_at(flows, r, d=1e-7):
    """NPV of ``flows`` changes sign across [r - d, r + d] (a root within d of r, checked without the program's
    own root finder)."""
    def npv(x):
        return sum(cf / (1 + x) ** t for t, cf in enumerate(flows))
    return npv(r - d) * npv(r + d) < 0


def approx(x, rel=1e-6):
    return pytest.approx(x, rel=rel, abs=1e-6)


def write(folder, *, it=20.0, inference=False, existing=0, fixed_om=0.0, fuel_price=3.0, dispatch="notice_only",
          cap=15.0, extra="", notices=True):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "site.toml").write_text(SITE.format(it=it) + (INFERENCE if inference else ""))
    rows = ["timestamp,price"] + [f"2025-07-{1 + h // 24:02d}T{h % 24:02d}:00:00+00:00,{40.0 if h < 24 else 60.0}"
                                  for h in range(48)]
    (folder / "prices.csv").write_text("\n".join(rows) + "\n")
    (folder / "s0.csv").write_text("id,issued,start,end,cap_mw,reduction_fraction,baseline_mw\n"
                                   "E0,2025-06-30T14:00:00+00:00,2025-07-01T14:00:00+00:00,"
                                   f"2025-07-01T18:00:00+00:00,{cap},,\n")
    files = ["s0.csv"] if notices else []
    (folder / "plan.toml").write_text(
        f'name = "t"\nsite = "site.toml"\nmip_gap = 0.0\ncount_table = false\nscenario_files = {json.dumps(files)}\n'
        + extra + TYPE.format(existing=existing, fixed_om=fixed_om, fuel_price=fuel_price, dispatch=dispatch))
    return folder / "plan.toml"


def test_the_site_as_it_stands_meets_the_notice_with_its_own_units_so_the_design_saves_nothing(tmp_path):
    # Two existing units (fixed O&M $10,000 a year each) carry the 5 MW the notice cuts for 4 h: 20 MWh of fuel
    # at $210 = $4,200, and 20 MWh less from the grid at $40 = $800 less. Business as usual over the 48 h:
    # 48,000 - 800 + 4,200 = $51,400, a year 51,400 x 182.5 = $9,380,500; plus fixed O&M $20,000. The design
    # adds nothing (a third unit would only add capex), so it is business as usual: savings 0, NPV 0.
    s = run_plan(write(tmp_path, existing=2, fixed_om=10_000.0)).summary
    bau = s["business_as_usual"]
    assert bau["feasible"] is True and bau["why"] is None and bau["status"] == "optimal"
    assert bau["annual_cost_usd"]["operations"] == approx(51_400 * SCALE)
    assert bau["annual_cost_usd"]["capex_and_fixed_om"] == {"gensets.D": approx(0.0), "fixed_om.D": approx(20_000)}
    assert bau["annual_cost_usd"]["total"] == approx(51_400 * SCALE + 20_000)
    assert bau["cost_by_term_usd_per_year"]["energy"] == approx(47_200 * SCALE)
    assert bau["cost_by_term_usd_per_year"]["fuel"] == approx(4_200 * SCALE)
    (row,) = bau["scenarios"]
    assert row["notices_met"] == 1 and row["notices_missed"] == 0 and row["D.unit_hours"] == approx(8 * SCALE)
    assert s["sizes"]["gensets"] == {"D": 2}
    life = s["lifecycle"]
    assert life["upfront_capex_usd"] == 0 and life["annual_savings_usd"] == approx(0.0)
    assert life["npv_usd"] == approx(0.0) and life["simple_payback_years"] is None and life["irr"] is None


def test_a_site_that_cannot_meet_its_notice_is_evaluated_with_soft_caps_and_reported_infeasible(tmp_path):
    # No units: the fixed 20 MW cannot go under the 15 MW cap, so business as usual misses the notice by 5 MW
    # for 4 h: 20 MWh over the cap in 48 h, 20 x 182.5 = 3,650 MWh a year. Its operating cost is the grid at
    # 20 MW throughout, $48,000 x 182.5 (the softening penalty is not counted). The design buys 2 units:
    # (48,000 - 800 + 4,200) x 182.5 + 2 x 94,392.93 = $9,569,285.86 a year.
    s = run_plan(write(tmp_path)).summary
    assert s["sizes"]["gensets"] == {"D": 2}
    assert s["annual_cost_usd"]["total"] == approx(51_400 * SCALE + 2 * CAPEX)
    assert s["scenarios"][0]["notices_met"] == 1 and s["scenarios"][0]["notices_missed"] == 0
    bau = s["business_as_usual"]
    assert bau["feasible"] is False and "1 notice(s) missed" in bau["why"]
    (row,) = bau["scenarios"]
    assert row["notices_missed"] == 1 and row["notices_met"] == 0 and row["missed_notice_ids"] == ["E0"]
    assert row["notice_overrun_mwh"] == approx(20 * SCALE) and row["notice_caps_softened"] is True
    assert bau["annual_cost_usd"]["operations"] == approx(48_000 * SCALE)
    # savings = 48,000 x 182.5 - 51,400 x 182.5 < 0: meeting the notice costs $620,500 a year in operations.
    assert s["lifecycle"]["annual_savings_usd"] == approx(-3_400 * SCALE)
    life = s["lifecycle"]
    assert life["upfront_capex_usd"] == approx(2_000_000) and life["simple_payback_years"] is None
    # Every year loses money, but at year 25 the second set of units has 15 of its 20 years left (residual
    # $1.5M > the year's loss): the flows change sign, and their one root is a deeply negative rate.
    assert life["cash_flows_usd"][25] == approx(1_500_000 - 3_400 * SCALE)
    r = life["irr"]
    assert r is not None and r < -0.2
    assert changes_sign_at(life["cash_flows_usd"], r)


def test_units_that_run_for_price_pay_back_and_the_lifecycle_follows_by_hand(tmp_path):
    # No notice; D may run for price at 70 gal/MWh x $0.20 = $14/MWh, below both prices: every unit runs all
    # 48 h. A unit saves 2.5 x 24 x ((40 - 14) + (60 - 14)) = $4,320 in 48 h, 4,320 x 182.5 = $788,400 a year,
    # far above its $94,392.93 capex: all 4 units. Savings S = 4 x 788,400 = $3,153,600 a year; upfront $4M.
    # Over 25 years at 7% with a 20-year life: bought again at year 20 ($4M), and at year 25 the second set
    # has 15 of its 20 years left: residual 0.75 x $4M. NPV = -4M + S (1 - 1.07^-25) / 0.07 - 4M / 1.07^20
    # + 3M / 1.07^25; simple payback 4M / S = 1.268 years.
    s = run_plan(write(tmp_path, fuel_price=0.2, dispatch="economic", notices=False)).summary
    assert s["sizes"]["gensets"] == {"D": 4}
    bau = s["business_as_usual"]
    assert bau["feasible"] and bau["annual_cost_usd"]["operations"] == approx(48_000 * SCALE)
    life = s["lifecycle"]
    S = 4 * 788_400
    assert life["annual_savings_usd"] == approx(S)
    assert life["upfront_capex_usd"] == approx(4_000_000)
    npv = -4e6 + S * (1 - 1.07 ** -25) / 0.07 - 4e6 / 1.07 ** 20 + 3e6 / 1.07 ** 25
    assert life["npv_usd"] == approx(npv)
    assert life["simple_payback_years"] == approx(4e6 / S)
    assert len(life["cash_flows_usd"]) == 26 and life["cash_flows_usd"][20] == approx(S - 4e6)
    assert life["cash_flows_usd"][25] == approx(S + 3e6)
    assert life["analysis_years"] == 25 and life["discount_rate"] == 0.07
    # the IRR makes the NPV of these flows zero (checked independently of the root finder)
    r = life["irr"]
    assert r is not None and r > 0.7
    assert changes_sign_at(life["cash_flows_usd"], r)


# -- demand response ------------------------------------------------------------------------------------
# Fixed IT 10 MW and a 10 MW inference service that may be shed whole at $1,000/MWh; no gensets installed or
# worth buying here. The program: baseline 20 MW, offers up to 10 MW; the notice (cap 10 MW) is a deployment
# at the full offer, so an offer of O MW caps import at 20 - O for the 4 h. The site meets it by shedding O MW
# of inference, which costs $1,000 - $40 (the energy not bought) = $960/MWh: 4 x 960 = $3,840 per MW offered
# in 48 h, 3,840 x 182.5 = $700,800 per MW-yr. An event payment of $100/MWh for the 4 MWh per MW curtailed
# below the baseline earns 4 x 100 x 182.5 = $73,000 per MW-yr. Break-even capacity payment: $700,800/MW-yr
# without event payments, $627,800 with them.
DR = """
[demand_response]
program = "test program"
max_offer_mw = 10.0
baseline_mw = 20.0
capacity_usd_per_mw_year = {cap}
event_usd_per_mwh = {event}
{more}
"""


def dr_plan(tmp_path, cap, event=0.0, more=""):
    return write(tmp_path, it=10.0, inference=True, cap=10.0, fuel_price=50.0,
                 extra=DR.format(cap=cap, event=event, more=more))


@pytest.mark.parametrize("cap,event,offer", [(720_000, 0.0, 10.0), (680_000, 0.0, 0.0), (650_000, 100.0, 10.0),
                                             (600_000, 100.0, 0.0)])
def test_the_plan_offers_the_curtailment_when_its_payments_exceed_what_curtailing_costs(tmp_path, cap, event, offer):
    s = run_plan(dr_plan(tmp_path, cap, event)).summary
    dr = s["demand_response"]
    assert dr["offered_mw"] == approx(offer) and dr["program"] == "test program"
    assert dr["capacity_revenue_usd_per_year"] == approx(cap * offer)
    assert dr["event_revenue_usd_per_year"] == approx(4 * event * offer * SCALE)
    assert dr["missed_notice_penalty_usd_per_year"] == approx(0.0)
    # grid energy at 20 MW for 48 h less the shed energy at $40; the shed at $1,000/MWh; less the payments
    grid = (48_000 - 4 * offer * 40) * SCALE
    shed = 4 * offer * 1000 * SCALE
    assert s["annual_cost_usd"]["demand_response_capacity"] == approx(-cap * offer)
    assert s["annual_cost_usd"]["total"] == approx(grid + shed - cap * offer - 4 * event * offer * SCALE)
    assert s["objective_usd_per_year"] == approx(s["annual_cost_usd"]["total"])
    assert s["scenarios"][0]["inference_shed_mwh"] == approx(4 * offer * SCALE)


def test_a_missed_notice_is_charged_at_the_program_penalty_when_that_is_cheaper_than_curtailing(tmp_path):
    # The offer fixed at 10 MW, a penalty of $500/MWh below the $960/MWh of shedding: the site draws its 20 MW
    # through the notice and pays 10 MW x 4 h x 500 = $20,000 in 48 h, $3,650,000 a year; the notice is missed.
    s = run_plan(dr_plan(tmp_path, 100_000, more="offer_mw = 10.0\npenalty_usd_per_mwh = 500.0")).summary
    dr = s["demand_response"]
    assert dr["offered_mw"] == approx(10.0)
    assert dr["missed_notice_penalty_usd_per_year"] == approx(20_000 * SCALE)
    (row,) = s["scenarios"]
    assert row["notices_missed"] == 1 and row["notice_overrun_mwh"] == approx(40 * SCALE)
    assert row["inference_shed_mwh"] == approx(0.0)
    assert s["annual_cost_usd"]["total"] == approx(48_000 * SCALE + 20_000 * SCALE - 1_000_000)


@pytest.mark.parametrize("more,words", [
    ("offer_mw = 12.0", "offer_mw"),
    ("capacity_usd_per_mw_hour = 5.0", "availability_hours_per_year"),
    ("penalty_usd_per_mwh = -1.0", "penalty_usd_per_mwh"),
    ("bogus = 1", "bogus"),
])
def test_bad_demand_response_inputs_are_refused_naming_the_field(tmp_path, more, words):
    with pytest.raises(InstanceError, match=words) as err:
        run_plan(dr_plan(tmp_path, 0.0, more=more))
    assert "demand_response" in str(err.value)


def test_the_cli_refuses_a_bad_program_with_exit_3_and_writes_the_economics(run_cli, tmp_path):
    bad = dr_plan(tmp_path / "bad", 0.0, more="max_offer_mw_typo = 3")
    proc = run_cli("plan", bad, "--out", tmp_path / "o1")
    assert_exit(proc, 3)
    assert "demand_response" in proc.stderr and not (tmp_path / "o1").exists()
    ok = write(tmp_path / "ok")
    proc = run_cli("plan", ok, "--out", tmp_path / "o2")
    assert_exit(proc, 0)
    out = json.loads((tmp_path / "o2" / "plan.json").read_text())
    assert out["business_as_usual"]["feasible"] is False and out["lifecycle"]["analysis_years"] == 25
    assert math.isfinite(out["lifecycle"]["npv_usd"])
    assert "business as usual" in proc.stdout
