"""The wire shapes of the core's rows, one per kind, shared by sockets, the REST API, webhooks and events.

Services build events from them and the API serializes with them, so a field added here shows up on
every channel at once. A customer sees a message only through :func:`public_message_payload`.
"""

from __future__ import annotations

from django.urls import reverse

from helpdesk.attachments import attachments_prefetch, message_attachments
from helpdesk.formatting import markdown_html
from helpdesk.models import Attachment, Conversation, Message
from helpdesk.reasons import reason_label
from helpdesk.selectors import author_names


def attachment_payload(attachment: Attachment) -> dict:
    """The one wire shape of an attachment. ``url`` and ``thumbnail_url`` are paths on this helpdesk for
    its agents and API keys; a customer's view points them at the widget's own paths
    (:func:`public_message_payload`). ``thumbnail_url``, ``width`` and ``height`` are null for a PDF."""
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "type": attachment.content_type,
        "size": attachment.size,
        "url": reverse("attachment-content", args=[attachment.pk]),
        "thumbnail_url": (
            reverse("attachment-thumbnail", args=[attachment.pk]) if attachment.thumbnail_name else None
        ),
        "width": attachment.width,
        "height": attachment.height,
    }


def public_attachment_payload(payload: dict) -> dict:
    """A customer's view of :func:`attachment_payload`: the same file, through the widget's paths (the
    widget adds its visitor token)."""
    pk = payload["id"]
    return {
        **payload,
        "url": reverse("widget-attachment-content", args=[pk]),
        "thumbnail_url": reverse("widget-attachment-thumbnail", args=[pk])
        if payload.get("thumbnail_url")
        else None,
    }


def message_payload(message: Message, *, author_name: str | None = None) -> dict:
    """The one wire shape of a message, used by both sockets and the API.

    ``html`` is the bot's Markdown rendered and sanitised (``helpdesk.formatting``), for pages that show
    formatting; it is ``None`` for everyone else's messages, whose ``body`` is plain text to show as text.
    """
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
        "html": markdown_html(message.body) if message.author_kind == Message.Author.BOT else None,
        "private": message.private,
        "client_msg_id": message.client_msg_id or None,
        "data": message.data,
        "created_at": message.created_at.isoformat(),
        "attachments": [attachment_payload(a) for a in message_attachments(message)],
    }


def messages_payload(conversation: Conversation, messages: list[Message]) -> list[dict]:
    names = author_names(conversation.tenant_id, messages)
    attachments_prefetch(messages)
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
PUBLIC_MESSAGE_FIELDS = ("id", "conversation_id", "seq", "author_kind", "author_name", "body", "html")
PUBLIC_MESSAGE_FIELDS += ("client_msg_id", "created_at", "attachments")
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
    out["attachments"] = [public_attachment_payload(a) for a in payload.get("attachments") or []]
    return out


def conversation_payload(conversation: Conversation) -> dict:
    """The one wire shape of a conversation: sockets, the REST API and webhooks.

    ``status`` and ``handoff_reason`` are codes for programs; ``status_label`` and ``handoff_reason_label``
    are what a person reads ("With an agent", "Asked for a person"), so a page shows the same words
    whether it rendered the row itself or received it live.
    """
    return {
        "id": conversation.pk,
        "status": conversation.status,
        "status_label": conversation.get_status_display(),
        "channel": conversation.channel,
        "bot_id": conversation.bot_id,
        "contact": {
            "id": conversation.contact_id,
            "name": conversation.contact.name,
            "email": conversation.contact.email,
        },
        "assignee_id": conversation.assignee_id,
        "handoff_reason": conversation.handoff_reason,
        "handoff_reason_label": reason_label(conversation.handoff_reason),
        "waiting_since": conversation.waiting_since.isoformat() if conversation.waiting_since else None,
        "collected": conversation.collected,
        "last_seq": conversation.last_seq,
        "queue_id": conversation.queue_id,
        "created_at": conversation.created_at.isoformat() if conversation.created_at else None,
        "updated_at": conversation.updated_at.isoformat() if conversation.updated_at else None,
        "last_message_at": conversation.last_message_at.isoformat() if conversation.last_message_at else None,
    }
