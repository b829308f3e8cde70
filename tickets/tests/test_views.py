"""The agents' ticket pages: their tenant only, escaped text, clear errors, one query count at any size."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpdesk.services import contact_create
from tests.support.db import every_tenant
from tickets.models import Ticket, TicketReply
from tickets.services import ticket_create_for_conversation, ticket_reply_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(acme, make_agent):
    return make_agent(acme, "alice", name="Alice")


@pytest.fixture
def gina(globex, make_agent):
    return make_agent(globex, "gina")


@pytest.fixture
def ticket(acme_bot, make_conversation):
    conversation = make_conversation(
        acme_bot, collected={"email": "ann@example.com", "order_number": "SP-12345"}
    )
    ticket, _ = ticket_create_for_conversation(conversation=conversation, reason="sensitive_topic")
    return ticket


def detail(ticket):
    return reverse("tickets:detail", args=[ticket.number])


def test_the_pages_ask_visitors_to_log_in(client, ticket):
    for path in (reverse("tickets:list"), detail(ticket)):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_user_without_a_tenant_is_forbidden(client, django_user_model, ticket):
    client.force_login(django_user_model.objects.create_user(username="drifter", password="x"))
    assert client.get(reverse("tickets:list")).status_code == 403


def test_the_list_shows_this_tenants_unsolved_tickets(client, alice, ticket, globex, make_ticket):
    make_ticket(contact_create(tenant=globex), subject="Globex secret")
    make_ticket(ticket.contact, subject="Old solved one", status="solved")
    client.force_login(alice.user)

    response = client.get(reverse("tickets:list"))

    assert response.status_code == 200
    assert [t.reference for t in response.context["page"]] == ["T-1001"]
    assert b"Globex secret" not in response.content


def test_the_list_filters_by_status_and_search(client, alice, ticket, make_ticket):
    make_ticket(ticket.contact, subject="Old solved one", status="solved")
    client.force_login(alice.user)

    solved = client.get(reverse("tickets:list"), {"status": "solved"})
    everything = client.get(reverse("tickets:list"), {"status": "all"})
    by_number = client.get(reverse("tickets:list"), {"status": "all", "q": "t-1002"})

    assert [t.reference for t in solved.context["page"]] == ["T-1002"]
    assert sorted(t.reference for t in everything.context["page"]) == ["T-1001", "T-1002"]
    assert [t.reference for t in by_number.context["page"]] == ["T-1002"]


def test_an_unknown_status_filter_says_so(client, alice, ticket):
    client.force_login(alice.user)
    response = client.get(reverse("tickets:list"), {"status": "bogus"})
    assert response.status_code == 400
    assert b"Select a valid choice. bogus is not one of the available choices." in response.content
    assert [t.reference for t in response.context["page"]] == ["T-1001"]


def test_the_list_is_paginated(client, alice, acme, make_ticket):
    contact = contact_create(tenant=acme)
    for _ in range(30):
        make_ticket(contact)
    client.force_login(alice.user)

    first = client.get(reverse("tickets:list"))
    second = client.get(reverse("tickets:list"), {"page": 2})

    assert (len(first.context["page"]), len(second.context["page"])) == (25, 5)
    assert b"Page 1 of 2" in first.content


def test_the_list_costs_the_same_queries_at_any_size(client, alice, acme, make_ticket):
    contact = contact_create(tenant=acme)
    client.force_login(alice.user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("tickets:list")).status_code == 200
        return len(captured)

    make_ticket(contact)
    few = queries()
    for _ in range(15):
        make_ticket(contact_create(tenant=acme), assignee=alice.user)
    assert queries() == few


def test_the_detail_shows_the_whole_story(client, alice, ticket):
    ticket_reply_add(ticket=ticket, membership_or_none=alice, body="Called the courier", private=True)
    client.force_login(alice.user)

    response = client.get(detail(ticket))

    assert response.status_code == 200
    body = response.content.decode()
    assert "T-1001" in body
    assert "You: My bike arrived with a bent wheel, order SP-12345" in body  # the transcript
    assert "<dt>order_number</dt><dd>SP-12345</dd>" in body
    assert "sensitive_topic" in body
    assert "Called the courier" in body
    assert "private note" in body


def test_customer_text_is_escaped(client, alice, acme_bot, make_conversation):
    conversation = make_conversation(acme_bot, chat=[("customer", "<script>alert(1)</script>")])
    ticket, _ = ticket_create_for_conversation(conversation=conversation, reason="api")
    client.force_login(alice.user)

    response = client.get(detail(ticket))

    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content


def test_another_tenants_agent_gets_the_same_404_as_for_a_missing_ticket(client, gina, ticket):
    client.force_login(gina.user)
    assert client.get(detail(ticket)).status_code == 404
    assert client.get(reverse("tickets:detail", args=[999999])).status_code == 404
    reply = client.post(reverse("tickets:reply", args=[ticket.number]), {"body": "Hi"})
    update = client.post(reverse("tickets:update", args=[ticket.number]), {"status": "closed"})
    assert (reply.status_code, update.status_code) == (404, 404)
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert every_tenant(TicketReply).count() == 0


def test_an_agent_replies_and_the_customer_gets_it_by_email(
    client, alice, ticket, django_capture_on_commit_callbacks
):
    client.force_login(alice.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("tickets:reply", args=[ticket.number]), {"body": "A new wheel is coming."}
        )

    assert response.status_code == 302
    assert response["Location"] == detail(ticket)
    assert list(every_tenant(TicketReply).values_list("body", "author_kind", "private")) == [
        ("A new wheel is coming.", "agent", False)
    ]
    assert [m.subject for m in mail.outbox] == [f"Re: [T-1001] {ticket.subject}"]


def test_an_empty_reply_gets_a_clear_error_and_stores_nothing(client, alice, ticket):
    client.force_login(alice.user)
    response = client.post(reverse("tickets:reply", args=[ticket.number]), {"body": "   "})
    assert response.status_code == 400
    assert b"Write something before sending." in response.content
    assert every_tenant(TicketReply).count() == 0


def test_a_too_long_reply_gets_a_clear_error(client, alice, ticket, settings):
    client.force_login(alice.user)
    response = client.post(reverse("tickets:reply", args=[ticket.number]), {"body": "x" * 4001})
    assert response.status_code == 400
    assert b"Ensure this value has at most 4000 characters (it has 4001)." in response.content
    assert every_tenant(TicketReply).count() == 0


def test_an_agent_solves_and_assigns_a_ticket(client, alice, ticket):
    client.force_login(alice.user)
    response = client.post(
        reverse("tickets:update", args=[ticket.number]), {"status": "solved", "assignee": alice.pk}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee_id) == ("solved", alice.user_id)
    assert list(every_tenant(TicketReply).values_list("body", flat=True)) == [
        "Alice set the status to Solved.",
        "Alice assigned the ticket to Alice.",
    ]


def test_a_bad_status_or_a_foreign_assignee_gets_a_clear_error(client, alice, gina, ticket):
    client.force_login(alice.user)
    bad_status = client.post(reverse("tickets:update", args=[ticket.number]), {"status": "done"})
    foreign = client.post(
        reverse("tickets:update", args=[ticket.number]), {"status": "open", "assignee": gina.pk}
    )

    assert (bad_status.status_code, foreign.status_code) == (400, 400)
    assert b"Select a valid choice. done is not one of the available choices." in bad_status.content
    assert b"is not one of the available choices." in foreign.content
    assert every_tenant(Ticket).get(pk=ticket.pk).assignee_id is None
    assert every_tenant(TicketReply).count() == 0


def test_the_detail_says_the_handoff_reason_in_words(client, alice, ticket):
    client.force_login(alice.user)

    body = client.get(detail(ticket)).content.decode()

    assert '<span class="badge reason-sensitive_topic">Sensitive topic</span>' in body
    assert ">sensitive_topic<" not in body
