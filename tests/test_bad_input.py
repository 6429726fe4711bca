"""Bad instances through ``energyopt.load_instance``: every problem named by field path (and, for series
files, by file and CSV line number), and all problems reported in one InstanceError.

Each case starts from a copy of instances/small and changes ONE thing. The CSV of small is::

    line 1  timestamp,price_usd_per_mwh,carbon_kg_per_mwh,outdoor_temp_c,chat_mw
    line 2  2025-07-15T12:00:00-05:00,...
    line 3  2025-07-15T13:00:00-05:00,...
    line 4  2025-07-15T14:00:00-05:00,...
    line 5  2025-07-15T15:00:00-05:00,...
    line 6  2025-07-15T16:00:00-05:00,...
    line 7  2025-07-15T17:00:00-05:00,...

so ``lines[k]`` (0-based list of lines) is file line ``k + 1``.
"""
from __future__ import annotations

import pytest

from energyopt import InstanceError, load_instance
from energyopt.inputs import Problem

GEN = "generators[0] (G1)"
PRICE = "grid.price_usd_per_mwh"
TEMP = "cooling.outdoor_temp_c"


def problems_of(path) -> list[Problem]:
    with pytest.raises(InstanceError) as info:
        load_instance(path)
    problems = info.value.problems
    assert problems, "an InstanceError must carry at least one problem"
    assert all(isinstance(p, Problem) for p in problems)
    return problems


def only(problems: list[Problem], field: str) -> Problem:
    hits = [p for p in problems if p.field == field]
    assert len(hits) == 1, f"expected one problem on {field!r}, got {problems}"
    return hits[0]


def test_small_copy_is_valid(small):
    inst = load_instance(small.toml)
    assert inst.time.n_steps == 6


# -- keys -------------------------------------------------------------------------------------------

def test_missing_required_key(small):
    small.replace("capacity_mw = 2.5\n", "")
    problems = problems_of(small.toml)
    p = only(problems, f"{GEN}.capacity_mw")
    assert "required" in p.message
    assert p.file == "small.toml"
    assert len(problems) == 1


@pytest.mark.parametrize("typo, meant", [("capacity_mwh", "capacity_mw"), ("run_hour_left", "run_hours_left")])
def test_unknown_key_gets_did_you_mean(small, typo, meant):
    small.replace(f"{meant} = ", f"{typo} = ")
    problems = problems_of(small.toml)
    p = only(problems, f"{GEN}.{typo}")
    assert "unknown key" in p.message
    assert "did you mean" in p.message and repr(meant) in p.message
    # The renamed key is also missing under its real name, which is reported too.
    assert "required" in only(problems, f"{GEN}.{meant}").message


def test_unknown_key_in_a_series_table(small):
    small.replace('column = "chat_mw"', 'colum = "chat_mw"')
    p = only(problems_of(small.toml), "inference[0] (chat).demand_mw.colum")
    assert "did you mean 'column'" in p.message


def test_unknown_top_level_section(small):
    small.append("[batery]\nenergy_mwh = 4.0\npower_mw = 2.0")
    problems = problems_of(small.toml)
    p = only(problems, "batery")
    assert "unknown" in p.message and "did you mean 'battery'" in p.message
    assert len(problems) == 1


def test_unknown_top_level_key_lists_the_known_ones(small):
    # a top-level key must come before any table
    small.toml.write_text("colour = 'blue'\n" + small.toml.read_text(encoding="utf-8"), encoding="utf-8")
    p = only(problems_of(small.toml), "colour")
    assert "unknown key" in p.message and "horizon" in p.message


# -- signs and ranges -------------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, field, words", [
    ("capacity_mw = 2.5", "capacity_mw = -2.5", f"{GEN}.capacity_mw", ["greater than 0", "-2.5"]),
    ("min_served_fraction = 0.8", "min_served_fraction = 1.5", "inference[0] (chat).min_served_fraction",
     ["less than or equal to 1", "1.5"]),
    ("step_minutes = 60", "step_minutes = 7", "horizon.step_minutes", ["5, 15 or 60", "7"]),
    ("interconnection_mw = 20.0", "interconnection_mw = 0.0", "site.interconnection_mw", ["greater than 0"]),
    ("it_load_mw = 6.0", "it_load_mw = -1.0", "site.it_load_mw", ["outside the allowed range"]),
])
def test_value_out_of_range(small, old, new, field, words):
    small.replace(old, new)
    problems = problems_of(small.toml)
    p = only(problems, field)
    for w in words:
        assert w in p.message
    assert p.file == "small.toml"
    assert len(problems) == 1


def test_price_out_of_range_names_file_and_line(small):
    lines = small.lines()
    assert lines[3].startswith("2025-07-15T14:00:00-05:00,60.0,")
    lines[3] = lines[3].replace(",60.0,", ",-5000,")
    small.write_lines(lines)
    p = only(problems_of(small.toml), PRICE)
    assert p.file == "series.csv"
    assert p.row == 4  # lines[3] is file line 4 (header is line 1)
    assert "-5000" in p.message and "outside the allowed range" in p.message


# -- series shape -----------------------------------------------------------------------------------

def test_series_too_short(small):
    small.write_lines(small.lines()[:-1])  # drop 17:00: the file now ends at 17:00, the horizon at 18:00
    problems = problems_of(small.toml)
    # Every series read from the file is short; each is named with the file.
    for field in (PRICE, "grid.carbon_kg_per_mwh", TEMP, "inference[0] (chat).demand_mw"):
        p = only(problems, field)
        assert p.file == "series.csv"
        assert "too short" in p.message


def test_gap_names_the_row_after_it(small):
    lines = small.lines()
    del lines[3]  # drop 14:00; 15:00 moves up to file line 4 and follows 13:00 by two hours
    small.write_lines(lines)
    problems = problems_of(small.toml)
    p = problems[0]
    assert p.file == "series.csv"
    assert p.row == 4
    assert "spacing" in p.message or "gap" in p.message
    assert all(q.file == "series.csv" for q in problems)


def test_duplicate_timestamp_names_the_repeat(small):
    lines = small.lines()
    lines.insert(4, lines[3])  # 14:00 on line 4 and again on line 5
    small.write_lines(lines)
    p = problems_of(small.toml)[0]
    assert (p.file, p.row) == ("series.csv", 5)
    assert "duplicate" in p.message


def test_unsorted_timestamps_name_the_earlier_row(small):
    lines = small.lines()
    lines[2], lines[3] = lines[3], lines[2]  # line 3 is now 14:00, line 4 is 13:00 (earlier than line 3)
    small.write_lines(lines)
    p = problems_of(small.toml)[0]
    assert (p.file, p.row) == ("series.csv", 4)
    assert "not sorted" in p.message


def test_non_numeric_value_names_the_row(small):
    lines = small.lines()
    assert ",38.5," in lines[4]
    lines[4] = lines[4].replace(",38.5,", ",hot,")  # 15:00's temperature, file line 5
    small.write_lines(lines)
    problems = problems_of(small.toml)
    p = only(problems, TEMP)
    assert (p.file, p.row) == ("series.csv", 5)
    assert "non-numeric" in p.message
    assert len(problems) == 1  # the other columns of the file are fine


def test_unreadable_timestamp_names_the_row(small):
    lines = small.lines()
    lines[5] = lines[5].replace("2025-07-15T16:00", "2025-07-32T16:00")  # no 32 July; file line 6
    small.write_lines(lines)
    p = problems_of(small.toml)[0]
    assert (p.file, p.row) == ("series.csv", 6)
    assert "unreadable timestamp" in p.message and "2025-07-32" in p.message


def test_missing_column(small):
    small.replace('column = "chat_mw"', 'column = "chatt_mw"')
    p = only(problems_of(small.toml), "inference[0] (chat).demand_mw")
    assert p.file == "series.csv"
    assert "'chatt_mw'" in p.message and "chat_mw" in p.message


def test_row_numbers_are_file_lines_even_after_a_blank_line(small):
    lines = small.lines()
    lines[4] = lines[4].replace(",38.5,", ",hot,")  # 15:00, file line 5 ...
    lines.insert(2, "")  # ... and line 6 once a blank line follows 12:00
    small.write_lines(lines)
    p = only(problems_of(small.toml), TEMP)
    assert (p.file, p.row) == ("series.csv", 6)


# -- times and relations ----------------------------------------------------------------------------

def test_notice_ends_before_it_starts(small):
    small.replace('end = "2025-07-15T17:00:00"', 'end = "2025-07-15T14:00:00"')
    problems = problems_of(small.toml)
    p = only(problems, "notices[0] (N1).end")
    assert "before it starts" in p.message
    assert len(problems) == 1


def test_notice_issued_after_its_start(small):
    small.replace('issued = "2025-07-15T10:00:00"', 'issued = "2025-07-15T16:00:00"')
    problems = problems_of(small.toml)
    p = only(problems, "notices[0] (N1).issued")
    assert "after" in p.message
    assert len(problems) == 1


def test_training_deadline_before_release(small):
    small.replace('deadline = "2025-07-15T18:00:00"',
                  'release = "2025-07-15T16:00:00"\ndeadline = "2025-07-15T14:00:00"')
    problems = problems_of(small.toml)
    p = only(problems, "training_jobs[0] (J1).deadline")
    assert "deadline" in p.message and "release" in p.message
    assert len(problems) == 1


def test_unknown_timezone(small):
    small.replace('timezone = "America/Chicago"', 'timezone = "America/Chicagoo"')
    p = only(problems_of(small.toml), "horizon.timezone")
    assert "America/Chicagoo" in p.message and "timezone" in p.message


def test_duplicate_ids_across_components(small):
    small.replace('id = "J1"', 'id = "G1"')  # a training job named like the generator
    problems = problems_of(small.toml)
    assert len(problems) == 1
    p = problems[0]
    assert p.field.startswith("training_jobs[0]") and p.field.endswith(".id")
    assert "'G1'" in p.message and "generators[0]" in p.message


# -- files ------------------------------------------------------------------------------------------

def test_missing_series_file(small):
    small.replace('outdoor_temp_c = { file = "series.csv" }', 'outdoor_temp_c = { file = "weather.csv" }')
    problems = problems_of(small.toml)
    p = only(problems, TEMP)
    assert p.file == "weather.csv"
    assert "does not exist" in p.message
    assert len(problems) == 1


def test_missing_instance_file(tmp_path):
    path = tmp_path / "nowhere.toml"
    problems = problems_of(path)
    assert len(problems) == 1
    assert "does not exist" in problems[0].message
    assert problems[0].file is not None and problems[0].file.endswith("nowhere.toml")


def test_path_leaving_the_instance_folder(small):
    # The file exists where it points, so only leaving the folder can be the complaint.
    (small.folder.parent / "series.csv").write_text(small.csv.read_text(encoding="utf-8"), encoding="utf-8")
    small.replace('outdoor_temp_c = { file = "series.csv" }', 'outdoor_temp_c = { file = "../series.csv" }')
    p = only(problems_of(small.toml), TEMP)
    assert "leaves the instance's folder" in p.message
    assert p.file == "../series.csv"


def test_absolute_path(small):
    absolute = small.csv.resolve()  # exists: the complaint must be that it is absolute
    assert absolute.is_file()
    small.replace('outdoor_temp_c = { file = "series.csv" }', f'outdoor_temp_c = {{ file = "{absolute.as_posix()}" }}')
    p = only(problems_of(small.toml), TEMP)
    assert "absolute" in p.message


def test_invalid_toml_syntax(small):
    small.replace("capacity_mw = 2.5", "capacity_mw = = 2.5")
    problems = problems_of(small.toml)
    assert len(problems) == 1
    p = problems[0]
    assert "not valid TOML" in p.message
    assert "line 31" in p.message  # the line of `capacity_mw` in small.toml
    assert p.file.endswith("small.toml")


def test_list_section_written_as_a_single_table(small):
    small.replace("[[generators]]", "[generators]")
    p = only(problems_of(small.toml), "generators")
    assert "[[generators]]" in p.message


# -- unusable numbers -------------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, field", [
    ("startup_cost_usd = 50.0", "startup_cost_usd = inf", f"{GEN}.startup_cost_usd"),
    ("work_mwh = 18.0", "work_mwh = inf", "training_jobs[0] (J1).work_mwh"),
    ("shed_penalty_usd_per_mwh = 2000.0", "shed_penalty_usd_per_mwh = inf", "inference[0] (chat).shed_penalty_usd_per_mwh"),
])
def test_infinite_numbers_are_refused(small, old, new, field):
    small.replace(old, new)
    only(problems_of(small.toml), field)



# -- series written as a table ----------------------------------------------------------------------

@pytest.mark.parametrize("table, words", [
    ('{ value = 30.0, column = "price_usd_per_mwh" }', ["`column` goes only with `file`"]),
    ('{ value = 30.0, file = "series.csv" }', ["not both"]),
    ("{}", ["give a number"]),
])
def test_series_table_with_conflicting_keys_is_refused(small, table, words):
    small.replace('price_usd_per_mwh = { file = "series.csv" }', f"price_usd_per_mwh = {table}")
    problems = problems_of(small.toml)
    p = only(problems, PRICE)
    assert p.file == "small.toml"
    for w in words:
        assert w in p.message
    assert len(problems) == 1


@pytest.mark.parametrize("table, key, meant", [
    ('{ value = 30.0, colour = "x" }', "colour", "column"),
    ('{ file = "series.csv", vlaue = 3 }', "vlaue", "value"),
])
def test_series_table_with_an_unknown_key_is_refused(small, table, key, meant):
    small.replace('price_usd_per_mwh = { file = "series.csv" }', f"price_usd_per_mwh = {table}")
    p = only(problems_of(small.toml), f"{PRICE}.{key}")
    assert "unknown key" in p.message and repr(meant) in p.message


# -- TOML types: strings are not numbers, numbers are not booleans ------------------------------------

@pytest.mark.parametrize("old, new, field, expected", [
    ("min_served_fraction = 0.8", 'min_served_fraction = "0.8"', "inference[0] (chat).min_served_fraction",
     "expected a number"),
    ("capacity_mw = 2.5", 'capacity_mw = "2.5"', f"{GEN}.capacity_mw", "expected a number"),
    ("capacity_mw = 2.5", "capacity_mw = true", f"{GEN}.capacity_mw", "expected a number"),
    ("hours = 6", 'hours = "6"', "horizon.hours", "expected a number"),
    ("work_mwh = 18.0", 'work_mwh = 18.0\ncan_pause = "yes"', "training_jobs[0] (J1).can_pause",
     "expected a boolean"),
    ("work_mwh = 18.0", "work_mwh = 18.0\ncan_pause = 1", "training_jobs[0] (J1).can_pause", "expected a boolean"),
    ("step_minutes = 60", "step_minutes = 60.0", "horizon.step_minutes", "expected an integer"),
    ("hours = 6", 'days = "1"', "horizon.days", "expected an integer"),
    ("it_load_mw = 6.0", 'it_load_mw = { value = "6.0" }', "site.it_load_mw.value", "expected a number"),
    ("it_load_mw = 6.0", 'it_load_mw = "6.0"', "site.it_load_mw", "expected a number or a table"),
    ("work_mwh = 18.0", 'work_mwh = 18.0\nthroughput_curve = [["0.6", 0.8], [1.0, 1.0]]',
     "training_jobs[0] (J1).throughput_curve.0.0", "expected a number"),
])
def test_quoted_numbers_and_non_booleans_are_refused(small, old, new, field, expected):
    small.replace(old, new)
    problems = problems_of(small.toml)
    p = only(problems, field)
    assert expected in p.message, p.message
    assert p.file == "small.toml"
    if '"' in new:
        assert "the string" in p.message and "without quotes" in p.message
    assert len(problems) == 1


def test_integers_are_numbers_and_toml_datetimes_are_times(small):
    (small.replace("capacity_mw = 2.5", "capacity_mw = 2")
          .replace("it_load_mw = 6.0", "it_load_mw = 6")
          .replace('issued = "2025-07-15T10:00:00"', "issued = 2025-07-15T10:00:00")        # a TOML datetime
          .replace('start = "2025-07-15T15:00:00"', 'start = "2025-07-15T15:00:00-05:00"'))  # an ISO string
    inst = load_instance(small.toml)
    assert inst.generators[0].capacity_mw == 2.0 and isinstance(inst.generators[0].capacity_mw, float)
    assert list(inst.site.it_load_mw.values) == [6.0] * 6
    assert inst.notices[0].issued.hour == 10 and inst.notices[0].start.hour == 15


def test_every_number_and_boolean_field_is_strict():
    """A field added later as plain ``float`` would quietly accept "0.7" again."""
    import typing

    from pydantic import Strict

    from energyopt.inputs.instance import SECTION_MODELS, Instance
    from energyopt.inputs.schema import SeriesInput

    lax = []
    for model in [*SECTION_MODELS.values(), Instance, SeriesInput]:
        for name, info in model.model_fields.items():
            args = set(typing.get_args(info.annotation)) or {info.annotation}
            if args & {float, int, bool} and not any(isinstance(m, Strict) and m.strict for m in info.metadata):
                lax.append(f"{model.__name__}.{name}")
    assert lax == []

# -- all at once ------------------------------------------------------------------------------------

def test_four_independent_mistakes_reported_together(small):
    (small.replace("interconnection_mw = 20.0", "interconnection_mw = -20.0")          # [site]
          .replace("capacity_mw = 2.5\n", "")                                           # [[generators]]
          .replace("min_served_fraction = 0.8", "min_served_fraction = 1.5")           # [[inference]]
          .replace('end = "2025-07-15T17:00:00"', 'end = "2025-07-15T14:00:00"'))      # [[notices]]
    with pytest.raises(InstanceError) as info:
        load_instance(small.toml)
    fields = sorted(p.field for p in info.value.problems)
    assert fields == sorted(["site.interconnection_mw", f"{GEN}.capacity_mw",
                             "inference[0] (chat).min_served_fraction", "notices[0] (N1).end"])
    text = str(info.value)
    assert "4 problems" in text
    for f in fields:
        assert f in text


def test_toml_and_csv_mistakes_reported_together(small):
    small.replace("run_hours_left", "run_hour_left")
    lines = small.lines()
    lines.insert(4, lines[3])  # duplicate 14:00 on line 5
    small.write_lines(lines)
    problems = problems_of(small.toml)
    assert any(p.field == f"{GEN}.run_hour_left" for p in problems)
    assert any(p.file == "series.csv" and p.row == 5 and "duplicate" in p.message for p in problems)
