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
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_REPEATS = re.compile(r"(\w)\1{2,}")
_SPACES = re.compile(r"\s\s+")
_WORD = re.compile(r"(?u)\b\w\w+\b")


def normalise(text: str) -> str:
    """NFKC, casefold, letters repeated three or more times kept twice; whitespace runs become one space."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _SPACES.sub(" ", _REPEATS.sub(r"\1\1", text))


def strip_accents(text: str) -> str:
    """Latin accents off ("más" -> "mas"); kana voicing marks are kept (NFKC recomposes them)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", stripped)


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
    if config.word_strip_accents:
        normalised = strip_accents(normalised)
    tokens = _WORD.findall(normalised)
    grams: list[str] = []
    for n in range(config.word_min, config.word_max + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams
