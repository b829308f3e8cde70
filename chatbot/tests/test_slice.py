"""The whole path over both sockets on the real Redis channel layer: a customer asks for a person, an
agent with the inbox open sees it arrive, opens it with the full history, replies, the customer sees it."""

import pytest
from asgiref.sync import sync_to_async

from chatbot.services import widget_conversation_start
from helpdesk.models import Conversation
from tests.support.db import every_tenant
from tests.support.sockets import agent_socket, messages_of, session_key_for, widget_socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis]


async def test_talk_to_a_human_reaches_the_inbox_and_the_reply_reaches_the_customer(
    redis_channel_layer, make_tenant, make_bot, make_agent
):
    tenant = await sync_to_async(make_tenant)("acme")
    bot = await sync_to_async(make_bot)(tenant)
    alice = await sync_to_async(make_agent)(tenant, "alice", name="Alice")
    session = await sync_to_async(widget_conversation_start)(public_key=bot.public_key)

    inbox = agent_socket(await sync_to_async(session_key_for)(alice.user))
    assert await inbox.connect()
    assert (await inbox.receive())["type"] == "hello"
    await inbox.receive_until(lambda f: f["type"] == "agent.presence")

    customer = widget_socket(session.token, last_seq=0)
    assert await customer.connect()
    await customer.receive_until(lambda f: f["type"] == "messages")

    await customer.send({"type": "message", "text": "What does a service cost?", "client_msg_id": "c1"})
    answer, _ = await customer.receive_until(
        lambda f: f["type"] == "message" and f["message"]["author_kind"] == "bot"
    )
    assert "$49" in answer["message"]["body"]

    await customer.send({"type": "message", "text": "talk to a human", "client_msg_id": "c2"})
    handoff, _ = await inbox.receive_until(lambda f: f["type"] == "handoff.created")
    assert handoff["conversation"]["id"] == session.conversation.pk
    assert handoff["conversation"]["status"] == "waiting"
    assert handoff["handoff"]["reason"] == "explicit_request"
    status, seen = await customer.receive_until(lambda f: f["type"] == "status")
    assert status["status"] == "waiting"

    await inbox.send({"type": "open", "conversation_id": session.conversation.pk, "last_seq": 0})
    batch, _ = await inbox.receive_until(lambda f: f["type"] == "messages")
    bodies = [m["body"] for m in batch["messages"]]
    assert bodies[0] == bot.greeting
    assert "What does a service cost?" in bodies and "talk to a human" in bodies
    assert [m["seq"] for m in batch["messages"]] == list(range(1, len(bodies) + 1))

    await inbox.send(
        {
            "type": "message",
            "conversation_id": session.conversation.pk,
            "text": "Hi, I'm Alice.",
            "client_msg_id": "a1",
        }
    )
    reply, frames = await customer.receive_until(
        lambda f: f["type"] == "message" and f["message"]["author_kind"] == "agent"
    )
    assert reply["message"]["body"] == "Hi, I'm Alice."
    assert reply["message"]["author_name"] == "Alice"
    joined = [m for m in messages_of(frames) if m["author_kind"] == "system"]
    assert any("Alice joined" in m["body"] for m in joined)
    conversation = await sync_to_async(every_tenant(Conversation).get)(pk=session.conversation.pk)
    assert (conversation.status, conversation.assignee_id) == ("assigned", alice.user_id)
    await customer.disconnect()
    await inbox.disconnect()
