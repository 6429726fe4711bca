"""A genset's fields: what it is (``GeneratorBase``, shared with the plan's genset types) and what its permit and
its state at the horizon's start leave (``Generator``).

A unit burns one fuel kind (``fuel``): diesel in gallons, natural gas in MMBtu (higher heating value) or
hydrogen in kg. Each kind has its own price, fuel-line and CO2 fields, with units in their names; a unit may set
only the fields of its own kind (the line fields of another kind keep their defaults and are never used). The
methods below (``fuel_unit``, ``fuel_price_usd_per_unit``, ``fuel_noload_per_h_per_mw``, ...) give the figures
of the unit's own kind, so the model and the checker never branch on field names."""
from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import model_validator

from .schema import ID_PATTERN, Boolean, F, Number, OptionalNumber, Section

#: Each fuel kind: its unit, and the fields that belong to it only (price, fuel line, CO2 factor).
FUEL_UNITS = {"diesel": "gal", "natural_gas": "MMBtu", "hydrogen": "kg"}
KIND_FIELDS = {
    "diesel": ("fuel_price_usd_per_gal", "fuel_noload_gal_per_h_per_mw", "fuel_slope_gal_per_mwh", "co2_kg_per_gal"),
    "natural_gas": ("fuel_price_usd_per_mmbtu", "fuel_noload_mmbtu_per_h_per_mw", "fuel_slope_mmbtu_per_mwh",
                    "co2_kg_per_mmbtu"),
    "hydrogen": ("fuel_price_usd_per_kg", "fuel_noload_kg_per_h_per_mw", "fuel_slope_kg_per_mwh"),
}
#: NOx per MWh of output by kind when ``nox_kg_per_mwh`` is not given (docs/figures.md, Fuels).
NOX_DEFAULT_KG_PER_MWH = {"diesel": 6.4, "natural_gas": 2.68, "hydrogen": 0.0}
#: Highest fuel rate of a ``fuel_curve`` point, per h per MW rated in any kind's unit: ten times the largest full-load
#: figure (diesel ~71 gal/h per MW, domain.md), so no curve brings a coefficient HiGHS cannot handle (docs/model.md,
#: Bounds).
FUEL_RATE_MAX = 1000.0


class GeneratorBase(Section):
    """What a genset is: its size, fuel kind and curve, costs, emissions and how it may be dispatched."""

    RULES: ClassVar[tuple[str, ...]] = (
        "`fuel` picks the fuel kind; set only the price, fuel-line and CO2 fields of that kind (diesel: `_gal`, "
        "natural gas: `_mmbtu`, hydrogen: `_kg`); the price of the unit's kind is required",
        "`fuel_curve`, when given, replaces the kind's intercept + slope line: points [output fraction, fuel per h "
        "per MW rated, in the kind's unit], x increasing, covering [min_load_fraction, 1], convex (slopes "
        "non-decreasing) and non-decreasing",
    )

    id: str = F(pattern=ID_PATTERN, desc="name of the unit")
    capacity_mw: Number = F(unit="MW", gt=0, le=50, desc="rated electrical output",
                           source="domain.md: data-center gensets are typically 2-3 MW")
    min_load_fraction: Number = F(0.3, ge=0, le=1, desc="minimum stable output while on, as a share of capacity",
                                 source="domain.md: below ~30% for long causes wet stacking (Kohler)")
    fuel: Literal["diesel", "natural_gas", "hydrogen"] = F(
        "diesel", desc="fuel kind: `diesel` (gal), `natural_gas` (MMBtu, higher heating value) or `hydrogen` (kg)",
        source="figures.md, Fuels")
    fuel_noload_gal_per_h_per_mw: Number = F(4.25, unit="gal/h per MW rated", ge=0, le=50,
                                            desc="diesel: fuel curve intercept, fuel burned while on, per MW of capacity",
                                            source="least-squares line through the 1 MW diesel chart in domain.md "
                                                   "(21.6/36.4/52.1/71.1 gal/h at 25/50/75/100%)")
    fuel_slope_gal_per_mwh: Number = F(65.68, unit="gal/MWh", gt=0, le=500,
                                      desc="diesel: fuel curve slope, fuel per MWh of output", source="same fit")
    fuel_price_usd_per_gal: OptionalNumber = F(None, unit="$/gal", ge=0, le=50,
                                              desc="diesel: delivered fuel price (required for a diesel unit)")
    co2_kg_per_gal: Number = F(10.16, unit="kg CO2/gal", ge=0, le=20, desc="diesel: CO2 per gallon burned",
                              source="domain.md: diesel 10.16 kg CO2/gal (EIA)")
    fuel_noload_mmbtu_per_h_per_mw: Number = F(0.9, unit="MMBtu/h per MW rated", ge=0, le=10,
                                              desc="natural gas: fuel curve intercept per MW of capacity",
                                              source="figures.md, Fuels (assumed: 10% of a 9.0 MMBtu/MWh full-load "
                                                     "heat rate)")
    fuel_slope_mmbtu_per_mwh: Number = F(8.1, unit="MMBtu/MWh", gt=0, le=30,
                                        desc="natural gas: fuel curve slope, fuel per MWh of output",
                                        source="figures.md, Fuels (assumed)")
    fuel_price_usd_per_mmbtu: OptionalNumber = F(None, unit="$/MMBtu", ge=0, le=200,
                                                desc="natural gas: delivered fuel price (required for a gas unit)")
    co2_kg_per_mmbtu: Number = F(53.06, unit="kg CO2/MMBtu", ge=0, le=200, desc="natural gas: CO2 per MMBtu burned",
                                source="figures.md, Fuels: 40 CFR 98 Table NN-1 and EIA, 53.06 kg CO2/MMBtu")
    fuel_noload_kg_per_h_per_mw: Number = F(2.5, unit="kg/h per MW rated", ge=0, le=100,
                                           desc="hydrogen: fuel curve intercept per MW of capacity",
                                           source="figures.md, Fuels (assumed: about 5% of full-load use)")
    fuel_slope_kg_per_mwh: Number = F(48.3, unit="kg/MWh", gt=0, le=500,
                                     desc="hydrogen: fuel curve slope, fuel per MWh of output",
                                     source="figures.md, Fuels (derived: 50% efficient on 141.8 MJ/kg gives "
                                            "50.8 kg/MWh at full load)")
    fuel_price_usd_per_kg: OptionalNumber = F(None, unit="$/kg", ge=0, le=100,
                                             desc="hydrogen: delivered fuel price (required for a hydrogen unit)")
    fuel_curve: list[tuple[Number, Number]] | None = F(
        None, unit="[output fraction, fuel per h per MW rated in the kind's unit]",
        desc="convex piecewise-linear fuel curve replacing the kind's intercept + slope line; empty: the line")
    startup_cost_usd: Number = F(0.0, unit="$", ge=0, le=1e7, desc="cost of each start",
                             source="bounds (docs/model.md, Bounds): a 50 MW unit's start is far below $10 million")
    shutdown_cost_usd: Number = F(0.0, unit="$", ge=0, le=1e7, desc="cost of each stop (a unit running at the start "
                                                            "that stops counts one)",
                              source="bounds (docs/model.md, Bounds): as startup_cost_usd")
    min_up_hours: Number = F(0.0, unit="h", ge=0, le=72, desc="once started, stays on at least this long")
    min_down_hours: Number = F(0.0, unit="h", ge=0, le=72, desc="once stopped, stays off at least this long")
    nox_kg_per_mwh: Number = F(6.4, unit="kg/MWh", ge=0, le=50,
                              desc="NOx per MWh of output; default by kind: diesel 6.4, natural gas 2.68, hydrogen 0",
                              source="domain.md: EPA Tier 2, NMHC+NOx 6.4 g/kWh; figures.md, Fuels (gas, hydrogen)")
    dispatch: Literal["notice_only", "economic"] = F(
        "notice_only", desc="`notice_only`: may run only while a curtailment notice is in force (emergency/"
                            "demand-response permits), and only the part of a step the notice covers; "
                            "`economic`: may also run for price",
        source="domain.md: EPA emergency-engine rules")

    @model_validator(mode="after")
    def _fuel_kind(self) -> "GeneratorBase":
        given = self.model_fields_set
        own = KIND_FIELDS[self.fuel]
        for kind, names in KIND_FIELDS.items():
            wrong = [n for n in names if kind != self.fuel and n in given]
            if wrong:
                raise ValueError(f"{', '.join(f'`{n}`' for n in wrong)} belong(s) to fuel = \"{kind}\"; this unit "
                                 f"burns {self.fuel} (fuel = \"{self.fuel}\"): give {', '.join(f'`{n}`' for n in own)}")
        price = own[0]
        if getattr(self, price) is None:
            raise ValueError(f"`{price}` is required for a unit with fuel = \"{self.fuel}\"")
        if "nox_kg_per_mwh" not in given:
            self.nox_kg_per_mwh = NOX_DEFAULT_KG_PER_MWH[self.fuel]
        if self.fuel_curve is not None:
            line = [n for n in own[1:3] if n in given]
            if line:
                raise ValueError(f"give `fuel_curve` or the line ({', '.join(f'`{n}`' for n in line)}), not both")
            check_fuel_curve(self.fuel_curve, self.min_load_fraction)
        return self

    # -- the figures of the unit's own fuel kind ------------------------------------------------------
    def fuel_unit(self) -> str:
        return FUEL_UNITS[self.fuel]

    def fuel_price_usd_per_unit(self) -> float:
        return float(getattr(self, KIND_FIELDS[self.fuel][0]))

    def fuel_noload_per_h_per_mw(self) -> float:
        return float(getattr(self, KIND_FIELDS[self.fuel][1]))

    def fuel_slope_per_mwh(self) -> float:
        return float(getattr(self, KIND_FIELDS[self.fuel][2]))

    def co2_kg_per_unit(self) -> float:
        """CO2 per unit of fuel; hydrogen emits none at the stack."""
        return float(getattr(self, KIND_FIELDS[self.fuel][3])) if self.fuel != "hydrogen" else 0.0

    def fuel_noload_gal_per_h(self) -> float:
        return self.fuel_noload_gal_per_h_per_mw * self.capacity_mw

    def fuel_lines(self) -> list[tuple[float, float]]:
        """The fuel rate as lines (intercept per h per MW rated while on, slope per MWh): one for the default line,
        one per segment of ``fuel_curve``; the rate is their maximum (the curve is convex)."""
        if self.fuel_curve is None:
            return [(self.fuel_noload_per_h_per_mw(), self.fuel_slope_per_mwh())]
        out = []
        for (x0, y0), (x1, y1) in zip(self.fuel_curve, self.fuel_curve[1:]):
            s = (y1 - y0) / (x1 - x0)
            out.append((y0 - s * x0, s))
        return out


def check_fuel_curve(points, min_load: float) -> None:
    """A fuel curve the epigraph models exactly: x increasing in [0, 1] and covering [min_load, 1], convex."""
    if len(points) < 2:
        raise ValueError("`fuel_curve` needs at least two points [output fraction, fuel rate]")
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    if any(b <= a for a, b in zip(xs, xs[1:])):
        raise ValueError(f"`fuel_curve`: output fractions must be strictly increasing (got {xs})")
    if xs[0] < 0 or xs[-1] > 1 + 1e-9 or any(not 0 <= y <= FUEL_RATE_MAX for y in ys):
        raise ValueError(f"`fuel_curve`: output fractions lie in [0, 1] and fuel rates in [0, {FUEL_RATE_MAX:g}] "
                         "per h per MW rated")
    if xs[0] > min_load + 1e-9 or xs[-1] < 1 - 1e-9:
        raise ValueError(f"`fuel_curve` covers [{xs[0]:g}, {xs[-1]:g}]; it must cover [min_load_fraction, 1] = "
                         f"[{min_load:g}, 1]")
    slopes = [(y1 - y0) / (x1 - x0) for x0, y0, x1, y1 in zip(xs, ys, xs[1:], ys[1:])]
    if slopes[0] < -1e-12:
        raise ValueError(f"`fuel_curve`: fuel must not fall as output rises (first slope {slopes[0]:g})")
    for k, (a, b) in enumerate(zip(slopes, slopes[1:])):
        if b < a - 1e-9 * max(1.0, abs(a)):
            raise ValueError(f"`fuel_curve` is not convex: its slope falls from {a:g} to {b:g} at output fraction "
                             f"{xs[k + 1]:g} (slopes must be non-decreasing)")


class Generator(GeneratorBase):
    """A unit of the site, with what its air permit leaves for this horizon, its ramp limits and its state at the
    horizon's start."""

    RULES: ClassVar[tuple[str, ...]] = GeneratorBase.RULES + (
        "`initial_output_mw` is 0 (or empty) for a unit off at the start and within [min load, capacity] for one on",
        "a `notice_only` unit on at the start must stop in the first step no notice covers; its carried minimum up "
        "time binds only until then",
    )

    run_hours_left: Number = F(unit="h", ge=0, le=8784,
                              desc="run hours the permit leaves for this horizon (what remains of the permit year)",
                              source="domain.md: EPA 100 h/yr (50 non-emergency); Virginia 500 h/yr")
    max_hours_per_day: OptionalNumber = F(None, unit="h", ge=0, le=25, desc="permit cap on run hours per local day")
    max_hours_per_event: OptionalNumber = F(None, unit="h", ge=0, le=8784,
                                          desc="permit cap on run hours within each notice's window")
    nox_cap_kg: OptionalNumber = F(None, unit="kg", ge=0, le=1e8, desc="permit cap on NOx over the horizon",
                                  source="bounds (docs/model.md, Bounds): a 50 MW unit at 50 kg/MWh all year "
                                         "emits 2.2e7 kg")
    ramp_up_mw_per_min: OptionalNumber = F(None, unit="MW/min", gt=0, le=1000,
                                          desc="most the average output may rise from one step to the next while on "
                                               "(times the step's minutes); empty: unlimited",
                                          source="figures.md, Gensets")
    ramp_down_mw_per_min: OptionalNumber = F(None, unit="MW/min", gt=0, le=1000,
                                            desc="most the average output may fall from one step to the next while "
                                                 "on (times the step's minutes); empty: unlimited",
                                            source="figures.md, Gensets")
    startup_ramp_fraction: OptionalNumber = F(None, ge=0, le=1,
                                             desc="most output in the first step after a start, as a share of "
                                                  "capacity (PyPSA's ramp_limit_start_up); at least "
                                                  "min_load_fraction; empty: capacity",
                                             source="figures.md, Gensets")
    shutdown_ramp_fraction: OptionalNumber = F(None, ge=0, le=1,
                                              desc="most output in the last step before a stop, as a share of "
                                                   "capacity (PyPSA's ramp_limit_shut_down); at least "
                                                   "min_load_fraction; empty: capacity",
                                              source="figures.md, Gensets")
    initial_on: Boolean = F(False, desc="the unit is running when the horizon starts")
    initial_hours_in_state: OptionalNumber = F(None, unit="h", ge=0, le=8784,
                                              desc="hours the unit has been on (or off) by the start, carried into "
                                                   "its minimum up (down) time; empty: long enough that none is "
                                                   "carried")
    initial_output_mw: OptionalNumber = F(None, unit="MW", ge=0, le=50,
                                         desc="its output just before the start (bounds the first step's ramp); "
                                              "empty: the first step's change is not limited")

    @model_validator(mode="after")
    def _initial_state(self) -> "Generator":
        p0 = self.initial_output_mw
        if p0 is not None and not self.initial_on and p0 > 0:
            raise ValueError(f"`initial_output_mw` is {p0:g} MW but `initial_on` is false: a unit off at the start "
                             "has output 0")
        lo = self.min_load_fraction * self.capacity_mw
        if p0 is not None and self.initial_on and not lo - 1e-9 <= p0 <= self.capacity_mw + 1e-9:
            raise ValueError(f"`initial_output_mw` {p0:g} MW is outside [min load, capacity] = [{lo:g}, "
                             f"{self.capacity_mw:g}] MW for a unit on at the start")
        for name, what in (("startup_ramp_fraction", "start"), ("shutdown_ramp_fraction", "stop once running")):
            v = getattr(self, name)
            if v is not None and v < self.min_load_fraction - 1e-12:
                raise ValueError(f"`{name}` {v:g} is below min_load_fraction {self.min_load_fraction:g}: the unit "
                                 f"could never {what}")
        return self
