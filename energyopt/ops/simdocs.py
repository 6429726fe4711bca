"""Write docs/simulate.md: the guide below plus the simulation file's fields, made from ``SimConfig``.

    python -m energyopt.ops.simdocs --write docs/simulate.md
"""
from __future__ import annotations

from ..inputs import docs as gen
from .simconfig import SimConfig

gen.RULES.setdefault(SimConfig, [
    "`notice_category` is one of `emergency`, `non_emergency`, `testing`.",
    "Give `notices_file` or `random_notices`, not both (neither: no notices).",
    "Paths are relative to the simulation file; every file named must exist.",
])

GUIDE = """\
# Simulating a season: `energyopt simulate`

`energyopt simulate SIM.toml --out DIR` rolls the day-ahead plan through consecutive days, the way an
operator runs the site:

1. **Plan.** At `plan_hour` of the day before, day *d* is planned on the day-ahead price forecast
   (`price_forecast_column`), the forecast weather, the notices issued by then, and what the permit
   ledger has left for every generator (`solve` with the ledger's budgets).
2. **Re-plan.** Each notice issued after that (in time order) starts a re-plan at the moment it is issued
   (`replan`): the steps that start before *issue time + `response_minutes`* stay as planned, the rest is
   optimized again with the notice in force. A notice whose lead time is shorter than the response time
   can then be missed in its first steps; the report says by how much. A day plan or re-plan that no schedule
   can solve with every notice kept is solved again with the notices softened (docs/replan.md, status
   `notices_softened`): the site does all it can and the overrun is counted as a missed notice, instead of
   the previous plan standing whole (`days.csv`'s `replans_softened` counts them).
3. **Execute and settle.** The last plan of the day is what runs. Its grid energy is settled at the
   real-time price (`price_actual_column`): realized cost = the plan's objective - its energy cost at the
   forecast + its energy at the real-time price (the softened notices' penalty is part of the objective: it
   stands for what missing a notice costs).
4. **Record.** The executed plan is recorded in the simulation's own ledger (`ledger record`, generator
   hours inside a notice counted as `notice_category`), so the next day is planned on what is left.
5. **Compare.** The same day runs under the naive policy (`energyopt/ops/naive.py`: every job at full
   power from its release, no generators or storage, notices followed by pausing jobs and then shedding
   inference), settled at the same real-time prices.

Every day's instance is written as an ordinary instance file (`DIR/days/DATE/instance/`), and every plan
as an ordinary result folder (`plan-0`, `replan-1`, ...; a re-plan also writes `diff.txt`), so any day can
be checked (`energyopt check`), re-planned or solved again.

**Simplifications, stated.** Each day starts with generators off and storage at its initial level;
training jobs recur daily (the template's release and deadline move with the day), so work left at a
day's deadline is reported as unfinished rather than carried over; the naive policy's missed notices carry
no cost (compare the missed-notice figures beside the costs). A notice is met when in every step it touches
the import is within what it allows there: its cap for the part of the step its window covers, the
interconnection for the rest. The naive operator acts on a notice only from the moment it is issued.

## Output

| file | what |
|---|---|
| `summary.json` | totals: realized cost, plan cost, generator hours, inference shed, unfinished work and jobs late, notices met and missed (by how many MW and MWh), re-plans, CO2 and NOx; the same for the naive policy; savings; every permit window at the end; series values filled; seconds |
| `report.txt` | the same, to read |
| `days.csv` | one row per day: plans made, notices, forecast and realized cost, energy at forecast and actual prices, generator hours (per unit), shed, unfinished, missed notices, solve seconds, the naive policy's figures |
| `permit_windows.csv` | `ledger show` of the simulation's ledger on the last day |
| `ledger.sqlite` | the simulation's ledger (a copy of `ledger`, if given, with every executed plan recorded) |
| `days/DATE/` | the day's instance, plans and re-plans |

The folder is written atomically: it appears whole when the simulation ends, or not at all. An existing
folder is replaced only if it holds an earlier simulation.

## Exit codes

0 done; 3 bad input (the simulation file, the template, the series, the notices; every problem listed);
10-12 ledger errors as for `energyopt ledger`; 1 internal error.

## Example

```toml
name = "ERCOT summer"
site = "site.toml"                 # a one-day instance: site, generators, cooling, jobs, inference
start_date = 2025-06-01
days = 90
series = "season.csv"              # timestamp, price_forecast, price_actual, temp_c
temperature_column = "temp_c"
response_minutes = 10
random_notices = { events_per_year = 12, seed = 7 }
notice_baseline_mw = 100.0
ledger_windows = ["calendar_year:testing_and_non_emergency:hours:100", "calendar_year:non_emergency:hours:50"]
```

`benchmarks/simulate_summer.py` builds exactly such a case from the real ERCOT prices and Abilene weather
under `../shared/data` and runs it.
"""


def render() -> str:
    return GUIDE + "\n## Fields of the simulation file\n\n" + "\n".join(gen._table(SimConfig, "", "Top level")).rstrip() + "\n"


def main(argv: list[str] | None = None) -> None:
    gen.main(argv, make=render, description=__doc__.splitlines()[0])


if __name__ == "__main__":
    main()
