"""The inline and after-turn triggers together (``handoff.triggers``): which fire, in which order, and the
settings that switch them off. Phrase tables have their own tests (explicit requests, sensitive topics)."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from handoff.triggers import (
    REASON_ORDER,
    TriggerHit,
    TriggerSettings,
    TurnContext,
    inline_hits,
    primary_hit,
    turn_hits,
)

DEFAULTS = TriggerSettings()


def reasons(text: str, settings: TriggerSettings = DEFAULTS) -> list[tuple[str, str]]:
    return [(hit.reason, hit.rule) for hit in inline_hits(text, settings)]


# --- dissatisfaction, frustration, precedence --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("That's not what I asked", "That's not what I asked"),
        ("you're not understanding me", "you're not understanding"),
        ("you don't understand", "you don't understand"),
        ("that doesn't answer my question", "that doesn't answer my question"),
        ("No I mean change the fabric colour after ordering", "No I mean"),
        ("that didn't help", "that didn't help"),
        ("still not working", "still not working"),
        ("It still doesn't work", "still doesn't work"),
        ("I already told you", "I already told"),
        ("That's not helpful", "That's not helpful"),
        ("no, I meant the other one", "no, I meant"),
        ("As I said, I need the blue one", "As I said"),
        ("You keep saying the same thing", "You keep saying"),
        ("that's wrong", "that's wrong"),
        ("Not what I was asking for", "Not what I was asking"),
        ("No entiendes", "No entiendes"),
        ("Tu ne comprends pas", "Tu ne comprends pas"),
        ("Du verstehst mich nicht", "Du verstehst mich nicht"),
        ("That doesn't help me at all", "That doesn't help me at all"),
        ("you already said that", "you already said that"),
        ("That's the same thing you said before", "same thing you said"),
        ("I asked about delivery, not returns", "I asked about delivery, not r"),
        ("wrong answer", "wrong answer"),
        ("that answer is irrelevant", "that answer is irrelevant"),
    ],
)
def test_dissatisfaction_is_a_repeated_failure(text, matched):
    hits = [hit for hit in inline_hits(text, DEFAULTS) if hit.rule == "dissatisfaction_phrase"]

    assert (hits[0].reason, hits[0].matched) == ("repeated_failure", matched)


@pytest.mark.parametrize(
    "text",
    [
        "I don't understand the returns policy, can you explain?",
        "it doesn't help that the box is heavy",
        "That helped, thanks",
        "Does this help with assembly?",
        "No problem, thanks!",
        "No, that's all",
        "I mean, is it waterproof?",
        "What do you mean by final sale?",
        "The instructions were helpful",
        "I asked for the blue one, not sure which arrived. How do I check?",
        "I asked my wife and she agrees",
        "that's what I wanted to know, thanks",
    ],
)
def test_dissatisfaction_does_not_fire(text):
    assert reasons(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How long does standard shipping take?", []),
        ("I'm not upset, I just want to know when the showroom opens", []),
        ("Thanks, that's all I needed!", []),
        (
            "This is ridiculous, I've been trying to check out for an hour",
            [("negative_sentiment", "frustration_phrase")],
        ),
        (
            "The reset link doesn't work AGAIN. This is absolutely useless!!",
            [("negative_sentiment", "frustration_phrase"), ("repeated_failure", "dissatisfaction_phrase")],
        ),
        (
            "This is ridiculous, I want a human. You charged me twice!",
            [
                ("explicit_request", "explicit_phrase"),
                ("sensitive_topic", "billing_dispute"),
                ("negative_sentiment", "frustration_phrase"),
            ],
        ),
    ],
)
def test_inline_hits_come_in_reason_order(text, expected):
    assert reasons(text) == expected


def test_settings_switch_each_inline_trigger_off():
    text = "This is ridiculous, I want a human. You charged me twice! That's not what I asked"
    settings = TriggerSettings(
        explicit_request=False, sensitive_topic=False, negative_sentiment=False, repeated_failure=False
    )

    assert reasons(text) != []
    assert reasons(text, settings) == []


def test_primary_hit_follows_reason_order_then_position():
    hits = [
        TriggerHit("low_confidence", "confidence", "", "x"),
        TriggerHit("repeated_failure", "unresolved_turns", "", "first"),
        TriggerHit("bot_error", "bot_error", "timeout", "x"),
        TriggerHit("repeated_failure", "rephrased_question", "", "second"),
    ]

    assert primary_hit(hits).explanation == "first"
    assert primary_hit([]) is None
    assert REASON_ORDER[-2:] == ("bot_error", "low_confidence")


# --- after the bot's turn ---------------------------------------------------------------------------------


def turn(text: str = "Where is my order?", **overrides) -> TurnContext:
    fields = {
        "text": text,
        "previous_customer_texts": (),
        "unresolved_turns": 0,
        "sentiment": 0.0,
        "confidence": 0.9,
        "reply_kind": "answer",
    }
    return TurnContext(**{**fields, **overrides})


def turn_rules(ctx: TurnContext, settings: TriggerSettings = DEFAULTS) -> list[tuple[str, str]]:
    return [(hit.reason, hit.rule) for hit in turn_hits(ctx, settings)]


def test_a_confident_answer_to_a_new_question_hands_off_nothing():
    assert turn_rules(turn(previous_customer_texts=("hi", "Do you ship to Canada?"))) == []


@pytest.mark.parametrize(
    ("text", "score", "fires"),
    [
        ("Your website is terrible and I'm furious", -0.78, True),
        ("This is so disappointing", -0.63, True),
        ("This is so disappointing", -0.5, True),
        ("This is so disappointing", -0.49, False),
        ("I'm not upset, I just want to know when the showroom opens", -0.6, False),
        ("What is the worst case delivery time?", -0.63, False),
        ("How do I kill the spider in the box?", -0.69, False),
        ("Why is this SO HARD?", -0.6, True),
        ("Why is this so hard?!", -0.6, True),
    ],
)
def test_sentiment_score_trigger(text, score, fires):
    ctx = turn(text, sentiment=score)

    assert (("negative_sentiment", "sentiment_score") in turn_rules(ctx)) is fires


def test_sentiment_hit_carries_the_score():
    (hit,) = turn_hits(turn("I hate this", sentiment=-0.57), DEFAULTS)

    assert (hit.score, hit.explanation) == (-0.57, "Negative sentiment (score -0.57, threshold -0.50)")


def test_a_rephrased_question_is_a_repeated_failure():
    ctx = turn("where is my package", previous_customer_texts=("hi", "Where is my parcel?"))

    (hit,) = turn_hits(ctx, DEFAULTS)
    assert (hit.reason, hit.rule, hit.matched) == (
        "repeated_failure",
        "rephrased_question",
        "where is my package",
    )
    assert (
        hit.explanation == 'Asked the same thing again: "where is my package" repeats "Where is my parcel?"'
    )


@pytest.mark.parametrize(("count", "fires"), [(2, False), (3, True), (5, True)])
def test_unresolved_turns_hand_off_at_the_maximum(count, fires):
    assert (("repeated_failure", "unresolved_turns") in turn_rules(turn(unresolved_turns=count))) is fires


def test_max_unresolved_turns_zero_disables_the_count():
    assert turn_rules(turn(unresolved_turns=9), TriggerSettings(max_unresolved_turns=0)) == []


@pytest.mark.parametrize(
    ("kind", "confidence", "expected"),
    [
        ("answer", 0.2, [("low_confidence", "confidence")]),
        ("answer", 0.35, []),
        ("answer", None, []),
        ("greeting", 0.0, []),
        ("thanks", 0.0, []),
        ("error", 0.0, [("bot_error", "bot_error")]),
    ],
)
def test_low_confidence_only_for_answers(kind, confidence, expected):
    assert turn_rules(turn(reply_kind=kind, confidence=confidence)) == expected


def test_bot_error_and_model_request():
    ctx = turn(reply_kind="error", confidence=None, bot_error="timeout", model_wants_human=True)

    assert [(h.reason, h.rule, h.matched) for h in turn_hits(ctx, DEFAULTS)] == [
        ("explicit_request", "model_request", ""),
        ("bot_error", "bot_error", "timeout"),
    ]
    assert turn_rules(ctx, TriggerSettings(explicit_request=False)) == [("bot_error", "bot_error")]


def test_turn_settings_switch_triggers_off():
    ctx = turn(
        "I hate this",
        sentiment=-0.9,
        confidence=0.1,
        unresolved_turns=3,
        previous_customer_texts=("I hate this",),
    )
    settings = TriggerSettings(negative_sentiment=False, repeated_failure=False, low_confidence=False)

    assert len(turn_rules(ctx)) == 4
    assert turn_rules(ctx, settings) == []


def test_trigger_bench_prints_the_timings():
    out = StringIO()
    call_command("trigger_bench", messages=200, stdout=out)

    assert re.fullmatch(
        r"200 messages \(\d+ with a hit\): mean [\d.]+ µs, p50 [\d.]+ µs, p99 [\d.]+ µs, max [\d.]+ µs, "
        r"total [\d.]+ ms\n",
        out.getvalue(),
    )
