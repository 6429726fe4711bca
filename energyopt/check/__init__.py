"""An independent feasibility checker for a written result.

It re-reads the instance (with :func:`energyopt.inputs.load_instance`) and a result folder
(``summary.json`` and ``steps.csv``) and re-verifies every constraint of the model, then recomputes every
cost term and emission figure and compares them with the summary. It never uses the model, the solver
or the result extraction: every bound is re-derived from the inputs, so a bug there shows up here.

    >>> from energyopt.check import check_result
    >>> for v in check_result("instances/small/small.toml", "out/small"):
    ...     print(v)

An empty list means the schedule is feasible and the summary consistent with it.
"""
from __future__ import annotations

from pathlib import Path

from ..inputs import Instance, load_instance
from .accounts import check_accounts
from .base import Ctx, ResultFiles, Violation, read_result
from .physics import check_physics

__all__ = ["ResultFiles", "Violation", "check_result", "read_result"]


def check_result(instance: Instance | str | Path, result_dir: str | Path, tol: float = 1e-6) -> list[Violation]:
    """Every violated constraint and every inconsistent summary figure of the result in ``result_dir``.

    ``tol`` is relative: a quantity of magnitude ``m`` may be off by ``tol * max(1, m)``.
    """
    inst = instance if isinstance(instance, Instance) else load_instance(instance)
    files = read_result(Path(result_dir))
    if isinstance(files, Violation):
        return [files]
    ctx = Ctx(inst, files, tol)
    if ctx.structure_ok():
        check_physics(ctx)
        check_accounts(ctx)
    return ctx.violations

