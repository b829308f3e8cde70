"""The pub/sub channel layer: sync publishing, a Redis that is down, and a Redis that restarts."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers, get_channel_layer

from chatbot.services import widget_conversation_start
from helpdesk.channel_layer import HelpdeskChannelLayer
from helpdesk.events import _send, conversation_group, typing_send
from helpdesk.models import Message
from tests.support.db import every_tenant
from tests.support.sockets import widget_socket

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _use_layer(settings, url: str, prefix: str) -> None:
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "helpdesk.channel_layer.HelpdeskChannelLayer",
            "CONFIG": {"hosts": [{"address": url}], "prefix": prefix},
        }
    }
    channel_layers.backends = {}


@pytest.fixture
def session(make_tenant, make_bot, make_agent):
    tenant = make_tenant("acme")
    session = widget_conversation_start(public_key=make_bot(tenant, articles=[]).public_key)
    return session, make_agent(tenant, "alice")


async def _connected(token: str, last_seq: int = 0):
    sock = widget_socket(token, last_seq)
    assert await sock.connect()
    assert (await sock.receive())["type"] == "hello"
    assert (await sock.receive())["type"] == "messages"
    return sock


def _agent_message(frame: dict) -> bool:
    return frame["type"] == "message" and frame["message"]["author_kind"] == "agent"


def _reply(session, alice, text: str) -> Message:
    from inbox.services import agent_reply

    return agent_reply(membership=alice, conversation=session.conversation, text=text, client_msg_id=text)[0]


@pytest.mark.redis
async def test_a_service_publishes_after_commit_over_one_pooled_connection(session, redis_channel_layer):
    session, alice = session
    assert isinstance(get_channel_layer(), HelpdeskChannelLayer)
    sock = await _connected(session.token)
    for text in ("one", "two", "three"):
        await sync_to_async(_reply)(session, alice, text)
    frames = [await sock.receive_until(_agent_message) for _ in range(3)]
    assert [f[0]["message"]["body"] for f in frames] == ["one", "two", "three"]
    pool = get_channel_layer()._sync_clients[0].connection_pool
    assert pool._created_connections == 1
    await sock.disconnect()


async def test_with_redis_down_sockets_still_work_and_publishing_never_raises(session, settings):
    session, _ = session
    _use_layer(settings, f"redis://127.0.0.1:{_free_port()}/0", "helpdesk-down")
    started = time.monotonic()
    await sync_to_async(_send)("t1.inbox", {"type": "ping"})
    assert time.monotonic() - started < 5
    await typing_send(tenant_id=1, conversation_id=1, who="agent", typing=True)

    sock = await _connected(session.token)
    await sock.send({"type": "typing", "typing": True})
    await sock.send({"type": "message", "text": "anyone?", "client_msg_id": "down"})
    ack, _ = await sock.receive_until(lambda f: f["type"] == "ack", timeout=15)
    assert ack["message"]["body"] == "anyone?"
    assert await sync_to_async(every_tenant(Message).filter(client_msg_id="down").count)() == 1
    await sock.disconnect()


def _redis_server(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not start")


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the redis-server binary")
async def test_after_a_redis_restart_the_socket_gets_what_was_published_meanwhile(session, settings):
    session, alice = session
    port = _free_port()
    server = _redis_server(port)
    try:
        _use_layer(settings, f"redis://127.0.0.1:{port}/0", "helpdesk-restart")
        sock = await _connected(session.token)
        await sync_to_async(_reply)(session, alice, "before")
        live, _ = await sock.receive_until(_agent_message)
        assert live["message"]["body"] == "before"

        server.kill()
        server.wait()
        await asyncio.sleep(0.5)
        # Stored while Redis is gone: its event is lost, and nothing of Redis's memory survives.
        await sync_to_async(_reply)(session, alice, "during")
        server = await sync_to_async(_redis_server)(port)

        frame, _ = await sock.receive_until(lambda f: f["type"] in ("messages", "message"), timeout=20)
        bodies = [m["body"] for m in frame.get("messages") or [frame["message"]]]
        assert bodies == ["during"]
        # Live delivery works again, through the group the layer subscribed to anew.
        await sync_to_async(_reply)(session, alice, "after")
        after, _ = await sock.receive_until(_agent_message, timeout=10)
        assert after["message"]["body"] == "after"
        group = get_channel_layer().group_channel_name(
            conversation_group(session.conversation.tenant_id, session.conversation.pk)
        )
        assert group.startswith("helpdesk-restart__group__")
        await sock.disconnect()
    finally:
        server.kill()
        server.wait()
