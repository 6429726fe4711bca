"""An independent feasibility checker for a written result.

It re-reads the instance (with :func:`energyopt.inputs.load_instance`) and a result folder
(``summary.json`` and ``steps.csv``) and re-verifies every constraint of the model, then recomputes every
cost term and emission figure and compares them with the summary. It never uses the model, the solver
or the result extraction: every bound is re-derived from the inputs, so a bug there shows up here.

    >>> from energyopt.check import check_result
    >>> for v in check_result("instances/small/small.toml", "out/small"):
    ...     print(v)

An empty list means the schedule is feasible and the summary consistent with it.

A component's checks live in a module of this package of their own, found by :func:`component_checks` (a
module that sets ``SECTION``, the component's section): see docs/components.md for the hooks it provides.
"""
from __future__ import annotations

import functools
import importlib
import pkgutil
from pathlib import Path

from ..inputs import Instance, load_instance
from .accounts import check_accounts
from .base import Ctx, ResultFiles, Violation, read_result
from .physics import check_physics
from .replan import check_replan, instance_for

#: Relative tolerance of every comparison unless the caller gives another (the CLI's --tol default).
DEFAULT_TOL = 1e-6

__all__ = ["DEFAULT_TOL", "ResultFiles", "Violation", "check_files", "check_result", "instance_for", "read_result"]


def check_result(instance: Instance | str | Path, result_dir: str | Path, tol: float = DEFAULT_TOL) -> list[Violation]:
    """Every violated constraint and every inconsistent summary figure of the result in ``result_dir``.

    ``tol`` is relative: a quantity of magnitude ``m`` may be off by ``tol * max(1, m)``. A folder that cannot
    be read (missing, without ``summary.json`` or ``steps.csv``, or a summary that is not a JSON object) gives
    one ``result.files`` violation saying why.
    """
    inst = instance if isinstance(instance, Instance) else load_instance(instance)
    files = read_result(Path(result_dir))
    if isinstance(files, Violation):
        return [files]
    return check_files(inst, files, tol, folder=Path(result_dir))


def check_files(inst: Instance, files: ResultFiles, tol: float = DEFAULT_TOL, folder: Path | None = None) -> list[Violation]:
    """:func:`check_result` on a result already read with :func:`read_result` (from ``folder``, which a
    re-plan needs to find the plan it revised)."""
    ctx = Ctx(inst, files, tol, plugins=component_checks())
    if ctx.structure_ok():
        check_physics(ctx)
        check_accounts(ctx)
        check_replan(ctx, folder)
    return ctx.violations


@functools.cache
def component_checks() -> tuple:
    """The checker modules of components (each sets ``SECTION``), in name order. They are found, not listed, so
    that adding a component's checks touches only its own module."""
    out = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if isinstance(getattr(module, "SECTION", None), str):
            out.append(module)
    return tuple(out)
