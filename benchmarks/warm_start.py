"""Re-plans with and without a warm start from the previous plan (issue 15): HiGHS seconds, its work (nodes,
simplex iterations), and its first schedule (seconds, objective) for each, cold and warm in turn.

    python benchmarks/warm_start.py PREVIOUS_DIR NOW --notice START END CAP_MW [--gap 1e-4] [--runs 2]

PREVIOUS_DIR is a result folder of `energyopt solve`; the notice (issued at NOW) is added to the re-plan.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time

import pandas as pd

from energyopt.ops.replan import replan
from energyopt.solver import SolveOptions


def one(prev: str, now: str, notice: dict, gap: float, warm: bool) -> dict:
    t0 = time.perf_counter()
    r, _ = replan(prev, now, add_notices=[notice] if notice else [], response_minutes=30,
                  options=SolveOptions(mip_rel_gap=gap), warm_start=warm)
    s = r.summary
    return {"warm": warm, "status": s["status"], "objective_usd": s.get("objective_usd"), "mip_gap": s.get("mip_gap"),
            "highs_s": s["timings_s"]["highs"], "build_s": s["timings_s"]["build"],
            "total_s": time.perf_counter() - t0, "start_columns": s["solver"]["start_columns"],
            "first_schedule_s": s["solver"]["first_schedule_s"], "first_schedule_usd": s["solver"]["first_schedule_usd"],
            "nodes": s["solver"]["nodes"], "lp_iterations": s["solver"]["lp_iterations"]}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("previous")
    ap.add_argument("now")
    ap.add_argument("--notice", nargs=3, metavar=("START", "END", "CAP_MW"))
    ap.add_argument("--gap", type=float, default=1e-4)
    ap.add_argument("--runs", type=int, default=2)
    a = ap.parse_args(argv)
    notice = None
    if a.notice:
        notice = {"id": "N-replan", "issued": pd.Timestamp(a.now).to_pydatetime(),
                  "start": pd.Timestamp(a.notice[0]).to_pydatetime(), "end": pd.Timestamp(a.notice[1]).to_pydatetime(),
                  "cap_mw": float(a.notice[2])}
    rows = [one(a.previous, a.now, notice, a.gap, warm) for _ in range(a.runs) for warm in (False, True)]
    for r in rows:
        print(json.dumps(r))
    for warm in (False, True):
        mine = [r for r in rows if r["warm"] is warm]
        print(f"{'warm' if warm else 'cold'}: HiGHS median {statistics.median(r['highs_s'] for r in mine):.2f} s, "
              f"total median {statistics.median(r['total_s'] for r in mine):.2f} s, nodes {mine[0]['nodes']}, "
              f"LP iterations {mine[0]['lp_iterations']}, first schedule {mine[0]['first_schedule_s']} s "
              f"${mine[0]['first_schedule_usd']}, objective ${mine[0]['objective_usd']}")


if __name__ == "__main__":
    main()
