"""The customer message path and the handoff judgement together: what the message leaves for later
turns, a model that goes missing while running, and the assistant's signals under the bot's switches."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chatbot.pipeline import assistant_signals
from chatbot.responders.base import BotReply, ReplyKind
from chatbot.services import customer_message_receive, widget_conversation_start
from chatbot.smalltalk import small_talk_kind
from handoff.detection.signals import DetectionSettings
from handoff.detection.store import DetectorUnavailable
from handoff.models import Handoff
from helpdesk.models import Conversation, Message, OutboxTask
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(acme, make_bot):
    bot = make_bot(acme, currency="EUR", refund_handoff_amount=Decimal("100"))
    return widget_conversation_start(public_key=bot.public_key).conversation


def say(conversation, text: str, number: int) -> Message:
    message, _ = customer_message_receive(conversation=conversation, text=text, client_msg_id=f"m-{number}")
    conversation.refresh_from_db()
    return message


def test_a_refund_asked_for_in_one_turn_and_priced_in_the_next_hands_off_then(conversation):
    asked = say(conversation, "I would like a refund for the bike lock please", 1)
    assert asked.data.get("refund_requested") is True
    assert conversation.status == Conversation.Status.BOT

    priced = say(conversation, "it was two hundred and forty euros", 2)

    assert conversation.status == Conversation.Status.WAITING
    handoff = every_tenant(Handoff).get(conversation=conversation)
    assert (handoff.reason, handoff.evidence["category"]) == ("sensitive_topic", "refund_over_amount")
    assert (handoff.evidence["amount"], handoff.evidence["currency"]) == ("240", "EUR")
    assert handoff.evidence["message_seq"] == priced.seq


def test_an_amount_without_an_earlier_refund_request_is_just_a_question(conversation):
    say(conversation, "is the 240 euro touring bike in stock?", 1)

    assert not every_tenant(Handoff).filter(conversation=conversation).exists()


def test_a_model_gone_missing_while_running_hands_off_and_keeps_the_message(conversation, monkeypatch):
    def unavailable(*args, **kwargs):
        raise DetectorUnavailable("missing", "/nowhere/detector.joblib", "no such file")

    monkeypatch.setattr("chatbot.pipeline.read_message", unavailable)

    message = say(conversation, "how long does delivery take?", 1)

    assert every_tenant(Message).filter(pk=message.pk).exists()
    handoff = every_tenant(Handoff).get(conversation=conversation)
    assert (handoff.reason, handoff.evidence["matched"]) == ("bot_error", "detector unavailable")


@pytest.mark.parametrize(
    "text", ["That did the trick, take care!", "works now", "Fair enough.", "lovely", "Hi, how are you?"]
)
def test_a_message_of_nothing_but_small_talk_is_answered_not_handed_off(conversation, text):
    assert small_talk_kind(text) is not None

    message = say(conversation, text, 1)

    assert conversation.status == Conversation.Status.BOT
    assert not every_tenant(Handoff).filter(conversation=conversation).exists()
    assert every_tenant(OutboxTask).filter(key=f"bot_turn:{message.pk}").exists()


def test_asking_whether_anyone_is_there_is_asking_for_a_person(conversation):
    assert small_talk_kind("is anyone there?") is None

    say(conversation, "is anyone there?", 1)

    assert every_tenant(Handoff).get(conversation=conversation).reason == "explicit_request"


def _reply(**fields) -> BotReply:
    return BotReply(text="Sure.", confidence=0.9, kind=ReplyKind.ANSWER, **fields)


def test_the_assistants_signals_add_handoff_reasons():
    settings = DetectionSettings(refund_handoff_amount=Decimal("100"), currency="EUR")
    reply = _reply(
        wants_human=True,
        sensitive_topic="legal",
        frustrated=True,
        refund_amount="250.00",
        refund_currency=None,
        kb_answers=False,
    )

    signals = assistant_signals(reply, settings)

    assert [(s.reason, s.category) for s in signals] == [
        ("explicit_request", "person"),
        ("sensitive_topic", "legal"),
        ("sensitive_topic", "refund_over_amount"),
        ("negative_sentiment", "frustrated"),
        ("low_confidence", "kb_answers"),
    ]
    assert all(s.source == "assistant" for s in signals)
    assert signals[2].currency == "EUR"


def test_the_assistants_signals_follow_the_bots_switches_and_limits():
    settings = DetectionSettings(
        explicit_request=False,
        sensitive_categories=frozenset({"billing_dispute"}),
        refund_handoff_amount=Decimal("500"),
        low_confidence=False,
    )
    reply = _reply(wants_human=True, sensitive_topic="legal", refund_amount="250.00", kb_answers=False)

    assert assistant_signals(reply, settings) == []
    assert (
        assistant_signals(BotReply(text="", confidence=0.0, kind=ReplyKind.ERROR, wants_human=True), settings)
        == []
    )
