"""The agent's socket: the tenant's live inbox, and the conversations the agent has open.

Frames in: ``open {conversation_id, last_seq}``, ``close {conversation_id}``,
``message {conversation_id, text, client_msg_id, private}``, ``claim {conversation_id}``,
``typing {conversation_id, typing}``, ``handback {conversation_id}``, ``resolve {conversation_id}``,
``ping {idle}`` (heartbeat), ``presence {status: online|away}``, ``read {conversation_id, seq}``.
Frames out: ``hello``, ``messages``, ``message``, ``ack``, ``handoff.created``, ``conversation.status``,
``conversation.activity``, ``typing``, ``error``.
A conversation of another tenant is "not found", exactly like a missing one.
"""

from __future__ import annotations

from channels.db import database_sync_to_async

from helpdesk.consumers import HelpdeskConsumer
from helpdesk.errors import InvalidInput, NotFound
from helpdesk.events import conversation_group, inbox_group, typing_send
from helpdesk.models import Conversation, Membership
from helpdesk.selectors import conversation_get, message_payload
from inbox.presence import presence_choose, presence_connect, presence_disconnect, presence_heartbeat
from inbox.services import (
    agent_reply,
    conversation_claim,
    conversation_handback,
    conversation_mark_read,
    conversation_resolve,
)


@database_sync_to_async
def _conversation(membership: Membership, conversation_id) -> Conversation:
    return conversation_get(tenant=membership.tenant_id, conversation_id=conversation_id)


@database_sync_to_async
def _reply(membership: Membership, conversation: Conversation, payload: dict) -> dict:
    message, created = agent_reply(
        membership=membership,
        conversation=conversation,
        text=payload.get("text"),
        client_msg_id=payload.get("client_msg_id") or "",
        private=bool(payload.get("private")),
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
def _mark_read(membership: Membership, conversation: Conversation, seq) -> int:
    try:
        seq = None if seq is None else int(seq)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("seq must be a whole number.", fields={"seq": ["A whole number."]}) from exc
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
        await self.join(inbox_group(self.membership.tenant_id))
        presence = await _presence("connect", self.membership)
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
            await _presence("disconnect", self.membership)
        await super().disconnect(code)

    async def frame_ping(self, payload: dict) -> None:
        """The page's heartbeat (every 30 s); ``idle`` when nobody touched it for a while."""
        presence = await _presence("heartbeat", self.membership, idle=bool(payload.get("idle")))
        await self.send_json({"type": "pong", "presence": presence.status})

    async def frame_read(self, payload: dict) -> None:
        conversation = await self._watched(payload)
        await _mark_read(self.membership, conversation, payload.get("seq"))

    async def frame_presence(self, payload: dict) -> None:
        presence = await _presence("choose", self.membership, status=payload.get("status"))
        await self.send_json({"type": "pong", "presence": presence.status})

    async def _watched(self, payload: dict) -> Conversation:
        """A fresh copy of the conversation a frame names, looked up inside the agent's tenant."""
        return await _conversation(self.membership, payload.get("conversation_id"))

    async def frame_open(self, payload: dict) -> None:
        conversation = await _conversation(self.membership, payload.get("conversation_id"))
        await self.watch(conversation, payload.get("last_seq"))

    async def frame_close(self, payload: dict) -> None:
        conversation = self.watched.pop(payload.get("conversation_id"), None)
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
            typing=bool(payload.get("typing")),
            name=self.membership.name,
        )

    async def on_event(self, event: dict) -> None:
        if event.get("type") == "typing" and event.get("who") == "agent":
            return
        await self.send_json(event)
