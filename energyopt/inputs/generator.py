"""A genset's fields: what it is (``GeneratorBase``, shared with the plan's genset types) and what its permit leaves (``Generator``)."""
from __future__ import annotations

from typing import Literal

from .schema import ID_PATTERN, F, Number, OptionalNumber, Section


class GeneratorBase(Section):
    """What a genset is: its size, fuel curve, costs, emissions and how it may be dispatched."""

    id: str = F(pattern=ID_PATTERN, desc="name of the unit")
    capacity_mw: Number = F(unit="MW", gt=0, le=50, desc="rated electrical output",
                           source="domain.md: data-center gensets are typically 2-3 MW")
    min_load_fraction: Number = F(0.3, ge=0, le=1, desc="minimum stable output while on, as a share of capacity",
                                 source="domain.md: below ~30% for long causes wet stacking (Kohler)")
    fuel_noload_gal_per_h_per_mw: Number = F(4.25, unit="gal/h per MW rated", ge=0, le=50,
                                            desc="fuel curve intercept: fuel burned while on, per MW of capacity",
                                            source="least-squares line through the 1 MW diesel chart in domain.md "
                                                   "(21.6/36.4/52.1/71.1 gal/h at 25/50/75/100%)")
    fuel_slope_gal_per_mwh: Number = F(65.68, unit="gal/MWh", gt=0, le=500,
                                      desc="fuel curve slope: fuel per MWh of output", source="same fit")
    fuel_price_usd_per_gal: Number = F(unit="$/gal", ge=0, le=50, desc="delivered fuel price")
    startup_cost_usd: Number = F(0.0, unit="$", ge=0, desc="cost of each start")
    min_up_hours: Number = F(0.0, unit="h", ge=0, le=72, desc="once started, stays on at least this long")
    min_down_hours: Number = F(0.0, unit="h", ge=0, le=72, desc="once stopped, stays off at least this long")
    co2_kg_per_gal: Number = F(10.16, unit="kg CO2/gal", ge=0, le=20, desc="CO2 per gallon burned",
                              source="domain.md: diesel 10.16 kg CO2/gal (EIA)")
    nox_kg_per_mwh: Number = F(6.4, unit="kg/MWh", ge=0, le=50, desc="NOx per MWh of output",
                              source="domain.md: EPA Tier 2, NMHC+NOx 6.4 g/kWh")
    dispatch: Literal["notice_only", "economic"] = F(
        "notice_only", desc="`notice_only`: may run only while a curtailment notice is in force (emergency/"
                            "demand-response permits); `economic`: may also run for price",
        source="domain.md: EPA emergency-engine rules")

    def fuel_noload_gal_per_h(self) -> float:
        return self.fuel_noload_gal_per_h_per_mw * self.capacity_mw


class Generator(GeneratorBase):
    """A unit of the site, with what its air permit leaves for this horizon."""

    run_hours_left: Number = F(unit="h", ge=0, le=8784,
                              desc="run hours the permit leaves for this horizon (what remains of the permit year)",
                              source="domain.md: EPA 100 h/yr (50 non-emergency); Virginia 500 h/yr")
    max_hours_per_day: OptionalNumber = F(None, unit="h", ge=0, le=25, desc="permit cap on run hours per local day")
    max_hours_per_event: OptionalNumber = F(None, unit="h", ge=0,
                                          desc="permit cap on run hours within each notice's window")
    nox_cap_kg: OptionalNumber = F(None, unit="kg", ge=0, desc="permit cap on NOx over the horizon")
