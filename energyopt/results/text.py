"""A readable terminal summary of a result."""
from __future__ import annotations

from ..solver.status import TerminationCondition
from .result import Result


def render(result: Result) -> str:
    s = result.summary
    lines = [f"{s.get('instance', '')}: {result.status.value}"]
    if s.get("timings_s"):
        lines[0] += f"  (HiGHS {s['solve_seconds']:.2f} s, gap {_pct(s.get('mip_gap'))})"
    term = s.get("termination")
    if term in TerminationCondition._value2member_map_ and TerminationCondition(term).is_limit:
        lines.insert(1, f"  stopped by {TerminationCondition(term).reason}"
                        + ("; the best schedule found is written" if result.status.has_schedule else
                           " before any schedule was found"))
    for d in result.diagnosis:
        lines.append(f"  ! {d}")
    if not result.status.has_schedule:
        return "\n".join(lines)
    lines.append(f"  objective          ${s['objective_usd']:,.2f}")
    for k, v in s["cost_breakdown_usd"].items():
        if abs(v) > 0.005:
            lines.append(f"    {k:<17}${v:,.2f}")
    lines.append(f"  grid import        {s['grid_import_mwh']:,.2f} MWh, peak {s['peak_import_mw']:.2f} MW")
    lines.append(f"  emissions          {s['co2_t']:,.3f} t CO2, {s['nox_kg']:,.2f} kg NOx")
    for n in s["curtailment"]:
        lines.append(f"  notice {n['id']:<11} cap {n['cap_mw']:.2f} MW, highest import {n['max_import_mw']:.2f} MW "
                     f"({n['start'][11:16]}-{n['end'][11:16]})")
    for g, v in s["generator_run_hours"].items():
        lines.append(f"  generator {g:<8} {v['hours']:g} of {v['limit_hours']:g} h, {v['output_mwh']:.2f} MWh, "
                     f"{v['starts']} start(s)")
    for j, v in s["jobs"].items():
        late = f", {v['unfinished_mwh']:.2f} MWh unfinished" if v["unfinished_mwh"] > 1e-6 else ""
        fin = v["finish_time"][11:16] if v["finish_time"] else "-"
        lines.append(f"  job {j:<14} {v['work_done_mwh']:.2f} of {v['work_required_mwh']:g} MWh, "
                     f"done {fin}{late}")
    lines.append(f"  inference shed     {s['inference_shed_mwh']:.3f} MWh")
    for b in s.get("permit_budgets", []):
        lines.append(f"  permit {b['unit_id']:<9} {b['window']}: {b['remaining_before']:g} left before, "
                     f"plan uses {b['plan_uses']:g}, {b['remaining_after']:g} after")
    return "\n".join(lines)


def _pct(g) -> str:
    return "n/a" if g is None else f"{100 * g:.3g}%"
