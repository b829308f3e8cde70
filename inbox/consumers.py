"""The agent's socket: the tenant's live inbox, and the conversations the agent has open.

Frames in: ``open {conversation_id, last_seq}``, ``close {conversation_id}``,
``message {conversation_id, text, client_msg_id, private, attachment_ids?}`` (the agent's uploads to the
conversation; with them ``text`` may be empty), ``claim {conversation_id}``,
``typing {conversation_id, typing}``, ``handback {conversation_id}``, ``resolve {conversation_id}``,
``reopen {conversation_id}`` (a resolved conversation, back to the agent who reopens it),
``ping {idle}`` (heartbeat), ``presence {status: online|away}``, ``read {conversation_id, seq}``.
Frames out: ``hello``, ``messages`` (pages with ``more``, see ``helpdesk.consumers``), ``message``, ``ack``,
``handoff.created``, ``conversation.status``, ``conversation.activity``, ``typing``, ``pong``, ``resync``
(the layer lost events while Redis was away: refresh the lists), ``error``.
A conversation of another tenant is "not found", exactly like a missing one.

The socket ends when the agent's access does: logging out closes it with 4401; deactivation or a deleted
or changed membership with 4403 (``helpdesk.events.agent_sockets_close``). Every frame that reads or
writes data also checks, in the same database call, that the membership still exists and the user is
active, so a missed event cannot keep a removed agent working; after the end every frame is refused.
Each frame is one call to the database threads (``helpdesk.socket_db``): check, look up, act.
"""

from __future__ import annotations

import asyncio
import logging

from helpdesk.consumers import HelpdeskConsumer, frame_bool, frame_int, frame_str
from helpdesk.errors import DomainError, NotFound, PermissionDenied
from helpdesk.events import (
    CLOSE_ACCESS_CHANGED,
    conversation_group,
    inbox_group,
    tenant_user_group,
    typing_send,
    user_group,
)
from helpdesk.models import Conversation, Membership, Message
from helpdesk.payloads import message_payload, messages_payload
from helpdesk.selectors import RESUME_PAGE, conversation_get, messages_page
from helpdesk.socket_db import socket_db
from inbox.presence import presence_choose, presence_connect, presence_disconnect, presence_heartbeat
from inbox.services import (
    agent_reply,
    conversation_claim,
    conversation_handback,
    conversation_mark_read,
    conversation_reopen,
    conversation_resolve,
)

logger = logging.getLogger(__name__)


class AccessEnded(PermissionDenied):
    code = "session_ended"
    message = "Your access to this inbox has ended."


def _live(membership: Membership) -> None:
    """The check every data frame makes first, inside its own database call."""
    if (
        not Membership.objects.for_tenant(membership.tenant_id)
        .filter(pk=membership.pk, user__is_active=True)
        .exists()
    ):
        raise AccessEnded()


def _conversation(membership: Membership, conversation_id: int) -> Conversation:
    return conversation_get(tenant=membership.tenant_id, conversation_id=conversation_id)


@socket_db
def _open(membership: Membership, conversation_id: int, last_seq: int):
    _live(membership)
    conversation = _conversation(membership, conversation_id)
    rows, more = messages_page(
        conversation=conversation, last_seq=last_seq, include_private=True, limit=RESUME_PAGE
    )
    return conversation, (messages_payload(conversation, rows), more)


@socket_db
def _lookup(membership: Membership, conversation_id: int) -> Conversation:
    return _conversation(membership, conversation_id)


@socket_db
def _stored(membership: Membership, conversation_id: int, client_msg_id: str) -> bool:
    return (
        Message.objects.for_tenant(membership.tenant_id)
        .filter(conversation_id=conversation_id, client_msg_id=client_msg_id)
        .exists()
    )


@socket_db
def _reply(membership: Membership, conversation_id: int, payload: dict) -> dict:
    _live(membership)
    conversation = _conversation(membership, conversation_id)
    message, created = agent_reply(
        membership=membership,
        conversation=conversation,
        text=payload.get("text"),
        client_msg_id=payload.get("client_msg_id") or "",
        private=frame_bool(payload, "private"),
        attachment_ids=payload.get("attachment_ids"),
    )
    return {
        "type": "ack",
        "conversation_id": conversation.pk,
        "client_msg_id": message.client_msg_id or None,
        "duplicate": not created,
        "message": message_payload(message, author_name=membership.name),
    }


PRESENCE = {
    "connect": presence_connect,
    "disconnect": presence_disconnect,
    "heartbeat": presence_heartbeat,
    "choose": presence_choose,
}


@socket_db
def _presence(action: str, membership: Membership, **kwargs):
    if action in ("heartbeat", "choose"):
        _live(membership)
    return PRESENCE[action](membership=membership, **kwargs)


@socket_db
def _mark_read(membership: Membership, conversation_id: int, seq: int | None) -> int:
    _live(membership)
    conversation = _conversation(membership, conversation_id)
    return conversation_mark_read(membership=membership, conversation=conversation, seq=seq)


ACTIONS = {
    "claim": conversation_claim,
    "handback": conversation_handback,
    "resolve": conversation_resolve,
    "reopen": conversation_reopen,
}


@socket_db
def _act(action: str, membership: Membership, conversation_id: int) -> None:
    _live(membership)
    ACTIONS[action](membership=membership, conversation=_conversation(membership, conversation_id))


def _conversation_id(payload: dict) -> int:
    return frame_int(payload, "conversation_id", minimum=1)


class InboxConsumer(HelpdeskConsumer):
    """Every message of the tenant is ``conversation.activity`` for every agent's list. A socket sends at
    most one per conversation per ``ACTIVITY_EVERY_SECONDS`` (the newest), so the frames an agent gets
    grow with the conversations that moved, not with every message; any other event about a conversation
    replaces its pending activity, so an older copy never arrives after a newer one."""

    include_private = True
    activity_every_seconds = 1.0

    async def on_authenticated(self) -> None:
        self.membership: Membership = self.scope["membership"]
        self.activity_pending: dict[int, dict] = {}
        self.activity_task: asyncio.Task | None = None
        tenant_id, user_id = self.membership.tenant_id, self.membership.user_id
        await self.join(inbox_group(tenant_id))
        await self.join(user_group(user_id))
        await self.join(tenant_user_group(tenant_id, user_id))
        presence = await _presence("connect", self.membership, channel_name=self.channel_name)
        self.present = True
        await self.send_json(
            {
                "type": "hello",
                "agent": {"id": self.membership.user_id, "name": self.membership.name},
                "presence": presence.status,
            }
        )

    async def disconnect(self, code: int) -> None:
        # Frames still queued run first, so none of them can touch the presence after it is settled.
        self.gone = True
        await self.frames_drain()
        activity = getattr(self, "activity_task", None)
        if activity is not None:
            activity.cancel()
        if getattr(self, "present", False):
            self.present = False
            try:
                await _presence("disconnect", self.membership, channel_name=self.channel_name)
            except Exception:
                # The row goes stale and is expired; leaving the groups below must still happen.
                logger.warning(
                    "Presence of user %s not updated on disconnect", self.membership.user_id, exc_info=True
                )
        await super().disconnect(code)

    async def end(self, code: int, reason: str) -> None:
        """Close because the agent's access ended; frames that still arrive are refused."""
        if self.ended:
            return
        self.ended = True
        await self.send_error("session_ended", reason)
        await self.close(code=code)

    async def on_domain_error(self, exc: DomainError, ref: str | None) -> None:
        if isinstance(exc, AccessEnded):
            await self.end(CLOSE_ACCESS_CHANGED, exc.message)
            return
        await super().on_domain_error(exc, ref)

    async def failure_message(self, payload: dict) -> str:
        client_msg_id = payload.get("client_msg_id")
        conversation_id = payload.get("conversation_id")
        if payload.get("type") == "message" and isinstance(client_msg_id, str) and client_msg_id:
            try:
                stored = type(conversation_id) is int and await _stored(
                    self.membership, conversation_id, client_msg_id
                )
                if stored:
                    return "Your reply was saved, but something went wrong after; nothing was lost."
            except Exception:
                pass
            return "Your reply could not be saved; please send it again."
        return await super().failure_message(payload)

    async def frame_ping(self, payload: dict) -> None:
        """The page's heartbeat (every 30 s); ``idle`` when nobody touched it for a while."""
        presence = await _presence(
            "heartbeat", self.membership, idle=frame_bool(payload, "idle"), channel_name=self.channel_name
        )
        await self.send_json({"type": "pong", "presence": presence.status})

    async def frame_read(self, payload: dict) -> None:
        conversation_id = _conversation_id(payload)
        seq = None if payload.get("seq") is None else frame_int(payload, "seq")
        await _mark_read(self.membership, conversation_id, seq)

    async def frame_presence(self, payload: dict) -> None:
        status = frame_str(payload, "status", max_length=10)
        presence = await _presence("choose", self.membership, status=status)
        await self.send_json({"type": "pong", "presence": presence.status})

    async def frame_open(self, payload: dict) -> None:
        last_seq = frame_int(payload, "last_seq", default=0)
        conversation, first_page = await _open(self.membership, _conversation_id(payload), last_seq)
        await self.watch(conversation, last_seq, first_page=first_page)

    async def frame_close(self, payload: dict) -> None:
        conversation = self.watched.pop(_conversation_id(payload), None)
        if conversation is None:
            raise NotFound("That conversation is not open on this socket.")
        self.last_sent.pop(conversation.pk, None)
        await self.leave(conversation_group(conversation.tenant_id, conversation.pk))

    async def frame_message(self, payload: dict) -> None:
        await self.send_json(await _reply(self.membership, _conversation_id(payload), payload))

    async def frame_claim(self, payload: dict) -> None:
        await _act("claim", self.membership, _conversation_id(payload))

    async def frame_handback(self, payload: dict) -> None:
        await _act("handback", self.membership, _conversation_id(payload))

    async def frame_resolve(self, payload: dict) -> None:
        await _act("resolve", self.membership, _conversation_id(payload))

    async def frame_reopen(self, payload: dict) -> None:
        await _act("reopen", self.membership, _conversation_id(payload))

    async def frame_typing(self, payload: dict) -> None:
        """Typing is not stored and not checked against the membership; a conversation open on this socket
        was looked up in the agent's tenant already, any other is looked up now."""
        conversation_id = _conversation_id(payload)
        conversation = self.watched.get(conversation_id) or await _lookup(self.membership, conversation_id)
        await typing_send(
            tenant_id=conversation.tenant_id,
            conversation_id=conversation.pk,
            who="agent",
            typing=frame_bool(payload, "typing"),
            name=self.membership.name,
        )

    async def activity_flush(self) -> None:
        await asyncio.sleep(self.activity_every_seconds)
        pending, self.activity_pending = self.activity_pending, {}
        for event in pending.values():
            await self.send_json(event)

    async def on_resync(self) -> None:
        await self.send_json({"type": "resync"})

    async def on_event(self, event: dict) -> None:
        kind = event.get("type")
        if kind == "session.revoked":
            await self.end(int(event.get("code") or CLOSE_ACCESS_CHANGED), str(event.get("reason") or ""))
            return
        conversation = event.get("conversation")
        if isinstance(conversation, dict) and "id" in conversation:
            if kind == "conversation.activity":
                self.activity_pending[conversation["id"]] = event
                if self.activity_task is None or self.activity_task.done():
                    self.activity_task = asyncio.get_running_loop().create_task(self.activity_flush())
                return
            self.activity_pending.pop(conversation["id"], None)
        if kind == "typing" and event.get("who") == "agent":
            return
        await self.send_json(event)
