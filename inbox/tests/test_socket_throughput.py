"""What keeps a socket responsive under load: database calls side by side, events that never wait behind a
slow frame, a bounded frame queue, frames still run after the client goes, and coalesced list activity."""

import asyncio
import threading
import time

import pytest
from asgiref.sync import sync_to_async

from chatbot.services import widget_conversation_start
from helpdesk.events import inbox_group, publish_on_commit
from helpdesk.models import Conversation, Message
from helpdesk.payloads import conversation_payload
from helpdesk.socket_db import socket_db, socket_db_reset
from inbox import consumers as inbox_consumers
from tests.support.db import every_tenant
from tests.support.sockets import agent_socket, session_key_for, widget_socket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(make_tenant, make_bot, make_agent):
    acme = make_tenant("acme")
    session = widget_conversation_start(public_key=make_bot(acme, "Acme bot").public_key)
    return {"acme": acme, "alice": make_agent(acme, "alice"), "session": session}


async def _agent(membership):
    sock = agent_socket(await sync_to_async(session_key_for)(membership.user))
    assert await sock.connect()
    await sock.receive_until(lambda f: f["type"] == "agent.presence")
    return sock


def _publish(tenant_id: int, event: dict) -> None:
    publish_on_commit(inbox_group(tenant_id), event)


# Database calls side by side -----------------------------------------------------------------------


async def test_socket_database_calls_run_side_by_side_on_the_thread_pool(settings):
    settings.SOCKET_DB_THREADS = 3
    socket_db_reset()
    barrier = threading.Barrier(3, timeout=5)

    @socket_db
    def meet() -> str:
        barrier.wait()  # only passes when three calls run at the same time
        return threading.current_thread().name

    names = await asyncio.wait_for(asyncio.gather(meet(), meet(), meet()), 10)
    assert len(set(names)) == 3
    assert all(name.startswith("socket-db") for name in names)


async def test_with_no_socket_threads_calls_run_one_at_a_time(settings):
    settings.SOCKET_DB_THREADS = 0
    socket_db_reset()
    running = 0
    most = 0
    lock = threading.Lock()

    @socket_db
    def work() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1

    await asyncio.gather(*(work() for _ in range(4)))
    assert most == 1


# Frames and events ---------------------------------------------------------------------------------


@pytest.fixture
def slow_heartbeat(monkeypatch) -> threading.Event:
    """Heartbeats wait until the returned event is set."""
    release = threading.Event()
    heartbeat = inbox_consumers.PRESENCE["heartbeat"]

    def slow(**kwargs):
        release.wait(5)
        return heartbeat(**kwargs)

    monkeypatch.setitem(inbox_consumers.PRESENCE, "heartbeat", slow)
    return release


async def test_an_event_reaches_the_agent_while_a_slow_frame_waits(world, slow_heartbeat):
    sock = await _agent(world["alice"])
    release = slow_heartbeat
    await sock.send({"type": "ping", "idle": False})
    await asyncio.sleep(0.1)
    # Published from a thread of its own: with SQLite the sockets' database calls share one thread, which
    # the slow heartbeat holds; the event must still reach the socket.
    await sync_to_async(_publish, thread_sensitive=False)(
        world["acme"].pk, {"type": "agent.note", "text": "hello"}
    )
    event = await sock.receive(timeout=2)
    assert event == {"type": "agent.note", "text": "hello"}
    release.set()
    pong = await sock.receive()
    assert pong["type"] == "pong"
    await sock.disconnect()


async def test_frames_are_handled_in_the_order_they_came(world):
    session = world["session"]
    sock = widget_socket(session.token)
    assert await sock.connect()
    await sock.receive_until(lambda f: f["type"] == "messages")
    for n in range(5):
        await sock.send({"type": "message", "text": f"Question {n} about delivery", "client_msg_id": f"q{n}"})
    acks = []
    while len(acks) < 5:
        frame = await sock.receive()
        if frame["type"] == "ack":
            acks.append(frame)
    assert [a["client_msg_id"] for a in acks] == [f"q{n}" for n in range(5)]
    seqs = [a["message"]["seq"] for a in acks]
    assert seqs == sorted(seqs)
    await sock.disconnect()


async def test_too_many_waiting_frames_are_refused_with_a_clear_error(world, slow_heartbeat, monkeypatch):
    sock = await _agent(world["alice"])
    release = slow_heartbeat
    monkeypatch.setattr("helpdesk.consumers.MAX_PENDING_FRAMES", 3)
    for _ in range(6):
        await sock.send({"type": "ping", "idle": False})
    error, _ = await sock.receive_until(lambda f: f["type"] == "error")
    assert error["code"] == "too_many_frames"
    release.set()
    kinds = ["error"]
    while len(kinds) < 6:
        kinds.append((await sock.receive())["type"])
    # At most three wait (plus the one running); every other frame was refused, none silently dropped.
    assert kinds.count("pong") in (3, 4)
    assert kinds.count("pong") + kinds.count("error") == 6
    assert await sock.nothing()
    await sock.disconnect()


async def test_a_message_queued_when_the_customer_leaves_is_still_stored(world, monkeypatch):
    session = world["session"]
    sock = widget_socket(session.token)
    assert await sock.connect()
    await sock.receive_until(lambda f: f["type"] == "messages")
    release = threading.Event()
    from chatbot import consumers as widget_consumers

    receive = widget_consumers.customer_message_receive

    def slow_receive(**kwargs):
        release.wait(1)
        return receive(**kwargs)

    monkeypatch.setattr(widget_consumers, "customer_message_receive", slow_receive)
    await sock.send({"type": "message", "text": "Where is my parcel?", "client_msg_id": "m1"})
    await sock.send({"type": "message", "text": "It was due on Monday", "client_msg_id": "m2"})
    await asyncio.sleep(0.05)
    release.set()
    await sock.disconnect()
    stored = await sync_to_async(list)(
        every_tenant(Message)
        .filter(conversation=session.conversation, author_kind="customer")
        .order_by("seq")
        .values_list("client_msg_id", flat=True)
    )
    assert stored == ["m1", "m2"]


# Inbox activity ------------------------------------------------------------------------------------


def _activity(conversation: Conversation, seq: int) -> dict:
    return {"type": "conversation.activity", "conversation": conversation_payload(conversation), "seq": seq}


async def test_activity_of_one_conversation_is_coalesced_to_the_newest(world):
    sock = await _agent(world["alice"])
    conversation = await sync_to_async(
        every_tenant(Conversation).select_related("contact", "bot", "assignee").get
    )(pk=world["session"].conversation.pk)
    for seq in range(1, 6):
        await sync_to_async(_publish)(world["acme"].pk, await sync_to_async(_activity)(conversation, seq))
    frame = await sock.receive(timeout=3)
    assert (frame["type"], frame["seq"]) == ("conversation.activity", 5)
    assert await sock.nothing(1.5)
    await sock.disconnect()


async def test_a_newer_event_about_a_conversation_replaces_its_pending_activity(world):
    sock = await _agent(world["alice"])
    conversation = await sync_to_async(
        every_tenant(Conversation).select_related("contact", "bot", "assignee").get
    )(pk=world["session"].conversation.pk)
    await sync_to_async(_publish)(world["acme"].pk, await sync_to_async(_activity)(conversation, 1))
    status = {"type": "conversation.status", "conversation": {"id": conversation.pk, "status": "waiting"}}
    await sync_to_async(_publish)(world["acme"].pk, status)
    assert (await sock.receive())["type"] == "conversation.status"
    assert await sock.nothing(1.5)
    await sock.disconnect()


async def test_activity_of_an_assigned_conversation_goes_to_its_agent_only(world, make_agent):
    from chatbot.services import customer_message_receive
    from inbox.services import conversation_claim

    bob = await sync_to_async(make_agent)(world["acme"], "bob")
    conversation = world["session"].conversation
    await sync_to_async(customer_message_receive)(
        conversation=conversation, text="Could you connect me with a member of staff please"
    )
    fresh = await sync_to_async(every_tenant(Conversation).get)(pk=conversation.pk)
    await sync_to_async(conversation_claim)(membership=world["alice"], conversation=fresh)
    alice, bob_sock = await _agent(world["alice"]), await _agent(bob)
    await sync_to_async(customer_message_receive)(
        conversation=fresh, text="My order number is SP-12345", client_msg_id="n1"
    )
    frame, _ = await alice.receive_until(lambda f: f["type"] == "conversation.activity", timeout=3)
    assert frame["conversation"]["id"] == conversation.pk
    assert await bob_sock.nothing(1.5)
    await alice.disconnect()
    await bob_sock.disconnect()


async def test_a_handoff_rings_the_inboxes_with_its_status_and_handoff_only(world):
    from chatbot.services import customer_message_receive

    sock = await _agent(world["alice"])
    conversation = world["session"].conversation
    await sync_to_async(customer_message_receive)(
        conversation=conversation,
        text="Could you connect me with a member of staff please",
        client_msg_id="h",
    )
    kinds = [(await sock.receive())["type"], (await sock.receive())["type"]]
    assert kinds == ["conversation.status", "handoff.created"]
    assert await sock.nothing(1.5)
    await sock.disconnect()
