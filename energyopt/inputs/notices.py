"""Notices added or withdrawn after an instance was written (a re-plan's changes), applied to its parsed TOML,
so the result is validated like the file itself. Used by re-planning and by the checker, which must read a
re-plan's instance exactly as the re-plan did."""
from __future__ import annotations

import pandas as pd

from .errors import Problem


def notice_patch(add: list[dict], cancel: list[tuple[str, str]], now: pd.Timestamp):
    """A loader patch that adds notices (dicts with the instance's ``[[notices]]`` keys) and withdraws
    cancelled ones (``(id, when)``): a notice not yet started by then is removed, one already in force ends
    then (the hours it held, e.g. generators run as emergency, stay as they were). Unknown ids to cancel and
    notices issued after ``now`` are reported as problems."""
    problems: list[Problem] = []

    def patch(raw: dict) -> None:
        notices = list(raw.get("notices", [])) + [dict(n) for n in add]
        tz = (raw.get("horizon") or {}).get("timezone")
        known = {n.get("id") for n in notices if isinstance(n, dict)}
        for nid, when in cancel:
            if nid not in known:
                problems.append(Problem(f"--cancel-notice {nid}", f"the instance has no notice {nid!r} "
                                        f"(it has: {', '.join(sorted(map(str, known))) or 'none'})"))
        kept = []
        for n in notices:
            when = next((w for nid, w in cancel if isinstance(n, dict) and n.get("id") == nid), None)
            if when is None:
                kept.append(n)
                continue
            start, at = _aware(n.get("start"), tz), pd.Timestamp(when)
            if start is not None and start < at:
                kept.append({**n, "end": at.isoformat()})   # ended early
        for n in add:
            issued = pd.Timestamp(n["issued"])
            if issued.tzinfo is not None and issued > now:
                problems.append(Problem(f"notice {n['id']}.issued", f"issued at {issued}, after now ({now}): "
                                        "a re-plan knows only notices issued by then"))
        raw["notices"] = kept

    return patch, problems


def notice_iso(notice: dict) -> dict:
    """A notice with its times as ISO strings (as a summary keeps it, and as the loader reads it)."""
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in dict(notice).items()}


def _aware(value, tz: str | None) -> pd.Timestamp | None:
    try:
        t = pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    if t.tzinfo is None:
        if not tz:
            return None
        try:
            t = t.tz_localize(tz)
        except (ValueError, TypeError):
            return None
    return t
