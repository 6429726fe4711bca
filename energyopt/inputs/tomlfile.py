"""Read a TOML file into one of the project's pydantic models (a plan, a simulation, a sweep), reporting every
problem at once the way instances do: field, file, message."""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from .errors import InstanceError, Problem

M = TypeVar("M", bound=BaseModel)


def read_model(path: str | Path, model: type[M], what: str) -> M:
    """``model`` from the TOML file ``path``; raises :class:`InstanceError` naming ``what`` (e.g. "plan")."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InstanceError([Problem(what, "file does not exist", str(path))], str(path)) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InstanceError([Problem(what, f"cannot read the file: {exc}", str(path))], str(path)) from None
    try:
        return model(**raw)
    except ValidationError as exc:
        raise InstanceError([Problem(".".join(str(x) for x in e["loc"]) or what, e["msg"], path.name)
                             for e in exc.errors()], str(path)) from None


def check_files_exist(path: Path, named: list[tuple[str, str | None]]) -> None:
    """Every file a model names (``(field, relative path)``) exists beside ``path``; else every one missing."""
    problems = [Problem(field, f"file {rel!r} does not exist", path.name)
                for field, rel in named if rel and not (path.parent / rel).is_file()]
    if problems:
        raise InstanceError(problems, str(path))
