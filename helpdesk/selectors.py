"""Reads of the core domain. Each takes the tenant and starts from ``for_tenant()``."""

from __future__ import annotations

from collections.abc import Iterable

from helpdesk.errors import NotFound
from helpdesk.models import Conversation, Membership, Message, Tenant

RESUME_LIMIT = 500
# How many messages one resume frame carries; a longer history goes out in several pages.
RESUME_PAGE = 200


def conversation_get(*, tenant: Tenant | int, conversation_id: int | str) -> Conversation:
    """The conversation, if it belongs to ``tenant``; another tenant's and a missing one are both 404."""
    try:
        return (
            Conversation.objects.for_tenant(tenant)
            .select_related("contact", "bot", "assignee")
            .get(pk=int(conversation_id))
        )
    except (Conversation.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise NotFound("No such conversation.") from exc


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


def message_payload(message: Message, *, author_name: str | None = None) -> dict:
    """The one wire shape of a message, used by both sockets and the API."""
    if author_name is None:
        if message.author_kind == Message.Author.BOT:
            author_name = message.conversation.bot.name if message.conversation_id else "Bot"
        elif message.author_kind == Message.Author.AGENT and message.author_id:
            author_name = author_names(message.tenant_id, [message]).get(message.author_id, "Agent")
        else:
            author_name = ""
    return {
        "id": message.pk,
        "conversation_id": message.conversation_id,
        "seq": message.seq,
        "author_kind": message.author_kind,
        "author_name": author_name,
        "body": message.body,
        "private": message.private,
        "client_msg_id": message.client_msg_id or None,
        "data": message.data,
        "created_at": message.created_at.isoformat(),
    }


def messages_payload(conversation: Conversation, messages: list[Message]) -> list[dict]:
    names = author_names(conversation.tenant_id, messages)
    bot_name = conversation.bot.name
    out = []
    for m in messages:
        if m.author_kind == Message.Author.BOT:
            name = bot_name
        elif m.author_kind == Message.Author.AGENT:
            name = names.get(m.author_id, "Agent")
        else:
            name = ""
        out.append(message_payload(m, author_name=name))
    return out


# What a customer may see of a message: the wire shape minus everything internal. ``data`` keeps only
# the keys the widget renders; the bot's usage, confidence, responder, reply_to, sentiment and
# unresolved counts stay with the agents.
PUBLIC_MESSAGE_FIELDS = ("id", "conversation_id", "seq", "author_kind", "author_name", "body")
PUBLIC_MESSAGE_FIELDS += ("client_msg_id", "created_at")
PUBLIC_DATA_KEYS = ("sources", "greeting", "event", "offline", "queue_position", "wait_seconds")
PUBLIC_SOURCE_KEYS = ("title", "url")


def public_message_payload(payload: dict) -> dict:
    """The customer's view of a :func:`message_payload` dict, built from an allow-list.

    Built from the dict rather than the row so it also filters events that arrive over the layer.
    """
    out = {key: payload.get(key) for key in PUBLIC_MESSAGE_FIELDS}
    data = payload.get("data") or {}
    public = {key: data[key] for key in PUBLIC_DATA_KEYS if key in data}
    if "sources" in public:
        public["sources"] = [
            {key: source.get(key, "") for key in PUBLIC_SOURCE_KEYS}
            for source in public["sources"] or []
            if isinstance(source, dict)
        ]
    out["data"] = public
    return out


def conversation_payload(conversation: Conversation) -> dict:
    return {
        "id": conversation.pk,
        "status": conversation.status,
        "channel": conversation.channel,
        "bot_id": conversation.bot_id,
        "contact": {
            "id": conversation.contact_id,
            "name": conversation.contact.name,
            "email": conversation.contact.email,
        },
        "assignee_id": conversation.assignee_id,
        "handoff_reason": conversation.handoff_reason,
        "handoff_reason_label": conversation.get_handoff_reason_display()
        if conversation.handoff_reason
        else "",
        "waiting_since": conversation.waiting_since.isoformat() if conversation.waiting_since else None,
        "collected": conversation.collected,
        "last_seq": conversation.last_seq,
        "updated_at": conversation.updated_at.isoformat() if conversation.updated_at else None,
    }
