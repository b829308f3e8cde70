"""A bare Channels app that relays chat frames the way the product does, without the product's work.

The load bench (``bench/load.py``) runs the same clients against this app and against the product, so the
ratio of the two isolates what the product adds (authentication, the database write before every event,
detection, presence, resume pages) from what Daphne, Channels and Redis cost anyway.

It speaks the subset of the widget and inbox protocols the bench uses, over the product's channel layer
class (``helpdesk.channel_layer.HelpdeskChannelLayer``) on the same Redis, with one consumer per socket and
one group per conversation:

- ``/ws/widget/?token=<conversation id>``: ``hello``; ``message {text, client_msg_id}`` is published to the
  conversation's group as a ``message`` frame, then acked; the first message of a socket also rings
  the inbox group with ``handoff.created``.
- ``/ws/inbox/``: ``hello``; ``open {conversation_id}`` joins the conversation's group and answers with an
  empty ``messages`` page; ``claim`` does nothing; ``message {conversation_id, text, client_msg_id}`` is
  published and acked like the customer's; ``ping`` gets ``pong``.

Nothing is stored and nothing is authenticated. Serve it with
``daphne bench.bare_app:application`` and ``REDIS_URL`` set (``CHANNELS_PREFIX`` optional).
"""

from __future__ import annotations

import itertools
import json
import os
from urllib.parse import parse_qs

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bare-echo-app",
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        INSTALLED_APPS=["channels"],
        CHANNEL_LAYERS={
            "default": {
                "BACKEND": "helpdesk.channel_layer.HelpdeskChannelLayer",
                "CONFIG": {
                    "hosts": [{"address": os.environ["REDIS_URL"]}],
                    "prefix": os.environ.get("CHANNELS_PREFIX", "bare"),
                },
            }
        },
    )
    django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

INBOX_GROUP = "bare.inbox"
_seq = itertools.count(1)


def conversation_group(conversation_id: int) -> str:
    return f"bare.conv.{conversation_id}"


class BareSocket(AsyncWebsocketConsumer):
    async def send_json(self, content: dict) -> None:
        await self.send(text_data=json.dumps(content))

    async def bare_event(self, envelope: dict) -> None:
        event = envelope["event"]
        if event["type"] == "message":
            await self.send_json({"type": "message", "message": event["message"]})
        else:
            await self.send_json(event)

    async def relay(self, conversation_id: int, author_kind: str, payload: dict) -> None:
        message = {
            "conversation_id": conversation_id,
            "seq": next(_seq),
            "author_kind": author_kind,
            "body": payload.get("text", ""),
            "client_msg_id": payload.get("client_msg_id"),
        }
        await self.channel_layer.group_send(
            conversation_group(conversation_id),
            {"type": "bare.event", "event": {"type": "message", "message": message}},
        )
        await self.send_json(
            {
                "type": "ack",
                "conversation_id": conversation_id,
                "client_msg_id": message["client_msg_id"],
                "duplicate": False,
                "message": message,
            }
        )


class BareWidget(BareSocket):
    async def connect(self) -> None:
        query = parse_qs(self.scope.get("query_string", b"").decode())
        self.conversation_id = int(query.get("token", ["0"])[0])
        self.handed_off = False
        await self.accept()
        await self.channel_layer.group_add(conversation_group(self.conversation_id), self.channel_name)
        await self.send_json({"type": "hello", "conversation_id": self.conversation_id, "status": "bot"})

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(conversation_group(self.conversation_id), self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        payload = json.loads(text_data or "{}")
        if payload.get("type") != "message":
            return
        await self.relay(self.conversation_id, "customer", payload)
        if not self.handed_off:
            # The bench's first message on a socket asks for a person; the product hands off on it.
            self.handed_off = True
            await self.channel_layer.group_send(
                INBOX_GROUP,
                {
                    "type": "bare.event",
                    "event": {"type": "handoff.created", "conversation": {"id": self.conversation_id}},
                },
            )


class BareInbox(BareSocket):
    async def connect(self) -> None:
        self.joined: set[str] = {INBOX_GROUP}
        await self.accept()
        await self.channel_layer.group_add(INBOX_GROUP, self.channel_name)
        await self.send_json({"type": "hello"})

    async def disconnect(self, code: int) -> None:
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        payload = json.loads(text_data or "{}")
        kind = payload.get("type")
        if kind == "open":
            conversation_id = payload["conversation_id"]
            group = conversation_group(conversation_id)
            self.joined.add(group)
            await self.channel_layer.group_add(group, self.channel_name)
            await self.send_json(
                {"type": "messages", "conversation_id": conversation_id, "messages": [], "more": False}
            )
        elif kind == "message":
            await self.relay(payload["conversation_id"], "agent", payload)
        elif kind == "ping":
            await self.send_json({"type": "pong", "presence": "online"})


async def healthz(scope, receive, send) -> None:
    """Readiness for the bench: 200 on any HTTP request."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


application = ProtocolTypeRouter(
    {
        "http": healthz,
        "websocket": URLRouter(
            [path("ws/widget/", BareWidget.as_asgi()), path("ws/inbox/", BareInbox.as_asgi())]
        ),
    }
)
