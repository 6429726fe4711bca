"""The report's economics tables: the summary's ``economics`` (energy cost per million tokens, tokens served
and shed, revenue and margin; GPU-hours, energy per GPU-hour, value per $ of energy), when it has one."""
from __future__ import annotations

from .reader import finite


def economics_tables(s: dict, table, num) -> str:
    """HTML of the two tables (``table(head, rows)`` and ``num(x, fmt)`` are the page's own helpers)."""
    ec = s.get("economics")
    if not isinstance(ec, dict):
        return ""
    parts = [f"<h3>Economics</h3><p class=\"cap\">The site's energy cost (grid energy + gensets' fuel and "
             f"start-ups, ${num(ec.get('site_energy_cost_usd'), '{:,.0f}')}) shared by each step's IT power: "
             f"IT energy costs {num(ec.get('it_energy_usd_per_mwh'), '${:,.2f}')}/MWh on average.</p>"]
    inf = {k: v for k, v in (ec.get("inference") or {}).items() if isinstance(v, dict)}
    if inf:
        parts.append(table(
            ["service", "served MWh", "energy $", "energy $/MWh", "Mtok served", "Mtok shed", "energy $/Mtok",
             "revenue $/Mtok", "margin $/Mtok", "margin $"],
            [[i, num(v.get("served_mwh")), num(v.get("energy_cost_usd")), num(v.get("energy_usd_per_mwh")),
              num(v.get("tokens_served_m"), "{:,.1f}"), num(v.get("tokens_shed_m"), "{:,.1f}"),
              num(v.get("energy_usd_per_m_tokens"), "{:,.4f}"),
              num(_rev_per_m(v), "{:,.4f}"), num(v.get("margin_usd_per_m_tokens"), "{:,.4f}"),
              num(v.get("margin_usd"))] for i, v in inf.items()]))
    jobs = {k: v for k, v in (ec.get("jobs") or {}).items() if isinstance(v, dict)}
    if jobs:
        parts.append(table(
            ["job", "energy MWh", "energy $", "GPU-h done", "energy $/GPU-h", "value $", "value $/MWh of work",
             "value per $ of energy"],
            [[j, num(v.get("energy_mwh")), num(v.get("energy_cost_usd")), num(v.get("gpu_hours_done"), "{:,.0f}"),
              num(v.get("energy_usd_per_gpu_hour"), "{:,.4f}"), num(v.get("value_usd")),
              num(v.get("value_usd_per_mwh_of_work")), num(v.get("value_per_energy_usd"))]
             for j, v in jobs.items()]))
    return "".join(parts)


def _rev_per_m(v: dict):
    rev, m = finite(v.get("revenue_usd")), finite(v.get("tokens_served_m"))
    return rev / m if rev is not None and m else None
