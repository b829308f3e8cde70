"""The offline path, policy by policy: nobody can take the handoff, the customer still gets somewhere."""

from datetime import time

import pytest
from django.core import mail

from chatbot.services import customer_message_receive, widget_conversation_start
from helpdesk.models import Conversation, Message, OfflinePolicy
from tests.support.db import every_tenant
from tickets.models import BusinessHours, OfflineIntake, OpeningWindow, Ticket, TicketReply
from tickets.offline import offline_ticket_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_bot(make_tenant, make_bot):
    """A bot whose queue needs an agent online, and nobody is."""
    return make_bot(make_tenant("acme"), require_agent_online=True)


def say(conversation, text, capture):
    with capture(execute=True):
        customer_message_receive(conversation=conversation, text=text, client_msg_id=f"c-{text[:30]}")
    conversation.refresh_from_db()
    return (
        every_tenant(Message)
        .filter(conversation=conversation, author_kind="bot")
        .order_by("-seq")
        .first()
        .body
    )


def start(bot) -> Conversation:
    return widget_conversation_start(public_key=bot.public_key).conversation


def test_collect_contact_asks_validates_accepts_a_skip_and_opens_a_ticket(
    closed_bot, django_capture_on_commit_callbacks
):
    conversation = start(closed_bot)
    reply = say(conversation, "I want to talk to a human", django_capture_on_commit_callbacks)
    assert conversation.status == Conversation.Status.OFFLINE
    assert reply.startswith("Our support team isn't available right now.")
    assert "leave your email address" in reply
    reply = say(conversation, "it's ann@example", django_capture_on_commit_callbacks)
    assert "doesn't look like a complete email address" in reply
    reply = say(conversation, "ann@example.org", django_capture_on_commit_callbacks)
    assert reply.startswith("Thanks! And what name should the team use?")
    reply = say(conversation, "skip", django_capture_on_commit_callbacks)
    ticket = every_tenant(Ticket).get(conversation=conversation)
    assert reply.startswith(f"Thanks. I've opened ticket {ticket.reference}")
    assert reply.endswith("The team will reply to ann@example.org as soon as someone is available.")
    assert "follow up" not in reply
    assert ticket.contact.email == "ann@example.org"
    assert ticket.handoff_reason == "explicit_request"
    assert "I want to talk to a human" in ticket.transcript
    assert len(mail.outbox) == 0  # collect-contact does not continue by email


def test_a_corrected_email_replaces_the_first_one(closed_bot, django_capture_on_commit_callbacks):
    conversation = start(closed_bot)
    say(conversation, "talk to a human", django_capture_on_commit_callbacks)
    say(conversation, "ann@example.org", django_capture_on_commit_callbacks)
    say(conversation, "sorry, it's ann.lee@example.org", django_capture_on_commit_callbacks)
    reply = say(conversation, "Ann Lee", django_capture_on_commit_callbacks)
    assert "Thanks, Ann Lee." in reply
    assert every_tenant(Ticket).get(conversation=conversation).contact.email == "ann.lee@example.org"


def test_continue_by_email_with_a_known_address_opens_and_emails_at_once(
    closed_bot, django_capture_on_commit_callbacks
):
    closed_bot.offline_policy = OfflinePolicy.EMAIL
    closed_bot.save()
    conversation = start(closed_bot)
    say(
        conversation,
        "Hi, my email is sam@example.org. What does a standard service cost?",
        django_capture_on_commit_callbacks,
    )
    reply = say(conversation, "can I talk to a human", django_capture_on_commit_callbacks)
    ticket = every_tenant(Ticket).get(conversation=conversation)
    assert f"I've opened ticket {ticket.reference}" in reply
    assert "emailed you a copy of this conversation at sam@example.org" in reply
    (email,) = mail.outbox
    assert email.to == ["sam@example.org"]
    assert ticket.reference in email.subject
    assert "What does a standard service cost?" in email.body


def test_bot_with_disclaimer_answers_marked_and_offers_the_ticket(
    closed_bot, django_capture_on_commit_callbacks
):
    closed_bot.offline_policy = OfflinePolicy.BOT_DISCLAIMER
    closed_bot.save()
    conversation = start(closed_bot)
    reply = say(conversation, "talk to a human please", django_capture_on_commit_callbacks)
    assert "my answers won't have been checked by a person" in reply
    reply = say(conversation, "What does a standard service cost?", django_capture_on_commit_callbacks)
    assert "$49" in reply
    assert reply.endswith("(This answer comes from our help articles and hasn't been checked by a person.)")
    reply = say(conversation, "Do you sell helicopter insurance?", django_capture_on_commit_callbacks)
    assert reply.startswith("I'm not sure I can answer that one well")
    say(conversation, "ok, bo@example.org", django_capture_on_commit_callbacks)
    reply = say(conversation, "Bo", django_capture_on_commit_callbacks)
    assert "I've opened ticket" in reply
    assert every_tenant(Ticket).filter(conversation=conversation).count() == 1


def test_outside_business_hours_the_customer_hears_when_the_team_is_back(
    make_tenant, make_bot, make_agent, django_capture_on_commit_callbacks
):
    from inbox.presence import presence_connect

    tenant = make_tenant("acme")
    bot = make_bot(tenant, require_agent_online=False)
    agent = make_agent(tenant, "alice")
    bot.queue.members.add(agent.user)
    presence_connect(membership=agent)
    hours = BusinessHours.objects.create(tenant=tenant, queue=bot.queue, timezone="America/New_York")
    # One minute a week, so "now" is almost surely closed: a minute past midnight on Mondays.
    OpeningWindow.objects.create(tenant=tenant, hours=hours, weekday=0, start=time(0, 0), end=time(0, 1))
    conversation = start(bot)
    reply = say(conversation, "I want to talk to a human", django_capture_on_commit_callbacks)
    assert conversation.status == Conversation.Status.OFFLINE
    assert "We're back" in reply and "(New York time)" in reply


def test_later_messages_are_added_to_the_ticket(closed_bot, django_capture_on_commit_callbacks):
    conversation = start(closed_bot)
    say(conversation, "talk to a human", django_capture_on_commit_callbacks)
    say(conversation, "my name is Ann, ann@example.org", django_capture_on_commit_callbacks)
    reply = say(conversation, "Also, the invoice was wrong", django_capture_on_commit_callbacks)
    ticket = every_tenant(Ticket).get(conversation=conversation)
    assert (
        reply
        == f"Thanks, I've added that to ticket {ticket.reference}. The team will see it when they pick it up."
    )
    assert (
        every_tenant(TicketReply)
        .filter(ticket=ticket, author_kind="customer", body="Also, the invoice was wrong")
        .exists()
    )


def test_opening_the_ticket_twice_makes_one_ticket_and_one_confirmation(
    closed_bot, django_capture_on_commit_callbacks
):
    conversation = start(closed_bot)
    say(conversation, "talk to a human", django_capture_on_commit_callbacks)
    say(conversation, "my name is Ann, ann@example.org", django_capture_on_commit_callbacks)
    intake = every_tenant(OfflineIntake).get(conversation=conversation)
    offline_ticket_open(intake_id=intake.pk)
    offline_ticket_open(intake_id=intake.pk)
    assert every_tenant(Ticket).filter(conversation=conversation).count() == 1
    assert every_tenant(Message).filter(conversation=conversation, data__ticket__isnull=False).count() == 1
