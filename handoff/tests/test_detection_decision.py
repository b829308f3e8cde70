"""The handoff decision over hand-built signals: precedence, signals only add, nothing means nothing."""

from __future__ import annotations

import pytest

from handoff.detection.decision import (
    DECISION_ORDER,
    TurnState,
    decision_evidence,
    handoff_decide,
    unresolved_after,
)
from handoff.detection.signals import Signal


def _model(reason: str, category: str, probability: float = 0.9) -> Signal:
    return Signal(reason=reason, category=category, probability=probability, evidence="words")


def _rule(reason: str, category: str) -> Signal:
    return Signal(reason=reason, category=category, evidence="phrase", rule=category, source="rule")


def test_no_signal_and_a_resolved_turn_is_no_handoff():
    assert handoff_decide([]) is None
    assert handoff_decide([], TurnState(unresolved_turns=2, confidence=0.9)) is None


def test_the_reason_follows_the_agreed_precedence_whatever_the_order_of_signals():
    signals = [
        _model("repeated_failure", "dissatisfied"),
        _model("negative_sentiment", "frustrated"),
        _model("sensitive_topic", "legal"),
        _model("explicit_request", "person"),
    ]

    for rotation in range(len(signals)):
        decision = handoff_decide(signals[rotation:] + signals[:rotation])
        assert decision is not None
        assert decision.reason == "explicit_request"
        assert [s.reason for s in decision.signals] == [
            "explicit_request",
            "sensitive_topic",
            "negative_sentiment",
            "repeated_failure",
        ]


def test_the_order_matches_the_rule_floor_with_bot_error_before_low_confidence():
    assert DECISION_ORDER.index("bot_error") < DECISION_ORDER.index("low_confidence")
    state = TurnState(confidence=0.1, bot_error="timeout")

    decision = handoff_decide([], state)

    assert decision is not None
    assert decision.reason == "bot_error"
    assert [s.reason for s in decision.signals] == ["bot_error", "low_confidence"]


def test_a_model_signal_adds_a_handoff_the_rules_did_not_see():
    decision = handoff_decide(
        [_model("sensitive_topic", "account_security", 0.71)], TurnState(confidence=0.95)
    )

    assert decision is not None
    assert (decision.reason, decision.signal.category, decision.signal.probability) == (
        "sensitive_topic",
        "account_security",
        0.71,
    )


def test_no_signal_vetoes_another_even_a_confident_answer_or_a_weak_model_score():
    rule = _rule("sensitive_topic", "legal")
    weak = _model("explicit_request", "person", 0.01)

    decision = handoff_decide([rule], TurnState(confidence=0.99))
    with_weak = handoff_decide([weak, rule], TurnState(confidence=0.99))

    assert decision is not None and decision.reason == "sensitive_topic"
    assert with_weak is not None and with_weak.reason == "explicit_request"
    assert rule in with_weak.signals


def test_within_a_reason_the_rule_comes_first_then_the_likelier_model_signal():
    low, high, rule = (
        _model("sensitive_topic", "complaint", 0.6),
        _model("sensitive_topic", "billing_dispute", 0.8),
        _rule("sensitive_topic", "refund_over_amount"),
    )

    assert handoff_decide([low, high]).signal == high
    assert handoff_decide([low, high, rule]).signal == rule


def test_turn_conditions_hand_off_on_their_own_and_respect_their_switches():
    assert handoff_decide([], TurnState(unresolved_turns=3)).reason == "repeated_failure"
    assert handoff_decide([], TurnState(confidence=0.2)).reason == "low_confidence"
    assert handoff_decide([], TurnState(unresolved_turns=3, max_unresolved_turns=0)) is None
    assert handoff_decide([], TurnState(confidence=0.2, low_confidence=False)) is None
    assert handoff_decide([], TurnState(confidence=None)) is None


def test_the_evidence_names_the_deciding_signal_and_keeps_every_other_one():
    refund = Signal(
        "sensitive_topic", "refund_over_amount", evidence="€250", rule="refund_over_amount", source="rule",
        amount="250", currency="EUR",
    )  # fmt: skip
    assistant = Signal("explicit_request", "person", rule="model_request", source="assistant")
    frustrated = _model("negative_sentiment", "frustrated", 0.91)

    evidence = decision_evidence(handoff_decide([frustrated, refund, assistant]))

    assert evidence["reason"] == "explicit_request"
    assert evidence["explanation"] == "The assistant read the message as a request for a person"
    assert [(e["reason"], e["source"]) for e in evidence["all"]] == [
        ("explicit_request", "assistant"),
        ("sensitive_topic", "rule"),
        ("negative_sentiment", "model"),
    ]
    assert evidence["all"][1]["explanation"].startswith("Refund of 250 EUR asked for")
    assert evidence["all"][2]["explanation"] == 'Frustrated (91%): "words"'


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
def test_unresolved_turns_count_until_a_confident_answer_or_small_talk(
    previous, kind, confidence, repeated, after
):
    assert (
        unresolved_after(previous, reply_kind=kind, confidence=confidence, repeated=repeated, threshold=0.35)
        == after
    )
