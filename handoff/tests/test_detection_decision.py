"""The handoff decision over hand-built signals: precedence, signals only add, nothing means nothing."""

from __future__ import annotations

from handoff.detection.decision import DECISION_ORDER, TurnState, handoff_decide, signals_from_hits
from handoff.detection.signals import Signal
from handoff.triggers import REASON_ORDER, TriggerHit


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
    assert DECISION_ORDER == REASON_ORDER
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


def test_rule_floor_hits_become_rule_signals_and_the_assistants_request_is_marked():
    hits = [
        TriggerHit("sensitive_topic", "refund_over_amount", "$250", "...", amount="250", currency="USD"),
        TriggerHit("explicit_request", "model_request", "", "..."),
    ]

    signals = signals_from_hits(hits)

    assert [(s.reason, s.category, s.source, s.amount) for s in signals] == [
        ("sensitive_topic", "refund_over_amount", "rule", "250"),
        ("explicit_request", "person", "assistant", None),
    ]
    assert handoff_decide(signals).reason == "explicit_request"
