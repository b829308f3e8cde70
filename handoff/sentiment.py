"""How the customer feels: a sentiment score for the bot's turn; frustration and dissatisfaction phrases.

The score is VADER's compound score with the support domain's problem words taken out of its lexicon.
In a helpdesk, "damaged", "lost", "broken" or "cancel" name the subject of a calm question ("My order
arrived damaged, what should I do?" scores -0.72 with the stock lexicon) rather than the customer's mood;
words of mood ("furious", "terrible", "hate", "worst") keep their weight.
"""

from __future__ import annotations

import re
from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from handoff.matching import PhraseSet, TextIndex, fold, negated, words

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
        r"\b(?:so|really|very|extremely|incredibly|super)\s+(?:annoying|annoyed|mad|disappointed"
        r"|disappointing)\b",
        r"\bare\s+(?:you|u)\s+(?:kidding|joking|serious)\b|\byou(?:'ve|\s+have)?\s+(?:got\s+to"
        r"|gotta)\s+be\s+kidding"
        r"|\byou\s+must\s+be\s+joking\b",
        r"\bwhat\s+a\s+(?:joke|farce|shambles|mess|scam)\b",
        r"\b(?:this\s+is|is\s+this)\s+a\s+(?:joke|scam)\b",
        r"\b(?:i|we)\s+hate\s+(?:this|you|your|it|the\s+way)\b",
        r"\b(?:fuck\w*|f\*\*k\w*|f\*\*\*k\w*|f\*ck\w*|wtf|ffs|shit(?:ty|s)?|bullshit|crap|damn(?:\s*it)?"
        r"|goddamn\w*|bloody\s+hell"
        r"|what\s+the\s+hell|screw\s+(?:you|this)|piss\s+off|omfg)\b",
        # Losing patience: "this is driving me crazy", "I'm losing my patience", "I've had it with you"
        r"\b(?:losing|lost|run(?:ning)?\s+out\s+of)\s+(?:my\s+|all\s+)?patience\b|\bdriving\s+me\s+(?:crazy|mad"
        r"|nuts|insane|up\s+the\s+wall)\b|\b(?:at\s+my\s+wits'?\s+end|beyond\s+frustrated)\b",
        r"\b(?:i'?m|i\s+am)\s+(?:so\s+|just\s+|completely\s+)?done\s+with\s+(?:this|you|your)\b",
        r"\bi'?ve\s+had\s+it\s+with\b",
        r"\b(?:you|you\s+people|you\s+guys|this|it)\s+(?:are|is)\s+(?:hopeless|a\s+disgrace)\b",
        r"\b(?:very|so|really|extremely|deeply|incredibly|super)\s+unhappy\b",
        r"\b(?:this|that|it)\s+is\s+(?:simply\s+|just\s+|totally\s+|completely\s+)?not\s+acceptable\b",
        r"(?:^|(?<=[.!?]\s)|(?<=[.!?]))\s*(?:unbelievable|seriously)\s*(?:[.!?]|$)",
        r"\b(?:es\s+ridiculo|estoy\s+hart[oa]|que\s+verguenza|una\s+verguenza|inaceptable|pesimo\s+servicio"
        r"|una\s+mierda|joder)\b",
        r"\b(?:c'est\s+ridicule|j'en\s+ai\s+marre|ras\s+le\s+bol|inadmissible|inacceptable|n'importe\s+quoi"
        r"|lamentable|scandaleux|honteux|merde|putain)\b",
        r"\b(?:lacherlich|unverschamt|(?:so\s+)?eine\s+frechheit|die\s+nase\s+voll|inakzeptabel|scheisse"
        r"|scheiße|verdammt)\b",
    ]
)

# Dissatisfaction with the bot's answers: a failure loop (repeated_failure) from the first complaint,
# without waiting for the count of unresolved turns.
DISSATISFACTION = PhraseSet(
    [
        r"\bnot\s+what\s+i\s+(?:asked|meant|wanted|said|need(?:ed)?|was\s+(?:asking|looking\s+for)"
        r"|am\s+asking|'m\s+asking)\b",
        r"\b(?:you'?re|you\s+are|ur|u\s+r|you)\s+(?:still\s+)?not\s+(?:understanding|listening|getting\s+it"
        r"|reading|helping|answering|helpful)\b",
        r"\b(?:you|u)\s+(?:still\s+)?(?:don'?t|do\s+not|didn'?t|did\s+not|never)\s+(?:understand|get\s+it"
        r"|listen|read|answer|help)\b",
        r"\b(?:that|this|it|your\s+(?:answer|reply|response)|that\s+answer)\s+(?:doesn'?t|does\s+not|didn'?t"
        r"|did\s+not)\s+(?:answer|address)\s+(?:my|the)\s+question\b",
        r"\b(?:that|this|it|your\s+(?:answer|reply|response)|that\s+answer)(?:'s|\s+is|\s+was)?\s+(?:not|n't"
        r"|isn'?t|wasn'?t)\s+(?:very\s+|at\s+all\s+)?(?:helpful|relevant|an\s+answer|the\s+answer"
        r"|what\s+i\s+(?:asked|meant|wanted|said|needed)|right|correct)\b",
        r"\b(?:that|this|your\s+answer)(?:'s|\s+is)\s+(?:wrong|incorrect|irrelevant|useless)\b",
        r"\b(?:that|this|it|your\s+answer)\s+(?:didn'?t|did\s+not|doesn'?t|does\s+not|won'?t)\s+help"
        r"(?:\s+(?:at\s+all|me|much|whatsoever)){0,2}(?=\s*(?:[.!?,;]|$))",
        r"\byou\s+(?:already|just)\s+(?:said|told\s+me|sent|gave\s+me)\s+(?:that|this|the\s+same)\b|\bsame\s+"
        r"(?:thing|answer|reply)\s+(?:as\s+)?(?:you\s+(?:said|gave|sent)|before)\b",
        r"(?:^|(?<=[.!?,]\s)|(?<=[.!?,]))\s*(?:wrong|irrelevant|useless|unhelpful)\s+(?:answer|reply|response)"
        r"\b|\b(?:that|this|your)\s+(?:answer|reply|response)\s+(?:is|was)\s+(?:wrong|irrelevant|useless"
        r"|unhelpful|off)\b",
        r"\bi\s+asked\s+(?:about|for|you\s+about)\b[^.!?\n]{1,40}?,?\s+not\s+(?:about\s+)?"
        r"(?!sure\b|certain\b|yet\b|really\b|that\b|knowing\b)\w",
        r"\b(?:not|un)\s?helpful\b",
        r"(?:^|(?<=[.!?])|(?<=[.!?]\s))\s*(?:no|nope|nah)\b[\s,.!-]+(?:i\s+(?:mean|meant|said|asked"
        r"|was\s+asking)|i'?m\s+asking|you\s+misunderstood|listen)\b",
        r"(?:^|(?<=[.!?])|(?<=[.!?]\s))\s*(?:no|nope|nah)\b[\s,.!-]+(?:that'?s|that\s+is)\s+not\b",
        r"\bi\s+(?:already|just)\s+(?:told|said|asked|explained|gave)\b",
        r"\bi(?:'ve|\s+have)\s+already\s+(?:told|said|asked|explained|given)\b",
        r"\b(?:as|like)\s+i\s+(?:said|told\s+you|already\s+said|mentioned|explained)\b",
        r"\b(?:read|answer)\s+my\s+(?:message|question)\b",
        r"\byou\s+keep\s+(?:saying|repeating|sending|giving|telling)\b",
        r"\bsame\s+(?:answer|reply|response|thing)\s+(?:again|over)\b",
        # "Still not working" says an earlier fix failed: a loop even on a first message, by design.
        r"\b(?:still|again)\s+(?:not|isn'?t|doesn'?t|does\s+not|won'?t|can'?t)\s+work(?:ing|s)?\b",
        r"\b(?:doesn'?t|does\s+not|didn'?t|did\s+not|isn'?t|is\s+not)\s+work(?:ing)?\s+(?:either|again)\b",
        r"\bno\s+(?:me\s+)?entiendes\b|\beso\s+no\s+es\s+lo\s+que\s+(?:pregunte|pedi|dije)\b"
        r"|\bno\s+me\s+ayuda",
        r"\b(?:tu\s+ne\s+comprends|vous\s+ne\s+comprenez)\s+pas\b"
        r"|\bce\s+n'est\s+pas\s+ce\s+que\s+j'ai\s+demande",
        r"\b(?:du\s+verstehst|sie\s+verstehen)\s+(?:mich\s+)?nicht\b|\bdas\s+habe\s+ich\s+nicht\s+gefragt\b",
        r"\bdas\s+hilft\s+(?:mir\s+)?nicht\b|\bdas\s+beantwortet\s+meine\s+frage\s+nicht\b",
    ]
)

# Negative affect a customer may deny: "I'm not upset", "no problem", "not bad at all".
AFFECT_DENIAL = re.compile(
    r"\b(?:not|never|no|isn'?t|wasn'?t|aren'?t|(?:do|does|did)(?:n'?t|\s+not))\s+(?:(?:at\s+all|really|that"
    r"|so"
    r"|too|very|even|a|an|the|big|being|feeling)\s+)*(?:upset|angry|mad|annoyed|frustrated|unhappy"
    r"|disappointed"
    r"|complaining|bothered|worried|problem|issue|bad|worries|rush|hurry|big\s+deal|ridiculous"
    r"|a\s+complaint)\b"
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


def dissatisfaction_phrase(text: str) -> str | None:
    """The customer's words telling the bot it missed ("that's not what I asked"), or None."""
    span = dissatisfaction_span(TextIndex(fold(text)))
    return text[span[0] : span[1]].strip(" ,.!?-") if span else None


def dissatisfaction_span(text: TextIndex) -> tuple[int, int] | None:
    """Where ``dissatisfaction_phrase`` is, in an already indexed message."""
    found = DISSATISFACTION.matches(text)
    return found[0].span() if found else None
