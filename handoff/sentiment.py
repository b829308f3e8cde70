"""The customer's mood over a conversation, for the agent's context card: VADER's compound score.

It is a display, not a trigger: VADER reads English only, and frustration with us is the signal
model's to judge, in every language (``handoff.detection``). The score is kept per customer message
and shown as the trend an agent reads when picking a conversation up.
"""

from __future__ import annotations

from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    """Built once per process (loading the lexicon takes tens of milliseconds), on first use."""
    return SentimentIntensityAnalyzer()


def sentiment_score(text: str) -> float:
    """VADER compound score in [-1, 1] of ``text``."""
    if not text.strip():
        return 0.0
    return float(_analyzer().polarity_scores(text)["compound"])
