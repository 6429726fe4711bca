"""The plan file's ``[demand_response]`` table: a program that pays the site for curtailable MW it commits
(capacity), for the energy it curtails below its baseline during notices (events), and charges for what it
fails to deliver. The plan chooses the MW offered; docs/plan.md ("Demand response") defines every term."""
from __future__ import annotations

from pydantic import model_validator

from .schema import F, Number, OptionalNumber, Section


class DemandResponse(Section):
    """A demand-response program the plan may offer curtailable MW into."""

    program: str = F("demand response", desc="name shown in the results (e.g. `ERCOT ERS-30`, `PJM CP DR`)")
    max_offer_mw: Number = F(gt=0, le=5000, unit="MW",
                             desc="largest offer considered; the scenarios' notices are the program's "
                                  "deployments at this offer (their caps are what an offer of max_offer_mw asks)")
    offer_mw: OptionalNumber = F(None, ge=0, unit="MW", desc="offer fixed instead of chosen (to evaluate one); "
                                                              "empty: the plan chooses it in [0, max_offer_mw]")
    baseline_mw: OptionalNumber = F(None, gt=0, le=5000, unit="MW",
                                    desc="the site's baseline during a notice: the offer's cut and the event "
                                         "payment are measured from it; empty: the site's interconnection")
    capacity_usd_per_mw_year: Number = F(0.0, ge=0, le=1e6, unit="$/MW-yr",
                                         desc="capacity payment per MW offered and year",
                                         source="figures.md, Demand response: PJM 2025/26 RTO clearing price "
                                                "$269.92/MW-day = $98,521/MW-yr")
    capacity_usd_per_mw_hour: Number = F(0.0, ge=0, le=1e4, unit="$/MW-h",
                                         desc="capacity payment per MW offered and hour of the program's "
                                              "availability periods (`availability_hours_per_year`)",
                                         source="figures.md, Demand response: ERCOT ERS time-period prices, "
                                                "offer cap $80/MW-h (ERS procurement methodology, 2013)")
    availability_hours_per_year: Number = F(0.0, ge=0, le=8784, unit="h/yr",
                                            desc="hours a year the offer is held available (ERS time periods "
                                                 "contracted); multiplies `capacity_usd_per_mw_hour`")
    event_usd_per_mwh: Number = F(0.0, ge=0, le=1e5, unit="$/MWh",
                                  desc="payment per MWh curtailed below the baseline during notices, up to "
                                       "the offer")
    penalty_usd_per_mwh: OptionalNumber = F(
        None, ge=0, le=1e6, unit="$/MWh",
        desc="charge per MWh the site draws above what its offer allows during a notice (a missed notice); "
             "empty: no miss is allowed (the notices' scaled caps are hard)")

    @model_validator(mode="after")
    def _check(self) -> "DemandResponse":
        if self.offer_mw is not None and self.offer_mw > self.max_offer_mw:
            raise ValueError(f"offer_mw = {self.offer_mw:g} is above max_offer_mw = {self.max_offer_mw:g}")
        if self.capacity_usd_per_mw_hour > 0 and self.availability_hours_per_year <= 0:
            raise ValueError("capacity_usd_per_mw_hour needs availability_hours_per_year > 0")
        return self

    @property
    def capacity_usd_per_mw(self) -> float:
        """The year's capacity payment per MW offered."""
        return self.capacity_usd_per_mw_year + self.capacity_usd_per_mw_hour * self.availability_hours_per_year
