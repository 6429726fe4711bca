"""The part of docs/plan.md on business as usual, lifecycle economics and demand response (inserted by
``energyopt.inputs.plandocs``; kept here beside no code so the guide of each output sits in one place)."""

GUIDE = """\
## Business as usual (`plan.json` `business_as_usual`, `energyopt/ops/bau.py`)

Every plan also evaluates the site as it stands: each genset type at its `existing_units`, no candidate
battery, solar or tank, on the same scenarios and the same periods as the plan, in the same mode. One model
holds every scenario, with the notices' caps softened at a large penalty (`model/grid.py`, at least
$100,000/MWh, ten times any other cost per MWh of the site); a scenario that exceeds a cap there is solved
again with the caps hard. If that has a schedule, the scenario meets its notices; if not, its notices missed
(`notices_missed`, `missed_notice_ids`) and the year's MWh above their caps (`notice_overrun_mwh`) are
reported, `notice_caps_softened` is true, `feasible` is false and `why` says which scenario missed what. The softening penalty is the model's device, not a payment:
it shows as the term `notice_overrun` in `cost_by_term_usd_per_year` but is left out of `operations`, `total`
and the lifecycle savings. The section holds `status`, `feasible`, `why`, `annual_cost_usd` (shaped as the
plan's: `capex_and_fixed_om` by item, `operations`, `total`), `cost_by_term_usd_per_year` (each term's mean
over the scenarios) and `scenarios` (rows as the plan's, with `notices_met`, `notices_missed`,
`notice_overrun_mwh`). The plan's own scenario rows carry `notices_met` and `notices_missed` too (a plan
misses a notice only under a demand-response program with a penalty, below).

Worked example (`tests/test_plan_bau.py`): 48 h from July 1 (scaled to a year by 8,760 / 48 = 182.5), a
fixed 20 MW IT load, $40/MWh on day 1 and $60/MWh on day 2, one notice capping import at 15 MW for 4 h, a
candidate 2.5 MW genset at $210/MWh of fuel, none installed. As it stands the site cannot cut 5 MW: it
misses the notice by 5 MW for 4 h, 20 MWh, i.e. 3,650 MWh a year; its operations are the grid at 20 MW,
20 x 24 x (40 + 60) = $48,000, $8,760,000 a year; `feasible = false`. The design buys 2 units:
operations (48,000 - 4 x 5 x 40 + 20 x 210) x 182.5 = $9,380,500 a year plus 2 x $94,392.93 of capex.

## Lifecycle (`plan.json` `lifecycle`, `energyopt/results/lifecycle.py`)

The design against business as usual over `analysis_years` (default 25, REopt's analysis period) at
`discount_rate` (real, as for annualizing capex): `upfront_capex_usd` at year 0 (the units the design adds,
each candidate's size at its unit costs), `annual_savings_usd` = business as usual's (operations + fixed O&M
+ any capacity payment) minus the design's, the same each year 1..N (real terms). Equipment whose life is
shorter than the period is bought again at the years round(k x life) < N at the same real cost; at year N
the last purchase's unexpired share of its life, max(0, (bought + life - N) / life), of its cost comes back
as residual value (straight-line). `cash_flows_usd` lists years 0..N; `npv_usd` = sum CF_t / (1 + r)^t;
`simple_payback_years` = upfront capex / annual savings (null if the design saves nothing); `irr` is the
rate that makes the NPV zero, found by scanning -99%..1,000% a year for sign changes and bisecting; null
when the flows never change sign or the NPV has more than one root there (undefined). A residual value at
year N can give a design that loses money every year a (deeply negative) IRR: read it with the NPV.

Worked example: 4 units of $1,000,000 (life 20) that run for price save $3,153,600 a year; over 25 years at
7%: NPV = -4,000,000 + 3,153,600 x (1 - 1.07^-25) / 0.07 - 4,000,000 / 1.07^20 + 3,000,000 / 1.07^25 (the
second set bought at year 20 has 15 of its 20 years left at year 25); payback 4,000,000 / 3,153,600 =
1.27 years. With `capex 1000`, savings 300 a year, 5 years at 10%: NPV = -1000 + 300 (1 - 1.1^-5) / 0.1 =
137.24, IRR 15.2%, payback 3.3 years (`tests/test_lifecycle.py`).

## Demand response (`[demand_response]`, `energyopt/model/demand_response.py`)

An optional program that pays for curtailable MW committed (as ERCOT's ERS pays per MW and hour of its time
periods, and PJM's capacity market per MW-day; figures in docs/figures.md, Demand response). The plan then
also chooses the MW offered, `m.DR_Offered_MW` = O in [0, `max_offer_mw`] (or fixed by `offer_mw`). The
scenarios' notices are the program's deployments at the full offer O_max. With B the baseline (`baseline_mw`,
default the interconnection I), C a notice's cap and f_t the share of step t the notices cover (means over
the step, as the grid's own caps):

    b_t   = f_t min(B, I) + (1 - f_t) I                 the baseline of step t
    cut_t = max(b_t - c_t, 0)                           the cut asked at the full offer (c_t: the notices' cap)
    Import_t <= b_t - (O / O_max) cut_t + Miss_t        an offer of O MW asks O / O_max of the cut
    0 <= Paid_t <= f_t O,  Paid_t <= b_t - Import_t + Miss_t

So with `max_offer_mw` equal to B - C, an offer of O MW asks the site to stay O MW below its baseline during
each notice. These replace the grid's notice caps where notices fall (the fleet's floor rows, which assume the
hard caps, are dropped). The terms, each a cost expression the objective sums and plan.json reports:

- capacity payment: -(`capacity_usd_per_mw_year` + `capacity_usd_per_mw_hour` x `availability_hours_per_year`)
  x O, once a year (`annual_cost_usd.demand_response_capacity`, in `total`);
- event payment (term `dr_event`, negative): `event_usd_per_mwh` x dt x sum (Paid_t - Miss_t): the energy
  curtailed below the baseline during notices, up to the offer, less what was missed;
- missed notice (term `dr_missed_notice`): `penalty_usd_per_mwh` x dt x sum Miss_t; without a penalty Miss_t
  is 0 (the scaled caps are hard).

`plan.json` `demand_response`: `program`, `offered_mw`, `max_offer_mw`, `capacity_revenue_usd_per_year`,
`event_revenue_usd_per_year` and `missed_notice_penalty_usd_per_year` (means over the scenarios). Business as
usual keeps the program and chooses its own offer (no equipment is needed to enroll). An offer of 0 MW still keeps the site at its baseline during
notices: give `baseline_mw` at or above the site's highest draw, or leave it at the interconnection, for a
zero offer to cost nothing (with the interconnection as baseline the event payment counts every MW below it:
give the site's real baseline when the program pays events).

Worked example (`tests/test_plan_bau.py`): fixed IT 10 MW and a 10 MW inference service that may be shed at
$1,000/MWh; baseline 20 MW, `max_offer_mw = 10`, one 4-hour notice capping import at 10 MW. Each MW offered is
shed for 4 h at $1,000 - $40 (energy not bought) = $960/MWh: $3,840 per 48 h, $700,800 per MW-yr. An event
payment of $100/MWh adds 4 x 100 x 182.5 = $73,000 per MW-yr. The plan offers all 10 MW when the capacity
payment is above $700,800/MW-yr (above $627,800 with the event payment) and nothing below.
"""
