"""Realtime events: small typed dicts, published to tenant-named groups only after the write commits.

The channel layer is a doorbell, the database is the truth: every event that carries a message carries
its ``seq``, and a client that missed one asks for everything after its last ``seq``.

Groups:
- ``t<tenant>.inbox``: every agent of the tenant with an inbox open;
- ``t<tenant>.conv.<conversation>``: the customer's sockets and the agents looking at that conversation.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

# The "type" consumers receive: Channels calls their ``helpdesk_event`` method.
CONSUMER_EVENT_TYPE = "helpdesk.event"


def inbox_group(tenant_id: int) -> str:
    return f"t{tenant_id}.inbox"


def conversation_group(tenant_id: int, conversation_id: int) -> str:
    return f"t{tenant_id}.conv.{conversation_id}"


def _send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": CONSUMER_EVENT_TYPE, "event": event})
    except Exception:
        # The doorbell failing must never undo or block a committed write; clients catch up by seq.
        logger.exception("Could not publish %s to %s", event.get("type"), group)


def publish_on_commit(group: str, event: dict[str, Any]) -> None:
    """Send ``event`` to ``group`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _send(group, event))


def typing_event(*, conversation_id: int, who: str, typing: bool, name: str = "") -> dict[str, Any]:
    return {"type": "typing", "conversation_id": conversation_id, "who": who, "typing": typing, "name": name}


async def typing_send(
    *, tenant_id: int, conversation_id: int, who: str, typing: bool, name: str = ""
) -> None:
    """Typing indicators are not stored: they go straight to the conversation's group."""
    layer = get_channel_layer()
    await layer.group_send(
        conversation_group(tenant_id, conversation_id),
        {
            "type": CONSUMER_EVENT_TYPE,
            "event": typing_event(conversation_id=conversation_id, who=who, typing=typing, name=name),
        },
    )
