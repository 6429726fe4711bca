"""The battery's fields: energy, power, efficiency, reserve, starting level, wear cost and a daily cycle limit."""
from __future__ import annotations

from typing import ClassVar

from pydantic import model_validator

from .schema import F, Number, OptionalNumber, Section


class Battery(Section):
    RULES: ClassVar[tuple[str, ...]] = ("`initial_fraction` >= `reserve_fraction`",)
    energy_mwh: Number = F(unit="MWh", gt=0, le=1e5, desc="usable energy",
                           source="bounds (docs/model.md, Bounds): 20 h at the largest interconnection, 5,000 MW")
    power_mw: Number = F(unit="MW", gt=0, le=5000, desc="charge and discharge limit",
                         source="bounds: the largest interconnection_mw")
    round_trip_efficiency: Number = F(0.88, gt=0, le=1, desc="energy out / energy in; split evenly "
                                     "between charge and discharge", source="typical lithium-ion (assumption; "
                                                                           "not in domain.md)")
    reserve_fraction: Number = F(0.0, ge=0, le=1, desc="share of energy always kept for ride-through")
    initial_fraction: Number = F(0.5, ge=0, le=1, desc="stored share at the start; the end must hold at least as much")
    throughput_cost_usd_per_mwh: Number = F(0.0, unit="$/MWh discharged", ge=0, le=1000,
                                            desc="degradation (wear) cost per MWh the battery delivers",
                                            source="figures.md, Batteries (the method is sourced, a figure is "
                                                   "assumed)")
    max_cycles_per_day: OptionalNumber = F(None, unit="cycles per local day", gt=0, le=24,
                                           desc="energy delivered on each local day <= this x energy_mwh (no limit "
                                                "if not given)",
                                           source="figures.md, Batteries: about one cycle a day is what costs "
                                                  "and warranties assume")

    @model_validator(mode="after")
    def _reserve(self) -> "Battery":
        if self.initial_fraction < self.reserve_fraction:
            raise ValueError("initial_fraction is below reserve_fraction")
        return self
