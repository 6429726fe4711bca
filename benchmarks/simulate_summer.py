"""A summer at hourly steps on real data: `energyopt simulate` over June-August (90 days) of ERCOT HB_WEST
day-ahead (forecast) and real-time (settlement) prices with Abilene TMY3 weather, random curtailment notices,
and a permit ledger with the US EPA emergency-engine windows. Prints the report and the time taken.

    python benchmarks/simulate_summer.py [--days 90] [--start 2025-06-01] [--events-per-year 12] [--seed 7]

The site is the project's Texas example (instances/texas_summer_day) at hourly steps, without its own notice
(notices come from the seeded generator: docs/events.md) and with its gensets bounded by the ledger instead
of a per-instance run-hour figure. Needs ../shared/data (or ENERGYOPT_REAL_DATA); exits 0 with a message
where it is absent. Results go to benchmarks/results/simulate_summer/ (ignored by git).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import time
import tomllib
from pathlib import Path

import pandas as pd
import tomli_w

ROOT = Path(__file__).resolve().parents[1]
ERCOT = "prices/ercot_hubs_zones_hourly_dam_rtm_2024-01-01_2026-03-17.csv"
ABILENE = "weather/TX-Abilene_Regional_Ap_Ut.tmy3"
TZ = "America/Chicago"
EPA_WINDOWS = ["calendar_year:testing_and_non_emergency:hours:100", "calendar_year:non_emergency:hours:50"]


def data_dir() -> Path | None:
    d = Path(os.environ.get("ENERGYOPT_REAL_DATA", ROOT.parent / "shared" / "data"))
    return d if (d / ERCOT).is_file() and (d / ABILENE).is_file() else None


def season_csv(d: Path, start: str, days: int, out: Path, hub: str = "HB_WEST") -> dict:
    """timestamp (local, with offset), price_forecast (DAM), price_actual (RTM), temp_c (TMY3 by month/day/hour).
    Missing hours are left empty: `simulate` fills them by interpolation and counts them."""
    frame = pd.read_csv(d / ERCOT, usecols=["delivery_date", "hour_ending", f"{hub}_DAM", f"{hub}_RTM"])
    first = pd.Timestamp(start)
    last = first + pd.Timedelta(days=days + 1)
    frame = frame[(pd.to_datetime(frame["delivery_date"]) >= first) & (pd.to_datetime(frame["delivery_date"]) < last)]
    # Hour ending HE1..HE24 in Texas local time: HE h covers [h-1, h). No DST change falls in June-September.
    local = pd.to_datetime(frame["delivery_date"]) + pd.to_timedelta(frame["hour_ending"].astype(int) - 1, unit="h")
    prices = pd.DataFrame({"price_forecast": frame[f"{hub}_DAM"].to_numpy(), "price_actual": frame[f"{hub}_RTM"].to_numpy()},
                          index=pd.DatetimeIndex(local).tz_localize(TZ, ambiguous="NaT", nonexistent="NaT"))
    prices = prices[~prices.index.isna()]
    prices = prices[~prices.index.duplicated()]
    steps = pd.date_range(first, last, freq="h", tz=TZ, inclusive="left")
    prices = prices.reindex(steps)
    tmy = pd.read_csv(d / ABILENE, skiprows=1)
    dates = pd.to_datetime(tmy["Date (MM/DD/YYYY)"], format="%m/%d/%Y")
    hours = tmy["Time (HH:MM)"].str.slice(0, 2).astype(int) - 1      # TMY3 hour ending 01:00..24:00
    temp = pd.Series(tmy["Dry-bulb (C)"].to_numpy(), index=list(zip(dates.dt.month, dates.dt.day, hours)))
    # TMY3 times are local standard time (UTC-6 at Abilene): match each step in standard time.
    std = steps.tz_convert("Etc/GMT+6")
    prices["temp_c"] = [temp.get((t.month, t.day, t.hour)) for t in std]
    out_frame = prices.reset_index(names="timestamp")
    out_frame["timestamp"] = [t.isoformat() for t in out_frame["timestamp"]]
    out_frame.to_csv(out, index=False)
    return {"hours": len(steps), "missing_forecast": int(prices["price_forecast"].isna().sum()),
            "missing_actual": int(prices["price_actual"].isna().sum()),
            "forecast_range": [float(prices["price_forecast"].min()), float(prices["price_forecast"].max())],
            "actual_range": [float(prices["price_actual"].min()), float(prices["price_actual"].max())]}


def site_template(work: Path) -> None:
    src = ROOT / "instances" / "texas_summer_day"
    raw = tomllib.loads((src / "texas_summer_day.toml").read_text())
    raw["name"] = "texas-site-hourly"
    raw["horizon"]["step_minutes"] = 60
    raw.pop("notices", None)
    for g in raw["generators"]:
        g["run_hours_left"] = 8760.0     # bounded by the ledger's windows instead
    (work / "site.toml").write_text(tomli_w.dumps(raw))
    shutil.copy(src / "series.csv", work / "series.csv")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--days", type=int, default=90)
    p.add_argument("--start", default="2025-06-01")
    p.add_argument("--events-per-year", type=float, default=12.0)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--mip-gap", type=float, default=1e-3)
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "simulate_summer")
    args = p.parse_args(argv)
    d = data_dir()
    if d is None:
        print("skipped: ../shared/data (or ENERGYOPT_REAL_DATA) with the ERCOT prices and Abilene TMY3 is absent")
        return 0
    work = args.out.with_name(args.out.name + "-case")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    data = season_csv(d, args.start, args.days, work / "season.csv")
    site_template(work)
    (work / "sim.toml").write_text(tomli_w.dumps({
        "name": f"ERCOT HB_WEST summer {args.start} + {args.days} d", "site": "site.toml",
        "start_date": pd.Timestamp(args.start).date(), "days": args.days, "series": "season.csv",
        "temperature_column": "temp_c", "response_minutes": 10.0, "mip_gap": args.mip_gap, "time_limit_s": 60.0,
        "random_notices": {"events_per_year": args.events_per_year, "seed": args.seed},
        "notice_baseline_mw": 95.0, "ledger_windows": EPA_WINDOWS}))
    from energyopt.ops.simulate import run
    t0 = time.perf_counter()
    summary = run(work / "sim.toml", args.out)
    wall = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print((args.out / "report.txt").read_text())
    print(f"data: {data}")
    print(f"wall {wall:.1f} s for {args.days} days ({wall / args.days:.2f} s/day); peak RSS {peak_mb:.0f} MB; "
          f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, Python {sys.version.split()[0]}")
    (args.out / "benchmark.json").write_text(json.dumps({"wall_s": wall, "peak_rss_mb": peak_mb, "data": data,
                                                         "args": {k: str(v) for k, v in vars(args).items()},
                                                         "optimized": summary["optimized"], "naive": summary["naive"],
                                                         "savings_usd": summary["savings_usd"]}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
