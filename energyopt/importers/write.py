"""Writing a series file as the instance loader reads it (``timestamp`` with its UTC offset, one column per
field), atomically, and merging new columns into an existing file of the same horizon (``--append``)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import write_file
from .base import ImportError_


def write_series(frame: pd.DataFrame, path, parquet: bool = False) -> Path:
    """Write ``frame`` (a tz-aware index of step starts) to ``path``: CSV with ISO timestamps carrying their UTC
    offset, or Parquet (tz-aware timestamps) when ``parquet`` or the name ends in ``.parquet``."""
    path = Path(path)
    if not isinstance(frame.index, pd.DatetimeIndex) or frame.index.tz is None:
        raise ImportError_("write_series: the frame's index must be a timezone-aware DatetimeIndex")
    if not path.absolute().parent.is_dir():
        raise ImportError_(f"{path}: the folder {path.absolute().parent} does not exist")
    if path.is_dir():
        raise ImportError_(f"{path} is a folder")
    out = frame.copy()
    if parquet or path.suffix.lower() == ".parquet":
        out.insert(0, "timestamp", out.index)
        write_file(path, lambda tmp: out.reset_index(drop=True).to_parquet(tmp, index=False))
    else:
        out.insert(0, "timestamp", [t.isoformat() for t in out.index])
        write_file(path, lambda tmp: out.to_csv(tmp, index=False))
    return path


def merge_series(path, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """``frame``'s columns added to the series file ``path`` (the same steps), replacing columns of the same name;
    returns the merged frame and what was replaced."""
    path = Path(path)
    try:
        old = pd.read_parquet(path) if path.suffix.lower() == ".parquet" else \
            pd.read_csv(path, dtype={"timestamp": str})
    except Exception as exc:  # noqa: BLE001 - the user's file
        raise ImportError_(f"{path}: cannot read the series file to append to ({exc})") from None
    if "timestamp" not in old.columns:
        raise ImportError_(f"{path}: no 'timestamp' column: not a series file to append to")
    times = pd.to_datetime(old["timestamp"], utc=True, format="ISO8601", errors="coerce") \
        if not pd.api.types.is_datetime64_any_dtype(old["timestamp"]) else pd.DatetimeIndex(old["timestamp"])
    times = pd.DatetimeIndex(times)
    if times.tz is None or times.isna().any() or len(times) != len(frame) \
            or not np.array_equal(times.tz_convert("UTC").as_unit("ns").asi8,
                                frame.index.tz_convert("UTC").as_unit("ns").asi8):
        raise ImportError_(f"{path}: its timestamps are not the horizon's steps ({len(times)} rows, "
                           f"{len(frame)} steps from {frame.index[0].isoformat()}): write another file or leave "
                           "out --append")
    old = old.drop(columns="timestamp").set_axis(frame.index)
    replaced = [c for c in frame.columns if c in old.columns]
    merged = pd.concat([old.drop(columns=replaced), frame], axis=1)
    return merged, replaced
