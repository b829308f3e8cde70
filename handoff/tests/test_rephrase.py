"""Repeated failure over several turns: a question asked again in other words, and the unresolved count."""

import pytest

from handoff.triggers import TriggerSettings, TurnContext, is_rephrase, turn_hits, unresolved_after

DEFAULTS = TriggerSettings()

REPHRASED = [
    ("Where is my parcel?", "where is my package"),
    ("Where is my parcel?", "I'm asking where my package is right now"),
    ("How do I reset my password?", "How can I reset my password?"),
    ("How do I track my order?", "how do I track my package"),
    ("Where is my pakage?", "where is my package"),
    ("How long does standard shipping take?", "How long does shipping take?"),
    ("Is the ceramic bowl dishwasher safe?", "is the ceramic bowl dishwasher-safe??"),
    ("Can I pick a delivery day for the bike?", "can I choose the delivery date for my bike"),
    ("When will my order be delivered?", "when does my order arrive"),
    ("How do I edit my address?", "How do I change my address?"),
]
NEW_QUESTIONS = [
    ("hi", "how can I track my package?"),
    ("thanks", "thank you"),
    ("How long does standard shipping take?", "How long does express shipping take?"),
    ("Do you ship to Canada?", "Do you ship to Australia?"),
    ("How do I reset my password?", "How do I change my email?"),
    ("Where is my order?", "How do I return my order?"),
    ("Can I return a lamp I bought last week?", "Can I return a lamp I bought last month?"),
    ("How do I cancel my order?", "How do I cancel my subscription?"),
    ("How long does shipping take?", "How much does shipping cost?"),
    ("Can I use two discount codes on one order?", "Can I use a gift card and a discount code?"),
    ("My order LL-204518 is late", "My order LL-118842 is late"),
    ("How long does bike delivery take?", "Does the bike come fully assembled?"),
]


@pytest.mark.parametrize(("earlier", "text"), REPHRASED)
def test_is_rephrase_finds_the_earlier_question(earlier, text):
    assert (
        is_rephrase(text, ["Which payment methods do you accept?", earlier], DEFAULTS.rephrase_similarity)
        == earlier
    )


@pytest.mark.parametrize(("earlier", "text"), NEW_QUESTIONS)
def test_is_rephrase_leaves_new_questions_alone(earlier, text):
    assert is_rephrase(text, [earlier], DEFAULTS.rephrase_similarity) is None


@pytest.mark.parametrize(
    ("previous", "kind", "confidence", "repeated", "after"),
    [
        (0, "answer", 0.9, False, 0),
        (2, "answer", 0.9, False, 0),
        (0, "answer", 0.2, False, 1),
        (1, "answer", None, False, 2),
        (1, "answer", 0.9, True, 2),
        (2, "greeting", None, False, 0),
        (2, "thanks", None, False, 0),
        (1, "thanks", None, True, 2),
        (1, "error", None, False, 2),
    ],
)
def test_unresolved_after(previous, kind, confidence, repeated, after):
    assert (
        unresolved_after(previous, reply_kind=kind, confidence=confidence, repeated=repeated, threshold=0.35)
        == after
    )


def test_several_different_faq_questions_never_accumulate():
    questions = [text for _, text in NEW_QUESTIONS[2:]]
    unresolved = 0
    for index, text in enumerate(questions):
        repeated = is_rephrase(text, questions[:index], DEFAULTS.rephrase_similarity) is not None
        unresolved = unresolved_after(
            unresolved, reply_kind="answer", confidence=0.8, repeated=repeated, threshold=0.35
        )
        ctx = TurnContext(
            text=text,
            previous_customer_texts=tuple(questions[:index]),
            unresolved_turns=unresolved,
            sentiment=0.0,
            confidence=0.8,
            reply_kind="answer",
        )
        assert turn_hits(ctx, DEFAULTS) == []
