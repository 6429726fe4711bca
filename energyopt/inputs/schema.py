"""The instance's fields: the one source of truth for type, unit, default, range and description.

Validation (``loader.py``) and the documentation table (``docs/instance-format.md``, made by
``python -m energyopt.inputs.docs``) are both made from these models. A default is written here and
nowhere else; ``source`` says where it comes from (``domain.md`` is ``../shared/docs/domain.md``).
"""
from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, Strict,
                      model_validator)

ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_\-]{0,39}$"


# TOML has real numbers and booleans: a quoted "0.7" or "yes" is refused, not converted as pydantic's lax
# mode would (an integer is still accepted where a number is expected). Every number and boolean field uses
# one of these; ``tests/test_bad_input.py`` checks that none is left lax.
Number = Annotated[float, Strict()]
OptionalNumber = Annotated[float | None, Strict()]
OptionalInteger = Annotated[int | None, Strict()]
Boolean = Annotated[bool, Strict()]


def toml_value(v: Any) -> str:
    """How a value read from TOML is named in a message: ``the string '0.7'``, ``true``, ``a table``."""
    if isinstance(v, str):
        return f"the string {v!r} (write numbers and booleans without quotes)"
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, dict):
        return "a table"
    if isinstance(v, (list, tuple)):
        return "an array"
    return repr(v)


def _exact_int(v: Any) -> Any:
    """For integer choices (pydantic cannot make a Literal strict): no ``true`` for 1, no ``60.0`` for 60."""
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError(f"expected an integer, got {toml_value(v)}")
    return v


#: The start of date-time text: a date and an hour and minute (``2025-07-15T12:00``, ``T`` or a space between).
_DATE_TIME_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _date_time_only(v: Any) -> Any:
    """Only date-times: a TOML date-time or ISO 8601 text with a time of day (then parsed by pydantic). Pydantic's
    lax mode would read ``0``, ``"1.5"`` or ``1752555600`` as seconds since 1970, and a date as its midnight."""
    if v is None or isinstance(v, datetime) or (isinstance(v, str) and _DATE_TIME_TEXT.match(v)):
        return v
    if isinstance(v, date):
        got = f"the date {v} without a time of day (write e.g. {v}T00:00:00)"
    elif isinstance(v, time):
        got = f"the time {v} without a date"
    elif isinstance(v, str):
        got = f"the text {v!r}"
    elif isinstance(v, (int, float)) and not isinstance(v, bool):
        got = f"the number {v!r} (numbers are not read as seconds since 1970)"
    else:
        got = toml_value(v)
    raise ValueError(f"expected a date-time (ISO 8601 text such as \"2025-07-15T12:00:00-05:00\" or a TOML "
                     f"date-time), got {got}")


#: Years a date-time may have: a plan's horizon lies in the present era (pandas' time range is 1677-2262).
YEARS = (1900, 2200)


def _in_range(v: Any) -> Any:
    if v is not None and not YEARS[0] <= v.year <= YEARS[1]:
        raise ValueError(f"the year {v.year} is outside {YEARS[0]}-{YEARS[1]}")
    return v


#: Date-time fields (``Horizon.start``, notices' and training jobs' times) accept nothing else.
DateTime = Annotated[datetime, BeforeValidator(_date_time_only), AfterValidator(_in_range)]
OptionalDateTime = Annotated[datetime | None, BeforeValidator(_date_time_only), AfterValidator(_in_range)]


StepMinutes = Annotated[Literal[5, 15, 60], BeforeValidator(_exact_int)]
FormatVersion = Annotated[Literal[1], BeforeValidator(_exact_int)]


def F(default: Any = ..., *, unit: str = "", desc: str, source: str = "",
      series_range: tuple[float, float] | None = None, **kw: Any) -> Any:
    """A documented field: unit, source and (for series) the allowed value range travel in the schema."""
    extra: dict[str, Any] = {"unit": unit, "source": source}
    if series_range is not None:
        extra["series_range"] = list(series_range)
    return Field(default, description=desc, json_schema_extra=extra, **kw)


class Section(BaseModel):
    """Every section refuses unknown keys: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", validate_default=True, allow_inf_nan=False)


class SeriesInput(Section):
    """A value per step: a constant number, or a column of a CSV/Parquet file beside the instance.

    In TOML: ``field = 42.0`` or ``field = { file = "series.csv", column = "name" }``; ``column``
    defaults to the field's own name. The loader fills :attr:`values` (one value per step).
    """

    value: OptionalNumber = F(None, desc="constant value for every step")
    file: str | None = F(None, desc="CSV or Parquet file, relative to the instance file")
    column: str | None = F(None, desc="column of the file (default: the field's name)")
    scale: Number = F(1.0, desc="multiply every value by this, e.g. a price scenario (the allowed range applies "
                                "to the scaled values)")
    _values: np.ndarray | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _from_number(cls, data: Any) -> Any:
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            return {"value": float(data)}
        if not isinstance(data, (dict, SeriesInput)):
            raise ValueError(f"expected a number or a table {{ file = ..., column = ... }}, got {toml_value(data)}")
        return data

    @model_validator(mode="after")
    def _one_source(self) -> "SeriesInput":
        if self.value is None and self.file is None:
            raise ValueError("give a number (or `value`) or { file = ..., column = ... }")
        if self.value is not None and self.file is not None:
            raise ValueError("give a number (or `value`) or a `file`, not both")
        if self.column is not None and self.file is None:
            raise ValueError("`column` goes only with `file`; a constant `value` has no column")
        return self

    @property
    def values(self) -> np.ndarray:
        if self._values is None:
            raise RuntimeError("series not resolved; load the instance with energyopt.load_instance")
        return self._values


Curve = list[tuple[Number, Number]]


#: Highest penalty per MWh (shed inference, unfinished training work): 200 times the ERCOT offer cap of $5,000/MWh
#: (domain.md, Prices). With energies up to 1e6 MWh the objective stays below 1e12 $, and the cost coefficients within
#: a range HiGHS solves reliably (docs/model.md, Bounds).
PENALTY_MAX_USD_PER_MWH = 1e6


def check_penalty(usd_per_mwh: float, what: str) -> float:
    """A penalty converted from the business's units must stay within the bound of the $/MWh field it fills."""
    if usd_per_mwh > PENALTY_MAX_USD_PER_MWH:
        raise ValueError(f"{what} gives {usd_per_mwh:.6g} $/MWh, above the most a penalty may be "
                         f"({PENALTY_MAX_USD_PER_MWH:g} $/MWh: 200 times the ERCOT offer cap)")
    return usd_per_mwh


def check_curve(points: Curve, what: str) -> Curve:
    if len(points) < 1:
        raise ValueError(f"{what} needs at least one point")
    xs = [p[0] for p in points]
    if any(b <= a for a, b in zip(xs, xs[1:])):
        raise ValueError(f"{what}: x values must be strictly increasing")
    return points


#: Where the ramp limits' documentation comes from (docs/figures.md, section Ramps).
RAMP_SOURCE = ("figures.md, Ramps: no ISO publishes a numeric ramp limit for large loads yet (ERCOT NPRR 1308 and "
               "NOGRR 282 set ride-through; NERC's 2025 Level 2 alert asks for ramp limits): take it from the "
               "interconnection agreement")


class Horizon(Section):
    start: DateTime = F(desc="first step's start; ISO 8601 with a UTC offset, or local time when `timezone` is set")
    timezone: str | None = F(None, desc="IANA timezone (e.g. America/Chicago) for local days and daylight saving; "
                             "default: the fixed offset of `start`")
    hours: OptionalNumber = F(None, unit="h", gt=0, le=8784, desc="length of the horizon (give `hours` or `days`)")
    days: OptionalInteger = F(None, unit="d", gt=0, le=366,
                         desc="length in local calendar days: 23 or 25 hours on a daylight-saving change day")
    step_minutes: StepMinutes = F(60, unit="min", desc="step length")

    @model_validator(mode="after")
    def _length(self) -> "Horizon":
        if (self.hours is None) == (self.days is None):
            raise ValueError("give exactly one of `hours` or `days`")
        if self.timezone is None and self.start.tzinfo is None:
            raise ValueError("`start` has no UTC offset and no `timezone` is given")
        return self


class Site(Section):
    interconnection_mw: Number = F(unit="MW", gt=0, le=5000, desc="grid import limit at the point of interconnection")
    it_load_mw: SeriesInput = F(default_factory=lambda: SeriesInput(value=0.0), unit="MW", series_range=(0, 5000),
                                desc="non-flexible IT load (storage, networking, fixed services); constant or series")
    overhead_mw: SeriesInput = F(default_factory=lambda: SeriesInput(value=0.0), unit="MW", series_range=(0, 5000),
                                 desc="non-IT, non-cooling overhead (lighting, UPS and distribution losses); "
                                      "constant or series")
    load_ramp_up_mw_per_min: OptionalNumber = F(
        None, unit="MW/min", gt=0, le=5000,
        desc="limit on the rise of the facility load (IT + overhead + cooling) between consecutive steps, per minute "
             "of step: |load[t] - load[t-1]| <= limit x step minutes (none: unlimited)", source=RAMP_SOURCE)
    load_ramp_down_mw_per_min: OptionalNumber = F(None, unit="MW/min", gt=0, le=5000,
                                                 desc="limit on the fall of the facility load, likewise", source=RAMP_SOURCE)
    initial_load_mw: OptionalNumber = F(None, unit="MW", ge=0, le=5000,
                                        desc="facility load just before the horizon starts: with it the load ramps also "
                                             "bind the first step (none: the first step is free)")


class Grid(Section):
    price_usd_per_mwh: SeriesInput = F(unit="$/MWh", series_range=(-1000, 10000), desc="energy price; negative prices and scarcity prices are "
                                       "normal (ERCOT floor -250, offer cap 5,000)", source="domain.md, Prices")
    carbon_kg_per_mwh: SeriesInput = F(default_factory=lambda: SeriesInput(value=0.0), unit="kg CO2/MWh", series_range=(0, 2000),
                                       desc="average carbon intensity of grid energy")
    carbon_price_usd_per_t: Number = F(0.0, unit="$/t CO2", ge=0, le=1000,
                                      desc="price on CO2, applied to grid and generator emissions")
    demand_charge_usd_per_kw: Number = F(0.0, unit="$/kW", ge=0, le=500,
                                        desc="charge on the horizon's highest import (one step's average), applied once per horizon: "
                                             "for a monthly tariff give the share that this horizon should carry",
                                        source="domain.md, Prices: $15-20/kW-month is common")
    ramp_up_mw_per_min: OptionalNumber = F(
        None, unit="MW/min", gt=0, le=5000,
        desc="limit on the rise of grid import between consecutive steps, per minute of step: import[t] - import[t-1] "
             "<= limit x step minutes (none: unlimited)", source=RAMP_SOURCE)
    ramp_down_mw_per_min: OptionalNumber = F(
        None, unit="MW/min", gt=0, le=5000,
        desc="limit on the fall of grid import, likewise; a limit slower than a notice's lead time allows can make the "
             "notice impossible to meet", source=RAMP_SOURCE)
    max_change_mw_per_15min: OptionalNumber = F(
        None, unit="MW", gt=0, le=5000,
        desc="limit on the change of grid import over any 15 minutes: |import[t] - import[s]| for every pair of steps "
             "whose starts are at most 15 minutes apart (at 15- and 60-minute steps: consecutive steps)", source=RAMP_SOURCE)
    initial_import_mw: OptionalNumber = F(None, unit="MW", ge=0, le=5000,
                                          desc="grid import just before the horizon starts: with it the import ramps and "
                                               "the 15-minute limit also bind the first steps (none: they are free)")


class Notice(Section):
    id: str = F(pattern=ID_PATTERN, desc="name of the notice")
    issued: DateTime = F(desc="when the grid operator issued it")
    start: DateTime = F(desc="window start (a step that overlaps the window is capped)")
    end: DateTime = F(desc="window end")
    cap_mw: OptionalNumber = F(None, unit="MW", ge=0, le=5000, desc="cap on grid import during the window")
    reduction_fraction: OptionalNumber = F(None, gt=0, le=1, desc="required cut as a share of `baseline_mw`; "
                                         "cap = baseline x (1 - reduction)", source="domain.md: e.g. 50%")
    baseline_mw: OptionalNumber = F(None, unit="MW", gt=0, le=5000, desc="baseline that `reduction_fraction` applies to")

    @model_validator(mode="after")
    def _cap(self) -> "Notice":
        if (self.cap_mw is None) == (self.reduction_fraction is None):
            raise ValueError("give exactly one of `cap_mw` or `reduction_fraction` (with `baseline_mw`)")
        if self.reduction_fraction is not None and self.baseline_mw is None:
            raise ValueError("`reduction_fraction` needs `baseline_mw`")
        if self.cap_mw is not None and self.baseline_mw is not None:
            raise ValueError("`baseline_mw` only goes with `reduction_fraction`")
        return self

    @property
    def import_cap_mw(self) -> float:
        if self.cap_mw is not None:
            return self.cap_mw
        return self.baseline_mw * (1.0 - self.reduction_fraction)  # type: ignore[operator]


class InstanceBase(Section):
    """What every instance has besides its components: the format version, a name, the horizon, the site and
    the curtailment notices. The whole :class:`~energyopt.inputs.instance.Instance` adds one field per component
    of the registry (``energyopt/registry.py``); the loader validates sections one by one so all errors surface
    at once."""

    format_version: FormatVersion = F(1, desc="instance format version")
    name: str = F("instance", desc="a name for reports")
    horizon: Horizon = F(desc="the planning horizon")
    site: Site = F(desc="the site")
    notices: list[Notice] = F(default_factory=list, desc="curtailment notices")
    _time: Any = PrivateAttr(default=None)
    _source: Any = PrivateAttr(default=None)

    @property
    def time(self):
        """The horizon's :class:`~energyopt.inputs.timegrid.TimeGrid` (set by the loader)."""
        if self._time is None:
            raise RuntimeError("instance not loaded; use energyopt.load_instance")
        return self._time

    @property
    def source(self):
        """Path of the instance file it was loaded from."""
        return self._source


#: Sections of every instance (the components' sections follow, from the registry).
BASE_SECTIONS: dict[str, type[Section]] = {"horizon": Horizon, "site": Site, "notices": Notice}


def interp_curve(points: Curve, x: np.ndarray) -> np.ndarray:
    """Piecewise-linear curve, flat beyond its ends."""
    xs = np.array([p[0] for p in points])
    ys = np.array([p[1] for p in points])
    return np.interp(x, xs, ys)

