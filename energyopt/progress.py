"""Live progress on stderr for long runs (``solve``, ``replan``, ``plan``, ``simulate``), without ``--log``.

A :class:`Printer` receives HiGHS's progress (:class:`energyopt.solver.Progress`, through
``SolveOptions.progress``) and the stages of a run (``stage("count table 2/5")``), and writes a line at most every
``every_s`` seconds, the first only ``quiet_s`` seconds after the run started, so a fast solve prints nothing. On a
terminal the line is rewritten in place (``\\r``); elsewhere (a log file, a pipe, a test) each is a plain line of
its own, so logs keep them. ``--quiet`` gives no printer at all.
"""
from __future__ import annotations

import sys
import time

#: A solve that ends within this many seconds prints no progress.
QUIET_S = 2.0
#: Seconds between progress lines.
EVERY_S = 3.0


def money(x: float | None) -> str:
    return "-" if x is None else f"${x:,.0f}"


def percent(gap: float | None) -> str:
    return "-" if gap is None else f"{100 * gap:.2f}%"


class Printer:
    """Progress lines on ``stream``; ``started`` is the run's ``time.monotonic()`` start (default: now)."""

    def __init__(self, stream=None, started: float | None = None, quiet_s: float = QUIET_S, every_s: float = EVERY_S,
                 limit_s: float | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.monotonic() if started is None else started
        self.quiet_s, self.every_s, self.limit_s = quiet_s, every_s, limit_s
        self.label = "solving"
        self._last = -float("inf")
        self._open = False   # a \r line is on the terminal
        try:
            self.tty = bool(self.stream.isatty())
        except (AttributeError, ValueError):
            self.tty = False

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def _write(self, text: str, force: bool = False) -> None:
        now = time.monotonic()
        if not force and (now - self.started < self.quiet_s or now - self._last < self.every_s):
            return
        self._last = now
        if self.tty:
            self.stream.write("\r\x1b[2K" + text)
            self._open = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def _head(self) -> str:
        limit = f" of {self.limit_s:g} s" if self.limit_s is not None else ""
        return f"  {self.label}: {self.elapsed():.0f} s{limit}"

    def solve(self, p) -> None:
        """``SolveOptions.progress``: elapsed time, the best schedule's cost and its proven gap."""
        best = "no schedule yet" if p.best_usd is None else f"best {money(p.best_usd)}, gap {percent(p.gap)}"
        self._write(f"{self._head()}, {best}, {p.nodes:,} nodes")

    def stage(self, label: str, say: str | None = None) -> None:
        """A new stage of the run (``label`` heads the following lines); ``say`` is printed now, whatever the time,
        once the run is past its quiet start (or at once when it is news the user should have before waiting)."""
        self.label = label
        if say is not None:
            self._write(f"  {say}", force=True)

    def done(self) -> None:
        """End an in-place line, so the next output starts on a line of its own."""
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False
