"""Reads for the inbox: queues and what agents see."""

from __future__ import annotations

from helpdesk.models import Conversation, Tenant
from inbox.models import Queue


def queue_is_open(queue: Queue) -> bool:
    """Whether a handoff to ``queue`` should wait for an agent now (business hours and presence refine it)."""
    return queue is not None


def queue_position(*, tenant: Tenant | int, conversation: Conversation) -> int:
    """1-based position of a waiting conversation among its tenant's waiting ones, oldest first."""
    return (
        Conversation.objects.for_tenant(tenant)
        .waiting()
        .filter(waiting_since__lte=conversation.waiting_since)
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
