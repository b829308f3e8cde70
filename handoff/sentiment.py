"""How the customer feels: a sentiment score for the bot's turn, and frustration phrases for the inline check.

The score is VADER's compound score with the support domain's problem words taken out of its lexicon.
In a helpdesk, "damaged", "lost", "broken" or "cancel" name the subject of a calm question ("My order
arrived damaged, what should I do?" scores -0.72 with the stock lexicon) rather than the customer's mood;
words of mood ("furious", "terrible", "hate", "worst") keep their weight.
"""

from __future__ import annotations

from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from handoff.phrases import AFFECT_DENIAL, FRUSTRATION, fold, negated, words

DOMAIN_WORDS = frozenset(
    words(
        "damaged damage damages broken lost lose loses loss stolen steal defective defect defects faulty "
        "fault penalty crushed crush missing miss delayed delay mistake mistaken mistakes problem problems "
        "error errors cancel cancelled cancelling charged dispute complaint complain dangerous leak stuck "
        "fail failed failing failure fails reject rejected denied deny block blocked lack doubt risk "
        "warning unfortunately shattered torn wrong no"
    )
)


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    """Built once per process (loading the lexicon takes tens of milliseconds), on first use."""
    analyzer = SentimentIntensityAnalyzer()
    for word in DOMAIN_WORDS:
        analyzer.lexicon.pop(word, None)
    return analyzer


def sentiment_score(text: str) -> float:
    """VADER compound score in [-1, 1] of ``text``, with the domain calibration described above."""
    if not text.strip():
        return 0.0
    return float(_analyzer().polarity_scores(text)["compound"])


def frustration_phrase(text: str) -> str | None:
    """The first frustration phrase in ``text`` that is not negated, as the customer typed it, or None.

    "This is ridiculous" and "I'm furious" count; "this isn't ridiculous" and "I'm not upset" do not.
    """
    folded = fold(text)
    for match in FRUSTRATION.finditer(folded):
        if not negated(folded, match.start()):
            return text[match.start() : match.end()]
    return None


def denies_frustration(text: str) -> bool:
    """Whether the customer says they are not upset ("I'm not upset", "no problem") and nothing frustrated.

    VADER reads such messages inconsistently, so a low score on one must not hand off by itself.
    """
    folded = fold(text)
    if AFFECT_DENIAL.search(folded) is None:
        return False
    return frustration_phrase(text) is None
