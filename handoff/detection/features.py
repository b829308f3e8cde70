"""Text normalisation and the n-grams the signal model reads, shared by training and inference.

Training hands these functions to scikit-learn's ``TfidfVectorizer`` as its analyzer, and inference
(``handoff.detection.model.Detector``) calls the very same functions, so a message is featurised the same
way in both; only the arithmetic after the n-grams differs (plain dictionaries and numpy at inference,
because the vectorizer's per-call overhead alone is close to a millisecond).

- Normalisation: Unicode NFKC (full-width Latin and half-width katakana become their usual forms),
  casefold, and a letter repeated three times or more kept twice ("humaaan" -> "humaan", "nooo" -> "noo":
  the stretch is a signal, its length is not). Emoji are kept: they are characters like any other.
- Character n-grams inside word boundaries (``char_wb``) carry typos, inflections and languages without
  spaces (Japanese); word n-grams carry phrases ("talk to", "not helpful").

Inference takes the steps apart so that what is done per word is done once per distinct word (the
``Detector`` caches it): ``fold_case`` over the whole message, a split on whitespace, then per word
``shorten_repeats``, its character n-grams and its ``word_tokens``; ``token_ngrams`` joins the message's
tokens into word n-grams. This gives what ``normalise``, ``char_ngrams`` and ``word_ngrams`` give on the
whole message because none of those later steps reaches across whitespace: a stretched letter and a token
are runs of word characters, and removing accents composes nothing with a space. A test holds this.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from helpdesk.text import fold_case, shorten_repeats, strip_accents

_SPACES = re.compile(r"\s\s+")
_WORD = re.compile(r"(?u)\b\w\w+\b")


def normalise(text: str) -> str:
    """NFKC, casefold, letters repeated three or more times kept twice; whitespace runs become one space."""
    return _SPACES.sub(" ", shorten_repeats(fold_case(text)))


@dataclass(frozen=True)
class FeatureConfig:
    char_min: int = 2
    char_max: int = 5
    word_min: int = 1
    word_max: int = 2
    word_strip_accents: bool = False


def char_ngrams(normalised: str, config: FeatureConfig) -> list[str]:
    """``char_wb`` n-grams as scikit-learn makes them: each word padded with one space on both sides."""
    grams: list[str] = []
    low, high = config.char_min, config.char_max
    for word in normalised.split():
        padded = f" {word} "
        size = len(padded)
        if size <= low:
            grams.append(padded)
            continue
        grams += [padded[i : i + n] for n in range(low, min(high, size) + 1) for i in range(size - n + 1)]
    return grams


def word_ngrams(normalised: str, config: FeatureConfig) -> list[str]:
    """Word n-grams of tokens of two or more word characters (scikit-learn's default token pattern)."""
    return token_ngrams(word_tokens(normalised, config), config)


def word_tokens(normalised: str, config: FeatureConfig) -> list[str]:
    """The runs of two or more word characters, accents removed first if ``config`` says so."""
    if config.word_strip_accents:
        normalised = strip_accents(normalised)
    return _WORD.findall(normalised)


def token_ngrams(tokens: list[str], config: FeatureConfig) -> list[str]:
    """Every run of ``word_min`` to ``word_max`` consecutive tokens, joined by a space."""
    grams: list[str] = []
    for n in range(config.word_min, config.word_max + 1):
        # The tokens beside themselves shifted by 1 .. n-1 (zip stops at the shortest): every run of n.
        grams.extend(map(" ".join, zip(*(tokens[shift:] for shift in range(n)), strict=False)))
    return grams
