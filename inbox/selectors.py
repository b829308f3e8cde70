"""Reads for the inbox: queues and what agents see."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from helpdesk.models import Conversation, Membership, Message, Queue, Tenant
from inbox.filters import ME, NOBODY, OPEN, InboxFilters
from inbox.models import AgentPresence, CannedReply, ReadMarker
from inbox.online import online_filter
from inbox.search import conversation_search


def queue_agents_online(queue: Queue) -> list[AgentPresence]:
    """Presence of the queue's members who are online now, with a fresh heartbeat."""
    return list(
        AgentPresence.objects.for_tenant(queue.tenant_id)
        .filter(online_filter(), user__in=queue.members.all())
        .select_related("user")
    )


def queue_is_staffed(queue: Queue) -> bool:
    """Whether someone can pick a handoff up now: a member online, unless the queue does not require it."""
    return not queue.require_agent_online or bool(queue_agents_online(queue))


def agents_free_capacity(queue: Queue, online: list[AgentPresence] | None = None) -> int:
    """How many more conversations the queue's online agents can take right now (``online``: the
    queue's online agents, when the caller has read them already)."""
    if online is None:
        online = queue_agents_online(queue)
    if not online:
        return 0
    busy = dict(
        Conversation.objects.for_tenant(queue.tenant_id)
        .filter(status=Conversation.Status.ASSIGNED, assignee__in=[p.user_id for p in online])
        .values_list("assignee")
        .annotate(n=Count("id"))
    )
    return sum(max(0, p.capacity - busy.get(p.user_id, 0)) for p in online)


@dataclass(frozen=True)
class QueueLoad:
    agents_online: int
    free_capacity: int


QUEUE_LOAD_SECONDS = 5.0
_queue_loads: dict[int, tuple[float, QueueLoad]] = {}


def queue_load(queue: Queue) -> QueueLoad:
    """How many of the queue's agents are online and how many more conversations they can take, as of at
    most ``QUEUE_LOAD_SECONDS`` ago in this process.

    For the wait a customer is told, not for routing: it is asked on every handoff, and during a burst of
    handoffs its two presence queries were a quarter of a handoff's work; a few seconds old is close enough
    for "about 4 minutes". Routing decisions read presence fresh (``queue_is_staffed``).
    """
    now = time.monotonic()
    cached = _queue_loads.get(queue.pk)
    if cached is not None and now - cached[0] < QUEUE_LOAD_SECONDS:
        return cached[1]
    online = queue_agents_online(queue)
    load = QueueLoad(agents_online=len(online), free_capacity=agents_free_capacity(queue, online))
    _queue_loads[queue.pk] = (now, load)
    return load


def queue_loads_forget() -> None:
    _queue_loads.clear()


def queue_position(*, tenant: Tenant | int, conversation: Conversation) -> int:
    """1-based position of a waiting conversation in its queue, oldest first."""
    return (
        Conversation.objects.for_tenant(tenant)
        .waiting()
        .filter(queue_id=conversation.queue_id, waiting_since__lte=conversation.waiting_since)
        .exclude(pk=conversation.pk)
        .count()
        + 1
    )


LIST_PAGE = 50
INBOX_LISTS = ("waiting", "mine", "open")


def _with_unread(qs, user):
    """Annotate ``unread``: customer messages after the agent's read marker, in the same query."""
    # Nested inside the message count below, so the conversation is two levels out.
    marker = ReadMarker.objects.filter(user=user, conversation=OuterRef(OuterRef("pk"))).values(
        "last_read_seq"
    )[:1]
    unread = (
        Message.objects.filter(
            conversation=OuterRef("pk"),
            author_kind=Message.Author.CUSTOMER,
            seq__gt=Coalesce(Subquery(marker), 0),
        )
        .values("conversation")
        # COUNT(*), not of a column: the count is read from the index of customer messages alone.
        .annotate(n=Count("*"))
        .values("n")
    )
    return qs.annotate(unread=Coalesce(Subquery(unread), 0))


def _list_rows(*, tenant: Tenant | int, user, name: str):
    """The conversations of one list, in its order, and nothing else: what its index holds."""
    base = Conversation.objects.for_tenant(tenant)
    if name == "waiting":
        return base.waiting().order_by("waiting_since", "pk")
    if name == "mine":
        return base.filter(status=Conversation.Status.ASSIGNED, assignee=user).order_by("-updated_at", "pk")
    if name == "open":
        return base.open().order_by("-updated_at", "pk")
    raise ValueError(f"no inbox list {name!r}")


def _shown(rows, user):
    """What a row shows: its contact, assignee (with ``assignee_name``, the display name of their
    membership) and ``unread`` count, read with the rows."""
    rows = rows.select_related("contact", "assignee")
    # The assignee's name as agents know it in this tenant (the same name live events carry).
    assignee_name = Membership.objects.filter(
        tenant_id=OuterRef("tenant_id"), user_id=OuterRef("assignee_id")
    ).values("display_name")[:1]
    return _with_unread(rows, user).annotate(assignee_name=Subquery(assignee_name))


def inbox_list(*, tenant: Tenant | int, user, name: str):
    """One list of the inbox as a queryset: ``waiting`` (oldest first, the order they are served), ``mine``
    or ``open``. Each row carries what it shows (:func:`_shown`), so a page costs the same queries at any
    volume."""
    return _shown(_list_rows(tenant=tenant, user=user, name=name), user)


def _page_of(ids, rows, number) -> Page:
    """Page ``number`` (a bad number gives the nearest page) of the conversations ``ids`` lists in order,
    each read from ``rows``.

    Three queries at any depth: the count and the page's ids come from the list's index alone, then
    only those rows are joined and get their unread counts. (Asked in one query, a deep page would join
    and count every row it skips.)
    """
    page = Paginator(ids.values_list("pk", flat=True), LIST_PAGE).get_page(number)
    ids = list(page.object_list)
    found = {c.pk: c for c in rows.filter(pk__in=ids)}
    # A conversation that left the list between the two reads is left out.
    page.object_list = [found[pk] for pk in ids if pk in found]
    return page


def inbox_page(*, tenant: Tenant | int, user, name: str, number) -> Page:
    """Page ``number`` of one list, as :func:`inbox_list` rows (see :func:`_page_of`)."""
    return _page_of(
        _list_rows(tenant=tenant, user=user, name=name),
        inbox_list(tenant=tenant, user=user, name=name),
        number,
    )


def _filtered_rows(*, tenant: Tenant | int, user, filters: InboxFilters):
    rows = Conversation.objects.for_tenant(tenant)
    if filters.status == OPEN:
        rows = rows.open()
    elif filters.status:
        rows = rows.filter(status=filters.status)
    if filters.queue_id is not None:
        rows = rows.filter(queue_id=filters.queue_id)
    if filters.assignee == ME:
        rows = rows.filter(assignee=user)
    elif filters.assignee == NOBODY:
        rows = rows.filter(assignee__isnull=True)
    elif filters.assignee:
        rows = rows.filter(assignee_id=int(filters.assignee))
    if filters.reason:
        rows = rows.filter(handoff_reason=filters.reason)
    if filters.q:
        rows = rows.filter(conversation_search(tenant=tenant, text=filters.q))
    if filters.by_waiting_order:
        return rows.order_by("waiting_since", "pk")
    return rows.order_by("-updated_at", "pk")


def inbox_filtered_page(*, tenant: Tenant | int, user, filters: InboxFilters, number) -> Page:
    """Page ``number`` of the conversations ``filters`` asks for: waiting ones oldest first, the others by
    latest activity. The same queries at any volume (:func:`_page_of`). In a list of every waiting
    conversation of its queues (``filters.positional``) each row gets its ``position`` in its queue, counted
    in the database, so it is right on any page."""
    ids = _filtered_rows(tenant=tenant, user=user, filters=filters)
    rows = _shown(ids, user)
    if filters.positional:
        ahead = (
            Conversation.objects.for_tenant(tenant)
            .waiting()
            .filter(queue_id=OuterRef("queue_id"), waiting_since__lte=OuterRef("waiting_since"))
            .values("queue_id")
            .annotate(n=Count("*"))
            .values("n")
        )
        rows = rows.annotate(position=Subquery(ahead))
    return _page_of(ids, rows, number)


def inbox_lists(*, tenant: Tenant | int, user, limit: int = LIST_PAGE) -> dict[str, list[Conversation]]:
    """The first page of each list of the inbox page. Waiting rows get their 1-based queue position."""
    lists = {name: list(inbox_list(tenant=tenant, user=user, name=name)[:limit]) for name in INBOX_LISTS}
    seen: dict[int | None, int] = {}
    for conversation in lists["waiting"]:
        seen[conversation.queue_id] = seen.get(conversation.queue_id, 0) + 1
        conversation.position = seen[conversation.queue_id]
    return lists


CONVERSATION_PAGE = 100


def conversation_messages_tail(
    *, conversation: Conversation, before_seq: int | None = None, limit: int = CONVERSATION_PAGE
) -> tuple[list[Message], int | None]:
    """The conversation's messages in the ``limit`` seqs before ``before_seq`` (its latest ones without
    it, up to ``last_seq`` as read with the conversation), oldest first, private notes included; and the
    ``before_seq`` of the page before them, None at the start.

    A conversation's seqs run 1..last_seq without gaps (each is taken with the conversation's counter in
    the transaction that stores the message), so a page is a window of seqs, read as one range of the
    (conversation, seq) index: the planner cannot take it for the whole history and sort it, and the
    page costs one query at any length. Messages newer than ``last_seq`` reach the page over the socket,
    which resumes from it.
    """
    end = conversation.last_seq + 1
    if before_seq is not None:
        end = min(end, before_seq)
    start = max(1, end - limit)
    rows = list(
        Message.objects.for_tenant(conversation.tenant_id)
        .filter(conversation_id=conversation.pk, seq__gte=start, seq__lt=end)
        .order_by("seq")
    )
    return rows, start if start > 1 else None


def contact_history(conversation: Conversation, limit: int = 10) -> list[Conversation]:
    """The contact's other conversations, newest first, for the agent's context card."""
    return list(
        Conversation.objects.for_tenant(conversation.tenant_id)
        .filter(contact_id=conversation.contact_id)
        .exclude(pk=conversation.pk)
        .order_by("-created_at")[:limit]
    )


def canned_replies(*, tenant: Tenant | int) -> list[CannedReply]:
    return list(CannedReply.objects.for_tenant(tenant).order_by("title"))
