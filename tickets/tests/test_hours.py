"""Business-hours arithmetic with a controllable clock, in New York and Berlin, across DST switches."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tickets.hours import (
    Closure,
    InvalidSchedule,
    Schedule,
    Window,
    describe_next_opening,
    is_open,
    next_opening,
    zone_label,
)

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def weekdays(start: str, end: str) -> tuple[Window, ...]:
    return tuple(Window(day, time.fromisoformat(start), time.fromisoformat(end)) for day in range(MON, SAT))


# New York: office hours on weekdays, a Friday night shift past midnight, Saturday mornings.
NEW_YORK = Schedule(
    timezone="America/New_York",
    windows=weekdays("09:00", "17:00") + (Window(FRI, time(22), time(2)), Window(SAT, time(10), time(14))),
)
OFFICE = Schedule(timezone="America/New_York", windows=weekdays("09:00", "17:00"))
# Berlin: two windows a day with a lunch break; Good Friday and Easter Monday 2024 are holidays.
BERLIN_HOURS = Schedule(
    timezone="Europe/Berlin",
    windows=weekdays("08:00", "12:00") + weekdays("13:00", "18:00"),
    holidays=frozenset({date(2024, 3, 29), date(2024, 4, 1)}),
)


def ny(*args) -> datetime:
    return datetime(*args, tzinfo=NY)


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_open_inside_a_window_and_closed_at_its_end():
    assert is_open(NEW_YORK, ny(2024, 6, 12, 9, 0)) is True
    assert is_open(NEW_YORK, ny(2024, 6, 12, 16, 59)) is True
    assert is_open(NEW_YORK, ny(2024, 6, 12, 17, 0)) is False
    assert is_open(NEW_YORK, ny(2024, 6, 12, 8, 59)) is False


def test_the_answer_does_not_depend_on_the_zone_of_the_question():
    assert is_open(NEW_YORK, utc(2024, 6, 12, 13, 30)) is True  # 9:30 in New York (EDT)
    assert is_open(NEW_YORK, utc(2024, 1, 10, 13, 30)) is False  # 8:30 in New York (EST)


def test_a_window_past_midnight_belongs_to_the_day_it_starts():
    assert is_open(NEW_YORK, ny(2024, 6, 14, 23, 0)) is True  # Friday night
    assert is_open(NEW_YORK, ny(2024, 6, 15, 1, 59)) is True  # Saturday small hours
    assert is_open(NEW_YORK, ny(2024, 6, 15, 2, 0)) is False
    assert is_open(NEW_YORK, ny(2024, 6, 16, 1, 0)) is False  # no Saturday night shift


def test_next_opening_after_the_night_shift_is_saturday_morning():
    assert next_opening(NEW_YORK, ny(2024, 6, 15, 2, 0)) == ny(2024, 6, 15, 10, 0)


def test_next_opening_is_the_moment_itself_while_open():
    at = ny(2024, 6, 12, 11, 15)
    assert next_opening(NEW_YORK, at) == at


def test_two_windows_a_day_leave_a_lunch_break():
    assert is_open(BERLIN_HOURS, berlin(2024, 6, 12, 12, 30)) is False
    assert next_opening(BERLIN_HOURS, berlin(2024, 6, 12, 12, 30)) == berlin(2024, 6, 12, 13, 0)


def test_holidays_close_the_whole_local_day():
    assert is_open(BERLIN_HOURS, berlin(2024, 3, 29, 10, 0)) is False  # Good Friday
    # Thursday evening: Good Friday, the weekend and Easter Monday are closed; back on Tuesday.
    assert next_opening(BERLIN_HOURS, berlin(2024, 3, 28, 19, 0)) == berlin(2024, 4, 2, 8, 0)


def test_a_holiday_cuts_the_part_of_a_night_shift_that_falls_on_it():
    closed_saturday = Schedule(NEW_YORK.timezone, NEW_YORK.windows, holidays=frozenset({date(2024, 6, 15)}))
    assert is_open(closed_saturday, ny(2024, 6, 14, 23, 30)) is True
    assert is_open(closed_saturday, ny(2024, 6, 15, 0, 30)) is False
    assert next_opening(closed_saturday, ny(2024, 6, 15, 0, 30)) == ny(2024, 6, 17, 9, 0)


def test_a_one_off_closure_inside_a_window_reopens_when_it_ends():
    offsite = Closure(ny(2024, 6, 12, 12, 0), ny(2024, 6, 12, 15, 0), "Team offsite")
    schedule = Schedule(NEW_YORK.timezone, NEW_YORK.windows, closures=(offsite,))
    assert is_open(schedule, ny(2024, 6, 12, 11, 59)) is True
    assert is_open(schedule, ny(2024, 6, 12, 13, 0)) is False
    assert next_opening(schedule, ny(2024, 6, 12, 13, 0)) == ny(2024, 6, 12, 15, 0)


def test_the_monday_after_spring_forward_opens_at_nine_local_time():
    # Friday 8 March 2024 18:00 EST; clocks go forward on Sunday 10 March.
    opening = next_opening(OFFICE, ny(2024, 3, 8, 18, 0))
    assert opening == utc(2024, 3, 11, 13, 0)
    local = opening.astimezone(NY)
    assert (local.hour, local.minute, local.utcoffset()) == (9, 0, timedelta(hours=-4))


def test_berlin_after_spring_forward_opens_at_eight_cest():
    opening = next_opening(BERLIN_HOURS, berlin(2024, 3, 30, 12, 0))  # Saturday; clocks go forward Sunday 31
    assert opening == utc(2024, 4, 2, 6, 0)  # Easter Monday is a holiday: Tuesday 8:00 CEST


def test_a_window_starting_in_the_skipped_hour_opens_when_the_clock_jumps():
    schedule = Schedule("America/New_York", (Window(SUN, time(2, 30), time(5, 0)),))
    assert next_opening(schedule, ny(2024, 3, 9, 12, 0)) == utc(2024, 3, 10, 7, 0)  # 3:00 EDT
    assert is_open(schedule, utc(2024, 3, 10, 6, 59)) is False  # 1:59 EST
    assert is_open(schedule, utc(2024, 3, 10, 7, 0)) is True


def test_an_overnight_window_is_an_hour_shorter_on_the_spring_forward_night():
    schedule = Schedule("Europe/Berlin", (Window(SAT, time(22), time(6)),))
    opens = next_opening(schedule, berlin(2024, 3, 30, 12, 0))
    assert opens == utc(2024, 3, 30, 21, 0)  # 22:00 CET
    assert is_open(schedule, utc(2024, 3, 31, 3, 59)) is True  # 5:59 CEST
    assert is_open(schedule, utc(2024, 3, 31, 4, 0)) is False  # 6:00 CEST: 7 real hours later


def test_fall_back_repeats_an_hour_and_a_window_covers_both_passes():
    schedule = Schedule("America/New_York", (Window(SUN, time(1, 30), time(5, 0)),))
    assert next_opening(schedule, ny(2024, 11, 2, 12, 0)) == utc(2024, 11, 3, 5, 30)  # first 1:30 (EDT)
    assert is_open(schedule, utc(2024, 11, 3, 6, 15)) is True  # 1:15 EST, the hour again
    assert is_open(schedule, utc(2024, 11, 3, 9, 59)) is True  # 4:59 EST
    assert is_open(schedule, utc(2024, 11, 3, 10, 0)) is False  # 5:00 EST


def test_a_window_ending_in_the_repeated_hour_closes_at_its_first_pass():
    schedule = Schedule("Europe/Berlin", (Window(SUN, time(0, 0), time(2, 30)),))
    assert is_open(schedule, utc(2024, 10, 27, 0, 29)) is True  # 2:29 CEST
    assert is_open(schedule, utc(2024, 10, 27, 0, 30)) is False  # 2:30 CEST
    assert is_open(schedule, utc(2024, 10, 27, 1, 15)) is False  # 2:15 CET, the hour again


def test_is_open_and_next_opening_agree_every_quarter_hour_across_both_switch_weeks():
    for schedule, start in [
        (NEW_YORK, utc(2024, 3, 8)),
        (NEW_YORK, utc(2024, 11, 1)),
        (BERLIN_HOURS, utc(2024, 3, 27)),
        (BERLIN_HOURS, utc(2024, 10, 25)),
    ]:
        moments = [start + timedelta(minutes=15 * i) for i in range(4 * 24 * 6)]
        states = [is_open(schedule, m) for m in moments]
        for index, at in enumerate(moments):
            opening = next_opening(schedule, at)
            assert opening is not None
            assert is_open(schedule, opening) is True
            between = [states[i] for i in range(index, len(moments)) if moments[i] < opening]
            assert not any(between)


def test_equal_start_and_end_is_a_whole_day():
    schedule = Schedule("Europe/Berlin", (Window(WED, time(9), time(9)),))
    assert is_open(schedule, berlin(2024, 6, 13, 8, 59)) is True  # Thursday morning
    assert is_open(schedule, berlin(2024, 6, 13, 9, 0)) is False


def test_no_windows_never_opens():
    assert next_opening(Schedule("UTC"), utc(2024, 6, 12)) is None
    assert is_open(Schedule("UTC"), utc(2024, 6, 12)) is False


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (ny(2024, 6, 14, 18, 0), "We're back today at 22:00 (New York time)"),
        (ny(2024, 6, 15, 15, 0), "We're back Monday at 9:00 (New York time)"),
        (ny(2024, 6, 16, 20, 0), "We're back tomorrow at 9:00 (New York time)"),
        (ny(2024, 6, 12, 7, 30), "We're back today at 9:00 (New York time)"),
        (ny(2024, 6, 12, 10, 0), "We're open now"),
    ],
)
def test_describe_next_opening_in_new_york(at, expected):
    assert describe_next_opening(NEW_YORK, at) == expected


def test_describe_next_opening_in_berlin_over_easter():
    assert describe_next_opening(BERLIN_HOURS, berlin(2024, 3, 28, 19, 0)) == (
        "We're back Tuesday at 8:00 (Berlin time)"
    )


def test_describe_next_opening_names_the_date_a_week_or_more_away():
    holidays = Closure(ny(2024, 12, 21), ny(2025, 1, 6), "Winter break")
    schedule = Schedule(NEW_YORK.timezone, NEW_YORK.windows, closures=(holidays,))
    assert describe_next_opening(schedule, ny(2024, 12, 21, 12, 0)) == (
        "We're back Monday 6 January at 9:00 (New York time)"
    )


def test_describe_when_there_is_no_next_opening():
    assert describe_next_opening(Schedule("UTC"), utc(2024, 6, 12)) == (
        "We're closed for now and will reply as soon as we're back"
    )


def test_the_question_is_asked_in_the_zone_of_the_schedule_not_of_the_caller():
    # 23:30 in Berlin on Monday is 17:30 in New York: the New York office is closed until 9:00 tomorrow.
    assert describe_next_opening(NEW_YORK, berlin(2024, 6, 10, 23, 30)) == (
        "We're back tomorrow at 9:00 (New York time)"
    )


@pytest.mark.parametrize(
    ("zone", "label"),
    [
        ("America/New_York", "New York time"),
        ("America/Argentina/Buenos_Aires", "Buenos Aires time"),
        ("Europe/Berlin", "Berlin time"),
        ("UTC", "UTC"),
        ("Etc/GMT+5", "GMT+5"),
    ],
)
def test_zone_label(zone, label):
    assert zone_label(zone) == label


def test_an_unknown_zone_is_refused():
    with pytest.raises(InvalidSchedule, match="Unknown time zone 'Mars/Olympus'"):
        Schedule("Mars/Olympus")


def test_a_naive_datetime_is_refused():
    with pytest.raises(InvalidSchedule, match="aware"):
        is_open(NEW_YORK, datetime(2024, 6, 12, 10, 0))


def test_a_weekday_outside_the_week_is_refused():
    with pytest.raises(InvalidSchedule, match="weekday"):
        Window(7, time(9), time(17))
