"""Fixtures of the tickets tests: two tenants with a bot each, and conversations with a chat in them."""

from __future__ import annotations

import pytest

from helpdesk.models import Conversation
from helpdesk.services import contact_create, conversation_start, message_create
from tests.support.db import every_tenant
from tickets.models import MailSettings, Ticket
from tickets.services import ticket_number_allocate

CHAT = [
    ("customer", "My bike arrived with a bent wheel, order SP-12345"),
    ("bot", "I'm sorry to hear that. Let me get a person for you."),
]


@pytest.fixture
def acme(make_tenant):
    return make_tenant("acme")


@pytest.fixture
def globex(make_tenant):
    return make_tenant("globex")


@pytest.fixture
def acme_bot(make_bot, acme):
    return make_bot(acme, "Spoke", articles=[])


@pytest.fixture
def globex_bot(make_bot, globex):
    return make_bot(globex, "Gizmo", articles=[])


@pytest.fixture
def make_conversation():
    def make(bot, *, chat=CHAT, collected=None, contact=None) -> Conversation:
        contact = contact or contact_create(tenant=bot.tenant)
        conversation = conversation_start(tenant=bot.tenant, bot_id=bot.pk, contact=contact)
        for kind, body in chat:
            message_create(conversation=conversation, author_kind=kind, body=body)
        if collected:
            every_tenant(Conversation).filter(pk=conversation.pk).update(collected=collected)
            conversation.refresh_from_db()
        return conversation

    return make


@pytest.fixture
def make_ticket():
    """A ticket with no conversation behind it (as after a follow-up), for lists and pages."""

    def make(contact, **fields) -> Ticket:
        fields.setdefault("subject", "Bent wheel")
        return Ticket.objects.create(
            tenant_id=contact.tenant_id,
            number=ticket_number_allocate(tenant_id=contact.tenant_id),
            contact=contact,
            **fields,
        )

    return make


@pytest.fixture
def acme_mail(acme):
    return MailSettings.objects.create(
        tenant=acme, from_email="help@acme.example", reply_to="support@acme.example"
    )


@pytest.fixture
def globex_mail(globex):
    return MailSettings.objects.create(tenant=globex, from_email="help@globex.example")
