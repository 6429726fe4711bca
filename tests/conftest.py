"""Shared fixtures: a private copy of ``instances/small`` and a runner for the real CLI."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "instances" / "small"

if str(ROOT) not in sys.path:  # the package is not installed; import it from the checkout
    sys.path.insert(0, str(ROOT))


class SmallCopy:
    """A copy of ``instances/small`` in tmp_path, with helpers to change one thing in it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.toml = folder / "small.toml"
        self.csv = folder / "series.csv"

    def replace(self, old: str, new: str) -> "SmallCopy":
        """Replace exactly one occurrence of ``old`` in the TOML (fails loudly if the text drifted)."""
        text = self.toml.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"expected exactly one {old!r} in small.toml"
        self.toml.write_text(text.replace(old, new), encoding="utf-8")
        return self

    def append(self, extra: str) -> "SmallCopy":
        self.toml.write_text(self.toml.read_text(encoding="utf-8") + "\n" + extra + "\n", encoding="utf-8")
        return self

    def lines(self) -> list[str]:
        """The CSV's lines; ``lines()[0]`` is the header (file line 1), ``lines()[k]`` is file line k+1."""
        return self.csv.read_text(encoding="utf-8").splitlines()

    def write_lines(self, lines: list[str]) -> "SmallCopy":
        self.csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return self


@pytest.fixture
def small(tmp_path: Path) -> SmallCopy:
    """A fresh copy of instances/small (folder ``tmp_path/small``)."""
    dest = tmp_path / "small"
    shutil.copytree(SMALL, dest)
    return SmallCopy(dest)


@pytest.fixture
def small_toml(small: SmallCopy) -> Path:
    """Path of the copied small.toml."""
    return small.toml


@pytest.fixture
def run_cli(tmp_path: Path):
    """Run the CLI in a subprocess: ``run_cli("solve", path, "--out", out)``.

    ``module=True`` runs ``python -m energyopt.cli`` (from the checkout) instead of ``python cli.py``;
    ``cwd`` defaults to tmp_path.
    """

    def run(*args, module: bool = False, cwd: Path | None = None, timeout: float = 120):
        if module:
            cmd = [sys.executable, "-m", "energyopt.cli"]
            cwd = cwd or ROOT  # the package is importable from the checkout's root
        else:
            cmd = [sys.executable, str(ROOT / "cli.py")]
            cwd = cwd or tmp_path
        return subprocess.run([*cmd, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                              timeout=timeout)

    return run
