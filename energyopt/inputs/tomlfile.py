"""Read a TOML file into one of the project's pydantic models (a plan, a simulation, a sweep), reporting every
problem at once the way instances do: field, file, message."""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from .errors import InstanceError, Problem
from .files import MAX_INSTANCE_BYTES, MAX_NESTING, MAX_SERIES_BYTES, file_problem, nesting, read_bounded, shown

M = TypeVar("M", bound=BaseModel)


def read_model(path: str | Path, model: type[M], what: str) -> M:
    """``model`` from the TOML file ``path``; raises :class:`InstanceError` naming ``what`` (e.g. "plan").

    The file is read as an instance is (``files.py``): a regular file of at most ``MAX_INSTANCE_BYTES``, never a
    folder, FIFO or device, its tables and arrays nested at most ``MAX_NESTING`` deep."""
    path = Path(path)
    display = shown(path)
    data, problem = read_bounded(path, MAX_INSTANCE_BYTES)
    if problem:
        raise InstanceError([Problem(what, f"the {what} file {problem}", display)], display)
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InstanceError([Problem(what, f"cannot read the file: {exc}", display)], display) from None
    except RecursionError:
        raise InstanceError([Problem(what, f"tables or arrays nested too deeply to read (at most {MAX_NESTING} "
                                     "levels)", display)], display) from None
    if nesting(raw) > MAX_NESTING:
        raise InstanceError([Problem(what, f"tables or arrays nested more than {MAX_NESTING} levels deep", display)],
                            display)
    try:
        return model(**raw)
    except ValidationError as exc:
        raise InstanceError([Problem(".".join(str(x) for x in e["loc"]) or what, e["msg"], path.name)
                             for e in exc.errors()], str(path)) from None


def check_files_exist(path: Path, named: list[tuple[str, str | None]]) -> None:
    """Every file a model names (``(field, relative path)``) exists beside ``path``; else every one missing."""
    problems = [Problem(field, f"file {shown(rel)!r} {why}", path.name)
                for field, rel in named if rel and (why := file_problem(path.parent / rel, MAX_SERIES_BYTES))]
    if problems:
        raise InstanceError(problems, str(path))
