"""Tickets, their replies and queues' business hours through the REST API."""

from __future__ import annotations

from datetime import time

import pytest

from chatbot.services import api_conversation_start
from helpdesk.contacts import contact_find_or_create
from helpdesk.models import ApiKey
from helpdesk.services import message_create
from helpdesk.tests.api_support import client_for, key_for
from tests.support.db import every_tenant
from tickets.models import BusinessHours, OpeningWindow, Ticket, TicketReply
from tickets.services import ticket_create_for_conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant(make_tenant):
    return make_tenant("acme")


@pytest.fixture
def api(tenant):
    return client_for(key_for(tenant))


@pytest.fixture
def ticket(tenant, make_bot) -> Ticket:
    bot = make_bot(tenant)
    contact, _ = contact_find_or_create(tenant=tenant, name="Pat", email="pat@example.com")
    conversation = api_conversation_start(tenant=tenant, bot=bot, contact=contact)
    message_create(conversation=conversation, author_kind="customer", body="My wheel is bent, order SP-12345")
    return ticket_create_for_conversation(conversation=conversation, reason="explicit_request")[0]


def test_tickets_are_listed_filtered_and_shown(api, ticket):
    rows = api.get("/api/v1/tickets/", {"status": "open"}).json()["results"]
    assert [(t["id"], t["reference"]) for t in rows] == [(ticket.pk, ticket.reference)]
    assert api.get("/api/v1/tickets/", {"status": "solved"}).json()["results"] == []
    assert [t["id"] for t in api.get("/api/v1/tickets/", {"q": "pat@"}).json()["results"]] == [ticket.pk]
    detail = api.get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert detail["contact"]["email"] == "pat@example.com"
    assert detail["handoff_reason"] == "explicit_request"
    assert detail["subject"].startswith("My wheel is bent")


def test_a_key_replies_on_a_ticket_as_a_named_agent(api, tenant, ticket, make_agent):
    alice = make_agent(tenant, "alice", name="Alice")
    url = f"/api/v1/tickets/{ticket.pk}/replies/"
    assert api.post(url, {"body": "On it."}, format="json").status_code == 400
    response = api.post(url, {"body": "On it.", "agent_id": alice.user_id}, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["author_kind"], response.json()["author_name"]) == ("agent", "Alice")
    replies = api.get(url).json()
    assert [r["body"] for r in replies] == ["On it."]
    assert every_tenant(TicketReply).get().author_id == alice.user_id


def test_a_read_only_key_cannot_reply(tenant, ticket):
    reader = client_for(key_for(tenant, ApiKey.Scope.READ))
    response = reader.post(
        f"/api/v1/tickets/{ticket.pk}/replies/", {"body": "x", "agent_id": 1}, format="json"
    )
    assert response.status_code == 403
    assert not every_tenant(TicketReply).exists()


def test_business_hours_show_their_windows(api, tenant, make_bot):
    bot = make_bot(tenant)
    hours = BusinessHours.objects.create(tenant=tenant, queue=bot.queue, timezone="Europe/Paris")
    OpeningWindow.objects.create(tenant=tenant, hours=hours, weekday=0, start=time(9), end=time(17))
    rows = api.get("/api/v1/business-hours/").json()["results"]
    assert rows == [api.get(f"/api/v1/business-hours/{hours.pk}/").json()]
    assert rows[0]["timezone"] == "Europe/Paris"
    assert rows[0]["windows"] == [{"weekday": 0, "start": "09:00:00", "end": "17:00:00"}]
