"""A corpus of bad frames for both sockets: each gets an error frame (never a traceback or a dropped
socket), the socket stays usable, and nothing half-written reaches the database."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async

from chatbot.services import widget_conversation_start
from helpdesk.models import Conversation, Message
from tests.support.db import every_tenant
from tests.support.sockets import agent_socket, session_key_for, widget_socket

pytestmark = pytest.mark.django_db(transaction=True)

BIG = "x" * (64 * 1024)
HUGE = "x" * (1024 * 1024 + 10)

# Raw text frames both sockets must refuse, with the error code each gets.
COMMON = [
    ("not json", "invalid_json"),
    (" ", "invalid_json"),
    (b'{"type": "message", "text": "hi"}', "bad_frame"),
    ("{", "invalid_json"),
    ("[]", "bad_frame"),
    ("null", "bad_frame"),
    ("1", "bad_frame"),
    ('"message"', "bad_frame"),
    ("{}", "bad_frame"),
    ('{"type": 1}', "bad_frame"),
    ('{"type": null}', "bad_frame"),
    ('{"type": ["message"]}', "bad_frame"),
    ('{"type": "dance"}', "unknown_type"),
    ('{"type": "__class__"}', "unknown_type"),
    ('{"type": "message.x"}', "unknown_type"),
    ('{"type": "' + "m" * 5000 + '"}', "unknown_type"),
    ('{"type": "message", "text": NaN}', "invalid_json"),
    ('{"type": "message", "text": Infinity}', "invalid_json"),
    ('{"type": "message", "text": -Infinity}', "invalid_json"),
    ('{"type": "message", "text": "\\ud800 hi", "client_msg_id": "s1"}', "invalid_text"),
    ('{"type": "message", "text": "hi", "client_msg_id": "\\udfff"}', "invalid_text"),
    ('{"type": "message", "text": "hi", "\\ud800": 1}', "invalid_text"),
    ("\ud800", "invalid_text"),
    ('{"type": "message", "text": "\ud83d"}', "invalid_text"),
    ("[" * 50_000, "invalid_json"),
    ('{"type": "message", "text": "hi", "junk": [[[[[[[[1]]]]]]]]}', "bad_frame"),
    ('{"type": "message", "text": 1' + "0" * 5000 + "}", "invalid_json"),
    (json.dumps({"type": "message", "text": BIG}), "frame_too_large"),
    (json.dumps({"type": "message", "text": HUGE}), "frame_too_large"),
]

WIDGET = [
    *COMMON,
    ({"type": "message"}, "invalid"),
    ({"type": "message", "text": None}, "invalid"),
    ({"type": "message", "text": ["hi"]}, "invalid"),
    ({"type": "message", "text": {"a": [1, {"b": 2}]}}, "invalid"),
    ({"type": "message", "text": 1e300}, "invalid"),
    ('{"type": "message", "text": 1e999}', "invalid"),
    ({"type": "message", "text": True}, "invalid"),
    ({"type": "message", "text": ""}, "empty_text"),
    ({"type": "message", "text": "x" * 4001}, "text_too_long"),
    ({"type": "message", "text": "hi", "client_msg_id": "x" * 65}, "invalid"),
    ({"type": "message", "text": "hi", "client_msg_id": 7}, "invalid"),
    ({"type": "message", "text": "hi", "client_msg_id": ["a"]}, "invalid"),
    ({"type": "resume", "last_seq": "abc"}, "bad_frame"),
    ({"type": "resume", "last_seq": "1"}, "bad_frame"),
    ('{"type": "resume", "last_seq": 1e999}', "bad_frame"),
    ({"type": "resume", "last_seq": 1.5}, "bad_frame"),
    ({"type": "resume", "last_seq": True}, "bad_frame"),
    ({"type": "resume", "last_seq": -1}, "bad_frame"),
    ({"type": "resume", "last_seq": 2**31}, "bad_frame"),
    ({"type": "resume", "last_seq": [1]}, "bad_frame"),
    ({"type": "typing", "typing": "yes"}, "bad_frame"),
    ({"type": "typing", "typing": 1}, "bad_frame"),
]

INBOX = [
    *COMMON,
    ({"type": "open"}, "bad_frame"),
    ({"type": "open", "conversation_id": 1.5}, "bad_frame"),
    ({"type": "open", "conversation_id": True}, "bad_frame"),
    ({"type": "open", "conversation_id": "1"}, "bad_frame"),
    ('{"type": "open", "conversation_id": 1e999}', "bad_frame"),
    ({"type": "open", "conversation_id": [1]}, "bad_frame"),
    ({"type": "open", "conversation_id": {"id": 1}}, "bad_frame"),
    ({"type": "open", "conversation_id": 2**63}, "bad_frame"),
    ({"type": "open", "conversation_id": 10**9}, "not_found"),
    ({"type": "close", "conversation_id": [1]}, "bad_frame"),
    ({"type": "close", "conversation_id": {"a": 1}}, "bad_frame"),
    ({"type": "close", "conversation_id": 10**9}, "not_found"),
    ({"type": "claim", "conversation_id": True}, "bad_frame"),
    ({"type": "resolve", "conversation_id": 1.0}, "bad_frame"),
    ({"type": "handback", "conversation_id": None}, "bad_frame"),
    ({"type": "typing", "conversation_id": "x", "typing": True}, "bad_frame"),
    ({"type": "message", "conversation_id": 1.5, "text": "hi"}, "bad_frame"),
    ({"type": "ping", "idle": "yes"}, "bad_frame"),
    ({"type": "presence", "status": 5}, "bad_frame"),
    ({"type": "presence", "status": "asleep"}, "invalid"),
    ({"type": "presence", "status": "x" * 100}, "bad_frame"),
]

# Frames that name the conversation under test, filled in by the test.
INBOX_ON_CONVERSATION = [
    ({"type": "message", "text": None}, "invalid"),
    ({"type": "message", "text": "\ud800"}, "invalid_text"),
    ({"type": "message", "text": "hi", "private": "yes"}, "bad_frame"),
    ({"type": "message", "text": "hi", "client_msg_id": 3}, "invalid"),
    ({"type": "message", "text": "x" * 4001}, "text_too_long"),
    ({"type": "open", "last_seq": "abc"}, "bad_frame"),
    ({"type": "open", "last_seq": 1.5}, "bad_frame"),
    ({"type": "open", "last_seq": True}, "bad_frame"),
    ({"type": "read", "seq": "abc"}, "bad_frame"),
    ({"type": "read", "seq": True}, "bad_frame"),
    ({"type": "read", "seq": -5}, "bad_frame"),
    ({"type": "typing", "typing": "yes"}, "bad_frame"),
]


def _raw(frame) -> str | bytes:
    return frame if isinstance(frame, (str, bytes)) else json.dumps(frame)


async def _send_raw(sock, raw: str | bytes) -> None:
    if isinstance(raw, bytes):
        await sock.comm.send_to(bytes_data=raw)
    else:
        await sock.comm.send_to(text_data=raw)


@pytest.fixture
def world(make_tenant, make_bot, make_agent):
    tenant = make_tenant("acme")
    session = widget_conversation_start(public_key=make_bot(tenant, articles=[]).public_key)
    return {"session": session, "alice": make_agent(tenant, "alice")}


def _counts(conversation_id: int) -> tuple[int, int, str]:
    conversation = every_tenant(Conversation).get(pk=conversation_id)
    return (
        every_tenant(Message).filter(conversation_id=conversation_id).count(),
        conversation.last_seq,
        conversation.status,
    )


@pytest.mark.parametrize(("frame", "code"), WIDGET, ids=range(len(WIDGET)))
async def test_the_widget_refuses_a_bad_frame_and_stays_usable(world, frame, code):
    session = world["session"]
    sock = widget_socket(session.token, 0)
    assert await sock.connect()
    await sock.receive_until(lambda f: f["type"] == "messages")
    before = await sync_to_async(_counts)(session.conversation.pk)
    await _send_raw(sock, _raw(frame))
    error = await sock.receive()
    assert (error["type"], error["code"]) == ("error", code)
    assert "lost" not in error["message"]
    assert await sync_to_async(_counts)(session.conversation.pk) == before
    await sock.send({"type": "message", "text": "still there?", "client_msg_id": "good"})
    ack, _ = await sock.receive_until(lambda f: f["type"] == "ack")
    assert (ack["message"]["body"], ack["message"]["seq"]) == ("still there?", before[1] + 1)
    await sock.disconnect()


async def _agent(membership):
    sock = agent_socket(await sync_to_async(session_key_for)(membership.user))
    assert await sock.connect()
    await sock.receive_until(lambda f: f["type"] == "agent.presence")
    return sock


async def _inbox_case(world, frame, code):
    conversation_id = world["session"].conversation.pk
    sock = await _agent(world["alice"])
    await sock.send({"type": "open", "conversation_id": conversation_id, "last_seq": 0})
    await sock.receive_until(lambda f: f["type"] == "messages")
    before = await sync_to_async(_counts)(conversation_id)
    await _send_raw(sock, frame)
    error = await sock.receive()
    assert (error["type"], error["code"]) == ("error", code)
    assert await sync_to_async(_counts)(conversation_id) == before
    await sock.send(
        {"type": "message", "conversation_id": conversation_id, "text": "Alice here", "client_msg_id": "ok"}
    )
    ack, _ = await sock.receive_until(lambda f: f["type"] == "ack")
    assert ack["message"]["body"] == "Alice here"
    assert ack["message"]["seq"] > before[1]
    await sock.disconnect()


@pytest.mark.parametrize(("frame", "code"), INBOX, ids=range(len(INBOX)))
async def test_the_inbox_refuses_a_bad_frame_and_stays_usable(world, frame, code):
    await _inbox_case(world, _raw(frame), code)


@pytest.mark.parametrize(("frame", "code"), INBOX_ON_CONVERSATION, ids=range(len(INBOX_ON_CONVERSATION)))
async def test_the_inbox_refuses_a_bad_field_on_a_real_conversation(world, frame, code):
    raw = _raw({**frame, "conversation_id": world["session"].conversation.pk})
    await _inbox_case(world, raw, code)
