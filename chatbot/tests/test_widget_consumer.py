"""The customer's socket, through the real ASGI application and the visitor-token middleware."""

import pytest
from asgiref.sync import sync_to_async

from chatbot.services import widget_conversation_start
from helpdesk.models import Conversation, Message
from helpdesk.visitor_tokens import VisitorClaims, visitor_token_issue
from tests.support.db import every_tenant
from tests.support.sockets import messages_of, widget_socket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def session(make_tenant, make_bot):
    tenant = make_tenant("acme")
    bot = make_bot(tenant)
    return widget_conversation_start(public_key=bot.public_key)


async def connected(token: str, last_seq: int | None = 0):
    sock = widget_socket(token, last_seq)
    assert await sock.connect()
    hello = await sock.receive()
    assert hello["type"] == "hello"
    batch = await sock.receive()
    assert batch["type"] == "messages"
    return sock, batch


async def test_connect_says_hello_and_sends_the_history(session):
    sock, batch = await connected(session.token)
    assert [m["body"] for m in batch["messages"]] == [session.bot.greeting]
    assert batch["messages"][0]["seq"] == 1
    await sock.disconnect()


@pytest.mark.parametrize("token", ["", "garbage", "eyJ0IjoxfQ:forged:signature"])
async def test_a_missing_or_forged_token_is_closed_with_4401(session, token):
    sock = widget_socket(token)
    assert await sock.connect()
    error = await sock.receive()
    assert error["type"] == "error"
    assert await sock.close_code() == 4401


async def test_an_expired_token_is_closed_with_4401(session, settings):
    settings.VISITOR_TOKEN_MAX_AGE = -1
    sock = widget_socket(session.token)
    assert await sock.connect()
    assert (await sock.receive())["code"] == "expired"
    assert await sock.close_code() == 4401


async def test_a_token_for_a_conversation_of_another_tenant_is_refused(session, make_tenant, make_bot):
    other_bot = await sync_to_async(make_bot)(await sync_to_async(make_tenant)("globex"), "Other")
    # Correctly signed, but it pairs this tenant's conversation with another tenant's bot and tenant.
    token = visitor_token_issue(
        VisitorClaims(
            tenant_id=other_bot.tenant_id,
            bot_id=other_bot.pk,
            contact_id=session.conversation.contact_id,
            conversation_id=session.conversation.pk,
        )
    )
    sock = widget_socket(token)
    assert await sock.connect()
    assert (await sock.receive())["type"] == "error"
    assert await sock.close_code() == 4401


async def test_a_message_is_stored_then_echoed_with_its_seq(session):
    sock, _ = await connected(session.token)
    await sock.send({"type": "message", "text": "How long does delivery take?", "client_msg_id": "c-1"})
    ack, frames = await sock.receive_until(lambda f: f["type"] == "ack")
    assert ack["message"]["seq"] == 2
    assert ack["message"]["body"] == "How long does delivery take?"
    assert ack["duplicate"] is False
    stored = await sync_to_async(every_tenant(Message).get)(conversation=session.conversation, seq=2)
    assert (stored.author_kind, stored.client_msg_id) == ("customer", "c-1")
    await sock.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json at all", "invalid_json"),
        ("[1, 2]", "bad_frame"),
        ({"type": "dance"}, "unknown_type"),
        ({"type": "message", "text": ""}, "empty_text"),
        ({"type": "message", "text": "   "}, "empty_text"),
        ({"type": "message", "text": "x" * 4001}, "text_too_long"),
        ({"type": "message", "text": 12}, "invalid"),
        ({"type": "message", "text": "hi", "client_msg_id": "x" * 65}, "invalid"),
        ({"type": "resume", "last_seq": "soon"}, "bad_frame"),
    ],
)
async def test_a_bad_frame_gets_an_error_and_the_socket_stays_usable(session, frame, code):
    sock, _ = await connected(session.token)
    await sock.send(frame)
    error = await sock.receive()
    assert (error["type"], error["code"]) == ("error", code)
    await sock.send({"type": "message", "text": "still here?", "client_msg_id": "after-error"})
    ack, _ = await sock.receive_until(lambda f: f["type"] == "ack")
    assert ack["message"]["body"] == "still here?"
    count = await sync_to_async(
        every_tenant(Message).filter(conversation=session.conversation, author_kind="customer").count
    )()
    assert count == 1
    await sock.disconnect()


async def test_a_resend_returns_the_stored_message_without_a_duplicate(session):
    sock, _ = await connected(session.token)
    frame = {"type": "message", "text": "What does a service cost?", "client_msg_id": "same-id"}
    await sock.send(frame)
    first, _ = await sock.receive_until(lambda f: f["type"] == "ack")
    await sock.send(frame)
    second, _ = await sock.receive_until(lambda f: f["type"] == "ack")
    assert second["duplicate"] is True
    assert second["message"]["seq"] == first["message"]["seq"]
    count = await sync_to_async(every_tenant(Message).filter(client_msg_id="same-id").count)()
    assert count == 1
    await sock.disconnect()


async def test_a_reconnecting_client_gets_exactly_what_it_missed(session):
    sock, _ = await connected(session.token)
    await sock.send({"type": "message", "text": "What does a service cost?", "client_msg_id": "q1"})
    await sock.receive_until(lambda f: f["type"] == "message" and f["message"]["author_kind"] == "bot")
    await sock.disconnect()

    conversation = await sync_to_async(every_tenant(Conversation).get)(pk=session.conversation.pk)
    seen = 2  # the greeting and the question; the bot's answer came after
    # While the client was away, two more messages arrive.
    for text in ("one", "two"):
        await sync_to_async(Message.objects.create)(
            tenant_id=conversation.tenant_id,
            conversation=conversation,
            author_kind="agent",
            body=text,
            seq=await sync_to_async(_next_seq)(conversation.pk),
        )
    sock2, batch = await connected(session.token, last_seq=seen)
    seqs = [m["seq"] for m in batch["messages"]]
    last = await sync_to_async(lambda: every_tenant(Conversation).get(pk=conversation.pk).last_seq)()
    assert seqs == list(range(seen + 1, last + 1))
    assert [m["body"] for m in batch["messages"]][-2:] == ["one", "two"]
    assert await sock2.nothing()
    await sock2.disconnect()


def _next_seq(conversation_id: int) -> int:
    from django.db.models import F

    every_tenant(Conversation).filter(pk=conversation_id).update(last_seq=F("last_seq") + 1)
    return every_tenant(Conversation).get(pk=conversation_id).last_seq


async def test_private_notes_never_reach_the_customer(session, make_agent):
    from inbox.services import agent_reply

    sock, _ = await connected(session.token)
    membership = await sync_to_async(make_agent)(session.bot.tenant, "alice")
    await sync_to_async(agent_reply)(
        membership=membership, conversation=session.conversation, text="internal: VIP", private=True
    )
    await sync_to_async(agent_reply)(
        membership=membership, conversation=session.conversation, text="Hello there"
    )
    frame, seen = await sock.receive_until(
        lambda f: f["type"] == "message" and f["message"]["body"] == "Hello there"
    )
    assert all("internal" not in m["body"] for m in messages_of(seen))
    sock2, batch = await connected(session.token, last_seq=0)
    assert "internal: VIP" not in [m["body"] for m in batch["messages"]]
    await sock.disconnect()
    await sock2.disconnect()


# Each frame acts on the conversation as it is now ------------------------------------------------------


def _status(conversation_id: int) -> str:
    return every_tenant(Conversation).get(pk=conversation_id).status


async def _handed_off(sock, conversation_id: int) -> None:
    await sock.send({"type": "message", "text": "talk to a human", "client_msg_id": "human"})
    await sock.receive_until(lambda f: f["type"] == "status" and f["status"] == "waiting")
    assert await sync_to_async(_status)(conversation_id) == "waiting"


async def test_after_a_handback_the_bot_answers_on_the_open_socket(session, make_agent):
    from inbox.services import conversation_handback

    conversation_id = session.conversation.pk
    sock, _ = await connected(session.token)
    await _handed_off(sock, conversation_id)
    alice = await sync_to_async(make_agent)(session.bot.tenant, "alice")
    fresh = await sync_to_async(every_tenant(Conversation).get)(pk=conversation_id)
    await sync_to_async(conversation_handback)(membership=alice, conversation=fresh)
    await sock.receive_until(lambda f: f["type"] == "status" and f["status"] == "bot")
    await sock.send({"type": "message", "text": "How long does delivery take?", "client_msg_id": "q"})
    answer, _ = await sock.receive_until(
        lambda f: f["type"] == "message" and f["message"]["author_kind"] == "bot"
    )
    assert "5 to 7 working days" in answer["message"]["body"]
    await sock.disconnect()


async def test_an_email_typed_after_the_pickup_deadline_reaches_the_offline_path(session):
    from datetime import timedelta

    from handoff.services import pickup_deadline_apply

    conversation_id = session.conversation.pk
    sock, _ = await connected(session.token)
    await _handed_off(sock, conversation_id)
    waiting_since = await sync_to_async(
        lambda: every_tenant(Conversation).get(pk=conversation_id).waiting_since
    )()
    await sync_to_async(pickup_deadline_apply)(
        conversation_id=conversation_id, now=waiting_since + timedelta(days=1)
    )
    await sock.receive_until(lambda f: f["type"] == "status" and f["status"] == "offline")
    await sock.send({"type": "message", "text": "It's rae@example.org", "client_msg_id": "mail"})
    await sock.receive_until(lambda f: f["type"] == "ack")
    collected = await sync_to_async(lambda: every_tenant(Conversation).get(pk=conversation_id).collected)()
    assert collected["email"] == "rae@example.org"
    await sock.disconnect()


async def test_a_message_after_resolve_reopens_the_conversation_with_the_bot(session, make_agent):
    from inbox.services import conversation_resolve
    from tests.support.sockets import agent_socket, session_key_for

    conversation_id = session.conversation.pk
    sock, _ = await connected(session.token)
    await _handed_off(sock, conversation_id)
    alice = await sync_to_async(make_agent)(session.bot.tenant, "alice")
    fresh = await sync_to_async(every_tenant(Conversation).get)(pk=conversation_id)
    await sync_to_async(conversation_resolve)(membership=alice, conversation=fresh)
    await sock.receive_until(lambda f: f["type"] == "status" and f["status"] == "resolved")
    inbox = agent_socket(await sync_to_async(session_key_for)(alice.user))
    assert await inbox.connect()
    await inbox.receive_until(lambda f: f["type"] == "agent.presence")

    await sock.send({"type": "message", "text": "What does a service cost?", "client_msg_id": "after"})
    answer, _ = await sock.receive_until(
        lambda f: f["type"] == "message" and f["message"]["author_kind"] == "bot"
    )
    assert "$49" in answer["message"]["body"]
    conversation = await sync_to_async(every_tenant(Conversation).get)(pk=conversation_id)
    assert (conversation.status, conversation.assignee_id) == ("bot", None)
    assert conversation.bot_since_seq == answer["message"]["seq"] - 2  # fresh after the resolve
    status, _ = await inbox.receive_until(lambda f: f["type"] == "conversation.status")
    assert status["conversation"]["status"] == "bot"
    await inbox.disconnect()
    await sock.disconnect()


# What customers see, and resume ---------------------------------------------------------------------


async def test_bot_messages_reach_the_widget_without_internal_fields(session):
    from helpdesk.payloads import PUBLIC_MESSAGE_FIELDS

    sock, _ = await connected(session.token)
    await sock.send({"type": "message", "text": "How long does delivery take?", "client_msg_id": "q"})
    live, _ = await sock.receive_until(
        lambda f: f["type"] == "message" and f["message"]["author_kind"] == "bot"
    )
    stored = await sync_to_async(every_tenant(Message).get)(pk=live["message"]["id"])
    assert {"usage", "confidence", "responder", "reply_to"} <= set(stored.data)
    sock2, batch = await connected(session.token, last_seq=0)
    for message in (live["message"], batch["messages"][-1]):
        assert set(message) == {*PUBLIC_MESSAGE_FIELDS, "data"}
        assert set(message["data"]) <= {"sources"}
        assert all(set(s) == {"title", "url"} for s in message["data"].get("sources", []))
    assert batch["messages"][-1]["id"] == live["message"]["id"]
    await sock.disconnect()
    await sock2.disconnect()


def _history(conversation: Conversation, count: int) -> None:
    from django.db.models import F

    first = conversation.last_seq + 1
    Message.objects.bulk_create(
        Message(
            tenant_id=conversation.tenant_id,
            conversation=conversation,
            author_kind="customer",
            body=f"line {seq}",
            seq=seq,
        )
        for seq in range(first, first + count)
    )
    every_tenant(Conversation).filter(pk=conversation.pk).update(last_seq=F("last_seq") + count)


async def test_resume_sends_a_long_history_in_pages_marked_more(session):
    from helpdesk.selectors import RESUME_PAGE

    await sync_to_async(_history)(session.conversation, 2 * RESUME_PAGE + 50)
    sock = widget_socket(session.token, 0)
    assert await sock.connect()
    assert (await sock.receive())["type"] == "hello"
    pages = [await sock.receive() for _ in range(3)]
    assert [(p["type"], len(p["messages"]), p["more"]) for p in pages] == [
        ("messages", RESUME_PAGE, True),
        ("messages", RESUME_PAGE, True),
        ("messages", 51, False),
    ]
    seqs = [m["seq"] for p in pages for m in p["messages"]]
    assert seqs == list(range(1, 2 * RESUME_PAGE + 52))
    assert await sock.nothing()
    await sock.send({"type": "resume", "last_seq": 2 * RESUME_PAGE})
    tail = await sock.receive()
    assert ([m["seq"] for m in tail["messages"]], tail["more"]) == (
        list(range(2 * RESUME_PAGE + 1, 2 * RESUME_PAGE + 52)),
        False,
    )
    await sock.disconnect()


@pytest.mark.parametrize("last_seq", ["abc", "1e999", "-1", "1.5", "99999999999", "%00"])
async def test_a_bad_last_seq_in_the_query_string_gets_an_error_and_the_whole_history(session, last_seq):
    sock = widget_socket(session.token, last_seq)
    assert await sock.connect()
    assert (await sock.receive())["type"] == "hello"
    error = await sock.receive()
    assert (error["type"], error["code"], list(error["fields"])) == ("error", "bad_frame", ["last_seq"])
    batch = await sock.receive()
    assert [m["seq"] for m in batch["messages"]] == [1]
    await sock.send({"type": "message", "text": "hello", "client_msg_id": "h"})
    ack, _ = await sock.receive_until(lambda f: f["type"] == "ack")
    assert ack["message"]["seq"] == 2
    await sock.disconnect()


def test_a_widget_connect_is_one_trip_to_the_database_thread(session, django_assert_num_queries):
    from chatbot.consumers import _start
    from helpdesk.visitor_tokens import visitor_token_read

    claims = visitor_token_read(session.token)
    with django_assert_num_queries(2):  # the conversation with its bot, then the first page
        start = _start.func(claims, 0)
    assert [m["seq"] for m in start.first_page[0]] == [1]


def test_a_token_naming_another_tenants_conversation_finds_nothing_on_connect(session, make_tenant, make_bot):
    from chatbot.consumers import _start

    other = make_bot(make_tenant("globex"), "Other")
    claims = VisitorClaims(
        tenant_id=other.tenant_id,
        bot_id=session.bot.pk,
        contact_id=session.conversation.contact_id,
        conversation_id=session.conversation.pk,
    )
    assert _start.func(claims, 0) is None


async def test_a_failed_message_frame_says_lost_only_when_it_was_not_stored(session):
    from chatbot.consumers import WidgetConsumer

    consumer = WidgetConsumer()
    consumer.conversation = session.conversation
    sock, _ = await connected(session.token)
    await sock.send({"type": "message", "text": "stored one", "client_msg_id": "kept"})
    await sock.receive_until(lambda f: f["type"] == "ack")
    kept = await consumer.failure_message({"type": "message", "client_msg_id": "kept"})
    gone = await consumer.failure_message({"type": "message", "client_msg_id": "never"})
    assert "nothing was lost" in kept
    assert "nothing was lost" not in gone and "send it again" in gone
    assert "lost" not in await consumer.failure_message({"type": "typing"})
    await sock.disconnect()


async def test_a_resync_resends_what_was_missed_and_the_current_status(session, settings):
    from channels.layers import get_channel_layer

    # The in-memory layer, whose local channels the test can reach (the Redis layer's resync is tested
    # in helpdesk/tests/test_channel_layer.py).
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    sock, _ = await connected(session.token)

    def missed() -> None:
        conversation = every_tenant(Conversation).get(pk=session.conversation.pk)
        Message.objects.create(
            tenant_id=conversation.tenant_id,
            conversation=conversation,
            author_kind="agent",
            body="while you were away",
            seq=_next_seq(conversation.pk),
        )
        every_tenant(Conversation).filter(pk=conversation.pk).update(status="assigned")

    await sync_to_async(missed)()
    layer = get_channel_layer()
    (channel,) = [name for name in layer.channels if name.startswith("specific.")] or [None]
    assert channel is not None
    await layer.send(channel, {"type": "helpdesk.resync"})
    batch, _ = await sock.receive_until(lambda f: f["type"] == "messages")
    assert [m["body"] for m in batch["messages"]] == ["while you were away"]
    status, _ = await sock.receive_until(lambda f: f["type"] == "status")
    assert status["status"] == "agent"
    await sock.disconnect()
