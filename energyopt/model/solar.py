"""On-site solar PV: arrays of a rated capacity with a per-step availability (capacity factor), curtailable, with
an O&M cost per MWh produced. Its output offsets grid import and may charge the battery; the site exports
nothing, so output the site cannot use is curtailed (or, for an array that cannot curtail, the plan must use it).

Everything about the component is declared here, in the three parts every component has (docs/components.md):
its input section, its Pyomo block, and the columns and summary entries it writes, plus how the naive policy
uses it and how ``energyopt plan`` sizes it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from ..inputs.history import History
from ..inputs.schema import ID_PATTERN, Boolean, F, InstanceBase as Instance, Number, Section, SeriesInput
from .component import BuildContext, Candidate, Column, Component, Role, SummaryEntry
from .when import stamp

OUTPUT, AVAILABLE = "solar.{id}.output_mw", "solar.{id}.available_mw"
_LIFE = "assumption: the 30-year cost-recovery period NREL's ATB uses for PV (not in domain.md)"


# -- inputs ------------------------------------------------------------------------------------------------
class SolarArray(Section):
    """A solar PV array of the site (``[[solar]]``)."""

    id: str = F(pattern=ID_PATTERN, desc="name of the array")
    capacity_mw: Number = F(unit="MW AC", gt=0, le=2000, desc="rated AC output of the array (inverter limit)")
    availability: SeriesInput = F(unit="fraction of capacity", series_range=(0, 1),
                                  desc="output available in each step as a share of `capacity_mw` (capacity "
                                       "factor, e.g. from PVWatts or pvlib for the site's weather)")
    curtailable: Boolean = F(True, desc="may produce less than available (inverter curtailment); if false, "
                                        "every available MWh must be used by the site or the battery")
    om_usd_per_mwh: Number = F(0.0, unit="$/MWh", ge=0, le=100, desc="variable O&M per MWh produced",
                               source="assumption: PV O&M is mostly fixed, per MW-year (not in domain.md)")


class SolarCandidate(Section):
    """An array ``energyopt plan`` sizes (``[solar]`` in the plan file): its MW is chosen."""

    id: str = F("PV_new", pattern=ID_PATTERN, desc="name of the new array (must differ from the site's arrays)")
    availability: SeriesInput = F(unit="fraction of capacity", series_range=(0, 1),
                                  desc="capacity factor per step; a file path is relative to the site instance")
    capex_usd_per_mw: Number = F(unit="$/MW AC", ge=0, desc="installed cost (no default: give the site's quote)")
    fixed_om_usd_per_mw_year: Number = F(0.0, unit="$/MW-yr", ge=0, desc="fixed O&M")
    om_usd_per_mwh: Number = F(0.0, unit="$/MWh", ge=0, le=100, desc="variable O&M per MWh produced")
    life_years: Number = F(30.0, unit="yr", gt=0, le=60, desc="economic life for annualizing the capex",
                           source=_LIFE)
    max_mw: Number = F(unit="MW AC", gt=0, le=2000, desc="largest array the site can hold")


# -- the model ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SolarSizing:
    """The array the plan sizes: ``capacity`` (MW) is a Pyomo variable; ``id`` is its entry in the instance."""
    id: str
    capacity: object


def build(b: pyo.Block, inst: Instance, ctx: BuildContext | None = None) -> None:
    T = range(inst.time.n_steps)
    dt = inst.time.dt_hours
    sized: SolarSizing | None = ctx.sized("solar") if ctx is not None else None
    arrays = {a.id: a for a in inst.solar}
    AT = [(a, t) for a in arrays for t in T]
    avail = {a: arrays[a].availability.values for a in arrays}

    def bound(_, a, t):
        return 0.0, float(arrays[a].capacity_mw * avail[a][t])

    b.Output_MW = pyo.Var(AT, bounds=bound)
    # The array the plan sizes: its output is bounded by its chosen size, not the placeholder capacity.
    b.sized = pyo.Constraint([(a, t) for a, t in AT if sized is not None and a == sized.id],
                             rule=lambda _, a, t: b.Output_MW[a, t] <= float(avail[a][t]) * sized.capacity)
    must = [(a, t) for a, t in AT if not arrays[a].curtailable]
    elastic = ctx is not None and ctx.elastic
    if elastic:   # only to explain an infeasible instance: output of a must-take array the site cannot use
        b.Spill_MW = pyo.Var(must, bounds=(0.0, None))
        b.elastic_mwh = pyo.Expression(expr=dt * sum(b.Spill_MW[k] for k in must))
    b.must_take = pyo.Constraint(must, rule=lambda _, a, t: b.Output_MW[a, t] + (b.Spill_MW[a, t] if elastic else 0)
                                 == float(avail[a][t]) * (sized.capacity if sized is not None and a == sized.id
                                                          else arrays[a].capacity_mw))
    b.supply_mw = pyo.Expression(T, rule=lambda _, t: sum(b.Output_MW[a, t] for a in arrays))
    b.cost_usd = pyo.Expression(["solar_om"], rule=lambda _, k: sum(
        arrays[a].om_usd_per_mwh * dt * b.Output_MW[a, t] for a, t in AT))


def fix(b: pyo.Block, inst: Instance, history: History) -> None:
    """Steps before "now": each array's output as it was."""
    for a in inst.solar:
        out = history.get(OUTPUT.format(id=a.id))
        if out is not None:
            for t in history.fixed_steps():
                b.Output_MW[a.id, t].fix(float(out[t]), skip_validation=True)


def explain(inst: Instance, m, b: pyo.Block) -> list[str]:
    """In the elastic model: where an array that cannot curtail makes more than the site can use."""
    out = []
    if b is None or not hasattr(b, "Spill_MW"):
        return out
    dt, when = inst.time.dt_hours, inst.time.index
    for a in inst.solar:
        spill = np.array([pyo.value(b.Spill_MW[a.id, t]) if (a.id, t) in b.Spill_MW else 0.0
                          for t in range(inst.time.n_steps)])
        hit = np.flatnonzero(spill > 1e-6)
        if len(hit):
            w = int(hit[np.argmax(spill[hit])])
            out.append(f"Solar: array {a.id} cannot curtail (curtailable = false), yet the site cannot use all it "
                       f"makes in {len(hit)} step(s) from {stamp(when[hit[0]])} to {stamp(when[hit[-1]])}: up to "
                       f"{spill.max():.3f} MW ({spill.sum() * dt:.3f} MWh in all) more than the load and the battery "
                       f"can take (at {stamp(when[w])}: {a.capacity_mw * a.availability.values[w]:.2f} MW available); the "
                       "site exports nothing. Let it curtail, or add load or storage.")
    return out


# -- results -----------------------------------------------------------------------------------------------
def steps(inst: Instance, m, b: pyo.Block | None) -> dict[str, np.ndarray]:
    cols: dict[str, np.ndarray] = {}
    for a in inst.solar:
        cols[OUTPUT.format(id=a.id)] = np.array([pyo.value(b.Output_MW[a.id, t]) for t in range(inst.time.n_steps)],
                                                dtype=float)
        cols[AVAILABLE.format(id=a.id)] = a.capacity_mw * a.availability.values
    return cols


def summary(inst: Instance, m, b: pyo.Block | None, steps, budgets=()) -> dict:
    dt = inst.time.dt_hours
    out = {}
    for a in inst.solar:
        made, avail = steps[OUTPUT.format(id=a.id)].sum() * dt, steps[AVAILABLE.format(id=a.id)].sum() * dt
        out[a.id] = {"available_mwh": float(avail), "output_mwh": float(made),
                     "curtailed_mwh": float(max(avail - made, 0.0))}
    return {"solar": out}


def text(s: dict) -> list[str]:
    return [f"  solar {a:<12} {v['output_mwh']:,.2f} of {v['available_mwh']:,.2f} MWh used, "
            f"{v['curtailed_mwh']:,.2f} curtailed" for a, v in s["solar"].items()]


# -- the naive policy: every available MW is used first, the rest is curtailed ---------------------------
def naive_supply_mw(inst: Instance) -> np.ndarray:
    return sum((a.capacity_mw * a.availability.values for a in inst.solar), np.zeros(inst.time.n_steps))


def naive_steps(inst: Instance, share: np.ndarray) -> tuple[dict, dict]:
    """``share``: per step, the fraction of the available output the naive operator uses."""
    cols, om = {}, 0.0
    for a in inst.solar:
        out = share * a.capacity_mw * a.availability.values
        cols[OUTPUT.format(id=a.id)] = out
        cols[AVAILABLE.format(id=a.id)] = a.capacity_mw * a.availability.values
        om += a.om_usd_per_mwh * float(out.sum()) * inst.time.dt_hours
    return cols, {"solar_om": om}


# -- sizing by energyopt plan ------------------------------------------------------------------------------
def _patch(raw: dict, cand: SolarCandidate) -> None:
    """Put the candidate into the site instance as an array of its largest size; the plan bounds it by a variable."""
    series = cand.availability.model_dump(exclude_none=True)
    raw.setdefault("solar", []).append({"id": cand.id, "capacity_mw": cand.max_mw, "availability": series,
                                        "om_usd_per_mwh": cand.om_usd_per_mwh})


def _variables(m: pyo.Block, cand: SolarCandidate) -> SolarSizing:
    m.Solar_MW = pyo.Var(bounds=(0.0, cand.max_mw))
    return SolarSizing(cand.id, m.Solar_MW)


def _capex(m: pyo.Block, cand: SolarCandidate, crf) -> dict:
    return {"solar": crf(cand.life_years) * cand.capex_usd_per_mw * m.Solar_MW,
            "fixed_om.solar": cand.fixed_om_usd_per_mw_year * m.Solar_MW}


def _sizes(m: pyo.Block) -> dict:
    return {"solar_mw": float(pyo.value(m.Solar_MW))}


COMPONENT = Component(
    name="solar", item="solar", many=True, section=SolarArray, role=Role.SUPPLY | Role.SIZES,
    description="on-site solar PV arrays: capacity, availability per step, curtailable, O&M per MWh",
    present=lambda inst, ctx: bool(inst.solar),
    build=build, fix=fix,
    cost_terms=(("solar_om", "variable O&M x solar output"),),
    columns=(
        Column(OUTPUT, "MW", "the array's output used by the site", replan=True, chart="supply", label="solar {id}"),
        Column(AVAILABLE, "MW", "output available (capacity x availability); the rest is curtailed"),
    ),
    steps=steps,
    summary_entries=(
        SummaryEntry("solar", "", "one entry per solar array id", "object"),
        SummaryEntry("solar.{id}.available_mwh", "MWh", "energy available (capacity x availability)"),
        SummaryEntry("solar.{id}.output_mwh", "MWh", "energy produced and used"),
        SummaryEntry("solar.{id}.curtailed_mwh", "MWh", "energy available but curtailed"),
    ),
    summary=summary, text=text,
    naive_supply_mw=naive_supply_mw, naive_steps=naive_steps, max_supply_mw=naive_supply_mw, explain=explain,
    candidate=Candidate(table="solar", section=SolarCandidate, variables=_variables, capex=_capex, sizes=_sizes, patch=_patch,
                        description="candidate solar PV array (its MW chosen)"),
)
