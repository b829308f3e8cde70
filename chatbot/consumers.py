"""The customer's socket. Thin: the visitor token's signature was checked by the middleware; frames call
services, which re-read the conversation, so every frame acts on its current state.

A visitor who has not written yet connects with a token that names no conversation: the socket says hello
with ``conversation_id: null`` and waits. Their first ``message`` frame starts the conversation
(``widget_first_message_receive``); the socket then sends a ``session`` frame with the token of the new
conversation (the widget keeps it to resume), joins the conversation's group, sends its messages so far,
and only then the ``ack``."""

from __future__ import annotations

from dataclasses import dataclass

from chatbot.selectors import customer_status
from chatbot.services import (
    conversation_token,
    customer_message_receive,
    visitor_conversation,
    widget_first_message_receive,
)
from helpdesk.attachments import CUSTOMER_UPLOADS, AttachmentClaim, attachment_ids_clean
from helpdesk.channels_auth import query_param
from helpdesk.consumers import FrameError, HelpdeskConsumer, frame_bool, frame_int, frame_str, query_seq
from helpdesk.events import typing_send
from helpdesk.models import Bot, Conversation, Message
from helpdesk.payloads import message_payload, messages_payload, public_message_payload
from helpdesk.selectors import RESUME_PAGE, messages_page
from helpdesk.services import RATING_COMMENT_MAX, conversation_rate
from helpdesk.socket_db import socket_db
from helpdesk.visitor_tokens import VisitorClaims


@dataclass(frozen=True)
class WidgetStart:
    bot: Bot
    conversation: Conversation | None
    first_page: tuple[list[dict], bool]
    # A new token for a visitor whose token named no conversation but whose first message started one
    # since (a reconnect before the ack, another tab): the client keeps it, as after its first message.
    token: str | None = None


@socket_db
def _start(claims: VisitorClaims, last_seq: int) -> WidgetStart | None:
    """Everything a connect needs, in one trip to the sync thread: the token's conversation (only as good
    as the tenant, bot and contact the token names) and the first page of what the client missed; for a
    visitor who has not written yet, the bot (in the token's tenant) they will write to."""
    conversation = visitor_conversation(claims)
    if conversation is None:
        if not claims.pending:
            return None
        bot = Bot.objects.for_tenant(claims.tenant_id).filter(pk=claims.bot_id).first()
        return None if bot is None else WidgetStart(bot=bot, conversation=None, first_page=([], False))
    rows, more = messages_page(conversation=conversation, last_seq=last_seq, limit=RESUME_PAGE)
    return WidgetStart(
        bot=conversation.bot,
        conversation=conversation,
        first_page=(messages_payload(conversation, rows), more),
        token=conversation_token(conversation) if claims.pending else None,
    )


def _ack(message: Message, created: bool) -> dict:
    return {
        "type": "ack",
        "client_msg_id": message.client_msg_id or None,
        "duplicate": not created,
        "message": public_message_payload(message_payload(message, author_name="")),
    }


@socket_db
def _receive(conversation: Conversation, text, client_msg_id, attachment_ids=None) -> dict:
    """``customer_message_receive`` locks and re-reads ``conversation`` (in place), so a handback, a
    resolve or the offline path that happened since the last frame is what this message meets."""
    claim = AttachmentClaim(ids=attachment_ids_clean(attachment_ids), kinds=CUSTOMER_UPLOADS)
    message, created = customer_message_receive(
        conversation=conversation, text=text, client_msg_id=client_msg_id, attachments=claim
    )
    return _ack(message, created)


@socket_db
def _receive_first(visitor: VisitorClaims, text, client_msg_id, attachment_ids=None):
    return widget_first_message_receive(
        visitor=visitor, text=text, client_msg_id=client_msg_id, attachment_ids=attachment_ids
    )


@socket_db
def _rate(conversation: Conversation, score: int, comment: str) -> dict:
    rating = conversation_rate(conversation=conversation, score=score, comment=comment)
    return {"type": "rated", "score": rating.score}


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


@socket_db
def _stored_first(visitor: VisitorClaims, client_msg_id: str) -> bool:
    conversation = visitor_conversation(visitor)
    return conversation is not None and conversation.messages.filter(client_msg_id=client_msg_id).exists()


class WidgetConsumer(HelpdeskConsumer):
    """Frames in: ``message {text, client_msg_id, attachment_ids?}`` (ids of the visitor's uploads, see
    ``chatbot.api.attachments``; with them ``text`` may be empty), ``resume {last_seq}``, ``typing {typing}``,
    ``rate {score, comment}`` (a resolved conversation's rating, answered with ``rated``).

    Frames out: ``hello``, ``session`` (the token of the conversation a visitor's first message started),
    ``messages`` (a resume page, ``more: true`` when another page follows), ``message``, ``ack``,
    ``status``, ``typing``, ``error``. Every message carries its ``seq``; reconnect with ``?last_seq=N`` to
    get everything after N (see ``helpdesk.consumers`` for paging).

    Until the visitor has a conversation, ``resume`` answers with an empty ``messages`` frame and
    ``typing`` is ignored (nobody is there to see it).

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
        self.visitor = visitor
        self.conversation = start.conversation
        status = self.conversation.status if self.conversation is not None else Conversation.Status.BOT
        await self.send_json(
            {
                "type": "hello",
                "conversation_id": self.conversation.pk if self.conversation is not None else None,
                "status": customer_status(status),
                "bot_name": start.bot.name,
            }
        )
        if start.token:
            await self.send_session(start.token)
        if bad_seq is not None:
            await self.send_error(bad_seq.code, bad_seq.message, fields=bad_seq.fields)
        if self.conversation is None:
            await self.send_nothing_yet()
        else:
            await self.watch(self.conversation, last_seq, first_page=start.first_page)

    async def send_session(self, token: str) -> None:
        await self.send_json({"type": "session", "token": token, "conversation_id": self.conversation.pk})

    async def send_nothing_yet(self) -> None:
        """The (empty) history of a visitor who has not written yet, in the shape of a resume."""
        await self.send_json({"type": "messages", "conversation_id": None, "messages": [], "more": False})

    def present_message(self, message: dict) -> dict:
        return public_message_payload(message)

    async def frame_message(self, payload: dict) -> None:
        if self.conversation is not None:
            ack = await _receive(
                self.conversation,
                payload.get("text"),
                payload.get("client_msg_id"),
                payload.get("attachment_ids"),
            )
            await self.send_json(ack)
            return
        first = await _receive_first(
            self.visitor, payload.get("text"), payload.get("client_msg_id"), payload.get("attachment_ids")
        )
        # The new token first, so a client that keeps only what came before the ack can resume; then the
        # conversation's group and everything in it so far (the greeting, this message, and a handoff's
        # message if it handed off at once) and its status if that changed before the socket joined (the
        # hello said "bot"), then the ack.
        self.conversation = first.conversation
        await self.send_session(first.token)
        await self.watch(self.conversation, 0)
        status = await _current_status(self.conversation.pk)
        if status and status != Conversation.Status.BOT:
            await self.send_json({"type": "status", "status": customer_status(status)})
        await self.send_json(_ack(first.message, first.created))

    async def failure_message(self, payload: dict) -> str:
        client_msg_id = payload.get("client_msg_id")
        if payload.get("type") == "message" and isinstance(client_msg_id, str) and client_msg_id:
            try:
                if self.conversation is not None:
                    stored = await _stored(self.conversation.pk, client_msg_id)
                else:
                    stored = await _stored_first(self.visitor, client_msg_id)
                if stored:
                    return "Your message was saved, but something went wrong after; nothing was lost."
            except Exception:
                pass
            return "Your message could not be saved; please send it again."
        return await super().failure_message(payload)

    async def on_resync(self) -> None:
        """Status events may have been lost with the rest: say what the status is now."""
        if self.conversation is None:
            return
        status = await _current_status(self.conversation.pk)
        if status:
            await self.send_json({"type": "status", "status": customer_status(status)})

    async def frame_resume(self, payload: dict) -> None:
        last_seq = frame_int(payload, "last_seq", default=0)
        if self.conversation is None:
            await self.send_nothing_yet()
            return
        await self.watch(self.conversation, last_seq)

    async def frame_rate(self, payload: dict) -> None:
        """``rate {score: 1-5, comment?}``: the customer's rating of their resolved conversation."""
        score = frame_int(payload, "score", minimum=1)
        comment = frame_str(payload, "comment", max_length=RATING_COMMENT_MAX)
        if self.conversation is None:
            raise FrameError("There is no conversation to rate yet.", code="not_resolved")
        await self.send_json(await _rate(self.conversation, score, comment))

    async def frame_typing(self, payload: dict) -> None:
        typing = frame_bool(payload, "typing")
        if self.conversation is None:
            return
        await typing_send(
            tenant_id=self.conversation.tenant_id,
            conversation_id=self.conversation.pk,
            who="customer",
            typing=typing,
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
