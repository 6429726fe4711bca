"""A re-plan's fixed steps: they must be exactly the previous plan's (unless actuals replaced them), and the
instance a re-plan answers is its instance file with the notices the re-plan added or cancelled."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..inputs import Instance, load_instance
from ..inputs.notices import notice_patch   # the same rule the re-plan applied
from .base import Ctx

#: Decision columns a re-plan keeps in its fixed steps (see energyopt.inputs.history).
KEPT = (".on", ".output_mw", ".power_mw", ".work_mwh", ".served_mw", "battery.charge_mw", "battery.discharge_mw",
        "thermal_storage.charge_mw_th", "thermal_storage.discharge_mw_th")


def instance_for(instance_file: str | Path, summary: dict) -> Instance:
    """The instance a result answers: for a re-plan, ``instance_file`` with the notices it added and
    without those it cancelled (both kept in ``summary.json``)."""
    rp = summary.get("replan") if isinstance(summary, dict) else None
    if not isinstance(rp, dict) or not (rp.get("notices_added") or rp.get("notices_cancelled")):
        return load_instance(instance_file)
    cancelled = [(c["id"], c["at"]) for c in rp.get("notices_cancelled") or [] if isinstance(c, dict)]
    patch, _ = notice_patch(list(rp.get("notices_added") or []), cancelled, pd.Timestamp.max.tz_localize("UTC"))
    return load_instance(instance_file, patch=patch)


def check_replan(ctx: Ctx, folder: Path | None) -> None:
    """Fixed steps equal the previous plan's values (when the previous plan is at hand and no actuals)."""
    rp = ctx.summary.get("replan")
    k = ctx.fixed_steps
    if not isinstance(rp, dict) or not k or rp.get("actuals") or folder is None:
        return
    prev_dir = rp.get("previous_plan_dir")
    if not isinstance(prev_dir, str):
        return
    prev = Path(prev_dir) if Path(prev_dir).is_absolute() else folder / prev_dir
    if not (prev / "steps.csv").is_file():
        return   # moved or removed: the fixed steps cannot be compared (and are not claimed to be)
    try:
        old = pd.read_csv(prev / "steps.csv")
        json.loads((prev / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        ctx.add("replan.previous", None, f"cannot read the previous plan {prev} to compare the fixed steps: {exc}",
                0.0)
        return
    for c in ctx.df.columns:
        if not c.endswith(KEPT) or c not in old.columns:
            continue
        a, b = ctx.col(c)[:k], old[c].to_numpy(dtype=float)[:k]
        if len(b) < k:
            ctx.add("replan.fixed", None, f"the previous plan has {len(b)} steps, fewer than the {k} kept", k - len(b))
            return
        for t in np.flatnonzero(~(np.abs(a - b) <= ctx.allow(a, b))):
            ctx.add("replan.fixed", int(t), f"{c}: {a[t]:.9g} in a fixed step, the previous plan had {b[t]:.9g}",
                    a[t] - b[t])
