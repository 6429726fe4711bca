"""An inference service's fields: the power it needs, the share it must serve and the cost of shedding."""
from __future__ import annotations

from .schema import ID_PATTERN, F, Number, Section, SeriesInput


class InferenceService(Section):
    id: str = F(pattern=ID_PATTERN, desc="name of the service")
    demand_mw: SeriesInput = F(unit="MW", series_range=(0, 5000), desc="power needed to meet the service level")
    min_served_fraction: Number = F(ge=0, le=1, desc="share of demand that must always be served")
    shed_penalty_usd_per_mwh: Number = F(unit="$/MWh", ge=0, desc="cost of each MWh of demand not served")
