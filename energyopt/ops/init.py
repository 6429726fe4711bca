"""``energyopt init DIR``: a ready instance folder for a site from a few flags (docs/init.md).

The TOML says beside each figure where it comes from: a flag, a sourced figure (``domain.md`` is
``../shared/docs/domain.md``, ``figures.md`` is docs/figures.md) or an assumption derived from them; the series
(prices, outdoor temperature, inference demand) are made by the series importers (:mod:`energyopt.importers`)
on the instance's own grid, every repair they made listed at the head of the TOML. The folder is built in a
temporary folder beside DIR and renamed into place, so it appears whole or not at all.
"""
from __future__ import annotations

import math
import os
import shutil
import tempfile
import zoneinfo
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import tomli_w

from .. import errors as E
from ..atomic import swap_in, umask

#: The ERCOT hub/zone file ``--node`` alone reads, under ``$ENERGYOPT_REAL_DATA`` (or ``../shared/data``).
ERCOT_HUB_FILE = "prices/ercot_hubs_zones_hourly_dam_rtm_2024-01-01_2026-03-17.csv"
PRICE_FORMATS = ("ercot", "caiso", "pjm", "gridstatus", "table")
#: How ``--node`` is passed to each price format's reader.
_NODE_OPTION = {"ercot": "location", "caiso": "node", "pjm": "pnode", "gridstatus": "location"}

# Sizing shares of the site (assumed; the TOML comment of each figure says what it rests on).
IT_SHARE = 0.70          #: IT load at full speed / interconnection
FIXED_IT_SHARE = 0.10    #: of the IT load: storage, networking, fixed services
INFERENCE_SHARE = 0.30   #: of the IT load: inference at its peak
OVERHEAD_SHARE = 0.03    #: of the IT load: lighting, UPS and distribution losses
WORK_SHARE = 0.85        #: a training job's work / (its power x the horizon's hours)
COOLING_MARGIN = 1.0 / 0.77   #: rated cooling / IT load: the full IT heat at 45 C (the default derate curve's 0.77)
DEFAULT_TEMP_C = 35.0    #: outdoor temperature without --weather
FUEL_USD_PER_GAL = 3.75  #: delivered diesel (the Texas example's assumption, within $3.5-4/gal)
STARTUP_USD = 300.0      #: per genset start (the Texas example's assumption)
SHED_USD_PER_MWH = 3330.0   #: figures.md, Economics: $4/GPU-h x 833 GPUs/MW


@dataclass(frozen=True)
class InitOptions:
    """What ``energyopt init`` was given (the flags, by name)."""

    site_mw: float
    date: str
    days: int = 1
    step: int = 15
    timezone: str = "America/Chicago"
    node: str | None = None
    prices: Path | None = None
    prices_format: str = "ercot"
    market: str = "dam"
    weather: Path | None = None
    gensets: int = 0
    genset_mw: float = 2.5
    hours_left: float = 50.0
    inference_trace: Path | None = None
    training_jobs: int = 3
    carbon: Path | None = None
    notice: str | None = None
    notice_cut: float = 0.5
    fill: str | None = None
    name: str | None = None


def check_options(o: InitOptions) -> None:
    """Every flag that cannot be used, at once (exit 3, each named)."""
    bad = []
    if not (math.isfinite(o.site_mw) and 1 <= o.site_mw <= 5000):
        bad.append(f"--site-mw: {o.site_mw:g} MW is outside [1, 5000] (the interconnection limit)")
    try:
        date.fromisoformat(o.date)
    except ValueError:
        bad.append(f"--date: {o.date!r} is not a date (YYYY-MM-DD)")
    if not 1 <= o.days <= 31:
        bad.append(f"--days: {o.days} is outside 1-31")
    if o.step not in (5, 15, 60):
        bad.append(f"--step: {o.step} minutes: use 5, 15 or 60")
    try:
        zoneinfo.ZoneInfo(o.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        bad.append(f"--timezone: unknown timezone {o.timezone!r} (an IANA name such as America/Chicago)")
    if o.prices_format not in PRICE_FORMATS:
        bad.append(f"--prices-format: {o.prices_format!r}: use one of {', '.join(PRICE_FORMATS)}")
    if o.prices is None and o.node is None:
        bad.append("--prices: give a price file, or --node to read ERCOT's hub file of the shared data")
    if o.prices is None and o.node is not None and o.prices_format != "ercot":
        bad.append(f"--prices: --node alone reads ERCOT's hub file; for --prices-format {o.prices_format} give "
                   "the file")
    if o.notice is not None and notice_window(o.notice) is None:
        bad.append(f"--notice: {o.notice!r}: give the window as HH:MM-HH:MM on the first day, e.g. 15:00-19:00")
    if not (math.isfinite(o.notice_cut) and 0 < o.notice_cut <= 1):
        bad.append(f"--notice-cut: {o.notice_cut:g} is outside (0, 1] (the share of the site's load cut)")
    for flag, path in (("--prices", o.prices), ("--weather", o.weather), ("--inference-trace", o.inference_trace),
                       ("--carbon", o.carbon)):
        if path is not None and not Path(path).is_file():
            bad.append(f"{flag}: {path} is not a file")
    if o.weather is not None and Path(o.weather).suffix.lower() not in (".tmy3", ".epw", ".csv"):
        bad.append(f"--weather: {o.weather}: give a TMY3 (.tmy3 or .csv) or EPW (.epw) file")
    if not 0 <= o.gensets <= 100:
        bad.append(f"--gensets: {o.gensets} is outside 0-100")
    if not (math.isfinite(o.genset_mw) and 0 < o.genset_mw <= 50):
        bad.append(f"--genset-mw: {o.genset_mw:g} MW is outside (0, 50] (data-center gensets are 2-3 MW)")
    if not (math.isfinite(o.hours_left) and 0 <= o.hours_left <= 8784):
        bad.append(f"--hours-left: {o.hours_left:g} h is outside [0, 8784]")
    if not 0 <= o.training_jobs <= 50:
        bad.append(f"--training-jobs: {o.training_jobs} is outside 0-50")
    if o.name is not None and not _valid_name(o.name):
        bad.append(f"--name: {o.name!r}: letters, digits, '_' and '-' only (it names the TOML file)")
    if bad:
        raise E.BadInput("\n".join(bad))


def notice_window(text: str) -> tuple[str, str] | None:
    """``"15:00-19:00"`` as (start, end) clock times, end after start; None if it is not such a window."""
    parts = text.replace(" ", "").split("-")
    if len(parts) != 2:
        return None
    try:
        a, b = (pd.Timestamp(f"2000-01-01T{x}") for x in parts)
    except ValueError:
        return None
    if not (len(parts[0]) == len(parts[1]) == 5 and a < b):
        return None
    return parts[0], parts[1]


def _valid_name(name: str) -> bool:
    return bool(name) and len(name) <= 80 and all(c.isalnum() or c in "_-" for c in name)


def price_file(o: InitOptions) -> Path:
    """``--prices``, or with ``--node`` alone ERCOT's hub file in the shared data folder."""
    if o.prices is not None:
        return Path(o.prices)
    root = Path(os.environ.get("ENERGYOPT_REAL_DATA", Path("..") / "shared" / "data"))
    path = root / ERCOT_HUB_FILE
    if not path.is_file():
        raise E.BadInput(f"--prices: --node alone reads {ERCOT_HUB_FILE} under $ENERGYOPT_REAL_DATA (or "
                         f"../shared/data), not found at {path}; give the price file with --prices")
    return path


def make_series(o: InitOptions) -> tuple[pd.DataFrame, list[str], dict[str, str]]:
    """The series on the instance's grid: prices, outdoor temperature (with --weather), inference demand (peak
    scaled to the site) and every repair; and where each column came from."""
    from ..importers import make_grid, read, to_grid
    grid = make_grid(f"{o.date}T00:00:00", o.timezone, o.step, days=o.days)
    columns, repairs, sources = [], [], {}
    prices = price_file(o)
    opts = {}
    if o.prices_format in _NODE_OPTION and o.node is not None:
        opts[_NODE_OPTION[o.prices_format]] = o.node
    if o.prices_format == "ercot":
        opts["market"] = o.market
    if o.prices_format == "table":
        opts["tz"] = o.timezone
        opts["column"] = [f"{o.node}=price_usd_per_mwh"] if o.node else None
    where = "--prices" if o.node or o.prices_format == "table" else "--prices (the point is chosen with --node)"
    with E.about(where):
        imp = read(o.prices_format, prices, **{k: v for k, v in opts.items() if v is not None})
        frame, more = to_grid(imp, grid, o.fill)
    columns.append(frame[["price_usd_per_mwh"]])
    repairs += more
    sources["price_usd_per_mwh"] = (f"{prices.name}, {o.prices_format}"
                                    + (f" {o.node}" if o.node else "") + (f" {o.market}" if o.prices_format == "ercot"
                                                                          else ""))
    if o.weather is not None:
        fmt = "epw" if Path(o.weather).suffix.lower() == ".epw" else "tmy3"
        with E.about("--weather"):
            frame, more = to_grid(read(fmt, o.weather), grid, o.fill)
        columns.append(frame[["outdoor_temp_c"]])
        repairs += more
        sources["outdoor_temp_c"] = f"{Path(o.weather).name} ({fmt}, matched by month, day and hour)"
    if o.carbon is not None:
        with E.about("--carbon"):
            imp = read("eia930", o.carbon)
            if imp.frame.index[0] > grid.start or imp.frame.index[-1] + imp.step < grid.end:   # another year
                imp = read("eia930", o.carbon, typical=True, tz=o.timezone)
            frame, more = to_grid(imp, grid, o.fill)
        columns.append(frame[["carbon_kg_per_mwh"]])
        repairs += more
        sources["carbon_kg_per_mwh"] = (f"{Path(o.carbon).name} (EIA-930 average intensity"
                                        + (", matched by month, day and hour)" if imp.pattern else ")"))
    if o.inference_trace is not None:
        peak = inference_peak_mw(o.site_mw)
        with E.about("--inference-trace"):
            frame, more = to_grid(read("azure", o.inference_trace, peak_mw=peak), grid, o.fill)
        columns.append(frame[["demand_mw"]].rename(columns={"demand_mw": "inference_mw"}))
        repairs += more
        sources["inference_mw"] = f"{Path(o.inference_trace).name} (Azure trace, scaled to a {peak:g} MW peak)"
    return pd.concat(columns, axis=1), list(repairs), sources


def it_mw(site_mw: float) -> float:
    return round(IT_SHARE * site_mw, 3)


def inference_peak_mw(site_mw: float) -> float:
    return round(INFERENCE_SHARE * it_mw(site_mw), 3)


def instance_text(o: InitOptions, n_steps: int, hours: float, repairs: list[str], sources: dict[str, str]) -> str:
    """The instance TOML, each figure with a comment saying where it comes from."""
    it = it_mw(o.site_mw)
    fixed = round(FIXED_IT_SHARE * it, 3)
    peak = inference_peak_mw(o.site_mw)
    training = round(it - fixed - peak, 3)
    name = o.name or f"site-{o.date}"
    out = [f"# Written by `energyopt init` for a {o.site_mw:g} MW site, {o.days} day(s) from {o.date} in {o.timezone},",
           f"# {n_steps} steps of {o.step} min. Every figure says where it comes from: a flag, docs/figures.md,",
           "# ../shared/docs/domain.md, or an assumption; change any of them to the site's own. Series: series.csv.",
           "# Add curtailment notices as [[notices]] (docs/instance-format.md), with --notice, or with",
           "# `energyopt replan --add-notices`."]
    for col, src in sources.items():
        out.append(f"# series.csv {col}: {src}")
    out += [f"# repair: {r}" for r in repairs]
    out += ["", _kv("name", name, "--name (default: site-DATE)"), "", "[horizon]",
            _kv("start", f"{o.date}T00:00:00", "--date, local midnight"),
            _kv("timezone", o.timezone, "--timezone"), _kv("days", o.days, "--days"),
            _kv("step_minutes", o.step, "--step"),
            "", "[site]", _kv("interconnection_mw", float(o.site_mw), "--site-mw"),
            _kv("it_load_mw", fixed, f"fixed IT (storage, networking): {FIXED_IT_SHARE:.0%} of the IT load "
                f"{it:g} MW = {IT_SHARE:.0%} of --site-mw (assumed)"),
            _kv("overhead_mw", round(OVERHEAD_SHARE * it, 3), f"{OVERHEAD_SHARE:.0%} of IT (lighting, UPS losses; "
                "assumed): with cooling at COP 4.4 it gives PUE ~1.26, new large sites 1.3 or less (domain.md)"),
            "", "[grid]", _series("price_usd_per_mwh", "price_usd_per_mwh", sources["price_usd_per_mwh"]),
            _series("carbon_kg_per_mwh", "carbon_kg_per_mwh", sources["carbon_kg_per_mwh"])
            if o.carbon is not None else _kv("carbon_kg_per_mwh", 0.0, "no --carbon (an EIA-930 table)"),
            _kv("demand_charge_usd_per_kw", 0.0, "none for a day's plan (domain.md, Prices: $15-20/kW-month)")]
    if o.notice is not None:
        start, end = notice_window(o.notice)
        out += ["", "[[notices]]", _kv("id", "notice", "--notice"),
                _kv("issued", f"{pd.Timestamp(o.date) - pd.Timedelta(days=1):%Y-%m-%d}T{start}:00",
                    "a day ahead: ERCOT's demand-reduction service gives 24 hours' notice (domain.md)"),
                _kv("start", f"{o.date}T{start}:00", "--notice"), _kv("end", f"{o.date}T{end}:00", "--notice"),
                _kv("reduction_fraction", float(o.notice_cut), "--notice-cut (domain.md: e.g. 50%)"),
                _kv("baseline_mw", float(o.site_mw), "the interconnection, --site-mw")]
    for i in range(o.gensets):
        out += ["", "[[generators]]", _kv("id", f"G{i + 1}", f"--gensets {o.gensets}"),
                _kv("capacity_mw", float(o.genset_mw), "--genset-mw (domain.md: data-center gensets are 2-3 MW)"),
                _kv("fuel_price_usd_per_gal", FUEL_USD_PER_GAL, "delivered diesel, assumed ($3.5-4/gal)"),
                _kv("startup_cost_usd", STARTUP_USD, "wear and warm-up fuel per start, assumed"),
                _kv("min_up_hours", 1.0, "assumed"),
                _kv("run_hours_left", float(o.hours_left), "--hours-left (domain.md: EPA 100 h/yr, 50 non-emergency)"),
                _kv("dispatch", "notice_only", "emergency engines run only under a notice (domain.md: EPA rules)")]
    out += ["", "[cooling]"]
    if o.weather is not None:
        out.append(_series("outdoor_temp_c", "outdoor_temp_c", sources["outdoor_temp_c"]))
    else:
        out.append(_kv("outdoor_temp_c", DEFAULT_TEMP_C, "no --weather: a hot afternoon all day (assumed)"))
    out.append(_kv("rated_capacity_mw_th", round(COOLING_MARGIN * it, 3), "the full IT heat up to 45 C, where the "
                   "default derate curve leaves 77% (domain.md, Cooling)"))
    n = o.training_jobs
    for i in range(n):
        power = round(training / n, 3) if n else 0.0
        out += ["", "[[training_jobs]]", _kv("id", f"J{i + 1}", f"--training-jobs {n}"),
                _kv("power_mw", power, f"the IT load left after fixed IT and inference's peak, {training:g} MW, "
                    "shared evenly (assumed)"),
                _kv("work_mwh", round(WORK_SHARE * power * hours, 3), f"{WORK_SHARE:.0%} of full speed over the "
                    f"{hours:g} h horizon (assumed), due at its end"),
                _kv("restart_loss_hours", 0.5, "hourly checkpoints lose half an hour on average (figures.md, "
                    "Training jobs)")]
    out += ["", "[[inference]]", _kv("id", "chat", "one service"),
            _series("demand_mw", "inference_mw", sources["inference_mw"]) if o.inference_trace is not None else
            _kv("demand_mw", round(0.7 * peak, 3), f"no --inference-trace: 70% of the {peak:g} MW peak, "
                f"{INFERENCE_SHARE:.0%} of the IT load (assumed)"),
            _kv("min_served_fraction", 0.9, "assumed"),
            _kv("shed_penalty_usd_per_mwh", SHED_USD_PER_MWH, "$4/GPU-h x 833 GPUs/MW (figures.md, Economics)")]
    return "\n".join(out) + "\n"


def _kv(key: str, value, comment: str) -> str:
    line = tomli_w.dumps({key: value}).strip()
    return f"{line:<40} # {comment}"


def _series(key: str, column: str, comment: str) -> str:
    return f'{key} = {{ file = "series.csv", column = "{column}" }}  # {comment}'


def init_folder(out: Path, o: InitOptions, force: bool = False) -> tuple[Path, list[str]]:
    """Write the instance folder ``out`` (refused if it holds anything, unless ``force``); returns the TOML file's
    path and the repairs made to the series."""
    out = Path(out)
    check_options(o)
    if out.exists() and not out.is_dir():
        raise E.BadInput(f"DIR: {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise E.BadInput(f"DIR: {out} is not empty; give a new folder, or --force to replace it")
    if not out.absolute().parent.is_dir():
        raise E.BadInput(f"DIR: the folder {out.absolute().parent} does not exist")
    from ..importers import write_series
    frame, repairs, sources = make_series(o)
    grid_hours = len(frame) * o.step / 60
    text = instance_text(o, len(frame), grid_hours, repairs, sources)
    name = o.name or f"site-{o.date}"
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.absolute().parent))
    except OSError as exc:
        raise E.BadInput(f"DIR: cannot write beside {out}: {exc}") from None
    try:
        (tmp / f"{name}.toml").write_text(text, encoding="utf-8")
        write_series(frame, tmp / "series.csv")
        os.chmod(tmp, 0o777 & ~umask())
        swap_in(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise E.BadInput(f"DIR: cannot write {out} (nothing is written): {exc}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out / f"{name}.toml", repairs
