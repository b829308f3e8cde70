"""Business hours as intervals for the report agree with ``tickets.hours.is_open``, the rule the product
routes by, at every moment: across daylight-saving changes, overnight windows, holidays and closures."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from handoff.reports.hours import open_intervals
from tickets.hours import Closure, Schedule, Window, is_open

CHICAGO = ZoneInfo("America/Chicago")

SCHEDULE = Schedule(
    timezone="America/Chicago",
    windows=(
        *(Window(day, time(9), time(17)) for day in range(5)),
        Window(4, time(22), time(2)),  # Friday night past midnight
        Window(6, time(1, 30), time(3)),  # Sunday early, across the spring-forward gap
        Window(6, time(0, 45), time(1, 45)),  # overlaps the one above; and the repeated hour in autumn
        Window(5, time(10), time(10)),  # Saturday: a full 24 hours
    ),
    holidays=frozenset({date(2026, 3, 4)}),
    closures=(
        Closure(datetime(2026, 3, 5, 12, tzinfo=CHICAGO), datetime(2026, 3, 5, 13, 30, tzinfo=CHICAGO)),
        Closure(datetime(2026, 10, 30, 16, tzinfo=CHICAGO), datetime(2026, 11, 2, 10, tzinfo=CHICAGO)),
    ),
)


def inside(intervals, moment: datetime) -> bool:
    return any(a <= moment < b for a, b in intervals)


@pytest.mark.parametrize(
    "first, days",
    [
        (datetime(2026, 3, 1, tzinfo=CHICAGO), 10),  # spring forward on the 8th
        (datetime(2026, 10, 28, tzinfo=CHICAGO), 10),  # fall back on 1 November
    ],
)
def test_intervals_agree_with_is_open_every_five_minutes(first, days):
    start, end = first.astimezone(UTC), (first + timedelta(days=days)).astimezone(UTC)
    intervals = open_intervals(SCHEDULE, start, end)
    assert intervals == sorted(intervals)
    assert all(a < b for a, b in intervals)
    assert all(b1 < a2 for (_, b1), (a2, _) in zip(intervals, intervals[1:], strict=False))
    moment = start
    disagreements = []
    while moment < end:
        if inside(intervals, moment) != is_open(SCHEDULE, moment):
            disagreements.append(moment)
        moment += timedelta(minutes=5)
    for a, b in intervals:
        for edge in (a, b - timedelta(microseconds=1), b):
            if start <= edge < end and inside(intervals, edge) != is_open(SCHEDULE, edge):
                disagreements.append(edge)
    assert disagreements == []


def test_intervals_are_clipped_to_the_range():
    start = datetime(2026, 3, 2, 12, tzinfo=CHICAGO)
    end = datetime(2026, 3, 2, 15, tzinfo=CHICAGO)
    assert open_intervals(SCHEDULE, start, end) == [(start.astimezone(UTC), end.astimezone(UTC))]


def test_hours_without_windows_are_never_open():
    closed = Schedule(timezone="Europe/Paris")
    assert open_intervals(closed, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)) == []
