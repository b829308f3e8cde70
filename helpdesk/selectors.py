"""Reads of the core domain. Each takes the tenant and starts from ``for_tenant()``."""

from __future__ import annotations

from collections.abc import Iterable

from helpdesk.access import access_conversation
from helpdesk.models import Conversation, Membership, Message, Tenant

RESUME_LIMIT = 500
# How many messages one resume frame carries; a longer history goes out in several pages.
RESUME_PAGE = 200


def conversation_get(*, tenant: Tenant | int, conversation_id: int | str) -> Conversation:
    """The conversation, if it belongs to ``tenant``; another tenant's and a missing one are both 404."""
    return access_conversation(tenant=tenant, conversation_id=conversation_id)


def messages_after(
    *, conversation: Conversation, last_seq: int = 0, include_private: bool = False, limit: int = RESUME_LIMIT
) -> list[Message]:
    """Up to ``limit`` messages with ``seq`` greater than ``last_seq``, oldest first.

    A caller that must not stop at ``limit`` pages with :func:`messages_page`.
    """
    return messages_page(
        conversation=conversation, last_seq=last_seq, include_private=include_private, limit=limit
    )[0]


def messages_page(
    *, conversation: Conversation, last_seq: int = 0, include_private: bool = False, limit: int = RESUME_PAGE
) -> tuple[list[Message], bool]:
    """One page of what a resuming client missed after ``last_seq``, and whether more follows it.

    One query: it reads ``limit + 1`` rows, so the extra row answers "more?" without a count.
    """
    qs = Message.objects.for_tenant(conversation.tenant_id).filter(
        conversation_id=conversation.pk, seq__gt=last_seq
    )
    if not include_private:
        qs = qs.filter(private=False)
    rows = list(qs.order_by("seq")[: limit + 1])
    return rows[:limit], len(rows) > limit


def author_names(tenant_id: int, messages: Iterable[Message]) -> dict[int, str]:
    """Display names of the agents who wrote ``messages``, in one query."""
    user_ids = {m.author_id for m in messages if m.author_id}
    if not user_ids:
        return {}
    rows = Membership.objects.for_tenant(tenant_id).filter(user_id__in=user_ids).select_related("user")
    return {m.user_id: m.name for m in rows}
