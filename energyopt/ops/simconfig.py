"""The simulation file of ``energyopt simulate``: one source of truth for each field (type, unit, default,
range, description), from which validation and ``docs/simulate.md``'s table are both made."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from pydantic import model_validator

from ..inputs.tomlfile import check_files_exist, read_model
from ..inputs.schema import F, Number, OptionalNumber, Section
from ..ledger.windows import CATEGORIES, DEFAULT_NOTICE_CATEGORY


class SimConfig(Section):
    name: str = F("simulation", desc="name shown in the report")
    site: str = F(desc="a one-day instance (TOML, relative to this file) used as every day's template: site, "
                       "grid terms, generators, cooling, training jobs (their release and deadline move with the "
                       "day), inference, battery; its horizon gives the timezone, the step and the time of day "
                       "the day starts")
    start_date: date = F(desc="first local day simulated")
    days: int = F(ge=1, le=3660, strict=True, desc="number of consecutive days")
    plan_hour: int = F(12, ge=0, le=23, strict=True, unit="h",
                       desc="local hour of the previous day at which the day-ahead plan is made: notices issued "
                            "by then are in it, later ones start a re-plan")
    response_minutes: Number = F(10.0, ge=0, le=1440, unit="min",
                                 desc="time the site needs to act on a re-plan: steps that start sooner stay as "
                                      "planned",
                                 source="domain.md: ERCOT ERS-10 responds within 10 minutes")
    series: str = F(desc="CSV with a `timestamp` column (ISO with offset, or local time of the site) and the "
                         "columns below, covering every simulated day; missing values are filled by linear "
                         "interpolation and counted in the report")
    price_forecast_column: str = F("price_forecast", desc="column of the day-ahead price forecast ($/MWh), "
                                                          "what each day is planned on")
    price_actual_column: str | None = F("price_actual", desc="column of the real-time price ($/MWh) each day "
                                                            "is settled at; empty: settle at the forecast")
    temperature_column: str | None = F(None, desc="column of outdoor temperature (C) for cooling; empty: the "
                                                  "template's own")
    carbon_column: str | None = F(None, desc="column of grid carbon intensity (kg CO2/MWh); empty: the "
                                             "template's own")
    notices_file: str | None = F(None, desc="CSV of notices (see docs/events.md)")
    random_notices: dict[str, Any] | None = F(None, desc="draw notices at random: the fields of EventSpec "
                                                         "(docs/events.md), e.g. { events_per_year = 10, seed = 1 }")
    notice_baseline_mw: OptionalNumber = F(None, gt=0, unit="MW",
                                          desc="baseline that random notices' reduction applies to")
    ledger: str | None = F(None, desc="permit ledger (SQLite) whose budgets the simulation starts from; it is "
                                      "copied, never written: the simulation records into its own copy")
    ledger_windows: tuple[str, ...] = F((), desc="permit windows (KIND:APPLIES_TO:METRIC:LIMIT, docs/ledger.md) of every "
                                       "generator the ledger does not know yet")
    notice_category: str = F(DEFAULT_NOTICE_CATEGORY, desc="category of generator hours inside a notice, for the ledger",
                             source="domain.md: US EPA emergency-engine rules")
    mip_gap: Number = F(1e-4, ge=0, le=1, desc="relative MIP gap of every daily solve")
    time_limit_s: OptionalNumber = F(60.0, gt=0, unit="s", desc="time limit of every daily solve")

    @model_validator(mode="after")
    def _category(self) -> "SimConfig":
        if self.notice_category not in CATEGORIES:
            raise ValueError(f"notice_category {self.notice_category!r} is not one of {', '.join(CATEGORIES)}")
        if self.notices_file and self.random_notices:
            raise ValueError("give notices_file or random_notices, not both")
        return self


def load_sim_config(path: str | Path) -> tuple[SimConfig, Path]:
    """Read and validate a simulation file; returns it with the folder its paths are relative to."""
    path = Path(path)
    cfg = read_model(path, SimConfig, "simulation")
    check_files_exist(path, [("site", cfg.site), ("series", cfg.series), ("notices_file", cfg.notices_file),
                             ("ledger", cfg.ledger)])
    return cfg, path.parent
