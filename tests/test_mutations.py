"""A seeded mutation suite: hundreds of broken variants of the examples, each refused cleanly or solved.

Every mutation is one change to ``instances/small`` (solved: ``energyopt solve``) or ``instances/texas_summer_day``
(validated: ``energyopt validate``), drawn with a fixed seed from these categories: a number out of range or of the
wrong type, a date-time that is not one, a key removed or misspelt, a series path that cannot be read (NUL byte,
too long, a folder, a FIFO, a symlink loop, missing), a series file with a row removed, a text cell, a duplicate
or an empty cell, an array nested thousands deep, a duplicate id, and the instance file itself a FIFO, /dev/zero or
a folder. Each must end with a documented exit code (0 solved, 3 bad input, 4 infeasible, 5 time limit), never a
traceback, and a refusal (3) writes nothing. The whole suite runs in-process in well under a minute.
"""
from __future__ import annotations

import copy
import os
import random
import shutil
import signal
import tomllib
from pathlib import Path

import pytest
import tomli_w
from click.testing import CliRunner

from energyopt.cli import app

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "instances" / "small"
TEXAS = ROOT / "instances" / "texas_summer_day"
SEED = 20261202
ALLOWED = {0, 3, 4, 5}
TIMES = {"start", "issued", "end", "release", "deadline"}


def _leaves(node, path=()):
    """(path, value) of every scalar in the parsed TOML, through tables and lists of tables."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(node, list) and node and all(isinstance(x, dict) for x in node):
        for i, v in enumerate(node):
            yield from _leaves(v, (*path, i))
    else:
        yield path, node


def _set(doc, path, value):
    node = doc
    for p in path[:-1]:
        node = node[p]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value


_DELETE = object()
BAD_NUMBERS = [-1.0, 0.0, -1e308, 1e308, 1e18, float("inf"), float("nan"), "0.7", True, [], {}]
BAD_TIMES = [0, 1.5, "1.5", 1752555600, "tomorrow", "2025-13-45T00:00:00", True]


def _mutations(base: Path, count: int, rng: random.Random):
    """``count`` seeded mutations of the instance folder ``base``: (name, doc or None, series edit or None, kind)."""
    doc = tomllib.loads(next(base.glob("*.toml")).read_text(encoding="utf-8"))
    leaves = [(p, v) for p, v in _leaves(doc)]
    numbers = [p for p, v in leaves if isinstance(v, (int, float)) and not isinstance(v, bool) and p[-1] not in TIMES]
    times = [p for p, v in leaves if p[-1] in TIMES]
    files = [p for p, v in leaves if p[-1] == "file"]
    keys = [p for p, _ in leaves]
    out = []
    kinds = ["number", "number", "number", "time", "delete", "typo", "path", "csv", "nest", "id"]
    for k in range(count):
        kind = kinds[k % len(kinds)]
        d = copy.deepcopy(doc)
        series = None
        if kind == "number":
            p = rng.choice(numbers)
            _set(d, p, rng.choice(BAD_NUMBERS))
        elif kind == "time":
            p = rng.choice(times)
            _set(d, p, rng.choice(BAD_TIMES))
        elif kind == "delete":
            p = rng.choice(keys)
            _set(d, p, _DELETE)
        elif kind == "typo":
            p = rng.choice(keys)
            _set(d, (*p[:-1], str(p[-1]) + "x"), 1.0)
        elif kind == "path":
            p = rng.choice(files)
            _set(d, p, rng.choice(["series.csv\u0000x", "a/" * 3000 + "s.csv", ".", "fifo.csv", "loop.csv",
                                   "missing.csv", "folder"]))
        elif kind == "csv":
            series = rng.choice(["drop_row", "text_cell", "duplicate_row", "empty_cell", "no_header"])
        elif kind == "nest":
            p = rng.choice(keys)
            _set(d, p, "NESTED")
        elif kind == "id":
            ids = [p for p in keys if p[-1] == "id"]
            if ids:
                p = rng.choice(ids)
                _set(d, p, rng.choice(["", "1abc", "a b", "x" * 60, "G1", "J1", "chat", "N1"]))
        out.append((f"{kind}-{k}", d, series))
    return out


def _write(folder: Path, base: Path, doc: dict, series: str | None, rng: random.Random) -> Path:
    folder.mkdir(parents=True)
    for f in base.iterdir():
        if f.is_file() and f.suffix != ".toml":
            shutil.copy(f, folder / f.name)
    (folder / "folder").mkdir()
    os.mkfifo(folder / "fifo.csv")
    os.symlink(folder / "loop.csv", folder / "loop.csv")
    text = tomli_w.dumps(doc)
    text = text.replace('"NESTED"', "[" * 5000 + "]" * 5000)
    path = folder / "instance.toml"
    path.write_text(text, encoding="utf-8")
    if series is not None:
        csv = next(f for f in sorted(folder.glob("*.csv")) if f.name not in ("fifo.csv", "loop.csv"))
        lines = csv.read_text(encoding="utf-8").splitlines()
        k = rng.randrange(1, len(lines))
        if series == "drop_row":
            del lines[k]
        elif series == "text_cell":
            cells = lines[k].split(",")
            cells[rng.randrange(1, len(cells))] = "abc"
            lines[k] = ",".join(cells)
        elif series == "duplicate_row":
            lines.insert(k, lines[k])
        elif series == "empty_cell":
            cells = lines[k].split(",")
            cells[rng.randrange(1, len(cells))] = ""
            lines[k] = ",".join(cells)
        elif series == "no_header":
            del lines[0]
        csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class _Hang(BaseException):   # not an Exception: no handler in the code under test may swallow it
    pass


def _alarm(*_):
    raise _Hang()


def _run(args: list[str]):
    """The CLI in-process, with a 20 s guard so that a hang fails the test instead of stalling it."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, 20, 1)   # then every second, should a first interruption be retried
    try:
        return CliRunner().invoke(app, args, catch_exceptions=True)
    except _Hang:
        pytest.fail(f"energyopt {' '.join(args)} hung")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _judge(name: str, result, out: Path | None) -> str | None:
    """Why the outcome breaks the rules, or None."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"{name}: {type(result.exception).__name__}: {result.exception}"
    if "Traceback" in (result.output or ""):
        return f"{name}: a traceback reached the screen"
    if result.exit_code not in ALLOWED:
        return f"{name}: exit {result.exit_code}: {(result.output or '').strip()[-300:]}"
    if result.exit_code == 3 and out is not None and out.exists():
        return f"{name}: refused (exit 3) but wrote {out}"
    return None


@pytest.mark.parametrize("base, count, command", [(SMALL, 260, "solve"), (TEXAS, 60, "validate")],
                         ids=["small-solve", "texas-validate"])
def test_seeded_mutations_end_cleanly(tmp_path, base, count, command):
    rng = random.Random(SEED + count)
    problems, codes = [], {}
    for name, doc, series in _mutations(base, count, rng):
        path = _write(tmp_path / name, base, doc, series, rng)
        out = tmp_path / name / "out"
        args = [command, str(path)] + (["--out", str(out), "-q", "--time-limit", "20"] if command == "solve" else [])
        result = _run(args)
        codes[result.exit_code] = codes.get(result.exit_code, 0) + 1
        why = _judge(name, result, out if command == "solve" else None)
        if why:
            problems.append(why)
    assert not problems, f"{len(problems)} of {count} mutations ended badly ({codes}):\n" + "\n".join(problems[:40])
    assert codes.get(3, 0) > count // 2, codes   # most mutations are bad input, and are refused as such


@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "folder"])
def test_the_instance_file_must_be_a_regular_file(tmp_path, kind):
    if kind == "fifo":
        path = tmp_path / "instance.toml"
        os.mkfifo(path)
    elif kind == "dev_zero":
        path = Path("/dev/zero")
    else:
        path = tmp_path / "instance.toml"
        path.mkdir()
    result = _run(["validate", str(path)])
    assert "Traceback" not in result.output and not (result.exception and not isinstance(result.exception, SystemExit))
    # A folder is refused by the command line itself (exit 2, "is a directory"); a FIFO or a device by the loader.
    assert result.exit_code == (2 if kind == "folder" else 3), result.output
    assert ("directory" if kind == "folder" else "not a regular file") in result.output
