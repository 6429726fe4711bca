"""The series formats by name: each format's reader, and :func:`read`, which dispatches to it."""
from __future__ import annotations

from .azure import read_azure
from .base import Imported, ImportError_
from .ercot import read_ercot
from .tables import read_caiso, read_eia930, read_gridstatus, read_pjm, read_table
from .weather import read_epw, read_tmy3

#: Each format's reader.
READERS = {
    "ercot": read_ercot, "caiso": read_caiso, "pjm": read_pjm, "gridstatus": read_gridstatus, "table": read_table,
    "tmy3": read_tmy3, "epw": read_epw, "eia930": read_eia930, "azure": read_azure,
}
FORMATS = tuple(READERS)


def read(fmt: str, path_or_frame, **opts) -> Imported:
    """Read ``path_or_frame`` (a file, or a DataFrame for the table formats) in format ``fmt`` (one of
    :data:`FORMATS`) with that format's options."""
    if fmt not in READERS:
        raise ImportError_(f"unknown series format {fmt!r}: use one of {', '.join(FORMATS)}")
    try:
        return READERS[fmt](path_or_frame, **opts)
    except TypeError as exc:
        if "argument" in str(exc):
            raise ImportError_(f"{fmt}: {exc}") from None
        raise
