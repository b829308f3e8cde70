"""The customer's language end to end: detected from their message, kept on the conversation, and the
bot's own texts (the handoff message, the greeting) written in it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chatbot.services import customer_message_receive, widget_conversation_start
from handoff.models import Handoff
from helpdesk.models import DEFAULT_GREETING, Message
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


def _say(conversation, text: str, number: int) -> Message:
    message, _ = customer_message_receive(conversation=conversation, text=text, client_msg_id=f"m-{number}")
    conversation.refresh_from_db()
    return message


def _bot_texts(conversation) -> list[str]:
    return list(
        conversation.messages.filter(author_kind=Message.Author.BOT)
        .order_by("seq")
        .values_list("body", flat=True)
    )


def test_a_spanish_request_for_a_person_is_answered_in_spanish(acme, make_bot):
    bot = make_bot(acme)
    conversation = widget_conversation_start(public_key=bot.public_key).conversation

    _say(conversation, "Hola, quiero hablar con una persona, por favor", 1)

    assert conversation.language == "es"
    assert every_tenant(Handoff).get(conversation=conversation).reason == "explicit_request"
    handoff_text = _bot_texts(conversation)[-1]
    assert handoff_text.startswith("Te paso con un agente de soporte")
    assert "número 1 en la cola" in handoff_text


def test_a_single_word_keeps_the_language_and_english_stays_english(acme, make_bot):
    bot = make_bot(acme)
    conversation = widget_conversation_start(public_key=bot.public_key).conversation

    _say(conversation, "ok", 1)
    assert conversation.language == ""
    _say(conversation, "Where is my order? It has not arrived yet", 2)
    assert conversation.language == "en"


def test_the_default_greeting_speaks_the_bots_language_and_an_own_greeting_is_kept(acme, make_bot):
    german = make_bot(acme, language="de", greeting=DEFAULT_GREETING)
    own = make_bot(acme, "Moin", language="de", greeting="Moin! Wie kann ich helfen?")

    greeting = widget_conversation_start(public_key=german.public_key).conversation.messages.get(seq=1)
    kept = widget_conversation_start(public_key=own.public_key).conversation.messages.get(seq=1)

    assert greeting.body.startswith("Hallo! Ich bin der virtuelle Assistent.")
    assert kept.body == "Moin! Wie kann ich helfen?"


def test_agents_see_the_detected_language_on_the_context_card(client, acme, make_bot, make_agent):
    bot = make_bot(acme)
    conversation = widget_conversation_start(public_key=bot.public_key).conversation
    _say(conversation, "Bonjour, ma commande est en retard depuis une semaine", 1)
    agent = make_agent(acme, "ana")
    client.force_login(agent.user)

    page = client.get(reverse("inbox:conversation", args=[conversation.pk])).content.decode()

    assert conversation.language == "fr"
    assert "Français" in page or "French" in page
