"""Negation for the rule floor and the admin's keyword rules, read on ``helpdesk.text.fold``'s output
(the same length as what the customer typed, so a match's offsets quote the customer's own words)."""

from __future__ import annotations

import re

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
