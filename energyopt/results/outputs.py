"""The output schema: every ``steps.csv`` column and ``summary.json`` key, declared once with its type, unit,
description and the component (or part of the program) that writes it.

A component's columns and summary entries are declared in its own ``COMPONENT`` (``energyopt/model/<name>.py``);
this module adds what the rest of the program writes (the step's timestamp, the solve's head, the cost breakdown,
a re-plan's record) and lists them all, for docs/output-format.md (``python -m energyopt.results.docs``) and for
the test that every written column and key is declared. Key paths are dotted; ``{id}`` stands for one entry per
thing of a component, ``[]`` for each item of a list.
"""
from __future__ import annotations

import re

from ..model.component import Column, Role, SummaryEntry
from ..registry import COMPONENTS

TIMESTAMP = Column("timestamp", "", "the step's start, ISO 8601 with its UTC offset", kind="time")

#: Keys every summary has, written by the solve itself (energyopt.api.solve).
SOLVE = (
    SummaryEntry("format_version", "", "format of the result folder", "integer"),
    SummaryEntry("plan_id", "", "a unique id of this plan (the ledger records plans by it)", "text"),
    SummaryEntry("instance", "", "the instance's name", "text"),
    SummaryEntry("instance_file", "", "the instance file solved (relative to the result folder once written)",
                 "text or null"),
    SummaryEntry("status", "", "optimal, time_limit_feasible, notices_softened (a re-plan or simulated day whose notices "
                 "could not all be met: see notice_overruns), time_limit_no_solution, infeasible, unbounded, error",
                 "text"),
    SummaryEntry("termination", "", "why HiGHS stopped: optimal, infeasible, time_limit, memory_limit, interrupt, "
                 "solution_limit, objective_bound, ... (energyopt.solver.status.TerminationCondition)", "text"),
    SummaryEntry("objective_usd", "$", "the schedule's cost: the sum of cost_breakdown_usd (null without a schedule)",
                 "number or null"),
    SummaryEntry("mip_gap", "", "relative gap HiGHS proved (0: optimal)", "number or null"),
    SummaryEntry("solve_seconds", "s", "HiGHS's time"),
    SummaryEntry("horizon", "", "the horizon solved", "object"),
    SummaryEntry("horizon.start", "", "first step's start", "time"),
    SummaryEntry("horizon.end", "", "last step's end", "time"),
    SummaryEntry("horizon.step_minutes", "min", "step length", "integer"),
    SummaryEntry("horizon.n_steps", "", "number of steps", "integer"),
    SummaryEntry("solver", "", "what HiGHS saw and said", "object"),
    SummaryEntry("solver.highs_status", "", "HiGHS's model status, as it words it", "text"),
    SummaryEntry("solver.rows", "", "constraints", "integer"),
    SummaryEntry("solver.columns", "", "variables", "integer"),
    SummaryEntry("solver.integer_columns", "", "integer variables", "integer"),
    SummaryEntry("solver.highs_objective_usd", "$", "HiGHS's objective (may exceed objective_usd within a gap)",
                 "number or null"),
    SummaryEntry("solver.options", "", "the options solved with", "object"),
    SummaryEntry("solver.options.time_limit_s", "s", "time limit (the command's budget, from its start)",
                 "number or null"),
    SummaryEntry("solver.options.mip_rel_gap", "", "relative gap asked for"),
    SummaryEntry("solver.options.threads", "", "HiGHS threads", "integer or null"),
    SummaryEntry("solver.highs_time_limit_s", "s", "the time limit HiGHS itself was given: what the budget had "
                 "left when HiGHS started", "number or null"),
    SummaryEntry("solver.start_columns", "", "columns a MIP start gave HiGHS (a re-plan starts from the previous "
                 "plan; 0: no start)", "integer"),
    SummaryEntry("solver.first_schedule_s", "s", "HiGHS's time to its first schedule (null: none found, or no "
                 "integer decisions)", "number or null"),
    SummaryEntry("solver.first_schedule_usd", "$", "HiGHS's objective of its first schedule (a MIP start HiGHS "
                 "accepted is its first schedule)", "number or null"),
    SummaryEntry("solver.nodes", "", "branch-and-bound nodes HiGHS explored", "integer"),
    SummaryEntry("solver.lp_iterations", "", "simplex iterations over every LP HiGHS solved (with nodes, a measure "
                 "of HiGHS's work that does not depend on the machine's load)", "integer"),
    SummaryEntry("diagnosis", "", "without a schedule, or with status notices_softened: why (what cannot be met, when, by how "
                 "much)", "list of text"),
    SummaryEntry("timings_s", "", "seconds of each phase: build, compile, hand_off, highs, load, extract", "object"),
    SummaryEntry("timings_s.{phase}", "s", "one phase's seconds"),
)

#: Keys every summary with a schedule has, from the model's cost expressions (all components together).
COSTS = (
    SummaryEntry("cost_breakdown_usd", "$", "each cost term, summed over the components that have it (the "
                 "objective's own expressions)", "object"),
    SummaryEntry("co2_t", "t", "CO2 of the grid and the generators"),
    SummaryEntry("co2_t_by_source", "t", "CO2 of each component that emits (0 when absent)", "object"),
)

#: Keys of the economics in the business's units (energyopt.results.economics), written only when the instance
#: gives one of its fields (an inference service's tokens or revenue, a job's GPUs per MW or value).
ECONOMICS = (
    SummaryEntry("economics", "", "energy cost in the business's units (docs/model.md, Economics)", "object"),
    SummaryEntry("economics.attribution", "", "how the site's energy cost is shared: it_share_per_step (each "
                 "step's grid energy + gensets' fuel and start-ups, by share of the step's IT power)", "text"),
    SummaryEntry("economics.site_energy_cost_usd", "$", "grid energy + gensets' fuel and start-ups"),
    SummaryEntry("economics.it_energy_mwh", "MWh", "IT energy (it_load_mw x step)"),
    SummaryEntry("economics.it_energy_usd_per_mwh", "$/MWh", "site energy cost per MWh of IT", "number or null"),
    SummaryEntry("economics.inference", "", "one entry per inference service id", "object"),
    SummaryEntry("economics.inference.{id}.served_mwh", "MWh", "demand served"),
    SummaryEntry("economics.inference.{id}.energy_cost_usd", "$", "its share of the site's energy cost"),
    SummaryEntry("economics.inference.{id}.energy_usd_per_mwh", "$/MWh", "that per MWh served", "number or null"),
    SummaryEntry("economics.inference.{id}.tokens_per_mwh", "tokens/MWh", "given or converted", "number or null"),
    SummaryEntry("economics.inference.{id}.tokens_served_m", "Mtok", "million tokens served", "number or null"),
    SummaryEntry("economics.inference.{id}.tokens_shed_m", "Mtok", "million tokens shed", "number or null"),
    SummaryEntry("economics.inference.{id}.energy_usd_per_m_tokens", "$/Mtok", "energy cost per million tokens "
                 "served", "number or null"),
    SummaryEntry("economics.inference.{id}.shed_penalty_usd_per_m_tokens", "$/Mtok", "its shed penalty per million "
                 "tokens", "number or null"),
    SummaryEntry("economics.inference.{id}.revenue_usd", "$", "tokens served x revenue per Mtok", "number or null"),
    SummaryEntry("economics.inference.{id}.margin_usd", "$", "revenue - energy cost", "number or null"),
    SummaryEntry("economics.inference.{id}.margin_usd_per_m_tokens", "$/Mtok", "revenue per Mtok - energy cost "
                 "per Mtok", "number or null"),
    SummaryEntry("economics.jobs", "", "one entry per training job id", "object"),
    SummaryEntry("economics.jobs.{id}.energy_mwh", "MWh", "energy it draws"),
    SummaryEntry("economics.jobs.{id}.energy_cost_usd", "$", "its share of the site's energy cost"),
    SummaryEntry("economics.jobs.{id}.energy_usd_per_mwh", "$/MWh", "that per MWh drawn", "number or null"),
    SummaryEntry("economics.jobs.{id}.gpus_per_mw", "GPUs/MW", "as given", "number or null"),
    SummaryEntry("economics.jobs.{id}.gpu_hours_done", "GPU-h", "work done (MWh at full speed) x GPUs/MW",
                 "number or null"),
    SummaryEntry("economics.jobs.{id}.energy_usd_per_gpu_hour", "$/GPU-h", "energy cost per GPU-hour of work done",
                 "number or null"),
    SummaryEntry("economics.jobs.{id}.value_usd", "$", "GPU-hours done x value per GPU-hour", "number or null"),
    SummaryEntry("economics.jobs.{id}.value_usd_per_mwh_of_work", "$/MWh", "value per GPU-hour x GPUs/MW: above "
                 "this energy price, pausing the job pays", "number or null"),
    SummaryEntry("economics.jobs.{id}.value_per_energy_usd", "", "value of the training done per $ of its energy",
                 "number or null"),
)

#: Keys a re-plan adds (energyopt.ops.replan).
REPLAN = (
    SummaryEntry("replan", "", "what the re-plan kept and changed", "object"),
    SummaryEntry("replan.now", "", "the moment it re-planned from", "time"),
    SummaryEntry("replan.response_minutes", "min", "the site's response time"),
    SummaryEntry("replan.fixed_steps", "", "steps kept as they happened or were planned", "integer"),
    SummaryEntry("replan.fixed_until", "", "end of the kept steps", "time"),
    SummaryEntry("replan.previous_plan_id", "", "the plan it revises", "text or null"),
    SummaryEntry("replan.previous_plan_dir", "", "its folder (relative once written)", "text"),
    SummaryEntry("replan.actuals", "", "the actuals file, if any", "text or null"),
    SummaryEntry("replan.notices_added", "", "notices added (cumulative over re-plans)", "list"),
    SummaryEntry("replan.notices_cancelled", "", "notices cancelled: id and when", "list"),
    SummaryEntry("replan.warm_start", "", "whether HiGHS started from the previous plan (energyopt.ops.warmstart)",
                 "true/false"),
    SummaryEntry("replaces_plan_id", "", "the plan it replaces", "text or null"),
    SummaryEntry("supersedes", "", "every earlier plan it replaces (the ledger voids them)", "list of text"),
)


def column_entries() -> list[tuple[str, Column]]:
    """(writer, column) of every ``steps.csv`` column, in table order."""
    return [("results", TIMESTAMP)] + [(c.name, col) for c in COMPONENTS for col in c.columns]


def summary_entries() -> list[tuple[str, SummaryEntry]]:
    """(writer, entry) of every ``summary.json`` key."""
    out = [("solve", e) for e in SOLVE] + [("model", e) for e in COSTS]
    terms: dict[str, tuple[list[str], str]] = {}   # a term several components have is one key
    for c in COMPONENTS:
        for term, text in c.cost_terms:
            terms.setdefault(term, ([], text))[0].append(c.name)
    out += [(", ".join(w), SummaryEntry(f"cost_breakdown_usd.{t}", "$", text)) for t, (w, text) in terms.items()]
    out += [(c.name, SummaryEntry(f"co2_t_by_source.{c.name}", "t", f"CO2 of {c.name}")) for c in COMPONENTS
            if c.role & Role.EMITS]
    out += [(c.name, e) for c in COMPONENTS for e in c.summary_entries]
    return out + [("economics", e) for e in ECONOMICS] + [("replan", e) for e in REPLAN]


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"(\{[a-z_]+\}|\[\])", template)
    body = "".join(r"[^.]+" if p.startswith("{") else r"\.\d+" if p == "[]" else re.escape(p) for p in parts)
    return re.compile(body + "$")


def column_declared(name: str) -> bool:
    return any(_pattern(col.name).match(name) for _, col in column_entries())


def undeclared_keys(summary: dict) -> list[str]:
    """Key paths of ``summary`` that no entry declares (list items by index: ``curtailment.0.id``). A list is
    looked into only where entries declare its items' keys (``curtailment[].id``)."""
    entries = [e for _, e in summary_entries()]
    patterns = [(_pattern(e.key), e) for e in entries]
    # An object holding declared keys is itself declared (``jobs.{id}`` holds ``jobs.{id}.starts``).
    parents = [_pattern(".".join(e.key.split(".")[:k])) for e in entries for k in range(1, e.key.count(".") + 1)]
    out: list[str] = []

    def walk(node, path, check=True):
        entry = next((e for p, e in patterns if p.match(path)), None) if path else None
        parent = isinstance(node, dict) and any(p.match(path) for p in parents)
        if check and path and entry is None and not parent:
            out.append(path)
            return
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(node, list) and entry is not None and any(e.key.startswith(entry.key + "[].")
                                                                  for e in entries):
            for i, v in enumerate(node):   # items declared by their keys: each must be an object
                if isinstance(v, dict):
                    walk(v, f"{path}.{i}", check=False)
                else:
                    out.append(f"{path}.{i}")

    walk(summary, "")
    return out
