"""Input problems are collected, never raised one at a time, so a user fixes an instance in one pass."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import BadInput


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an instance: where (field path, file, row) and what."""

    field: str
    message: str
    file: str | None = None
    row: int | None = None
    at: str | None = None   #: the time of the faulty row, where a table has times rather than row numbers

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.at is not None:
            where.append(f"at {self.at}")
        loc = f" ({', '.join(where)})" if where else ""
        return f"{self.field}{loc}: {self.message}"


class InstanceError(BadInput):
    """An instance that cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem], path: str | None = None):
        super().__init__("", problems)
        self.path = path
        self.args = (self.render(),)

    def __str__(self) -> str:
        return self.render()

    def render(self) -> str:
        head = f"{self.path}: " if self.path else ""
        n = len(self.problems)
        lines = [f"{head}{n} problem{'s' if n != 1 else ''} in the instance:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)
