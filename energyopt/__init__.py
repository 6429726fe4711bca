"""energyopt: day-ahead power planning for AI data centers (Pyomo + HiGHS).

The public names are imported on first use, so ``energyopt ledger ...`` and ``energyopt --help`` do not
pay for importing Pyomo, pandas and HiGHS.
"""
from __future__ import annotations

from .lazy import lazy_names

_LAZY = {
    "solve": ".api",
    "EnergyoptError": ".errors",
    "Instance": ".inputs", "InstanceError": ".inputs", "load_instance": ".inputs",
    "from_frames": ".inputs.frames", "to_files": ".inputs.frames",
    "Result": ".results",
    "SolveOptions": ".solver", "SolveStatus": ".solver", "TerminationCondition": ".solver",
}

__all__ = sorted(_LAZY)
__version__ = "0.1.0"

__getattr__ = lazy_names(__name__, _LAZY)
