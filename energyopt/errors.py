"""Every exit code of the CLI, each defined once, as a class with its one-line meaning.

Every exception of energyopt derives from :class:`EnergyoptError`; its class's ``exit_code`` is the CLI's exit
status (``energyopt.command`` turns it into its message and that code, in one place). The classes that define
a code live here, so that ``energyopt --help`` can render the table without importing anything heavy; the
README's table and every ``--help`` are rendered from them (``python -m energyopt.errors --write`` rewrites
the tables of the docs, ``tests/test_errors.py`` fails when one differs).
"""
from __future__ import annotations

import argparse
import re
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path


class Success:
    """Not an error: the one exit code without an exception."""
    exit_code = 0
    meaning = "optimal (within `--mip-gap`) for a solve; done for other commands (also when nothing changed)"
    scope = ""


class EnergyoptError(Exception):
    """The base of every energyopt exception: a message, optional problems (one per line) and the exit code.

    An exception that is not an EnergyoptError reaching the user is a bug, reported with this class's code."""
    exit_code = 1
    meaning = "internal error (a bug: please report it; set `ENERGYOPT_DEBUG=1` for the traceback)"
    scope = ""
    where = ""   #: what the message is about (an option, a file), set by :func:`about`

    def __init__(self, message: str = "", problems: Iterable[str] | None = None):
        super().__init__(message)
        self.problems = list(problems or [])

    def __str__(self) -> str:
        return "\n".join([str(self.args[0]) if self.args else "", *(f"  - {p}" for p in self.problems)])

    def render(self) -> str:
        """The message with its problems, one per line."""
        return str(self)

    def message(self) -> str:
        """What the CLI prints: the message, after where it came from (see :func:`about`)."""
        return f"{self.where}: {self.render()}" if self.where else self.render()


@contextmanager
def about(where: str, kind: type[EnergyoptError] | None = None):
    """Prefix the message of an error raised inside (of class ``kind``, default any) with ``where`` (an option)."""
    try:
        yield
    except kind or EnergyoptError as exc:
        exc.where = f"{where}: {exc.where}" if exc.where else where
        raise


class UsageError(EnergyoptError):
    exit_code = 2
    meaning = "usage error (unknown option, missing argument, an option value that is not allowed)"


class BadInput(EnergyoptError):
    exit_code = 3
    meaning = "bad input: an invalid instance or file (every problem listed) or an unusable output path; nothing is written"


# -- the solver's outcomes (energyopt.solver.status.outcome maps SolveStatus and TerminationCondition here) -------
class Infeasible(EnergyoptError):
    exit_code = 4
    meaning = "infeasible: the explanation says what cannot be met, when, and by how many MW / MWh"


class TimeLimitFeasible(EnergyoptError):
    exit_code = 5
    meaning = "time limit (or another HiGHS limit) reached with a schedule: the best one found is written"


class TimeLimitNoSolution(EnergyoptError):
    exit_code = 6
    meaning = "time limit (or another HiGHS limit) reached before any schedule was found"


class Unbounded(EnergyoptError):
    exit_code = 7
    meaning = "unbounded"


class SolverError(EnergyoptError):
    exit_code = 8
    meaning = "solver error: HiGHS failed (its status is in summary.json's `solver.highs_status`)"


class NoticesSoftened(EnergyoptError):
    exit_code = 19
    scope = "replan, simulate"
    meaning = "notices softened: no plan meets every notice; the plan written exceeds caps at a penalty (`notice_overruns`)"


class OutOfMemory(EnergyoptError):
    exit_code = 18
    meaning = "out of memory: HiGHS hit its memory limit; the best schedule found, if any, is written"


class Interrupted(EnergyoptError):
    exit_code = 130
    meaning = "interrupted (Ctrl-C, or HiGHS was interrupted); a schedule found before, if any, is written"


# -- one command's refusals ----------------------------------------------------------------------------------
class CheckFailed(EnergyoptError):
    exit_code = 9
    scope = "check"
    meaning = "the schedule violates the instance (each violation listed)"


class LedgerError(EnergyoptError):
    """A refusal of the permit ledger: nothing was changed."""


class LedgerInputError(LedgerError, BadInput):
    """Bad input: an unknown unit, a bad value, CSV rows, a plan folder that cannot be recorded (exit 3)."""


class PermitExceeded(LedgerError):
    """The change would make a permit window's remaining amount negative."""
    exit_code = 10
    scope = "ledger"
    meaning = "would exceed a permit window (nothing changed; `--allow-over` records a real overrun)"


class LedgerCorrupt(LedgerError):
    """The file is not an energyopt ledger, is damaged, or was written by a newer version."""
    exit_code = 11
    scope = "ledger"
    meaning = "ledger corrupt (damaged, not an energyopt ledger) or of a newer format"


class LedgerLocked(LedgerError):
    """Another process held the write lock longer than the wait."""
    exit_code = 12
    scope = "ledger"
    meaning = "ledger locked by another process (for longer than `--wait`)"


class ReplanError(EnergyoptError):
    """The previous plan, "now" or the actuals cannot be used; nothing is written."""
    exit_code = 13
    scope = "replan"
    meaning = 'the previous plan cannot be revised ("now" outside it, another horizon, not a plan, unusable actuals)'


class BatchCasesFailed(EnergyoptError):
    exit_code = 14
    scope = "batch"
    meaning = "at least one case did not solve to optimality (each recorded with its message)"


class BatchError(EnergyoptError):
    """The batch cannot run (no cluster, no dask); nothing was written for the cases not yet run."""
    exit_code = 15
    scope = "batch"
    meaning = "the Dask scheduler cannot be reached, or dask is not installed"


class ReportInputError(EnergyoptError):
    """RESULT_DIR cannot be reported: not a result, a newer format, or missing/unreadable files."""
    exit_code = 16
    scope = "report"
    meaning = "not a result or batch (or of a newer format, or missing files); nothing is written"


class PngError(EnergyoptError):
    """``--png`` cannot render: kaleido or a browser missing, or the browser failed."""
    exit_code = 17
    scope = "report --png"
    meaning = "no PNG renderer: kaleido or Chrome/Chromium missing, or the browser failed; nothing is written"


def exit_classes() -> list[type]:
    """Every class that defines an exit code, by code."""
    found, todo = [], [EnergyoptError]
    while todo:
        cls = todo.pop()
        if "exit_code" in vars(cls) and cls not in found:
            found.append(cls)
        todo += cls.__subclasses__()
    return sorted([Success, *found], key=lambda c: c.exit_code)


#: The codes every command can exit with; the ledger's and the report's own (docs/ledger.md, docs/report.md).
COMMON = (Success, EnergyoptError, UsageError, BadInput)
LEDGER = (*COMMON, PermitExceeded, LedgerCorrupt, LedgerLocked)
REPORT = (*COMMON, ReportInputError, PngError)


def table(classes: Iterable[type] | None = None) -> str:
    """The Markdown table of ``classes`` (default: every code), as in the README."""
    rows = ["| exit code | meaning |", "|---|---|"]
    for c in classes or exit_classes():
        rows.append(f"| {c.exit_code} | {f'`{c.scope}`: ' if c.scope else ''}{c.meaning} |")
    return "\n".join(rows) + "\n"


def help_text(classes: Iterable[type] | None = None, scoped: bool = True) -> str:
    """The exit codes for a command's ``--help`` epilog (click keeps the lines of a ``\\b`` paragraph)."""
    lines = ["\b", "Exit codes:"]
    for c in classes or exit_classes():
        where = f"  [{c.scope}]" if scoped and c.scope else ""
        lines.append(f"  {c.exit_code} {c.meaning.replace('`', '')}{where}")
    return "\n".join(lines) + "\n"


#: The files holding a table, and the codes each lists.
DOCS = {"README.md": None, "docs/ledger.md": LEDGER, "docs/report.md": REPORT}
TABLE = re.compile(r"^\| exit code \| meaning \|\n(?:\|.*\|\n)*", re.M)


def rewrite(text: str, classes: Iterable[type] | None = None) -> str:
    """``text`` with its exit-code table replaced by the rendered one."""
    if len(TABLE.findall(text)) != 1:
        raise ValueError("expected one table headed '| exit code | meaning |'")
    return TABLE.sub(lambda _: table(classes), text)


def main(argv: list[str] | None = None) -> None:
    """Print the README's table, or with ``--write`` rewrite the tables of README.md and the docs (run from the
    project's folder)."""
    p = argparse.ArgumentParser(description=main.__doc__)
    p.add_argument("--write", action="store_true", help="rewrite " + ", ".join(DOCS))
    args = p.parse_args(argv)
    if not args.write:
        print(table(), end="")
        return
    for name, classes in DOCS.items():
        path = Path(name)
        path.write_text(rewrite(path.read_text(encoding="utf-8"), classes), encoding="utf-8")


if __name__ == "__main__":
    main()
