"""Curtailment events (energyopt.ops.events): the seeded draw, its rules and statistics, daylight saving,
the CSV reader's fault report, the selectors, and that docs/events.md matches the code.

Times are compared in UTC here, as in the module: two datetimes that share a tzinfo compare by wall clock.
"""
from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from energyopt.inputs import InstanceError, load_instance
from energyopt.inputs.schema import Notice
from energyopt.ops.events import (CSV_COLUMNS, MAX_TRIES, EventSpec, draw_notices, expected_count, known_at,
                                  notices_in, read_notices)

ROOT = Path(__file__).resolve().parents[1]
TZ_NAME = "America/Chicago"
TZ = ZoneInfo(TZ_NAME)
UTC = timezone.utc
KEYS_REDUCTION = ["id", "issued", "start", "end", "reduction_fraction", "baseline_mw"]
KEYS_CAP = ["id", "issued", "start", "end", "cap_mw"]


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def year(y: int) -> tuple[datetime, datetime]:
    return local(y, 1, 1), local(y + 1, 1, 1)


def utc(t: datetime) -> datetime:
    return t.astimezone(UTC)


def minutes(a: datetime, b: datetime) -> float:
    """Elapsed minutes from a to b (in UTC: same-tzinfo subtraction would use the wall clock)."""
    return (utc(b) - utc(a)).total_seconds() / 60


def assert_follows(spec: EventSpec, notices: list[dict], start: datetime, end: datetime, baseline=None):
    """Every rule a drawn list must keep, for any spec."""
    lo_tod, hi_tod = spec.start_hours
    kmin, kmax = spec.duration_steps()
    ids = [n["id"] for n in notices]
    assert len(set(ids)) == len(ids)
    for n in notices:
        assert list(n) == (KEYS_CAP if spec.cap_mw is not None else KEYS_REDUCTION)
        for key in ("issued", "start", "end"):
            assert n[key].tzinfo is TZ, f"{key} not in the site's timezone"
        s, e = n["start"], n["end"]
        assert utc(start) <= utc(s) < utc(e) <= utc(end), "window outside the period"
        assert s.month in spec.months
        assert not spec.weekdays_only or s.weekday() < 5
        tod = s.hour + s.minute / 60
        assert lo_tod <= tod < hi_tod
        for t in (s, e):
            assert (t.hour * 60 + t.minute) % spec.step_minutes == 0 and t.second == t.microsecond == 0
        dur = minutes(s, e)
        assert dur % spec.step_minutes == 0 and kmin <= dur / spec.step_minutes <= kmax
        assert spec.duration_hours[0] * 60 <= dur <= spec.duration_hours[1] * 60
        lead = minutes(n["issued"], s)
        assert lead == int(lead) and spec.lead_minutes[0] <= lead <= spec.lead_minutes[1]
        if spec.cap_mw is not None:
            assert spec.cap_mw[0] <= n["cap_mw"] <= spec.cap_mw[1]
        else:
            assert spec.reduction_fraction[0] <= n["reduction_fraction"] <= spec.reduction_fraction[1]
            assert n["baseline_mw"] == baseline
        assert re.fullmatch(r"N\d{4}-\d{2}-\d{2}-\d{4}(-\d+)?", n["id"])
        assert n["id"].startswith(f"N{s:%Y-%m-%d-%H%M}")
        Notice.model_validate(n)
    starts = [utc(n["start"]) for n in notices]
    assert starts == sorted(starts)
    for a, b in zip(notices, notices[1:]):
        assert utc(a["end"]) <= utc(b["start"]), f"{a['id']} overlaps {b['id']}"


# -- EventSpec ---------------------------------------------------------------------------------------

def test_spec_defaults_are_the_documented_ones():
    s = EventSpec()
    assert (s.events_per_year, s.months, s.start_hours, s.duration_hours) == (9.0, (6, 7, 8, 9), (13, 19), (1, 4))
    assert (s.reduction_fraction, s.cap_mw, s.lead_minutes) == ((0.5, 0.5), None, (30, 120))
    assert (s.weekdays_only, s.step_minutes, s.seed) == (False, 15, 0)
    with pytest.raises(ValidationError):
        s.seed = 3  # frozen


def test_spec_number_is_a_range_and_cap_replaces_the_default_reduction():
    s = EventSpec(duration_hours=2, cap_mw=40)
    assert s.duration_hours == (2, 2) and s.cap_mw == (40, 40) and s.reduction_fraction is None
    assert EventSpec(months=[9, 6]).months == (6, 9)


@pytest.mark.parametrize("kw, field", [
    ({"months": (13,)}, "months"), ({"months": (0, 6)}, "months"), ({"months": ()}, "months"),
    ({"months": (6, 6)}, "months"),
    ({"duration_hours": (4, 1)}, "duration_hours"), ({"duration_hours": 0}, "duration_hours"),
    ({"duration_hours": 25}, "duration_hours"), ({"duration_hours": (0.05, 0.1)}, "duration_hours"),
    ({"lead_minutes": (5, 60)}, "lead_minutes"), ({"lead_minutes": (30, 4321)}, "lead_minutes"),
    ({"lead_minutes": (120, 30)}, "lead_minutes"),
    ({"start_hours": (19, 13)}, "start_hours"), ({"start_hours": (13, 25)}, "start_hours"),
    ({"start_hours": (15, 15)}, "start_hours"), ({"start_hours": (13.1, 13.2)}, "start_hours"),
    ({"reduction_fraction": 0}, "reduction_fraction"), ({"reduction_fraction": 1.2}, "reduction_fraction"),
    ({"reduction_fraction": (0.6, 0.4)}, "reduction_fraction"),
    ({"cap_mw": -1}, "cap_mw"), ({"cap_mw": (30, 20)}, "cap_mw"),
    ({"cap_mw": 20, "reduction_fraction": 0.5}, "cap_mw"), ({"reduction_fraction": None}, "cap_mw"),
    ({"events_per_year": -1}, "events_per_year"), ({"events_per_year": 400}, "events_per_year"),
    ({"step_minutes": 7}, "step_minutes"), ({"step_minutes": 0}, "step_minutes"),
    ({"seed": -1}, "seed"), ({"weekday_only": True}, "weekday_only"),
])
def test_spec_refuses_bad_values_naming_the_field(kw, field):
    with pytest.raises(ValidationError) as info:
        EventSpec(**kw)
    assert field in str(info.value)


# -- the draw ----------------------------------------------------------------------------------------

def test_same_seed_same_notices_other_seed_other_notices():
    a = draw_notices(EventSpec(seed=7), *year(2025), TZ_NAME, 100.0)
    b = draw_notices(EventSpec(seed=7), *year(2025), ZoneInfo(TZ_NAME), 100.0)
    c = draw_notices(EventSpec(seed=8), *year(2025), TZ_NAME, 100.0)
    assert a and a == b
    assert a != c


@pytest.mark.parametrize("lam", [9.0, 60.0])
def test_mean_count_over_2000_years_is_events_per_year(lam):
    """Each calendar year's count is Poisson with mean lam = events_per_year (the period covers all of the
    year's allowed days), so the mean of n = 2000 independent years has standard error sqrt(lam / n): 0.067 at
    the default 9, 0.17 at 60. The tolerance is 4 standard errors: a correct draw fails with probability 6e-5
    (normal approximation, fine at n * lam >= 18,000 events). A rule that dropped clashing events instead of
    placing them again would lose 0.2 a year at 9 (within tolerance) but 8 a year at 60 (far outside).
    Dispersion: a Poisson count's variance equals its mean; the sample variance of n counts has standard
    error sqrt(2 lam^2 / (n - 1) + lam / n) (0.29 at 9, 1.9 at 60) and must lie within 4 of those of lam."""
    counts = np.array([len(draw_notices(EventSpec(seed=s, events_per_year=lam), *year(2025), TZ, 100.0))
                       for s in range(2000)])
    n = len(counts)
    assert abs(counts.mean() - lam) <= 4 * math.sqrt(lam / n)
    assert abs(counts.var(ddof=1) - lam) <= 4 * math.sqrt(2 * lam**2 / (n - 1) + lam / n)


def test_mean_count_over_part_of_the_season():
    """June and July are 61 of the 122 allowed days: lam = 9 x 61/122 = 4.5; 4 SE = 4 sqrt(4.5 / 2000)."""
    start, end = local(2025, 6, 1), local(2025, 8, 1)
    assert expected_count(EventSpec(), start, end, TZ) == pytest.approx(4.5)
    counts = [len(draw_notices(EventSpec(seed=s), start, end, TZ, 100.0)) for s in range(2000)]
    assert abs(np.mean(counts) - 4.5) <= 4 * math.sqrt(4.5 / 2000)


def test_expected_count_rule():
    spec = EventSpec()
    assert expected_count(spec, *year(2025), TZ) == pytest.approx(9.0)
    assert expected_count(spec, local(2025, 1, 1), local(2025, 6, 1), TZ) == 0
    assert expected_count(spec, local(2025, 7, 14), local(2025, 7, 15), TZ) == pytest.approx(9 / 122)
    # from 15:00 on 14 July: 16 of that day's 24 start slots (13:00-18:45 every 15 min), then all of 15 July
    assert expected_count(spec, local(2025, 7, 14, 15), local(2025, 7, 16), TZ) == pytest.approx(
        9 * (16 / 24 + 1) / 122)
    # weekdays only: 2025 has 87 weekdays in June-September, 2026 has 88; across the new year both count
    wd = EventSpec(weekdays_only=True, months=tuple(range(1, 13)))
    assert expected_count(wd, local(2025, 12, 31), local(2026, 1, 2), TZ) == pytest.approx(9 / 261 + 9 / 261)
    assert expected_count(EventSpec(weekdays_only=True), *year(2026), TZ) == pytest.approx(9.0)
    # UTC inputs are read in the site's timezone: 14 July local is 05:00Z to 05:00Z
    assert expected_count(spec, datetime(2025, 7, 14, 5, tzinfo=UTC), datetime(2025, 7, 15, 5, tzinfo=UTC),
                          TZ) == pytest.approx(9 / 122)


@pytest.mark.parametrize("spec, baseline", [
    (EventSpec(), 100.0),
    (EventSpec(events_per_year=40, months=(7, 8), weekdays_only=True, start_hours=(14, 18), duration_hours=(0.5, 6),
               lead_minutes=(10, 4320), step_minutes=30, cap_mw=(10, 40)), None),
    (EventSpec(events_per_year=120, months=tuple(range(1, 13)), start_hours=(0, 24), duration_hours=(0.25, 10),
               reduction_fraction=(0.2, 1.0), step_minutes=5, lead_minutes=(10, 60)), 250.0),
])
def test_windows_keep_every_rule(spec, baseline):
    for seed in range(30):
        s = spec.model_copy(update={"seed": seed})
        notices = draw_notices(s, *year(2025), TZ, baseline)
        assert_follows(s, notices, *year(2025), baseline)


@pytest.mark.filterwarnings("ignore:.*found no free place")  # crowded on purpose
def test_windows_stay_inside_a_period_that_starts_and_ends_mid_afternoon():
    start, end = local(2025, 7, 1, 15, 10), local(2025, 7, 20, 16)
    spec = EventSpec(events_per_year=300, duration_hours=(1, 4))
    for seed in range(20):
        notices = draw_notices(spec.model_copy(update={"seed": seed}), start, end, TZ, 50.0)
        assert_follows(spec, notices, start, end, 50.0)


def test_clashes_are_placed_again_and_dropped_only_without_room():
    """One allowed day where every window (13:00-13:45 start, 4 h) overlaps every other: one notice fits."""
    spec = EventSpec(events_per_year=366, months=(7,), start_hours=(13, 14), duration_hours=4)
    assert expected_count(spec, local(2025, 7, 14), local(2025, 7, 15), TZ) == pytest.approx(366 / 31)
    with pytest.warns(UserWarning, match=f"after {MAX_TRIES} tries"):
        notices = draw_notices(spec, local(2025, 7, 14), local(2025, 7, 15), TZ, 100.0)
    assert len(notices) == 1


def test_draw_arguments_are_checked():
    with pytest.raises(ValueError, match="timezone-aware"):
        draw_notices(EventSpec(), datetime(2025, 1, 1), datetime(2026, 1, 1), TZ, 100.0)
    with pytest.raises(ValueError, match="after start"):
        draw_notices(EventSpec(), local(2025, 7, 2), local(2025, 7, 1), TZ, 100.0)
    with pytest.raises(ValueError, match="baseline_mw"):
        draw_notices(EventSpec(), *year(2025), TZ)
    with pytest.raises(ValueError, match="unknown timezone"):
        draw_notices(EventSpec(), *year(2025), "America/Chicagoo", 100.0)
    assert draw_notices(EventSpec(cap_mw=30), *year(2025), TZ)  # no baseline needed with a cap


def test_generated_notices_validate_against_the_instance_schema():
    for spec, base in [(EventSpec(reduction_fraction=(0.3, 0.8), seed=3), 120.0), (EventSpec(cap_mw=(0, 60)), None)]:
        notices = draw_notices(spec, *year(2025), TZ, base)
        assert notices
        for n in notices:
            m = Notice.model_validate(n)
            if base is not None:
                assert m.import_cap_mw == pytest.approx(base * (1 - n["reduction_fraction"]))


# -- daylight saving ---------------------------------------------------------------------------------

DST = EventSpec(events_per_year=366, months=(3, 11), start_hours=(0, 24), duration_hours=(0.25, 3),
                lead_minutes=(10, 600))


@pytest.mark.parametrize("day, hours", [((2025, 3, 9), 23), ((2025, 11, 2), 25)])
def test_dst_days(day, hours):
    start, end = local(*day), local(*day) + timedelta(days=1)  # wall-clock arithmetic: next local midnight
    assert minutes(start, end) == hours * 60
    # a whole local day weighs one allowed day of 61 (March and November), whatever its length
    assert expected_count(DST, start, end, TZ) == pytest.approx(366 / 61)
    # until 09:00 UTC (04:00 CDT on 9 March, 03:00 CST on 2 November): on 9 March the slots 00:00-01:45 and
    # 03:00-03:45, 12 of the day's 92; on 2 November 00:00-01:45 CDT and 02:00-02:45 CST, 12 of 96 (the
    # repeated 01:00-01:45 CST are no slots)
    four = datetime(*day, 9, tzinfo=UTC)
    share = 12 / 92 if day[1] == 3 else 12 / 96
    assert expected_count(DST, start, four, TZ) == pytest.approx(366 / 61 * share)
    seen_hours = set()
    for seed in range(60):
        spec = DST.model_copy(update={"seed": seed})
        notices = draw_notices(spec, start, end, TZ, 100.0)
        assert_follows(spec, notices, start, end, 100.0)
        for n in notices:
            s = n["start"]
            # every start exists on the local clock (none in the skipped 02:00-03:00 of 9 March), and
            # the repeated 01:00-02:00 of 2 November is offered once, at its first occurrence (CDT)
            assert utc(s).astimezone(TZ).replace(tzinfo=None) == s.replace(tzinfo=None)
            assert not (day == (2025, 3, 9) and s.hour == 2)
            if day == (2025, 11, 2) and s.hour == 1:
                assert s.utcoffset() == timedelta(hours=-5)
            seen_hours.add(s.hour)
            for key in ("issued", "start", "end"):
                t = n[key]
                assert t == utc(t).astimezone(TZ) and t.utcoffset() == utc(t).astimezone(TZ).utcoffset()
    assert len(seen_hours) >= 20, "the draw should use the whole day"


def test_dst_day_notices_load_into_a_one_day_instance(tmp_path):
    """Windows across the repeated hour, written with offsets, pass the instance loader's own checks."""
    start = local(2025, 11, 2)
    notices = []
    for seed in range(40):
        notices = draw_notices(DST.model_copy(update={"seed": seed}), start, local(2025, 11, 3), TZ, 100.0)
        if any(utc(n["start"]) <= datetime(2025, 11, 2, 6, tzinfo=UTC) <= datetime(2025, 11, 2, 7, tzinfo=UTC)
               <= utc(n["end"]) for n in notices):
            break  # a window that holds the whole repeated hour (06:00-07:00 UTC)
    else:
        pytest.fail("no seed drew a window across the repeated hour")
    lines = ['[horizon]', 'start = "2025-11-02T00:00:00"', f'timezone = "{TZ_NAME}"', "days = 1",
             "step_minutes = 15", "[site]", "interconnection_mw = 200.0", "it_load_mw = 50.0", "[grid]",
             "price_usd_per_mwh = 40.0"]
    for n in notices:
        lines.append("[[notices]]")
        lines += [f'{k} = "{v.isoformat()}"' if isinstance(v, datetime) else
                  (f'{k} = "{v}"' if isinstance(v, str) else f"{k} = {v!r}") for k, v in n.items()]
    (tmp_path / "dst.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    inst = load_instance(tmp_path / "dst.toml")
    assert inst.time.n_steps == 100
    assert [n.id for n in inst.notices] == [n["id"] for n in notices]
    for m, n in zip(inst.notices, notices):
        assert m.start == n["start"] and m.end == n["end"] and m.issued == n["issued"]


# -- the CSV reader ----------------------------------------------------------------------------------

def write(tmp_path: Path, text: str, name: str = "notices.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_read_offsets_and_local_times(tmp_path):
    p = write(tmp_path, "id,issued,start,end,cap_mw,reduction_fraction,baseline_mw\n"
                        "late,2025-11-02T00:00,2025-11-02T03:00,2025-11-02T05:00,,0.5,100\n"
                        "early,2025-11-01T22:00:00-05:00,2025-11-02T00:30:00-05:00,2025-11-02T01:30:00-06:00,40,,\n")
    ns = read_notices(p, timezone=TZ_NAME)
    assert [n["id"] for n in ns] == ["early", "late"]  # sorted by start
    early, late = ns
    assert list(early) == KEYS_CAP and list(late) == KEYS_REDUCTION
    assert early["start"].tzinfo is TZ and minutes(early["start"], early["end"]) == 120  # across the repeated hour
    assert late["start"].utcoffset() == timedelta(hours=-6) and late["issued"].utcoffset() == timedelta(hours=-5)
    assert (late["reduction_fraction"], late["baseline_mw"], early["cap_mw"]) == (0.5, 100.0, 40.0)
    for n in ns:
        Notice.model_validate(n)
    # without a timezone, offsets are kept as written
    only_offsets = write(tmp_path, "id,issued,start,end,cap_mw\nA,2025-07-14T13:00-05:00,2025-07-14T15:00-05:00,"
                                   "2025-07-14T17:00-05:00,30\n", "o.csv")
    (a,) = read_notices(only_offsets)
    assert a["start"].utcoffset() == timedelta(hours=-5) and list(a) == KEYS_CAP


def test_read_reports_every_fault_with_its_row_in_one_pass(tmp_path):
    rows = [
        "id,issued,start,end,cap_mw,reduction_fraction,baseline_mw",                          # line 1
        "ok1,2025-07-14T12:00-05:00,2025-07-14T15:00-05:00,2025-07-14T17:00-05:00,30,,",     # 2 good
        "t1,2025-07-15T12:00-05:00,2025-07-15 3pm,2025-07-15T17:00-05:00,30,,",              # 3 start unparseable
        "t2,2025-07-16T12:00-05:00,2025-07-16T17:00-05:00,2025-07-16T15:00-05:00,30,,",      # 4 end <= start
        "t3,2025-07-17T16:00-05:00,2025-07-17T15:00-05:00,2025-07-17T17:00-05:00,30,,",      # 5 issued after start
        "d1,2025-07-18T12:00-05:00,2025-07-18T15:00-05:00,2025-07-18T17:00-05:00,30,0.5,100",  # 6 both
        "d2,2025-07-19T12:00-05:00,2025-07-19T15:00-05:00,2025-07-19T17:00-05:00,,,",        # 7 neither
        "d3,2025-07-20T12:00-05:00,2025-07-20T15:00-05:00,2025-07-20T17:00-05:00,,1.5,100",  # 8 reduction > 1
        "d4,2025-07-21T12:00-05:00,2025-07-21T15:00-05:00,2025-07-21T17:00-05:00,,0,100",    # 9 reduction 0
        "o1,2025-07-14T12:00-05:00,2025-07-14T16:00-05:00,2025-07-14T18:00-05:00,30,,",      # 10 overlaps ok1
        "ok1,2025-07-22T12:00-05:00,2025-07-22T15:00-05:00,2025-07-22T17:00-05:00,30,,",     # 11 duplicate id
        "n1,2025-07-23T12:00-05:00,2025-07-23T15:00-05:00,2025-07-23T17:00-05:00,abc,,",     # 12 not a number
        "",                                                                                    # 13 blank: skipped
        "b1,2025-07-24T12:00-05:00,2025-07-24T15:00-05:00,2025-07-24T17:00-05:00,,0.5,",     # 14 no baseline
        "short,2025-07-25T12:00-05:00",                                                        # 15 too few cells
    ]
    p = write(tmp_path, "\n".join(rows) + "\n")
    with pytest.raises(InstanceError) as info:
        read_notices(p)
    got = {(q.row, q.field) for q in info.value.problems}
    assert got == {(3, "start"), (4, "end"), (5, "issued"), (6, "cap_mw"), (6, "baseline_mw"), (7, "cap_mw"),
                   (8, "reduction_fraction"), (9, "reduction_fraction"), (10, "start"), (11, "id"),
                   (12, "cap_mw"), (14, "baseline_mw"), (15, "row")}
    assert all(q.file == "notices.csv" for q in info.value.problems)
    rows_in_order = [q.row for q in info.value.problems]
    assert rows_in_order == sorted(rows_in_order)
    text = info.value.render()  # what the CLI prints
    assert "13 problems" in text and "start (notices.csv, row 10): the window overlaps notice 'ok1' (row 2)" in text
    assert "already used in row 2" in text


def test_read_finds_an_overlap_hidden_behind_a_shorter_window(tmp_path):
    """A long window (row 2) holds a short one (row 3) and, after it, a third (row 4): both clash with row 2."""
    p = write(tmp_path, "id,issued,start,end,cap_mw\n"
                        "long,2025-07-14T08:00-05:00,2025-07-14T10:00-05:00,2025-07-14T20:00-05:00,10\n"
                        "short,2025-07-14T08:00-05:00,2025-07-14T11:00-05:00,2025-07-14T12:00-05:00,10\n"
                        "later,2025-07-14T08:00-05:00,2025-07-14T15:00-05:00,2025-07-14T16:00-05:00,10\n"
                        "after,2025-07-14T08:00-05:00,2025-07-14T20:00-05:00,2025-07-14T21:00-05:00,10\n")
    with pytest.raises(InstanceError) as info:
        read_notices(p)
    assert [(q.row, q.field) for q in info.value.problems] == [(3, "start"), (4, "start")]
    assert all("'long' (row 2)" in q.message for q in info.value.problems)


def test_read_local_time_faults(tmp_path):
    p = write(tmp_path, "id,issued,start,end,cap_mw\n"
                        "gap,2025-03-09T00:00,2025-03-09T02:30,2025-03-09T04:00,10\n"       # 02:30 does not exist
                        "rep,2025-11-01T20:00,2025-11-02T01:30,2025-11-02T04:00,10\n")      # 01:30 twice
    with pytest.raises(InstanceError) as info:
        read_notices(p, timezone=TZ_NAME)
    assert {(q.row, q.field) for q in info.value.problems} == {(2, "start"), (3, "start")}
    assert "does not exist" in str(info.value) and "ambiguous" in str(info.value)
    with pytest.raises(InstanceError) as info:
        read_notices(p)  # local times and no timezone
    assert {(q.row, q.field) for q in info.value.problems} == {(r, f) for r in (2, 3)
                                                              for f in ("issued", "start", "end")}
    assert "no UTC offset" in str(info.value)


def test_read_header_and_file_faults(tmp_path):
    with pytest.raises(InstanceError) as info:
        read_notices(write(tmp_path, "id,issued,begin,end,cap\n"))
    assert {(q.row, q.field) for q in info.value.problems} == {(1, "start"), (1, "begin"), (1, "cap")}
    with pytest.raises(InstanceError, match="file does not exist"):
        read_notices(tmp_path / "missing.csv")
    with pytest.raises(InstanceError, match="unknown timezone"):
        read_notices(write(tmp_path, ",".join(CSV_COLUMNS) + "\n"), timezone="Mars/Olympus")
    assert read_notices(write(tmp_path, ",".join(CSV_COLUMNS) + "\n")) == []


def test_drawn_notices_round_trip_through_csv(tmp_path):
    drawn = draw_notices(EventSpec(seed=11), *year(2025), TZ, 80.0)
    lines = [",".join(CSV_COLUMNS)] + [",".join(n[c].isoformat() if isinstance(n.get(c), datetime)
                                                else str(n.get(c, "")) for c in CSV_COLUMNS) for n in drawn]
    assert read_notices(write(tmp_path, "\n".join(lines) + "\n"), timezone=TZ) == drawn


# -- selecting ---------------------------------------------------------------------------------------

def test_notices_in_and_known_at():
    ns = [{"id": "A", "issued": local(2025, 7, 14, 9), "start": local(2025, 7, 14, 15), "end": local(2025, 7, 14, 17)},
          {"id": "B", "issued": local(2025, 7, 14, 20), "start": local(2025, 7, 15, 0), "end": local(2025, 7, 15, 2)},
          {"id": "C", "issued": local(2025, 7, 15, 10), "start": local(2025, 7, 15, 14), "end": local(2025, 7, 15, 15)}]
    ids = lambda xs: [x["id"] for x in xs]  # noqa: E731
    assert ids(notices_in(ns, local(2025, 7, 14), local(2025, 7, 15))) == ["A"]   # B starts at the day's end
    assert ids(notices_in(ns, local(2025, 7, 15), local(2025, 7, 16))) == ["B", "C"]
    assert ids(notices_in(ns, local(2025, 7, 14, 16, 59), local(2025, 7, 14, 17))) == ["A"]
    assert ids(notices_in(ns, local(2025, 7, 14, 17), local(2025, 7, 14, 23))) == []  # end is exclusive
    assert ids(known_at(ns, local(2025, 7, 14, 20))) == ["A", "B"]                    # issued at t counts
    assert ids(known_at(ns, local(2025, 7, 14, 8))) == []
    assert ids(known_at(ns, datetime(2025, 7, 15, 15, tzinfo=UTC))) == ["A", "B", "C"]  # 10:00 local
    with pytest.raises(ValueError, match="timezone-aware"):
        known_at(ns, datetime(2025, 7, 15))
    # pandas Timestamps (what a simulation holds) work as bounds, in draws too
    day = notices_in(ns, pd.Timestamp("2025-07-15", tz=TZ_NAME), pd.Timestamp("2025-07-16", tz=TZ_NAME))
    assert ids(day) == ["B", "C"]
    assert draw_notices(EventSpec(seed=5), pd.Timestamp("2025-01-01", tz=TZ_NAME), pd.Timestamp("2026-01-01", tz="UTC"),
                        TZ, 9.0) == draw_notices(EventSpec(seed=5), local(2025, 1, 1), local(2025, 12, 31, 18), TZ, 9.0)


def test_selectors_use_real_time_in_the_repeated_hour():
    """01:30 CST (second 01:30 of 2 November) is after 01:45 CDT, though its wall clock is earlier."""
    cst = datetime(2025, 11, 2, 1, 30, tzinfo=TZ, fold=1)
    cdt = datetime(2025, 11, 2, 1, 45, tzinfo=TZ)
    assert utc(cst) > utc(cdt) and cst < cdt  # Python's same-tzinfo comparison is by wall clock
    n = {"id": "X", "issued": cst, "start": cst, "end": cst + timedelta(hours=1)}
    assert notices_in([n], cdt, cdt + timedelta(minutes=10)) == []  # [01:45, 01:55 CDT) is before 01:30 CST
    assert known_at([n], cdt) == []


# -- docs --------------------------------------------------------------------------------------------

def test_docs_list_every_field_with_its_default_and_range():
    text = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `(\w+)` \|.*$", text, re.M)}
    from energyopt.ops.events import LIMITS
    for name, field in EventSpec.model_fields.items():
        assert name in rows, f"docs/events.md has no row for {name}"
        d = field.default
        if d is None:
            shown = "-"
        elif isinstance(d, bool):
            shown = str(d).lower()
        elif isinstance(d, (int, float)):
            shown = f"{d:g}"
        elif name == "months":
            shown = ", ".join(map(str, d))
        else:
            shown = f"{d[0]:g}" if d[0] == d[1] else f"{d[0]:g}-{d[1]:g}"
        assert f"| {shown} |" in rows[name], f"default of {name} is not {shown} in docs/events.md"
        assert (field.json_schema_extra or {}).get("unit", "") in rows[name]
        if name in LIMITS:
            assert LIMITS[name][3] in rows[name]


def test_docs_csv_example_reads(tmp_path):
    text = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    example = re.search(r"```csv\n(.*?)```", text, re.S).group(1)
    notices = read_notices(write(tmp_path, example), timezone=TZ_NAME)
    assert len(notices) >= 2


def test_docs_error_example_is_what_read_notices_says(tmp_path):
    text = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    csv_text, said = re.search(r"This file\n\n```\n(.*?)```\n\nread with `timezone=\"America/Chicago\"` gives\n\n"
                               r"```\n(.*?)```", text, re.S).groups()
    with pytest.raises(InstanceError) as info:
        read_notices(write(tmp_path, csv_text), timezone=TZ_NAME)
    assert info.value.render().split(": ", 1)[1] == said.strip().split(": ", 1)[1]
