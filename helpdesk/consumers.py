"""What every socket of ours shares: frame parsing and validation, error frames, close codes, and
gap-free delivery.

Consumers stay thin: authenticate (already done by the middleware), parse a frame, call a service, forward
events. A bad frame gets ``{"type": "error", "code", "message", "fields"}`` and the socket stays open;
nothing a client sends can make the server close the socket with 1011 or write half a row.

Frame rules, enforced here before any service runs:

- a frame is a UTF-8 JSON object of at most ``MAX_FRAME_BYTES`` with a string ``type``; ``NaN``,
  ``Infinity``, lone surrogates (``"\\ud800"``) and nesting deeper than ``MAX_FRAME_DEPTH`` are refused;
- ids and seqs are JSON integers (never ``true``, ``1.5`` or ``"1"``) within ``0..MAX_INT``; flags are JSON
  booleans; strings have a length bound;
- a frame over ``MAX_FRAME_BYTES`` but within the server's WebSocket limit (4 MiB with the Daphne flags of
  the Makefile and docker-compose.yml) gets a ``frame_too_large`` error frame; a frame beyond that limit
  never reaches a consumer: Daphne drops the connection ("message too big", which the client may only see
  as 1006, since the unread rest of the frame resets the TCP connection) and the client reconnects and
  resumes from its last seq.

Resume: a client that connects or resumes with ``last_seq`` N gets everything after N in ``messages``
frames of at most ``RESUME_PAGE`` messages; every page but the last has ``more: true``. The server sends
the pages one after another; the client only appends them (it never has to ask for the next page).

After the channel layer lost and regained Redis, every consumer gets ``helpdesk.resync`` and sends what
its client missed after the last seq it sent, for every conversation it watches.

Frames and events do not wait for each other. Channels hands a consumer one thing at a time, so a frame
whose database call waits (a handoff, a claim) would hold back every event behind it, and under load the
socket's channel queue overflows and events are dropped. So ``receive`` only parses a frame and queues it;
one task per socket runs the queued frames in the order they came (at most ``MAX_PENDING_FRAMES``
waiting), while events keep flowing to the client. Frames still queued when the client goes are run (for
at most ``DRAIN_SECONDS``), so a message sent just before closing the page is stored.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer

from helpdesk.errors import DomainError
from helpdesk.events import conversation_group
from helpdesk.models import Conversation
from helpdesk.payloads import messages_payload
from helpdesk.selectors import RESUME_PAGE, messages_page
from helpdesk.socket_db import socket_db

logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 64 * 1024
MAX_FRAME_DEPTH = 4
MAX_INT = 2**31 - 1
MAX_PENDING_FRAMES = 100
DRAIN_SECONDS = 5.0

CLOSE_CODES = {
    "missing": 4401,
    "invalid": 4401,
    "expired": 4401,
    "not_authenticated": 4401,
    "no_membership": 4403,
}


class FrameError(DomainError):
    code = "bad_frame"


# Frame validation --------------------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_values(value: Any, depth: int = 0) -> None:
    if depth > MAX_FRAME_DEPTH:
        raise FrameError("The frame is nested too deeply.", code="bad_frame")
    if isinstance(value, str):
        if _has_lone_surrogate(value):
            raise FrameError(
                "The frame contains text that is not valid Unicode (a lone surrogate).", code="invalid_text"
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_values(key, depth + 1)
            _check_values(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_values(item, depth + 1)


def frame_parse(text_data: str | None) -> dict[str, Any]:
    """The frame as a dict with a string ``type``, or :class:`FrameError` saying what is wrong with it."""
    if text_data is None:
        raise FrameError("Frames must be JSON text.")
    if _has_lone_surrogate(text_data):
        raise FrameError("The frame is not valid UTF-8 text.", code="invalid_text")
    if len(text_data.encode("utf-8")) > MAX_FRAME_BYTES:
        raise FrameError(f"Frames are limited to {MAX_FRAME_BYTES} bytes.", code="frame_too_large")
    try:
        payload = json.loads(text_data, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise FrameError("The frame is not valid JSON.", code="invalid_json") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise FrameError('A frame is a JSON object with a "type".')
    _check_values(payload)
    return payload


def frame_int(payload: dict, name: str, *, default: int | None = None, minimum: int = 0) -> int:
    """A whole-number field: a JSON integer (not a boolean, not a float, not a string) in range."""
    value = payload.get(name, default)
    if value is None and default is not None:
        value = default
    if type(value) is not int or not minimum <= value <= MAX_INT:
        raise FrameError(
            f"{name} must be a whole number from {minimum} to {MAX_INT}.",
            fields={name: [f"A whole number from {minimum} to {MAX_INT}."]},
        )
    return value


def frame_bool(payload: dict, name: str, *, default: bool = False) -> bool:
    value = payload.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise FrameError(f"{name} must be true or false.", fields={name: ["true or false."]})
    return value


def frame_str(payload: dict, name: str, *, max_length: int, default: str = "") -> str:
    value = payload.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str) or len(value) > max_length:
        raise FrameError(
            f"{name} must be a string of at most {max_length} characters.",
            fields={name: [f"A string of at most {max_length} characters."]},
        )
    return value


def query_seq(raw: str) -> int:
    """``last_seq`` from a query string: digits only (no sign, exponent or decimal point), in range."""
    if raw == "":
        return 0
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or int(raw) > MAX_INT:
        raise FrameError(
            f"last_seq must be a whole number from 0 to {MAX_INT}.",
            fields={"last_seq": [f"A whole number from 0 to {MAX_INT}."]},
        )
    return int(raw)


@socket_db
def backlog_page(conversation: Conversation, last_seq: int, include_private: bool) -> tuple[list[dict], bool]:
    """One page of what a client missed, as wire payloads, and whether more follows."""
    rows, more = messages_page(
        conversation=conversation, last_seq=last_seq, include_private=include_private, limit=RESUME_PAGE
    )
    return messages_payload(conversation, rows), more


def _ref(payload: dict) -> str | None:
    return payload.get("client_msg_id") if isinstance(payload.get("client_msg_id"), str) else None


class HelpdeskConsumer(AsyncWebsocketConsumer):
    """Base of the widget and inbox consumers.

    Subclasses implement ``frame_<type>(payload)`` for each frame type they accept, set
    ``include_private`` (agents see private notes, customers never do) and may override
    :meth:`present_message` to show a message differently (the widget's public view).
    """

    include_private = False

    async def dispatch(self, message: dict) -> None:
        """Channels' dispatch, without its hop to the shared sync thread before every handler to close
        stale database connections: every frame and every event of every socket queued for that one
        thread. Our handlers never use a connection of the event loop's thread; their database calls
        (``helpdesk.socket_db``) close their own."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        self.groups_joined: set[str] = set()
        self.last_sent: dict[int, int] = {}
        self.watched: dict[int, Conversation] = {}
        self.ended = False
        self.gone = False
        self.frames: asyncio.Queue[dict] = asyncio.Queue()
        self.frame_task: asyncio.Task | None = None
        await self.accept()
        error = self.scope.get("auth_error")
        if error:
            await self.refuse(error)
            return
        await self.on_authenticated()

    async def refuse(self, error: str) -> None:
        """Tell the client why, then close with the code its error maps to."""
        self.ended = True
        await self.send_json({"type": "error", "code": error, "message": "Not allowed."})
        await self.close(code=CLOSE_CODES.get(error, 4403))

    async def on_authenticated(self) -> None:
        raise NotImplementedError

    async def disconnect(self, code: int) -> None:
        self.gone = True
        await self.frames_drain()
        self.ended = True
        for group in list(getattr(self, "groups_joined", set())):
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:
                logger.warning("Could not leave %s", group, exc_info=True)

    async def join(self, group: str) -> None:
        """Join ``group``. A layer that cannot reach Redis now subscribes again when it is back and then
        resyncs this consumer, so the join is remembered either way."""
        if group not in self.groups_joined:
            self.groups_joined.add(group)
            try:
                await self.channel_layer.group_add(group, self.channel_name)
            except Exception:
                logger.warning("Could not join %s now", group, exc_info=True)

    async def leave(self, group: str) -> None:
        if group in self.groups_joined:
            self.groups_joined.discard(group)
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:
                logger.warning("Could not leave %s", group, exc_info=True)

    async def send_json(self, content: dict[str, Any]) -> None:
        if self.gone:
            return
        await self.send(text_data=json.dumps(content))

    async def send_error(self, code: str, message: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, **extra})

    # Incoming frames ------------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Parse and queue; :meth:`frames_run` handles the frame (see the module docstring)."""
        if self.ended:
            await self.send_error("session_ended", "This socket is closing; nothing was done.")
            return
        try:
            payload = frame_parse(text_data)
        except FrameError as exc:
            await self.send_error(exc.code, exc.message, fields=exc.fields)
            return
        kind = payload["type"]
        handler = None
        if len(kind) <= 40 and kind.replace("_", "").isascii() and kind.replace("_", "").isalpha():
            handler = getattr(self, "frame_" + kind, None)
        if handler is None:
            await self.send_error("unknown_type", f"Unknown frame type {kind[:40]!r}.")
            return
        if self.frames.qsize() >= MAX_PENDING_FRAMES:
            await self.send_error(
                "too_many_frames",
                f"More than {MAX_PENDING_FRAMES} frames are waiting; this one was dropped, send it again.",
                ref=_ref(payload),
            )
            return
        self.frames.put_nowait(payload)
        if self.frame_task is None or self.frame_task.done():
            self.frame_task = asyncio.get_running_loop().create_task(self.frames_run())

    async def frames_run(self) -> None:
        """Handle the queued frames one at a time, in the order they came."""
        while not self.frames.empty():
            payload = self.frames.get_nowait()
            try:
                await self.frame_handle(payload)
            finally:
                self.frames.task_done()

    async def frames_drain(self) -> None:
        """Let the frames still queued run (bounded), then stop the task."""
        task = self.frame_task
        if task is None or task.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=DRAIN_SECONDS)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
        except Exception:
            logger.warning("Frames left at disconnect failed", exc_info=True)

    async def frame_handle(self, payload: dict) -> None:
        kind = payload["type"]
        if self.ended:
            await self.send_error("session_ended", "This socket is closing; nothing was done.")
            return
        ref = _ref(payload)
        try:
            await self.before_frame(payload)
            await getattr(self, "frame_" + kind)(payload)
        except DomainError as exc:
            await self.on_domain_error(exc, ref)
        except Exception:
            logger.exception("Frame %s failed", kind)
            await self.send_error("server_error", await self.failure_message(payload), ref=ref)

    async def before_frame(self, payload: dict) -> None:
        """A check every frame passes before its handler."""

    async def on_domain_error(self, exc: DomainError, ref: str | None) -> None:
        """A frame was refused: say why, and the socket stays open."""
        await self.send_error(exc.code, exc.message, fields=exc.fields, ref=ref)

    async def failure_message(self, payload: dict) -> str:
        """What to tell a client whose frame failed unexpectedly. Say "nothing was lost" only when it is
        known to be true: subclasses check whether the message of a ``message`` frame was stored."""
        return "Something went wrong on our side; please try again."

    # Delivery ----------------------------------------------------------------------------------------

    def present_message(self, message: dict) -> dict:
        return message

    async def watch(
        self,
        conversation: Conversation,
        last_seq: int,
        first_page: tuple[list[dict], bool] | None = None,
    ) -> None:
        """Join a conversation's group, then send everything the client missed after ``last_seq``.

        Joining first and reading second means nothing falls between the two; duplicates are dropped by
        ``seq`` in :meth:`deliver_messages`. ``first_page`` is a page the caller already read (the widget
        reads it in the same database call that authenticates it).
        """
        self.watched[conversation.pk] = conversation
        self.last_sent[conversation.pk] = last_seq
        await self.join(conversation_group(conversation.tenant_id, conversation.pk))
        await self.send_pages(conversation, first_page=first_page, resumed=True)

    async def send_pages(
        self,
        conversation: Conversation,
        *,
        first_page: tuple[list[dict], bool] | None = None,
        resumed: bool,
    ) -> None:
        """Everything after the last seq sent, page by page (``more: true`` on all but the last)."""
        page = first_page
        while True:
            if page is None:
                page = await backlog_page(
                    conversation, self.last_sent.get(conversation.pk, 0), self.include_private
                )
            messages, more = page
            await self.deliver_messages(conversation.pk, messages, resumed=resumed, more=more)
            if not more or not messages:
                return
            page = None

    async def deliver_messages(
        self, conversation_id: int, messages: list[dict], resumed: bool = False, more: bool = False
    ) -> None:
        sent = self.last_sent.get(conversation_id, 0)
        fresh = [m for m in messages if m["seq"] > sent]
        if not fresh and not resumed:
            return
        if fresh:
            self.last_sent[conversation_id] = fresh[-1]["seq"]
        shown = [self.present_message(m) for m in fresh]
        if resumed:
            await self.send_json(
                {"type": "messages", "conversation_id": conversation_id, "messages": shown, "more": more}
            )
        else:
            for message in shown:
                await self.send_json({"type": "message", "message": message})

    async def helpdesk_event(self, envelope: dict) -> None:
        event = envelope["event"]
        if event.get("type") == "message":
            await self.on_message_event(event["message"])
        else:
            await self.on_event(event)

    async def helpdesk_resync(self, envelope: dict) -> None:
        """The layer reconnected to Redis: whatever was published meanwhile is lost, so re-read it."""
        for conversation in list(self.watched.values()):
            await self.send_pages(conversation, resumed=True)
        await self.on_resync()

    async def on_resync(self) -> None:
        """What else a consumer refreshes after a resync (the inbox: its lists)."""

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
            await self.send_pages(self.watched[conversation_id], resumed=False)
            return
        await self.deliver_messages(conversation_id, [message])

    async def on_event(self, event: dict) -> None:
        await self.send_json(event)
