"""Write docs/plan.md: the guide below plus every field of the plan file, made from its schema.

    python -m energyopt.inputs.plandocs --write docs/plan.md
"""
from __future__ import annotations

from . import docs as gen
from ..registry import candidates
from .demand_response import DemandResponse
from .econguide import GUIDE as ECONOMICS
from .plan import GensetType, PlanFile

gen.RULES.setdefault(GensetType, ["`existing_units` <= `max_units`; the technical fields are those of "
                                  "`[[generators]]` (docs/instance-format.md)."])
gen.RULES.setdefault(DemandResponse, ["`offer_mw` <= `max_offer_mw`; `capacity_usd_per_mw_hour` needs "
                                       "`availability_hours_per_year` > 0."])
gen.RULES.setdefault(PlanFile, ["Give `scenario_files` or `random_scenarios`, not both (neither: one event-free "
                                "scenario).", "Genset type ids are unique; `fixed_units` names only known types, "
                                "within [existing_units, max_units]."])

GUIDE = """\
# Site planning: `energyopt plan` and `energyopt headroom`

`energyopt plan PLAN.toml --out DIR` chooses how many gensets of each candidate type, how much battery
and how much chilled-water storage a site needs so that it meets every curtailment notice of every
scenario, serves inference at its service level, finishes training (or pays for what it does not), stays
inside its air permits, and pays the least per year.

## The model (`energyopt/model/plan.py`, `fleet.py`)

    min  sum_k CRF(r, life_k) capex_k (N_k - existing_k) + fixed O&M  + battery and tank capex
         + expected (stochastic) or worst (robust) operating cost of the scenarios, scaled to a year

- **Sizes**: `Units[k]` integer in [existing, max] per genset type (`m.Units`), battery energy and power
  (`m.Battery_MWh`, `m.Battery_MW`), tank (`m.Thermal_MWh_th`). CRF(r, n) = r (1+r)^n / ((1+r)^n - 1).
- **Operations per scenario** (`m.scenario[s].period[p]`, one period of weight 1 for the whole horizon, or
  the representative periods below): the whole day-ahead model of the site (grid and notices,
  cooling, training, inference, the site's own generators and battery) with that scenario's notices, plus
  the candidate types as a fleet: `fleet.On[k,t]` units on (integer, <= `Units[k]`), output between the
  minimum load and capacity of the units on, starts, fuel, CO2, NOx and their costs as for single units.
  Identical units are aggregated into counts: no symmetry, far fewer integers. Minimum up and down times
  hold for the count (`fleet.min_up[k,t]`: units started in the last U steps are still on;
  `fleet.min_down[k,t]`: units stopped in the last D steps are still off, of those installed).
  `fleet.floor[t]`, a valid inequality the model already implies: where the site's least load (fixed IT,
  inference at its minimum service, their cooling at the step's COP, overhead) exceeds every other supply
  (import cap, the site's own units, the largest battery and tank discharge), the units on can carry the
  rest, sum_k capacity_k `fleet.On[k,t]` >= floor_t. Stated as a row it lets HiGHS round the units on per
  step, which closes most of the relaxation's gap when permit hours bind (README, planning benchmark).
  Plans are solved with HiGHS's RINS and RENS sub-MIP heuristics off (`PLAN_HIGHS_OPTIONS` in
  `energyopt/ops/planning.py`; they spent up to half of a year's solve and found nothing the tree did not).
- **Permits per unit, per year** (`m.scenario[s].fleet`, on the weighted hours of all the scenario's
  periods): `fleet.non_emergency_permit[k]` (hours outside notices, and inside them
  when `notice_category = "non_emergency"`, the default per EPA's 2025 guidance on demand response) <=
  `non_emergency_hours_per_year` x `Units[k]`; `fleet.total_permit[k]` for all hours; `fleet.event_permit`
  per notice (in the period holding it). The site's own generators' `run_hours_left` and `nox_cap_kg`
  bind their weighted hours and NOx over all periods (`m.scenario[s].generators.run_hours_permit[g]`,
  `nox_permit[g]`), and a demand charge applies once to the highest import of any period
  (`m.scenario[s].grid.peak_def`). This assumes the site rotates its units evenly within the year
  (checked after the plan, unit by unit: below). A horizon shorter than a year stands for a year: its
  operating cost and permit hours are scaled by 8,760 / its hours.
- **Scenarios**: each a year of notices, from CSV files (`scenario_files`, docs/events.md) or drawn by the
  event generator (`random_scenarios`, seeds `seed`, `seed + 1`, ...), equally likely. `stochastic`
  minimizes capex plus the mean operating cost, `robust` capex plus the worst (with a 1e-6 weight on the
  mean, so that the other scenarios' reported operations are optimal too; the figures reported leave it
  out); every scenario must be met in both, so robust costs at least as much as stochastic. Scenario
  names are the files' names (with their folders where two share a name); a file listed twice is refused.
- **Planning approximations**: training jobs' on/off is relaxed to a fraction (at hourly steps over a year,
  the exact commitment of each job changes the sizes little and the solve time a lot); the battery keeps its
  charge/discharge binary.

## Representative periods (`[representative_periods]`)

A year at hourly steps is 8,760 steps per scenario; with several scenarios the model grows with them. With
`[representative_periods]` the plan models only some whole local days of each scenario
(`energyopt/inputs/periods.py`):

- **event periods**: every day a notice of the scenario touches, consecutive such days merged into one
  period, weight 1: an event is always modeled whole, with the rest of its days around it;
- **edge days**: a horizon that starts or ends off local midnight has partial first and last days; they
  are modeled as they are, weight 1;
- **extreme days** (`extreme_days = true`): the event-free days with the highest temperature (when the
  site has cooling), the highest price and the highest load (fixed IT plus inference demand), weight 1;
  a day is picked once (if the hottest day also has the highest price, the next-priciest day is taken);
- **typical days**: the other days are clustered by [tsam](https://github.com/FZJ-IEK3-VSA/tsam) (the
  time-series aggregation library PyPSA, oemof and ETHOS.FINE use) on their hourly profiles of price,
  temperature and load (23/25-hour days resampled to 24 points; each profile min-max scaled by tsam; a
  flat profile is left out): `method = "hierarchical"` (Ward's agglomerative clustering, tsam's default,
  deterministic) or `"kmeans"` (scikit-learn's k-means from `seed`). Each cluster is modeled by its
  medoid (tsam's medoid representation: the real day nearest its centre), weighted by its members' hours
  over the medoid's hours (the number of days it stands for, exact across 23- and 25-hour days). The event,
  edge and extreme days are chosen here before the clustering (rather than by tsam's `ExtremeConfig`), so
  every notice is modeled whole on its own days and none is averaged into a cluster.
- **mean-preserving series**: a typical day's series (prices, weather, loads, availabilities) are its
  medoid's shifted by one constant each, so that its weight times their sum equals their sum over the days
  it stands for (as tsam's `preserve_column_means` does for its representatives), clipped to the series'
  range over the horizon. The medoid keeps its shape; the year keeps its total price, degree-hours and
  load. (Unshifted, the 41 periods of the benchmark year, 12 of them typical days, summed the year's
  prices 4.9% low.)

Each scenario has its own event days, so its own selection; weight times hours adds up to the horizon's
hours, and every day of the horizon is a member of exactly one period. Costs, permit hours, shed energy and
output are weighted sums over the periods (scaled to a year as above).

**Linked days** (`link_days = true`, the default; `energyopt/model/linking.py`). The periods are tied
together along the chronological sequence of the horizon's days (every member day of a typical day, and
every event, edge and extreme period, in time order):

- *Storage* (the site's or a candidate battery, the chilled-water tank), after Kotzur et al. (2018), "Time
  series aggregation for energy system design: modeling seasonal storage" (Applied Energy 213), the
  linking tsam's users build: in a period the level is relative to the period's start (0 there); each day
  of the sequence has a level at its start, `Level[c]`, and ends at `Level[c]` plus the change of level of
  the period that stands for it. On every day `Level[c]` plus the period's highest (lowest) relative level
  stays within the store's size (above its reserve); the year starts at `initial_fraction` of the size and
  ends with at least as much. So a battery filled on a cheap day is emptied on the event day after it, and
  a day's absolute levels are those of its period shifted by its own start.
- *Training jobs*: a job wholly inside an event, edge or extreme period is modeled there as it is. Any
  other job has a part in each period whose member days meet its window: one part per distinct clock
  window it has there (the whole day, or the hours of its first or last day), with the job's power times
  the member days having that window over the period's weight, so the part is the average over the
  members of the job running alike on each. The weighted work of all its parts plus what is left undone
  equals its work, and only what is left is penalized. Work thus moves between any days of its window: off
  a curtailed day to the next, or to a cheaper cluster (a job's cumulative work has no bound before its
  deadline, so no chronology is needed beyond its window).
- *Permits* and the *demand charge* stay weighted sums over the periods, as before (exact).

What is exact and what remains an approximation: a typical day's prices and weather are its medoid's
(shifted as above), and every day it stands for repeats its operations (the same dispatch, the same change
of storage level: a battery cannot charge on the two days before an event and stop after it if those days
are of one cluster); a training job's part is an average over its member days; every period starts with
the gensets off (a minimum up or down time does not run across midnight) and a job that runs in one
stretch becomes pausable when it spans periods. With every day its own period the linked plan is the full
horizon's plan (tests/test_plan_linked.py). `link_days = false` keeps the approximation from before
issue 14: each period starts with the stores at `initial_fraction` and must end at least as full, and a
period carries fixed shares of each job's work (the shares of the days it stands for, divided by its
weight, in a window spanning their clock hours), so work cannot leave a curtailed day. Use representative
days for screening many scenarios or designs; the chosen design is then evaluated over the full year by
default (below).
`plan.json` lists each scenario's periods (label, kind, weight, hours, days it stands for).

Worked examples (tests/test_plan_linked.py, ten January days at $50/MWh, a fixed 20 MW of IT):
- *Work moves off an event day.* Job J must do 60 MWh (5 MW) between January 3 and 5; on January 3 a notice
  caps import at the 20 MW of fixed IT all day. Over every hour J runs 12 h on January 4: $240,000 for the
  fixed load plus 60 x $50 = $243,000 a horizon. The periods are January 3 (event, weight 1) and one typical
  day for the 9 alike days (weight 9); linked, J's part on the typical day stands for its one member day in
  the window and takes the work: $243,000, as over every hour. With `link_days = false` January 3 must carry
  its 30 MWh share, cannot, and the 30 MWh left cost the $10,000/MWh default penalty: $541,500.
- *A battery carries energy to the event day.* January 3 costs $200/MWh and a notice caps import at 19 MW
  for 20 h (20 MWh short); a 40 MWh, 10 MW lossless battery starts at 20 MWh. Over every hour (and linked,
  with every day its own period) it fills on January 1-2 and empties on January 3: $306,000 against
  $312,000 without it. With one typical day for the 9 alike days, every one of them repeats one change of
  level d and the optimum is d = D / 9 with D = 180 / 7 MWh discharged on January 3: $308,142.86 (the
  battery cannot stop charging after January 2). Periods reset each day gain nothing: $312,000.

On the planning benchmark (README, Site planning) the typical days cost 0.33% below the full-year
evaluation of the same design with one scenario and 0.51% below with ten (3.7% and 2.5% before the days
were linked and their series kept the year's totals).

## Output

`DIR/plan.json` (sizes; annual cost: capex and fixed O&M by item, operations, total; per scenario its
operating cost by term, hours used by each type against its permit windows, inference shed, unfinished
training work and jobs late; solver status, gap and times; permit hours, shed, unfinished work and genset
output are a year's, scaled like the operating cost; the site's own generators' hours over the horizon as
`site.<id>.hours`, bounded by their instance permits), `DIR/scenarios.csv` (the per-scenario rows),
and `DIR/count_table.csv` (`count_table = true`): the total cost with each type's count fixed from its
existing units to three past the optimum, every other size re-optimized, so a planner sees how flat the
optimum is. The folder is written atomically; an existing folder is replaced only if it holds a plan.

`DIR/event_days.csv` holds each scenario's **worst event day**, step by step (`energyopt/results/plan_days.py`).
The days looked at are the local days a notice touches, inside a period that stands for itself (an event
period of representative days, or the whole horizon); the worst is the one with the largest *notice
shortfall*, `sum_t dt x max(facility load_t + inference shed_t - import cap_t, 0)`: the energy the site drew
from its gensets, battery and solar, or shed, above the cap in force (ties: the highest grid energy cost,
price x import, then the earlier day). Columns: `scenario`, `day` (local date), `timestamp` (ISO with offset),
`notices` (ids in force, `;`-separated), `price_usd_per_mwh`, `import_cap_mw`, `grid_import_mw`,
`site_gensets_mw` (the site's own generators), `solar_mw`, `battery_discharge_mw`, `battery_charge_mw`,
`training_mw`, `inference_served_mw`, `inference_shed_mw`, `facility_load_mw`, then `fleet.<type>.output_mw`
per genset type the plan sizes; the sources less battery charging equal the facility load in every step.
`plan.json`'s `event_days` names the rule and, per scenario, the day, its notices, `notice_shortfall_mwh`,
`grid_energy_cost_usd`, `peak_genset_mw`, `training_mwh` and `inference_shed_mwh`. Worked example
(tests/test_plan_days.py): under a fixed 20 MW load, a 4 h notice capping 17.5 MW leaves a shortfall of
2.5 x 4 = 10 MWh; a 2 h notice at 16 MW from 10:30 (steps 10:00 and 12:00 half covered: 18 MW on average)
leaves 2 x 0.5 x 4 + 4 = 8 MWh, so the first day is the worst.

`plan.json`'s `work_flags` lists every training job a period leaves unfinished: `scenario`, `job`, `period`,
`period_kind`, `unfinished_mwh_per_year` (weighted and scaled to a year) and the likely `cause`, derived from
the figures: a genset type whose permit hours the scenario used up ("permit hours exhausted: D ran 200.0 of
the 200 non-emergency unit-hours a year its 4 unit(s) may run"); a notice inside the job's window whose cap,
less the rest of the site's load in those steps, is below the job's floor (`min_power_fraction x power_mw`:
"notice A1 on 2025-07-01 14:00-18:00 cut the import to 15 MW, 0.00 MW above the rest of the site's load:
below the job's floor of 3 MW"), or merely fell in the window; a typical day that carries its days' share of
the work alone (with `link_days = false`); otherwise that running it costs more than its unfinished-work
penalty. With linked days a job whose work is shared out over several periods is flagged once, for the
scenario (`period_kind = "linked"`, `period` "the linked days of its window"), with what the linked days
leave undone, the permit hours used up and the notices inside its window as causes (tests/test_plan_linked.py:
200 MWh needed, at most 180 possible around a day-long notice, 20 MWh a horizon flagged). These are
explanations from the solution's figures, not a proof; the report (`energyopt report DIR`) shows them as
flags beside the event-day chart.

Exit codes as for `solve`: 0 optimal, 3 bad input (every problem of the plan file, its site, its scenarios
at once: e.g. a type with no capacity, a discount rate out of range, a scenario whose notices fall outside
the site's year, `fixed_units` naming an unknown type; nothing written), 4 infeasible (which scenario cannot
be served even with every candidate at its largest size, and why), 5/6 time limit.

## After the plan: full-year evaluation, unit by unit, neighbours (`energyopt/ops/evaluate.py`, `units.py`)

`plan.json` key `full_year_evaluation`, filled after every solved plan:

- **Full-year evaluation** (plans over `[representative_periods]`; on by default, `full_year_evaluation =
  false` skips it): the chosen sizes fixed (genset counts and every other size: battery, tank, solar), each
  scenario solved alone over every step of the horizon (with the sizes fixed the scenarios are
  independent), their operating costs combined as the plan's mode does (mean, or worst). It costs one
  full-horizon solve per scenario, stated on stderr before it starts: on the planning benchmark (one
  scenario, 12 typical days; README) the evaluation took 575 s against the plan's 191 s of HiGHS, both
  on a heavily shared machine (load 8-13 on 2 CPUs): about the time of a full-horizon plan. Reported:
  `status` (the worst of the scenarios' solver statuses), `design`, `annual_cost_usd` (same shape as the
  plan's), `objective_usd_per_year`, `mip_gap` (the largest), `scenarios` (each one's status, operating
  cost, gap, seconds) and `difference_from_plan_fraction` = (plan's total - evaluated total) / evaluated
  total: negative when the periods estimate the year low. A full-horizon plan is its own evaluation
  (`status = "plan_is_full_year"`, difference 0); with the switch off, `status = "off"`.
- **Unit by unit** (`per_unit`, one entry per genset type): the plan pools a type's permit hours over its
  units. On the schedule over every step (the plan's own over the full horizon, else the full-year
  evaluation's), the per-step counts of units on are assigned to the design's units by a small MIP
  (`energyopt/model/units.py`, `rotation_model`): each unit on for whole steps, the counts met, each run at
  least the minimum up time, each rest at least the minimum down time, each unit's own hours (a year's,
  scaled as the plan scales them) within the non-emergency, total and per-notice caps per unit, the fewest
  starts. Without a per-unit cap no MIP is needed: the fleet's own minimum up/down rows are exact for
  identical units (stop the units longest on first). The rotation is exact for that schedule only; when it
  fails, the design is evaluated again with every unit of the type on its own (the same per-unit rows on
  the fleet's `On` variables, the fleet's starts made the units' starts, every other size fixed): the exact
  test of whether the design can be run at all, and its cost. If not, the same with N + 1, N + 2, ... up to
  `max_units` (at most `max_units - N + 1` solves per scenario, stated on stderr), stopping at the fewest
  that can. Reported: `units`, `feasible`, `unit_hours` (each unit's hours a year against `cap_hours`, the
  non-emergency cap when given, else the total cap; of the scenario with the busiest unit), `units_needed`,
  `checked_by` ("rotation" or "per-unit model"), `message` (also on stderr when rotation fails),
  `design_that_can` (`units`, `total_usd_per_year`, `more_usd_per_year`) and per scenario the rotation's
  outcome and starts.
- **Neighbours** (`cheaper_design`; when the plan stopped with a gap above 0 and `neighbour_check = true`,
  the default): each free type's count one below and one above the chosen (within its bounds), the other
  sizes re-optimized, on the plan's own periods and gap: at most two solves per type, their number stated on
  stderr before they start. A neighbour whose solution costs less than the chosen design's is a design the
  solver's gap hid: `{"gensets", "total_usd_per_year", "chosen_total_usd_per_year",
  "saving_usd_per_year", "mip_gap", "on"}`, on stderr too; else null.
- **One figure in robust mode**: `objective_usd_per_year`, `annual_cost_usd.total` and `count_table.csv`'s
  `total_usd_per_year` all leave out the model's tie-break term (1e-6 x the mean operating cost).

Worked example (`tests/test_plan_units.py`): the site of tests/test_plan.py (fixed 20 MW at $50/MWh) over
876 h, which stands for a year (x 10); type D, 2.5 MW, notice-only, a 4-hour minimum up time, 50
non-emergency hours a year per unit (5 h of the horizon), $94,392.93 a year per unit; five 4-hour notices
capping import at 17.5 MW, each needing one unit at full output: 20 h, 200 h a year. Pooled, 4 units hold
4 x 50 = 200 h, so the plan chooses 4 ($8,840,000 of operations + 4 x $94,392.93). Unit by unit a unit may
run only inside a notice, each run at least 4 h, so each run is a whole notice (40 h a year) and a second
would take it to 80 h: no rotation exists, the per-unit evaluation with 4 units is infeasible, with 5 it is
feasible at the same operations, and `per_unit` says: units 4, feasible false, units_needed 5, unit_hours
40 h each of 50, "the fewest that can is 5 units of D, $9,311,965/yr ($94,393/yr more, the other sizes as
chosen)". Without the minimum up time the notices split between units and 4 units rotate at 50 h each.

## `energyopt headroom INSTANCE --hours 0,22,44,88` (or `--energy-percent 0.25,0.5,1`)

How much flexible IT load (MW) could be added to the site if it accepts curtailing that load for at most
X hours over the horizon (or X% of its energy), with everything else as in the instance (notices, gensets
within their permits, cooling). Each point maximizes `headroom.Added_MW` (`energyopt/model/headroom.py`);
the curve is printed and written with `--out FILE.csv`. The Duke University study (Norris et al., 2025;
`../shared/docs/domain.md`) reports this at grid scale: 76 GW at 0.25% of the year, 98 GW at 0.5%, 126 GW at 1%.
"""


def render() -> str:
    head, mark, tail = GUIDE.partition("## `energyopt headroom")   # the plan's outputs before headroom
    out = [head + ECONOMICS + "\n" + mark + tail, "## Fields of the plan file", ""]
    out += gen._table(PlanFile, "", "Top level")    # and, below it, a table for each section
    text = "\n".join(out).rstrip() + "\n"
    for name in ("genset_types", "random_scenarios", "representative_periods", "demand_response",
                 *(c.candidate.table for c in candidates())):
        title = f"[[{name}]]" if name == "genset_types" else f"[{name}]"
        text = text.replace(f"### `[.{name}]`", f"### `{title}`")
    return text


def main(argv: list[str] | None = None) -> None:
    gen.main(argv, make=render, description=__doc__.splitlines()[0])


if __name__ == "__main__":
    main()
