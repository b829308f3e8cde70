"""A conversation the bot had alone and nobody wrote in for a while is resolved by the bot; a new message
reopens it with the bot; nothing a person works is touched."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chatbot.services import customer_message_receive, widget_conversation_start
from helpdesk.models import Conversation, Message
from helpdesk.services import bot_conversations_idle_resolve
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


def _conversation(bot, *, idle_minutes: float, status=Conversation.Status.BOT) -> Conversation:
    conversation = widget_conversation_start(public_key=bot.public_key).conversation
    every_tenant(Conversation).filter(pk=conversation.pk).update(
        status=status, last_message_at=timezone.now() - timedelta(minutes=idle_minutes)
    )
    conversation.refresh_from_db()
    return conversation


def test_an_idle_bot_conversation_is_resolved_by_the_bot_in_every_tenant(make_tenant, make_bot):
    acme_bot, globex_bot = make_bot(make_tenant("acme")), make_bot(make_tenant("globex"))
    idle = [_conversation(acme_bot, idle_minutes=31), _conversation(globex_bot, idle_minutes=90)]
    recent = _conversation(acme_bot, idle_minutes=5)

    assert bot_conversations_idle_resolve() == 2

    statuses = dict(every_tenant(Conversation).values_list("pk", "status"))
    assert [statuses[c.pk] for c in idle] == ["resolved", "resolved"]
    assert statuses[recent.pk] == "bot"
    note = idle[0].messages.get(author_kind=Message.Author.SYSTEM)
    assert (note.data["event"], note.data["resolved_by"]) == ("resolved", "bot")
    assert bot_conversations_idle_resolve() == 0


@pytest.mark.parametrize("status", [Conversation.Status.WAITING, Conversation.Status.ASSIGNED, "offline"])
def test_conversations_with_people_or_the_offline_path_are_left_alone(acme, make_bot, status):
    conversation = _conversation(make_bot(acme), idle_minutes=600, status=status)

    assert bot_conversations_idle_resolve() == 0
    conversation.refresh_from_db()
    assert conversation.status == status


def test_a_message_after_the_bot_resolved_it_reopens_it_with_the_bot(acme, make_bot):
    conversation = _conversation(make_bot(acme), idle_minutes=45)
    bot_conversations_idle_resolve()

    customer_message_receive(conversation=conversation, text="one more thing: do you ship to Canada?")

    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.BOT


def test_zero_minutes_switches_it_off(acme, make_bot, settings):
    settings.BOT_IDLE_RESOLVE_MINUTES = 0
    conversation = _conversation(make_bot(acme), idle_minutes=10_000)

    assert bot_conversations_idle_resolve() == 0
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.BOT
