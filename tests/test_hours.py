"""Times, windows, breaks, weekday lists and OpenStreetMap opening_hours."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from routeopt.exceptions import InputError, OpeningHoursError
from routeopt.hours import (
    DAY,
    Break,
    OpeningHours,
    TimeWindow,
    format_time,
    parse_break,
    parse_time,
    parse_weekdays,
    parse_window,
)

H = 3600


def w(a: str, b: str) -> TimeWindow:
    return TimeWindow(parse_time(a), parse_time(b))


def days(oh: OpeningHours) -> list[list[str]]:
    return [[str(x) for x in d] for d in oh.weekly]


# -- times ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "seconds"), [
    ("08:30", 8 * H + 1800), ("8:30", 8 * H + 1800), (" 07:05 ", 7 * H + 300),
    ("00:00", 0), ("23:59", 23 * H + 59 * 60), ("24:00", DAY), ("12:00:30", 12 * H + 30),
])
def test_parse_time(text, seconds):
    assert parse_time(text) == seconds


@pytest.mark.parametrize(("text", "message"), [
    ("8", "write it as HH:MM"), ("8h30", "write it as HH:MM"), ("8:5", "write it as HH:MM"),
    ("", "write it as HH:MM"), ("25:00", "00:00 to 24:00"), ("24:01", "00:00 to 24:00"),
    ("12:60", "00:00 to 24:00"), ("-1:00", "write it as HH:MM"),
])
def test_parse_time_rejects(text, message):
    with pytest.raises(ValueError, match=message):
        parse_time(text)


def test_format_time():
    assert [format_time(s) for s in (0, 8 * H + 1800, DAY, 12 * H + 30)] == [
        "00:00", "08:30", "24:00", "12:00:30"]


# -- windows --------------------------------------------------------------------------------


def test_parse_window():
    assert parse_window("08:30-12:30") == TimeWindow(8 * H + 1800, 12 * H + 1800)
    assert parse_window("8:00 - 9:15") == TimeWindow(8 * H, 9 * H + 900)
    assert TimeWindow.parse("14:00-19:00").duration == 5 * H
    assert str(TimeWindow(8 * H, 24 * H)) == "08:00-24:00"


def test_window_ending_at_00_00_means_midnight():
    assert parse_window("11:00-00:00") == TimeWindow(11 * H, DAY)
    assert parse_window("11:00-24:00") == TimeWindow(11 * H, DAY)
    assert parse_window("00:00-00:00") == TimeWindow(0, DAY)


@pytest.mark.parametrize(("text", "message"), [
    ("18:00-02:00", r"'18:00-02:00' runs past midnight, which is not supported; split it at "
                    r"midnight: 18:00-24:00 on one day and 00:00-02:00 on the next"),
    ("17:00-08:00", r"runs past midnight"),
    ("09:00-09:00", r"'09:00-09:00' is empty"),
    ("09:00", r"'09:00' is not a time window; write it as HH:MM-HH:MM"),
    ("09:00-10:00-11:00", r"is not a time window"),
    ("9-17", r"'9' is not a time of day"),
])
def test_parse_window_rejects(text, message):
    with pytest.raises(ValueError, match=message):
        parse_window(text)


def test_time_window_checks_itself():
    with pytest.raises(InputError, match=r"TimeWindow\(start=36000, end=32400\): a time window "
                       "must start no later than it ends") as info:
        TimeWindow(10 * H, 9 * H)
    assert isinstance(info.value, ValueError) and info.value.issues[0].column == "end"


# -- breaks ---------------------------------------------------------------------------------


def test_parse_break_flexible_and_fixed():
    b = parse_break("12:00-14:00/45")
    assert (b.window, b.duration, b.latest_start) == (w("12:00", "14:00"), 45 * 60, 13 * H + 900)
    assert str(b) == "12:00-14:00/45"
    fixed = Break.parse("12:30-13:15")
    assert (fixed.window, fixed.duration) == (w("12:30", "13:15"), 45 * 60)
    assert Break.parse(str(b)) == b


@pytest.mark.parametrize(("text", "message"), [
    ("12:00-13:00/90", r"a break of 90 min does not fit in its window 12:00-13:00"),
    ("12:00-14:00/x", r"the break length after '/' must be minutes"),
    ("12:00-14:00/0", r"must last more than 0 minutes"),
    ("14:00-12:00/30", r"runs past midnight"),
])
def test_parse_break_rejects(text, message):
    with pytest.raises(ValueError, match=message):
        parse_break(text)


# -- weekday lists --------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Mo-Fr", {0, 1, 2, 3, 4}), ("Mo,We,Fr", {0, 2, 4}), ("Mo-We,Sa", {0, 1, 2, 5}),
    ("Fr-Mo", {4, 5, 6, 0}), ("su", {6}), ("MO-TU", {0, 1}), ("Mo - Fr", {0, 1, 2, 3, 4}),
    ("Mo We", {0, 2}), ("mon-fri", {0, 1, 2, 3, 4}), ("Monday, Thursday", {0, 3}),
    ("Tues", {1}), ("Mo-Mo", {0}),
])
def test_parse_weekdays(text, expected):
    assert parse_weekdays(text) == frozenset(expected)


@pytest.mark.parametrize(("text", "message"), [
    ("", "no weekdays given"), ("Mo-Xx", r"'Xx' is not a weekday; use Mo, Tu"),
    ("M", r"'M' is not a weekday"), ("Mo;Tu", r"is not a weekday"), ("Mo-", r"is not a weekday"),
])
def test_parse_weekdays_rejects(text, message):
    with pytest.raises(ValueError, match=message):
        parse_weekdays(text)


# -- opening_hours ----------------------------------------------------------------------------


def test_opening_hours_weekday_rules():
    oh = OpeningHours.parse("Mo-Fr 08:30-12:30,14:00-19:00; Sa 09:00-12:00")
    assert days(oh) == [["08:30-12:30", "14:00-19:00"]] * 5 + [["09:00-12:00"], []]
    assert oh.open_weekdays == frozenset(range(6))
    assert oh.longest_window() == 5 * H
    assert not oh.closed_on_holidays


def test_unnamed_days_are_closed():
    oh = OpeningHours.parse("Tu 10:00-12:00")
    assert oh.open_weekdays == frozenset({1})
    assert oh.windows_on(date(2026, 11, 30)) == ()  # a Monday


def test_later_rules_override_earlier_ones():
    oh = OpeningHours.parse("Mo-Sa 08:00-20:00; We 08:00-12:00; Sa off")
    assert days(oh)[0] == ["08:00-20:00"]
    assert days(oh)[2] == ["08:00-12:00"]
    assert days(oh)[5] == [] and days(oh)[6] == []
    assert days(OpeningHours.parse("Mo-Fr 08:00-12:00; Mo-Fr 13:00-14:00"))[0] == ["13:00-14:00"]


def test_comma_separated_groups_in_one_rule():
    oh = OpeningHours.parse("Mo-Fr 08:00-18:00, Sa 09:00-12:00, We off")
    assert days(oh) == [["08:00-18:00"]] * 2 + [[]] + [["08:00-18:00"]] * 2 + [
        ["09:00-12:00"], []]
    assert days(OpeningHours.parse("Mo,Th 09:00-12:00")) == [
        ["09:00-12:00"], [], [], ["09:00-12:00"], [], [], []]


def test_rule_without_days_applies_to_every_day():
    assert days(OpeningHours.parse("10:00-18:00")) == [["10:00-18:00"]] * 7


def test_always_open():
    for text in ("24/7", "", "  ", "24/7;"):
        oh = OpeningHours.parse(text)
        assert oh == OpeningHours.always()
        assert all(d == (TimeWindow(0, DAY),) for d in oh.weekly)
    assert str(OpeningHours.always()) == "24/7"


def test_ph_off():
    oh = OpeningHours.parse("Mo-Fr 09:00-17:00; PH off")
    assert oh.closed_on_holidays
    tuesday = date(2026, 12, 1)
    assert oh.windows_on(tuesday) == (w("09:00", "17:00"),)
    assert oh.windows_on(tuesday, holiday=True) == ()
    assert OpeningHours.parse("mo-fr 09:00-17:00 ; ph closed").closed_on_holidays
    both = OpeningHours.parse("24/7; PH off")
    assert both.closed_on_holidays and both.open_weekdays == frozenset(range(7))
    assert str(both) == "24/7; PH off"


def test_lowercase_days_and_one_digit_hours():
    oh = OpeningHours.parse("mo-sa 8:30-20:00")
    assert days(oh) == [["08:30-20:00"]] * 6 + [[]]
    assert OpeningHours.parse("MO-FR 9:00-12:00,14:00-18:00") == OpeningHours.parse(
        "Mo-Fr 09:00-12:00,14:00-18:00")


def test_until_midnight():
    oh = OpeningHours.parse("Mo-Su 11:00-00:00")
    assert oh.weekly == ((TimeWindow(11 * H, DAY),),) * 7
    assert str(oh) == "Mo-Su 11:00-24:00"
    assert OpeningHours.parse(str(oh)) == oh


def test_overlapping_and_touching_windows_merge():
    assert days(OpeningHours.parse("Mo 08:00-12:00,11:00-13:00"))[0] == ["08:00-13:00"]
    assert days(OpeningHours.parse("Mo 08:00-12:00,12:00-14:00"))[0] == ["08:00-14:00"]
    assert days(OpeningHours.parse("Mo 14:00-18:00,08:00-12:00"))[0] == [
        "08:00-12:00", "14:00-18:00"]


def test_str_writes_the_whole_week():
    oh = OpeningHours.parse("Mo-Fr 08:30-12:30,14:00-19:00; Sa 09:00-12:00; PH off")
    assert str(oh) == "Mo-Fr 08:30-12:30,14:00-19:00; Sa 09:00-12:00; Su off; PH off"


@pytest.mark.parametrize(("text", "message"), [
    ("sunrise-sunset", r"times relative to sunrise or sunset are not supported"),
    ("Mo-Fr 08:00-sunset", r"sunrise or sunset"),
    ("Jan-Mar Mo-Fr 09:00-17:00", r"months and dates are not supported"),
    ("Dec 25 off", r"months and dates are not supported"),
    ("Mo-Fr 18:00-02:00", r"'18:00-02:00' runs past midnight.*split it at midnight"),
    ("Mo-Fr 09:00+", r"open-ended times"),
    ("PH 10:00-12:00", r"public-holiday hours other than 'PH off'"),
    ("SH off", r"school holidays"),
    ("week 01-10 Mo 09:00-12:00", r"week numbers"),
    ("Mo[1] 09:00-12:00", r"nth-weekday selectors"),
    ('Mo-Fr 09:00-12:00 "call first"', r"comments in quotes"),
    ("Mo-Fr 0900-1700", r"write times with a colon"),
    ("Mo-Fr 10:00-12:00 off", r"closing only some hours of a day"),
    ("Mo-Fr", r"rule 'Mo-Fr' has no opening times"),
    ("Xx 10:00-12:00", r"'Xx' is not a weekday"),
    ("Mo-Fr 08:00-12:00 lunch", r"unexpected 'lunch'"),
    ("Mo-Fr 25:00-26:00", r"'25:00' is not a valid time of day"),
])
def test_unsupported_opening_hours(text, message):
    with pytest.raises(OpeningHoursError, match=message) as info:
        OpeningHours.parse(text)
    err = info.value
    assert isinstance(err, InputError) and isinstance(err, ValueError)
    assert err.text == text
    assert f"cannot read opening hours {text!r}" in str(err)


def test_generic_errors_say_what_is_supported():
    with pytest.raises(OpeningHoursError) as info:
        OpeningHours.parse("Mo-Fr 08:00-12:00 lunch")
    assert "supported are weekday rules like 'Mo-Fr 08:30-12:30,14:00-19:00" in info.value.reason


def test_opening_hours_checks_its_week():
    with pytest.raises(ValueError, match="exactly 7 weekdays"):
        OpeningHours(weekly=((),) * 6)
    with pytest.raises(ValueError, match="sorted and not overlap"):
        OpeningHours(weekly=((w("10:00", "12:00"), w("11:00", "13:00")),) + ((),) * 6)


# -- round trip ---------------------------------------------------------------------------------

# A day: 0-3 windows on whole minutes, sorted, with a gap between them (touching
# windows are one window to opening_hours, and merge when parsed).
_day = st.lists(st.integers(0, 24 * 60), min_size=0, max_size=6, unique=True).map(
    lambda ms: tuple(TimeWindow(a * 60, b * 60) for a, b in
                     zip(sorted(ms)[::2], sorted(ms)[1::2], strict=False)))
_weekly = st.one_of(
    st.lists(_day, min_size=7, max_size=7).map(tuple),
    # runs of equal days, as real shops have them
    st.tuples(_day, _day, st.integers(1, 7)).map(lambda t: (t[0],) * t[2] + (t[1],) * (7 - t[2])),
)


@given(weekly=_weekly, ph_off=st.booleans())
@example(weekly=((TimeWindow(0, DAY),),) * 7, ph_off=True)
@example(weekly=((),) * 7, ph_off=False)
@example(weekly=((TimeWindow(11 * H, DAY),),) * 7, ph_off=False)
def test_round_trip(weekly, ph_off):
    oh = OpeningHours(weekly=weekly, closed_on_holidays=ph_off)
    assert OpeningHours.parse(str(oh)) == oh
