"""Series importers: market prices, weather, grid carbon and workload traces turned into an instance's series on
its own time grid (docs/series.md).

    from energyopt.importers import read, to_grid, write_series
    imp = read("ercot", "prices.csv", location="HB_WEST", market="dam")
    frame, repairs = to_grid(imp, inst.time)          # or grid.make_grid(...) / grid.instance_grid(path)
    write_series(frame, "series.csv")
"""
from __future__ import annotations

from ..lazy import lazy_names

# Names are imported on first use (energyopt/lazy.py), so that the CLI can list `energyopt series` without
# importing pandas and pvlib for every other command.
__getattr__ = lazy_names(__name__, {
    "KINDS": ".base", "Imported": ".base", "ImportError_": ".base",
    "FILLS": ".grid", "instance_grid": ".grid", "make_grid": ".grid", "to_grid": ".grid",
    "merge_series": ".write", "write_series": ".write",
    "READERS": ".formats", "FORMATS": ".formats", "read": ".formats",
})

__all__ = ["FILLS", "FORMATS", "KINDS", "Imported", "ImportError_", "instance_grid", "make_grid", "merge_series",
           "read", "to_grid", "write_series"]
