"""Business-hours arithmetic: plain functions over plain data, no ORM (the selector builds the data).

A :class:`Schedule` is a time zone, weekly opening windows and closures. The rules, chosen so that "is it
open now?" and "when does it open next?" can never disagree:

- A window is wall-clock time in the schedule's zone on a weekday (0 = Monday). ``end <= start`` runs past
  midnight into the next day (Fri 22:00-02:00 closes Saturday 02:00); ``end == start`` is a full 24 hours.
- Each occurrence of a window is one interval of real time. A wall time that happens twice (the hour
  repeated when clocks go back) means its first occurrence; a wall time that never happens (the hour
  skipped when clocks go forward) means the moment the clock jumps. So a 09:00-17:00 window lasts 8 real
  hours on most days, 7 or 9 on some nights, and an overnight window on a switch night is an hour
  shorter or longer, as the people working it would expect.
- Closures win over windows. A holiday closes its whole local calendar day (midnight to midnight in the
  schedule's zone); a one-off closure is an explicit range of aware datetimes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import gettext as _

# How far ahead next_opening looks before it gives up (a queue closed for longer has no next opening).
HORIZON_DAYS = 400


class InvalidSchedule(ValueError):
    """A schedule that cannot be computed with: an unknown zone, a naive datetime, a bad weekday."""


@dataclass(frozen=True)
class Window:
    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise InvalidSchedule(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")


@dataclass(frozen=True)
class Closure:
    starts_at: datetime
    ends_at: datetime
    label: str = ""

    def __post_init__(self) -> None:
        _require_aware(self.starts_at, "starts_at")
        _require_aware(self.ends_at, "ends_at")


@dataclass(frozen=True)
class Schedule:
    timezone: str
    windows: tuple[Window, ...] = ()
    holidays: frozenset[date] = field(default_factory=frozenset)
    closures: tuple[Closure, ...] = ()

    def __post_init__(self) -> None:
        zone_get(self.timezone)

    @property
    def zone(self) -> ZoneInfo:
        return zone_get(self.timezone)


def zone_get(name: str) -> ZoneInfo:
    """The zone called ``name``, or :class:`InvalidSchedule` with the name in the message."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise InvalidSchedule(f"Unknown time zone {name!r}.") from exc


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidSchedule(f"{name} must be an aware datetime")


def wall_to_instant(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The real instant (UTC) at which clocks in ``zone`` first read ``clock`` on ``day``.

    Repeated wall times resolve to their first occurrence (fold=0). A skipped wall time resolves to the
    moment of the jump: the first instant whose wall time is not earlier than ``clock``.
    """
    local = datetime.combine(day, clock, tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
        return instant
    # In a gap: fold=1 lands before the jump, fold=0 after it; bisect to the jump, to the second.
    low = local.replace(fold=1).astimezone(UTC)
    high = instant
    before = low.astimezone(zone).utcoffset()
    while (high - low) > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0) if high.microsecond else high


def _window_intervals(schedule: Schedule, first_day: date, days: int) -> Iterator[tuple[datetime, datetime]]:
    """Each window occurrence starting on ``first_day`` or the ``days - 1`` days after, in time order."""
    zone = schedule.zone
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        todays = sorted((w for w in schedule.windows if w.weekday == day.weekday()), key=lambda w: w.start)
        for window in todays:
            end_day = day if window.end > window.start else day + timedelta(days=1)
            yield wall_to_instant(day, window.start, zone), wall_to_instant(end_day, window.end, zone)


def _closed_ranges(schedule: Schedule) -> list[tuple[datetime, datetime]]:
    zone = schedule.zone
    ranges = [(c.starts_at.astimezone(UTC), c.ends_at.astimezone(UTC)) for c in schedule.closures]
    for day in schedule.holidays:
        midnight = time(0, 0)
        ranges.append(
            (wall_to_instant(day, midnight, zone), wall_to_instant(day + timedelta(1), midnight, zone))
        )
    return sorted(r for r in ranges if r[1] > r[0])


def _past_closures(moment: datetime, closed: list[tuple[datetime, datetime]]) -> datetime:
    """The first instant at or after ``moment`` that no closure covers."""
    moved = True
    while moved:
        moved = False
        for starts, ends in closed:
            if starts <= moment < ends:
                moment = ends
                moved = True
    return moment


def next_opening(schedule: Schedule, at: datetime) -> datetime | None:
    """The first instant at or after ``at`` when the schedule is open: ``at`` itself while it is open.

    ``None`` when it does not open within :data:`HORIZON_DAYS` (no windows, or closed for longer). The
    result is in UTC, on purpose: Python never finds two datetimes of different zones equal when one falls
    in a repeated hour, so a local result would compare wrong on fall-back nights. Show it with
    ``.astimezone(schedule.zone)``.
    """
    _require_aware(at, "at")
    zone = schedule.zone
    moment = at.astimezone(UTC)
    closed = _closed_ranges(schedule)
    # Start a day early: last night's window may still be running past midnight.
    first_day = at.astimezone(zone).date() - timedelta(days=1)
    for opens, closes in _window_intervals(schedule, first_day, HORIZON_DAYS + 2):
        if closes <= moment:
            continue
        candidate = _past_closures(max(opens, moment), closed)
        if candidate < closes:
            return candidate
    return None


def is_open(schedule: Schedule, at: datetime) -> bool:
    """Whether ``at`` falls inside a window and outside every closure."""
    opening = next_opening(schedule, at)
    return opening is not None and opening == at.astimezone(UTC)


def zone_label(name: str) -> str:
    """How a customer reads the zone: "America/New_York" -> "New York time", "UTC" -> "UTC"."""
    if "/" not in name or name.startswith("Etc/"):
        return name.removeprefix("Etc/")
    return _("%(city)s time") % {"city": name.rsplit("/", 1)[1].replace("_", " ")}


def clock_text(moment: datetime) -> str:
    """24-hour clock without a leading zero, as people say it: 9:00, 13:30."""
    return f"{moment.hour}:{moment.minute:02d}"


def describe_next_opening(schedule: Schedule, at: datetime) -> str:
    """What the customer is told about when the team is back, e.g. "We're back Monday at 9:00 (New York
    time)", with "today" and "tomorrow" when they fit and the date when it is a week or more away."""
    opening = next_opening(schedule, at)
    if opening is None:
        return _("We're closed for now and will reply as soon as we're back")
    if opening == at.astimezone(UTC):
        return _("We're open now")
    opening = opening.astimezone(schedule.zone)
    today = at.astimezone(schedule.zone).date()
    days_away = (opening.date() - today).days
    parts = {"time": clock_text(opening), "zone": zone_label(schedule.timezone)}
    if days_away == 0:
        return _("We're back today at %(time)s (%(zone)s)") % parts
    if days_away == 1:
        return _("We're back tomorrow at %(time)s (%(zone)s)") % parts
    # Django's own catalogs name the weekdays and months in the active language.
    parts["day"] = WEEKDAYS[opening.weekday()]
    if days_away < 7:
        return _("We're back %(day)s at %(time)s (%(zone)s)") % parts
    parts["date"] = f"{opening.day} {MONTHS[opening.month]}"
    return _("We're back %(day)s %(date)s at %(time)s (%(zone)s)") % parts
