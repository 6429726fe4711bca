"""A real 5-minute day: CAISO SP15 real-time prices of 2025-08-15, planned as is and with steadiness settings.

    python benchmarks/caiso_5min.py [--data ../shared/data] [--out benchmarks/results/caiso_5min] [--gap 1e-4]

The site (a ~150 MW AI campus in Kern County, California, on the SP15 trading hub): 160 MW interconnection;
30 MW of fixed IT load and 6 MW of overhead; an inference service of 25-40 MW (a day/night shape, 80% must
be served); three training jobs (40, 30 and 20 MW, pausable, 0.25 h of work lost per restart; together
1,440 MWh of work, 67% of what they could do in the day at full power); a 40 MWh / 20 MW battery; cooling on
the day's Open-Meteo temperatures (hourly, interpolated to 5 minutes); four 2.5 MW notice-only diesel gensets
with 20 h left and a 17:00-20:00 notice capping import at 110 MW (a CAISO Flex Alert-like evening).

It solves the day three times: with jobs that pause at no loss ("free", as the issue's user met it), as planned
today (every steadiness setting off, 0.25 h of work lost per restart: "as_is") and with the settings a site would
use ("steady": ``STEADY`` below, each explained in docs/steady-plans.md), and prints, for each: the cost, the largest
change of grid import between 5-minute steps and over any 15 minutes, how often import reverses direction,
the battery's charge/discharge switches and cycles, each job's restarts, and the solve time. The figures go
to OUT/caiso_5min.json and the table to stdout. It needs ``../shared/data`` (or ``--data``); it exits 0 with a
message where the data is absent.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import tomli_w  # noqa: E402

import energyopt as eo  # noqa: E402
from energyopt.atomic import write_file  # noqa: E402
from energyopt.check import check_result  # noqa: E402

PRICES = "prices/caiso_sp15_rt_5min_2025-08-01_2025-10-01.csv"
WEATHER = "weather/openmeteo_kern_county_ca_hourly_2025-08-01_2025-10-01.csv"
DAY, TZ = "2025-08-15", "America/Los_Angeles"

#: The settings a site would use (sources and reasoning in docs/steady-plans.md and docs/figures.md).
STEADY: dict[str, dict] = {
    # Import moves at most 2 MW/min (10 MW per 5-minute step) and 20 MW over any 15 minutes, from 100 MW.
    "grid": {"ramp_up_mw_per_min": 2.0, "ramp_down_mw_per_min": 2.0, "max_change_mw_per_15min": 20.0,
             "initial_import_mw": 100.0},
    # Wear priced at $30/MWh discharged and at most one full cycle a day (docs/figures.md, Batteries).
    "battery": {"throughput_cost_usd_per_mwh": 30.0, "max_cycles_per_day": 1.0},
    # Once started a job runs 2 h, once paused it rests 1 h, and each resume costs its GPUs idle while they reload:
    # RESTART_USD_PER_MW x its MW (below), beside its lost work.
    "job": {"min_run_hours": 2.0, "min_pause_hours": 1.0},
}


#: A resume idles the job's GPUs ~10 minutes: 833 GPUs/MW x $2/GPU-h x 1/6 h = $278 per MW of the job
#: (docs/figures.md, Training jobs and Economics).
RESTART_USD_PER_MW = 833 * 2.0 / 6


def day_series(data: Path) -> pd.DataFrame:
    """The day's 288 five-minute prices (local time) and temperatures (interpolated from hourly)."""
    start = pd.Timestamp(DAY, tz=TZ)
    index = pd.date_range(start, periods=288, freq="5min")
    prices = pd.read_csv(data / PRICES)
    prices["timestamp"] = pd.to_datetime(prices["timestamp"], utc=True)
    price = prices.set_index("timestamp")["price_mwh"].tz_convert(TZ).reindex(index)
    if price.isna().any():
        raise SystemExit(f"{PRICES}: {int(price.isna().sum())} missing 5-minute prices on {DAY}")
    weather = pd.read_csv(data / WEATHER, usecols=["date", "temperature_2m"])
    weather["date"] = pd.to_datetime(weather["date"], utc=True)
    temp = weather.set_index("date")["temperature_2m"].tz_convert(TZ)
    temp = temp.reindex(temp.index.union(index)).interpolate(method="time").reindex(index)
    hours = np.arange(288) / 12.0
    demand = 32.5 - 7.5 * np.cos(2 * np.pi * (hours - 3.0) / 24.0)   # 25 MW at 03:00, 40 MW at 15:00
    return pd.DataFrame({"timestamp": [t.isoformat() for t in index], "price": price.to_numpy(),
                         "temp": temp.to_numpy(), "chat": demand})


#: The cases: (steadiness settings on, work lost per restart in h). "free" is how the issue's user met the day:
#: jobs that pause and resume at no loss.
CASES = {"free": (False, 0.0), "as_is": (False, 0.25), "steady": (True, 0.25)}


def instance(steady: bool, restart_loss_hours: float = 0.25) -> dict:
    grid = {"price_usd_per_mwh": {"file": "series.csv", "column": "price"}}
    battery = {"energy_mwh": 40.0, "power_mw": 20.0}
    job = {"can_pause": True, "restart_loss_hours": restart_loss_hours}
    if steady:
        grid |= STEADY["grid"]
        battery |= STEADY["battery"]
        job |= STEADY["job"]
    gens = [{"id": f"G{k}", "capacity_mw": 2.5, "fuel_price_usd_per_gal": 4.5, "startup_cost_usd": 300.0,
             "min_up_hours": 1.0, "run_hours_left": 20.0, "dispatch": "notice_only"} for k in range(1, 5)]
    jobs = [{"id": jid, "power_mw": p, "work_mwh": w, **job,
             **({"restart_cost_usd": round(RESTART_USD_PER_MW * p, 2)} if steady else {})}
            for jid, p, w in (("J1", 40.0, 640.0), ("J2", 30.0, 480.0), ("J3", 20.0, 320.0))]
    return {
        "name": f"caiso_sp15_{DAY}_{'steady' if steady else 'as_is'}",
        "horizon": {"start": f"{DAY}T00:00:00", "timezone": TZ, "days": 1, "step_minutes": 5},
        "site": {"interconnection_mw": 160.0, "it_load_mw": 30.0, "overhead_mw": 6.0},
        "grid": grid,
        "notices": [{"id": "flex-alert", "issued": f"{DAY}T09:00:00-07:00", "start": f"{DAY}T17:00:00-07:00",
                     "end": f"{DAY}T20:00:00-07:00", "cap_mw": 110.0}],
        "generators": gens,
        "battery": battery,
        "cooling": {"outdoor_temp_c": {"file": "series.csv", "column": "temp"}, "rated_capacity_mw_th": 150.0},
        "training_jobs": jobs,
        "inference": [{"id": "chat", "demand_mw": {"file": "series.csv", "column": "chat"},
                       "min_served_fraction": 0.8, "shed_penalty_usd_per_mwh": 3000.0}],
    }


def figures(result) -> dict:
    """What an operator looks at: cost, import swings, battery switching, job restarts."""
    s, steps = result.summary, result.steps
    imp = steps["grid_import_mw"].to_numpy()
    d1 = np.diff(imp)
    d3 = imp[3:] - imp[:-3]
    moving = d1[np.abs(d1) > 1e-6]
    reversals = int(np.sum(np.diff(np.sign(moving)) != 0)) if len(moving) > 1 else 0
    ch, dis = steps["battery.charge_mw"].to_numpy(), steps["battery.discharge_mw"].to_numpy()
    mode = np.where(ch > 1e-6, 1, np.where(dis > 1e-6, -1, 0))
    active = mode[mode != 0]
    jobs = {j: v["restarts"] for j, v in s["jobs"].items()}
    return {
        "objective_usd": s["objective_usd"], "status": s["status"], "mip_gap": s["mip_gap"],
        "solve_seconds": s["solve_seconds"],
        "max_step_change_mw": float(np.abs(d1).max()), "max_step_change_mw_per_min": float(np.abs(d1).max() / 5),
        "max_15min_change_mw": float(np.abs(d3).max()), "import_reversals": reversals,
        "battery_mode_switches": int(np.sum(active[1:] != active[:-1])),
        "battery_cycles": float(dis.sum() * 5 / 60 / 40.0),
        "job_restarts": jobs, "cost_breakdown_usd": s["cost_breakdown_usd"],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "caiso_5min")
    ap.add_argument("--gap", type=float, default=1e-4, help="relative MIP gap (default 1e-4)")
    ap.add_argument("--time-limit", type=float, default=600.0, help="seconds per solve (default 600)")
    ap.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES),
                    help="which cases to solve (default: all)")
    args = ap.parse_args(argv)
    if not (args.data / PRICES).is_file() or not (args.data / WEATHER).is_file():
        print(f"skipped: {args.data / PRICES} or {args.data / WEATHER} is absent")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    series = day_series(args.data)
    out: dict = {"day": DAY, "node": "TH_SP15_GEN-APND", "steady_settings": STEADY, "cases": {}}
    for name in args.cases:
        steady, loss = CASES[name]
        folder = args.out / name
        folder.mkdir(exist_ok=True)
        series.to_csv(folder / "series.csv", index=False)
        (folder / "instance.toml").write_bytes(tomli_w.dumps(instance(steady, loss)).encode())
        print(f"solving {name} ({folder / 'instance.toml'}) ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        result = eo.solve(folder / "instance.toml", eo.SolveOptions(mip_rel_gap=args.gap, time_limit_s=args.time_limit))
        wall = time.perf_counter() - t0
        if not result.status.has_schedule:
            print(f"{name}: {result.status.value}", file=sys.stderr)
            return 1
        result.write(folder / "result")
        problems = check_result(folder / "instance.toml", folder / "result")
        if problems:
            print(f"{name}: the checker found {len(problems)} violation(s), first: {problems[0]}", file=sys.stderr)
            return 1
        out["cases"][name] = figures(result) | {"wall_seconds": wall}
    write_file(args.out / "caiso_5min.json", lambda tmp: Path(tmp).write_text(json.dumps(out, indent=2)))
    keys = ("objective_usd", "max_step_change_mw", "max_15min_change_mw", "import_reversals",
            "battery_mode_switches", "battery_cycles", "job_restarts", "solve_seconds")
    names = list(out["cases"])
    print("| figure | " + " | ".join(names) + " |\n|---|" + "---|" * len(names))
    for k in keys:
        cells = [out["cases"][n][k] for n in names]
        print(f"| {k} | " + " | ".join(f"{v:,.2f}" if isinstance(v, float) else str(v) for v in cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
