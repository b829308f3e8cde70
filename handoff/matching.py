"""The text normalisation every trigger phrase is written against, negation, and the engine that matches
many phrases fast.

Every phrase table is matched against ``fold(text)``: lower case, accents stripped, curly quotes made
straight, and *the same length as the input*, so a match's offsets are offsets into what the customer
typed and the evidence an agent reads quotes the customer's own words. Patterns are compiled once, at
import, into ``PhraseSet``s: the inline triggers run on every customer message, before any model call,
with a budget well under a millisecond even for a 4,000-character message.

It also forgives typos (``TypoCorrector``, ``correct_typos``) without losing those offsets. This module
knows no phrase of its own: the tables live in ``handoff.phrases`` and ``handoff.sentiment``.
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
    """A folded message indexed once for every phrase set: its words' first letters, its sentences, and
    which sentences hold a literal (many patterns of many sets share "agent", "human", "charge"...)."""

    __slots__ = ("folded", "tokens", "heads", "_breaks", "_holding")

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
        self._holding: dict[str, tuple[tuple[int, int], ...]] = {}

    def sentences_holding(self, literal: str) -> tuple[tuple[int, int], ...]:
        """The (start, end) of every sentence that holds ``literal``, found once per message."""
        found = self._holding.get(literal)
        if found is None:
            spans = []
            position = self.folded.find(literal)
            while position != -1:
                span = self.sentence(position)
                spans.append(span)
                position = self.folded.find(literal, span[1])
            found = self._holding[literal] = tuple(spans)
        return found

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
        "it be to of in on my me do did how at as no so one some like from will would about been had has "
        "they them their when which here also please into out all any very really only then than now "
        "new got make made said say see use used know thanks order orders account email card help time paid"
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
            spans.setdefault(index, set()).update(text.sentences_holding(literal))
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


# --- forgiving typos -----------------------------------------------------------------------------------

_TYPO_CANDIDATES = re.compile(r"[a-z]{4,}")  # tokens are letters; "humna2" is not a typo of anything


class TypoCorrector:
    """Maps a misspelt word to the vocabulary word it was meant to be ("humna" -> "human").

    One edit (a transposition counts as one) for words up to eight letters, two beyond; the first
    letter must be right or swapped with the second. Four-letter tokens forgive a transposition ("tlak")
    or a letter left out of a five-letter word ("spek", "agnt"), never a letter changed: "walk" and
    "tall" are words of their own, and so are the ``not_typos`` listed. Fixes are cached per corrector:
    a worker sees the same words all day.
    """

    def __init__(self, vocabulary: Iterable[str], not_typos: Iterable[str] = ()) -> None:
        self.vocabulary = frozenset(vocabulary)
        self.not_typos = frozenset(not_typos)
        by_initial: dict[str, tuple[str, ...]] = {}
        for word in sorted(self.vocabulary):
            by_initial[word[0]] = (*by_initial.get(word[0], ()), word)
        self._by_initial = by_initial
        self.fix = lru_cache(maxsize=65_536)(self._fix)

    def _fix(self, token: str) -> str | None:
        if token in self.vocabulary or token in self.not_typos or not token.isascii() or not token.isalpha():
            return None
        limit = 1 if len(token) <= 8 else 2
        best: tuple[int, str] | None = None
        swapped = tuple(word for word in self._by_initial.get(token[1], ()) if word[1] == token[0])
        for word in self._by_initial.get(token[0], ()) + swapped:
            if abs(len(word) - len(token)) > limit:
                continue
            distance = OSA.distance(token, word, score_cutoff=limit)
            if distance > limit:
                continue
            short = len(word) == 4 or len(token) == 4
            if short and sorted(word) != sorted(token) and not (len(token) == 4 and len(word) == 5):
                continue
            if best is None or distance < best[0]:
                best = (distance, word)
        return best[1] if best else None

    def sentences_to_fix(self, text: TextIndex) -> list[tuple[tuple[int, int], dict[str, str]]]:
        """The sentences of ``text`` holding a typo, in order, each with the typos of the message."""
        fixes = {token: fix for token in text.tokens if len(token) >= 4 and (fix := self.fix(token))}
        sentences = {span for token in fixes for span in text.sentences_holding(token)}
        return [(span, fixes) for span in sorted(sentences)]


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
