"""The inbound-email endpoint: a customer's reply threads back onto its ticket; bad mail stores nothing."""

import json

import pytest
from django.core import mail
from django.urls import reverse

from helpdesk.services import contact_create
from tests.support.db import every_tenant
from tickets.models import Ticket, TicketReply
from tickets.services import ticket_create_for_conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(acme_bot, acme_mail, make_conversation, django_capture_on_commit_callbacks):
    conversation = make_conversation(acme_bot, collected={"email": "ann@example.com", "name": "Ann Lee"})
    with django_capture_on_commit_callbacks(execute=True):
        ticket, _ = ticket_create_for_conversation(
            conversation=conversation, reason="api", notify_customer=True
        )
    ticket.refresh_from_db()
    return ticket


def url(token: str) -> str:
    return reverse("tickets:inbound-email", args=[token])


def raw_reply(
    *,
    sender="Ann Lee <ann@example.com>",
    to="support+T-1001@acme.example",
    subject="Re: [T-1001] Bent wheel",
    in_reply_to="",
    body="Got it!",
):
    headers = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {subject}",
        "Message-ID: <r1@mail.example>",
    ]
    if in_reply_to:
        headers += [f"In-Reply-To: {in_reply_to}", f"References: {in_reply_to}"]
    return ("\r\n".join(headers) + f"\r\n\r\n{body}\r\n\r\nOn Monday, Acme wrote:\r\n> old\r\n").encode()


def post_raw(client, token, raw):
    return client.post(url(token), data=raw, content_type="message/rfc822")


def post_json(client, token, data):
    return client.post(url(token), data=json.dumps(data), content_type="application/json")


def test_a_reply_to_the_ticket_email_comes_back_onto_the_ticket(client, ticket, acme_mail):
    sent = mail.outbox[0]
    raw = raw_reply(subject=f"Re: {sent.subject}", in_reply_to=sent.extra_headers["Message-ID"])

    response = post_raw(client, acme_mail.inbound_token, raw)

    assert response.status_code == 201
    assert response.json() == {
        "status": "imported",
        "ticket": "T-1001",
        "reply_id": every_tenant(TicketReply).get().pk,
        "reopened": False,
        "follow_up_of": None,
    }
    reply = every_tenant(TicketReply).get()
    assert (reply.ticket_id, reply.author_kind, reply.body, reply.private) == (
        ticket.pk,
        "customer",
        "Got it!",
        False,
    )
    assert reply.message_id == "<r1@mail.example>"


def test_in_reply_to_alone_finds_the_ticket(client, ticket, acme_mail):
    data = {
        "from": "ann@example.com",
        "subject": "Re: your ticket",
        "text": "Still waiting",
        "headers": {"Message-ID": "<j1@mail.example>", "In-Reply-To": ticket.customer_email_message_id},
    }
    response = post_json(client, acme_mail.inbound_token, data)
    assert (response.status_code, response.json()["ticket"]) == (201, "T-1001")


def test_a_reply_reopens_a_solved_ticket(client, ticket, acme_mail):
    every_tenant(Ticket).filter(pk=ticket.pk).update(status="solved")
    response = post_raw(client, acme_mail.inbound_token, raw_reply())
    ticket.refresh_from_db()
    assert (response.status_code, response.json()["reopened"], ticket.status) == (201, True, "open")


def test_a_reply_to_a_closed_ticket_starts_one_follow_up(client, ticket, acme_mail):
    every_tenant(Ticket).filter(pk=ticket.pk).update(status="closed")

    first = post_raw(client, acme_mail.inbound_token, raw_reply())
    second = post_json(
        client, acme_mail.inbound_token, {"from": "ann@example.com", "subject": "[T-1001]", "text": "And?"}
    )

    assert first.json()["ticket"] == second.json()["ticket"] == "T-1002"
    assert first.json()["follow_up_of"] == "T-1001"
    follow_up = every_tenant(Ticket).get(number=1002)
    assert (follow_up.contact_id, follow_up.follows_up_id, follow_up.status) == (
        ticket.contact_id,
        ticket.pk,
        "open",
    )
    assert every_tenant(Ticket).get(pk=ticket.pk).status == "closed"


def test_the_same_message_twice_is_stored_once(client, ticket, acme_mail):
    first = post_raw(client, acme_mail.inbound_token, raw_reply())
    second = post_raw(client, acme_mail.inbound_token, raw_reply())
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["status"] == "duplicate"
    assert every_tenant(TicketReply).count() == 1


def assert_refused(response, status, code):
    """Refused with the code and a sentence, and nothing stored: no reply, no follow-up ticket, no change."""
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert every_tenant(TicketReply).count() == 0
    assert list(every_tenant(Ticket).filter(follows_up__isnull=False)) == []
    assert set(every_tenant(Ticket).values_list("status", flat=True)) == {"open"}


def test_no_token_is_refused(client, ticket):
    response = client.post(
        reverse("tickets:inbound-email-no-token"), data=raw_reply(), content_type="message/rfc822"
    )
    assert_refused(response, 401, "missing_token")


def test_an_unknown_token_is_refused(client, ticket):
    assert_refused(post_raw(client, "in_not-a-real-token", raw_reply()), 403, "unknown_token")


def test_another_tenants_token_cannot_touch_this_tenants_ticket(client, ticket, globex_mail):
    assert_refused(post_raw(client, globex_mail.inbound_token, raw_reply()), 422, "unknown_ticket")
    by_thread = raw_reply(
        to="support@globex.example", subject="Re: hello", in_reply_to=ticket.customer_email_message_id
    )
    assert_refused(post_raw(client, globex_mail.inbound_token, by_thread), 422, "no_ticket_reference")


def test_a_ticket_with_the_same_number_at_another_tenant_stays_apart(
    client, ticket, globex, globex_mail, make_ticket
):
    theirs = make_ticket(contact_create(tenant=globex, email="gus@globex.example"))
    assert theirs.reference == "T-1001"
    assert_refused(post_raw(client, globex_mail.inbound_token, raw_reply()), 422, "sender_mismatch")


def test_an_unknown_ticket_is_refused(client, ticket, acme_mail):
    response = post_raw(client, acme_mail.inbound_token, raw_reply(subject="Re: [T-9999] Bent wheel"))
    assert_refused(response, 422, "unknown_ticket")
    assert response.json()["error"]["message"] == "There is no ticket T-9999 here."


def test_a_stranger_cannot_write_on_a_ticket_by_guessing_its_number(client, ticket, acme_mail):
    response = post_raw(client, acme_mail.inbound_token, raw_reply(sender="mallory@evil.example"))
    assert_refused(response, 422, "sender_mismatch")


def test_someone_answering_our_email_may_write_from_another_address(client, ticket, acme_mail):
    raw = raw_reply(sender="ann.lee@work.example", in_reply_to=ticket.customer_email_message_id)
    assert post_raw(client, acme_mail.inbound_token, raw).status_code == 201


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b"\x00\x01garbage", "message/rfc822", 400, "malformed"),
        (b"{not json", "application/json", 400, "malformed"),
        (b'{"text": "hi"}', "application/json", 400, "malformed"),
        (
            b"From: ann@example.com\r\nSubject: [T-1001]\r\n\r\n> only quotes\r\n",
            "message/rfc822",
            400,
            "empty_body",
        ),
        (b"<xml/>", "application/xml", 415, "unsupported_media_type"),
    ],
)
def test_malformed_input_is_refused(client, ticket, acme_mail, body, content_type, status, code):
    response = client.post(url(acme_mail.inbound_token), data=body, content_type=content_type)
    assert_refused(response, status, code)


def test_only_post_is_accepted(client, acme_mail):
    assert client.get(url(acme_mail.inbound_token)).status_code == 405
