"""Generate ``instances/texas_summer_day/``: the project's main example, one hot July weekday in Texas.

Run ``python instances/make_texas_summer_day.py``. It writes ``texas_summer_day.toml`` and
``series.csv`` beside each other in ``instances/texas_summer_day/``; the output depends on nothing but
this file (numpy and the standard library, no randomness), so running it again gives the same bytes.
Before writing, it checks that the instance is feasible with room to spare (see "Feasibility" below)
and prints the figures it checked.

Sources: ``domain.md`` means ``/work/shared/docs/domain.md`` (the project's sourced domain figures).
A figure marked *assumption* is a round, plausible number chosen for the example and not taken from a
source; it is there to make the example behave like a real site, not to describe one.

The scenario
------------
A ~100 MW AI data center near Dallas-Fort Worth (ERCOT North) plans Tuesday 2025-07-15. The day
before, ERCOT has called a demand reduction for 15:00-19:00: grid import must fall to half of the
site's usual afternoon draw. The site has four 2.5 MW diesel gensets with 8 run hours left on their
permit, a chilled-water tank, six training jobs that can be shifted or slowed and two inference
services that must be served.

Horizon
-------
- Start 2025-07-15 00:00 local, ``timezone = "America/Chicago"`` (CDT, UTC-5 all day: no daylight-
  saving change), ``days = 1``, ``step_minutes = 15``: 96 steps. A weekday, because coding-assistant
  traffic peaks on weekdays (domain.md, AI workloads: Azure 2024 traces) and ERCOT 4CP peaks fall on
  hot weekdays (domain.md, Grid curtailment).

Site
----
- ``interconnection_mw = 105``: a "~100 MW" site, above the 75 MW that makes it a large load under
  Texas SB 6 (domain.md, Grid curtailment). Size of the example: assumption.
- ``it_load_mw = 22`` (constant): storage, networking and fixed services that are never shifted.
  Assumption.
- ``overhead_mw = 2.5`` (constant): lighting, UPS and distribution losses, about 3% of the IT load.
  Assumption; with cooling (below) the site's PUE comes to about 1.3-1.4 on this hot day, between
  new large sites (1.3 or less) and the industry average 1.56-1.58 (domain.md, Cooling: PUE).

Grid (columns ``price_usd_per_mwh`` and ``carbon_kg_per_mwh`` of series.csv)
---------------------------------------------------------------------------
- Price: hourly blocks shaped like an ERCOT North hub day-ahead price on a hot summer weekday
  (ERCOT's day-ahead market clears hourly). Night $22-28/MWh, a small morning ramp ($32 at 07:00),
  a midday solar dip ($26), then a climb to $160 at 16:00, $240 at 17:00 and a $320 peak at 18:00 as
  solar fades, back to ~$34 by 23:00. The hourly figures are in ``PRICE_BY_HOUR`` below; they are an
  assumption shaped to domain.md, Prices (2023 North hub day-ahead average $55.50, 2024 $27.33 —
  this day's mean is about $84, a hot day well above the year's average). The price peaks at 18:00,
  at the evening net-load peak as solar fades, a little after the hours in which ERCOT's 4CP system
  peaks mostly fall (15:00-17:30; domain.md, Grid curtailment). One 15-minute scarcity interval,
  18:30-18:45, is set to $1,000/MWh, as happens in ERCOT real time near the evening net peak; it
  stays well below the $5,000 offer cap (domain.md, Prices). It makes the gensets' output worth most
  in that interval.
- Carbon intensity: an ERCOT-like daily shape, linearly interpolated between hourly points
  (``CARBON_BY_HOUR``): about 420 kg/MWh at night (wind), down to 350 at midday (solar), up to 500
  at 19:00-20:00 (gas peakers after sunset). Assumption (not in domain.md).
- ``carbon_price_usd_per_t = 0``: Texas prices no carbon; emissions are still reported.
- ``demand_charge_usd_per_kw = 0``: ERCOT's transmission charge is set by 4CP (domain.md), not by a
  monthly demand charge inside one day; the example leaves it out.

Curtailment notice
------------------
- ``id = "ercot-dr"``, issued 2025-07-14 15:00 (24 h ahead, as for the demand-reduction service
  SB 6 asks ERCOT to procure with 24-hour notice; domain.md, Grid curtailment).
- Window 15:00-19:00 local: 4 h, about the length of the real ERS deployment of 2022-07-13
  (14:58-18:44, about 3.75 h) and inside the 4CP peak hours (domain.md, Grid curtailment).
- ``reduction_fraction = 0.5`` (domain.md: "e.g. 50%") of ``baseline_mw = 95``, the site's
  typical afternoon draw (assumption, about 68 MW of IT at PUE ~1.4): import is capped at 47.5 MW.

Backup generators G1-G4
-----------------------
- ``capacity_mw = 2.5`` each, 10 MW in all: data-center gensets are typically 2-3 MW (domain.md,
  Backup generators). Together they cover about 10% of the baseline: the site cannot ride the notice
  on diesel alone and must also shift load.
- Fuel curve: the schema's diesel defaults (4.25 gal/h per MW rated while on, plus 65.68 gal/MWh;
  a straight-line fit to domain.md's 1,000 kW chart, 21.6/36.4/52.1/71.1 gal/h at 25/50/75/100%).
  At full load a unit burns about 175 gal/h, 70 gal/MWh.
- ``fuel_price_usd_per_gal = 3.75``: delivered diesel, assumption (within $3.5-4/gal; not in
  domain.md). So generation costs about $260/MWh at full load, more at part load: above the grid
  price most of the day, far below the $1,500-3,000/MWh penalty for shedding inference.
- ``startup_cost_usd = 300``: wear and warm-up fuel per start, assumption.
- ``min_up_hours = 1``: assumption (avoids short cycling); ``min_load_fraction`` keeps its default
  30% (wet stacking below ~30%, Kohler; domain.md).
- ``run_hours_left = 8``: what remains of a 50 h/yr non-emergency (demand response) allowance late in
  the permit year (EPA RICE NESHAP / NSPS IIII: 100 h/yr shared, at most 50 h non-emergency;
  domain.md, Backup generators). Enough for the whole 4 h window, so the permit does not bind today.
- ``dispatch = "notice_only"``: may run only while the notice is in force (emergency-engine rules).
- NOx and CO2 keep their defaults (Tier 2 6.4 g/kWh; 10.16 kg CO2/gal, EIA; domain.md).

Cooling (column ``outdoor_temp_c``)
-----------------------------------
- Outdoor temperature of a hot DFW July day: 26 C at 06:00 (dawn) rising to 40 C at 17:00 along a
  half cosine, falling back along another half cosine to 26 C at 06:00 next day (32 C at midnight).
  Assumption: normal July days at DFW run roughly 25-36 C (NOAA 1991-2020 normals; not in
  domain.md), so this is a hot one.
- ``rated_capacity_mw_th = 90``. With the default derate curve (1.0 at 15 C to 0.77 at 45 C,
  domain.md, Cooling: air-cooled chiller -23%) the plant removes 82 MW thermal at 26 C and 73 MW at
  40 C: at the hottest hours the chillers can just carry the site's typical afternoon IT load
  (~68 MW), and at night they bind at about the same IT load as the 105 MW interconnection does.
  Default COP curve: 3.73 at 26 C, 2.88 at 40 C.
- Thermal storage: ``capacity_mwh_th = 60``, ``max_charge_mw_th = max_discharge_mw_th = 15``,
  starting (and ending at least) half full. 60 MWh thermal is about 50 min of the afternoon cooling
  load, between the 15-30 min of typical ride-through and a Virginia site sized for 2 h at peak
  (domain.md, Cooling); full, it can carry 15 MW thermal through the whole 4 h notice, which at 40 C
  saves about 5 MW of chiller power. Sizes are assumptions. (A 30 MW thermal rate was tried first:
  the instance then took HiGHS 9 s or more to prove optimal with ``mip_rel_gap = 0`` instead of
  about 0.2 s; see the note at the end.)

Training jobs J1-J6 (default throughput curve and 60% minimum power cap; domain.md, AI workloads)
--------------------------------------------------------------------------------------------------
Sizes, works and windows are assumptions, chosen to vary (5-20 MW, 20-200 MWh at full speed):

====  ======  ========  ======================  =========  ============  ===============================
job   MW      MWh       window (local)          can_pause  restart loss  story
====  ======  ========  ======================  =========  ============  ===============================
J1    20      200       all day                 yes        0.5 h         pre-training shard, hourly
                                                                         checkpoints
J2    15      150       all day                 yes        0             pre-training, async checkpoint
J3    12       60       06:00-17:00             yes        0             fine-tune due by end of
                                                                         business
J4    10       40       00:00-12:00             no         -             evaluation sweep, must finish
                                                                         by noon in one stretch
J5     8       80       all day                 yes        0.25 h        RL run, checkpoints every 30
                                                                         min
J6     5       20       18:00-24:00             no         -             nightly distillation, one
                                                                         stretch
====  ======  ========  ======================  =========  ============  ===============================

Restart loss: "work lost since the last checkpoint" (domain.md, AI workloads: Llama 3 405B); half the
checkpoint interval on average. 550 MWh of work in all, against roughly 900 MWh of room under the
interconnection, cooling and the notice: the jobs fit but must be shifted away from the notice.

Inference services (columns ``chat_mw`` and ``code_mw``)
--------------------------------------------------------
Azure's 2024 week-long traces show coding traffic peaking 8-10x above its night trough on weekdays,
conversation about 2x (domain.md, AI workloads). In local time:

- ``chat``: 7.5 + 2.5 cos(2 pi (h - 15) / 24) MW: 5 MW at 03:00, 10 MW at 15:00 (2x).
  ``min_served_fraction = 0.9``, ``shed_penalty_usd_per_mwh = 3000`` (customer-facing).
- ``code``: 1 + 8 w(h) MW with w a raised-cosine working-day bump from 07:00 to 21:00 peaking at
  14:00: 1 MW at night, 9 MW at 14:00 (9x). ``min_served_fraction = 0.8``,
  ``shed_penalty_usd_per_mwh = 1500``.
- Together about 19 MW at the 14:00 peak, 6 MW at night. Penalties and minimum shares: assumption
  (within 0.8-0.9 and $1,000-3,000/MWh).

Feasibility (checked by :func:`check` before anything is written)
-----------------------------------------------------------------
During the notice the site must still carry fixed IT + the minimum served inference + overhead +
cooling power for that IT (IT / COP, without help from the tank). At its worst step (15:00) this is
about 53 MW, against 47.5 MW of import plus 10 MW of gensets = 57.5 MW: about 4 MW to spare, plus
up to ~5 MW from the tank. Serving inference in full during the notice needs up to about 57 MW: more
than the import cap, so the gensets (at ~$260/MWh) run rather than shed inference (at
$1,500-3,000/MWh). Outside the notice the must-serve load (~53 MW at most) is far below 105 MW and
the cooling limit. The script also checks that every job's work fits its window at full power, that
the non-pausable jobs fit outside the notice, and that there is room for all the training work
outside the notice.

Solve time (note)
-----------------
On the project's 2-core machine the instance (96 steps; 4,219 rows, 3,372 columns, 468 binaries)
builds in about 0.05-0.15 s and HiGHS proves it optimal with ``mip_rel_gap = 0`` in about 0.15-0.5 s
(plus ~0.6-1.4 s for Pyomo's first standard-form compile in a fresh process). The tank's rate is what
decides this: the tank has no losses, so many schedules cost almost the same, and with 30 MW thermal
of charge/discharge the root gap was already 0.01% yet proving the last dollars took HiGHS 9-26 s.
At 15 MW thermal the same instance (and neighbours with fuel at $3.6-3.9/gal and starts at
$250-400) solves in 0.15-0.5 s. Keep that in mind before enlarging the tank.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

OUT = Path(__file__).resolve().parent / "texas_summer_day"
TOML_NAME = "texas_summer_day.toml"
CSV_NAME = "series.csv"

TZ = ZoneInfo("America/Chicago")
DAY = datetime(2025, 7, 15, tzinfo=TZ)  # a Tuesday
STEP_MIN = 15
N = 24 * 60 // STEP_MIN

# -- site -----------------------------------------------------------------------------------------
INTERCONNECTION_MW = 105.0
FIXED_IT_MW = 22.0
OVERHEAD_MW = 2.5

# -- grid -----------------------------------------------------------------------------------------
#: Day-ahead price by local hour, $/MWh: entry k holds from k:00 to (k+1):00.
PRICE_BY_HOUR = [28, 25, 23, 22, 22, 24, 28, 32, 30, 27, 26, 28,
                 34, 45, 70, 105, 160, 240, 320, 250, 140, 75, 45, 34]
#: One 15-minute scarcity interval: (local hour, minute) -> $/MWh.
SPIKE = ((18, 30), 1000.0)
#: Grid carbon intensity at each local hour, kg CO2/MWh; linear in between (25th point = next midnight).
CARBON_BY_HOUR = [420, 425, 428, 430, 430, 428, 420, 405, 385, 370, 358, 352,
                  350, 352, 360, 375, 400, 440, 480, 500, 495, 470, 445, 428, 420]

# -- notice ---------------------------------------------------------------------------------------
NOTICE_START_H, NOTICE_END_H = 15, 19
REDUCTION = 0.5
BASELINE_MW = 95.0
IMPORT_CAP_MW = BASELINE_MW * (1 - REDUCTION)

# -- generators -----------------------------------------------------------------------------------
N_GENS = 4
GEN_MW = 2.5
FUEL_USD_PER_GAL = 3.75
STARTUP_USD = 300.0
RUN_HOURS_LEFT = 8.0

# -- cooling --------------------------------------------------------------------------------------
T_MIN_C, T_MIN_H = 26.0, 6.0   # dawn
T_MAX_C, T_MAX_H = 40.0, 17.0  # late afternoon
RATED_MW_TH = 90.0
TES_MWH_TH, TES_MW_TH = 60.0, 15.0
# The schema's defaults, repeated here only for the feasibility check (the TOML leaves them out).
DERATE = ([15.0, 45.0], [1.0, 0.77])
COP = ([15.0, 45.0], [4.4, 2.57])
GEN_MIN_LOAD = 0.3

# -- training jobs: id, MW, MWh, release hour, deadline hour, can_pause, restart_loss_hours ---------
JOBS = [
    ("J1", 20.0, 200.0, 0, 24, True, 0.5),
    ("J2", 15.0, 150.0, 0, 24, True, 0.0),
    ("J3", 12.0, 60.0, 6, 17, True, 0.0),
    ("J4", 10.0, 40.0, 0, 12, False, 0.0),
    ("J5", 8.0, 80.0, 0, 24, True, 0.25),
    ("J6", 5.0, 20.0, 18, 24, False, 0.0),
]

# -- inference: id, column, min_served_fraction, shed_penalty_usd_per_mwh -----------------------
SERVICES = [("chat", "chat_mw", 0.9, 3000.0), ("code", "code_mw", 0.8, 1500.0)]


def hours() -> np.ndarray:
    """Local hour of day at each step's start (no daylight-saving change on this day)."""
    return np.arange(N) * STEP_MIN / 60.0


def price(h: np.ndarray) -> np.ndarray:
    p = np.asarray(PRICE_BY_HOUR, dtype=float)[np.floor(h).astype(int)]
    (sh, sm), value = SPIKE
    p[np.isclose(h, sh + sm / 60.0)] = value
    return p


def carbon(h: np.ndarray) -> np.ndarray:
    return np.interp(h, np.arange(25), np.asarray(CARBON_BY_HOUR, dtype=float))


def temperature(h: np.ndarray) -> np.ndarray:
    """Half-cosine rise from dawn to the afternoon maximum, half-cosine fall back to the next dawn."""
    rise = T_MAX_H - T_MIN_H
    fall = 24.0 - rise
    since_dawn = (h - T_MIN_H) % 24.0
    phase = np.where(since_dawn <= rise, since_dawn / rise, 1.0 + (since_dawn - rise) / fall)  # 0..2
    return T_MIN_C + (T_MAX_C - T_MIN_C) * (1.0 - np.cos(math.pi * phase)) / 2.0


def chat(h: np.ndarray) -> np.ndarray:
    return 7.5 + 2.5 * np.cos(2 * math.pi * (h - 15.0) / 24.0)


def code(h: np.ndarray) -> np.ndarray:
    w = np.where((h >= 7.0) & (h <= 21.0), 0.5 * (1.0 - np.cos(2 * math.pi * (h - 7.0) / 14.0)), 0.0)
    return 1.0 + 8.0 * w


def series() -> dict[str, np.ndarray]:
    h = hours()
    return {"price_usd_per_mwh": price(h), "carbon_kg_per_mwh": carbon(h), "outdoor_temp_c": temperature(h),
            "chat_mw": chat(h), "code_mw": code(h)}


def check(s: dict[str, np.ndarray]) -> None:
    """Assert the instance is feasible with room to spare; print the figures checked."""
    h = hours()
    temp = s["outdoor_temp_c"]
    cop = np.interp(temp, *COP)
    cool_cap = RATED_MW_TH * np.interp(temp, *DERATE)
    notice = (h >= NOTICE_START_H) & (h < NOTICE_END_H)
    inf_full = s["chat_mw"] + s["code_mw"]
    inf_min = sum(f * s[col] for _, col, f, _ in SERVICES)
    # Non-pausable jobs whose window overlaps the notice but that could also run outside it are
    # left out: they are checked below to fit outside the notice.
    must_it = FIXED_IT_MW + inf_min
    must_site = must_it + OVERHEAD_MW + must_it / cop
    full_site = FIXED_IT_MW + inf_full + OVERHEAD_MW + (FIXED_IT_MW + inf_full) / cop
    supply_notice = IMPORT_CAP_MW + N_GENS * GEN_MW
    spare = supply_notice - must_site[notice].max()
    print(f"notice: import cap {IMPORT_CAP_MW:.1f} MW + gensets {N_GENS * GEN_MW:.1f} MW = {supply_notice:.1f} MW; "
          f"must-serve load up to {must_site[notice].max():.1f} MW (spare {spare:.1f} MW); "
          f"full inference needs up to {full_site[notice].max():.1f} MW")
    assert spare >= 3.0, "must-serve load does not fit the notice with room to spare"
    assert full_site[notice].max() > IMPORT_CAP_MW, "gensets would not be needed"
    assert (must_site[~notice] <= INTERCONNECTION_MW - 20).all(), "must-serve load near the interconnection"
    assert (must_it <= cool_cap - 20).all(), "must-serve IT load near the cooling capacity"
    print(f"outside the notice: must-serve up to {must_site[~notice].max():.1f} MW of {INTERCONNECTION_MW:g} MW; "
          f"cooling capacity {cool_cap.min():.1f}-{cool_cap.max():.1f} MW_th, COP {cop.min():.2f}-{cop.max():.2f}")
    # Jobs: each fits its window at full power; non-pausable ones fit outside the notice.
    for jid, mw, mwh, rel, dl, can_pause, _ in JOBS:
        in_window = (h >= rel) & (h + STEP_MIN / 60 <= dl)
        usable = in_window & ~notice if not can_pause else in_window
        if not can_pause:  # the longest stretch of consecutive usable steps
            best = run = 0
            for u in usable:
                run = run + 1 if u else 0
                best = max(best, run)
            hours_avail = best * STEP_MIN / 60
        else:
            hours_avail = usable.sum() * STEP_MIN / 60
        need = mwh / mw
        print(f"{jid}: needs {need:.1f} h at full power, has {hours_avail:.2f} h")
        assert hours_avail >= 1.2 * need, f"{jid} is too tight"
    # Total room for training under the interconnection and the cooling limit, all outside the notice.
    it_room = np.minimum((INTERCONNECTION_MW - OVERHEAD_MW) / (1 + 1 / cop), cool_cap) - FIXED_IT_MW - inf_full
    room = (np.clip(it_room, 0, sum(j[1] for j in JOBS)) * ~notice).sum() * STEP_MIN / 60
    work = sum(j[2] for j in JOBS)
    print(f"training: {work:g} MWh of work, about {room:.0f} MWh of room outside the notice")
    assert room >= 1.3 * work
    assert GEN_MIN_LOAD * GEN_MW < spare
    print(f"price: mean {s['price_usd_per_mwh'].mean():.1f}, max {s['price_usd_per_mwh'].max():g} $/MWh; "
          f"temperature {temp.min():.1f}-{temp.max():.1f} C; inference peak {inf_full.max():.1f} MW "
          f"(chat {s['chat_mw'].max() / s['chat_mw'].min():.1f}x, code {s['code_mw'].max() / s['code_mw'].min():.1f}x)")


def local(hour: int, day_offset: int = 0) -> str:
    """Local wall-clock time on the planned day as an ISO string without offset (the loader applies
    the horizon's timezone)."""
    t = DAY.replace(tzinfo=None) + timedelta(days=day_offset, hours=hour)
    return t.isoformat()


def write_csv(s: dict[str, np.ndarray], path: Path) -> None:
    cols = list(s)
    lines = ["timestamp," + ",".join(cols)]
    for k in range(N):
        t = (DAY + timedelta(minutes=STEP_MIN * k)).isoformat()
        lines.append(t + "," + ",".join(_fmt(s[c][k]) for c in cols))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _fmt(x: float) -> str:
    return f"{round(float(x), 3):g}"


def toml_text() -> str:
    out = [
        "# The project's main example: one hot July weekday at a ~100 MW AI data center in Texas (ERCOT),",
        "# with a day-ahead 50% curtailment notice 15:00-19:00. GENERATED by instances/make_texas_summer_day.py",
        "# (do not edit by hand; change the script and rerun it). Every figure and its source is explained",
        "# in that script's docstring.",
        'name = "texas_summer_day"',
        "",
        "[horizon]",
        f'start = "{local(0)}"',
        'timezone = "America/Chicago"',
        "days = 1",
        f"step_minutes = {STEP_MIN}",
        "",
        "[site]",
        f"interconnection_mw = {INTERCONNECTION_MW}",
        f"it_load_mw = {FIXED_IT_MW}",
        f"overhead_mw = {OVERHEAD_MW}",
        "",
        "[grid]",
        f'price_usd_per_mwh = {{ file = "{CSV_NAME}" }}',
        f'carbon_kg_per_mwh = {{ file = "{CSV_NAME}" }}',
        "carbon_price_usd_per_t = 0.0",
        "demand_charge_usd_per_kw = 0.0",
        "",
        "[[notices]]",
        'id = "ercot-dr"',
        f'issued = "{local(15, -1)}"',
        f'start = "{local(NOTICE_START_H)}"',
        f'end = "{local(NOTICE_END_H)}"',
        f"reduction_fraction = {REDUCTION}",
        f"baseline_mw = {BASELINE_MW}",
    ]
    for g in range(1, N_GENS + 1):
        out += ["", "[[generators]]", f'id = "G{g}"', f"capacity_mw = {GEN_MW}",
                f"fuel_price_usd_per_gal = {FUEL_USD_PER_GAL}", f"startup_cost_usd = {STARTUP_USD}",
                "min_up_hours = 1.0", f"run_hours_left = {RUN_HOURS_LEFT}", 'dispatch = "notice_only"']
    out += ["", "[cooling]", f'outdoor_temp_c = {{ file = "{CSV_NAME}" }}',
            f"rated_capacity_mw_th = {RATED_MW_TH}", "",
            "[cooling.thermal_storage]", f"capacity_mwh_th = {TES_MWH_TH}",
            f"max_charge_mw_th = {TES_MW_TH}", f"max_discharge_mw_th = {TES_MW_TH}", "initial_fraction = 0.5"]
    for jid, mw, mwh, rel, dl, can_pause, loss in JOBS:
        out += ["", "[[training_jobs]]", f'id = "{jid}"', f"power_mw = {mw}", f"work_mwh = {mwh}"]
        if rel > 0:
            out.append(f'release = "{local(rel)}"')
        if dl < 24:
            out.append(f'deadline = "{local(dl)}"')
        if not can_pause:
            out.append("can_pause = false")
        if loss > 0:
            out.append(f"restart_loss_hours = {loss}")
    for sid, col, frac, penalty in SERVICES:
        out += ["", "[[inference]]", f'id = "{sid}"', f'demand_mw = {{ file = "{CSV_NAME}", column = "{col}" }}',
                f"min_served_fraction = {frac}", f"shed_penalty_usd_per_mwh = {penalty}"]
    return "\n".join(out) + "\n"


def main() -> None:
    s = series()
    check(s)
    OUT.mkdir(exist_ok=True)
    write_csv(s, OUT / CSV_NAME)
    (OUT / TOML_NAME).write_text(toml_text(), encoding="utf-8")
    print(f"wrote {OUT / TOML_NAME} and {OUT / CSV_NAME}")


if __name__ == "__main__":
    main()
