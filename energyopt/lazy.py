"""Names a package imports on first use (PEP 562's module ``__getattr__``), so that importing the package costs
nothing until one of them is used: ``energyopt --help`` need not import Pyomo, and the component registry can
import the model's modules before the model's builder exists."""
from __future__ import annotations

import importlib
import sys


def lazy_names(package: str, names: dict[str, str]):
    """The ``__getattr__`` of ``package``: ``names`` maps each name to the (relative) module that defines it."""
    def __getattr__(name: str):
        if name in names:
            value = getattr(importlib.import_module(names[name], package), name)
            setattr(sys.modules[package], name, value)
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    return __getattr__
