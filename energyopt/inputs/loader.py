"""Load an instance: TOML plus series files, every problem collected before anything is reported."""
from __future__ import annotations

import difflib
import tomllib
import zoneinfo
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from .errors import InstanceError, Problem
from .files import MAX_INSTANCE_BYTES, MAX_NESTING, nesting, read_bounded, shown
from .instance import LIST_SECTIONS, REQUIRED_SECTIONS, SECTION_MODELS, Instance
from .schema import Horizon, SeriesInput, toml_value
from .series import SeriesFile, align, read_series_file, safe_path, series_from_frame
from .timegrid import TimeGrid

TOP_LEVEL_SCALARS = {"format_version", "name"}
#: What a field of each strict type expects (pydantic's error type -> words for the message).
_EXPECTED = {"float_type": "a number", "int_type": "an integer", "bool_type": "a boolean (true or false)",
             "string_type": "a string"}


def load_instance(path: str | Path, patch: Callable[[dict[str, Any]], None] | None = None,
                  frames: Mapping[str, pd.DataFrame] | None = None) -> Instance:
    """Read and validate an instance file; raise :class:`InstanceError` listing every problem.

    ``patch`` may change the parsed TOML (a dict, as ``tomllib`` returns it) before it is validated, e.g. to
    add or cancel notices when re-planning; everything it changes is validated like the file itself. ``frames``
    stand for series files (see :func:`load_parsed`)."""
    path = Path(path)
    display = shown(path)
    data, problem = read_bounded(path, MAX_INSTANCE_BYTES)
    if problem:
        raise InstanceError([Problem("instance", f"the instance file {problem}", display)], display)
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InstanceError([Problem("instance", f"cannot read the file: {exc}", display)], display) from None
    except tomllib.TOMLDecodeError as exc:
        raise InstanceError([Problem("instance", f"not valid TOML: {exc}", display)], display) from None
    except RecursionError:
        raise InstanceError([Problem("instance", "tables or arrays nested too deeply to read (at most "
                                     f"{MAX_NESTING} levels)", display)], display) from None
    depth = nesting(raw)
    if depth > MAX_NESTING:
        raise InstanceError([Problem("instance", f"tables or arrays nested more than {MAX_NESTING} levels deep",
                                     display)], display)
    if patch is not None:
        patch(raw)
    return _Loader(path, raw, frames).run()


def load_parsed(raw: dict[str, Any], path: Path, frames: Mapping[str, pd.DataFrame]) -> Instance:
    """Validate ``raw`` (an instance as ``tomllib`` parses it) named ``path``, with ``frames`` as series files:
    a series field whose ``file`` is a key of ``frames`` reads that table (a ``timestamp`` column and value
    columns; its problems name data row ``i`` as ``row i``, from 0), with the same checks as a file; any other
    ``file`` is read beside ``path``."""
    return _Loader(path, raw, frames).run()


class _Loader:
    def __init__(self, path: Path, raw: dict[str, Any], frames: Mapping[str, pd.DataFrame] | None = None):
        self.path = path
        self.base = path.parent
        self.raw = raw
        self.frames = dict(frames or {})
        self.problems: list[Problem] = []
        self.files: dict[Path | str, SeriesFile | None] = {}
        self.labels: dict[str, list[str]] = {}   #: list section -> label of each valid item (``notices[2] (N3)``)

    def run(self) -> Instance:
        sections = self._validate_sections()
        grid = self._time_grid(sections.get("horizon"))
        if grid is not None:
            for name, value in sections.items():
                for label, obj in self._items(name, value):
                    self._resolve_series(label, obj, grid)
                    self._localize_times(label, obj, grid)
            self._cross_checks(sections, grid)
        self._unique_ids(sections)
        if self.problems:
            raise InstanceError(self.problems, str(self.path))
        inst = Instance(**{k: v for k, v in self.raw.items() if k in TOP_LEVEL_SCALARS}, **sections)
        inst._time = grid
        inst._source = self.path
        return inst

    # -- structure ---------------------------------------------------------------------------------
    def _validate_sections(self) -> dict[str, Any]:
        known = set(SECTION_MODELS) | TOP_LEVEL_SCALARS
        for key in self.raw:
            if key not in known:
                self._unknown("", key, known)
        for key in sorted(REQUIRED_SECTIONS - set(self.raw)):
            self.problems.append(Problem(key, f"required section [{key}] is missing"))
        for key in TOP_LEVEL_SCALARS & set(self.raw):
            try:
                Instance.__pydantic_validator__.validate_assignment(
                    Instance.model_construct(), key, self.raw[key])
            except ValidationError as exc:
                self._pydantic_problems("", exc)
        out: dict[str, Any] = {}
        for key, model in SECTION_MODELS.items():
            if key not in self.raw:
                continue
            value = self.raw[key]
            if key in LIST_SECTIONS:
                if not isinstance(value, list):
                    self.problems.append(Problem(key, f"must be a list of tables ([[{key}]])"))
                    continue
                items, labels = [], []
                for i, item in enumerate(value):
                    label = f"{key}[{i}]" + (f" ({item['id']})" if isinstance(item, dict) and "id" in item else "")
                    ok = self._validate(model, item, label)
                    if ok is not None:
                        items.append(ok)
                        labels.append(label)   # its place in the file, even when an item before it is invalid
                out[key] = items
                self.labels[key] = labels
            else:
                ok = self._validate(model, value, key)
                if ok is not None:
                    out[key] = ok
        return out

    def _validate(self, model: type[BaseModel], data: Any, label: str) -> BaseModel | None:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            self._pydantic_problems(label, exc, model)
            return None

    def _pydantic_problems(self, label: str, exc: ValidationError, model: type[BaseModel] | None = None):
        for err in exc.errors():
            loc = [str(x) for x in err["loc"] if not str(x).startswith("function-after")]
            field = ".".join(filter(None, [label, *loc]))
            if err["type"] == "extra_forbidden" and model is not None:
                owner = _model_at(model, err["loc"][:-1])
                self._unknown(".".join(filter(None, [label, *loc[:-1]])), loc[-1],
                              set(owner.model_fields) if owner else set())
                continue
            if err["type"] == "missing":
                msg = "required key is missing"
            elif err["type"] in _EXPECTED and "input" in err:
                msg = f"expected {_EXPECTED[err['type']]}, got {toml_value(err['input'])}"
            else:
                msg = err["msg"].removeprefix("Value error, ")
                if err["type"] not in ("value_error", "model_type") and "input" in err:
                    msg += f" (got {err['input']!r})"
            self.problems.append(Problem(field, msg, self.path.name))

    def _unknown(self, where: str, key: str, known: set[str]):
        hint = difflib.get_close_matches(key, sorted(known), n=1)
        more = f"; did you mean {hint[0]!r}?" if hint else f"; known keys: {', '.join(sorted(known))}"
        self.problems.append(Problem(".".join(filter(None, [where, key])), f"unknown key{more}", self.path.name))

    def _items(self, name: str, value: Any):
        if isinstance(value, list):
            yield from zip(self.labels[name], value)
        else:
            yield name, value

    # -- time --------------------------------------------------------------------------------------
    def _time_grid(self, horizon: Horizon | None) -> TimeGrid | None:
        if horizon is None:
            return None
        if horizon.timezone is not None:
            try:
                zoneinfo.ZoneInfo(horizon.timezone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                self.problems.append(Problem("horizon.timezone", f"unknown timezone {horizon.timezone!r}",
                                             self.path.name))
                return None
        start = pd.Timestamp(horizon.start)
        tz = horizon.timezone or start.tz
        try:
            start = start.tz_localize(tz, nonexistent="raise", ambiguous="raise") if start.tz is None \
                else start.tz_convert(tz)
        except Exception as exc:  # noqa: BLE001
            self.problems.append(Problem("horizon.start", f"{start} is not a valid local time in {tz}: {exc}",
                                         self.path.name))
            return None
        end = start + (pd.DateOffset(days=horizon.days) if horizon.days else pd.Timedelta(hours=horizon.hours))
        minutes = (end - start) / pd.Timedelta(minutes=1)
        n = minutes / horizon.step_minutes
        if abs(n - round(n)) > 1e-9:
            self.problems.append(Problem("horizon.hours", f"{minutes / 60:g} h is not a whole number of "
                                         f"{horizon.step_minutes}-minute steps", self.path.name))
            return None
        if start.minute % horizon.step_minutes or start.second or start.microsecond:
            self.problems.append(Problem("horizon.start", f"{start} is not on a {horizon.step_minutes}-minute "
                                         "boundary", self.path.name))
            return None
        return TimeGrid(start=start, step_minutes=horizon.step_minutes, n_steps=int(round(n)))

    def _localize_times(self, label: str, obj: BaseModel, grid: TimeGrid):
        for name in type(obj).model_fields:
            value = getattr(obj, name)
            if isinstance(value, datetime):
                ts = pd.Timestamp(value)
                try:
                    ts = ts.tz_localize(grid.start.tz, ambiguous="raise", nonexistent="raise") if ts.tz is None \
                        else ts.tz_convert(grid.start.tz)
                except Exception:  # noqa: BLE001
                    self.problems.append(Problem(f"{label}.{name}", f"{value} is ambiguous or does not exist in "
                                                 f"{grid.start.tz}; give a UTC offset", self.path.name))
                    continue
                setattr(obj, name, ts)

    # -- series ------------------------------------------------------------------------------------
    def _resolve_series(self, label: str, obj: BaseModel, grid: TimeGrid):
        for name, info in type(obj).model_fields.items():
            value = getattr(obj, name)
            field = f"{label}.{name}"
            if isinstance(value, BaseModel) and not isinstance(value, SeriesInput):
                self._resolve_series(field, value, grid)
            if not isinstance(value, SeriesInput):
                continue
            rng = (info.json_schema_extra or {}).get("series_range")
            if value.value is not None:
                v = value.value * value.scale
                if rng and not rng[0] <= v <= rng[1]:
                    self.problems.append(Problem(field, f"{v:g} is outside the allowed range "
                                                 f"[{rng[0]:g}, {rng[1]:g}]", self.path.name))
                    continue
                value._values = pd.Series(v, index=range(grid.n_steps)).to_numpy(dtype=float)
                continue
            if value.file in self.frames:
                full = value.file
                if full not in self.files:
                    sf, problems = series_from_frame(self.frames[full], full, str(grid.start.tz), field, 0)
                    self.problems += problems
                    self.files[full] = sf if not problems else None
            else:
                full, problem = safe_path(self.base, value.file, field)
                if problem:
                    self.problems.append(problem)
                    continue
            if full not in self.files:
                sf, problems = read_series_file(full, value.file, str(grid.start.tz), field)
                self.problems += problems
                self.files[full] = sf if not problems else None
            sf = self.files[full]
            if sf is None:
                continue
            scaled = value.scale != 1.0
            values, problems = align(sf, value.column or name, grid, field, tuple(rng) if rng and not scaled else None)
            self.problems += problems
            if values is not None and scaled:
                values = values * value.scale
                bad = np.flatnonzero((values < rng[0]) | (values > rng[1])) if rng else []
                if len(bad):
                    self.problems.append(Problem(field, f"scaled by {value.scale:g}, {len(bad)} value(s) leave the "
                                                 f"allowed range [{rng[0]:g}, {rng[1]:g}] (first at "
                                                 f"{grid.index[bad[0]]})", value.file))
            value._values = values

    # -- relations ---------------------------------------------------------------------------------
    def _cross_checks(self, s: dict[str, Any], grid: TimeGrid):
        name = self.path.name
        for label, n in zip(self.labels.get("notices", []), s.get("notices", [])):
            if not all(isinstance(t, pd.Timestamp) for t in (n.issued, n.start, n.end)):
                continue
            if n.end <= n.start:
                self.problems.append(Problem(f"{label}.end", f"the notice ends ({n.end}) before it starts "
                                             f"({n.start})", name))
            elif n.end <= grid.start or n.start >= grid.end:
                self.problems.append(Problem(f"{label}.start", f"the window {n.start} to {n.end} lies outside "
                                             f"the horizon {grid.start} to {grid.end}", name))
            if n.issued > n.start:
                self.problems.append(Problem(f"{label}.issued", f"issued ({n.issued}) after its window starts "
                                             f"({n.start})", name))
        for label, j in zip(self.labels.get("training_jobs", []), s.get("training_jobs", [])):
            rel = j.release if j.release is not None else grid.start
            dl = j.deadline if j.deadline is not None else grid.end
            if not all(isinstance(t, pd.Timestamp) for t in (rel, dl)):
                continue
            if dl <= rel:
                self.problems.append(Problem(f"{label}.deadline", f"the deadline ({dl}) is not after the release "
                                             f"({rel})", name))
            elif dl > grid.end:
                self.problems.append(Problem(f"{label}.deadline", f"the deadline ({dl}) is after the horizon's end "
                                             f"({grid.end}); extend the horizon or give the work due by its end",
                                             name))
            elif rel < grid.start:
                self.problems.append(Problem(f"{label}.release", f"the release ({rel}) is before the horizon's "
                                             f"start ({grid.start})", name))
            elif not grid.steps_within(rel, dl):
                self.problems.append(Problem(f"{label}.release", f"no whole {grid.step_minutes}-minute step lies "
                                             f"between release {rel} and deadline {dl}", name))
            if j.min_power_fraction < j.throughput_curve[0][0] - 1e-9:
                self.problems.append(Problem(f"{label}.throughput_curve", f"starts at power fraction "
                                             f"{j.throughput_curve[0][0]:g}, above min_power_fraction "
                                             f"{j.min_power_fraction:g}; the curve must cover every allowed cap",
                                             name))

        notices = [n for n in s.get("notices", []) if all(isinstance(t, pd.Timestamp) for t in (n.start, n.end))]
        first_covered = any(grid.overlap_fraction(n.start, n.end)[0] > 0 for n in notices) if grid.n_steps else True
        for label, g in zip(self.labels.get("generators", []), s.get("generators", [])):
            sd, p0 = g.shutdown_ramp_fraction, g.initial_output_mw
            if (g.dispatch == "notice_only" and g.initial_on and not first_covered and sd is not None
                    and p0 is not None and p0 > sd * g.capacity_mw + 1e-9):
                self.problems.append(Problem(f"{label}.initial_output_mw", f"{p0:g} MW at the start, but the unit "
                                             "is notice-only and no notice covers the first step, so it must stop "
                                             f"there, and its shut-down ramp allows at most {sd * g.capacity_mw:g} MW "
                                             "before a stop (shutdown_ramp_fraction)", name))

    def _unique_ids(self, s: dict[str, Any]):
        seen: dict[str, str] = {}
        for key in sorted(LIST_SECTIONS):
            for label, obj in zip(self.labels.get(key, []), s.get(key, [])):
                if obj.id in seen:
                    self.problems.append(Problem(f"{label}.id", f"id {obj.id!r} is already used by "
                                                 f"{seen[obj.id]}", self.path.name))
                else:
                    seen[obj.id] = label.split(" ")[0]


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class that owns the field at ``loc`` (for suggesting a key after a typo)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(str(part)) if hasattr(current, "model_fields") else None
        if field is None:
            return current if hasattr(current, "model_fields") else None
        ann = field.annotation
        for cand in getattr(ann, "__args__", (ann,)):
            if isinstance(cand, type) and issubclass(cand, BaseModel):
                current = cand
                break
    return current
