"""What a component declares: one :class:`Component` entry per component, listed once in ``energyopt/registry.py``.

A component is one thing of the site (the grid connection, the gensets, a battery, the training jobs, ...)
or one stage of the model that sums the others (the site's IT load, the power balance). Its entry says, in
one place: its input section (the pydantic model is the source of its fields), how its Pyomo block is built,
how a re-plan fixes its past, how a stopped solve's auxiliary values are tightened, its role, its cost terms,
the ``steps.csv`` columns and ``summary.json`` entries it writes, the naive policy's use of it, and how
``energyopt plan`` sizes it. Every caller loops over the entries and calls these hooks; none branches on one
component. ``docs/components.md`` shows how to add one.

One name per component: it is the section of the instance file (``[battery]``, ``[[generators]]``), the block
of the model (``m.battery``), the prefix of its columns for a component of one thing (``battery.charge_mw``)
and its summary entries. A component of many things (a list section, each with an ``id``) names its columns by
``item``, the singular (``generator.G1.on``), as PyPSA names a component and its list.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pyomo.environ as pyo


class Role(enum.Flag):
    """What a component does in the site's balances; the builder sums blocks by role."""

    SUPPLY = enum.auto()     #: supplies power to the site: ``blk.supply_mw[t]`` (negative when it draws, e.g. charging)
    IT_LOAD = enum.auto()    #: draws IT power: ``blk.it_load_mw[t]`` (all of it becomes heat to remove)
    LOAD = enum.auto()       #: draws non-IT power: ``blk.load_mw[t]`` (the cooling plant's electricity)
    HEAT = enum.auto()       #: removes the IT load's heat
    SIZES = enum.auto()      #: ``energyopt plan`` may size it (``Component.candidate``)
    EMITS = enum.auto()      #: emits CO2: ``blk.co2_kg`` (an entry of ``co2_t_by_source``, 0 when absent)
    STAGE = enum.auto()      #: a stage of the model built on the parent block, not a block of its own


@dataclass(frozen=True)
class Column:
    """One column of ``steps.csv``. ``name`` holds ``{id}`` for a component of many things."""

    name: str
    unit: str
    description: str
    kind: str = "number"      #: "number", "binary" (0 or 1) or "time" (ISO 8601 with offset)
    replan: bool = False      #: read back as the fixed past of a re-plan (``replan --actuals`` may give it)
    chart: str | None = None  #: "supply": stacked as a source in the report's power chart; "draw": drawn below 0
    label: str = ""           #: the chart's legend (``{id}`` filled in)
    when: Callable[..., bool] | None = None  #: ``when(inst)``: written only then (default: the component is present)


@dataclass(frozen=True)
class SummaryEntry:
    """One key of ``summary.json``; a dotted path, ``{id}`` for one entry per thing of the component."""

    key: str
    unit: str
    description: str
    kind: str = "number"      #: "number", "integer", "text", "time", "object", "list", "number or null", ...


@dataclass(frozen=True)
class BuildContext:
    """What the whole build passes to every component's ``build``: the elastic mode (explaining infeasibility),
    ledger budgets, notice caps softened (``soften_notices``), sizing (``energyopt plan``: component name -> its sizing object, see ``Candidate``), whether
    training on/off is relaxed (planning), and extra blocks that draw IT power (the headroom's added load)."""

    elastic: bool = False
    budgets: tuple = ()
    sizing: dict[str, Any] = field(default_factory=dict)
    relax_jobs: bool = False
    extra_it: tuple = ()
    #: notice caps become soft at a large penalty (a re-plan or simulated day that cannot meet a notice)
    soften_notices: bool = False
    built: tuple = ()   #: (component, block) of every component built so far (what a stage sums)
    #: storage levels relative to the period's start, linked across the year's days by the plan
    #: (``model/linking.py``): each store exposes ``blk.linked_level`` instead of its own start and end levels
    link_storage: bool = False

    def sized(self, name: str):
        return self.sizing.get(name)


@dataclass(frozen=True)
class LinkedLevel:
    """What a store exposes in a period built with ``BuildContext.link_storage`` (linked by ``model/linking.py``): ``level`` (indexed 0..n,
    ``level[0]`` fixed at 0) relative to the period's start; ``low`` and ``high`` bound the absolute level and
    ``start`` is the year's initial level (numbers, or expressions of the plan's size variables)."""
    level: object
    n: int
    low: object
    high: object
    start: object


NO_CONTEXT = BuildContext()


@dataclass(frozen=True)
class Candidate:
    """How ``energyopt plan`` sizes a component: ``section`` is the pydantic model of its plan-file ``table``;
    ``variables(m, cand)`` adds the size variables to the plan model and returns the sizing object the
    component's ``build`` reads from ``BuildContext.sizing``; ``capex(m, cand, crf)`` returns its annual cost
    terms ({name: expression}, ``crf(life)`` is the capital recovery factor); ``sizes(m)`` returns the chosen
    sizes for ``plan.json`` ({key: value}); ``patch(raw, cand)`` puts it into the site instance (parsed TOML)
    before the site is loaded, so its inputs are validated and its series read like the site's own."""

    table: str                                 #: the plan file's table for it (``[battery]``, ``[thermal_storage]``)
    section: type
    variables: Callable[..., Any]
    capex: Callable[..., dict]
    sizes: Callable[..., dict]
    patch: Callable[..., None] | None = None   #: ``patch(raw_site_toml, cand)``: add it to the site before loading
    clash: Callable[..., str | None] | None = None  #: ``clash(site, cand)``: why the site cannot take it, or None
    description: str = ""


@dataclass(frozen=True)
class Component:
    """One entry of the registry. Hooks not given are skipped. Signatures:

    - ``present(inst, ctx) -> bool``: whether the instance (or the plan) has it;
    - ``build(blk, inst, ctx)``: its Pyomo block (for a STAGE, ``blk`` is the model or scenario block itself);
    - ``fix(blk, inst, history)``: fix its decisions of the steps before "now" (re-planning);
    - ``tighten(blk)``: after a solve stopped short, set auxiliary variables to what the schedule implies;
    - ``steps(inst, m, blk) -> {column: values}``: its ``steps.csv`` columns (``blk`` is None when absent);
    - ``summary(inst, m, blk, steps, budgets) -> {key: value}``: its ``summary.json`` entries;
    - ``actuals(inst, given, values, k)``: what an actual value of one column implies for its pair at step ``k``;
    - ``naive(inst) -> NaiveUse``-like hooks: ``naive_supply_mw(inst)`` (MW it offers at no cost to a naive
      operator, used first) and ``naive_steps(inst, used_mw) -> ({column: values}, {cost term: $})``.
    """

    name: str
    role: Role
    description: str
    section: type | None = None     #: pydantic model of its instance section (None for a stage)
    many: bool = False              #: a list of tables (``[[name]]``), each with an ``id``
    required: bool = False          #: the instance must have its section
    item: str | None = None         #: the singular used in per-item column names (``generator``)
    present: Callable[..., bool] = lambda inst, ctx: True
    build: Callable[..., None] | None = None
    fix: Callable[..., None] | None = None
    tighten: Callable[..., None] | None = None
    cost_terms: tuple[tuple[str, str], ...] = ()   #: (term, description) of the terms its ``cost_usd`` holds
    columns: tuple[Column, ...] = ()
    steps: Callable[..., dict] | None = None
    summary_entries: tuple[SummaryEntry, ...] = ()
    summary: Callable[..., dict] | None = None
    actuals: Callable[..., None] | None = None
    text: Callable[..., list] | None = None   #: ``text(summary) -> lines``: its part of the terminal summary
    #: ``max_supply_mw(inst) -> MW per step``: the most a supply can give in each step (the plan fleet's floor
    #: counts on every other supply; a supply without it is taken to give nothing there, which would be wrong)
    max_supply_mw: Callable[..., Any] | None = None
    #: ``explain(inst, m, blk) -> lines``: what its elastic slack (``blk.elastic_mwh``) says of an infeasible instance
    explain: Callable[..., list] | None = None
    naive_supply_mw: Callable[..., Any] | None = None
    naive_steps: Callable[..., tuple[dict, dict]] | None = None
    candidate: Candidate | None = None

    def ids(self, inst) -> list[str]:
        """The ids of its things (a list section), or [] for a component of one thing."""
        return [x.id for x in getattr(inst, self.name, None) or []] if self.many else []

    def written(self, inst) -> list[Column]:
        """Its columns that a result of ``inst`` holds."""
        here = self.present(inst, NO_CONTEXT)
        return [c for c in self.columns if (c.when(inst) if c.when is not None else here)]

    def column_names(self, inst, replan_only: bool = False) -> list[str]:
        """Its columns for ``inst``, with ``{id}`` filled in for each of its things (per thing, in order)."""
        cols = [c for c in self.written(inst) if c.replan or not replan_only]
        per_item = [c.name for c in cols if "{id}" in c.name]
        return [n.format(id=i) for i in self.ids(inst) for n in per_item] + \
            [c.name for c in cols if "{id}" not in c.name]


def values(var, keys) -> np.ndarray:
    """The solved values of ``var`` at ``keys``, as an array (what a component's ``steps`` writes)."""
    return np.array([pyo.value(var[k]) for k in keys], dtype=float)
