"""The cooling plant's fields: capacity and COP against outdoor temperature, and an optional chilled-water tank."""
from __future__ import annotations

from typing import ClassVar

from pydantic import field_validator

from .schema import F, Number, Curve, Section, SeriesInput, check_curve


DEFAULT_COP_CURVE: Curve = [(15.0, 4.4), (45.0, 2.57)]
DEFAULT_DERATE_CURVE: Curve = [(15.0, 1.0), (45.0, 0.77)]
_CHILLER_SOURCE = ("domain.md: air-cooled chiller 470 -> 363 tons (-23%) and 375 -> 497 kW between 25 and 55 C "
                   "condensing; taken as outdoor + 10 C (derived)")


class ThermalStorage(Section):
    capacity_mwh_th: Number = F(unit="MWh thermal", gt=0, le=1e5, desc="chilled-water storage size",
                               source="domain.md: one Virginia site sized for 2 h at peak cooling load; at most "
                                      "20 h of the largest plant, 5,000 MW thermal (docs/model.md, Bounds)")
    max_charge_mw_th: Number = F(unit="MW thermal", gt=0, le=5000, desc="highest charging rate (extra chilling)")
    max_discharge_mw_th: Number = F(unit="MW thermal", gt=0, le=5000, desc="highest discharge rate (heat absorbed)")
    initial_fraction: Number = F(0.5, ge=0, le=1, desc="stored share at the start; the end must hold at least as much")


class Cooling(Section):
    RULES: ClassVar[tuple[str, ...]] = (
        "curves: at least one point, x strictly increasing; piecewise-linear between points and flat beyond the ends",
        "derate fractions in (0, 1.5]; COP values in [0.5, 30]")
    outdoor_temp_c: SeriesInput = F(unit="degC", series_range=(-60, 60), desc="outdoor dry-bulb temperature")
    rated_capacity_mw_th: Number = F(unit="MW thermal", gt=0, le=10000, desc="heat removal at mild weather (derate 1.0)",
                                    source="bounds: twice the largest site load, 5,000 MW")
    capacity_derate_curve: Curve = F(default_factory=lambda: list(DEFAULT_DERATE_CURVE),
                                     unit="[degC, fraction] pairs",
                                     desc="share of rated capacity available against outdoor temperature "
                                          "(piecewise-linear, flat beyond the ends)", source=_CHILLER_SOURCE)
    cop_curve: Curve = F(default_factory=lambda: list(DEFAULT_COP_CURVE), unit="[degC, COP] pairs",
                         desc="coefficient of performance (heat removed / electric power) against outdoor "
                              "temperature", source=_CHILLER_SOURCE)
    thermal_storage: ThermalStorage | None = F(None, desc="optional chilled-water tank")

    @field_validator("capacity_derate_curve")
    @classmethod
    def _derate(cls, v: Curve) -> Curve:
        check_curve(v, "capacity_derate_curve")
        if any(not (0 < y <= 1.5) for _, y in v):
            raise ValueError("derate fractions must lie in (0, 1.5]")
        return v

    @field_validator("cop_curve")
    @classmethod
    def _cop(cls, v: Curve) -> Curve:
        check_curve(v, "cop_curve")
        if any(not (0.5 <= y <= 30) for _, y in v):
            raise ValueError("COP values must lie in [0.5, 30]")
        return v
