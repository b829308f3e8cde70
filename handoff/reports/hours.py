"""A queue's business hours over a report's range as intervals of real time, and the database condition
"created inside its queue's hours" built from them.

The rules are the tickets app's (:mod:`tickets.hours`, whose ``is_open`` answers for one moment): a
moment is open when it falls inside an occurrence of a weekly window (wall-clock time in the schedule's
zone, past midnight when ``end <= start``, daylight-saving gaps and repeats resolved by
``wall_to_instant``) and outside every closure and holiday. Here the same occurrences are listed for a
whole range at once, merged, and the closures cut out, so the database can count handoffs inside them
with range comparisons instead of asking ``is_open`` once per handoff. A test checks both agree minute
by minute across daylight-saving changes, overnight windows and closures.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, TextField, Value

from tickets import hours
from tickets.hours import Schedule, wall_to_instant
from tickets.models import BusinessHours, Closure, OpeningWindow

Interval = tuple[datetime, datetime]


def _merged(intervals: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _minus(intervals: list[Interval], cuts: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for start, end in intervals:
        pieces = [(start, end)]
        for cut_start, cut_end in cuts:
            kept = []
            for a, b in pieces:
                if cut_end <= a or cut_start >= b:
                    kept.append((a, b))
                    continue
                if a < cut_start:
                    kept.append((a, cut_start))
                if cut_end < b:
                    kept.append((cut_end, b))
            pieces = kept
        out.extend(pieces)
    return out


def open_intervals(schedule: Schedule, start: datetime, end: datetime) -> list[Interval]:
    """The open stretches of ``schedule`` within ``[start, end)``, in UTC, sorted and disjoint."""
    zone = schedule.zone
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    # From the day before: last night's window may still be running past midnight.
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    windows: list[Interval] = []
    while day <= last:
        for window in schedule.windows:
            if window.weekday != day.weekday():
                continue
            end_day = day if window.end > window.start else day + timedelta(days=1)
            windows.append(
                (wall_to_instant(day, window.start, zone), wall_to_instant(end_day, window.end, zone))
            )
        day += timedelta(days=1)
    closed = [(c.starts_at.astimezone(UTC), c.ends_at.astimezone(UTC)) for c in schedule.closures]
    midnight = time(0)
    closed += [
        (wall_to_instant(d, midnight, zone), wall_to_instant(d + timedelta(days=1), midnight, zone))
        for d in schedule.holidays
    ]
    opened = _minus(_merged(windows), _merged(closed))
    return [(max(a, start), min(b, end)) for a, b in opened if b > start and a < end]


def tenant_schedules(
    *, tenant_id: int, start: datetime, end: datetime, zones: dict[int, str] | None = None
) -> dict[int, Schedule]:
    """Every queue of the tenant that has business hours, by queue id, with the closures that touch the
    range (three queries: hours, unless ``zones`` already names them, windows, closures). Hours without
    a window are never open."""
    if zones is None:
        zones = dict(
            BusinessHours.objects.for_tenant(tenant_id).order_by().values_list("queue_id", "timezone")
        )
    windows: dict[int, list[hours.Window]] = {}
    rows = OpeningWindow.objects.for_tenant(tenant_id).order_by()
    for queue_id, weekday, opens, closes in rows.values_list("hours__queue_id", "weekday", "start", "end"):
        windows.setdefault(queue_id, []).append(hours.Window(weekday, opens, closes))
    closures: dict[int, list[hours.Closure]] = {}
    rows = Closure.objects.for_tenant(tenant_id).filter(ends_at__gt=start, starts_at__lt=end).order_by()
    for queue_id, starts_at, ends_at in rows.values_list("hours__queue_id", "starts_at", "ends_at"):
        closures.setdefault(queue_id, []).append(hours.Closure(starts_at, ends_at))
    return {
        queue_id: Schedule(
            timezone=zone,
            windows=tuple(windows.get(queue_id, ())),
            closures=tuple(closures.get(queue_id, ())),
        )
        for queue_id, zone in zones.items()
    }


class WithinRanges(Func):
    """``field <@ '{[a,b),...}'::tstzmultirange`` on PostgreSQL: whether a moment falls in any of the
    ranges, found by a binary search over them rather than one comparison per range."""

    arg_joiner = " <@ "
    template = "(%(expressions)s::tstzmultirange)"
    output_field = BooleanField()


def multirange_literal(intervals: list[Interval]) -> str:
    return "{" + ",".join(f'["{a.isoformat()}","{b.isoformat()}")' for a, b in intervals) + "}"


def inside_hours_q(
    schedules: dict[int, Schedule], *, start: datetime, end: datetime, field: str = "created_at"
) -> Q:
    """Rows whose ``field`` falls inside their queue's business hours. A queue with hours but no
    windows is never open; rows of a queue without hours are always inside (as the product treats
    them); rows with no queue are never inside. On PostgreSQL each queue's open stretches are one
    multirange; elsewhere a chain of range comparisons."""
    condition = Q(queue_id__isnull=False)
    if schedules:
        condition &= ~Q(queue_id__in=list(schedules))
    for queue_id, schedule in schedules.items():
        intervals = open_intervals(schedule, start, end)
        if not intervals:
            continue
        if connection.vendor == "postgresql":
            spans = Q(WithinRanges(F(field), Value(multirange_literal(intervals), output_field=TextField())))
        else:
            spans = Q()
            for a, b in intervals:
                spans |= Q(**{f"{field}__gte": a, f"{field}__lt": b})
        condition |= Q(queue_id=queue_id) & spans
    return condition
