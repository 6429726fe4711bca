"""The batch's summary table, rebuilt from the case folders every time (so it can never disagree with them):
one row per case with its swept values, status, objective and breakdown, emissions, generator hours, shed
energy, unfinished work, gap, solve time and error. Written as summary.csv and summary.parquet, atomically."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..atomic import write_file
from .cases import Case

CASE_FILE = "case.json"   # written by runner.write_case



def case_row(folder: Path, case: Case) -> dict:
    row: dict = {"id": case.id, "source": case.source}
    row.update({f"swept.{k}": v for k, v in case.swept.items()})
    try:
        meta = json.loads((folder / CASE_FILE).read_text(encoding="utf-8"))
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        row.update({"status": "missing", "error": f"{folder} holds no finished case"})
        return row
    row.update({"status": meta.get("status"), "objective_usd": summary.get("objective_usd")})
    for k, v in (summary.get("cost_breakdown_usd") or {}).items():
        row[f"cost.{k}_usd"] = v
    gens = summary.get("generator_run_hours") or {}
    row.update({"co2_t": summary.get("co2_t"), "nox_kg": summary.get("nox_kg"),
                "generator_hours": sum(v.get("hours", 0.0) for v in gens.values()) if gens else None})
    row.update({f"hours.{g}": v.get("hours") for g, v in gens.items()})
    jobs = summary.get("jobs") or {}
    row.update({"inference_shed_mwh": summary.get("inference_shed_mwh"),
                "unfinished_mwh": sum(v.get("unfinished_mwh", 0.0) for v in jobs.values()) if jobs else None,
                "mip_gap": summary.get("mip_gap"), "solve_seconds": summary.get("solve_seconds"),
                "case_seconds": meta.get("seconds"), "error": meta.get("error"),
                "input_hash": meta.get("input_hash")})
    return row


def write_table(out_dir: Path, cases: list[Case]) -> list[dict]:
    rows = [case_row(out_dir / "cases" / c.id, c) for c in cases]
    frame = pd.DataFrame(rows)
    swept = [c for c in frame.columns if c.startswith("swept.")]
    first = ["id", "source", *swept, "status", "objective_usd"]
    frame = frame[[c for c in first if c in frame.columns] + [c for c in frame.columns if c not in first]]
    write_file(out_dir / "summary.csv", lambda p: frame.to_csv(p, index=False))
    pq = frame.copy()
    for c in pq.columns[pq.dtypes == object]:   # mixed swept values (numbers and text) as text
        pq[c] = pq[c].map(lambda v: None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
    write_file(out_dir / "summary.parquet", lambda p: pq.to_parquet(p, index=False))
    return rows

