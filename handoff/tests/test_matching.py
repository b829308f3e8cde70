"""The matching engine (``handoff.matching``): folding, negation, and the anchored phrase search."""

import re
import time

import pytest

from handoff.matching import PhraseSet, TextIndex, fold, negated, pattern_anchors
from handoff.phrases import EXPLICIT_REQUEST
from handoff.sentiment import DISSATISFACTION, FRUSTRATION
from handoff.tests.samples import EXPLICIT, NOT_EXPLICIT, NOT_SENSITIVE, SENSITIVE
from handoff.triggers import (
    _REFUND_WORD,
    DEFAULT_SENSITIVE_RULES,
    TriggerSettings,
    _compile_rules,
    inline_hits,
)


def test_fold_keeps_offsets():
    text = "Je veux parler à un CONSEILLER’s İstanbul straße"

    assert len(fold(text)) == len(text)
    assert fold(text) == "je veux parler a un conseiller's istanbul straße"


@pytest.mark.parametrize(
    ("text", "phrase", "expected"),
    [
        ("I don't need a human", "human", True),
        ("I'm not upset", "upset", True),
        ("no need to transfer me", "transfer", True),
        ("Je ne veux pas parler", "parler", True),
        ("No, I want a human", "human", False),  # a comma ends the clause
        ("Why can't I talk to a human", "talk", False),
        ("I don't understand why you charged me twice", "charged", False),
    ],
)
def test_negation_governs_only_its_own_clause(text, phrase, expected):
    folded = fold(text)

    assert negated(folded, folded.index(phrase)) is expected


def test_anchors_prefer_rare_words_to_common_ones():
    (literals, _), *_ = pattern_anchors(r"\bfrom\s+(?:my|our)\s+lawyers?\b")

    assert literals == frozenset({"lawyer"})


def test_a_message_finds_the_sentences_holding_a_literal_once():
    index = TextIndex(fold("Talk to a human. Thanks! Another human here"))

    assert index.sentences_holding("human") == ((0, 16), (24, 43))
    assert index.sentences_holding("human") is index.sentences_holding("human")
    assert index.sentences_holding("robot") == ()


CORPUS = (
    [text for text, _ in EXPLICIT]
    + NOT_EXPLICIT
    + [text for text, _, _ in SENSITIVE]
    + NOT_SENSITIVE
    + [
        "No. I mean it. Talk; to a human!\nSpeak to an agent, please. That's not what I asked? I'm furious!!",
        "hi\n\nplease: human. Representative; operator? no, I mean it",
        "I want my $250 back. Give me back the £150! It was returned to my card; refund €300",
    ]
)
PHRASE_SETS = [EXPLICIT_REQUEST, DISSATISFACTION, FRUSTRATION, _REFUND_WORD] + [
    s for _, s in _compile_rules(DEFAULT_SENSITIVE_RULES)
]


@pytest.mark.parametrize("phrases", PHRASE_SETS)
def test_anchored_search_finds_what_a_sentence_by_sentence_search_finds(phrases):
    for text in CORPUS:
        index = TextIndex(fold(text))
        sentences = sorted({index.sentence(m.start()) for m in re.finditer(r"\S", index.folded)})
        brute = {
            m.span() for r in phrases.regexes for s, e in sentences for m in r.finditer(index.folded, s, e)
        }

        assert {m.span() for m in phrases.matches(index)} == brute, text


@pytest.mark.parametrize("phrases", PHRASE_SETS)
def test_every_default_pattern_has_an_anchor(phrases):
    assert phrases._everywhere == []


def test_a_pattern_without_an_anchor_is_searched_everywhere():
    phrases = PhraseSet([r"\w+@\w+"])

    assert phrases._everywhere == [0]
    assert [m.group() for m in phrases.matches(TextIndex(fold("write to ana@example")))] == ["ana@example"]


@pytest.mark.parametrize(
    "text",
    [
        "no " * 1300,
        "talk to " * 500,
        "a " * 2000,
        "human, " * 570,
        "I don't " * 500,
        "$1," * 1300,
        "x" * 4000,
        "lawyer " * 570,
        "charged my card " * 250,
        "someone changed " * 250,
        "I want my $1 back " * 220,
    ],
)
def test_pathological_long_messages_stay_fast(text):
    started = time.perf_counter()
    inline_hits(text, TriggerSettings())

    # Catastrophic backtracking takes seconds or hangs; a busy machine takes milliseconds.
    assert time.perf_counter() - started < 1.0
