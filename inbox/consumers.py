"""The agent's socket: the tenant's live inbox, and the conversations the agent has open.

Frames in: ``open {conversation_id, last_seq}``, ``close {conversation_id}``,
``message {conversation_id, text, client_msg_id, private}``, ``claim {conversation_id}``,
``typing {conversation_id, typing}``, ``handback {conversation_id}``, ``resolve {conversation_id}``,
``ping {idle}`` (heartbeat), ``presence {status: online|away}``, ``read {conversation_id, seq}``.
Frames out: ``hello``, ``messages`` (pages with ``more``, see ``helpdesk.consumers``), ``message``, ``ack``,
``handoff.created``, ``conversation.status``, ``conversation.activity``, ``typing``, ``pong``, ``resync``
(the layer lost events while Redis was away: refresh the lists), ``error``.
A conversation of another tenant is "not found", exactly like a missing one.

The socket ends when the agent's access does: logging out closes it with 4401; deactivation or a deleted
or changed membership with 4403 (``helpdesk.events.agent_sockets_close``). Every frame but ``typing``
also checks that the membership still exists and the user is active, so a missed event cannot keep a
removed agent working; after the end every frame is refused.
"""

from __future__ import annotations

import logging

from channels.db import database_sync_to_async

from helpdesk.consumers import HelpdeskConsumer, frame_bool, frame_int, frame_str
from helpdesk.errors import NotFound, PermissionDenied
from helpdesk.events import (
    CLOSE_ACCESS_CHANGED,
    conversation_group,
    inbox_group,
    tenant_user_group,
    typing_send,
    user_group,
)
from helpdesk.models import Conversation, Membership, Message
from helpdesk.selectors import conversation_get, message_payload
from inbox.presence import presence_choose, presence_connect, presence_disconnect, presence_heartbeat
from inbox.services import (
    agent_reply,
    conversation_claim,
    conversation_handback,
    conversation_mark_read,
    conversation_resolve,
)

logger = logging.getLogger(__name__)


@database_sync_to_async
def _conversation(membership: Membership, conversation_id: int) -> Conversation:
    return conversation_get(tenant=membership.tenant_id, conversation_id=conversation_id)


@database_sync_to_async
def _membership_live(membership: Membership) -> bool:
    return Membership.objects.filter(pk=membership.pk, user__is_active=True).exists()


@database_sync_to_async
def _stored(conversation_id: int, client_msg_id: str) -> bool:
    return Message.objects.filter(conversation_id=conversation_id, client_msg_id=client_msg_id).exists()


@database_sync_to_async
def _reply(membership: Membership, conversation: Conversation, payload: dict) -> dict:
    message, created = agent_reply(
        membership=membership,
        conversation=conversation,
        text=payload.get("text"),
        client_msg_id=payload.get("client_msg_id") or "",
        private=frame_bool(payload, "private"),
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


@database_sync_to_async
def _presence(action: str, membership: Membership, **kwargs):
    return PRESENCE[action](membership=membership, **kwargs)


@database_sync_to_async
def _mark_read(membership: Membership, conversation: Conversation, seq: int | None) -> int:
    return conversation_mark_read(membership=membership, conversation=conversation, seq=seq)


ACTIONS = {
    "claim": conversation_claim,
    "handback": conversation_handback,
    "resolve": conversation_resolve,
}


@database_sync_to_async
def _act(action: str, membership: Membership, conversation: Conversation) -> None:
    ACTIONS[action](membership=membership, conversation=conversation)


class InboxConsumer(HelpdeskConsumer):
    include_private = True

    async def on_authenticated(self) -> None:
        self.membership: Membership = self.scope["membership"]
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

    async def before_frame(self, payload: dict) -> None:
        if payload["type"] == "typing":
            return
        if not await _membership_live(self.membership):
            await self.end(CLOSE_ACCESS_CHANGED, "Your access to this inbox has ended.")
            raise PermissionDenied("Your access to this inbox has ended.")

    async def failure_message(self, payload: dict) -> str:
        client_msg_id = payload.get("client_msg_id")
        conversation_id = payload.get("conversation_id")
        if payload.get("type") == "message" and isinstance(client_msg_id, str) and client_msg_id:
            try:
                if type(conversation_id) is int and await _stored(conversation_id, client_msg_id):
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
        conversation = await self._watched(payload)
        seq = None if payload.get("seq") is None else frame_int(payload, "seq")
        await _mark_read(self.membership, conversation, seq)

    async def frame_presence(self, payload: dict) -> None:
        status = frame_str(payload, "status", max_length=10)
        presence = await _presence("choose", self.membership, status=status)
        await self.send_json({"type": "pong", "presence": presence.status})

    async def _watched(self, payload: dict) -> Conversation:
        """A fresh copy of the conversation a frame names, looked up inside the agent's tenant."""
        return await _conversation(self.membership, frame_int(payload, "conversation_id", minimum=1))

    async def frame_open(self, payload: dict) -> None:
        conversation = await self._watched(payload)
        await self.watch(conversation, frame_int(payload, "last_seq", default=0))

    async def frame_close(self, payload: dict) -> None:
        conversation = self.watched.pop(frame_int(payload, "conversation_id", minimum=1), None)
        if conversation is None:
            raise NotFound("That conversation is not open on this socket.")
        self.last_sent.pop(conversation.pk, None)
        await self.leave(conversation_group(conversation.tenant_id, conversation.pk))

    async def frame_message(self, payload: dict) -> None:
        conversation = await self._watched(payload)
        await self.send_json(await _reply(self.membership, conversation, payload))

    async def frame_claim(self, payload: dict) -> None:
        await _act("claim", self.membership, await self._watched(payload))

    async def frame_handback(self, payload: dict) -> None:
        await _act("handback", self.membership, await self._watched(payload))

    async def frame_resolve(self, payload: dict) -> None:
        await _act("resolve", self.membership, await self._watched(payload))

    async def frame_typing(self, payload: dict) -> None:
        conversation = await self._watched(payload)
        await typing_send(
            tenant_id=conversation.tenant_id,
            conversation_id=conversation.pk,
            who="agent",
            typing=frame_bool(payload, "typing"),
            name=self.membership.name,
        )

    async def on_resync(self) -> None:
        await self.send_json({"type": "resync"})

    async def on_event(self, event: dict) -> None:
        kind = event.get("type")
        if kind == "session.revoked":
            await self.end(int(event.get("code") or CLOSE_ACCESS_CHANGED), str(event.get("reason") or ""))
            return
        if kind == "typing" and event.get("who") == "agent":
            return
        await self.send_json(event)
