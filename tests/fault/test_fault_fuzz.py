"""A corpus of bad socket input against the real server: each gets an error frame (frames over the
server's size limit may instead close the socket cleanly with 1009), the socket goes on working, and
nothing half-written is stored."""

from __future__ import annotations

import contextlib
import json

import pytest

from tests.fault.accounting import accounts
from tests.fault.clients import Agent, Closed, Widget
from tests.fault.harness import http_ok

pytestmark = [pytest.mark.fault, pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(400)]

MESSAGE_MAX_CHARS = 4000
# What a socket may be closed with for bad input: a clean close, never 1006 (dropped) or 1011 (crashed).
CLEAN_CLOSES = {1000, 1008, 1009, 4400, 4401, 4403, 4413}

WIDGET_CORPUS: list[tuple[str, str | bytes]] = [
    ("not JSON", "not json"),
    ("truncated JSON", '{"type": "message", "text": "hi"'),
    ("a list", "[1, 2]"),
    ("a string", '"message"'),
    ("a number", "42"),
    ("null", "null"),
    ("no type", '{"text": "hi"}'),
    ("numeric type", '{"type": 5}'),
    ("list type", '{"type": ["message"]}'),
    ("unknown type", '{"type": "nope"}'),
    ("dunder type", '{"type": "__class__"}'),
    ("empty type", '{"type": ""}'),
    ("lone surrogate text", '{"type": "message", "text": "\\ud800", "client_msg_id": "bad-1"}'),
    ("lone surrogate id", '{"type": "message", "text": "hi", "client_msg_id": "\\udfff"}'),
    ("lone surrogate type", '{"type": "\\ud800"}'),
    ("NaN text", '{"type": "message", "text": NaN, "client_msg_id": "bad-2"}'),
    ("Infinity text", '{"type": "message", "text": Infinity, "client_msg_id": "bad-3"}'),
    ("number text", '{"type": "message", "text": 1.5, "client_msg_id": "bad-4"}'),
    ("null text", '{"type": "message", "text": null, "client_msg_id": "bad-5"}'),
    ("list text", '{"type": "message", "text": ["hi"], "client_msg_id": "bad-6"}'),
    ("blank text", '{"type": "message", "text": "   ", "client_msg_id": "bad-7"}'),
    (
        "text too long",
        json.dumps({"type": "message", "text": "x" * (MESSAGE_MAX_CHARS + 1), "client_msg_id": "bad-8"}),
    ),
    ("client_msg_id too long", json.dumps({"type": "message", "text": "hi", "client_msg_id": "c" * 65})),
    ("client_msg_id object", '{"type": "message", "text": "hi", "client_msg_id": {"a": 1}}'),
    ("client_msg_id number", '{"type": "message", "text": "hi", "client_msg_id": 1.5}'),
    ("last_seq abc", '{"type": "resume", "last_seq": "abc"}'),
    ("last_seq 1e999", '{"type": "resume", "last_seq": 1e999}'),
    ("last_seq -1", '{"type": "resume", "last_seq": -1}'),
    ("last_seq 1.5", '{"type": "resume", "last_seq": 1.5}'),
    ("last_seq true", '{"type": "resume", "last_seq": true}'),
    ("last_seq list", '{"type": "resume", "last_seq": [1]}'),
    ("last_seq NaN", '{"type": "resume", "last_seq": NaN}'),
    ("last_seq huge", '{"type": "resume", "last_seq": 100000000000000000000000}'),
    ("frame over 64 KiB", json.dumps({"type": "message", "text": "y" * 100_000, "client_msg_id": "bad-9"})),
    ("binary frame", b"\x00\x01\x02binary"),
]

AGENT_IDS = [("1.5", "1.5"), ("true", "true"), ("[1]", "[1]"), ('"x"', '"x"'), ("-1", "-1"), ("NaN", "NaN")]


async def probe_after(socket, bad: str | bytes, probe: dict, answer: str) -> tuple[dict, dict | None]:
    """Send ``bad`` then the good ``probe``. Returns the first reply to either (an error frame, or the
    probe's ``answer`` when the bad frame went unanswered) and the probe's answer if it came."""
    mark = socket.mark()
    await socket.send(bad)
    await socket.send(probe)
    try:
        first = await socket.wait_for(lambda f: f["type"] in ("error", answer), 10, mark)
    except (TimeoutError, Closed) as exc:
        return {"type": type(exc).__name__, "close_code": socket.close_code}, None
    after = mark + [f for _, f in socket.frames[mark:]].index(first) + 1
    following = None
    with contextlib.suppress(TimeoutError, Closed):
        following = (
            first
            if first["type"] == answer
            else await socket.wait_for(lambda f: f["type"] == answer, 10, after)
        )
    return first, following


async def test_bad_widget_frames_get_error_frames_and_store_nothing(live):
    # Given a customer's socket
    session = live.widget_session()
    widget = Widget(session["token"], "fuzzed-widget")
    await widget.join(live.ws(0))
    good = {"type": "resume", "last_seq": 0}
    results = {}

    # When each bad frame of the corpus is sent, followed by a good one
    for label, bad in WIDGET_CORPUS:
        first, following = await probe_after(widget, bad, good, "messages")
        results[label] = (first.get("type"), first.get("code"), following is not None)

    # Then each got an error frame (not a server error), and the good frame after it worked
    for label, outcome in results.items():
        print(f"{label:>24}: {outcome}")
    wrong = {
        label: outcome
        for label, outcome in results.items()
        if outcome[0] != "error" or outcome[1] in (None, "server_error") or not outcome[2]
    }
    assert wrong == {}
    assert widget.is_open
    # ... and none of the bad messages started a conversation
    assert widget.conversation_id is None

    # And a good message afterwards is stored and answered; no bad one was stored, even in part
    ack = await widget.say("How long does delivery take?", "good-1")
    assert ack["type"] == "ack"
    stored = [a.client_msg_id for a in accounts(live.database, widget.conversation_id)]
    print(f"stored customer messages: {stored}")
    assert stored == ["good-1"]
    assert http_ok(live.http(0) + "/healthz") and live.daphnes[0].alive()
    await widget.close()


async def test_a_frame_over_one_mebibyte_gets_an_error_or_a_clean_close(live):
    # Given a customer's socket with one message
    session = live.widget_session(index=1)
    widget = Widget(session["token"], "huge-frame")
    await widget.join(live.ws(1))
    assert (await widget.say("How long does delivery take?", "good-1"))["type"] == "ack"

    # When a frame over 1 MiB is sent
    mark = widget.mark()
    await widget.send(
        json.dumps({"type": "message", "text": "z" * (1024 * 1024 + 10), "client_msg_id": "huge"})
    )
    try:
        reply = await widget.wait_for(lambda f: f["type"] == "error", 10, mark)
    except Closed:
        reply = None
    code = await widget.wait_closed(1) if reply is None else None
    print(f"over 1 MiB: error frame {reply and reply.get('code')!r}, close code {code}")

    # Then it got an error frame or a clean close with 1009, and the customer goes on (reconnecting if closed)
    assert (reply is not None and reply.get("code") == "frame_too_large") or code == 1009
    if not widget.is_open:
        await widget.join(live.ws(1))
    assert (await widget.say("Can I return a bike?", "good-2"))["type"] == "ack"
    stored = [a.client_msg_id for a in accounts(live.database, widget.conversation_id)]
    print(f"stored customer messages: {stored}")
    assert stored == ["good-1", "good-2"]
    await widget.close()


@pytest.mark.parametrize("last_seq", ["abc", "1e999", "-1", "1.5", "%00"])
async def test_a_bad_last_seq_in_the_query_gets_an_error_frame(live, last_seq):
    # Given a customer's session (a visitor who has not written yet)
    session = live.widget_session()
    widget = Widget(session["token"], f"query-{last_seq}")

    # When the socket is opened with a bad last_seq
    await widget.open(live.ws(0), last_seq=last_seq)
    try:
        error = await widget.wait_for(lambda f: f["type"] == "error", 10)
    except (TimeoutError, Closed):
        error = None
    if widget.is_open:
        mark = widget.mark()
        await widget.send({"type": "resume", "last_seq": 0})
        try:
            still_works = (await widget.wait_for(lambda f: f["type"] == "messages", 10, mark)) is not None
        except (TimeoutError, Closed):
            still_works = False
        close_code = None
    else:
        still_works, close_code = False, widget.close_code
    print(
        f"last_seq={last_seq!r}: error {error and error.get('code')!r}; open {widget.is_open}; "
        f"good frame after {still_works}; close code {close_code}"
    )

    # Then it gets an error frame, and either keeps working or is closed cleanly
    assert error is not None and error.get("code") not in (None, "server_error")
    assert still_works or close_code in CLEAN_CLOSES
    await widget.close()

    # And a well-formed connection with the same token works
    again = Widget(session["token"], "good-query")
    assert (await again.join(live.ws(0), resume=False))["type"] == "hello"
    await again.close()


async def test_bad_conversation_ids_on_the_agent_socket_get_error_frames(live):
    # Given an agent socket and a customer's conversation
    ((conversation_id, _),) = live.widget_conversations(1)
    agent = Agent(live.seed.agent_session, "fuzzed-agent")
    assert (await agent.join(live.ws(1)))["type"] == "hello"
    good = {"type": "open", "conversation_id": conversation_id, "last_seq": 0}
    results = {}

    # When frames name the conversation with a bad id, or ask for a bad last_seq
    for label, raw in AGENT_IDS:
        for kind in ("open", "message", "claim", "read", "typing", "close"):
            bad = f'{{"type": "{kind}", "conversation_id": {raw}, "text": "hi", "client_msg_id": "a-{kind}"}}'
            first, following = await probe_after(agent, bad, good, "messages")
            results[f"{kind} id={label}"] = (first.get("type"), first.get("code"), following is not None)
    for raw in ('"abc"', "1e999", "-1", "1.5", "true", "NaN"):
        bad = f'{{"type": "open", "conversation_id": {conversation_id}, "last_seq": {raw}}}'
        first, following = await probe_after(agent, bad, good, "messages")
        results[f"open last_seq={raw}"] = (first.get("type"), first.get("code"), following is not None)

    # Then each got an error frame, the socket works afterwards, and nothing was stored
    for label, outcome in results.items():
        print(f"{label:>28}: {outcome}")
    wrong = {
        label: outcome
        for label, outcome in results.items()
        if outcome[0] != "error" or outcome[1] in (None, "server_error") or not outcome[2]
    }
    assert wrong == {}
    rows = live.database.rows(
        "SELECT author_kind, client_msg_id FROM helpdesk_message WHERE conversation_id = %s "
        "AND author_kind <> 'bot' ORDER BY seq",
        (conversation_id,),
    )
    assert rows == []
    assert (await agent.ping())["type"] == "pong"
    await agent.close()
