"""``read_message`` on obvious messages, with the model trained on the real corpus (once per test session)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from handoff.detection.reading import read_message
from handoff.detection.signals import DetectionContext, DetectionSettings
from handoff.detection.store import detector_ensure, detector_get


@pytest.fixture(scope="session")
def detector():
    """The model file ``make test`` builds first; trained here only when it is missing or stale."""
    model, _ = detector_ensure()
    return model


NO_CONTEXT, DEFAULTS = DetectionContext(), DetectionSettings()


def _reasons(text: str, detector, context=NO_CONTEXT, settings=DEFAULTS):
    return [(s.reason, s.category) for s in read_message(text, context, settings, detector).signals]


@pytest.mark.parametrize(
    "text",
    [
        "I want to talk to a human",
        "quiero hablar con una persona de verdad",
        "Je voudrais parler à un conseiller, s'il vous plaît",
        "人間のオペレーターと話したいです",
    ],
)
def test_asking_for_a_person_in_any_language_is_an_explicit_request(detector, text):
    assert ("explicit_request", "person") in _reasons(text, detector)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("someone logged into my account and changed my password, it wasn't me", "account_security"),
        ("you charged me twice for the same invoice and I want it reversed", "billing_dispute"),
        ("I'm going to take legal action against your company", "legal"),
    ],
)
def test_sensitive_matters_are_sensitive_topics_with_their_category(detector, text, category):
    assert ("sensitive_topic", category) in _reasons(text, detector)


@pytest.mark.parametrize(
    "text", ["How long does delivery take?", "what are your opening hours on Saturday", "thanks, that's all"]
)
def test_ordinary_questions_raise_no_signal(detector, text):
    assert read_message(text, DetectionContext(), DetectionSettings(), detector).signals == []


def test_a_signal_carries_its_probability_and_words_of_the_message_as_evidence(detector):
    text = "hello, I need to speak to a real person now"

    signals = read_message(text, DetectionContext(), DetectionSettings(), detector).signals
    signal = next(s for s in signals if s.source == "model")

    assert signal.reason == "explicit_request"
    assert detector.thresholds["person"] <= signal.probability <= 1.0
    assert signal.evidence and all(word in text for word in signal.evidence.split())


def test_a_reason_turned_off_raises_nothing(detector):
    settings = DetectionSettings(explicit_request=False)

    assert read_message("I want to talk to a human", DetectionContext(), settings, detector).signals == []


def test_a_refund_request_is_no_handoff_alone_but_opens_the_amount_rule_for_later_turns(detector):
    settings = DetectionSettings(refund_handoff_amount=Decimal("100"), currency="EUR")
    asked = DetectionContext(refund_requested=True)

    assert ("sensitive_topic", "refund_over_amount") not in _reasons("I'd like a refund please", detector)
    assert _reasons("it was 240 euros", detector, DetectionContext(), settings) == []
    later = read_message("it was 240 euros", asked, settings, detector).signals
    assert [(s.reason, s.category, s.amount, s.currency) for s in later] == [
        ("sensitive_topic", "refund_over_amount", "240", "EUR")
    ]
    assert _reasons("it was 40 euros", detector, asked, settings) == []


def test_the_process_loads_the_model_once(detector):
    assert detector_get() is detector_get()
    assert detector_get().version == detector.version
