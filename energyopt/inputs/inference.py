"""An inference service's fields: the power it needs, the share it must serve and the cost of shedding, and
optionally its economics in tokens (docs/model.md, "Economics in the business's units")."""
from __future__ import annotations

from typing import ClassVar

from pydantic import PrivateAttr, model_validator

from .schema import ID_PATTERN, PENALTY_MAX_USD_PER_MWH, F, Number, OptionalNumber, Section, SeriesInput, check_penalty

#: Seconds in an hour: tokens per MWh = tokens per second per MW x 3600.
SECONDS_PER_HOUR = 3600.0


class InferenceService(Section):
    RULES: ClassVar[tuple[str, ...]] = (
        "give exactly one of `shed_penalty_usd_per_mwh` or `shed_penalty_usd_per_m_tokens`; the latter needs "
        "`tokens_per_mwh` or `tokens_per_s_at_full_mw` and is converted: $/MWh = $/Mtok x tokens/MWh / 1e6",
        "give at most one of `tokens_per_mwh` or `tokens_per_s_at_full_mw` (tokens/MWh = tokens/s/MW x 3600)",
        "`revenue_usd_per_m_tokens` needs `tokens_per_mwh` or `tokens_per_s_at_full_mw`")
    id: str = F(pattern=ID_PATTERN, desc="name of the service")
    demand_mw: SeriesInput = F(unit="MW", series_range=(0, 5000), desc="power needed to meet the service level")
    min_served_fraction: Number = F(ge=0, le=1, desc="share of demand that must always be served")
    shed_penalty_usd_per_mwh: OptionalNumber = F(None, unit="$/MWh", ge=0, le=PENALTY_MAX_USD_PER_MWH,
                                                 source="bounds (docs/model.md, Bounds): 200 times the ERCOT "
                                                        "offer cap of $5,000/MWh (domain.md)",
                                                 desc="cost of each MWh of demand not served (or give "
                                                      "`shed_penalty_usd_per_m_tokens`; after loading this holds "
                                                      "the converted value)")
    tokens_per_mwh: OptionalNumber = F(None, unit="tokens/MWh", gt=0, le=1e12,
                                       desc="tokens the service serves per MWh of its power (economics only)",
                                       source="figures.md, Economics (site-specific: no default)")
    tokens_per_s_at_full_mw: OptionalNumber = F(None, unit="tokens/s per MW", gt=0, le=3e8,
                                                desc="tokens per second per MW served, instead of `tokens_per_mwh` "
                                                     "(x 3600 = tokens/MWh)")
    revenue_usd_per_m_tokens: OptionalNumber = F(None, unit="$/Mtok", ge=0, le=1000,
                                                 desc="revenue per million tokens served (summary only: margin)",
                                                 source="figures.md, Economics")
    shed_penalty_usd_per_m_tokens: OptionalNumber = F(None, unit="$/Mtok", ge=0, le=10000,
                                                      desc="cost of each million tokens not served, instead of "
                                                           "`shed_penalty_usd_per_mwh`")
    _converted: bool = PrivateAttr(default=False)   #: shed_penalty_usd_per_mwh was converted from $/Mtok

    @model_validator(mode="after")
    def _units(self) -> "InferenceService":
        if self.tokens_per_mwh is not None and self.tokens_per_s_at_full_mw is not None:
            raise ValueError("give `tokens_per_mwh` or `tokens_per_s_at_full_mw`, not both "
                             "(tokens/MWh = tokens/s/MW x 3600)")
        tok = self.tokens_per_mwh_value
        if self.revenue_usd_per_m_tokens is not None and tok is None:
            raise ValueError("`revenue_usd_per_m_tokens` needs `tokens_per_mwh` or `tokens_per_s_at_full_mw`")
        per_mwh, per_mtok = self.shed_penalty_usd_per_mwh, self.shed_penalty_usd_per_m_tokens
        if self._converted:   # validated again inside the whole instance: already converted
            return self
        if per_mwh is not None and per_mtok is not None:
            raise ValueError("give `shed_penalty_usd_per_mwh` or `shed_penalty_usd_per_m_tokens`, not both")
        if per_mwh is None and per_mtok is None:
            raise ValueError("give `shed_penalty_usd_per_mwh` or `shed_penalty_usd_per_m_tokens`")
        if per_mtok is not None:
            if tok is None:
                raise ValueError("`shed_penalty_usd_per_m_tokens` needs `tokens_per_mwh` or "
                                 "`tokens_per_s_at_full_mw` to convert it to $/MWh")
            self.shed_penalty_usd_per_mwh = check_penalty(per_mtok * tok / 1e6,
                                                          "shed_penalty_usd_per_m_tokens x tokens per MWh / 1e6")
            self._converted = True
        return self

    @property
    def tokens_per_mwh_value(self) -> float | None:
        """Tokens per MWh served, given or converted from tokens per second per MW (None if neither)."""
        if self.tokens_per_mwh is not None:
            return self.tokens_per_mwh
        if self.tokens_per_s_at_full_mw is not None:
            return self.tokens_per_s_at_full_mw * SECONDS_PER_HOUR
        return None
