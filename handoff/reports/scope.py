"""What a report covers: whole days in one time zone, optionally one bot or one queue, and whose agent
figures the viewer may see.

- Days are calendar days in the report's time zone: the queue's business-hours zone when a queue (or
  the bot's queue) is chosen and has hours, else the zone every queue of the tenant shares, else UTC. A
  day runs from local midnight to local midnight (23 or 25 hours across a daylight-saving change).
- The default is the last 28 days, today included; at most 366 days at once.
- Up to 35 days the figures are per day; longer ranges are per ISO week (weeks start on Monday, so the
  first and last week may be partial).
- The previous period is the same number of days just before the first day.
- Tenant admins and leads see every agent's figures; an agent sees
  only their own in the agents table, and only the customers' comments on the conversations they
  resolved. An API key acts for the tenant and sees everything.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from helpdesk.access import access_bot, access_row
from helpdesk.errors import InvalidInput
from helpdesk.models import Bot, Membership, Queue, Tenant
from tickets.hours import wall_to_instant, zone_get
from tickets.models import BusinessHours

DEFAULT_DAYS = 28
MAX_DAYS = 366
DAILY_UP_TO_DAYS = 35
DAY, WEEK = "day", "week"
# Days a report may name: wide enough for any helpdesk's history, and far from the calendar's ends.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
# Roles that see every agent's figures. ``lead`` is accepted for tenants whose memberships carry it.
LEAD_ROLES = frozenset({Membership.Role.ADMIN.value, Membership.Role.LEAD.value})


@dataclass(frozen=True)
class ReportScope:
    tenant_id: int
    first_day: date
    last_day: date
    zone_name: str = "UTC"
    bot: Bot | None = None
    queue: Queue | None = None
    # None: every agent's figures; otherwise only this user's (an agent looking at their own).
    agent_user_id: int | None = None
    # (queue id, zone) of every queue with business hours, as read to choose the zone.
    hours_zones: tuple[tuple[int, str], ...] | None = None

    @property
    def zone(self) -> ZoneInfo:
        return zone_get(self.zone_name)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def start(self) -> datetime:
        """The first day's local midnight, as an aware UTC instant (inclusive)."""
        return wall_to_instant(self.first_day, time(0), self.zone)

    @property
    def end(self) -> datetime:
        """The local midnight after the last day (exclusive)."""
        return wall_to_instant(self.last_day + timedelta(days=1), time(0), self.zone)

    @property
    def bucket(self) -> str:
        return DAY if self.days <= DAILY_UP_TO_DAYS else WEEK

    def buckets(self) -> list[date]:
        """Every bucket's first day, in order: each day, or each week's Monday (the first one may fall
        before ``first_day``)."""
        if self.bucket == DAY:
            return [self.first_day + timedelta(days=n) for n in range(self.days)]
        monday = self.first_day - timedelta(days=self.first_day.weekday())
        out = []
        while monday <= self.last_day:
            out.append(monday)
            monday += timedelta(days=7)
        return out

    def previous(self) -> ReportScope:
        """The same number of days just before this period."""
        return replace(
            self,
            first_day=self.first_day - timedelta(days=self.days),
            last_day=self.first_day - timedelta(days=1),
        )

    def describe(self) -> dict:
        return {
            "from": self.first_day,
            "to": self.last_day,
            "timezone": self.zone_name,
            "bucket": self.bucket,
            "previous_from": self.previous().first_day,
            "previous_to": self.previous().last_day,
            "bot_id": self.bot.pk if self.bot else None,
            "queue_id": self.queue.pk if self.queue else None,
        }


def hours_zones(tenant_id: int) -> dict[int, str]:
    """The zone of each queue that has business hours (one query)."""
    rows = (
        BusinessHours.objects.for_tenant(tenant_id).order_by("queue_id").values_list("queue_id", "timezone")
    )
    return dict(rows)


def report_zone(zones: dict[int, str], *, bot: Bot | None, queue: Queue | None) -> str:
    """The zone a report's days are counted in: the chosen queue's, else the bot's queue's, else the one
    zone all the tenant's business hours share, else UTC."""
    for queue_id in (queue.pk if queue else None, bot.queue_id if bot else None):
        if queue_id in zones:
            return zones[queue_id]
    shared = set(zones.values())
    return shared.pop() if len(shared) == 1 else "UTC"


def range_check(first_day: date | None, last_day: date | None, *, today: date) -> tuple[date, date]:
    """The days asked for, with the defaults filled in, or :class:`InvalidInput` naming the field."""
    for name, day in (("from", first_day), ("to", last_day)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise InvalidInput(
                f"Ask for days between {FIRST_DAY.year} and {LAST_DAY.year}.",
                fields={name: [f"Must be between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}."]},
            )
    if last_day is None:
        last_day = max(today, first_day) if first_day else today
    if first_day is None:
        first_day = last_day - timedelta(days=DEFAULT_DAYS - 1)
    if first_day > last_day:
        raise InvalidInput(
            "The first day is after the last day.",
            fields={"to": [f"Must be on or after {first_day.isoformat()}."]},
        )
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise InvalidInput(
            f"Ask for at most {MAX_DAYS} days at once.",
            fields={"to": [f"At most {MAX_DAYS} days from the first day."]},
        )
    return first_day, last_day


def report_scope(
    *,
    tenant: Tenant | int,
    first_day: date | None = None,
    last_day: date | None = None,
    bot_id=None,
    queue_id=None,
    viewer: Membership | None = None,
    now: datetime | None = None,
) -> ReportScope:
    """The scope of a report. A bot or queue id that is not the tenant's is :class:`NotFound` (404),
    a reversed or too long range :class:`InvalidInput` (400). ``viewer`` None is an API key."""
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    bot = access_bot(tenant=tenant_id, bot_id=bot_id) if bot_id not in (None, "") else None
    queue = (
        access_row(Queue, tenant=tenant_id, pk=queue_id, what="queue") if queue_id not in (None, "") else None
    )
    zones = hours_zones(tenant_id)
    zone_name = report_zone(zones, bot=bot, queue=queue)
    today = (now or timezone.now()).astimezone(zone_get(zone_name)).date()
    first_day, last_day = range_check(first_day, last_day, today=today)
    sees_everyone = viewer is None or viewer.role in LEAD_ROLES
    return ReportScope(
        tenant_id=tenant_id,
        first_day=first_day,
        last_day=last_day,
        zone_name=zone_name,
        bot=bot,
        queue=queue,
        agent_user_id=None if sees_everyone else viewer.user_id,
        hours_zones=tuple(zones.items()),
    )
