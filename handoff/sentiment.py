"""How the customer feels: a sentiment score for the bot's turn, and frustration phrases for the inline check.

The score is VADER's compound score with the support domain's problem words taken out of its lexicon.
In a helpdesk, "damaged", "lost", "broken" or "cancel" name the subject of a calm question ("My order
arrived damaged, what should I do?" scores -0.72 with the stock lexicon) rather than the customer's mood;
words of mood ("furious", "terrible", "hate", "worst") keep their weight.
"""

from __future__ import annotations

import re
from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from handoff.phrases import PhraseSet, TextIndex, fold, negated, words

DOMAIN_WORDS = frozenset(
    words(
        "damaged damage damages broken lost lose loses loss stolen steal defective defect defects faulty "
        "fault penalty crushed crush missing miss delayed delay mistake mistaken mistakes problem problems "
        "error errors cancel cancelled cancelling charged dispute complaint complain dangerous leak stuck "
        "fail failed failing failure fails reject rejected denied deny block blocked lack doubt risk "
        "warning unfortunately shattered torn wrong no"
    )
)

_BAD = (
    r"(?:terrible|awful|horrible|dreadful|abysmal|atrocious|appalling|shocking|lousy|crappy|shitty|rubbish"
    r"|garbage)"
)
_THING = (
    r"(?:service|experience|support|company|website|site|app|customer\s+service|bot|help|communication|shop"
    r"|store)"
)

FRUSTRATION = PhraseSet(
    [
        r"\b(?:ridiculous|absurd|ludicrous|preposterous|unacceptable|disgraceful|outrageous|pathetic"
        r"|scandalous|shameful|infuriating|maddening|furious|livid|fuming|outraged|enraged|seething"
        r"|frustrat(?:ed|ing)|upset|angry|pissed(?:\s+off)?)\b",
        r"\b(?:trying|tried)\b[^.!?\n]{0,40}?\bfor\s+(?:(?:over|almost|nearly|more\s+than)\s+)?(?:an\s+hour"
        r"|hours|ages|forever|days|all\s+day|\d+\s+(?:minutes|mins|hours|days))\b",
        r"\bbeen\s+waiting\s+(?:for\s+)?(?:hours|ages|forever|weeks|months|so\s+long|all\s+day)\b",
        r"\b(?:absolutely|completely|totally|utterly|so|really|pretty|is|are|you'?re|it'?s)\s+useless\b",
        r"\buseless\s+(?:bot|website|site|app|service|chat|answer|company|system|machine|robot|assistant)\b",
        r"\bwast(?:e|ing)\s+(?:of\s+)?(?:my\s+)?time\b|\bwaste\s+of\s+(?:my\s+)?money\b",
        r"\bfed\s+up\b|\bsick\s+(?:and\s+tired\s+)?of\b|\b(?:i'?ve\s+)?had\s+enough\b|\btired\s+of\s+this\b",
        rf"\bworst\s+(?:{_THING}|ever)\b|\b{_BAD}\s+{_THING}\b",
        rf"\b(?:is|are|was|so|absolutely|really|just)\s+(?:{_BAD}|crap|a\s+joke|a\s+nightmare|a\s+disaster"
        r"|a\s+mess)\b",
        r"\b(?:so|really|very|extremely|incredibly|super)\s+(?:annoying|annoyed|mad|disappointed|disappointing)\b",
        r"\bare\s+(?:you|u)\s+(?:kidding|joking|serious)\b|\byou(?:'ve|\s+have)?\s+(?:got\s+to|gotta)\s+be\s+kidding"
        r"|\byou\s+must\s+be\s+joking\b",
        r"\bwhat\s+a\s+(?:joke|farce|shambles|mess|scam)\b",
        r"\b(?:this\s+is|is\s+this)\s+a\s+(?:joke|scam)\b",
        r"\b(?:i|we)\s+hate\s+(?:this|you|your|it|the\s+way)\b",
        r"\b(?:fuck\w*|f\*\*k\w*|f\*\*\*k\w*|f\*ck\w*|wtf|ffs|shit(?:ty|s)?|bullshit|crap|damn(?:\s*it)?|goddamn\w*|bloody\s+hell"
        r"|what\s+the\s+hell|screw\s+(?:you|this)|piss\s+off|omfg)\b",
        r"\b(?:es\s+ridiculo|estoy\s+hart[oa]|que\s+verguenza|una\s+verguenza|inaceptable|pesimo\s+servicio"
        r"|una\s+mierda|joder)\b",
        r"\b(?:c'est\s+ridicule|j'en\s+ai\s+marre|ras\s+le\s+bol|inadmissible|inacceptable|n'importe\s+quoi"
        r"|lamentable|scandaleux|honteux|merde|putain)\b",
        r"\b(?:lacherlich|unverschamt|(?:so\s+)?eine\s+frechheit|die\s+nase\s+voll|inakzeptabel|scheisse"
        r"|scheiße|verdammt)\b",
    ]
)

# Negative affect a customer may deny: "I'm not upset", "no problem", "not bad at all".
AFFECT_DENIAL = re.compile(
    r"\b(?:not|never|no|isn'?t|wasn'?t|aren'?t|(?:do|does|did)(?:n'?t|\s+not))\s+(?:(?:at\s+all|really|that|so"
    r"|too|very|even|a|an|the|big|being|feeling)\s+)*(?:upset|angry|mad|annoyed|frustrated|unhappy|disappointed"
    r"|complaining|bothered|worried|problem|issue|bad|worries|rush|hurry|big\s+deal|ridiculous|a\s+complaint)\b"
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
    span = frustration_span(TextIndex(fold(text)))
    return text[span[0] : span[1]] if span else None


def frustration_span(text: TextIndex) -> tuple[int, int] | None:
    """Where ``frustration_phrase`` is, in an already indexed message (the inline triggers share one)."""
    for match in FRUSTRATION.matches(text):
        if not negated(text.folded, match.start()):
            return match.span()
    return None


def denies_frustration(text: str) -> bool:
    """Whether the customer says they are not upset ("I'm not upset", "no problem") and nothing frustrated.

    VADER reads such messages inconsistently, so a low score on one must not hand off by itself.
    """
    folded = fold(text)
    if AFFECT_DENIAL.search(folded) is None:
        return False
    return frustration_phrase(text) is None
