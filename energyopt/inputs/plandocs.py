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
  (`m.scenario[s].grid.peak_def`). This assumes the site rotates its units evenly within the year. A
  horizon shorter than a year stands for a year: its operating cost and permit hours are scaled by
  8,760 / its hours.
- **Scenarios**: each a year of notices, from CSV files (`scenario_files`, docs/events.md) or drawn by the
  event generator (`random_scenarios`, seeds `seed`, `seed + 1`, ...), equally likely. `stochastic`
  minimizes capex plus the mean operating cost, `robust` capex plus the worst (with a 1e-6 weight on the
  mean, so that the other scenarios' reported operations are optimal too); every scenario must be met in
  both, so robust costs at least as much as stochastic. Scenario names are the files' names (with their
  folders where two share a name); a file listed twice is refused.
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
- **typical days**: the other days are clustered by k-means on their hourly profiles of price,
  temperature and load (each standardized; 23/25-hour days resampled to 24 points; k-means++ starts,
  best of 8 seeded restarts); each cluster is modeled by its medoid, the real day nearest its centre,
  weighted by its members' hours over the medoid's hours (the number of days it stands for, exact across
  23- and 25-hour days).

Each scenario has its own event days, so its own selection; weight times hours adds up to the horizon's
hours. Costs, permit hours, shed energy and output are weighted sums over the periods (scaled to a year as
above). What this approximates: each period starts with the gensets off and the battery and tank at their
`initial_fraction` and must end at least as full (no storage across days). Training: a job may run in the
steps wholly inside its window (as in the full model), and the steps of that range falling on each day
carry their share of its work; a period gets the shares of the days it stands for, divided by its weight
(so weight times work is the total), in a window spanning the clock hours they cover, pausable. A job wholly
inside an event, edge or extreme day stays as it is. So a typical day carries the average training work of
its days, and a job's deadline binds only within each day (work cannot move between days, nor to a cheaper
day of another cluster). Prices and weather of a typical day are its medoid's. Use it for screening many
scenarios or designs, and confirm the chosen design over the full year (`fixed_units`).
`plan.json` lists each scenario's periods (label, kind, weight, hours, days it stands for).

## Output

`DIR/plan.json` (sizes; annual cost: capex and fixed O&M by item, operations, total; per scenario its
operating cost by term, hours used by each type against its permit windows, inference shed, unfinished
training work and jobs late; solver status, gap and times; permit hours, shed, unfinished work and genset
output are a year's, scaled like the operating cost; the site's own generators' hours over the horizon as
`site.<id>.hours`, bounded by their instance permits), `DIR/scenarios.csv` (the per-scenario rows),
and `DIR/count_table.csv` (`count_table = true`): the total cost with each type's count fixed from its
existing units to three past the optimum, every other size re-optimized, so a planner sees how flat the
optimum is. The folder is written atomically; an existing folder is replaced only if it holds a plan.

Exit codes as for `solve`: 0 optimal, 3 bad input (every problem of the plan file, its site, its scenarios
at once: e.g. a type with no capacity, a discount rate out of range, a scenario whose notices fall outside
the site's year, `fixed_units` naming an unknown type; nothing written), 4 infeasible (which scenario cannot
be served even with every candidate at its largest size, and why), 5/6 time limit.

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
