"""The rule floor: the few checks that are exact and cheap enough to stand beside the learned model.

- **Unmistakable requests for a person**: a message that is nothing but a person word ("agent",
  "human please", "operator!!") or a request frame around one ("connect me to a live agent", "hablar
  con un agente", "mit einem Mitarbeiter sprechen"). Anything less plain is the model's to judge; this list is
  not meant to grow with every wording, only to make the obvious certain.
- **The admin's own rules** per bot (``SensitiveRule``: keywords on word boundaries, regular
  expressions), each a sensitive topic named after the rule.
- **A refund over the bot's limit**, given with the refund request or in a later message (see
  ``handoff.detection.signals.refund_over_amount``); the refund words here only back up the model's
  ``refund_request`` label, so a plain "refund" is never missed.

A negation in the same clause ("I don't need a human", "no quiero hablar con un agente") disarms a
match. Text is folded (lower case, no accents) with offsets kept, so evidence quotes the customer. Each
check takes the folded text as ``folded`` when its caller has it (``read_message`` folds once for all).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from handoff.detection.signals import EXPLICIT_REQUEST, SENSITIVE_TOPIC, SensitiveRule, Signal
from handoff.matching import negated
from helpdesk.text import fold, fold_accents

logger = logging.getLogger(__name__)


# --- unmistakable requests -------------------------------------------------------------------------------

# Who the customer wants, per language, as folded text. Bare nouns that also name other things ("agent"
# of a travel agent, "human" of human resources) only count with a determiner or alone in the message.
_PERSON = (
    r"(?:(?:a|an|the|some|one|your|a\s+real|a\s+live|an\s+actual|a\s+real\s+live)\s+)?"
    r"(?:human(?:\s+being)?|person|agent|operator|representative|rep|advisor|adviser|someone|somebody"
    r"|staff\s+member|member\s+of\s+staff)"
)
# Request frames, each starting at a word boundary (tested once for all of them in ``_FRAMES``).
_REQUEST_FRAMES = (
    # English: a verb of talking or connecting, then the person.
    rf"(?:talk|speak|chat)(?:ing)?\s+(?:to|with)\s+{_PERSON}\b",
    rf"(?:connect|transfer|put)\s+me\s+(?:through\s+)?(?:to|with)\s+{_PERSON}\b",
    rf"(?:get|give)\s+me\s+{_PERSON}\b",
    r"(?:i(?:\s+(?:want|need|would\s+like|demand)|'d\s+like)|can\s+i\s+(?:have|get))\s+(?:to\s+(?:talk|speak)"
    r"\s+(?:to|with)\s+)?(?:a\s+real|a\s+live|an\s+actual|a)\s+(?:human|person|agent)\b",
    r"(?:real|live|actual)\s+(?:human|person|agent)\s+(?:please|pls|now)\b",
    # Spanish, French, Italian, Portuguese, Dutch, German.
    r"hablar\s+con\s+(?:alguien|(?:un|una|el|la)\s+(?:persona|humano|agente|operador|operadora|asesor"
    r"|asesora))\b",
    r"parler\s+(?:a|avec)\s+(?:quelqu'un|(?:un|une)\s+(?:vrai\s+|vraie\s+)?(?:humain|conseiller"
    r"|conseillere|agent|personne|operateur|operatrice))\b",
    r"parlare\s+con\s+(?:qualcuno|(?:un|una|un')\s*(?:operatore|operatrice|persona|umano|addetto))\b",
    r"falar\s+com\s+(?:alguem|(?:um|uma|o|a)\s+(?:atendente|humano|pessoa|agente|operador))\b",
    r"(?:spreken|praten)\s+met\s+(?:iemand|een\s+(?:medewerker|mens|persoon))\b",
    r"met\s+(?:iemand|een\s+(?:medewerker|mens|persoon))\s+(?:spreken|praten)\b",
    r"(?:mit\s+)?(?:einem|einer)\s+(?:echten\s+)?(?:menschen|mitarbeiter|mitarbeiterin|berater|beraterin"
    r"|person)\s+(?:sprechen|reden)\b",
)
# Japanese: an operator or a person in charge, with a verb of talking or connecting (no word boundaries).
_JAPANESE_FRAME = r"(?:オペレーター|担当者|人間|スタッフ)(?:と|に)(?:話|つな|繋|代わ|かわ)"
# The whole message is a person word, perhaps with "please" and punctuation: "agent", "human pls!!".
_ALONE = re.compile(
    r"^\W*(?:(?:a\s+)?(?:real\s+|live\s+)?(?:human|person|agent|operator|representative)|humano|agente"
    r"|operador|operatore|atendente|conseiller|mitarbeiter|medewerker|オペレーター)"
    r"(?:\s*(?:please|pls|plz|por\s+favor|s'il\s+vous\s+plait|bitte|per\s+favore|alstublieft|now))?\W*$"
)
# One word-boundary test for all the frames, not one per frame: sre then skips the inside of words at
# once, which makes the search several times faster (most of the rule floor's cost otherwise).
_FRAMES = re.compile(
    r"\b(?:" + "|".join(f"(?:{frame})" for frame in _REQUEST_FRAMES) + f")|{_JAPANESE_FRAME}"
)


# "Do I have to talk to someone to cancel?" asks whether a person is needed, not for one.
_WHETHER_NEEDED = re.compile(
    r"\b(?:do|does|will)\s+(?:i|we|you)\s+(?:have|need)\s+to\b|\b(?:must|should)\s+(?:i|we)\b"
    r"|\bis\s+it\s+(?:necessary|required|possible)\b|\b(?:tengo|hay)\s+que\b|\bfaut-il\b|\bmuss\s+ich\b"
)
_SENTENCE = re.compile(r"[^.!?\n]*[.!?\n]?")


def _asks_whether_needed(folded: str, start: int, end: int) -> bool:
    sentence_start = max(folded.rfind(mark, 0, start) for mark in ".!?\n") + 1
    sentence = _SENTENCE.match(folded, sentence_start).group()
    return (
        sentence.rstrip().endswith("?") and _WHETHER_NEEDED.search(folded, sentence_start, start) is not None
    )


def unmistakable_request(text: str, folded: str | None = None) -> str | None:
    """The words of a plain request for a person, or None (see the module docstring)."""
    folded = fold(text) if folded is None else folded
    if _ALONE.match(folded):
        return text.strip()
    for match in _FRAMES.finditer(folded):
        if not negated(folded, match.start()) and not _asks_whether_needed(folded, *match.span()):
            return text[match.start() : match.end()]
    return None


def declines_person(text: str, folded: str | None = None) -> bool:
    """Whether the customer says they do not want a person ("no need to chat with an agent, only the
    opening hours please") and asks for one nowhere in the message. The model reads the words of a
    request either way; this is the one thing a rule knows better, so the caller drops the model's
    request signal then."""
    folded = fold(text) if folded is None else folded
    frames = list(_FRAMES.finditer(folded))
    declined = [m for m in frames if negated(folded, m.start())]
    return bool(declined) and len(declined) == len(frames) and unmistakable_request(text, folded) is None


# --- refund words -----------------------------------------------------------------------------------------

_REFUND = re.compile(
    r"\b(?:refund\w*|money\s+back|reimburs\w*|reembols\w*|rembours\w*|erstatt\w*|ruckerstatt\w*"
    r"|rimbors\w*|terugbetal\w*|geld\s+(?:zuruck|terug)|devolu\w+\s+(?:del?\s+|do\s+)?dinheiro"
    r"|devolu\w+\s+(?:del?\s+)?dinero)\b|返金"
)


def mentions_refund(text: str, folded: str | None = None) -> bool:
    """Whether the message asks for money back in plain words (not negated)."""
    folded = fold(text) if folded is None else folded
    return any(not negated(folded, match.start()) for match in _REFUND.finditer(folded))


# --- the admin's rules ------------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _compiled(rules: tuple[SensitiveRule, ...]) -> tuple[tuple[SensitiveRule, re.Pattern[str]], ...]:
    """One pattern per enabled rule with any words, cached per rules tuple (a bot's rules change rarely).

    A pattern that does not compile is skipped and logged: one bad admin entry must not stop the other
    rules, nor the customer's message.
    """
    compiled = []
    for rule in rules:
        if not rule.enabled:
            continue
        keywords = [r"\s+".join(map(re.escape, fold(keyword).split())) for keyword in rule.keywords]
        # The keywords as one group between one pair of word-boundary checks: the same matches as a
        # group per keyword, found faster.
        parts = [rf"(?<!\w)(?:{'|'.join(filter(None, keywords))})(?!\w)"] if any(keywords) else []
        for pattern in rule.patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                logger.warning("Skipping invalid pattern %r of handoff rule %s: %s", pattern, rule.name, exc)
                continue
            parts.append(fold_accents(pattern))
        if parts:
            compiled.append((rule, re.compile("|".join(f"(?:{part})" for part in parts), re.IGNORECASE)))
    return tuple(compiled)


def rule_signals(text: str, rules: tuple[SensitiveRule, ...], folded: str | None = None) -> list[Signal]:
    """A sensitive-topic signal per admin rule whose words occur in ``text``, not negated."""
    if not rules:
        return []
    folded = fold(text) if folded is None else folded
    signals = []
    for rule, pattern in _compiled(rules):
        for match in pattern.finditer(folded):
            if match.end() > match.start() and not negated(folded, match.start()):
                signals.append(
                    Signal(
                        reason=SENSITIVE_TOPIC,
                        category=rule.name,
                        evidence=text[match.start() : match.end()],
                        rule=rule.name,
                        source="rule",
                    )
                )
                break
    return signals


def floor_signals(
    text: str, *, explicit_request: bool, rules: tuple[SensitiveRule, ...], folded: str | None = None
) -> list[Signal]:
    """The rule floor's signals of one message, except the refund amount (``signals.detect`` adds it)."""
    folded = fold(text) if folded is None else folded
    signals = []
    if explicit_request and (words := unmistakable_request(text, folded)):
        signals.append(
            Signal(EXPLICIT_REQUEST, "person", evidence=words, rule="explicit_phrase", source="rule")
        )
    return signals + rule_signals(text, rules, folded)
