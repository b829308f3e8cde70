"""One customer message read once: the rule floor and the model together, and what it leaves for later.

``read_message`` is what the customer message path calls, inline, before any reply. It returns the
signals (the floor's first, then the model's) and whether the message asked for money back, which the
caller keeps with the message so that an amount given in a later turn still counts ("I want my money
back" ... "it was two hundred euros"). A request for a person the customer declines in so many words
("no need for a human, just...") is dropped from the model's signals: negation is the one thing the
rule reads better than the n-gram model.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from handoff.detection.floor import declines_person, floor_signals, mentions_refund
from handoff.detection.model import Analysis, Detector
from handoff.detection.signals import (
    DetectionContext,
    DetectionSettings,
    Signal,
    refund_requested,
    signals_from_analysis,
)
from helpdesk.text import fold


@dataclass(frozen=True)
class Reading:
    signals: list[Signal]
    scores: dict[str, float]  # every label's probability
    refund_requested: bool  # this message asks for money back (keep it for the next turns)
    analysis: Analysis


def read_message(
    text: str, context: DetectionContext, settings: DetectionSettings, detector: Detector | None = None
) -> Reading:
    """The rule floor's and the model's signals of ``text`` (see the module docstring).

    Raises ``handoff.detection.store.DetectorUnavailable`` when no usable model is installed.
    """
    if detector is None:
        from handoff.detection.store import detector_get

        detector = detector_get()
    folded = fold(text)
    floor = floor_signals(
        text, explicit_request=settings.explicit_request, rules=settings.rules, folded=folded
    )
    analysis = detector.analyse(text)
    thresholds = {**detector.thresholds, **settings.thresholds}
    asked = refund_requested(analysis.scores, thresholds) or mentions_refund(text, folded)
    if asked and not context.refund_requested:
        context = replace(context, refund_requested=True)
    model = signals_from_analysis(text, analysis, context, settings, detector)
    if any(s.category == "person" for s in model) and declines_person(text, folded):
        model = [s for s in model if s.category != "person"]
    return Reading(floor + model, analysis.scores, asked, analysis)
