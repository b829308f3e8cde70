"""A visitor who has only opened the widget: their socket works without a conversation, their first
message starts it (once, however often it is sent), and the token they get then resumes it. Through the
real ASGI application, as in test_widget_consumer.py."""

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async
from django.core import signing
from django.db import connection
from django.db.models import QuerySet

from chatbot.services import widget_first_message_receive, widget_session_start
from helpdesk.errors import NotFound
from helpdesk.models import Contact, Conversation, Message
from helpdesk.visitor_tokens import SALT, VisitorClaims, visitor_token_issue, visitor_token_read
from tests.support.db import every_tenant
from tests.support.sockets import messages_of, widget_socket

pytestmark = pytest.mark.django_db(transaction=True)

QUESTION = "How long does delivery take?"


@pytest.fixture
def acme(make_tenant):
    return make_tenant("acme")


@pytest.fixture
def bot(acme, make_bot):
    return make_bot(acme)


@pytest.fixture
def visitor(bot):
    """A new visitor's session: a token, no conversation."""
    session = widget_session_start(public_key=bot.public_key)
    assert session.conversation is None
    return session


def _rows() -> tuple[int, int, int]:
    return every_tenant(Conversation).count(), every_tenant(Contact).count(), every_tenant(Message).count()


rows = sync_to_async(_rows)


def _history(conversation_id: int) -> list[tuple]:
    return list(
        every_tenant(Message)
        .filter(conversation_id=conversation_id)
        .order_by("seq")
        .values_list("seq", "author_kind", "body", "client_msg_id")
    )


history = sync_to_async(_history)


async def opened(token: str, last_seq: int | None = None):
    sock = widget_socket(token, last_seq)
    assert await sock.connect()
    hello = await sock.receive()
    assert hello["type"] == "hello"
    return sock, hello


async def first_frames(sock, text: str = QUESTION, client_msg_id: str = "c-1") -> tuple[dict, list[dict]]:
    await sock.send({"type": "message", "text": text, "client_msg_id": client_msg_id})
    return await sock.receive_until(lambda f: f["type"] in ("ack", "error"))


def _is_answer(message: dict) -> bool:
    return message["author_kind"] in ("bot", "system") and message["seq"] > 2


async def bot_answer(sock, seen: list[dict]) -> dict:
    for message in messages_of(seen):
        if _is_answer(message):
            return message
    frame, _ = await sock.receive_until(lambda f: any(_is_answer(m) for m in messages_of([f])), timeout=10)
    return next(m for m in messages_of([frame]) if _is_answer(m))


# Before the first message --------------------------------------------------------------------------


async def test_a_new_visitors_socket_says_hello_with_no_conversation_and_stores_nothing(visitor):
    sock, hello = await opened(visitor.token)
    assert hello == {"type": "hello", "conversation_id": None, "status": "bot", "bot_name": visitor.bot.name}
    assert await sock.receive() == {
        "type": "messages",
        "conversation_id": None,
        "messages": [],
        "more": False,
    }

    # Typing is nobody's business yet; a resume has nothing to send
    await sock.send({"type": "typing", "typing": True})
    assert await sock.nothing()
    await sock.send({"type": "resume", "last_seq": 0})
    assert (await sock.receive())["messages"] == []
    # ... and bad frames are still refused
    await sock.send({"type": "typing", "typing": "yes"})
    assert (await sock.receive())["code"] == "bad_frame"
    assert await rows() == (0, 0, 0)
    await sock.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "message", "text": "   ", "client_msg_id": "c-1"}, "empty_text"),
        ({"type": "message", "text": "x" * 4001, "client_msg_id": "c-1"}, "text_too_long"),
        ({"type": "message", "text": "hi", "client_msg_id": "x" * 65}, "invalid"),
    ],
)
async def test_a_refused_first_message_starts_nothing(visitor, frame, code):
    sock, _ = await opened(visitor.token)
    await sock.receive()
    await sock.send(frame)
    error = await sock.receive()
    assert (error["type"], error["code"]) == ("error", code)
    assert await rows() == (0, 0, 0)
    await sock.disconnect()


# The first message ----------------------------------------------------------------------------------


async def test_the_first_message_starts_the_conversation_with_the_greeting_then_routes_it(visitor):
    claims = visitor_token_read(visitor.token)
    sock, _ = await opened(visitor.token)
    await sock.receive()
    ack, seen = await first_frames(sock)

    # The new token comes before the ack, then the conversation so far, then the ack
    kinds = [f["type"] for f in seen]
    session = next(f for f in seen if f["type"] == "session")
    assert kinds.index("session") < kinds.index("messages") < kinds.index("ack")
    conversation_id = session["conversation_id"]
    fresh = visitor_token_read(session["token"])
    assert (fresh.tenant_id, fresh.bot_id, fresh.conversation_id, fresh.nonce) == (
        claims.tenant_id,
        claims.bot_id,
        conversation_id,
        claims.nonce,
    )
    batch = next(f for f in seen if f["type"] == "messages")
    assert [m["seq"] for m in batch["messages"]][:2] == [1, 2]
    assert (ack["message"]["seq"], ack["duplicate"], ack["client_msg_id"]) == (2, False, "c-1")

    # One conversation of this bot: seq 1 the greeting, seq 2 the message
    conversation = await sync_to_async(every_tenant(Conversation).get)()
    assert (conversation.pk, conversation.bot_id, conversation.visitor_nonce) == (
        conversation_id,
        visitor.bot.pk,
        claims.nonce,
    )
    assert fresh.contact_id == conversation.contact_id
    assert (await history(conversation_id))[:2] == [
        (1, "bot", visitor.bot.greeting, ""),
        (2, "customer", QUESTION, "c-1"),
    ]
    greeting = await sync_to_async(every_tenant(Message).get)(conversation_id=conversation_id, seq=1)
    assert greeting.data == {"greeting": True}
    assert (await rows())[:2] == (1, 1)

    # ... routed as every customer message: the bot answers on the same socket, which joined the group
    answer = await bot_answer(sock, seen)
    assert "5 to 7 working days" in answer["body"]
    await sock.disconnect()


async def test_a_first_message_asking_for_a_person_hands_off_at_once(visitor):
    sock, _ = await opened(visitor.token)
    await sock.receive()
    _, seen = await first_frames(sock, "talk to a human", "human")
    if not any(f["type"] == "status" and f["status"] == "waiting" for f in seen):
        await sock.receive_until(lambda f: f["type"] == "status" and f["status"] == "waiting")
    conversation = await sync_to_async(every_tenant(Conversation).get)()
    assert (conversation.status, conversation.handoff_reason) == ("waiting", "explicit_request")
    await sock.disconnect()


async def test_the_token_from_the_session_frame_resumes_the_conversation(visitor):
    sock, _ = await opened(visitor.token)
    await sock.receive()
    _, seen = await first_frames(sock)
    session = next(f for f in seen if f["type"] == "session")
    await bot_answer(sock, seen)
    await sock.disconnect()

    again, hello = await opened(session["token"], last_seq=0)
    assert (hello["conversation_id"], hello["status"]) == (session["conversation_id"], "bot")
    batch = await again.receive()
    assert batch["type"] == "messages"  # no session frame: this token names the conversation
    assert [m["seq"] for m in batch["messages"]][:2] == [1, 2]
    ack, _ = await first_frames(again, "Can I return a bike?", "c-2")
    assert ack["message"]["seq"] > 2 and ack["message"]["conversation_id"] == session["conversation_id"]
    assert await sync_to_async(every_tenant(Conversation).count)() == 1
    await again.disconnect()


async def test_the_first_message_sent_twice_is_stored_once(visitor):
    sock, _ = await opened(visitor.token)
    await sock.receive()
    first, _ = await first_frames(sock)
    second, seen = await first_frames(sock)
    assert (second["duplicate"], second["message"]["seq"]) == (True, first["message"]["seq"])
    assert not any(f["type"] == "session" for f in seen)  # the socket already has its conversation
    assert await sync_to_async(every_tenant(Conversation).count)() == 1
    assert await sync_to_async(every_tenant(Message).filter(author_kind="customer").count)() == 1
    await sock.disconnect()


async def test_two_tabs_with_one_new_visitors_token_write_into_one_conversation(visitor):
    one, _ = await opened(visitor.token)
    two, _ = await opened(visitor.token)
    await one.receive()
    await two.receive()

    # Both send the same first message (the same client_msg_id) at once
    frame = {"type": "message", "text": QUESTION, "client_msg_id": "c-1"}
    await asyncio.gather(one.send(frame), two.send(frame))
    (ack_one, seen_one), (ack_two, seen_two) = await asyncio.gather(
        one.receive_until(lambda f: f["type"] == "ack"), two.receive_until(lambda f: f["type"] == "ack")
    )
    sessions = [next(f for f in seen if f["type"] == "session") for seen in (seen_one, seen_two)]
    assert sessions[0]["conversation_id"] == sessions[1]["conversation_id"]
    assert sorted([ack_one["duplicate"], ack_two["duplicate"]]) == [False, True]
    assert ack_one["message"]["id"] == ack_two["message"]["id"]
    assert await sync_to_async(every_tenant(Conversation).count)() == 1
    assert await sync_to_async(every_tenant(Contact).count)() == 1
    assert await sync_to_async(every_tenant(Message).filter(author_kind="customer").count)() == 1

    # ... and what the second tab writes next goes to the same conversation
    ack, _ = await first_frames(two, "Can I return a bike?", "c-2")
    assert ack["message"]["conversation_id"] == sessions[0]["conversation_id"]
    assert await sync_to_async(every_tenant(Conversation).count)() == 1
    await one.disconnect()
    await two.disconnect()


async def test_a_reconnect_before_the_ack_finds_the_conversation_and_the_resend_is_a_duplicate(visitor):
    sock, _ = await opened(visitor.token)
    await sock.receive()
    frame = {"type": "message", "text": QUESTION, "client_msg_id": "c-1"}
    await sock.send(frame)
    await sock.receive_until(lambda f: f["type"] == "ack")  # lost on the way, as far as the page knows
    await sock.disconnect()
    conversation = await sync_to_async(every_tenant(Conversation).get)()

    # The page still holds the first token: it reconnects with it and resends
    again, hello = await opened(visitor.token, last_seq=0)
    assert hello["conversation_id"] == conversation.pk
    session = await again.receive()
    assert (session["type"], session["conversation_id"]) == ("session", conversation.pk)
    assert visitor_token_read(session["token"]).conversation_id == conversation.pk
    batch = await again.receive()
    assert [m["seq"] for m in batch["messages"]][:2] == [1, 2]
    await again.send(frame)
    ack, _ = await again.receive_until(lambda f: f["type"] == "ack")
    assert (ack["duplicate"], ack["message"]["seq"]) == (True, 2)
    assert await sync_to_async(every_tenant(Message).filter(author_kind="customer").count)() == 1
    await again.disconnect()


# Whose token writes where --------------------------------------------------------------------------


async def test_a_new_visitors_token_writes_only_to_its_own_bot(acme, bot, make_bot, make_tenant):
    other = await sync_to_async(make_bot)(acme, "Second bot")
    globex_bot = await sync_to_async(make_bot)(await sync_to_async(make_tenant)("globex"), "Globex bot")
    session = await sync_to_async(widget_session_start)(public_key=bot.public_key)
    sock, _ = await opened(session.token)
    await sock.receive()
    await first_frames(sock)
    conversation = await sync_to_async(every_tenant(Conversation).get)()
    assert (conversation.tenant_id, conversation.bot_id) == (acme.pk, bot.pk)
    for someone_else in (other, globex_bot):
        assert not await sync_to_async(every_tenant(Conversation).filter(bot=someone_else).exists)()
    await sock.disconnect()


async def test_a_new_visitors_token_pairing_a_bot_with_another_tenant_is_refused(bot, make_tenant):
    globex = await sync_to_async(make_tenant)("globex")
    # Correctly signed, but it names this tenant's bot under another tenant.
    claims = VisitorClaims(tenant_id=globex.pk, bot_id=bot.pk, nonce="n" * 24)
    sock = widget_socket(visitor_token_issue(claims))
    assert await sock.connect()
    assert (await sock.receive())["type"] == "error"
    assert await sock.close_code() == 4401
    with pytest.raises(NotFound):
        await sync_to_async(widget_first_message_receive)(visitor=claims, text=QUESTION, client_msg_id="c-1")
    assert await rows() == (0, 0, 0)


def _tampered(token: str) -> str:
    return token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")


@pytest.mark.parametrize(
    "payload",
    [
        {"t": "{tenant}", "b": "{bot}", "v": None, "c": None},  # no nonce
        {"t": "{tenant}", "b": "{bot}", "v": "1", "c": None, "n": "abc"},  # a contact id that is not a number
        {"t": "{tenant}", "b": "{bot}", "v": None, "c": None, "n": "n" * 33},  # a nonce too long
        {"t": "{tenant}", "b": "{bot}", "v": None, "c": None, "n": 7},  # a nonce that is not text
    ],
)
async def test_a_bad_or_tampered_new_visitors_token_is_refused(visitor, payload):
    claims = visitor_token_read(visitor.token)
    shaped = {k: {"{tenant}": claims.tenant_id, "{bot}": claims.bot_id}.get(v, v) for k, v in payload.items()}
    for token in (_tampered(visitor.token), signing.dumps(shaped, salt=SALT, compress=True)):
        sock = widget_socket(token)
        assert await sock.connect()
        assert (await sock.receive())["code"] == "invalid"
        assert await sock.close_code() == 4401
    assert await rows() == (0, 0, 0)


async def test_a_token_issued_before_nonces_still_resumes_on_the_socket(bot):
    from chatbot.services import widget_conversation_start

    conversation = (await sync_to_async(widget_conversation_start)(public_key=bot.public_key)).conversation
    old = signing.dumps(
        {"t": bot.tenant_id, "b": bot.pk, "v": conversation.contact_id, "c": conversation.pk},
        salt=SALT,
        compress=True,
    )
    sock, hello = await opened(old, last_seq=0)
    assert hello["conversation_id"] == conversation.pk
    assert [m["seq"] for m in (await sock.receive())["messages"]] == [1]
    ack, seen = await first_frames(sock)
    assert ack["message"]["seq"] == 2 and not any(f["type"] == "session" for f in seen)
    await sock.disconnect()


# Two starts racing for one visitor -----------------------------------------------------------------


def test_a_start_that_loses_the_race_finds_the_winners_conversation(visitor, monkeypatch):
    claims = visitor_token_read(visitor.token)
    won = widget_first_message_receive(visitor=claims, text=QUESTION, client_msg_id="c-1")

    # As if the winner inserted between this start's look-up and its insert: the look-up misses once,
    # the insert hits the unique (bot, nonce) and the start takes the winner's row.
    real_first = QuerySet.first
    missed = []

    def first(queryset):
        if queryset.model is Conversation and not missed:
            missed.append(True)
            return None
        return real_first(queryset)

    monkeypatch.setattr(QuerySet, "first", first)
    lost = widget_first_message_receive(visitor=claims, text=QUESTION, client_msg_id="c-1")
    assert missed
    assert lost.conversation.pk == won.conversation.pk
    assert (lost.created, lost.message.pk) == (False, won.message.pk)
    # The loser's contact and greeting were rolled back with its insert
    assert _rows() == (1, 1, every_tenant(Message).filter(conversation=won.conversation).count())
    assert every_tenant(Message).filter(author_kind="customer").count() == 1


@pytest.mark.postgres  # SQLite serialises writers; PostgreSQL runs the two starts side by side
def test_two_first_messages_at_once_make_one_conversation_and_one_message(visitor):
    claims = visitor_token_read(visitor.token)
    barrier = threading.Barrier(2)
    results = []

    def send():
        barrier.wait()
        try:
            results.append(widget_first_message_receive(visitor=claims, text=QUESTION, client_msg_id="c-1"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert len(results) == 2
    assert results[0].conversation.pk == results[1].conversation.pk
    assert sorted(r.created for r in results) == [False, True]
    assert every_tenant(Conversation).count() == 1
    assert every_tenant(Contact).count() == 1
    assert every_tenant(Message).filter(author_kind="customer").count() == 1
