"""``energyopt headroom``: the curve of added flexible IT load (MW) against the curtailment the site accepts
(hours a year, or percent of the added load's energy), each point a separate optimization."""
from __future__ import annotations

from dataclasses import dataclass

import pyomo.environ as pyo

from ..inputs import Instance


@dataclass(frozen=True)
class HeadroomPoint:
    limit: float
    status: str
    added_mw: float | None
    curtailed_hours: float | None
    curtailed_mwh: float | None
    mip_gap: float | None
    seconds: float


def headroom_curve(inst: Instance, limits: list[float], mode: str = "hours", max_mw: float | None = None,
                   options=None) -> list[HeadroomPoint]:
    """One point per limit; ``max_mw`` bounds the search (default: the interconnection limit)."""
    from ..model import headroom
    from ..model.build import populate
    from ..model.component import BuildContext
    from ..solver import SolveOptions, solve_model
    opts = options or SolveOptions(mip_rel_gap=1e-6)
    cap = max_mw if max_mw is not None else inst.site.interconnection_mw
    out = []
    for x in limits:
        m = pyo.ConcreteModel()
        m.headroom = pyo.Block(concrete=True)
        headroom.build(m.headroom, inst, mode, float(x), cap)
        populate(m, inst, BuildContext(extra_it=(m.headroom,)))
        m.objective = pyo.Objective(expr=m.headroom.Added_MW, sense=pyo.maximize)
        info = solve_model(m, opts)
        ok = info.status.has_schedule
        dt = inst.time.dt_hours
        hours = (sum(dt for t in m.headroom.Curtailed_MW if pyo.value(m.headroom.Curtailed_MW[t]) > 1e-6)
                 if ok else None)
        out.append(HeadroomPoint(float(x), info.status.value, float(pyo.value(m.headroom.Added_MW)) if ok else None,
                                 hours, float(pyo.value(m.headroom.curtailed_mwh)) if ok else None, info.mip_gap,
                                 info.timings_s["highs"]))
    return out
