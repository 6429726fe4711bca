"""Cases of a batch: instance files given one by one (or by glob), and sweeps that expand a base instance
over a grid of changes. A case carries its instance as text plus the bytes of every series file it names,
so any worker (a local process or a Dask worker on another machine) can solve it without the user's files,
and a hash of exactly that content plus the solver options says whether a finished case is still current.
"""
from __future__ import annotations

import copy
import glob
import hashlib
import itertools
import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import model_validator

from ..inputs.errors import InstanceError, Problem
from ..inputs.tomlfile import read_model
from ..inputs.schema import F, Section

FORMAT = 1
SAFE = re.compile(r"[^A-Za-z0-9._=+-]+")


@dataclass(frozen=True)
class Case:
    id: str
    source: str                      #: the instance (or sweep) file it came from
    toml: str                        #: the instance's TOML text, changes applied
    files: dict[str, bytes]          #: series files by the path the TOML names (relative to the instance)
    swept: dict[str, Any] = field(default_factory=dict)   #: axis name -> value of this case

    def input_hash(self, options: dict) -> str:
        """SHA-256 of the instance, its series and the solver options: equal hashes solve equal problems."""
        h = hashlib.sha256(f"energyopt-case-{FORMAT}\0".encode())
        h.update(self.toml.encode())
        for name in sorted(self.files):
            h.update(b"\0" + name.encode() + b"\0" + self.files[name])
        h.update(b"\0" + json.dumps(options, sort_keys=True).encode())
        return h.hexdigest()


# -- instance files -----------------------------------------------------------------------------------
def series_files(raw: dict) -> set[str]:
    """Every ``file`` a series field of the parsed instance names."""
    out: set[str] = set()

    def walk(v):
        if isinstance(v, dict):
            if isinstance(v.get("file"), str):
                out.add(v["file"])
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk(raw)
    return out


def _read_files(base: Path, names: set[str], where: str, problems: list[Problem]) -> dict[str, bytes]:
    files = {}
    for name in sorted(names):
        rel = Path(name)
        if rel.is_absolute() or ".." in rel.parts:
            problems.append(Problem("file", f"series file {name!r} is not inside the instance's folder (give a path "
                                    "relative to the instance, without '..')", where))
            continue
        p = (base / name)
        try:
            files[name] = p.read_bytes()
        except OSError as exc:
            problems.append(Problem("file", f"series file {name!r} cannot be read ({exc.strerror or exc})", where))
    return files


def instance_case(path: Path, problems: list[Problem]) -> Case | None:
    """A case from one instance file (id: the file's name without .toml, made unique by the caller)."""
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        problems.append(Problem("instance", f"cannot read it: {exc}", str(path)))
        return None
    return Case(id=_safe(path.stem), source=str(path), toml=text,
                files=_read_files(path.parent, series_files(raw), str(path), problems))


def expand_paths(patterns: list[str]) -> tuple[list[Path], list[Problem]]:
    """Instance files from paths and globs (``instances/**/*.toml``), in the order given, each once."""
    out, seen, problems = [], set(), []
    for pat in patterns:
        hits = sorted(glob.glob(pat, recursive=True)) if any(c in pat for c in "*?[") else [pat]
        if not hits or (len(hits) == 1 and not Path(hits[0]).is_file()):
            problems.append(Problem("instances", f"{pat!r} matches no file"))
        for h in hits:
            p = Path(h).resolve()
            if p.is_file() and p not in seen:
                seen.add(p)
                out.append(Path(h))
    return out, problems


# -- sweeps -------------------------------------------------------------------------------------------
class Axis(Section):
    path: str = F(desc="the field changed, by its documented path: `grid.price_usd_per_mwh`, "
                       "`notices[ercot-dr].reduction_fraction`, `training_jobs[*].deadline`, `generators[G1]` "
                       "(for `count`); `[id]` picks an item of a list by id, `[*]` every item")
    name: str | None = F(None, desc="short name in case ids and the summary table (default: the path's last part)")
    set: list[Any] | None = F(None, desc="values the field takes")
    scale: list[float] | None = F(None, desc="factors a number or a series field is multiplied by")
    shift_hours: list[float] | None = F(None, unit="h", desc="hours a time field is moved by")
    count: list[int] | None = F(None, desc="how many copies of a list item (a generator type) the case has; 0 removes it")

    @model_validator(mode="after")
    def _one(self) -> "Axis":
        given = [k for k in ("set", "scale", "shift_hours", "count") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of `set`, `scale`, `shift_hours` or `count`")
        if not getattr(self, given[0]):
            raise ValueError(f"`{given[0]}` needs at least one value")
        if self.count is not None and any(c < 0 for c in self.count):
            raise ValueError("`count` values must be >= 0")
        return self

    @property
    def op(self) -> str:
        return next(k for k in ("set", "scale", "shift_hours", "count") if getattr(self, k) is not None)

    @property
    def values(self) -> list[Any]:
        return list(getattr(self, self.op))

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        last = self.path.split(".")[-1]
        return re.sub(r"\[(.*)\]", r"-\1", last)


class Sweep(Section):
    base: str = F(desc="the base instance (TOML), relative to the sweep file")
    name: str | None = F(None, desc="prefix of every case id (default: the sweep file's name)")
    combine: str = F("grid", pattern="^(grid|zip)$", desc="`grid`: every combination of the axes' values; "
                                                         "`zip`: the i-th value of every axis together")
    axis: list[Axis] = F(desc="the changes, one table per axis (`[[axis]]`)")


def sweep_cases(path: Path, problems: list[Problem]) -> list[Case]:
    """Expand a sweep file into cases; every problem (file, axis, path) is collected."""
    try:
        sweep = read_model(path, Sweep, "sweep")
    except InstanceError as exc:
        problems += exc.problems
        return []
    base = path.parent / sweep.base
    try:
        base_raw = tomllib.loads(base.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        problems.append(Problem("base", f"cannot read {sweep.base}: {exc}", str(path)))
        return []
    if sweep.combine == "zip" and len({len(a.values) for a in sweep.axis}) > 1:
        problems.append(Problem("axis", "with combine = \"zip\" every axis needs the same number of values",
                                str(path)))
        return []
    combos = (zip(*[a.values for a in sweep.axis]) if sweep.combine == "zip"
              else itertools.product(*[a.values for a in sweep.axis]))
    prefix = _safe(sweep.name or path.stem)
    cases = []
    for combo in combos:
        raw = copy.deepcopy(base_raw)
        ok = True
        for i, (axis, v) in enumerate(zip(sweep.axis, combo)):
            err = apply_change(raw, axis, v)
            if err:
                problems.append(Problem(f"axis[{i}] ({axis.path})", err, str(path)))
                ok = False
        if not ok:
            break   # the same path fails for every combination: report it once
        swept = {a.label: v for a, v in zip(sweep.axis, combo)}
        cid = prefix + "__" + "__".join(f"{_safe(k)}={_fmt(a, v)}" for (k, v), a in zip(swept.items(), sweep.axis))
        cases.append(Case(id=cid, source=str(path), toml=tomli_w.dumps(raw),
                          files=_read_files(base.parent, series_files(raw), str(path), problems), swept=swept))
    return cases


def apply_change(raw: dict, axis: Axis, value: Any) -> str | None:
    """Apply one axis value to the parsed instance; returns why it cannot be applied, or None."""
    parts = axis.path.split(".")
    try:
        if axis.op == "count":
            return _count(raw, parts, int(value))
        targets = _resolve(raw, parts[:-1])
        key = parts[-1]
        if not targets:
            return "matches nothing in the base instance"
        for holder in targets:
            if axis.op == "set":
                holder[key] = value
            elif key not in holder:
                return f"the base instance has no `{key}` there to {axis.op.replace('_hours', '')}"
            elif axis.op == "scale":
                cur = holder[key]
                if isinstance(cur, dict):      # a series table: its `scale`
                    holder[key] = {**cur, "scale": cur.get("scale", 1.0) * float(value)}
                elif isinstance(cur, (int, float)) and not isinstance(cur, bool):
                    holder[key] = cur * float(value)
                else:
                    return f"`{key}` is not a number or a series"
            else:  # shift_hours
                cur = holder[key]
                t = cur if isinstance(cur, datetime) else datetime.fromisoformat(str(cur))
                holder[key] = (t + timedelta(hours=float(value))).isoformat()
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        return f"cannot be applied: {exc}"
    return None


def _resolve(raw: dict, parts: list[str]) -> list[dict]:
    """The tables a dotted path (with ``[id]`` / ``[*]`` list selectors) leads to."""
    nodes: list[Any] = [raw]
    for part in parts:
        m = re.fullmatch(r"(\w+)(?:\[(.+)\])?", part)
        if not m:
            raise ValueError(f"`{part}` is not a field name")
        name, sel = m.groups()
        nxt = []
        for node in nodes:
            if not isinstance(node, dict) or name not in node:
                continue
            v = node[name]
            if sel is None:
                nxt.append(v)
            elif isinstance(v, list):
                nxt += [x for x in v if sel == "*" or (isinstance(x, dict) and x.get("id") == sel)]
        nodes = nxt
    return [n for n in nodes if isinstance(n, dict)]


def _count(raw: dict, parts: list[str], n: int) -> str | None:
    m = re.fullmatch(r"(\w+)\[(.+)\]", parts[-1]) if len(parts) == 1 else None
    if m is None or m.group(2) == "*":
        return "`count` takes a list item by id, e.g. `generators[G1]`"
    section, item = m.groups()
    items = raw.get(section)
    if not isinstance(items, list):
        return f"the base instance has no list `{section}`"
    idx = [i for i, x in enumerate(items) if isinstance(x, dict) and x.get("id") == item]
    if not idx:
        return f"`{section}` has no item with id {item!r}"
    proto = items[idx[0]]
    copies = [{**copy.deepcopy(proto), "id": item if k == 0 else f"{item}-{k + 1}"} for k in range(n)]
    raw[section] = items[:idx[0]] + copies + items[idx[0] + 1:]
    return None


def _fmt(axis: Axis, v: Any) -> str:
    if axis.op == "scale":
        return f"x{v:g}"
    if axis.op == "shift_hours":
        return f"{v:+g}h"
    return _safe(f"{v:g}" if isinstance(v, float) else str(v))


def _safe(s: str) -> str:
    return SAFE.sub("-", s).strip("-") or "case"


def collect(instances: list[str], sweeps: list[str]) -> list[Case]:
    """Every case of a batch, ids unique; raises :class:`InstanceError` with every problem found."""
    problems: list[Problem] = []
    paths, more = expand_paths(instances)
    problems += more
    cases = [c for p in paths if (c := instance_case(p, problems)) is not None]
    for s in sweeps:
        cases += sweep_cases(Path(s), problems)
    if not cases and not problems:
        problems.append(Problem("batch", "no cases: give instance files, globs or --sweep files"))
    taken: set[str] = set()
    unique = []
    for c in cases:
        cid, n = c.id, 1
        while cid in taken:   # a suffix that no other case has (x, x-2 and a file called x-2 stay apart)
            n += 1
            cid = f"{c.id}-{n}"
        taken.add(cid)
        unique.append(c if cid == c.id else Case(cid, c.source, c.toml, c.files, c.swept))
    if problems:
        raise InstanceError(problems, "batch")
    return unique
