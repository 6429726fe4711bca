"""Read what a report shows: a ``solve``/``replan`` result folder (summary.json + steps.csv, and a re-plan's
diff.txt) or a ``batch`` folder (summary.csv + cases/). Everything is checked before anything is drawn, and
every problem of a folder is named in one message (:class:`ReportInputError`, exit 16)."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import ReportInputError

#: The result format this report reads (``energyopt.results.extract.FORMAT_VERSION``; not imported from
#: there, which would import Pyomo). A test keeps the two equal.
FORMAT_VERSION = 1
PLAN_FORMAT = 1   #: plan.json's format_version this energyopt reads (results/plan.py writes it)
#: Exit code of ``energyopt report`` when RESULT_DIR is not a result, is of a newer format or lacks files.
EXIT_NOT_A_RESULT = ReportInputError.exit_code
#: Statuses that come with a schedule (steps.csv); others have a summary with their diagnosis only.
SCHEDULE_STATUSES = ("optimal", "time_limit_feasible")
#: Summary keys a result with a schedule must have for the report to draw it.
SCHEDULE_KEYS = ("horizon", "cost_breakdown_usd", "generator_run_hours", "jobs", "curtailment")
#: steps.csv columns every schedule has (energyopt/results/extract.py).
STEP_COLUMNS = ("timestamp", "price_usd_per_mwh", "import_cap_mw", "grid_import_mw", "it_load_mw",
                "facility_load_mw")
BATCH_COLUMNS = ("id", "status", "objective_usd")


@dataclass
class ResultData:
    folder: Path
    summary: dict
    steps: pd.DataFrame | None      # None when the status has no schedule (infeasible, ...)
    diff: str | None = None         # a re-plan's diff.txt
    tz_label: str = ""              # "UTC-05:00": the fixed offset every time is shown in
    offset: pd.Timedelta = pd.Timedelta(0)
    step: pd.Timedelta = pd.Timedelta(hours=1)

    @property
    def kind(self) -> str:
        return "replan" if isinstance(self.summary.get("replan"), dict) else "solve"

    @property
    def has_schedule(self) -> bool:
        return self.steps is not None

    def ids(self, key: str) -> list[str]:
        """Ids of the summary's ``generator_run_hours`` / ``jobs`` / ``inference`` entries, in order."""
        value = self.summary.get(key) or {}
        return list(value) if isinstance(value, dict) else []


@dataclass
class BatchData:
    folder: Path
    table: pd.DataFrame
    swept: list[str] = field(default_factory=list)   # the swept.<axis> columns


def read_folder(folder: str | Path) -> ResultData | BatchData | PlanData:
    """The result or batch in ``folder``; raises :class:`ReportInputError` naming the folder and the problem."""
    folder = Path(folder)
    if not folder.exists():
        raise ReportInputError(f"{folder} does not exist")
    if not folder.is_dir():
        raise ReportInputError(f"{folder} is not a folder; give a result folder (summary.json + steps.csv) "
                               "or a batch folder (summary.csv + cases/)")
    if (folder / "summary.json").exists():
        return read_result(folder)
    if (folder / "plan.json").exists():
        return read_plan(folder)
    if (folder / "summary.csv").exists() or (folder / "cases").is_dir():
        return read_batch(folder)
    raise ReportInputError(
        f"{folder} is not an energyopt result: it has no summary.json (a solve or replan result, written by "
        "`energyopt solve --out`) and no summary.csv with cases/ (a batch, written by `energyopt batch --out`)")


@dataclass
class PlanData:
    folder: Path
    plan: dict
    scenarios: pd.DataFrame
    counts: pd.DataFrame | None
    days: pd.DataFrame | None = None   #: event_days.csv (each scenario's worst event day), if the plan has it


#: event_days.csv columns the report draws from (results/plan_days.py writes them).
EVENT_DAY_COLUMNS = ("scenario", "day", "timestamp", "notices", "import_cap_mw", "grid_import_mw",
                     "facility_load_mw")


def read_plan(folder: Path) -> PlanData:
    try:
        plan = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportInputError(f"{folder}/plan.json cannot be read as JSON ({exc})") from None
    if not isinstance(plan, dict) or plan.get("kind") != "plan":
        raise ReportInputError(f"{folder}/plan.json is not an energyopt plan")
    if not isinstance(plan.get("format_version"), int) or plan["format_version"] > PLAN_FORMAT:
        raise ReportInputError(f"{folder}/plan.json has format_version {plan.get('format_version')!r}; this "
                               f"energyopt reads plans up to version {PLAN_FORMAT} (a newer energyopt wrote it)")
    missing = [k for k in ("sizes", "annual_cost_usd", "scenarios") if k not in plan]
    if missing or not (folder / "scenarios.csv").is_file():
        raise ReportInputError(f"{folder} is not a whole plan result: missing "
                               f"{', '.join(missing + ([] if (folder / 'scenarios.csv').is_file() else ['scenarios.csv']))}")
    counts = pd.read_csv(folder / "count_table.csv") if (folder / "count_table.csv").is_file() else None
    return PlanData(folder, plan, pd.read_csv(folder / "scenarios.csv"), counts, _read_days(folder))


def _read_days(folder: Path) -> pd.DataFrame | None:
    path = folder / "event_days.csv"
    if not path.is_file():
        return None
    try:
        days = pd.read_csv(path, dtype={"scenario": str, "day": str, "notices": str})
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ReportInputError(f"{folder}: cannot read event_days.csv ({exc})") from None
    missing = [c for c in EVENT_DAY_COLUMNS if c not in days.columns]
    if "notices" in days:
        days["notices"] = days["notices"].fillna("")
    bad = [c for c in days.columns if c not in ("scenario", "day", "timestamp", "notices")
           and not pd.api.types.is_numeric_dtype(days[c])]
    if missing or bad:
        raise ReportInputError(f"{folder}/event_days.csv is not an event-day table: "
                               + "; ".join(([f"lacks column(s) {', '.join(missing)}"] if missing else [])
                                           + ([f"column(s) {', '.join(bad)} hold values that are not numbers"]
                                              if bad else [])))
    return days


def read_result(folder: Path) -> ResultData:
    summary = _read_summary(folder / "summary.json")
    status = summary["status"]
    diff_path = folder / "diff.txt"
    diff = _read_text(diff_path) if diff_path.exists() else None
    if status not in SCHEDULE_STATUSES:
        return ResultData(folder, summary, None, diff)
    problems = [f"summary.json lacks {k}" for k in SCHEDULE_KEYS if k not in summary]
    problems += [f"summary.json's {k} is not an object" for k in ("horizon", "cost_breakdown_usd",
                 "generator_run_hours", "jobs") if k in summary and not isinstance(summary[k], dict)]
    problems += [f"summary.json's {k}.{i} is not an object" for k in ("generator_run_hours", "jobs", "inference")
                 if isinstance(summary.get(k), dict) for i, v in summary[k].items() if not isinstance(v, dict)]
    if "curtailment" in summary and not isinstance(summary["curtailment"], list):
        problems.append("summary.json's curtailment is not a list")
    steps_path = folder / "steps.csv"
    steps = None
    if not steps_path.is_file():
        problems.append(f"steps.csv is missing (a {status} result has one)")
    else:
        try:
            steps = pd.read_csv(steps_path)
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            problems.append(f"cannot read steps.csv: {exc}")
    if steps is not None and not problems:
        problems += _step_problems(summary, steps)
    if problems:
        raise ReportInputError(f"{folder} is not a complete energyopt result: " + "; ".join(problems))
    data = ResultData(folder, summary, steps, diff)
    _add_times(data)
    return data


def _read_summary(path: Path) -> dict:
    folder = path.parent
    try:
        summary = json.loads(_read_text(path))
    except ValueError as exc:
        raise ReportInputError(f"{folder} is not an energyopt result: {path.name} is not JSON ({exc})") from exc
    if not isinstance(summary, dict):
        raise ReportInputError(f"{folder} is not an energyopt result: {path.name} holds a JSON "
                               f"{type(summary).__name__}, not an object")
    missing = [k for k in ("format_version", "status") if k not in summary]
    if missing:
        raise ReportInputError(f"{folder} is not an energyopt result: {path.name} lacks {', '.join(missing)}")
    version = summary["format_version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ReportInputError(f"{folder} is not an energyopt result: {path.name} has format_version "
                               f"{version!r} (expected {FORMAT_VERSION})")
    if version > FORMAT_VERSION:
        raise ReportInputError(f"{folder} was written by a newer energyopt: {path.name} has format_version "
                               f"{version}, this version reads format {FORMAT_VERSION}; upgrade energyopt")
    if not isinstance(summary["status"], str):
        raise ReportInputError(f"{folder} is not an energyopt result: {path.name}'s status is not text")
    return summary


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportInputError(f"{path.parent}: cannot read {path.name}: {exc}") from exc


def _step_problems(summary: dict, steps: pd.DataFrame) -> list[str]:
    """Columns the summary implies that steps.csv lacks, a wrong row count, values that are not numbers."""
    need = list(STEP_COLUMNS)
    need += [f"generator.{g}.{c}" for g in summary["generator_run_hours"] for c in ("on", "output_mw")]
    need += [f"job.{j}.power_mw" for j in summary["jobs"]]
    inference = summary.get("inference") if isinstance(summary.get("inference"), dict) else {}
    need += [f"inference.{s}.{c}" for s in inference for c in ("demand_mw", "served_mw", "shed_mw")]
    problems = []
    missing = [c for c in need if c not in steps.columns]
    if missing:
        more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
        problems.append(f"steps.csv lacks column(s) {', '.join(missing[:8])}{more}")
    n = summary["horizon"].get("n_steps")
    if isinstance(n, int) and len(steps) != n:
        problems.append(f"steps.csv has {len(steps)} rows, the horizon {n} steps")
    if len(steps) == 0:
        problems.append("steps.csv has no rows")
    bad = [c for c in steps.columns if c != "timestamp" and not pd.api.types.is_numeric_dtype(steps[c])]
    if bad:
        problems.append(f"steps.csv column(s) {', '.join(bad[:5])} hold values that are not numbers")
    if "timestamp" in steps.columns and not problems:
        try:
            pd.to_datetime(steps["timestamp"], utc=True, format="ISO8601")
        except (ValueError, TypeError) as exc:
            problems.append(f"steps.csv timestamps are not ISO 8601 times ({exc})")
    return problems


def _add_times(data: ResultData) -> None:
    """Step starts as wall-clock times at the fixed UTC offset of the first step (``steps["t"]``, monotonic
    even across a daylight-saving change); ``data.local`` converts the summary's ISO times the same way."""
    utc = pd.to_datetime(data.steps["timestamp"], utc=True, format="ISO8601")
    first = pd.Timestamp(str(data.steps["timestamp"].iloc[0]))
    offset = first.utcoffset() if first.tzinfo is not None else pd.Timedelta(0)
    data.offset = offset
    minutes = int(offset.total_seconds() // 60)
    data.tz_label = _utc_label(minutes)
    last = pd.Timestamp(str(data.steps["timestamp"].iloc[-1]))
    if last.tzinfo is not None and last.utcoffset() != offset:   # a daylight-saving change in the horizon
        data.tz_label += (f", the offset at the start; local clocks change to "
                          f"{_utc_label(int(last.utcoffset().total_seconds() // 60))} during the horizon")
    data.steps["t"] = (utc.dt.tz_localize(None) + offset).to_numpy()
    step = data.summary["horizon"].get("step_minutes")
    if not isinstance(step, (int, float)) or step <= 0:
        diffs = data.steps["t"].diff().dropna()
        step = diffs.iloc[0].total_seconds() / 60 if len(diffs) else 60
    data.step = pd.Timedelta(minutes=float(step))


def _utc_label(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def local_time(data: ResultData, iso: str | None):
    """An ISO time of the summary (any offset) at the report's fixed offset, or None."""
    if not iso:
        return None
    try:
        ts = pd.Timestamp(iso)
    except (ValueError, TypeError):
        return None
    if ts.tzinfo is None:
        return ts
    return ts.tz_convert("UTC").tz_localize(None) + data.offset


def read_batch(folder: Path) -> BatchData:
    problems = []
    if not (folder / "summary.csv").is_file():
        problems.append("summary.csv is missing")
    if not (folder / "cases").is_dir():
        problems.append("cases/ is missing")
    if problems:
        raise ReportInputError(f"{folder} is not a complete energyopt batch (summary.csv and cases/): "
                               + "; ".join(problems))
    try:
        table = pd.read_csv(folder / "summary.csv")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ReportInputError(f"{folder} is not an energyopt batch: cannot read summary.csv ({exc})") from exc
    missing = [c for c in BATCH_COLUMNS if c not in table.columns]
    if missing:
        raise ReportInputError(f"{folder} is not an energyopt batch: summary.csv lacks column(s) "
                               f"{', '.join(missing)}")
    table["objective_usd"] = pd.to_numeric(table["objective_usd"], errors="coerce")
    return BatchData(folder, table, [c for c in table.columns if c.startswith("swept.")])


def finite(x) -> float | None:
    """``x`` as a float, or None if it is missing or not a finite number."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None
