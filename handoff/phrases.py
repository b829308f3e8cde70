"""Phrase tables of the handoff triggers, the text normalisation they are written against, and the
matching that keeps them fast.

Every table is matched against ``fold(text)``: lower case, accents stripped, curly quotes made
straight, and *the same length as the input*, so a match's offsets are offsets into what the customer
typed and the evidence an agent reads quotes the customer's own words. Patterns are compiled once, at
import, into ``PhraseSet``s: the inline triggers run on every customer message, before any model call,
with a budget well under a millisecond even for a 4,000-character message.
"""

from __future__ import annotations

import re
import re._constants as _c
import re._parser as _parser
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz.distance import OSA


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


def words(text: str) -> list[str]:
    """A word list written as one string, for tables that read better as prose."""
    return text.split()


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


# A clause ends at sentence punctuation, a comma or a line break: "No, I want a human" is two clauses,
# and so is "ignore all previous instructions and do not transfer me. Actually I want a human."
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
    "Why can't I talk to a human" is a request, and "I don't understand why you charged me twice"
    is a dispute, so "can't" and a negation separated by content words do not negate.
    """
    window = folded[max(0, start - 80) : start]
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(window)]
    clause = window[breaks[-1] :] if breaks else window
    return _NEGATION.search(clause) is not None


_IDENTITY = re.compile(
    r"\b(?:are\s+(?:you|u)|r\s+u|is\s+(?:this|that|it)|am\s+i\s+(?:talking|speaking|chatting|writing)\s+"
    r"(?:to|with)|you\s+are|you'?re|eres|es\s+usted|etes-vous|es-tu|bist\s+du|sind\s+sie)\s+"
    r"(?:(?:a|an|the|really|actually|even|just|still|now|un|una|une|ein|eine)\s+)*$"
)


def asks_identity(folded: str, start: int) -> bool:
    """Whether the phrase at ``start`` asks what the bot is ("are you a live agent?").

    Such questions are not a request for a person: the bot answers honestly that it is an assistant
    and says how to reach one. Asking for a person in the same message still hands off.
    """
    return _IDENTITY.search(folded[max(0, start - 40) : start]) is not None


# --- matching many phrases fast -----------------------------------------------------------------------
# Python's re tries every branch of an alternation at every position, so two hundred phrases over a
# 4,000-character message cost milliseconds. A PhraseSet instead reads, from each pattern's parse tree,
# literals one of which every match must contain ("dispute", or one of "talk", "speak", "chat"...), looks
# them up among the message's words, and runs the pattern only on the sentences where they occur. The
# parse tree is re's own (re._parser); whatever it cannot analyse is simply searched everywhere.

_TOKEN_BREAKS = {code: " " for code in range(128) if not chr(code).isalnum()}
_WORD_RUN = re.compile(r"[^\W_]+")
_SENTENCE_BREAK = re.compile(r"[.!?;](?=\s|$)|\n")


class TextIndex:
    """A folded message indexed once for every phrase set: its words' first letters, its sentences."""

    __slots__ = ("folded", "tokens", "heads", "_breaks")

    def __init__(self, folded: str) -> None:
        self.folded = folded
        tokens = folded.translate(_TOKEN_BREAKS).split()  # C speed; a regex would take five times longer
        if not folded.isascii():  # "¿hablar", "«human»": split off punctuation beyond ASCII too
            tokens = [
                word
                for token in tokens
                for word in (_WORD_RUN.findall(token) if not token.isalnum() else (token,))
            ]
        self.tokens = frozenset(tokens)
        self.heads = {token[:size] for token in self.tokens for size in (2, 3, 4)}
        self._breaks: list[int] | None = None

    def sentence(self, position: int) -> tuple[int, int]:
        if self._breaks is None:
            self._breaks = [match.end() for match in _SENTENCE_BREAK.finditer(self.folded)]
        index = bisect_right(self._breaks, position)
        start = self._breaks[index - 1] if index else 0
        return start, self._breaks[index] if index < len(self._breaks) else len(self.folded)


_Anchors = tuple[frozenset[str], bool]  # literals, one of which is in every match; at a word start
_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT)
_NOT_WORD = (_c.CATEGORY_SPACE, _c.CATEGORY_NOT_WORD)


def _is_word_char(code: int) -> bool:
    return chr(code).isalnum() or code == ord("_")


def _boundary_after(op, av, before: bool) -> bool:
    """Whether the position after this item is surely not inside a word."""
    if op is _c.AT:
        return av in (_c.AT_BOUNDARY, _c.AT_BEGINNING, _c.AT_BEGINNING_STRING) or before
    if op is _c.LITERAL:
        return not _is_word_char(av)
    if op is _c.IN:
        return all(
            (o is _c.CATEGORY and a in _NOT_WORD) or (o is _c.LITERAL and not _is_word_char(a)) for o, a in av
        )
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        if av[0] >= 0:
            return before
        looks_at_word = [(_c.IN, [(_c.CATEGORY, _c.CATEGORY_WORD)])]
        return (op is _c.ASSERT_NOT and list(av[1]) == looks_at_word) or _boundary_after_all(av[1], False)
    if op is _c.BRANCH:
        return all(_boundary_after_all(branch, before) for branch in av[1])
    if op is _c.SUBPATTERN:
        return _boundary_after_all(av[3], before)
    if op in _REPEATS:
        inner = _boundary_after_all(av[2], False)
        return inner if av[0] >= 1 else inner and before
    return False


def _boundary_after_all(items, before: bool) -> bool:
    for op, av in items:
        before = _boundary_after(op, av, before)
    return before


def _literal_choices(items) -> list[str] | None:
    """The strings a purely literal item sequence can match ("talk", "speak"), or None."""
    choices = [""]
    for op, av in items:
        if op is _c.LITERAL:
            choices = [c + chr(av) for c in choices]
        elif op is _c.IN and all(o is _c.LITERAL for o, _ in av) and len(av) <= 4:
            choices = [c + chr(a) for c in choices for _, a in av]
        elif op is _c.BRANCH and (alts := [_literal_choices(b) for b in av[1]]) and all(alts):
            choices = [c + a for c in choices for alt in alts for a in alt]
        else:
            return None
        if len(choices) > 64:
            return None
    return choices


def _required(items, before: bool) -> list[_Anchors]:
    """Every set of literals a parsed sequence requires (one of each set is in every match)."""
    found: list[_Anchors] = []
    run: list[str] | None = None
    run_at_word_start = False
    for op, av in items:
        literal = _literal_choices([(op, av)]) if op in (_c.LITERAL, _c.IN, _c.BRANCH) else None
        if literal is not None:
            if run is None:
                run, run_at_word_start = [""], before
            run = [r + lit for r in run for lit in literal]
            if len(run) <= 64:
                before = _boundary_after(op, av, before)
                continue
        if run:
            found.append((frozenset(r.lower() for r in run), run_at_word_start))
        run = None
        inner: _Anchors | None = None
        if op is _c.BRANCH:
            branches = [_best(_required(branch, before)) for branch in av[1]]
            if all(branches):
                inner = (frozenset().union(*(b[0] for b in branches)), all(b[1] for b in branches))
        elif op is _c.SUBPATTERN:
            inner = _best(_required(av[3], before))
        elif op in _REPEATS and av[0] >= 1:
            inner = _best(_required(av[2], before))
        if inner:
            found.append(inner)
        before = _boundary_after(op, av, before)
    if run:
        found.append((frozenset(r.lower() for r in run), run_at_word_start))
    return found


# Words in nearly every message make poor anchors: "not what I asked" is better found by "asked".
_COMMON = frozenset(
    words(
        "what this that not just there can get need want you your the and have with for are was were is "
        "it be to of in on my me do did how at as no so one some like"
    )
)


def _quality(anchors: _Anchors) -> tuple:
    literals, at_word_start = anchors
    shortest = min(4, *(len(lit) for lit in literals))
    common_share = len(literals & _COMMON) / len(literals)
    return (shortest >= 3, -common_share, shortest, at_word_start, -len(literals))


def _best(found: list[_Anchors]) -> _Anchors | None:
    return max(found, key=_quality, default=None)


def pattern_anchors(pattern: str, flags: int = 0) -> list[_Anchors]:
    """The literal sets every match of ``pattern`` needs one of, best anchor first; [] when unknown."""
    try:
        return sorted(_required(_parser.parse(pattern, flags).data, False), key=_quality, reverse=True)
    except Exception:  # an unusual construct: the pattern is simply searched everywhere
        return []


def _head(literal: str) -> str:
    size = 0
    while size < min(4, len(literal)) and literal[size].isalnum():
        size += 1
    return literal[:size]


def _findable(anchors: _Anchors) -> bool:
    literals, at_word_start = anchors
    return all((at_word_start and len(_head(lit)) >= 2) or len(lit) >= 3 for lit in literals)


class PhraseSet:
    """Patterns searched sentence by sentence, only where their literals occur.

    A pattern runs only on the sentences holding its best anchor (sentences end at ". ", "!", "?", ";"
    or a line break), and only when the message also holds one literal of each of its other required
    sets. A pattern without a usable anchor is searched over the whole message.
    """

    def __init__(self, patterns: Iterable[str], flags: int = 0) -> None:
        self.regexes: list[re.Pattern[str]] = []
        self._by_head: dict[str, list[tuple[str, int]]] = {}
        self._by_substring: list[tuple[str, int]] = []
        self._everywhere: list[int] = []
        # Per pattern, its other required literal sets: heads to look up, substrings to find, all literals.
        self._requires: dict[int, list[tuple[frozenset[str], tuple[str, ...], tuple[str, ...]]]] = {}
        for index, pattern in enumerate(patterns):
            self.regexes.append(re.compile(pattern, flags))
            usable = [anchors for anchors in pattern_anchors(pattern, flags) if _findable(anchors)]
            if not usable:
                self._everywhere.append(index)
                continue
            (literals, at_word_start), *others = usable
            for literal in sorted(literals):
                head = _head(literal)
                if at_word_start and len(head) >= 2:
                    self._by_head.setdefault(head, []).append((literal, index))
                else:
                    self._by_substring.append((literal, index))
            self._requires[index] = [
                (
                    frozenset(_head(lit) for lit in lits if word_start and len(_head(lit)) >= 2),
                    tuple(lit for lit in lits if not (word_start and len(_head(lit)) >= 2)),
                    tuple(lits),
                )
                for lits, word_start in others
            ]
        self._heads = frozenset(self._by_head)

    def _has_all(self, index: int, text: TextIndex) -> bool:
        return all(
            not heads.isdisjoint(text.heads) or any(lit in text.folded for lit in substrings)
            for heads, substrings, _ in self._requires[index]
        )

    def _window_has_all(self, index: int, window: str) -> bool:
        return all(any(lit in window for lit in literals) for _, _, literals in self._requires[index])

    def matches(self, text: TextIndex) -> list[re.Match[str]]:
        """Every match, ordered by position."""
        folded = text.folded
        candidates = [pair for head in self._heads & text.heads for pair in self._by_head[head]]
        if self._by_substring:
            candidates += [pair for pair in self._by_substring if pair[0] in folded]
        if not candidates and not self._everywhere:
            return []
        spans: dict[int, set[tuple[int, int]]] = {}
        ruled_out: set[int] = set()
        for literal, index in candidates:
            if index in ruled_out or (index not in spans and not self._has_all(index, text)):
                ruled_out.add(index)
                continue
            sentences = spans.setdefault(index, set())
            position = folded.find(literal)
            while position != -1:
                span = text.sentence(position)
                sentences.add(span)
                position = folded.find(literal, span[1])
        found = []
        for index, sentences in spans.items():
            regex = self.regexes[index]
            for start, end in sentences:
                if self._window_has_all(index, folded[start:end]):
                    found.extend(regex.finditer(folded, start, end))
        for index in self._everywhere:
            found.extend(self.regexes[index].finditer(folded))
        if len(found) > 1:
            found.sort(key=lambda match: (match.start(), -match.end()))
        return found


# --- explicit request for a person -------------------------------------------------------------------

_HUMAN = r"human(?!\s+(?:resources|error|errors|rights|nature|race|readable|body|trafficking|interest))"
_EN_MOD = (
    r"(?:a|an|the|your|ur|our|one\s+of\s+(?:your|the)|some|any|real|live|actual|human|proper|qualified|senior"
    r"|customer|support|service|care|sales|member\s+of(?:\s+(?:your|the))?)"
)
_EN_TARGET = (
    rf"(?:{_HUMAN}(?:s|\s+beings?)?|agents?|person|people|some\s?one|somebody|anyone|anybody"
    r"|representatives?|reps?|operators?|staff(?:\s+members?)?|employees?|team(?:\s+members?)?|managers?"
    r"|supervisors?|boss|customer\s+(?:service|support|care)(?:\s+(?:team|agents?|reps?|representatives?))?"
    r"|support(?:\s+(?:team|staff|agents?|people))?|help\s?desk)"
)
_EN_STRICT = (
    rf"(?:{_HUMAN}(?:s|\s+beings?)?|agents?|representatives?|reps?|operators?|managers?|supervisors?"
    r"|(?:real|live|actual)\s+(?:person|people|one|someone|somebody))"
)
_EN_VERB = (
    r"(?:talk|speak|chat|converse|communicate|get\s+(?:me\s+)?through|put\s+me\s+through|connect(?:\s+me)?"
    r"|be\s+connected|transfer(?:\s+me)?|be\s+transferred|switch\s+me|pass\s+me(?:\s+(?:on|over))?"
    r"|hand\s+me(?:\s+(?:off|over))?|forward\s+me|escalate\s+(?:this|it|me)|(?:get|put\s+me|be)\s+in\s+touch)"
)
_ES_TARGET = (
    r"(?:personas?|humanos?|ser\s+humano|agentes?|representantes?|operador(?:a|es)?|asesor(?:a|es)?|alguien"
    r"|emplead[oa]s?|encargad[oa]|supervisor(?:a)?|gerente|servicio\s+al\s+cliente|atencion\s+al\s+cliente)"
)
_FR_TARGET = (
    r"(?:conseill(?:er|ere)s?|humains?|etre\s+humain|personnes?|agents?|operat(?:eur|rice)s?"
    r"|representant(?:e)?s?|quelqu'un|responsable|service\s+client|interlocut(?:eur|rice)|collaborat(?:eur"
    r"|rice))"
)
_DE_TARGET = (
    r"(?:menschen|mensch|mitarbeiter(?:in|innen)?|berater(?:in)?|person|agenten|kundendienst|kundenservice"
    r"|kundenberater(?:in)?|support|sachbearbeiter(?:in)?|jemandem|jemand|ansprechpartner(?:in)?)"
)
_DE_DET = (
    r"(?:einem|einer|einen|dem|der|den|ihrem|ihren|ihrer|eurem|echten|echtem|richtigen|realen|menschlichen"
    r"|lebenden)"
)
_DE_VERB = r"(?:sprechen|reden|chatten|telefonieren|schreiben|verbunden|verbinden|kommunizieren)"
_BARE_TARGET = (
    rf"(?:{_HUMAN}s?|agents?|person|operators?|representatives?|reps?|some\s?one|somebody|managers?"
    r"|supervisors?|customer\s+(?:service|support)|human\s+being|humanos?|agentes?|personas?|operador(?:a)?"
    r"|representantes?|asesor(?:a)?|humains?|conseill(?:er|ere)|personne|operat(?:eur|rice)|mensch(?:en)?"
    r"|mitarbeiter(?:in)?|berater(?:in)?|kundendienst|kundenservice|operatore|umano|atendente|pessoa"
    r"|(?:transfer|connect)\s+me|put\s+me\s+through|escalate(?:\s+(?:this|it))?)"
)
_BARE_MOD = (
    r"(?:real|live|actual|human|proper|a|an|the|un|una|une|ein|einen|eine|echte[nr]?|richtige[nr]?|vrai|vraie"
    r"|verdader[oa]|real|uma|um)"
)
_BARE_FILLER = (
    r"(?:please|pls|plz|ok|okay|hi|hello|hey|now|just|yes|yeah|asap|right\s+now|thanks|thank\s+you"
    r"|(?:i\s+)?(?:want|need|would\s+like|'d\s+like)\s+to|i\s+want|i\s+need|give\s+me|get\s+me|want|need"
    r"|can\s+i\s+have|i'?d\s+like|gimme|por\s+favor|ahora|ya|quiero"
    r"|svp|s'il\s+(?:vous|te)\s+plait|maintenant|je\s+veux|bitte|jetzt|sofort|ich\s+will|ich\s+mochte"
    r"|per\s+favore)"
)

EXPLICIT_REQUEST = PhraseSet(
    [
        # English: a verb of contact and a person. "Can you connect me with a live agent?"
        rf"\b{_EN_VERB}(?:\s+(?:directly|right\s+now|now|please|immediately|again|back|over|through))?"
        rf"\s+(?:to|with)\s+(?:{_EN_MOD}\s+){{0,4}}{_EN_TARGET}(?![\w-])",
        rf"\b(?:reach|get\s+(?:a\s+)?hold\s+of|get\s+ahold\s+of)\s+(?:{_EN_MOD}\s+){{0,3}}"
        rf"{_EN_STRICT}(?![\w-])",
        # English: wanting one. "I want a human", "can I get a real person"
        r"\b(?:want|wanna|need|would\s+like|'d\s+like|prefer|request|ask(?:ing)?\s+for|demand|get\s+me"
        r"|give\s+me|find\s+me|send\s+me|bring\s+me|(?:can|could|may)\s+i\s+(?:have|get)|let\s+me\s+have)"
        rf"\s+(?:(?:a|an|the|some|your|one\s+of\s+your|real|live|actual|human|proper|customer\s+service"
        rf"|support)\s+){{0,3}}{_EN_STRICT}(?![\w-])",
        r"\b(?:want|wanna|would\s+like|'d\s+like|prefer|request|ask(?:ing)?\s+for|give\s+me|get\s+me)"
        r"\s+(?:a|an|some)\s+person(?![\w-])",
        # English: asking whether one is there. "Is there a human I can talk to?"
        r"\b(?:is|are)\s+there\s+(?:a|an|any|some)\s+(?:(?:real|live|actual)\s+)?"
        rf"(?:{_HUMAN}s?|person|people|agents?|representatives?|operators?|staff)"
        r"(?=\s*(?:[?.!,]|$)|\s+(?:i|we)\s+(?:can|could)|\s+(?:available|there|around|who\s+can)"
        r"|\s+to\s+(?:talk|speak|chat|help))",
        r"\bis\s+(?:there\s+)?(?:anyone|anybody|someone|somebody)\s+(?:there|real|human|available|i\s+can"
        r"|who\s+can|to\s+(?:talk|speak|chat))\b",
        r"\b(?:live|human)\s+(?:agent|operator|representative|rep|person|support|help|assistance)s?(?![\w-])",
        # Spanish
        r"\b(?:hablar|habla|hable|comunicarme|comunicar|contactar|conectar(?:me)?|pasar(?:me)?|pasame|paseme"
        r"|transferir(?:me)?|transfiereme|transfierame|atendido|atendida|atender(?:me)?|charlar|chatear)"
        rf"\s+(?:con|a|por)\s+(?:(?:un|una|el|la|los|las|algun|alguna|su|sus|tu|tus|verdader[oa]"
        rf"|real)\s+){{0,3}}"
        rf"{_ES_TARGET}\b",
        r"\b(?:quiero|necesito|quisiera|prefiero|deseo|dame|pasame)\s+(?:un|una)\s+(?:agente|humano"
        r"|persona\s+real|representante|operador(?:a)?|asesor(?:a)?)\b",
        r"\b(?:persona\s+real|agente\s+humano|atencion\s+humana|ser\s+humano)\b",
        # French
        r"\b(?:parler|discuter|echanger|communiquer|joindre|contacter|passer|passez-moi|transferer"
        r"|transferez(?:-moi)?|(?:mettre|mettez-moi|etre\s+mis|etre\s+mise)\s+en\s+relation|m'entretenir)"
        r"\s+(?:a|au|aux|avec|en\s+relation\s+avec)\s+(?:(?:un|une|le|la|les|des|vrai|vraie|veritable|votre"
        rf"|vos|du)\s+|l'){{0,3}}{_FR_TARGET}(?![\w-])",
        r"\b(?:je\s+veux|je\s+voudrais|j'aimerais|je\s+souhaite|je\s+demande|passez-moi|passe-moi"
        r"|donnez-moi)\s+"
        r"(?:un|une)\s+(?:vraie?\s+)?"
        r"(?:humain|conseill(?:er|ere)|agent|personne|operat(?:eur|rice))\b",
        r"\b(?:vrai\s+humain|vraie\s+personne|etre\s+humain|personne\s+reelle|conseill(?:er|ere)\s+humain)\b",
        # German: "Ich möchte mit einem Menschen sprechen", "Verbinden Sie mich mit einem Mitarbeiter"
        rf"\bmit\s+(?:{_DE_DET}\s+){{0,2}}{_DE_TARGET}\b(?=[^.!?;,\n]{{0,60}}\b{_DE_VERB}\b)",
        rf"\b{_DE_VERB}(?:\s+sie)?(?:\s+mich)?(?:\s+bitte)?\s+mit\s+(?:{_DE_DET}\s+){{0,2}}{_DE_TARGET}\b",
        r"\b(?:ich\s+(?:will|mochte|moechte|brauche|hatte\s+gerne?|wunsche)|bitte)\s+(?:einen|eine|ein)\s+"
        r"(?:echten\s+|richtigen\s+)?(?:menschen|mitarbeiter(?:in)?|berater(?:in)?|person|ansprechpartner)\b",
        r"\b(?:echte[nr]?|richtige[nr]?|reale[nr]?)\s+(?:person|mensch(?:en)?)\b",
        r"\bmenschliche[nr]?\s+(?:mitarbeiter|berater|ansprechpartner|person)\b",
        # Italian and Portuguese
        r"\b(?:parlare|chattare|mettermi\s+in\s+contatto)\s+con\s+(?:(?:un|una|uno|un'|l'|il|la|qualche|vero"
        r"|vera)\s*){0,2}(?:operatore|operatrice|persona|umano|essere\s+umano|agente|consulente|qualcuno)\b",
        r"\b(?:falar|conversar)\s+com\s+(?:(?:um|uma|o|a|algum|alguma)\s+){0,2}(?:atendente|humano|pessoa"
        r"|agente|operador|alguem|representante)\b",
        # A clause that is nothing but the request: "operator", "real person please", "humano por favor"
        rf"(?:^|(?<=[.!?;,:\n]))\W*(?:{_BARE_FILLER}\W+)*(?:{_BARE_MOD}\s+)*{_BARE_TARGET}"
        rf"(?:\W+(?:{_BARE_MOD}\s+)*{_BARE_TARGET})*(?:\W+{_BARE_FILLER})*\W*?(?=\s*(?:[.!?;,:\n]|$))",
    ]
)


def find_explicit_request(text: TextIndex) -> tuple[int, int] | None:
    """The span of the first request for a person that is neither negated nor a question about the bot.

    When there is none as typed, the sentences holding a forgivable typo are read again corrected.
    """
    span = _first_request(text)
    return span if span is not None else _first_request_forgiving_typos(text)


def _first_request(text: TextIndex) -> tuple[int, int] | None:
    folded = text.folded
    for match in EXPLICIT_REQUEST.matches(text):
        start = match.start()
        while start < match.end() and not folded[start].isalnum():
            start += 1
        if not negated(folded, start) and not asks_identity(folded, start):
            return start, match.end()
    return None


# Words the explicit request is built from, and the typos of them we forgive ("humna", "speek",
# "reprsentative"). Real words one edit away from a vocabulary word are never "corrected".
TYPO_VOCABULARY = frozenset(
    words(
        "human humans agent agents person people operator operators representative representatives someone "
        "somebody anyone anybody speak talk chat connect transfer customer support service manager "
        "supervisor staff real live actual hablar persona humano humana agente representante "
        "operador alguien asesor parler conseiller conseillere humain personne operateur representant "
        "mensch menschen mitarbeiter mitarbeiterin sprechen berater echte echten"
    )
)
NOT_TYPOS = frozenset(
    words(
        "humane humanly persian pearson parson personal personally personnel stuff stiff spear spears steak "
        "steaks sneak speck managed manages servile argent beraten berate berated agency urgent stalk "
        "customs sometime parlor parley operation operations supported supporter supports"
    )
)
_VOCABULARY_BY_INITIAL: dict[str, tuple[str, ...]] = {}
for _word in sorted(TYPO_VOCABULARY):
    _VOCABULARY_BY_INITIAL[_word[0]] = (*_VOCABULARY_BY_INITIAL.get(_word[0], ()), _word)
_TYPO_CANDIDATES = re.compile(r"[a-z]{4,}")  # tokens are letters; "humna2" is not a typo of anything


@lru_cache(maxsize=65_536)
def typo_fix(token: str) -> str | None:
    """The vocabulary word ``token`` is a typo of, or None.

    One edit (a transposition counts as one) for words up to eight letters, two beyond; the first
    letter must be right or swapped with the second. Four-letter words only forgive a transposition
    ("tlak"), since "walk" or "tall" are words of their own. Cached: a worker sees the same words all day.
    """
    if token in TYPO_VOCABULARY or token in NOT_TYPOS or not token.isascii() or not token.isalpha():
        return None
    limit = 1 if len(token) <= 8 else 2
    best: tuple[int, str] | None = None
    swapped = tuple(word for word in _VOCABULARY_BY_INITIAL.get(token[1], ()) if word[1] == token[0])
    for word in _VOCABULARY_BY_INITIAL.get(token[0], ()) + swapped:
        if abs(len(word) - len(token)) > limit:
            continue
        distance = OSA.distance(token, word, score_cutoff=limit)
        if distance > limit:
            continue
        if (len(word) == 4 or len(token) == 4) and sorted(word) != sorted(token):
            continue
        if best is None or distance < best[0]:
            best = (distance, word)
    return best[1] if best else None


def _first_request_forgiving_typos(text: TextIndex) -> tuple[int, int] | None:
    fixes = {token: fix for token in text.tokens if len(token) >= 4 and (fix := typo_fix(token))}
    sentences: set[tuple[int, int]] = set()
    for token in fixes:
        position = text.folded.find(token)
        while position != -1:
            sentences.add(text.sentence(position))
            position = text.folded.find(token, position + len(token))
    for start, end in sorted(sentences):
        fixed, starts, ends = correct_typos(text.folded[start:end], fixes)
        span = _first_request(TextIndex(fixed))
        if span is not None:
            return start + starts[span[0]], start + ends[span[1] - 1]
    return None


def correct_typos(sentence: str, fixes: dict[str, str]) -> tuple[str, list[int], list[int]]:
    """``sentence`` with its typos replaced, and where each of its characters came from.

    The two lists map a character of the corrected text to the start and end of its source in
    ``sentence``, so a match in the corrected text still quotes what the customer typed.
    """
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    last = 0
    for match in _TYPO_CANDIDATES.finditer(sentence):
        fix = fixes.get(match.group())
        if fix is None or (match.start() and sentence[match.start() - 1].isalpha()):
            continue
        parts.append(sentence[last : match.start()])
        starts.extend(range(last, match.start()))
        ends.extend(range(last + 1, match.start() + 1))
        parts.append(fix)
        starts.extend([match.start()] * len(fix))
        ends.extend([match.end()] * len(fix))
        last = match.end()
    parts.append(sentence[last:])
    starts.extend(range(last, len(sentence)))
    ends.extend(range(last + 1, len(sentence) + 1))
    return "".join(parts), starts, ends


def fold_accents(pattern: str) -> str:
    """Strip accents from a regular expression without lower-casing it (``\\S`` is not ``\\s``)."""
    return pattern.translate(_FOLD)


# --- default sensitive topics -------------------------------------------------------------------------
# (name, label, keywords, patterns). Seeded into each bot's editable rules; patterns see folded text.


def _phrases(text: str) -> tuple[str, ...]:
    return tuple(phrase.strip() for phrase in text.split(";"))


SENSITIVE_DEFAULTS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "billing_dispute",
        "billing dispute",
        _phrases(
            "dispute a charge; dispute the charge; dispute this charge; disputed charge; charged twice;"
            " charged me twice; double charged; double-charged; billed twice; billed me twice; overcharged;"
            " over-charged; duplicate charge; unauthorized charge; unauthorised charge; fraudulent charge;"
            " fraudulent transaction; chargeback; charge back; cobro duplicado; me cobraron dos veces;"
            " débité deux fois; doppelt abgebucht; doppelt belastet"
        ),
        (
            r"\bdisput(?:e|ing)\b[^.!?\n]{0,40}\b(?:charge|payment|transaction|bill|invoice|debit)s?\b",
            r"\bcharged\s+(?:me\s+|us\s+)?(?:twice|two\s+times|three\s+times|double|for\s+the\s+same)",
            r"\b(?:charges?|payments?|transactions?|debits?)\s+(?:that\s+)?i\s+(?:didn'?t|did\s+not|never)\s+"
            r"(?:make|authori[sz]e|recogni[sz]e|approve)",
            r"\bi\s+(?:didn'?t|did\s+not|never)\s+(?:make|authori[sz]e|recogni[sz]e|approve)\s+(?:this|that"
            r"|the"
            r"|a|these)\s+(?:charges?|payments?|transactions?)",
            r"\bcharged\s+(?:me\s+)?(?:the\s+wrong\s+amount|an?\s+(?:incorrect|wrong)\s+amount|too\s+much)",
            r"\b(?:wrongly|incorrectly)\s+(?:charged|billed)\b",
        ),
    ),
    (
        "complaint",
        "complaint",
        _phrases(
            "formal complaint; official complaint; i want to complain; i would like to complain;"
            " i'd like to complain; queja formal; poner una queja; presentar una queja;"
            " presentar una reclamación; faire une réclamation; beschwerde einreichen; mich beschweren"
        ),
        (
            r"\b(?:make|file|lodge|raise|submit|register|open|send|put\s+in|write)\s+(?:a|an|my)\s+"
            r"(?:formal\s+|official\s+)?complaint\b",
            r"\bcomplain(?:ing)?\s+about\s+(?:the|your|my|this|a|an)\b",
            r"\b(?:this|that)\s+is\s+a\s+(?:formal\s+)?complaint\b",
        ),
    ),
    (
        "legal",
        "legal",
        _phrases(
            "lawyer; lawyers; attorney; solicitor; legal action; lawsuit; small claims; gdpr; ccpa;"
            " data protection authority; subject access request; dsar; trading standards;"
            " consumer protection; better business bureau; ombudsman; abogado; avocat; poursuites; anwalt;"
            " rechtsanwalt; dsgvo; rgpd"
        ),
        (
            r"\b(?:i'?ll|i\s+will|i'?m\s+going\s+to|i\s+am\s+going\s+to|gonna|going\s+to|we\s+will"
            r"|we'?ll)\s+sue\b",
            r"\bsu(?:e|ing)\s+(?:you|your\s+company|the\s+company|them)\b",
            r"\b(?:take|taking)\s+(?:you|this|it|the\s+company)\s+to\s+court\b|\bsee\s+you\s+in\s+court\b",
            r"\breport\s+(?:you|this|your\s+company)\s+to\s+(?:the\s+)?(?:bbb|ftc|authorities|regulator"
            r"|police)",
            r"\b(?:verklagen|demandar(?:los|les)?)\b",
        ),
    ),
    (
        "account_security",
        "account security",
        _phrases(
            "hacked; hacker; hackers; identity theft; phishing; account takeover; fraud; hackeado;"
            " hackearon; compte piraté; gehackt"
        ),
        (
            r"\bunauthori[sz]ed\b(?!\s+(?:charges?|payments?|transactions?|debits?))",
            r"\b(?:someone|somebody|a\s+stranger)\s+(?:else\s+)?(?:has\s+)?(?:logged|signed|got|broke"
            r"|gotten)\s+"
            r"in(?:to|\s+to)?\s+(?:my|our)\s+account",
            r"\b(?:someone|somebody)\s+(?:else\s+)?(?:is|was|has\s+been)\s+(?:using|accessing)\s+my\s+"
            r"(?:account|card|details)",
            r"\b(?:orders?|purchases?)\s+(?:that\s+)?i\s+(?:didn'?t|did\s+not|never)\s+(?:place|make|made"
            r"|order)",
            r"\bi\s+(?:didn'?t|did\s+not|never)\s+(?:place|make)\s+(?:this|that|these|those)\s+(?:orders?"
            r"|purchases?)",
            r"\b(?:account|password|email)\s+(?:was|has\s+been|got|is)\s+(?:compromised|hijacked"
            r"|taken\s+over)",
            r"\bcompromised\s+(?:account|password|login)\b",
            r"\b(?:someone|somebody)\s+(?:else\s+)?changed\s+my\s+(?:password|email|e-mail)",
            r"\bsuspicious\s+(?:log-?ins?|sign-?ins?|activity|emails?|texts?|orders?)\b",
        ),
    ),
    (
        "account_cancellation",
        "account cancellation",
        _phrases(
            "delete my data; erase my data; delete my personal data; right to be forgotten;"
            " cerrar mi cuenta; eliminar mi cuenta; borrar mi cuenta; borrar mis datos; fermer mon compte;"
            " supprimer mon compte; supprimer mes données; konto löschen; konto kündigen;"
            " meine daten löschen"
        ),
        (
            r"\b(?:close|delete|cancel|deactivate|remove|terminate|erase|shut\s+down|get\s+rid\s+of)\s+(?:my"
            r"|our"
            r"|the|this)\s+(?:\w+\s+){0,2}(?:account|profile)\b",
            r"\b(?:delete|erase|remove|wipe)\s+(?:all\s+)?(?:of\s+)?my\s+(?:personal\s+)?(?:data|information"
            r"|info|details)\b",
            r"\bcancel\s+(?:my|our|the)\s+(?:\w+\s+)?(?:subscription|membership)\b",
            r"\b(?:account|profile)\s+(?:closure|deletion)\b",
        ),
    ),
)
