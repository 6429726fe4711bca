"""Series importers: market prices, weather, grid carbon and workload traces turned into an instance's series on
its own time grid (docs/series.md).

    from energyopt.importers import read, to_grid, write_series
    imp = read("ercot", "prices.csv", location="HB_WEST", market="dam")
    frame, repairs = to_grid(imp, inst.time)          # or grid.make_grid(...) / grid.instance_grid(path)
    write_series(frame, "series.csv")
"""
from __future__ import annotations

from .azure import read_azure
from .base import KINDS, Imported, ImportError_
from .ercot import read_ercot
from .grid import FILLS, instance_grid, make_grid, to_grid
from .tables import read_caiso, read_eia930, read_gridstatus, read_pjm, read_table
from .weather import read_epw, read_tmy3
from .write import merge_series, write_series

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


__all__ = ["FILLS", "FORMATS", "KINDS", "Imported", "ImportError_", "instance_grid", "make_grid", "merge_series",
           "read", "to_grid", "write_series"]
