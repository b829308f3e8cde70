"""Normalisation and n-grams (``handoff.detection.features``): inference's per-word steps give what the
whole-message functions give, which training uses."""

from __future__ import annotations

import pytest

from handoff.detection.corpus import load_corpus
from handoff.detection.features import (
    FeatureConfig,
    char_ngrams,
    normalise,
    token_ngrams,
    word_ngrams,
    word_tokens,
)
from helpdesk.text import fold_case, shorten_repeats

TRICKY = [
    "ＨＵＭＡＡＡＮ   please 😡",
    "nooooo   way!!! sooo baaad",
    "¨a b¨ ´c",  # characters whose NFKC form starts with a space
    "naïve café, co\u0301mo está?",
    "a\u00a0b\u3000c\td\ne",  # no-break and ideographic spaces
    "__init__ x_y 42€ 3,50",
    "İstanbul STRASSE straße ǅ",
    "オペレーターと話したいです 返金",
    "",
    "   ",
]


def _per_word(text: str, config: FeatureConfig) -> tuple[list[str], list[str], list[str]]:
    words = [shorten_repeats(piece) for piece in fold_case(text).split()]
    chars = [gram for word in words for gram in char_ngrams(word, config)]
    tokens = [token for word in words for token in word_tokens(word, config)]
    return words, chars, token_ngrams(tokens, config)


@pytest.mark.parametrize("config", [FeatureConfig(), FeatureConfig(word_strip_accents=True, word_max=3)])
def test_the_per_word_steps_give_the_whole_message_features(config):
    texts = TRICKY + [example.text for example in load_corpus()[::7]]

    for text in texts:
        normalised = normalise(text)
        assert _per_word(text, config) == (
            normalised.split(),
            char_ngrams(normalised, config),
            word_ngrams(normalised, config),
        ), text


def test_word_ngrams_are_every_run_of_tokens():
    config = FeatureConfig(word_min=1, word_max=3)

    assert word_ngrams("talk to a human now", config) == [
        "talk", "to", "human", "now",
        "talk to", "to human", "human now",
        "talk to human", "to human now",
    ]  # fmt: skip
