"""Loops (``handoff.detection.loops``): asked again is the bot about to repeat an answer to a related
question, not two questions that merely share words."""

from __future__ import annotations

import pytest

from handoff.detection.loops import Exchange, asked_again, similarity
from handoff.detection.store import detector_ensure

SHIPPING = "Standard delivery takes 3 to 5 working days; express delivery arrives the next working day."
RETURNS = "You can return unworn items within 30 days for a full refund to the original payment method."


@pytest.fixture(scope="module")
def detector():
    model, _ = detector_ensure()
    return model


def test_similarity_is_one_for_the_same_text_and_low_for_unrelated_ones(detector):
    assert similarity(detector, "where is my parcel", "where is my parcel") == pytest.approx(1.0)
    assert similarity(detector, "where is my parcel", "can I pay with a gift card") < 0.3


def test_a_related_question_that_would_get_the_same_answer_again_is_asked_again(detector):
    earlier = [Exchange("how long is delivery?", SHIPPING), Exchange("can I return shoes?", RETURNS)]

    again = asked_again(detector, "how long does delivery take", SHIPPING, earlier)

    assert again is not None and again.earlier == earlier[0]
    assert again.answer_similarity == pytest.approx(1.0)


def test_a_new_answer_or_an_unrelated_question_is_not_a_loop(detector):
    earlier = [Exchange("how long is delivery?", SHIPPING)]

    assert asked_again(detector, "how long is delivery to Spain?", RETURNS, earlier) is None
    assert asked_again(detector, "thanks!", SHIPPING, earlier) is None
    assert asked_again(detector, "how long is delivery?", "", earlier) is None
    assert asked_again(detector, "how long is delivery?", SHIPPING, []) is None
