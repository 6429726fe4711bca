"""HiGHS option defaults chosen on the operator benchmark set (``benchmarks/operations.py``).

``DEFAULT_HIGHS_OPTIONS`` holds the HiGHS options, as ``(name, value)`` pairs in the form of
``SolveOptions.highs``, that the solve passes before the caller's own ``SolveOptions.highs`` (which override
them). An option goes in only where the set showed it helps; none has yet, so it is empty and every solve uses
HiGHS's defaults (with ``random_seed`` 0, which ``solve_model`` sets, and HiGHS's own thread count unless
``SolveOptions.threads`` is given; the benchmark runs with one thread).

Measured 2026-12-02 on the project machine (2 logical CPUs, load 7-12 from other work; HiGHS 1.16.0, threads 1,
CPU seconds of the solving process, budget 12 s): on the 15-minute day with 10 jobs and 4 gensets every instance
of the set that is not solved at once spends its whole budget in the root node's cut rounds (0 nodes), so the
options that act after the root change nothing there:

=============================  ========================  =========================  ===========================
option                         d15_10j4g s to 1e-3       d15_rl gap at 12 s         dc48 s to 1e-4
=============================  ========================  =========================  ===========================
defaults                       9.06                      6.2e-3                     1.76
mip_heuristic_effort = 0.3     8.52                      6.2e-3                     1.55
mip_allow_restart = false      9.00                      6.2e-3                     1.78
mip_pool_soft_limit = 2000     8.80                      7.1e-3                     1.51
=============================  ========================  =========================  ===========================

Repeated runs of one setting differ by 10-15% on this machine (dc48 with the defaults: 1.18-1.76 s), so none
of these differences is a gain.
"""
from __future__ import annotations

#: HiGHS options every solve passes (before ``SolveOptions.highs``); see the module docstring for why it is empty.
DEFAULT_HIGHS_OPTIONS: tuple[tuple[str, object], ...] = ()
