"""Synthetic, scalable, always-feasible instances for benchmarks.

    python benchmarks/generate.py --steps 672 --step-minutes 15 --jobs 10 --generators 3 --out DIR [--seed 0]

writes ``DIR/instance.toml`` and ``DIR/series.csv``. The same arguments and seed give the same files
byte for byte. Importable: ``make_instance(steps, jobs, generators, out_dir, seed)`` returns the path
of the TOML file.

What is in an instance (figures from ``../shared/docs/domain.md`` where it has them):

* a Texas-like site (America/Chicago): prices with a daily shape (night trough, morning bump, solar
  dip, evening peak), a summer season, heat-driven afternoon premiums, noise, a few scarcity spikes
  and some negative night prices, clipped to the ERCOT floor and offer cap (-250 / 5,000 $/MWh);
  grid carbon intensity lower at midday; outdoor temperature with a season and a daily swing;
* a fixed IT load, two inference services (conversation, about 2x peak/trough, and code, about 8x on
  weekdays), ``J`` training jobs with releases and deadlines spread over the horizon (a mix of
  pausable, pausable with restart loss, and run-in-one-stretch jobs);
* ``G`` 2.5 MW notice-only diesel gensets (EPA emergency engines) with minimum up/down times and
  permit hours; the site is sized so the gensets cover half of its baseline load (Texas SB 6), and
  the curtailment notices ask for a 50% cut of that baseline;
* curtailment notices: one 4 h window per simulated day at 15:00-19:00 for horizons of up to a week,
  otherwise a few (about one per two weeks) on the hottest day of evenly spaced stretches;
* air-cooled chillers with the default COP and derate curves; optionally a battery and a
  chilled-water tank; no demand charge unless ``--demand-charge`` is given (it makes the MIP much
  harder: see benchmarks/README.md).

Feasibility: training work may be left unfinished (at a penalty), so the only hard requirements are
that the *least* load the site can run (fixed IT, the minimum share of inference, overhead and
their cooling) fits under the import cap plus the gensets in every step, that the chillers can
remove that heat, and that the permits let the gensets run through every notice. The generator
sizes the notice cut and the permits to guarantee this and checks it before writing
(:func:`check_feasible`).
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without installing the package
    sys.path.insert(0, str(ROOT))

GENSET_MW = 2.5
TIMEZONE = "America/Chicago"
MAX_HOURS = 8784  # schema limit on horizon.hours
DEFAULT_COP = [(15.0, 4.4), (45.0, 2.57)]
DEFAULT_DERATE = [(15.0, 1.0), (45.0, 0.77)]

# Shares of the site's baseline load (the load a notice cuts by half).
FIXED_IT_SHARE = 0.18
INFERENCE_SHARE = 0.22
TRAINING_SHARE = 0.32
OVERHEAD_SHARE = 0.05
CHAT_MIN_SERVED, CODE_MIN_SERVED = 0.85, 0.5


def _interp(points, x):
    return np.interp(x, [p[0] for p in points], [p[1] for p in points])


def _default_start(hours: float) -> pd.Timestamp:
    # A summer Monday for short horizons; the calendar year for long ones.
    day = "2025-07-14" if hours <= 31 * 24 else "2025-01-01"
    return pd.Timestamp(f"{day}T00:00:00").tz_localize(TIMEZONE)


def _iso(ts: pd.Timestamp) -> str:
    return ts.isoformat()


def _fmt(x: float) -> str:
    return f"{x:.6g}"


class _Series:
    """Per-step series (temperature, price, carbon, loads) on the horizon's local clock."""

    def __init__(self, rng: np.random.Generator, index: pd.DatetimeIndex, step_minutes: int):
        n = len(index)
        dt = step_minutes / 60.0
        hour = index.hour.to_numpy() + index.minute.to_numpy() / 60.0 + dt / 2  # mid-step local hour
        doy = index.day_of_year.to_numpy().astype(float)
        dow = index.day_of_week.to_numpy()
        day_id = np.asarray(index.normalize().asi8 // (86400 * 10**9))  # local calendar day key
        _, day_idx = np.unique(day_id, return_inverse=True)
        n_days = int(day_idx.max()) + 1

        # Temperature (Texas-like): season + daily swing peaking at 16:00 + day-to-day weather.
        weather = np.zeros(n_days)
        for d in range(1, n_days):
            weather[d] = 0.7 * weather[d - 1] + rng.normal(0, 1.8)
        season_t = 20.0 + 10.0 * np.cos(2 * np.pi * (doy - 200) / 365.25)
        temp = season_t + 6.0 * np.cos(2 * np.pi * (hour - 16) / 24) + weather[day_idx]
        temp += _ar1(rng, n, 0.9, 0.25)
        self.temp = np.clip(temp, -20, 48)

        # Price: daily shape x season + heat premium, noise, spikes, negative night prices.
        shape = (0.72 + 0.18 * np.exp(-((hour - 8) / 1.6) ** 2) - 0.08 * np.exp(-((hour - 13) / 2.2) ** 2)
                 + 0.75 * np.exp(-((hour - 18.5) / 1.8) ** 2))
        summer = 1 + 0.45 * np.exp(-((doy - 212) / 35) ** 2)
        weekend = np.where(dow >= 5, 0.9, 1.0)
        price = 34.0 * shape * summer * weekend * np.exp(_ar1(rng, n, 0.95, 0.05))
        price += 9.0 * np.maximum(self.temp - 33.0, 0.0) ** 1.3
        evening = (hour >= 16) & (hour < 21)
        for d in np.flatnonzero(rng.random(n_days) < 0.035 + 0.08 * (weather > 1.5)):
            sel = (day_idx == d) & evening
            if sel.any():  # a scarcity spike of one to three hours
                k = np.flatnonzero(sel)
                a = int(rng.integers(0, len(k)))
                span = max(1, int(rng.integers(1, 4) / dt))
                price[k[a:a + span]] += rng.uniform(250, 2500)
        night = (hour < 6) | (hour >= 23)
        neg = night & (rng.random(n) < 0.01 * (1 + 2 * np.isin(index.month.to_numpy(), [3, 4, 5])))
        price[neg] = -rng.uniform(1, 30, int(neg.sum()))
        self.price = np.clip(price, -250.0, 5000.0)

        # Grid carbon intensity (kg/MWh): lower when the sun shines, wind noise.
        solar = np.clip(np.cos(2 * np.pi * (hour - 13) / 24), 0, None) ** 2
        self.carbon = np.clip(430 - 140 * solar + _ar1(rng, n, 0.97, 8.0), 150, 750)

        # Loads as shares of 1 MW of baseline (scaled by the caller).
        self.fixed_it = 1.0 + _ar1(rng, n, 0.98, 0.004)
        chat = 0.75 + 0.25 * np.cos(2 * np.pi * (hour - 14) / 24)  # 2x peak/trough
        code = 0.125 + 0.875 * np.clip(np.cos(2 * np.pi * (hour - 13) / 24), 0, None) ** 1.5  # 8x
        code *= np.where(dow >= 5, 0.35, 1.0)
        self.chat = chat * np.exp(_ar1(rng, n, 0.9, 0.03))
        self.code = code * np.exp(_ar1(rng, n, 0.9, 0.05))
        self.day_idx = day_idx
        self.n_days = n_days


def _ar1(rng: np.random.Generator, n: int, phi: float, sigma: float) -> np.ndarray:
    e = rng.normal(0, sigma, n)
    out = np.empty(n)
    acc = 0.0
    for i in range(n):
        acc = phi * acc + e[i]
        out[i] = acc
    return out


def _notices(rng, index: pd.DatetimeIndex, step_minutes: int, temp: np.ndarray, day_idx: np.ndarray,
             mode: str) -> list[tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]]:
    """(issued, start, end) of each notice; windows lie inside the horizon."""
    start = index[0]
    end = index[-1] + pd.Timedelta(minutes=step_minutes)
    hours = (end - start) / pd.Timedelta(hours=1)
    days = sorted({ts.normalize() for ts in index})
    fits = [d for d in days if d + pd.Timedelta(hours=15) >= start and d + pd.Timedelta(hours=19) <= end]
    if mode == "auto":
        mode = "daily" if hours <= 7 * 24 else "few"
    out = []
    if not fits:  # a horizon shorter than the window: one notice in its middle third
        length = pd.Timedelta(minutes=step_minutes * max(1, len(index) // 3))
        s = start + pd.Timedelta(minutes=step_minutes * (len(index) // 3))
        return [(s - pd.Timedelta(hours=5), s, s + length)]
    if mode == "daily":
        chosen = fits
    else:
        k = max(3, round(hours / 24 / 14))
        chunks = np.array_split(np.arange(len(fits)), min(k, len(fits)))
        daily_max = {}
        for d in fits:
            sel = (index >= d) & (index < d + pd.Timedelta(days=1))
            daily_max[d] = float(temp[np.asarray(sel)].max())
        chosen = [max((fits[i] for i in c), key=lambda d: daily_max[d]) for c in chunks if len(c)]
    for d in chosen:
        # Local wall-clock times; tz_localize handles daylight saving.
        s = pd.Timestamp(d.strftime("%Y-%m-%d") + "T15:00:00").tz_localize(TIMEZONE)
        e = pd.Timestamp(d.strftime("%Y-%m-%d") + "T19:00:00").tz_localize(TIMEZONE)
        lead = pd.Timedelta(hours=float(rng.choice([2.0, 5.0, 24.0])))
        out.append((s - lead, s, e))
    return out


def _steps_in(index: pd.DatetimeIndex, step_minutes: int, s: pd.Timestamp, e: pd.Timestamp) -> np.ndarray:
    starts = index
    ends = index + pd.Timedelta(minutes=step_minutes)
    return np.flatnonzero(np.asarray((ends > s) & (starts < e)))


def check_feasible(d: dict) -> None:
    """Raise if the least load the site can run does not fit (see the module docstring)."""
    n = len(d["price"])
    cop = _interp(DEFAULT_COP, d["temp"])
    cool_cap = d["cooling_mw_th"] * _interp(DEFAULT_DERATE, d["temp"])
    min_it = d["fixed_it"] + CHAT_MIN_SERVED * d["chat"] + CODE_MIN_SERVED * d["code"]
    if np.any(min_it > cool_cap * (1 - 1e-6)):
        raise AssertionError("chillers cannot remove the heat of the least IT load")
    min_load = min_it + d["overhead"] + min_it / cop
    cap = np.full(n, d["interconnection"])
    gen = np.zeros(n)
    for _, s, e, cap_mw, steps in d["notices"]:
        cap[steps] = np.minimum(cap[steps], cap_mw)
        gen[steps] = d["gen_mw"]
    short = min_load - (cap + gen)
    if np.any(short > -1e-6):
        t = int(np.argmax(short))
        raise AssertionError(f"step {t}: least load {min_load[t]:.2f} MW exceeds import cap {cap[t]:.2f} "
                             f"+ gensets {gen[t]:.2f} MW")
    notice_hours = sum(len(steps) for *_, steps in d["notices"]) * d["dt"]
    if d["gen_mw"] and d["run_hours_left"] < notice_hours - 1e-9:
        raise AssertionError("permit hours do not cover every notice")


def make_instance(steps: int, jobs: int, generators: int, out_dir, seed: int = 0, *, step_minutes: int = 60,
                  battery: bool = False, thermal_storage: bool = False, notices: str = "auto",
                  start: str | None = None, name: str | None = None, demand_charge: float = 0.0) -> Path:
    """Write ``out_dir/instance.toml`` and ``out_dir/series.csv``; return the TOML path."""
    if step_minutes not in (5, 15, 60):
        raise ValueError("step_minutes must be 5, 15 or 60")
    if steps < 1 or jobs < 0 or generators < 0:
        raise ValueError("steps must be positive; jobs and generators non-negative")
    hours = steps * step_minutes / 60.0
    if hours > MAX_HOURS:
        raise ValueError(f"{steps} steps of {step_minutes} min = {hours:g} h: the schema allows at most "
                         f"{MAX_HOURS} h (366 days)")
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp(start).tz_localize(TIMEZONE) if start else _default_start(hours)
    # Steps are absolute time: a fixed duration from t0 (daylight saving shifts the local clock).
    utc = pd.date_range(t0.tz_convert("UTC"), periods=steps, freq=f"{step_minutes}min")
    index = utc.tz_convert(TIMEZONE)
    dt = step_minutes / 60.0
    ser = _Series(rng, index, step_minutes)

    # Size the site from the gensets: they cover half of the baseline (SB 6); 20 MW without gensets.
    baseline = 2 * GENSET_MW * generators if generators else 20.0
    fixed_it = FIXED_IT_SHARE * baseline * ser.fixed_it
    chat = 0.6 * INFERENCE_SHARE * baseline * ser.chat
    code = 0.4 * INFERENCE_SHARE * baseline * ser.code
    overhead = OVERHEAD_SHARE * baseline
    it_peak = FIXED_IT_SHARE * baseline + INFERENCE_SHARE * baseline + TRAINING_SHARE * baseline
    cooling_mw_th = round(it_peak / 0.8, 2)  # the nominal IT peak still fits at ~40 C
    interconnection = round(1.15 * baseline, 2)
    gen_mw = GENSET_MW * generators

    # Notices: 50% of the baseline (less if the least load would not fit: only without gensets).
    raw = _notices(rng, index, step_minutes, ser.temp, ser.day_idx, notices)
    cop = _interp(DEFAULT_COP, ser.temp)
    min_it = fixed_it + CHAT_MIN_SERVED * chat + CODE_MIN_SERVED * code
    min_load = min_it + overhead + min_it / cop
    notice_rows = []
    for issued, s, e in raw:
        k = _steps_in(index, step_minutes, s, e)
        need = float(min_load[k].max()) - gen_mw  # import the window must allow
        reduction = 0.5
        if baseline * (1 - reduction) < 1.05 * need:
            reduction = max(0.05, math.floor((1 - 1.05 * need / baseline) * 100) / 100)
        notice_rows.append((issued, s, e, reduction, k))
    notice_hours = sum(len(k) for *_, k in notice_rows) * dt
    # Scarcity prices during notices (the grid is short when it asks for a cut).
    for *_, k in notice_rows:
        ser.price[k] = np.clip(ser.price[k] * 2.5 + 150.0, -250, 5000)
    run_hours = float(min(MAX_HOURS, max(50.0, math.ceil(notice_hours + 2))))

    # Training jobs with windows spread over the horizon.
    job_rows = []
    if jobs:
        if hours <= 48:
            lens = rng.uniform(0.3, 0.8, jobs) * hours
        elif hours <= 14 * 24:
            lens = rng.uniform(0.15, 0.5, jobs) * hours
        else:
            lens = np.minimum(rng.uniform(3, 21, jobs) * 24, hours)
        lens = np.maximum(np.round(lens / dt), 1) * dt
        concurrency = max(1.0, float(lens.sum()) / hours)
        for j in range(jobs):
            n_len = int(round(lens[j] / dt))
            first = int(rng.integers(0, steps - n_len + 1))
            power = max(0.5, round(TRAINING_SHARE * baseline / concurrency * rng.uniform(0.6, 1.4), 2))
            work = round(power * lens[j] * rng.uniform(0.3, 0.65), 2)
            kind = rng.random()
            can_pause = kind < 0.85
            loss = round(float(rng.choice([0.25, 0.5, 1.0])), 2) if can_pause and kind < 0.4 else 0.0
            job_rows.append({
                "id": f"J{j + 1}", "power_mw": power, "work_mwh": max(work, 0.01),
                "release": index[first], "deadline": index[first] + pd.Timedelta(minutes=step_minutes * n_len),
                "min_power_fraction": float(rng.choice([0.6, 0.7])), "can_pause": can_pause,
                "restart_loss_hours": loss,
            })

    data = {"price": ser.price, "temp": ser.temp, "fixed_it": fixed_it, "chat": chat, "code": code,
            "overhead": overhead, "cooling_mw_th": cooling_mw_th, "interconnection": interconnection,
            "gen_mw": gen_mw, "run_hours_left": run_hours, "dt": dt, "battery": battery,
            "notices": [(s, s, e, baseline * (1 - r), k) for _, s, e, r, k in notice_rows]}
    check_feasible(data)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame({
        "timestamp": [_iso(t) for t in index],
        "price_usd_per_mwh": np.round(ser.price, 2),
        "carbon_kg_per_mwh": np.round(ser.carbon, 1),
        "outdoor_temp_c": np.round(ser.temp, 2),
        "it_load_mw": np.round(fixed_it, 4),
        "chat_mw": np.round(chat, 4),
        "code_mw": np.round(code, 4),
    })
    frame.to_csv(out / "series.csv", index=False, lineterminator="\n")
    # The rounded series are what the model sees: re-check feasibility on them.
    data.update(temp=frame["outdoor_temp_c"].to_numpy(), fixed_it=frame["it_load_mw"].to_numpy(),
                chat=frame["chat_mw"].to_numpy(), code=frame["code_mw"].to_numpy())
    check_feasible(data)

    name = name or f"synthetic_{steps}x{step_minutes}min_{jobs}j_{generators}g_s{seed}"
    lines = [
        f"# Synthetic benchmark instance made by benchmarks/generate.py (seed {seed}); do not edit by hand.",
        f"# {steps} steps of {step_minutes} min, {jobs} training jobs, {generators} gensets, "
        f"{len(notice_rows)} notices.",
        f'name = "{name}"', "",
        "[horizon]", f'start = "{_iso(index[0])}"', f'timezone = "{TIMEZONE}"', f"hours = {_fmt(hours)}",
        f"step_minutes = {step_minutes}", "",
        "[site]", f"interconnection_mw = {_fmt(interconnection)}",
        'it_load_mw = { file = "series.csv" }', f"overhead_mw = {_fmt(overhead)}", "",
        "[grid]", 'price_usd_per_mwh = { file = "series.csv" }', 'carbon_kg_per_mwh = { file = "series.csv" }',
        "carbon_price_usd_per_t = 0.0",
        f"demand_charge_usd_per_kw = {_fmt(demand_charge)}",
        "",
    ]
    for i, (issued, s, e, r, _) in enumerate(notice_rows):
        lines += ["[[notices]]", f'id = "N{i + 1}"', f'issued = "{_iso(issued)}"', f'start = "{_iso(s)}"',
                  f'end = "{_iso(e)}"', f"reduction_fraction = {_fmt(r)}", f"baseline_mw = {_fmt(baseline)}", ""]
    for g in range(generators):
        lines += ["[[generators]]", f'id = "G{g + 1}"', f"capacity_mw = {GENSET_MW}",
                  "fuel_price_usd_per_gal = 3.5", f"startup_cost_usd = {_fmt(50.0 + 25.0 * (g % 3))}",
                  "min_up_hours = 1.0", f"min_down_hours = {0.5 if g % 2 else 0.0}",
                  f"run_hours_left = {_fmt(run_hours)}"]
        if g == 0:  # permit caps that never bind on a feasible plan but add their rows
            lines += ["max_hours_per_day = 8.0", "max_hours_per_event = 4.0",
                      f"nox_cap_kg = {_fmt(6.4 * GENSET_MW * run_hours)}"]
        lines.append("")
    lines += ["[cooling]", 'outdoor_temp_c = { file = "series.csv" }', f"rated_capacity_mw_th = {_fmt(cooling_mw_th)}"]
    if thermal_storage:
        lines += ["", "[cooling.thermal_storage]", f"capacity_mwh_th = {_fmt(round(0.5 * cooling_mw_th, 3))}",
                  f"max_charge_mw_th = {_fmt(round(0.25 * cooling_mw_th, 3))}",
                  f"max_discharge_mw_th = {_fmt(round(0.25 * cooling_mw_th, 3))}"]
    lines.append("")
    for jr in job_rows:
        lines += ["[[training_jobs]]", f'id = "{jr["id"]}"', f"power_mw = {_fmt(jr['power_mw'])}",
                  f"work_mwh = {_fmt(jr['work_mwh'])}", f'release = "{_iso(jr["release"])}"',
                  f'deadline = "{_iso(jr["deadline"])}"', f"min_power_fraction = {jr['min_power_fraction']}"]
        if not jr["can_pause"]:
            lines.append("can_pause = false")
        if jr["restart_loss_hours"]:
            lines.append(f"restart_loss_hours = {jr['restart_loss_hours']}")
        lines.append("")
    lines += ["[[inference]]", 'id = "chat"', 'demand_mw = { file = "series.csv", column = "chat_mw" }',
              f"min_served_fraction = {CHAT_MIN_SERVED}", "shed_penalty_usd_per_mwh = 2000.0", "",
              "[[inference]]", 'id = "code"', 'demand_mw = { file = "series.csv", column = "code_mw" }',
              f"min_served_fraction = {CODE_MIN_SERVED}", "shed_penalty_usd_per_mwh = 600.0", ""]
    if battery:
        p = round(0.2 * baseline, 3)
        lines += ["[battery]", f"energy_mwh = {_fmt(2 * p)}", f"power_mw = {_fmt(p)}", "round_trip_efficiency = 0.88",
                  "reserve_fraction = 0.2", "initial_fraction = 0.5", ""]
    path = out / "instance.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, required=True)
    ap.add_argument("--step-minutes", type=int, default=60, choices=(5, 15, 60))
    ap.add_argument("--jobs", type=int, required=True)
    ap.add_argument("--generators", type=int, required=True)
    ap.add_argument("--out", required=True, help="output folder (instance.toml + series.csv)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--battery", action="store_true", help="add a 2 h battery (20%% of the baseline load)")
    ap.add_argument("--thermal-storage", action="store_true", help="add a chilled-water tank")
    ap.add_argument("--notices", choices=("auto", "daily", "few"), default="auto",
                    help="daily: one 15:00-19:00 notice per day; few: about one per two weeks on hot days; "
                         "auto: daily up to a week, else few")
    ap.add_argument("--start", help="local start, e.g. 2025-07-14T00:00:00 (default: a July Monday, or "
                                    "2025-01-01 for horizons over a month)")
    ap.add_argument("--demand-charge", type=float, default=0.0,
                    help="$/kW on the horizon's peak import (default 0, as in the Texas example; e.g. 15 x months "
                         "for $15/kW-month: it makes the MIP much harder, see benchmarks/README.md)")
    ap.add_argument("--check", action="store_true", help="load the written instance with energyopt's loader")
    a = ap.parse_args(argv)
    path = make_instance(a.steps, a.jobs, a.generators, a.out, a.seed, step_minutes=a.step_minutes,
                         battery=a.battery, thermal_storage=a.thermal_storage, notices=a.notices, start=a.start,
                         demand_charge=a.demand_charge)
    print(path)
    if a.check:
        from energyopt.inputs import load_instance
        inst = load_instance(path)
        print(f"loaded {inst.name}: {inst.time.n_steps} steps, {len(inst.training_jobs)} jobs, "
              f"{len(inst.generators)} gensets, {len(inst.notices)} notices")


if __name__ == "__main__":
    main()
