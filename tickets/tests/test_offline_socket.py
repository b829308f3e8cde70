"""Each offline policy end to end over the widget socket."""

import pytest
from asgiref.sync import sync_to_async

from chatbot.services import widget_conversation_start
from helpdesk.models import OfflinePolicy
from tests.support.db import every_tenant
from tests.support.sockets import widget_socket
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


async def chat(sock, text: str) -> str:
    """Send ``text`` and return the next bot message."""
    await sock.send({"type": "message", "text": text, "client_msg_id": text[:60]})
    frame, _ = await sock.receive_until(
        lambda f: f["type"] == "message" and f["message"]["author_kind"] == "bot"
    )
    return frame["message"]["body"]


async def connected(make_tenant, make_bot, policy: str):
    tenant = await sync_to_async(make_tenant)("acme")
    bot = await sync_to_async(make_bot)(tenant, require_agent_online=True, offline_policy=policy)
    session = await sync_to_async(widget_conversation_start)(public_key=bot.public_key)
    sock = widget_socket(session.token, last_seq=0)
    assert await sock.connect()
    await sock.receive_until(lambda f: f["type"] == "messages")
    return sock, session.conversation


async def test_collect_contact_over_the_socket(make_tenant, make_bot):
    sock, conversation = await connected(make_tenant, make_bot, OfflinePolicy.COLLECT_CONTACT)
    assert "leave your email address" in await chat(sock, "I want to speak to a person")
    assert "what name should the team use" in await chat(sock, "lee@example.org")
    reply = await chat(sock, "Lee")
    ticket = await sync_to_async(every_tenant(Ticket).get)(conversation_id=conversation.pk)
    assert reply.startswith(f"Thanks, Lee. I've opened ticket {ticket.reference}")
    await sock.disconnect()


async def test_continue_by_email_over_the_socket(make_tenant, make_bot, mailoutbox):
    sock, conversation = await connected(make_tenant, make_bot, OfflinePolicy.EMAIL)
    assert "leave your email address" in await chat(sock, "operator")
    await chat(sock, "kim@example.org")
    reply = await chat(sock, "skip")
    ticket = await sync_to_async(every_tenant(Ticket).get)(conversation_id=conversation.pk)
    assert "emailed you a copy of this conversation at kim@example.org" in reply
    assert [m.to for m in mailoutbox] == [["kim@example.org"]]
    assert ticket.reference in mailoutbox[0].subject
    await sock.disconnect()


async def test_bot_with_disclaimer_over_the_socket(make_tenant, make_bot):
    sock, conversation = await connected(make_tenant, make_bot, OfflinePolicy.BOT_DISCLAIMER)
    assert "won't have been checked by a person" in await chat(sock, "can I talk to a human?")
    answer = await chat(sock, "How long does bike delivery take?")
    assert "5 to 7 working days" in answer
    assert "hasn't been checked by a person" in answer
    assert "what name should the team use" in await chat(sock, "my email is jo@example.org")
    assert "I've opened ticket" in await chat(sock, "Jo")
    await sock.disconnect()
