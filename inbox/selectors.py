"""Reads for the inbox: queues and what agents see."""

from __future__ import annotations

from django.db.models import Count

from helpdesk.models import Conversation, Tenant
from inbox.models import AgentPresence, Queue
from inbox.online import online_filter


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


def agents_free_capacity(queue: Queue) -> int:
    """How many more conversations the queue's online agents can take right now."""
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


def inbox_lists(*, tenant: Tenant | int, user, limit: int = 50) -> dict[str, list[Conversation]]:
    """The three lists of the inbox page, each a fixed number of queries whatever the volume."""
    base = Conversation.objects.for_tenant(tenant).select_related("contact", "assignee")
    return {
        "waiting": list(base.waiting().order_by("waiting_since")[:limit]),
        "mine": list(
            base.filter(status=Conversation.Status.ASSIGNED, assignee=user).order_by("-updated_at")[:limit]
        ),
        "open": list(base.open().order_by("-updated_at")[:limit]),
    }
