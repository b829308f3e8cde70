"""Conversations for the review loop's tests, made through the real services: one the bot handed off
(the customer asked for a person on their second message) and one the bot resolved alone."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from chatbot.services import customer_message_receive, widget_conversation_start
from helpdesk.models import Bot, Conversation
from helpdesk.services import bot_conversations_idle_resolve


def handed_off(bot: Bot, turns=("How long does delivery take?", "talk to a human please")) -> Conversation:
    conversation = widget_conversation_start(public_key=bot.public_key).conversation
    for number, text in enumerate(turns, start=1):
        customer_message_receive(conversation=conversation, text=text, client_msg_id=f"h{number}")
    conversation.refresh_from_db()
    assert conversation.status != Conversation.Status.BOT, "the scenario should have handed off"
    return conversation


def bot_resolved(
    bot: Bot, turns=("How long does delivery take?", "and can I return a bike?")
) -> Conversation:
    conversation = widget_conversation_start(public_key=bot.public_key).conversation
    for number, text in enumerate(turns, start=1):
        customer_message_receive(conversation=conversation, text=text, client_msg_id=f"r{number}")
    bot_conversations_idle_resolve(now=timezone.now() + timedelta(hours=2))
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.RESOLVED and not conversation.handoffs.exists()
    return conversation


def customer_seqs(conversation: Conversation) -> list[int]:
    return list(
        conversation.messages.filter(author_kind="customer").order_by("seq").values_list("seq", flat=True)
    )
