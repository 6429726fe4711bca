"""Files, paths, nesting and date-times that used to crash, hang or be misread (issue 13, findings 1-7 and 12).

Each case starts from a copy of instances/small and changes one thing; the CLI must exit 3 (bad input) at once
with a message naming the field and the file, print no traceback and write nothing. Cases that used to hang run
with a subprocess timeout, so a regression fails instead of hanging the suite.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from energyopt import InstanceError, load_instance
from energyopt.inputs.files import MAX_INSTANCE_BYTES, MAX_NESTING, MAX_SERIES_BYTES, size_text

PRICE = "grid.price_usd_per_mwh"
PRICE_LINE = 'price_usd_per_mwh = { file = "series.csv" }'
DOCS = Path(__file__).resolve().parents[1] / "docs" / "instance-format.md"


def refused(run_cli, toml, tmp_path, *needles, timeout=30, validate=True):
    """``validate`` (unless told not to) and ``solve`` both exit 3 at once, naming every needle; ``solve`` writes
    nothing."""
    if validate:
        proc = run_cli("validate", toml, timeout=timeout)
        assert proc.returncode == 3, (proc.returncode, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr + proc.stdout
        for needle in needles:
            assert needle in proc.stderr, (needle, proc.stderr)
    before = sorted(p.name for p in tmp_path.iterdir())
    out = tmp_path / "out"
    proc = run_cli("solve", toml, "--out", out, timeout=timeout)
    assert proc.returncode == 3, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    for needle in needles:
        assert needle in proc.stderr, (needle, proc.stderr)
    return proc.stderr


def price_from(small, rel: str) -> None:
    """The price series read from ``rel`` (a TOML basic string, escapes allowed)."""
    small.replace(PRICE_LINE, f'price_usd_per_mwh = {{ file = "{rel}" }}')


# -- 1, 2, 3: paths that used to raise ------------------------------------------------------------------

def test_nul_byte_in_series_path(run_cli, small, tmp_path):
    price_from(small, "series.csv\\u0000x")
    err = refused(run_cli, small.toml, tmp_path, PRICE, "NUL byte", "series.csv\\x00x")
    assert "\x00" not in err   # the byte itself is never printed


def test_series_path_thousands_of_folders_deep(run_cli, small, tmp_path):
    price_from(small, "a/" * 3000 + "series.csv")
    err = refused(run_cli, small.toml, tmp_path, PRICE, "too long for the file system")
    assert len(err) < 2000   # the 6,010-character path is shortened, not printed in full


def test_symlink_loop_as_series_file(run_cli, small, tmp_path):
    os.symlink("loop.csv", small.folder / "loop.csv")
    price_from(small, "loop.csv")
    refused(run_cli, small.toml, tmp_path, PRICE, "'loop.csv'", "symbolic link loop")


def test_two_link_loop_as_series_file(small):
    os.symlink("b.csv", small.folder / "a.csv")
    os.symlink("a.csv", small.folder / "b.csv")
    price_from(small, "a.csv")
    with pytest.raises(InstanceError) as info:
        load_instance(small.toml)
    [p] = [p for p in info.value.problems if p.field == PRICE]
    assert "symbolic link loop" in p.message and p.file == "a.csv"


# -- 4: nesting ---------------------------------------------------------------------------------------------

def test_array_nested_5000_deep(run_cli, tmp_path):
    toml = tmp_path / "deep.toml"
    toml.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    refused(run_cli, toml, tmp_path, "deep.toml", "nested too deeply")


def test_nesting_above_the_limit_inside_a_section(small):
    deep = "[" * (MAX_NESTING + 1) + "1" + "]" * (MAX_NESTING + 1)
    small.replace("min_up_hours = 1.0", f"min_up_hours = {deep}")
    with pytest.raises(InstanceError) as info:
        load_instance(small.toml)
    assert f"more than {MAX_NESTING} levels" in str(info.value)


# -- 5, 6: the instance file must be a regular file under the limit ---------------------------------------

def test_fifo_as_instance_is_refused_at_once(run_cli, tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    # Before the fix this blocked for ever on open(); the timeout makes a regression fail instead.
    refused(run_cli, fifo, tmp_path, "pipe.toml", "is a named pipe (FIFO), not a regular file", timeout=20)


def test_dev_zero_as_instance_is_refused(run_cli, tmp_path):
    refused(run_cli, "/dev/zero", tmp_path, "/dev/zero", "is a character device, not a regular file", timeout=20)
    link = tmp_path / "zero.toml"
    os.symlink("/dev/zero", link)
    refused(run_cli, link, tmp_path, "zero.toml", "character device", timeout=20)


def test_instance_over_the_size_limit(run_cli, tmp_path):
    big = tmp_path / "big.toml"
    with open(big, "wb") as f:   # sparse: no disk used, and it must be refused before it is read
        f.truncate(MAX_INSTANCE_BYTES + 1)
    refused(run_cli, big, tmp_path, "big.toml", f"over the limit of {size_text(MAX_INSTANCE_BYTES)}")


def test_instance_at_the_size_limit_is_read(tmp_path):
    toml = tmp_path / "padded.toml"
    text = (Path(__file__).resolve().parents[1] / "instances" / "small" / "small.toml").read_text(encoding="utf-8")
    toml.write_text(text + "#" * (MAX_INSTANCE_BYTES - len(text.encode()) - 1) + "\n", encoding="utf-8")
    assert toml.stat().st_size == MAX_INSTANCE_BYTES
    with pytest.raises(InstanceError) as info:   # read and parsed; only its series file is missing here
        load_instance(toml)
    assert "over the limit" not in str(info.value) and "series.csv" in str(info.value)


def test_series_file_over_the_size_limit(small):
    with open(small.folder / "huge.csv", "wb") as f:
        f.truncate(MAX_SERIES_BYTES + 1)
    price_from(small, "huge.csv")
    with pytest.raises(InstanceError) as info:
        load_instance(small.toml)
    [p] = [p for p in info.value.problems if p.field == PRICE]
    assert f"over the limit of {size_text(MAX_SERIES_BYTES)}" in p.message and p.file == "huge.csv"


def test_limits_are_documented():
    text = DOCS.read_text(encoding="utf-8")
    for n in (MAX_INSTANCE_BYTES, MAX_SERIES_BYTES):
        assert size_text(n) in text
    assert f"{MAX_NESTING} levels" in text


# -- 12: a series path that is not a regular file says what it is ------------------------------------------

def test_series_path_that_is_a_folder(run_cli, small, tmp_path):
    (small.folder / "prices").mkdir()
    price_from(small, "prices")
    err = refused(run_cli, small.toml, tmp_path, PRICE, "'prices' is a folder, not a regular file")
    assert "does not exist" not in err


def test_series_path_that_is_a_fifo(run_cli, small, tmp_path):
    os.mkfifo(small.folder / "prices.csv")
    price_from(small, "prices.csv")
    err = refused(run_cli, small.toml, tmp_path, PRICE, "'prices.csv' is a named pipe (FIFO), not a regular file",
                  timeout=20)
    assert "does not exist" not in err


def test_missing_series_file_still_does_not_exist(small):
    price_from(small, "nowhere.csv")
    with pytest.raises(InstanceError) as info:
        load_instance(small.toml)
    [p] = [p for p in info.value.problems if p.field == PRICE]
    assert p.message == "file 'nowhere.csv' does not exist"


def test_missing_instance_file(run_cli, tmp_path):
    proc = run_cli("validate", tmp_path / "nowhere.toml")
    assert proc.returncode == 3 and "does not exist" in proc.stderr and "Traceback" not in proc.stderr


# -- 7: date-time fields take only date-times ---------------------------------------------------------------

NOTICE = "notices[0] (N1)"
JOB = "training_jobs[0] (J1)"


@pytest.mark.parametrize("old, new, field, got", [
    ('issued = "2025-07-15T10:00:00"', "issued = 0", f"{NOTICE}.issued", "the number 0"),
    ('issued = "2025-07-15T10:00:00"', 'issued = "1.5"', f"{NOTICE}.issued", "the text '1.5'"),
    ('start = "2025-07-15T12:00:00"', "start = 1752555600", "horizon.start", "the number 1752555600"),
    ('end = "2025-07-15T17:00:00"', "end = 1752595200.0", f"{NOTICE}.end", "the number 1752595200.0"),
    ('deadline = "2025-07-15T18:00:00"', "deadline = 1752620400", f"{JOB}.deadline", "the number 1752620400"),
    ('deadline = "2025-07-15T18:00:00"', "deadline = true", f"{JOB}.deadline", "got true"),
    ('deadline = "2025-07-15T18:00:00"', 'deadline = "2025-07-15"', f"{JOB}.deadline", "the text '2025-07-15'"),
    ('deadline = "2025-07-15T18:00:00"', "deadline = 2025-07-15", f"{JOB}.deadline",
     "the date 2025-07-15 without a time of day"),
    ('deadline = "2025-07-15T18:00:00"', "deadline = 18:00:00", f"{JOB}.deadline", "the time 18:00:00 without a date"),
])
def test_date_time_fields_refuse_what_is_not_a_date_time(run_cli, small, tmp_path, old, new, field, got):
    small.replace(old, new)
    err = refused(run_cli, small.toml, tmp_path, f"{field} (small.toml): expected a date-time", got,
                  validate=new in ("issued = 0", 'issued = "1.5"', "start = 1752555600"))  # the three
    assert err.count("expected a date-time") == 1


def test_release_refuses_a_number(small):
    small.replace('deadline = "2025-07-15T18:00:00"', 'deadline = "2025-07-15T18:00:00"\nrelease = 0')
    with pytest.raises(InstanceError) as info:
        load_instance(small.toml)
    [p] = info.value.problems
    assert p.field == f"{JOB}.release" and "expected a date-time" in p.message and "the number 0" in p.message


@pytest.mark.parametrize("old, new", [
    ('issued = "2025-07-15T10:00:00"', "issued = 2025-07-15T10:00:00"),          # TOML local date-time
    ('issued = "2025-07-15T10:00:00"', "issued = 2025-07-15T10:00:00-05:00"),    # TOML offset date-time
    ('issued = "2025-07-15T10:00:00"', 'issued = "2025-07-15 10:00:00-05:00"'),  # ISO 8601 with a space
    ('issued = "2025-07-15T10:00:00"', 'issued = "2025-07-15T15:00:00Z"'),
    ('start = "2025-07-15T12:00:00"', 'start = "2025-07-15T12:00"'),
])
def test_date_times_in_every_form_still_accepted(small, old, new):
    small.replace(old, new)
    inst = load_instance(small.toml)
    assert str(inst.notices[0].issued.tz) == "America/Chicago"
    assert inst.notices[0].issued.hour == 10 and inst.time.start.hour == 12


def test_bad_date_time_text_is_still_named(small):
    small.replace('issued = "2025-07-15T10:00:00"', 'issued = "2025-07-15T25:00:00"')
    with pytest.raises(InstanceError) as info:
        load_instance(small.toml)
    [p] = info.value.problems
    assert p.field == f"{NOTICE}.issued" and "2025-07-15T25:00:00" in p.message
