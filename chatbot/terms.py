"""Turning text into comparable terms, shared by retrieval (BM25) and the local responder (coverage).

Both sides must normalise text the same way, or a question would never match the words of its answer.
No model and no extra package: a light suffix stripper (PyStemmer would be better but is not a
dependency), English stopwords from bm25s, and a few spelling and synonym folds.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

from bm25s.stopwords import STOPWORDS_EN_PLUS
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from helpdesk.text import fold_case, strip_accents

STOPWORDS = frozenset(STOPWORDS_EN_PLUS) | {"also", "would", "could", "may", "might", "must", "shall", "us"}
# Contractions typed without their apostrophe ("dont", "whats"): function words like their spelt forms.
_CONTRACTIONS = (
    "dont cant wont isnt arent didnt doesnt wasnt werent havent hasnt hadnt couldnt wouldnt shouldnt "
    "im ive youre youve theyre weve whats wheres hows whos thats theres heres"
)
STOPWORDS |= frozenset(_CONTRACTIONS.split())

# Words customers use around a question that say nothing about its topic ("I bought it last week,
# please help"). They are dropped from queries only: an article that contains them is not less relevant.
_FILLER_WORDS = """
    please pls hi hello hey thanks thank thx ok okay yes yeah hmm um well sure really actually still
    want wanted wanting need needed needs like know tell help get got getting go going let make
    wondering wonder question ask asking asked try trying tried way anyone someone something anything
    thing things bit lot much many every today tomorrow yesterday ago last next week weeks month months
    year years day days minute minutes time soon already yet ever bought buy purchased
    purchase show shows possible able use using happen happens happened guys company
"""
QUERY_FILLERS = frozenset(_FILLER_WORDS.split())

# Folds applied to whole words before stemming: spelling variants and near-synonyms customers use for
# the words knowledge articles use. Kept generic (any shop), never tuned to one knowledge base.
WORD_FOLDS = {
    "parcel": "package",
    "parcels": "package",
    "colour": "color",
    "colours": "color",
    "favourite": "favorite",
    "cancelation": "cancellation",
    "cheque": "check",
    "cheques": "check",
    "postcode": "zip",
    "mobile": "phone",
    "cellphone": "phone",
    "telephone": "phone",
    "emails": "email",
    "signin": "login",
    "logon": "login",
    "passcode": "password",
    "pwd": "password",
    "reimbursement": "refund",
    "money-back": "refund",
    # What something costs, whichever word the customer or the article picked.
    "fee": "price",
    "fees": "price",
    "cost": "price",
    "costs": "price",
    "priced": "price",
    "prices": "price",
    "pricing": "price",
    # What one travels with.
    "luggage": "bag",
    "baggage": "bag",
    "suitcase": "bag",
    "suitcases": "bag",
    "installment": "instalment",
    "installments": "instalment",
}

_PHRASE_FOLDS = (
    (re.compile(r"\be-?mail", re.IGNORECASE), "email"),
    (re.compile(r"\b(?:log|sign)[\s-]?(?:in|on)\b", re.IGNORECASE), "login"),
    (re.compile(r"\bpass\s?word", re.IGNORECASE), "password"),
    # Getting one's money back is a refund, and sending or taking a thing back is returning it.
    (re.compile(r"\b(?:my\s+|the\s+|your\s+)?money\s+back\b", re.IGNORECASE), "refund"),
    (
        re.compile(
            r"\b(?:send|sends|sent|sending|take|takes|took|taking|bring|brings|brought|bringing|post|posting)"
            r"(?:\s+(?:it|them|this|that|one))?\s+back\b",
            re.IGNORECASE,
        ),
        "return",
    ),
    # Countries and unions customers abbreviate and articles spell out, or the other way round.
    (re.compile(r"\b(?:the\s+)?(?:united\s+kingdom|great\s+britain)\b", re.IGNORECASE), "uk"),
    (re.compile(r"\b(?:the\s+)?united\s+states(?:\s+of\s+america)?\b", re.IGNORECASE), "usa"),
    (re.compile(r"\b(?:the\s+)?european\s+union\b", re.IGNORECASE), "eu"),
)
# Addresses and links are personal data or noise, never the topic of a question.
_NOISE = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")
# A word is a run of letters and digits in any script, with the combining marks some scripts write inside
# words (Devanagari vowel signs, Latin accents typed as marks).
_WORD = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f\u0900-\u0dff])*")
# Scripts written without spaces between words (Chinese, Japanese) and Korean, whose words carry their
# particles: a run of them is indexed as overlapping pairs of characters, the usual unit for search in
# these languages, so a question and an article meet on the words they share.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
# "Wi-Fi" and "wifi", "e-bike" and "ebike" are one word to customers: a hyphenated compound also yields
# its joined form, and keeps only the parts long enough to mean something on their own ("bike", not "e").
_COMPOUND = re.compile(r"\b[a-z]+(?:-[a-z]+)+\b")
# "How long", "how soon", "how often", "how far" ask for a figure: the adjective is the question's frame,
# and knowledge articles answer with the figure ("takes 3 to 5 days"), rarely with the adjective.
_QUESTION_FRAME = re.compile(r"\bhow\s+(?:long|soon|often|far)\b")
_VOWEL = re.compile(r"[aeiouy]")
_DOUBLE_END = re.compile(r"([bdfgklmnprt])\1$")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English suffix stripper: it only needs to map a word's common forms to one key.

    "shipping", "ships", "shipped" -> "ship"; "cancelling", "cancelled" -> "cancel"; "codes" -> "cod";
    "delivery", "deliveries", "delivered" -> "deliver".
    Stems need not be words; they only ever meet other stems.
    """
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes", "zes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and _VOWEL.search(word[: -len(suffix)]) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            word = _DOUBLE_END.sub(r"\1", word)
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    if word.endswith("ery") and len(word) > 5:
        return word[:-1]  # "delivery" meets "delivered" and "deliver", "recovery" meets "recover"
    if word.endswith("y") and len(word) > 3:
        word = word[:-1] + "i"
    return word


def _join_compound(match: re.Match[str]) -> str:
    parts = match.group().split("-")
    return " ".join(["".join(parts), *(part for part in parts if len(part) >= 3)])


def _pairs(run: str) -> list[str]:
    return [run] if len(run) < 2 else [run[i : i + 2] for i in range(len(run) - 1)]


def _words(text: str) -> list[str]:
    text = _NOISE.sub(" ", text)
    for pattern, replacement in _PHRASE_FOLDS:
        text = pattern.sub(replacement, text)
    text = fold_case(text).replace("'", " ").replace("\u2019", " ")
    text = _COMPOUND.sub(_join_compound, text)
    words: list[str] = []
    for word in _WORD.findall(text):
        if _CJK.search(word):
            for part in _CJK.split(word):
                if part:
                    words.append(WORD_FOLDS.get(part, part))
            for run in _CJK.findall(word):
                words.extend(_pairs(run))
        else:
            word = strip_accents(word)
            words.append(WORD_FOLDS.get(word, word))
    return words


def index_terms(text: str) -> list[str]:
    """Terms of a passage, in order, repeats kept (BM25 counts them)."""
    return [stem(w) for w in _words(text) if len(w) > 1 and w not in STOPWORDS and not w.isdigit()]


def query_terms(text: str) -> list[str]:
    """Distinct content terms of a customer's question, in order of first use.

    Numbers are left out: in a question they are amounts, dates or order numbers, not topics.
    """
    seen: dict[str, None] = {}
    for word in _words(_QUESTION_FRAME.sub("how", text.lower())):
        if len(word) > 1 and word not in STOPWORDS and word not in QUERY_FILLERS and not word.isdigit():
            seen.setdefault(stem(word), None)
    return list(seen)


# A follow-up question ("and how long until it's back on my card?") leans on the customer's previous
# message: its words say what changes, the previous message says what it is about. Those words then count
# too, at this weight, in retrieval and in the responder's confidence.
FOLLOW_UP_WEIGHT = 0.5
_ACKNOWLEDGEMENT_WORDS = "ok okay k right alright great cool thanks thank thx sure yes yeah yep hmm oh ah"
_ACKNOWLEDGEMENT = frozenset(_ACKNOWLEDGEMENT_WORDS.split())
# Words that open a question continuing the previous one: "and ...", "what about ...", "same for ...".
_CONTINUATION = re.compile(
    r"^(?:and|also|but|or|so|plus|then|too|same|else|what\s+(?:about|if|else)|how\s+about|anything\s+else)\b"
)
# Words that point back at something named earlier instead of naming it.
_REFERRING_WORDS = "it its it's itself that this these those they them their one ones same"
_REFERRING = frozenset(_REFERRING_WORDS.split())
_FOLLOW_UP_TERMS = 3


def follow_up_context(question: str, previous: str) -> str:
    """``previous`` when ``question`` leans on it, else "".

    A question leans on the previous message when it opens as a continuation ("and", "but", "what
    about"), when it has at most one content word of its own, or when it points back ("it", "that",
    "those") and has few content words ("can I do that online?"). A question that names its own subject
    in full stands alone, so an earlier topic cannot pull its retrieval elsewhere.
    """
    previous = previous.strip()
    if not previous:
        return ""
    words = re.findall(r"[a-z']+", question.lower().replace("\u2019", "'"))
    while words and words[0] in _ACKNOWLEDGEMENT:
        words.pop(0)
    content = len(query_terms(question))
    opens_as_continuation = bool(words) and _CONTINUATION.match(" ".join(words[:3])) is not None
    points_back = any(word in _REFERRING for word in words)
    if opens_as_continuation or content <= 1 or (points_back and content <= _FOLLOW_UP_TERMS):
        return previous
    return ""


# A misspelt word ("adress", "pasword", "deliverd") meets the one word of the knowledge base it is one
# edit away from (a letter added, dropped, changed or two swapped). Short words are left alone: at four
# letters or fewer one edit turns most words into another real word.
TYPO_MIN_LENGTH = 5


def typo_match(term: str, known: Collection[str]) -> str | None:
    """The one term of ``known`` that ``term`` is a typing slip of, or None (none, or several alike)."""
    if len(term) < TYPO_MIN_LENGTH or term in known:
        return None
    near = process.extract(term, known, scorer=DamerauLevenshtein.distance, score_cutoff=1, limit=2)
    near = [candidate for candidate, _, _ in near if len(candidate) >= TYPO_MIN_LENGTH]
    return near[0] if len(near) == 1 else None
