"""A readable terminal summary of a result."""
from __future__ import annotations

from ..registry import COMPONENTS
from ..solver.status import TerminationCondition
from .economics import text as economics_text
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
    lines.append(f"  emissions          {s['co2_t']:,.3f} t CO2, {s['nox_kg']:,.2f} kg NOx")
    for c in COMPONENTS:   # each component's own lines, in registry order
        if c.text is not None:
            lines += c.text(s)
    lines += economics_text(s)
    return "\n".join(lines)


def _pct(g) -> str:
    return "n/a" if g is None else f"{100 * g:.3g}%"
