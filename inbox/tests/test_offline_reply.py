"""An agent answers a conversation that went to the offline path: the reply goes out by email on its
ticket (the relay the handoff app registers, see inbox.relays), stays in the chat marked with where it
went, and is sent once however often the frame comes."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.core import mail

from chatbot.services import customer_message_receive, widget_conversation_start
from helpdesk.errors import Conflict
from helpdesk.models import Conversation, Message, OfflinePolicy
from inbox.services import agent_reply
from tests.support.db import every_tenant
from tests.support.sockets import agent_socket, session_key_for
from tickets.models import Ticket, TicketReply


def _offline(bot, capture, *, email: str | None = "sam@example.org") -> Conversation:
    """A conversation the bot sent to the offline path; with ``email`` its ticket is open (and the
    customer emailed the transcript), without one the bot is still asking for an address."""
    conversation = widget_conversation_start(public_key=bot.public_key).conversation
    texts = ([f"Hi, my email is {email}. My wheel is bent."] if email else []) + ["can I talk to a human"]
    for i, text in enumerate(texts):
        with capture(execute=True):
            customer_message_receive(conversation=conversation, text=text, client_msg_id=f"c{i}")
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OFFLINE
    return conversation


@pytest.fixture
def closed_bot(make_tenant, make_bot):
    """Continue-by-email, and a queue nobody is online for: every handoff takes the offline path."""
    return make_bot(make_tenant("acme"), require_agent_online=True, offline_policy=OfflinePolicy.EMAIL)


@pytest.mark.django_db
def test_a_reply_to_an_offline_conversation_is_emailed_on_its_ticket(
    closed_bot, make_agent, django_capture_on_commit_callbacks
):
    alice = make_agent(closed_bot.tenant, "alice", name="Alice")
    conversation = _offline(closed_bot, django_capture_on_commit_callbacks)
    ticket = every_tenant(Ticket).get(conversation=conversation)
    (transcript_email,) = mail.outbox

    with django_capture_on_commit_callbacks(execute=True):
        message, created = agent_reply(
            membership=alice, conversation=conversation, text="A new wheel ships today.", client_msg_id="r1"
        )

    assert created
    assert (message.author_kind, message.private, message.body) == (
        "agent",
        False,
        "A new wheel ships today.",
    )
    assert message.data == {"relayed": {"reference": ticket.reference, "emailed": True}}
    reply = every_tenant(TicketReply).get(ticket=ticket, author_kind="agent")
    assert (reply.body, reply.author_id, reply.private) == ("A new wheel ships today.", alice.user_id, False)
    assert len(mail.outbox) == 2
    sent = mail.outbox[1]
    assert sent.to == ["sam@example.org"]
    assert sent.subject == f"Re: {transcript_email.subject}"
    assert sent.extra_headers["In-Reply-To"] == ticket.customer_email_message_id
    assert "A new wheel ships today." in sent.body
    # The conversation stays on its ticket: nobody claimed it.
    conversation.refresh_from_db()
    assert (conversation.status, conversation.assignee_id) == ("offline", None)


@pytest.mark.django_db
def test_a_resent_offline_reply_is_one_ticket_reply_and_one_email(
    closed_bot, make_agent, django_capture_on_commit_callbacks
):
    alice = make_agent(closed_bot.tenant, "alice")
    conversation = _offline(closed_bot, django_capture_on_commit_callbacks)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            message, _created = agent_reply(
                membership=alice, conversation=conversation, text="On its way.", client_msg_id="same"
            )
    assert every_tenant(TicketReply).filter(author_kind="agent").count() == 1
    assert every_tenant(Message).filter(conversation=conversation, author_kind="agent").count() == 1
    assert len(mail.outbox) == 2  # the transcript and one reply


@pytest.mark.django_db
def test_without_a_ticket_yet_the_reply_is_refused_and_nothing_is_stored(
    closed_bot, make_agent, django_capture_on_commit_callbacks
):
    alice = make_agent(closed_bot.tenant, "alice")
    conversation = _offline(closed_bot, django_capture_on_commit_callbacks, email=None)
    last_seq = conversation.last_seq

    with pytest.raises(Conflict, match="its ticket is not open yet"):
        agent_reply(membership=alice, conversation=conversation, text="Hello?", client_msg_id="r1")

    conversation.refresh_from_db()
    assert (conversation.last_seq, conversation.status) == (last_seq, "offline")
    assert not every_tenant(TicketReply).exists()
    assert mail.outbox == []
    # A private note needs no ticket.
    note, _ = agent_reply(membership=alice, conversation=conversation, text="Chase later", private=True)
    assert note.private


@pytest.mark.django_db
def test_a_customer_without_an_email_gets_the_reply_on_the_ticket_only(
    make_tenant, make_bot, make_agent, django_capture_on_commit_callbacks
):
    from tickets.services import ticket_create_for_conversation

    bot = make_bot(make_tenant("acme"), require_agent_online=True)
    alice = make_agent(bot.tenant, "alice")
    conversation = _offline(bot, django_capture_on_commit_callbacks, email=None)
    ticket, _ = ticket_create_for_conversation(conversation=conversation, reason="explicit_request")

    with django_capture_on_commit_callbacks(execute=True):
        message, _ = agent_reply(
            membership=alice, conversation=conversation, text="Noted.", client_msg_id="r"
        )

    assert message.data["relayed"] == {"reference": ticket.reference, "emailed": False}
    assert every_tenant(TicketReply).get(ticket=ticket, author_kind="agent").body == "Noted."
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
async def test_the_agents_socket_acks_an_offline_reply_with_where_it_went(
    closed_bot, make_agent, django_capture_on_commit_callbacks
):
    alice = await sync_to_async(make_agent)(closed_bot.tenant, "alice")
    conversation = await sync_to_async(_offline)(closed_bot, django_capture_on_commit_callbacks)
    reference = (await sync_to_async(every_tenant(Ticket).get)(conversation=conversation)).reference
    sock = agent_socket(await sync_to_async(session_key_for)(alice.user))
    assert await sock.connect()
    await sock.receive_until(lambda f: f["type"] == "hello")

    await sock.send(
        {"type": "message", "conversation_id": conversation.pk, "text": "Sorted.", "client_msg_id": "s1"}
    )

    ack, _ = await sock.receive_until(lambda f: f["type"] == "ack")
    assert ack["message"]["body"] == "Sorted."
    assert ack["message"]["data"]["relayed"] == {"reference": reference, "emailed": True}
    assert await sync_to_async(every_tenant(TicketReply).filter(author_kind="agent").count)() == 1
    await sock.disconnect()


@pytest.mark.django_db
def test_the_page_says_where_a_reply_goes_and_marks_the_replies_that_went_out(
    closed_bot, make_agent, client, django_capture_on_commit_callbacks
):
    alice = make_agent(closed_bot.tenant, "alice")
    conversation = _offline(closed_bot, django_capture_on_commit_callbacks)
    ticket = every_tenant(Ticket).get(conversation=conversation)
    with django_capture_on_commit_callbacks(execute=True):
        agent_reply(membership=alice, conversation=conversation, text="On its way.", client_msg_id="r1")
    client.force_login(alice.user)

    html = client.get(f"/inbox/c/{conversation.pk}/").content.decode()

    assert (
        f"This conversation went to ticket {ticket.reference}: your reply is emailed to the customer." in html
    )
    assert f'<p class="relayed">Emailed to the customer on {ticket.reference}</p>' in html
    assert '<form id="reply" class="reply" autocomplete="off">' in html


@pytest.mark.django_db
def test_before_its_ticket_opens_the_page_says_only_notes_can_be_saved(
    closed_bot, make_agent, client, django_capture_on_commit_callbacks
):
    alice = make_agent(closed_bot.tenant, "alice")
    conversation = _offline(closed_bot, django_capture_on_commit_callbacks, email=None)
    client.force_login(alice.user)
    html = client.get(f"/inbox/c/{conversation.pk}/").content.decode()
    assert "its ticket is not open yet: only private notes can be saved." in html


@pytest.mark.django_db
def test_another_tenants_offline_conversation_is_not_found(
    closed_bot, make_tenant, make_agent, client, django_capture_on_commit_callbacks
):
    conversation = _offline(closed_bot, django_capture_on_commit_callbacks)
    gina = make_agent(make_tenant("globex"), "gina")
    client.force_login(gina.user)
    assert client.get(f"/inbox/c/{conversation.pk}/").status_code == 404
    assert not every_tenant(TicketReply).filter(author_kind="agent").exists()
