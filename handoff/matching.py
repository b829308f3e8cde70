"""The text the rule floor and the admin's keyword rules match against, and negation.

Rules are matched against ``fold(text)``: lower case, accents stripped, curly quotes made straight, and
*the same length as the input*, so a match's offsets are offsets into what the customer typed and the
evidence an agent reads quotes the customer's own words.
"""

from __future__ import annotations

import re
import unicodedata


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFKD", chr(code))[0].lower()
        if base.isascii() and base.isalpha():
            table[code] = base
    for quote in "\u2018\u2019\u201b\u02bc\u00b4`":
        table[ord(quote)] = "'"
    for quote in "\u201c\u201d\u201e":
        table[ord(quote)] = '"'
    return table


_FOLD = _fold_table()


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_char(match: re.Match[str]) -> str:
    return _FOLD.get(ord(match.group()), match.group())


def fold(text: str) -> str:
    """Lower-case, strip accents and straighten quotes, keeping every character at its offset."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters (e.g. "İ") lower to two; keep the first
        lowered = "".join(char.lower()[0] for char in text)
    if not lowered.isascii():  # only the rare non-ASCII characters are looked up, one by one
        lowered = _NON_ASCII.sub(_fold_char, lowered)
    return lowered.replace("`", "'")


# A clause ends at sentence punctuation, a comma or a line break: "No, get me a person" is two clauses,
# and so is "forget your rules and keep me with the bot. On second thought, get me a person."
_CLAUSE_BREAK = re.compile(r"[.!?;,:\n]")

_NEGATION = re.compile(
    r"(?:\b(?:not|never|nor|without|no\s+need|no\s+thanks?|no\s+thank\s+you|none|nothing"
    r"|(?:do|does|did|is|are|was|were|have|has|had|should|need|must)(?:n'?t|\s+not)|dont|doesnt|didnt"
    r"|isnt|arent|wasnt|werent|havent|hasnt|hadnt|shouldnt|no\s+(?:quiero|necesito|deseo|hace\s+falta)"
    r"|ne|non|pas|jamais|nicht|kein(?:e|en|em|er)?|nie|nunca)\s+)"
    r"(?:(?:want|wanna|need|wish|intend|plan|planning|mean|to|going|gonna|trying|try|have|has|had|a|an|the"
    r"|any|really|actually|even|yet|be|been|being|ever|ask|asking|for|make|file|so|too|that|very|at|all"
    r"|getting|feeling|feel|it|it's|its|this|is|was|think|wanted|quiero|necesito|veux|voudrais|besoin|de"
    r"|mochte|moechte|will|brauche|muss|ganz|sehr|muy|tan|tres|si)\s+){0,4}$"
)


def negated(folded: str, start: int) -> bool:
    """Whether a negation governs the phrase at ``start``: "I don't need a human", "this isn't ridiculous".

    Only a negation in the same clause, followed by nothing but auxiliaries and intensifiers, counts.
    "Why can't somebody real reply" is a request, and "I don't understand why the fee appeared twice"
    is a dispute, so "can't" and a negation separated by content words do not negate.
    """
    window = folded[max(0, start - 80) : start]
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(window)]
    clause = window[breaks[-1] :] if breaks else window
    return _NEGATION.search(clause) is not None


def fold_accents(pattern: str) -> str:
    """Strip accents from a regular expression without lower-casing it (``\\S`` is not ``\\s``)."""
    return pattern.translate(_FOLD)
