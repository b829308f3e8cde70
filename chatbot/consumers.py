"""The customer's socket. Thin: the visitor token's signature was checked by the middleware; frames call
services, which re-read the conversation, so every frame acts on its current state."""

from __future__ import annotations

from dataclasses import dataclass

from chatbot.selectors import customer_status
from chatbot.services import customer_message_receive
from helpdesk.channels_auth import query_param
from helpdesk.consumers import FrameError, HelpdeskConsumer, frame_bool, frame_int, query_seq
from helpdesk.events import typing_send
from helpdesk.models import Conversation, Message
from helpdesk.payloads import message_payload, messages_payload, public_message_payload
from helpdesk.selectors import RESUME_PAGE, messages_page
from helpdesk.socket_db import socket_db
from helpdesk.visitor_tokens import VisitorClaims


@dataclass(frozen=True)
class WidgetStart:
    conversation: Conversation
    first_page: tuple[list[dict], bool]


@socket_db
def _start(claims: VisitorClaims, last_seq: int) -> WidgetStart | None:
    """Everything a connect needs, in one trip to the sync thread: the token's conversation (only as good
    as the tenant, bot and contact the token names) and the first page of what the client missed."""
    conversation = (
        Conversation.objects.for_tenant(claims.tenant_id)
        .select_related("bot")
        .filter(pk=claims.conversation_id, bot_id=claims.bot_id, contact_id=claims.contact_id)
        .first()
    )
    if conversation is None:
        return None
    rows, more = messages_page(conversation=conversation, last_seq=last_seq, limit=RESUME_PAGE)
    return WidgetStart(conversation=conversation, first_page=(messages_payload(conversation, rows), more))


@socket_db
def _receive(conversation: Conversation, text, client_msg_id) -> dict:
    """``customer_message_receive`` locks and re-reads ``conversation`` (in place), so a handback, a
    resolve or the offline path that happened since the last frame is what this message meets."""
    message, created = customer_message_receive(
        conversation=conversation, text=text, client_msg_id=client_msg_id
    )
    return {
        "type": "ack",
        "client_msg_id": message.client_msg_id or None,
        "duplicate": not created,
        "message": public_message_payload(message_payload(message, author_name="")),
    }


@socket_db
def _current_status(conversation_id: int) -> str:
    return (
        Conversation.objects.unscoped("the socket's own conversation")
        .filter(pk=conversation_id)
        .values_list("status", flat=True)
        .first()
        or ""
    )


@socket_db
def _stored(conversation_id: int, client_msg_id: str) -> bool:
    return (
        Message.objects.unscoped("the socket's own conversation")
        .filter(conversation_id=conversation_id, client_msg_id=client_msg_id)
        .exists()
    )


class WidgetConsumer(HelpdeskConsumer):
    """Frames in: ``message {text, client_msg_id}``, ``resume {last_seq}``, ``typing {typing}``.

    Frames out: ``hello``, ``messages`` (a resume page, ``more: true`` when another page follows),
    ``message``, ``ack``, ``status``, ``typing``, ``error``. Every message carries its ``seq``; reconnect
    with ``?last_seq=N`` to get everything after N (see ``helpdesk.consumers`` for paging).

    Customers see the public view of a message (``public_message_payload``): never the bot's usage,
    confidence, responder, reply_to or private notes.

    A message after the conversation was resolved reopens it with the bot, which starts fresh (its memory
    begins after the resolve): the customer is back with someone who answers, on the same thread and
    token, and agents see it as a bot conversation again, not as waiting.
    """

    include_private = False

    async def on_authenticated(self) -> None:
        visitor = self.scope["visitor"]
        try:
            last_seq = query_seq(query_param(self.scope, "last_seq"))
            bad_seq = None
        except FrameError as exc:
            # A bad query string must not cost the socket: say so and send the whole history.
            last_seq, bad_seq = 0, exc
        start = await _start(visitor, last_seq)
        if start is None:
            await self.refuse("invalid")
            return
        self.conversation = start.conversation
        await self.send_json(
            {
                "type": "hello",
                "conversation_id": self.conversation.pk,
                "status": customer_status(self.conversation.status),
                "bot_name": self.conversation.bot.name,
            }
        )
        if bad_seq is not None:
            await self.send_error(bad_seq.code, bad_seq.message, fields=bad_seq.fields)
        await self.watch(self.conversation, last_seq, first_page=start.first_page)

    def present_message(self, message: dict) -> dict:
        return public_message_payload(message)

    async def frame_message(self, payload: dict) -> None:
        ack = await _receive(self.conversation, payload.get("text"), payload.get("client_msg_id"))
        await self.send_json(ack)

    async def failure_message(self, payload: dict) -> str:
        client_msg_id = payload.get("client_msg_id")
        if payload.get("type") == "message" and isinstance(client_msg_id, str) and client_msg_id:
            try:
                if await _stored(self.conversation.pk, client_msg_id):
                    return "Your message was saved, but something went wrong after; nothing was lost."
            except Exception:
                pass
            return "Your message could not be saved; please send it again."
        return await super().failure_message(payload)

    async def on_resync(self) -> None:
        """Status events may have been lost with the rest: say what the status is now."""
        status = await _current_status(self.conversation.pk)
        if status:
            await self.send_json({"type": "status", "status": customer_status(status)})

    async def frame_resume(self, payload: dict) -> None:
        await self.watch(self.conversation, frame_int(payload, "last_seq", default=0))

    async def frame_typing(self, payload: dict) -> None:
        await typing_send(
            tenant_id=self.conversation.tenant_id,
            conversation_id=self.conversation.pk,
            who="customer",
            typing=frame_bool(payload, "typing"),
        )

    async def on_event(self, event: dict) -> None:
        kind = event.get("type")
        if kind == "conversation.status":
            status = event["conversation"]["status"]
            frame = {"type": "status", "status": customer_status(status)}
            if event.get("agent_name"):
                frame["agent_name"] = event["agent_name"]
            await self.send_json(frame)
        elif kind == "typing" and event.get("who") in ("bot", "agent"):
            await self.send_json(
                {
                    "type": "typing",
                    "who": event["who"],
                    "typing": event["typing"],
                    "name": event.get("name", ""),
                }
            )
