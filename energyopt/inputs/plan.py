"""The plan file of ``energyopt plan``: candidate equipment with its economics, the site it serves, and the
curtailment scenarios it must face. One source of truth for each field, as for the instance (see
docs/plan-format.md, generated from these models)."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import create_model, model_validator

from ..registry import candidates
from .schema import Boolean, F, Number, OptionalNumber, Section
from .demand_response import DemandResponse
from .generator import GeneratorBase
from .tomlfile import check_files_exist, read_model


class GensetType(GeneratorBase):
    """A candidate genset type: every unit of it is alike; the plan chooses how many."""

    capex_usd: Number = F(unit="$ per unit", ge=0, desc="installed cost of one unit")
    fixed_om_usd_per_year: Number = F(0.0, unit="$/yr per unit", ge=0, desc="fixed operation and maintenance")
    life_years: Number = F(20.0, unit="yr", gt=0, le=60, desc="economic life over which the capex is annualized")
    max_units: int = F(20, ge=0, le=1000, strict=True, desc="most units of this type the site can hold")
    existing_units: int = F(0, ge=0, le=1000, strict=True, desc="units already installed (kept; no capex)")
    non_emergency_hours_per_year: OptionalNumber = F(
        50.0, unit="h/yr per unit", ge=0, le=8784,
        desc="permit cap on non-emergency hours (hours outside notices, and hours inside notices when "
             "`notice_category` is `non_emergency`); empty: no cap",
        source="domain.md: US EPA, at most 50 h/yr non-emergency (incl. demand response, EPA guidance of 2025)")
    total_hours_per_year: OptionalNumber = F(None, unit="h/yr per unit", ge=0, le=8784,
                                             desc="permit cap on all run hours", source="domain.md: Virginia 500 h/yr")
    max_hours_per_event: OptionalNumber = F(None, unit="h per unit", ge=0, desc="permit cap on hours in one notice")

    @model_validator(mode="after")
    def _units(self) -> "GensetType":
        if self.existing_units > self.max_units:
            raise ValueError("existing_units is above max_units")
        return self


class RandomScenarios(Section):
    count: int = F(ge=1, le=100, strict=True, desc="number of scenarios drawn")
    seed: int = F(0, ge=0, strict=True, desc="seed of the first; scenario k uses seed + k")
    events_per_year: OptionalNumber = F(None, gt=0, desc="see docs/events.md (default: EventSpec's)")
    baseline_mw: Number = F(gt=0, unit="MW", desc="baseline the notices' reduction applies to")
    reduction_fraction: OptionalNumber = F(None, gt=0, le=1, desc="the notices' cut (default: EventSpec's 50%)")


class RepresentativePeriods(Section):
    """Model the year by some of its days (docs/plan.md): every day a notice touches (each event whole), the
    extreme days, and typical days standing for the rest."""

    typical_days: int = F(ge=1, le=366, strict=True,
                          desc="typical days chosen by tsam's clustering of the event-free days' hourly price, "
                               "temperature and load; each is its cluster's medoid and weighs as many days as "
                               "the cluster holds")
    extreme_days: Boolean = F(True, desc="also model the event-free days with the highest temperature, price and "
                                         "load on their own (weight 1)")
    method: Literal["hierarchical", "kmeans"] = F(
        "hierarchical", desc="tsam's clustering: `hierarchical` (Ward, deterministic) or `kmeans` (from `seed`)",
        source="tsam's default method (hierarchical, medoid representation), Kotzur et al. 2018")
    seed: int = F(0, ge=0, strict=True, desc="seed of k-means' random starts (`method = \"kmeans\"`)")
    link_days: Boolean = F(True, desc="link the battery's and the tank's levels and the training jobs' work "
                                      "across the year's days in time order (false: each period starts and "
                                      "ends at the stores' initial level and carries fixed shares of each "
                                      "job's work, the approximation before issue 14)")


class PlanFileBase(Section):
    """The plan file's fields; :data:`PlanFile` adds a table for each component that declares how the plan sizes
    it (``Component.candidate`` in the registry)."""

    name: str = F("plan", desc="name shown in the results")
    site: str = F(desc="the instance (TOML, relative to this file) giving the horizon (a year, hourly), prices, "
                       "weather, loads and any equipment already installed; its own notices are ignored")
    discount_rate: Number = F(0.07, ge=0, le=0.3, desc="real discount rate for annualizing capex and discounting the lifecycle cash flows",
                              source="assumption: a common real WACC for infrastructure (not in domain.md)")
    analysis_years: int = F(25, ge=1, le=60, strict=True, unit="yr",
                            desc="period of the lifecycle figures (NPV, cash flows) of the design against business "
                                 "as usual", source="REopt's default analysis period, 25 years (REopt.jl Financial "
                                                   "`analysis_years = 25`)")
    mode: Literal["stochastic", "robust"] = F("stochastic", desc="`stochastic`: minimize capex plus the expected "
                                              "operating cost over the scenarios; `robust`: capex plus the worst "
                                              "scenario's operating cost (every scenario must be met either way)")
    notice_category: Literal["emergency", "non_emergency"] = F(
        "non_emergency", desc="how hours inside notices count against the permits",
        source="domain.md: EPA guidance of 2025 counts demand response dispatched by the balancing authority "
               "as non-emergency")
    genset_types: list[GensetType] = F(default_factory=list, desc="candidate genset types (`[[genset_types]]`)")
    scenario_files: list[str] = F(default_factory=list, desc="notice CSV files (docs/events.md), one scenario each")
    random_scenarios: RandomScenarios | None = F(None, desc="scenarios drawn by the event generator")
    representative_periods: RepresentativePeriods | None = F(
        None, desc="plan over representative days instead of every step of the horizon (faster; an "
                   "approximation, see docs/plan.md); absent: the whole horizon")
    time_limit_s: OptionalNumber = F(600.0, gt=0, unit="s",
                                     desc="time budget of the whole run (every solve of it: the sizing model, then "
                                          "the count table's re-solves and evaluations with what is left); at the "
                                          "limit the best design found is written with its proven gap (exit 5)")
    mip_gap: Number = F(1e-3, ge=0, le=1, desc="relative MIP gap", source="issue 4: within 0.1%")
    fixed_units: dict[str, int] = F(default_factory=dict, desc="units of a type fixed instead of chosen "
                                    "(e.g. `{ D25 = 2 }`), to evaluate a design")
    demand_response: DemandResponse | None = F(None, desc="a demand-response program the site may offer "
                                               "curtailable MW into (docs/plan.md, Demand response)")
    count_table: bool = F(False, desc="also re-optimize with each genset count fixed, for the cost-vs-count table "
                                      "(one re-solve per count, warm-started from the optimum; their number and an "
                                      "estimate of their time are printed before they start)",
                          source="issue 14: on by default it re-solved once per count and ran for minutes unannounced")
    full_year_evaluation: Boolean = F(
        True, desc="after a plan over representative periods, evaluate the chosen design over every step of the "
                   "horizon (sizes fixed, one solve per scenario: about the time of a full-horizon plan with its "
                   "sizes fixed) and check its genset types unit by unit; false: skip it (docs/plan.md)")
    neighbour_check: Boolean = F(
        True, desc="when the plan stops with a gap above 0, re-solve with each free genset type's count one "
                   "below and one above the chosen (at most 2 solves per type) and report a cheaper one")

    @model_validator(mode="after")
    def _scenarios(self) -> "PlanFileBase":
        if self.scenario_files and self.random_scenarios:
            raise ValueError("give scenario_files or random_scenarios, not both")
        ids = [g.id for g in self.genset_types]
        if len(set(ids)) != len(ids):
            raise ValueError("genset type ids must be unique")
        unknown = sorted(set(self.fixed_units) - set(ids))
        if unknown:
            raise ValueError(f"fixed_units names unknown genset type(s) {', '.join(unknown)} (types: "
                             f"{', '.join(ids) or 'none'})")
        for k, n in self.fixed_units.items():
            g = next(x for x in self.genset_types if x.id == k)
            if not g.existing_units <= n <= g.max_units:
                raise ValueError(f"fixed_units.{k} = {n} is outside [existing_units, max_units] = "
                                 f"[{g.existing_units}, {g.max_units}]")
        return self


PlanFile = create_model(
    "PlanFile", __base__=PlanFileBase, __module__=__name__,
    **{c.candidate.table: (c.candidate.section | None, F(None, desc=c.candidate.description)) for c in candidates()})


def load_plan_file(path: str | Path) -> tuple[PlanFile, Path]:
    """Read and validate a plan file (every problem at once); returns it and the folder paths are relative to."""
    path = Path(path)
    plan = read_model(path, PlanFile, "plan")
    check_files_exist(path, [("site", plan.site)] + [(f"scenario_files[{i}]", f)
                                                     for i, f in enumerate(plan.scenario_files)])
    return plan, path.parent
