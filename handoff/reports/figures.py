"""The report's figures, counted by the database: a fixed number of queries whatever the range holds.

Definitions (all times are the rows' own timestamps):

- **Conversations** of a period are those created in it. One the bot **resolved without a person** is
  resolved and has no handoff; a **handed off** one has at least one. The **deflection rate** is
  resolved by the bot / (resolved by the bot + handed off); conversations still open with the bot count
  in neither. With a queue chosen, a conversation belongs to it when it was worked in that queue, or,
  never handed off, when its bot hands off to that queue.
- **Handoffs** of a period are those created in it (``Handoff.created_at``), by reason and queue;
  **inside business hours** when that moment falls in its queue's hours (a queue without hours is
  always inside; a handoff without a queue is neither); **offline** when it went to the offline path
  (at once, or after nobody picked it up in time), and **tickets opened** are those of the conversations
  of its offline handoffs.
- **Pickup** is from the handoff (``created_at``) to an agent joining (``accepted_at``), over handoffs
  an agent accepted; median (p50) and p90 per queue, overall, and per hour of the week in the report's
  time zone.
- **Agents**: handoffs an agent accepted (``accepted_by``). Conversations handled counts distinct
  conversations; **first response** is from the agent joining to their first message visible to the
  customer (not a private note) at or after it and before the handoff ended (another agent's message,
  after a transfer, is not theirs); **resolution** is from the agent joining to the end of the handoff
  when that end was the agent's resolution: the conversation is resolved, still assigned to them (the bot
  resolving it after they handed it back, or a colleague after a transfer, is not theirs), and no later
  handoff followed.

Percentiles are ``percentile_cont`` on PostgreSQL; on SQLite the durations are read (one query) and the
same interpolation runs in Python (:mod:`handoff.reports.stats`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from functools import cached_property

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDay, TruncWeek
from django.db.models.lookups import IsNull

from handoff.models import Handoff
from handoff.reports.hours import inside_hours_q, tenant_schedules
from handoff.reports.scope import DAY, ReportScope
from handoff.reports.stats import PercentileCont, Seconds, database_percentiles, percentile, rounded
from helpdesk.models import Bot, Conversation, Membership, Message, Queue
from helpdesk.reasons import HandoffReason, reason_label

NO_QUEUE = "No queue"


class Names:
    """The tenant's bots, queues and agents by id, each read once (one query each) when first needed."""

    def __init__(self, tenant_id: int) -> None:
        self.tenant_id = tenant_id

    @cached_property
    def bots(self) -> dict[int, str]:
        rows = Bot.objects.for_tenant(self.tenant_id).order_by("name", "pk").values_list("pk", "name")
        return dict(rows)

    @cached_property
    def queues(self) -> dict[int, str]:
        rows = Queue.objects.for_tenant(self.tenant_id).order_by("name", "pk").values_list("pk", "name")
        return dict(rows)

    @cached_property
    def agents(self) -> dict[int, str]:
        """Member names by user id, in name order."""
        members = Membership.objects.for_tenant(self.tenant_id).select_related("user")
        named = sorted(((m.user_id, m.name) for m in members), key=lambda pair: (pair[1].casefold(), pair[0]))
        return dict(named)

    def bot(self, bot_id: int | None) -> str:
        return self.bots.get(bot_id, f"Bot #{bot_id}")

    def queue(self, queue_id: int | None) -> str:
        if queue_id is None:
            return NO_QUEUE
        return self.queues.get(queue_id, f"Queue #{queue_id}")

    def agent(self, user_id: int) -> str:
        return self.agents.get(user_id, f"Former agent #{user_id}")


def _trunc(scope: ReportScope, field: str):
    kind = TruncDay if scope.bucket == DAY else TruncWeek
    return kind(field, tzinfo=scope.zone, output_field=DateTimeField())


def _bucket_day(value: datetime | date, scope: ReportScope) -> date:
    if isinstance(value, datetime):
        return value.astimezone(scope.zone).date()
    return value


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def bot_queue_q(scope: ReportScope, prefix: str = "") -> Q:
    """Conversations of the scope's bot and queue (a queue's: worked in it, or never handed off and of a
    bot that hands off to it); ``prefix`` reaches them from another model (``"conversation__"``)."""
    q = Q()
    if scope.bot is not None:
        q &= Q(**{f"{prefix}bot_id": scope.bot.pk})
    if scope.queue is not None:
        q &= Q(**{f"{prefix}queue_id": scope.queue.pk}) | Q(
            **{f"{prefix}queue__isnull": True, f"{prefix}bot__queue_id": scope.queue.pk}
        )
    return q


def _conversation_q(scope: ReportScope, start: datetime, end: datetime, prefix: str = "") -> Q:
    """Conversations created in ``[start, end)`` of the scope's bot and queue."""
    return Q(**{f"{prefix}created_at__gte": start, f"{prefix}created_at__lt": end}) & bot_queue_q(
        scope, prefix
    )


def handoffs_in(scope: ReportScope) -> QuerySet:
    rows = (
        Handoff.objects.for_tenant(scope.tenant_id)
        .filter(created_at__gte=scope.start, created_at__lt=scope.end)
        .order_by()
    )
    if scope.bot is not None:
        rows = rows.filter(conversation__bot_id=scope.bot.pk)
    if scope.queue is not None:
        rows = rows.filter(queue_id=scope.queue.pk)
    return rows


# Deflection -----------------------------------------------------------------------------------------


def _deflection_cells(scope: ReportScope) -> dict[tuple[int, bool, date], dict]:
    """Counts by (bot, in the current period, bucket) over the previous and the current period (two
    queries: conversations and resolutions counted from conversations, handoffs from handoffs; no
    per-row subquery, so the planner's estimates stay small)."""
    previous = scope.previous()

    def current(field: str) -> Case:
        return Case(
            When(**{f"{field}__gte": scope.start}, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )

    conversations = (
        Conversation.objects.for_tenant(scope.tenant_id)
        .filter(_conversation_q(scope, previous.start, scope.end))
        .order_by()
        .annotate(current=current("created_at"), bucket=_trunc(scope, "created_at"))
        .values("bot_id", "current", "bucket")
        .annotate(
            conversations=Count("pk"), resolved=Count("pk", filter=Q(status=Conversation.Status.RESOLVED))
        )
    )
    handed = (
        Handoff.objects.for_tenant(scope.tenant_id)
        # A handoff follows its conversation's start: the bound lets the range index skip older ones.
        .filter(created_at__gte=previous.start)
        .filter(_conversation_q(scope, previous.start, scope.end, prefix="conversation__"))
        .order_by()
        .annotate(
            current=current("conversation__created_at"), bucket=_trunc(scope, "conversation__created_at")
        )
        .values("conversation__bot_id", "current", "bucket")
        .annotate(
            handed_off=Count("conversation_id", distinct=True),
            handed_resolved=Count(
                "conversation_id",
                distinct=True,
                filter=Q(conversation__status=Conversation.Status.RESOLVED),
            ),
        )
    )
    cells: dict[tuple[int, bool, date], dict] = defaultdict(
        lambda: {"conversations": 0, "resolved": 0, "handed_off": 0, "handed_resolved": 0}
    )
    for row in conversations:
        cell = cells[(row["bot_id"], row["current"], _bucket_day(row["bucket"], scope))]
        cell["conversations"] += row["conversations"]
        cell["resolved"] += row["resolved"]
    for row in handed:
        cell = cells[(row["conversation__bot_id"], row["current"], _bucket_day(row["bucket"], scope))]
        cell["handed_off"] += row["handed_off"]
        cell["handed_resolved"] += row["handed_resolved"]
    for cell in cells.values():
        cell["resolved_by_bot"] = cell["resolved"] - cell["handed_resolved"]
    return cells


def _deflection_figures(counts: dict) -> dict:
    resolved, handed = counts.get("resolved_by_bot", 0), counts.get("handed_off", 0)
    return {
        "conversations": counts.get("conversations", 0),
        "resolved_by_bot": resolved,
        "handed_off": handed,
        "deflection_rate": _rate(resolved, resolved + handed),
    }


def _summed(rows: list[dict]) -> dict:
    keys = ("conversations", "resolved_by_bot", "handed_off")
    return {key: sum(row.get(key, 0) for row in rows) for key in keys}


def _with_trend(current: dict, previous: dict) -> dict:
    now, before = _deflection_figures(current), _deflection_figures(previous)
    change = None
    if now["deflection_rate"] is not None and before["deflection_rate"] is not None:
        change = round((now["deflection_rate"] - before["deflection_rate"]) * 100, 1)
    return {**now, "previous": before, "change_points": change}


def deflection(scope: ReportScope, names: Names | None = None) -> dict:
    """Per bot and bucket, and per bot over the period against the previous one (two queries)."""
    names = names or Names(scope.tenant_id)
    cells: dict[tuple[int, date], dict] = {}
    current: dict[int, list[dict]] = defaultdict(list)
    before: dict[int, list[dict]] = defaultdict(list)
    for (bot_id, in_current, day), counts in _deflection_cells(scope).items():
        if in_current:
            cells[(bot_id, day)] = counts
            current[bot_id].append(counts)
        else:
            before[bot_id].append(counts)
    previous = {bot_id: _summed(rows) for bot_id, rows in before.items()}
    bot_ids = set(current) | set(previous)
    if scope.bot is not None:
        bot_ids.add(scope.bot.pk)
    ordered = sorted(bot_ids, key=lambda pk: (names.bot(pk).casefold(), pk))
    bots = [
        {"bot_id": pk, "bot_name": names.bot(pk), **_with_trend(_summed(current[pk]), previous.get(pk, {}))}
        for pk in ordered
    ]
    all_current = _summed([row for rows in current.values() for row in rows])
    total = _with_trend(all_current, _summed(list(previous.values())))
    series = [
        {
            "bucket": day,
            "bot_id": pk,
            "bot_name": names.bot(pk),
            **_deflection_figures(cells.get((pk, day), {})),
        }
        for pk in ordered
        for day in scope.buckets()
    ]
    return {"bots": bots, "total": total, "series": series}


# Handoffs by reason, queue and business hours -------------------------------------------------------------


def handoff_breakdown(scope: ReportScope, names: Names | None = None) -> dict:
    """Handoffs by reason over time, and by queue with business hours, offline path and tickets (four
    queries: the series, the queues' counts, and the windows and closures of business hours)."""
    names = names or Names(scope.tenant_id)
    rows = handoffs_in(scope)
    series_rows = (
        rows.annotate(bucket=_trunc(scope, "created_at")).values("bucket", "reason").annotate(n=Count("pk"))
    )
    schedules = tenant_schedules(
        tenant_id=scope.tenant_id,
        start=scope.start,
        end=scope.end,
        zones=None if scope.hours_zones is None else dict(scope.hours_zones),
    )
    inside = inside_hours_q(schedules, start=scope.start, end=scope.end)
    offline = Q(outcome=Handoff.Outcome.OFFLINE)
    queue_rows = list(
        rows.values("queue_id", "reason").annotate(
            handoffs=Count("pk"),
            inside=Count("pk", filter=inside),
            offline=Count("pk", filter=offline),
            tickets=Count("conversation__tickets", distinct=True, filter=offline),
        )
    )
    by_bucket: dict[tuple[date, str], int] = defaultdict(int)
    for row in series_rows:
        by_bucket[(_bucket_day(row["bucket"], scope), row["reason"])] += row["n"]
    totals: dict[str, int] = defaultdict(int)
    queues: dict[int | None, dict] = {}
    for row in queue_rows:
        totals[row["reason"]] += row["handoffs"]
        queue = queues.setdefault(
            row["queue_id"],
            {"by_reason": defaultdict(int), "handoffs": 0, "inside": 0, "offline": 0, "tickets": 0},
        )
        queue["by_reason"][row["reason"]] += row["handoffs"]
        for key in ("handoffs", "inside", "offline", "tickets"):
            queue[key] += row[key]
    reasons = _reason_order(totals)
    queue_out = []
    for queue_id in sorted(queues, key=lambda pk: (pk is None, names.queue(pk).casefold(), pk or 0)):
        q = queues[queue_id]
        has_queue = queue_id is not None
        queue_out.append(
            {
                "queue_id": queue_id,
                "queue_name": names.queue(queue_id),
                "has_hours": queue_id in schedules,
                "handoffs": q["handoffs"],
                "by_reason": {reason: q["by_reason"].get(reason, 0) for reason in reasons},
                "inside_hours": q["inside"] if has_queue else None,
                "outside_hours": q["handoffs"] - q["inside"] if has_queue else None,
                "offline": q["offline"],
                "offline_share": _rate(q["offline"], q["handoffs"]),
                "tickets_opened": q["tickets"],
            }
        )
    handoffs = sum(totals.values())
    inside_total = sum(q["inside_hours"] or 0 for q in queue_out)
    queued = sum(q["handoffs"] for q in queue_out if q["queue_id"] is not None)
    offline_total = sum(q["offline"] for q in queue_out)
    return {
        "reasons": [{"reason": r, "label": reason_label(r), "count": totals[r]} for r in reasons],
        "series": [
            {"bucket": day, "reason": r, "label": reason_label(r), "count": by_bucket.get((day, r), 0)}
            for day in scope.buckets()
            for r in reasons
        ],
        "queues": queue_out,
        "total": {
            "handoffs": handoffs,
            "inside_hours": inside_total,
            "outside_hours": queued - inside_total,
            "offline": offline_total,
            "offline_share": _rate(offline_total, handoffs),
            "tickets_opened": sum(q["tickets_opened"] for q in queue_out),
        },
    }


def _reason_order(totals: dict[str, int]) -> list[str]:
    """Reasons that occurred, in the vocabulary's order (so colours and columns stay put), then others."""
    known = [r for r in HandoffReason.values if totals.get(r)]
    return known + sorted(r for r in totals if r not in HandoffReason.values and totals[r])


# Pickup ---------------------------------------------------------------------------------------------------


def _pickup_figures(offered: int, accepted: int, p50: float | None, p90: float | None) -> dict:
    return {
        "offered": offered,
        "accepted": accepted,
        "p50_seconds": rounded(p50),
        "p90_seconds": rounded(p90),
    }


def pickup(scope: ReportScope, names: Names | None = None) -> dict:
    """Pickup times per queue, overall, and per hour of the week (three queries on PostgreSQL, one
    elsewhere)."""
    names = names or Names(scope.tenant_id)
    rows = handoffs_in(scope).filter(Q(offered_at__isnull=False) | Q(accepted_at__isnull=False))
    is_offered, is_accepted = Q(offered_at__isnull=False), Q(accepted_at__isnull=False)
    cells: dict[tuple[int, int], dict] = {}
    if database_percentiles(connection):
        wait = Seconds(F("accepted_at") - F("created_at"))
        figures = {
            "offered": Count("pk", filter=is_offered),
            "accepted": Count("pk", filter=is_accepted),
            "p50": PercentileCont(wait, 0.5),
            "p90": PercentileCont(wait, 0.9),
        }
        per_queue = {row["queue_id"]: row for row in rows.values("queue_id").annotate(**figures)}
        overall = rows.aggregate(**figures)
        heat = (
            rows.filter(is_accepted)
            .annotate(
                weekday=ExtractIsoWeekDay("created_at", tzinfo=scope.zone),
                hour=ExtractHour("created_at", tzinfo=scope.zone),
            )
            .values("weekday", "hour")
            .annotate(accepted=Count("pk"), p50=PercentileCont(wait, 0.5))
        )
        for row in heat:
            cells[(row["weekday"], row["hour"])] = {"accepted": row["accepted"], "p50": row["p50"]}
    else:
        waits: dict[int | None, list[float]] = defaultdict(list)
        offered: dict[int | None, int] = defaultdict(int)
        accepted: dict[int | None, int] = defaultdict(int)
        heat_waits: dict[tuple[int, int], list[float]] = defaultdict(list)
        zone = scope.zone
        for queue_id, created, offered_at, accepted_at in rows.values_list(
            "queue_id", "created_at", "offered_at", "accepted_at"
        ):
            offered[queue_id] += offered_at is not None
            if accepted_at is None:
                continue
            accepted[queue_id] += 1
            seconds = (accepted_at - created).total_seconds()
            waits[queue_id].append(seconds)
            local = created.astimezone(zone)
            heat_waits[(local.isoweekday(), local.hour)].append(seconds)
        per_queue = {
            queue_id: {
                "offered": offered[queue_id],
                "accepted": accepted[queue_id],
                "p50": percentile(waits[queue_id], 0.5),
                "p90": percentile(waits[queue_id], 0.9),
            }
            for queue_id in set(offered) | set(accepted)
        }
        every = [w for values in waits.values() for w in values]
        overall = {
            "offered": sum(offered.values()),
            "accepted": sum(accepted.values()),
            "p50": percentile(every, 0.5),
            "p90": percentile(every, 0.9),
        }
        for key, values in heat_waits.items():
            cells[key] = {"accepted": len(values), "p50": percentile(values, 0.5)}
    queues = [
        {
            "queue_id": pk,
            "queue_name": names.queue(pk),
            **_pickup_figures(row["offered"], row["accepted"], row["p50"], row["p90"]),
        }
        for pk, row in sorted(
            per_queue.items(),
            key=lambda item: (item[0] is None, names.queue(item[0]).casefold(), item[0] or 0),
        )
    ]
    heatmap = [
        {
            "weekday": weekday,
            "hour": hour,
            "accepted": cells.get((weekday, hour), {}).get("accepted", 0),
            "p50_seconds": rounded(cells.get((weekday, hour), {}).get("p50")),
        }
        for weekday in range(1, 8)
        for hour in range(24)
    ]
    return {
        "queues": queues,
        "total": _pickup_figures(
            overall["offered"] or 0, overall["accepted"] or 0, overall["p50"], overall["p90"]
        ),
        "heatmap": heatmap,
    }


# Agents ---------------------------------------------------------------------------------------------------


def agents(scope: ReportScope, names: Names | None = None) -> dict:
    """Per agent: conversations handled, first response and resolution times (one query, plus the
    tenant's members)."""
    names = names or Names(scope.tenant_id)
    rows = handoffs_in(scope).filter(accepted_by__isnull=False, accepted_at__isnull=False)
    if scope.agent_user_id is not None:
        rows = rows.filter(accepted_by_id=scope.agent_user_id)
    first_reply = (
        Message.objects.for_tenant(scope.tenant_id)
        .filter(
            conversation_id=OuterRef("conversation_id"),
            author_kind=Message.Author.AGENT,
            author_id=OuterRef("accepted_by_id"),
            private=False,
            created_at__gte=OuterRef("accepted_at"),
        )
        # Their first message after the handoff ended (handed back, then handed to them again) answered
        # a later handoff, not this one.
        .filter(IsNull(OuterRef("ended_at"), True) | Q(created_at__lte=OuterRef("ended_at")))
        .order_by("seq")
        .values("created_at")[:1]
    )
    later = Handoff.objects.for_tenant(scope.tenant_id).filter(
        conversation_id=OuterRef("conversation_id"), created_at__gt=OuterRef("created_at")
    )
    resolved = Q(
        ended_at__isnull=False,
        conversation__status=Conversation.Status.RESOLVED,
        conversation__assignee_id=F("accepted_by_id"),
    ) & ~Exists(later)
    rows = rows.annotate(first_reply_at=Subquery(first_reply, output_field=DateTimeField()))
    per_agent: dict[int, dict] = {}
    if database_percentiles(connection):
        # Each per-row subquery is named once: PostgreSQL runs a subquery once per mention, and counts
        # of replies and resolutions beside the medians doubled the query's time (101 against 52 ms for
        # 28 days of 100,000 conversations, 564 against 177 ms for 90).
        for row in rows.values("accepted_by_id").annotate(
            handled=Count("conversation_id", distinct=True),
            first_response=PercentileCont(Seconds(F("first_reply_at") - F("accepted_at")), 0.5),
            resolution=PercentileCont(Seconds(F("ended_at") - F("accepted_at")), 0.5, filter=resolved),
        ):
            per_agent[row["accepted_by_id"]] = row
    else:
        gathered: dict[int, dict] = defaultdict(
            lambda: {"conversations": set(), "first": [], "resolution": []}
        )
        values = rows.annotate(was_resolved=ExpressionWrapper(resolved, output_field=BooleanField()))
        for user_id, conversation_id, accepted_at, first_at, ended_at, was_resolved in values.values_list(
            "accepted_by_id", "conversation_id", "accepted_at", "first_reply_at", "ended_at", "was_resolved"
        ):
            agent = gathered[user_id]
            agent["conversations"].add(conversation_id)
            if first_at is not None:
                agent["first"].append((first_at - accepted_at).total_seconds())
            if was_resolved:
                agent["resolution"].append((ended_at - accepted_at).total_seconds())
        for user_id, agent in gathered.items():
            per_agent[user_id] = {
                "handled": len(agent["conversations"]),
                "first_response": percentile(agent["first"], 0.5),
                "resolution": percentile(agent["resolution"], 0.5),
            }
    if scope.agent_user_id is not None:
        user_ids = [scope.agent_user_id]
    else:
        user_ids = list(names.agents) + sorted(set(per_agent) - set(names.agents))
    out = []
    for user_id in user_ids:
        row = per_agent.get(user_id, {})
        out.append(
            {
                "user_id": user_id,
                "name": names.agent(user_id),
                "conversations_handled": row.get("handled", 0),
                "first_response_median_seconds": rounded(row.get("first_response")),
                "resolution_median_seconds": rounded(row.get("resolution")),
            }
        )
    out.sort(key=lambda a: -a["conversations_handled"])
    return {"agents": out, "only_own": scope.agent_user_id is not None}
