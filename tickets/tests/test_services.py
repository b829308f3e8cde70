"""Ticket services: creation from a chat (idempotent), contacts matched by email, numbers, replies, status."""

import pytest
from django.db import transaction

from helpdesk.errors import InvalidInput, NotFound
from helpdesk.models import Contact
from helpdesk.services import contact_create
from tests.support.db import every_tenant
from tickets.models import EmailStatus, Ticket, TicketReply
from tickets.services import (
    contact_match_or_create,
    ticket_assignee_set,
    ticket_create_for_conversation,
    ticket_reply_add,
    ticket_status_set,
)
from tickets.tasks import ticket_create_task

pytestmark = pytest.mark.django_db


def test_a_ticket_snapshots_the_chat(acme_bot, make_conversation):
    conversation = make_conversation(acme_bot, collected={"order_number": "SP-12345"})

    ticket, created = ticket_create_for_conversation(conversation=conversation, reason="explicit_request")

    assert created is True
    assert ticket.reference == "T-1001"
    assert ticket.subject == "My bike arrived with a bent wheel, order SP-12345"
    assert ticket.description == "My bike arrived with a bent wheel, order SP-12345"
    assert ticket.collected == {"order_number": "SP-12345"}
    assert ticket.handoff_reason == "explicit_request"
    assert (ticket.status, ticket.priority) == ("open", "normal")
    assert ticket.contact_id == conversation.contact_id
    lines = ticket.transcript.splitlines()
    assert lines[-2].endswith("] You: My bike arrived with a bent wheel, order SP-12345")
    assert lines[-1].endswith("] Spoke: I'm sorry to hear that. Let me get a person for you.")


def test_creating_twice_makes_one_ticket(acme_bot, make_conversation):
    conversation = make_conversation(acme_bot)

    first, first_created = ticket_create_for_conversation(conversation=conversation, reason="low_confidence")
    second, second_created = ticket_create_for_conversation(conversation=conversation, reason="bot_error")

    assert (first_created, second_created) == (True, False)
    assert second.pk == first.pk
    assert second.handoff_reason == "low_confidence"
    assert every_tenant(Ticket).count() == 1


def test_the_task_run_twice_makes_one_ticket(acme_bot, make_conversation):
    conversation = make_conversation(acme_bot)

    numbers = [ticket_create_task.delay(conversation.pk, "explicit_request").get() for _ in range(2)]

    assert numbers == [1001, 1001]
    assert every_tenant(Ticket).count() == 1


def test_a_task_killed_halfway_then_run_again_makes_one_ticket(acme_bot, make_conversation):
    conversation = make_conversation(acme_bot)
    with pytest.raises(RuntimeError), transaction.atomic():
        ticket_create_for_conversation(conversation=conversation, reason="explicit_request")
        raise RuntimeError("worker killed before commit")

    ticket_create_task.delay(conversation.pk, "explicit_request")

    assert list(every_tenant(Ticket).values_list("number", flat=True)) == [1001]


def test_numbers_are_sequential_per_tenant(acme_bot, globex_bot, make_conversation):
    refs = [
        ticket_create_for_conversation(conversation=make_conversation(bot), reason="api")[0].reference
        for bot in (acme_bot, acme_bot, globex_bot, acme_bot)
    ]
    assert refs == ["T-1001", "T-1002", "T-1001", "T-1003"]


def test_an_anonymous_visitor_takes_the_email_the_bot_collected(acme_bot, make_conversation):
    conversation = make_conversation(acme_bot, collected={"email": " Ann@Example.COM ", "name": "Ann Lee"})

    ticket, _ = ticket_create_for_conversation(conversation=conversation, reason="explicit_request")

    visitor = every_tenant(Contact).get(pk=conversation.contact_id)
    assert ticket.contact_id == visitor.pk
    assert (visitor.email, visitor.name) == ("ann@example.com", "Ann Lee")


def test_a_known_email_files_the_ticket_under_the_existing_contact(acme, acme_bot, make_conversation):
    known = contact_create(tenant=acme, name="Ann Lee", email="ann@example.com")
    conversation = make_conversation(acme_bot, collected={"email": "ANN@example.com"})

    ticket, _ = ticket_create_for_conversation(conversation=conversation, reason="explicit_request")

    assert ticket.contact_id == known.pk
    conversation.refresh_from_db()
    assert conversation.contact_id != known.pk  # the widget's token names the visitor contact
    assert every_tenant(Contact).get(pk=conversation.contact_id).email == ""


def test_an_unusable_collected_email_does_not_block_the_ticket(acme_bot, make_conversation):
    conversation = make_conversation(acme_bot, collected={"email": "not an email"})

    ticket, created = ticket_create_for_conversation(conversation=conversation, reason="explicit_request")

    assert created is True
    assert ticket.contact.email == ""


def test_a_bad_priority_is_refused_and_nothing_is_stored(acme_bot, make_conversation):
    conversation = make_conversation(acme_bot)
    with pytest.raises(InvalidInput, match="Unknown priority 'asap'"):
        ticket_create_for_conversation(conversation=conversation, reason="api", priority="asap")
    assert every_tenant(Ticket).count() == 0


def test_contact_match_or_create_matches_any_case(acme, globex):
    first, created = contact_match_or_create(tenant=acme, email="Bob@Example.com", name="Bob")
    again, again_created = contact_match_or_create(tenant=acme.pk, email="bob@example.COM")
    elsewhere, elsewhere_created = contact_match_or_create(tenant=globex, email="bob@example.com")

    assert (created, again_created, elsewhere_created) == (True, False, True)
    assert again.pk == first.pk
    assert elsewhere.pk != first.pk


def test_contact_match_or_create_fills_a_missing_name_only(acme):
    contact_create(tenant=acme, email="bob@example.com")
    contact, _ = contact_match_or_create(tenant=acme, email="bob@example.com", name="Bob")
    contact, _ = contact_match_or_create(tenant=acme, email="bob@example.com", name="Robert")
    assert contact.name == "Bob"


def test_contact_match_or_create_refuses_a_bad_email(acme):
    with pytest.raises(InvalidInput) as info:
        contact_match_or_create(tenant=acme, email="bob@")
    assert info.value.fields == {"email": ["Enter a valid email address."]}
    assert every_tenant(Contact).count() == 0


def test_a_private_note_is_never_emailed(acme, make_agent, make_ticket):
    alice = make_agent(acme, "alice")
    ticket = make_ticket(contact_create(tenant=acme, email="ann@example.com"))

    note = ticket_reply_add(ticket=ticket, membership_or_none=alice, body="Called the courier", private=True)

    assert (note.author_kind, note.author_id, note.private) == ("agent", alice.user_id, True)
    assert note.email_status == EmailStatus.NONE


def test_a_reply_needs_text(acme, make_agent, make_ticket):
    ticket = make_ticket(contact_create(tenant=acme))
    with pytest.raises(InvalidInput) as info:
        ticket_reply_add(ticket=ticket, membership_or_none=make_agent(acme, "alice"), body="   ")
    assert info.value.fields == {"body": ["Must not be empty."]}
    assert every_tenant(TicketReply).count() == 0


def test_another_tenants_agent_cannot_reply(acme, globex, make_agent, make_ticket):
    ticket = make_ticket(contact_create(tenant=acme))
    with pytest.raises(NotFound):
        ticket_reply_add(ticket=ticket, membership_or_none=make_agent(globex, "gina"), body="Hello")
    assert every_tenant(TicketReply).count() == 0


def test_status_change_leaves_a_note_of_who_did_it(acme, make_agent, make_ticket):
    ticket = make_ticket(contact_create(tenant=acme))
    alice = make_agent(acme, "alice", name="Alice")

    ticket_status_set(ticket=ticket, membership_or_none=alice, status="solved")
    ticket_status_set(ticket=ticket, membership_or_none=alice, status="solved")

    ticket.refresh_from_db()
    assert ticket.status == "solved"
    assert list(every_tenant(TicketReply).values_list("body", "private")) == [
        ("Alice set the status to Solved.", True)
    ]


def test_an_unknown_status_is_refused(acme, make_agent, make_ticket):
    ticket = make_ticket(contact_create(tenant=acme))
    with pytest.raises(InvalidInput, match="Unknown status 'done'"):
        ticket_status_set(ticket=ticket, membership_or_none=make_agent(acme, "alice"), status="done")
    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_assigning_to_another_tenants_agent_is_refused(acme, globex, make_agent, make_ticket):
    ticket = make_ticket(contact_create(tenant=acme))
    with pytest.raises(InvalidInput, match="does not work here"):
        ticket_assignee_set(
            ticket=ticket, membership=make_agent(acme, "alice"), assignee=make_agent(globex, "gina")
        )
    ticket.refresh_from_db()
    assert ticket.assignee_id is None


def test_an_unknown_reason_is_refused(acme_bot, make_conversation):
    with pytest.raises(InvalidInput, match="Unknown handoff reason 'bored'"):
        ticket_create_for_conversation(conversation=make_conversation(acme_bot), reason="bored")
    assert every_tenant(Ticket).count() == 0
