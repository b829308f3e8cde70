"""Loops: the customer asks again and the bot is about to give the answer it already gave.

Two wordings of one question often share few words ("when will the box get here" / "has my delivery
left the warehouse"), and two different questions often share most of theirs ("standard shipping" / "express
shipping"), so similar questions alone cannot tell a loop from a new question. What does tell: the bot
answering with what it already said. A turn is asked again when

- its answer is, by meaning, the same as an earlier answer of the bot (``SAME_ANSWER``), and
- the question is related to the customer's message that got that answer (``RELATED_QUESTION``).

Similarity is the cosine of the signal model's TF-IDF vectors (character n-grams inside words and word
n-grams), which survives inflections, typos and languages without spaces. Dissatisfaction in words
("you answered a different question") is the model's own label; repeated low-confidence turns are the
unresolved count. Both sit beside this in ``handoff.detection.decision``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from handoff.detection.model import Detector

SAME_ANSWER = 0.8
RELATED_QUESTION = 0.3


def _vector(detector: Detector, text: str) -> dict[int, float]:
    analysis = detector.analyse(text)
    return dict(zip(analysis.indices.tolist(), analysis.values.tolist(), strict=True))


def _cosine(a: dict[int, float], b: dict[int, float]) -> float:
    if not a or not b:
        return 0.0
    if len(b) < len(a):
        a, b = b, a
    dot = sum(value * b.get(index, 0.0) for index, value in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def similarity(detector: Detector, a: str, b: str) -> float:
    """How alike two messages are to the model, in [0, 1]."""
    return _cosine(_vector(detector, a), _vector(detector, b))


@dataclass(frozen=True)
class Exchange:
    """An earlier question of the customer and the bot's answer to it."""

    question: str
    answer: str


@dataclass(frozen=True)
class AskedAgain:
    earlier: Exchange
    question_similarity: float
    answer_similarity: float


def asked_again(
    detector: Detector, question: str, answer: str, earlier: Sequence[Exchange]
) -> AskedAgain | None:
    """The earlier exchange this turn repeats (see the module docstring), the closest one, or None."""
    if not answer.strip() or not earlier:
        return None
    answer_vector, question_vector = _vector(detector, answer), _vector(detector, question)
    best: AskedAgain | None = None
    for exchange in earlier:
        same = _cosine(answer_vector, _vector(detector, exchange.answer))
        if same < SAME_ANSWER:
            continue
        related = _cosine(question_vector, _vector(detector, exchange.question))
        if related >= RELATED_QUESTION and (best is None or related >= best.question_similarity):
            best = AskedAgain(exchange, related, same)
    return best
