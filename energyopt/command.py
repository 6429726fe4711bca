"""The one place where an error becomes a message and an exit code, for every command.

``Group`` and ``Command`` are click's, with a ``main`` that runs the command line through :func:`run`: the
main group (``energyopt``) uses them, and so do ``ledger`` and ``report``, which also run on their own
(``python -m energyopt.report.cli``, click's test runner).
"""
from __future__ import annotations

import errno
import os
import sys
import traceback

import click

from .errors import EnergyoptError, Interrupted


def run(call) -> None:
    """Run ``call`` (a click ``main`` in non-standalone mode) and exit: an :class:`EnergyoptError` prints its
    message and exits with its class's code; click's usage errors as click does; an interrupt exits
    :class:`Interrupted`'s code; anything else is a bug, reported without a traceback (set ENERGYOPT_DEBUG=1)."""
    try:
        rv = call()
        code = rv if isinstance(rv, int) else 0   # click returns the code of ctx.exit(), e.g. after --help
    except EnergyoptError as exc:
        text = exc.message()
        if text:
            click.echo(text, err=True)
        code = exc.exit_code
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except (click.Abort, KeyboardInterrupt, EOFError):
        click.echo("interrupted", err=True)
        code = Interrupted.exit_code
    except OSError as exc:
        if exc.errno != errno.EPIPE:   # a closed pipe (``| head``) ends quietly, as click does
            _internal(exc)
        code = EnergyoptError.exit_code
    except Exception as exc:  # noqa: BLE001 - a bug: no traceback for the user
        _internal(exc)
        code = EnergyoptError.exit_code
    sys.exit(code)


def _internal(exc: BaseException) -> None:
    if os.environ.get("ENERGYOPT_DEBUG"):
        traceback.print_exc()
    click.echo(f"internal error: {type(exc).__name__}: {exc} (set ENERGYOPT_DEBUG=1 for details; "
               "please report it)", err=True)


class _Handled:
    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        run(lambda: super(_Handled, self).main(args, prog_name, complete_var, standalone_mode=False, **extra))


class Command(_Handled, click.Command):
    pass


class Group(_Handled, click.Group):
    command_class = Command
    group_class = type   # subgroups are of this class too
