"""LLM inference request traces (Azure format: ``TIMESTAMP``, ``ContextTokens``, ``GeneratedTokens``) as an
inference demand shape in MW.

Conversion: the tokens of the requests that arrive in each bin (``bin_minutes``, default 1), prompt tokens
weighted by ``context_weight`` (default 1: every token alike), divided by the bin's seconds give tokens/s; divided
by ``tokens_per_s_per_mw`` (default 833,000: 1,000 tokens/s per GPU at 833 GPUs per MW, the illustration of
docs/figures.md, an assumption) they give MW. On a horizon the trace starts at the horizon's start and repeats
until it covers it; with ``peak_mw`` or ``mean_mw`` the demand on the horizon's steps is scaled to that peak or
mean (then ``tokens_per_s_per_mw`` cancels out).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .base import Imported, ImportError_, numbers, pick, read_frame, utc_times

TOKENS_PER_S_PER_MW = 833_000.0


def read_azure(path_or_frame, tokens_per_s_per_mw: float = TOKENS_PER_S_PER_MW, peak_mw: float | None = None,
               mean_mw: float | None = None, bin_minutes: float = 1.0, context_weight: float = 1.0) -> Imported:
    """The trace's demand as ``demand_mw`` per ``bin_minutes`` bin (pattern ``trace``)."""
    frame, name = read_frame(path_or_frame, "an Azure LLM inference trace")
    if peak_mw is not None and mean_mw is not None:
        raise ImportError_(f"{name}: give peak_mw or mean_mw, not both")
    for what, v in (("tokens_per_s_per_mw", tokens_per_s_per_mw), ("bin_minutes", bin_minutes),
                    ("peak_mw", peak_mw), ("mean_mw", mean_mw)):
        if v is not None and not (np.isfinite(v) and v > 0):
            raise ImportError_(f"{name}: {what} must be a number > 0 (got {v})")
    if not (np.isfinite(context_weight) and context_weight >= 0):
        raise ImportError_(f"{name}: context_weight must be a number >= 0 (got {context_weight})")
    time = pick(frame, name, "TIMESTAMP")
    ctx = numbers(frame, pick(frame, name, "ContextTokens"), name)
    gen = numbers(frame, pick(frame, name, "GeneratedTokens"), name)
    if len(frame) == 0:
        raise ImportError_(f"{name}: no requests")
    t = utc_times(frame[time], name, time)
    tokens = np.nan_to_num(gen) + context_weight * np.nan_to_num(ctx)
    step = pd.Timedelta(minutes=bin_minutes)
    start = t.min().floor(step)
    k = ((t - start) // step).to_numpy(dtype=np.int64)
    per_bin = np.bincount(k, weights=tokens, minlength=int(k.max()) + 1)
    mw = per_bin / step.total_seconds() / tokens_per_s_per_mw
    index = pd.date_range(start, periods=len(mw), freq=step)
    target = ("peak", peak_mw) if peak_mw is not None else ("mean", mean_mw) if mean_mw is not None else None
    note = (f"{len(frame)} requests binned by {bin_minutes:g} min at {tokens_per_s_per_mw:g} tokens/s per MW "
            f"(prompt tokens x {context_weight:g})")
    return Imported(pd.DataFrame({"demand_mw": mw}, index=index), step, (note,), name, pattern="trace",
                    target=target)
