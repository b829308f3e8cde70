"""Outgoing ticket email: sent once, with the transcript, the number and the threading headers."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from helpdesk.models import OutboxTask
from helpdesk.outbox import outbox_sweep
from helpdesk.services import contact_create
from tests.support.db import every_tenant
from tickets.mail import ticket_email_customer
from tickets.models import BusinessHours, EmailStatus, OpeningWindow, Ticket, TicketReply
from tickets.services import ticket_create_for_conversation, ticket_reply_add
from tickets.tasks import (
    MAX_RETRIES,
    ticket_email_customer_task,
    ticket_emails_sweep,
    ticket_reply_email_task,
)
from tickets.tests.backends import FlakyBackend

pytestmark = pytest.mark.django_db
ANN = {"email": "ann@example.com", "name": "Ann Lee"}


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tickets.tests.backends.FlakyBackend"
    FlakyBackend.failures = []
    yield FlakyBackend.failures
    FlakyBackend.failures = []


@pytest.fixture
def emailed_ticket(acme_bot, acme_mail, make_conversation, django_capture_on_commit_callbacks):
    conversation = make_conversation(acme_bot, collected=ANN)
    with django_capture_on_commit_callbacks(execute=True):
        ticket, _ = ticket_create_for_conversation(
            conversation=conversation, reason="explicit_request", notify_customer=True
        )
    ticket.refresh_from_db()
    return ticket


def test_continue_by_email_sends_the_number_and_the_transcript(emailed_ticket):
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.subject == "[T-1001] My bike arrived with a bent wheel, order SP-12345"
    assert sent.to == ["Ann Lee <ann@example.com>"]
    assert sent.from_email == "Acme <help@acme.example>"
    assert sent.reply_to == ["support+T-1001@acme.example"]
    assert sent.extra_headers["Message-ID"] == emailed_ticket.customer_email_message_id
    assert emailed_ticket.customer_email_message_id.startswith("<T-1001.t")
    assert emailed_ticket.customer_email_message_id.endswith("@acme.example>")
    assert "In-Reply-To" not in sent.extra_headers
    assert sent.body.startswith("-- Please reply above this line --\n")
    assert "We have opened ticket T-1001 for you" in sent.body
    assert "] You: My bike arrived with a bent wheel, order SP-12345" in sent.body
    assert "] Spoke: I'm sorry to hear that. Let me get a person for you." in sent.body
    assert emailed_ticket.customer_email_status == EmailStatus.SENT
    assert emailed_ticket.customer_emailed_at is not None


def test_the_email_is_sent_once_however_often_the_task_runs(emailed_ticket):
    ticket_email_customer_task.delay(emailed_ticket.pk)
    assert ticket_email_customer(emailed_ticket.pk) is False
    assert len(mail.outbox) == 1


def test_no_email_without_the_continue_by_email_policy(
    acme_bot, make_conversation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket, _ = ticket_create_for_conversation(
            conversation=make_conversation(acme_bot, collected=ANN), reason="explicit_request"
        )
    ticket_email_customer_task.delay(ticket.pk)
    assert mail.outbox == []
    assert every_tenant(Ticket).get().customer_email_status == EmailStatus.NONE


def test_the_email_waits_for_the_commit(acme_bot, make_conversation, django_capture_on_commit_callbacks):
    conversation = make_conversation(acme_bot, collected=ANN)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ticket_create_for_conversation(conversation=conversation, reason="api", notify_customer=True)
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_the_email_says_when_the_team_is_back_if_the_queue_is_closed(
    acme_bot, make_conversation, django_capture_on_commit_callbacks
):
    hours = BusinessHours.objects.create(
        tenant=acme_bot.tenant, queue=acme_bot.queue, timezone="America/New_York"
    )
    later = timezone.now() + timedelta(days=3)  # a different weekday: closed now
    OpeningWindow.objects.create(
        tenant=hours.tenant, hours=hours, weekday=later.weekday(), start="09:00", end="10:00"
    )
    with django_capture_on_commit_callbacks(execute=True):
        ticket_create_for_conversation(
            conversation=make_conversation(acme_bot, collected=ANN), reason="api", notify_customer=True
        )
    assert "We're back " in mail.outbox[0].body
    assert "at 9:00 (New York time), and a person will answer you by email." in mail.outbox[0].body


def test_an_agent_reply_is_threaded_on_the_ticket_email(
    emailed_ticket, make_agent, django_capture_on_commit_callbacks
):
    alice = make_agent(emailed_ticket.tenant, "alice", name="Alice")
    with django_capture_on_commit_callbacks(execute=True):
        reply = ticket_reply_add(
            ticket=emailed_ticket, membership_or_none=alice, body="A new wheel is on its way."
        )

    reply.refresh_from_db()
    sent = mail.outbox[-1]
    assert len(mail.outbox) == 2
    assert sent.subject == "Re: [T-1001] My bike arrived with a bent wheel, order SP-12345"
    assert sent.reply_to == ["support+T-1001@acme.example"]
    assert sent.extra_headers == {
        "Message-ID": reply.message_id,
        "In-Reply-To": emailed_ticket.customer_email_message_id,
        "References": emailed_ticket.customer_email_message_id,
    }
    assert "A new wheel is on its way." in sent.body
    assert "Alice, Acme" in sent.body
    assert (reply.email_status, reply.emailed_at is not None) == (EmailStatus.SENT, True)


def test_references_grow_with_the_thread(emailed_ticket, make_agent, django_capture_on_commit_callbacks):
    alice = make_agent(emailed_ticket.tenant, "alice")
    customer = TicketReply.objects.create(
        tenant=emailed_ticket.tenant,
        ticket=emailed_ticket,
        author_kind="customer",
        body="Thanks",
        message_id="<c1@mail>",
    )
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply_add(ticket=emailed_ticket, membership_or_none=alice, body="You're welcome.")

    headers = mail.outbox[-1].extra_headers
    assert headers["In-Reply-To"] == customer.message_id
    assert headers["References"] == f"{emailed_ticket.customer_email_message_id} <c1@mail>"


def test_private_notes_and_customers_without_email_get_no_email(
    acme, make_agent, make_ticket, django_capture_on_commit_callbacks
):
    alice = make_agent(acme, "alice")
    with_email = make_ticket(contact_create(tenant=acme, email="ann@example.com"))
    without_email = make_ticket(contact_create(tenant=acme))
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply_add(ticket=with_email, membership_or_none=alice, body="Note", private=True)
        ticket_reply_add(ticket=without_email, membership_or_none=alice, body="Hello")
    assert mail.outbox == []
    assert set(every_tenant(TicketReply).values_list("email_status", flat=True)) == {EmailStatus.NONE}


def test_a_transient_smtp_error_is_retried_and_the_email_sent_once(acme, make_agent, make_ticket, flaky):
    ticket = make_ticket(contact_create(tenant=acme, email="ann@example.com"))
    reply = ticket_reply_add(ticket=ticket, membership_or_none=make_agent(acme, "alice"), body="Hello")
    flaky.extend([smtplib.SMTPServerDisconnected("gone"), ConnectionResetError("reset")])

    ticket_reply_email_task.apply(args=[reply.pk])

    reply.refresh_from_db()
    assert len(mail.outbox) == 1
    assert reply.email_status == EmailStatus.SENT


def test_a_refused_recipient_is_marked_failed_without_retrying(acme, make_agent, make_ticket, flaky):
    ticket = make_ticket(contact_create(tenant=acme, email="ann@example.com"))
    reply = ticket_reply_add(ticket=ticket, membership_or_none=make_agent(acme, "alice"), body="Hello")
    flaky.extend([smtplib.SMTPRecipientsRefused({"ann@example.com": (550, b"no such user")}), None])

    ticket_reply_email_task.apply(args=[reply.pk])

    reply.refresh_from_db()
    assert reply.email_status == EmailStatus.FAILED
    assert mail.outbox == []
    assert len(flaky) == 1  # the second, harmless slot was never reached: no retry


def test_an_email_that_keeps_failing_is_marked_failed_after_the_last_retry(
    acme, make_agent, make_ticket, flaky
):
    ticket = make_ticket(contact_create(tenant=acme, email="ann@example.com"))
    reply = ticket_reply_add(ticket=ticket, membership_or_none=make_agent(acme, "alice"), body="Hello")
    flaky.extend([smtplib.SMTPServerDisconnected("gone") for _ in range(MAX_RETRIES + 1)])

    result = ticket_reply_email_task.apply(args=[reply.pk])

    reply.refresh_from_db()
    assert result.failed() is True
    assert reply.email_status == EmailStatus.FAILED
    assert mail.outbox == []


def test_the_outbox_sweep_sends_an_email_whose_dispatch_was_lost(acme, make_agent, make_ticket):
    # Given a reply whose email was recorded, but whose process died before dispatching it
    ticket = make_ticket(contact_create(tenant=acme, email="ann@example.com"))
    reply = ticket_reply_add(ticket=ticket, membership_or_none=make_agent(acme, "alice"), body="Hello")
    assert mail.outbox == []

    # When the sweep runs after the dispatch grace, twice
    later = timezone.now() + timedelta(minutes=1)
    first, second = outbox_sweep(now=later), outbox_sweep(now=later)

    # Then the email goes out once
    assert (first["dispatched"], second["dispatched"]) == (1, 0)
    assert len(mail.outbox) == 1
    reply.refresh_from_db()
    assert reply.email_status == EmailStatus.SENT


def test_the_email_sweep_records_pending_emails_that_have_no_outbox_row(acme, make_agent, make_ticket):
    ticket = make_ticket(contact_create(tenant=acme, email="ann@example.com"))
    reply = ticket_reply_add(ticket=ticket, membership_or_none=make_agent(acme, "alice"), body="Hello")
    every_tenant(OutboxTask).all().delete()
    every_tenant(TicketReply).filter(pk=reply.pk).update(created_at=timezone.now() - timedelta(minutes=10))

    assert ticket_emails_sweep.delay().get() == 1
    assert ticket_emails_sweep.delay().get() == 0
    assert every_tenant(OutboxTask).get().key == f"email:reply:{reply.pk}"
