"""``read_message``: the rule floor and the model together, and the refund request a message leaves for
the turns after it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from handoff.detection.reading import read_message
from handoff.detection.signals import DetectionContext, DetectionSettings, SensitiveRule
from handoff.detection.store import detector_ensure

EUR = DetectionSettings(refund_handoff_amount=Decimal("100"), currency="EUR")


@pytest.fixture(scope="module")
def detector():
    model, _ = detector_ensure()
    return model


def test_the_floor_comes_first_and_the_model_adds_its_own(detector):
    reading = read_message("agent", DetectionContext(), EUR, detector)

    assert reading.signals[0].source == "rule" and reading.signals[0].reason == "explicit_request"
    assert set(reading.scores) >= {"person", "frustrated", "refund_request"}


def test_a_refund_request_without_an_amount_is_kept_for_the_next_turn(detector):
    first = read_message("I want my money back for the boots", DetectionContext(), EUR, detector)
    later = read_message(
        "they were two hundred and forty euros",
        DetectionContext(refund_requested=first.refund_requested),
        EUR,
        detector,
    )

    assert first.refund_requested
    assert [s.category for s in first.signals if s.category == "refund_over_amount"] == []
    refund = next(s for s in later.signals if s.category == "refund_over_amount")
    assert (refund.amount, refund.currency) == ("240", "EUR")


def test_an_amount_in_the_same_message_as_the_request_counts(detector):
    reading = read_message("please refund the 2.300,50 € you took", DetectionContext(), EUR, detector)

    refund = next(s for s in reading.signals if s.category == "refund_over_amount")
    assert refund.amount == "2300.50"


def test_an_amount_without_any_refund_request_is_just_an_amount(detector):
    reading = read_message("is the 240 euro tent waterproof?", DetectionContext(), EUR, detector)

    assert not reading.refund_requested
    assert all(s.category != "refund_over_amount" for s in reading.signals)


def test_the_admins_rules_are_part_of_the_reading(detector):
    settings = DetectionSettings(rules=(SensitiveRule("recall", "recall", keywords=("recall notice",)),))

    reading = read_message("I got a recall notice for my kettle", DetectionContext(), settings, detector)

    assert ("sensitive_topic", "recall", "rule") in [
        (s.reason, s.category, s.source) for s in reading.signals
    ]


def test_a_request_the_customer_declines_is_not_a_request_even_if_the_model_reads_one(detector):
    reading = read_message(
        "I don't need to speak to a human, just tell me what the plan costs",
        DetectionContext(),
        EUR,
        detector,
    )

    assert all(s.reason != "explicit_request" for s in reading.signals)
