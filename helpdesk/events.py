"""Realtime events: small typed dicts, published to tenant-named groups only after the write commits.

The channel layer is a doorbell, the database is the truth: every event that carries a message carries
its ``seq``, and a client that missed one asks for everything after its last ``seq``.

Groups:
- ``t<tenant>.inbox``: every agent of the tenant with an inbox open;
- ``t<tenant>.conv.<conversation>``: the customer's sockets and the agents looking at that conversation;
- ``user.<user>`` and ``t<tenant>.user.<user>``: every inbox socket of one agent (everywhere, and in one
  tenant), so that logging out or losing a membership closes them (:func:`agent_sockets_close`); the
  second also hears the activity of the conversations assigned to that agent.

Publishing never raises into the caller: the write it follows is committed, and clients catch up by seq.
"""

from __future__ import annotations

import logging
from typing import Any

from channels.layers import get_channel_layer
from django.db import transaction

from helpdesk.channel_layer import group_publish_many_sync

logger = logging.getLogger(__name__)

# The "type" consumers receive: Channels calls their ``helpdesk_event`` method.
CONSUMER_EVENT_TYPE = "helpdesk.event"


def inbox_group(tenant_id: int) -> str:
    return f"t{tenant_id}.inbox"


def conversation_group(tenant_id: int, conversation_id: int) -> str:
    return f"t{tenant_id}.conv.{conversation_id}"


# Close codes of an agent's socket whose session or access ended (see ``agent_sockets_close``).
CLOSE_LOGGED_OUT = 4401
CLOSE_ACCESS_CHANGED = 4403


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def tenant_user_group(tenant_id: int, user_id: int) -> str:
    return f"t{tenant_id}.user.{user_id}"


def _send(group: str, event: dict[str, Any]) -> None:
    """Ring the doorbell from sync code. Never raises: a committed write must not look failed."""
    _send_many([(group, event)])


def _send_many(events: list[tuple[str, dict[str, Any]]]) -> None:
    try:
        layer = get_channel_layer()
    except Exception:
        logger.warning("No channel layer; %s events not published", len(events), exc_info=True)
        return
    if layer is None:
        return
    group_publish_many_sync(
        layer, [(group, {"type": CONSUMER_EVENT_TYPE, "event": event}) for group, event in events]
    )


class _Batch:
    """Events published at one level of one transaction, sent together after commit (see
    :func:`publish_on_commit`)."""

    def __init__(self, savepoints: tuple[str, ...]) -> None:
        self.savepoints = savepoints
        self.events: list[tuple[str, dict[str, Any]]] = []

    def flush(self) -> None:
        _send_many(_superseded_dropped(self.events))


def _superseded_dropped(events: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """Drop each ``conversation.activity`` that a later event of the batch to the same group makes stale
    (a later event carrying the same conversation carries it as it is now): a handoff rings the inboxes
    twice (its status and ``handoff.created``), not five times."""
    later: set[tuple[str, int]] = set()
    kept: list[tuple[str, dict[str, Any]]] = []
    for group, event in reversed(events):
        conversation = event.get("conversation")
        key = (group, conversation.get("id")) if isinstance(conversation, dict) else None
        if key is not None and event.get("type") == "conversation.activity" and key in later:
            continue
        if key is not None:
            later.add(key)
        kept.append((group, event))
    kept.reverse()
    return kept


def publish_on_commit(group: str, event: dict[str, Any]) -> None:
    """Send ``event`` to ``group`` once the current transaction commits (at once outside one).

    Events of one transaction go in one round trip to Redis (a pipeline), in the order they were
    published: a handoff publishes about ten. Each run of events at one savepoint level is one on-commit
    callback, so events of a savepoint that rolls back are dropped with it, exactly as if each had its
    own callback, and the order across levels is kept.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _send(group, event)
        return
    savepoints = tuple(connection.savepoint_ids)
    batch: _Batch | None = getattr(connection, "_helpdesk_events_batch", None)
    registered = connection.run_on_commit[-1][1] if connection.run_on_commit else None
    if batch is None or batch.savepoints != savepoints or registered != batch.flush:
        batch = _Batch(savepoints)
        connection._helpdesk_events_batch = batch
        transaction.on_commit(batch.flush)
    batch.events.append((group, event))


def typing_event(*, conversation_id: int, who: str, typing: bool, name: str = "") -> dict[str, Any]:
    return {"type": "typing", "conversation_id": conversation_id, "who": who, "typing": typing, "name": name}


async def typing_send(
    *, tenant_id: int, conversation_id: int, who: str, typing: bool, name: str = ""
) -> None:
    """Typing indicators are not stored: they go straight to the conversation's group.

    They are worth nothing a second later, so a layer that cannot publish (Redis down) drops them.
    """
    event = typing_event(conversation_id=conversation_id, who=who, typing=typing, name=name)
    try:
        await get_channel_layer().group_send(
            conversation_group(tenant_id, conversation_id), {"type": CONSUMER_EVENT_TYPE, "event": event}
        )
    except Exception:
        logger.warning("Typing indicator to conversation %s dropped", conversation_id, exc_info=True)


def agent_sockets_close(*, user_id: int, tenant_id: int | None = None, code: int, reason: str) -> None:
    """Close the user's open inbox sockets (in one tenant, or everywhere) once the transaction commits.

    Called by the code paths that end a user's access: logout, deactivation, a membership deleted or
    changed. The consumer closes with ``code`` and refuses any frame that arrives before the close.
    """
    group = user_group(user_id) if tenant_id is None else tenant_user_group(tenant_id, user_id)
    publish_on_commit(group, {"type": "session.revoked", "code": code, "reason": reason})
