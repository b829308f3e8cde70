"""What every socket of ours shares: frame parsing, error frames, close codes, and gap-free delivery.

Consumers stay thin: authenticate (already done by the middleware), parse a frame, call a service, forward
events. A bad frame gets ``{"type": "error", "code", "message"}`` and the socket stays open.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from helpdesk.errors import DomainError
from helpdesk.events import conversation_group
from helpdesk.models import Conversation
from helpdesk.selectors import messages_after, messages_payload

logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 64 * 1024

CLOSE_CODES = {
    "missing": 4401,
    "invalid": 4401,
    "expired": 4401,
    "not_authenticated": 4401,
    "no_membership": 4403,
}


class FrameError(DomainError):
    code = "bad_frame"


@database_sync_to_async
def _backlog(conversation: Conversation, last_seq: int, include_private: bool) -> list[dict]:
    return messages_payload(
        conversation,
        messages_after(conversation=conversation, last_seq=last_seq, include_private=include_private),
    )


class HelpdeskConsumer(AsyncWebsocketConsumer):
    """Base of the widget and inbox consumers.

    Subclasses implement ``frame_<type>(payload)`` for each frame type they accept and set
    ``include_private`` (agents see private notes, customers never do).
    """

    include_private = False

    async def connect(self) -> None:
        self.groups_joined: set[str] = set()
        self.last_sent: dict[int, int] = {}
        self.watched: dict[int, Conversation] = {}
        await self.accept()
        error = self.scope.get("auth_error")
        if error:
            await self.send_json({"type": "error", "code": error, "message": "Not allowed."})
            await self.close(code=CLOSE_CODES.get(error, 4403))
            return
        await self.on_authenticated()

    async def on_authenticated(self) -> None:
        raise NotImplementedError

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", set()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def join(self, group: str) -> None:
        if group not in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.add(group)

    async def leave(self, group: str) -> None:
        if group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
            self.groups_joined.discard(group)

    async def send_json(self, content: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(content))

    async def send_error(self, code: str, message: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, **extra})

    # Incoming frames ------------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self.send_error("bad_frame", "Frames must be JSON text.")
            return
        if len(text_data.encode("utf-8")) > MAX_FRAME_BYTES:
            await self.send_error("frame_too_large", f"Frames are limited to {MAX_FRAME_BYTES} bytes.")
            return
        try:
            payload = json.loads(text_data)
        except ValueError:
            await self.send_error("invalid_json", "The frame is not valid JSON.")
            return
        if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
            await self.send_error("bad_frame", 'A frame is a JSON object with a "type".')
            return
        handler = getattr(self, "frame_" + payload["type"].replace(".", "_"), None)
        if handler is None or not payload["type"].replace("_", "").isalpha():
            await self.send_error("unknown_type", f"Unknown frame type {payload['type'][:40]!r}.")
            return
        try:
            await handler(payload)
        except DomainError as exc:
            await self.send_error(exc.code, exc.message, fields=exc.fields, ref=payload.get("client_msg_id"))
        except Exception:
            logger.exception("Frame %s failed", payload["type"])
            await self.send_error("server_error", "Something went wrong; nothing you sent was lost.")

    # Delivery ----------------------------------------------------------------------------------------

    async def watch(self, conversation: Conversation, last_seq: Any) -> None:
        """Join a conversation's group, then send what the client missed after ``last_seq``.

        Joining first and reading second means nothing falls between the two; duplicates are dropped by
        ``seq`` in :meth:`deliver_messages`.
        """
        try:
            last_seq = max(0, int(last_seq or 0))
        except (TypeError, ValueError) as exc:
            raise FrameError(
                "last_seq must be a whole number.", fields={"last_seq": ["A whole number."]}
            ) from exc
        self.watched[conversation.pk] = conversation
        self.last_sent[conversation.pk] = last_seq
        await self.join(conversation_group(conversation.tenant_id, conversation.pk))
        backlog = await _backlog(conversation, last_seq, self.include_private)
        await self.deliver_messages(conversation.pk, backlog, resumed=True)

    async def deliver_messages(
        self, conversation_id: int, messages: list[dict], resumed: bool = False
    ) -> None:
        sent = self.last_sent.get(conversation_id, 0)
        fresh = [m for m in messages if m["seq"] > sent]
        if not fresh and not resumed:
            return
        if fresh:
            self.last_sent[conversation_id] = fresh[-1]["seq"]
        if resumed:
            await self.send_json({"type": "messages", "conversation_id": conversation_id, "messages": fresh})
        else:
            for message in fresh:
                await self.send_json({"type": "message", "message": message})

    async def helpdesk_event(self, envelope: dict) -> None:
        event = envelope["event"]
        if event.get("type") == "message":
            await self.on_message_event(event["message"])
        else:
            await self.on_event(event)

    async def on_message_event(self, message: dict) -> None:
        conversation_id = message["conversation_id"]
        if conversation_id not in self.last_sent:
            return
        sent = self.last_sent[conversation_id]
        if message["seq"] <= sent:
            return
        if message["private"] and not self.include_private:
            return
        if message["seq"] > sent + 1:
            # Something between was not delivered to us (or is private): the database fills the gap.
            conversation = self.watched[conversation_id]
            backlog = await _backlog(conversation, sent, self.include_private)
            await self.deliver_messages(conversation_id, backlog)
            return
        await self.deliver_messages(conversation_id, [message])

    async def on_event(self, event: dict) -> None:
        await self.send_json(event)
