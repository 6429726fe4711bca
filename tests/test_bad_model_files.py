"""Plan, simulation and sweep files are read as instances are: a regular file of bounded size and nesting, every
problem exit 3 with a message (issue 13's findings 4-6 and 12, for the other TOML files a user gives)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from energyopt.inputs import InstanceError
from energyopt.inputs.plan import PlanFile
from energyopt.inputs.tomlfile import check_files_exist, read_model

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("kind, words", [("fifo", "named pipe (FIFO)"), ("folder", "a folder"),
                                         ("dev_zero", "character device"), ("nested", "nested"),
                                         ("missing", "does not exist")])
def test_a_plan_file_that_cannot_be_read_is_refused_by_what_it_is(tmp_path, kind, words):
    path = tmp_path / "plan.toml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "dev_zero":
        path = Path("/dev/zero")
    elif kind == "nested":
        path.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(InstanceError) as info:
        read_model(path, PlanFile, "plan")
    assert words in str(info.value)


def test_a_named_file_that_is_a_fifo_says_so(tmp_path):
    os.mkfifo(tmp_path / "prices.csv")
    (tmp_path / "folder").mkdir()
    with pytest.raises(InstanceError) as info:
        check_files_exist(tmp_path / "plan.toml", [("series", "prices.csv"), ("weather", "folder")])
    text = str(info.value)
    assert "named pipe (FIFO)" in text and "a folder" in text


def test_cli_plan_on_a_fifo_exits_3_at_once(tmp_path):
    os.mkfifo(tmp_path / "plan.toml")
    p = subprocess.run([sys.executable, str(ROOT / "cli.py"), "plan", str(tmp_path / "plan.toml"), "--out",
                        str(tmp_path / "out")], capture_output=True, text=True, timeout=60)
    assert p.returncode == 3, p.stderr
    assert "Traceback" not in p.stderr and "named pipe" in p.stderr
    assert not (tmp_path / "out").exists()
