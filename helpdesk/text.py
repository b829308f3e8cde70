"""How customer text is made comparable: the one home for folding, shared by retrieval, small talk and
handoff detection.

One function per need, so no caller rolls its own:

- ``fold``: lower case, Latin accents off and curly quotes straight, *keeping every character at its
  offset*, for matching rules whose evidence quotes the customer's own words;
- ``fold_case``: Unicode NFKC (full-width Latin, half-width katakana, ligatures become their usual forms)
  and casefold ("Straße" -> "strasse"), for anything that compares words;
- ``strip_accents``: the Latin combining marks off ("devolución" -> "devolucion", "können" -> "konnen"),
  other scripts' marks kept (Japanese voicing marks, Devanagari signs), since customers type accents or
  not;
- ``shorten_repeats``: a letter stretched three times or more kept twice ("humaaan" -> "humaan").

Pure functions of a string, no models, no settings: any layer may use them.
"""

from __future__ import annotations

import re
import unicodedata

# --- Offset-preserving fold ------------------------------------------------------------------------------


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
    """Lower-case, strip Latin accents and straighten quotes, keeping every character at its offset."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters (e.g. "İ") lower to two; keep the first
        lowered = "".join(char.lower()[0] for char in text)
    if not lowered.isascii():  # only the rare non-ASCII characters are looked up, one by one
        lowered = _NON_ASCII.sub(_fold_char, lowered)
    return lowered.replace("`", "'")


def fold_accents(pattern: str) -> str:
    """Strip accents from a regular expression without lower-casing it (``\\S`` is not ``\\s``), so a
    pattern written with accents matches ``fold``'s output."""
    return pattern.translate(_FOLD)


# --- Word comparison ---------------------------------------------------------------------------------------


def fold_case(text: str) -> str:
    """NFKC, then casefold."""
    return unicodedata.normalize("NFKC", text).casefold()


# The combining marks Latin script uses for accents (U+0300-U+036F); other scripts' marks are letters'
# parts there (Devanagari vowel signs, kana voicing), not optional decoration.
_LATIN_MARK_END = "\u0370"


def strip_accents(text: str) -> str:
    """Latin accents off ("más" -> "mas"); other scripts' marks kept, recomposed by NFKC ("が" stays)."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not ("\u0300" <= ch < _LATIN_MARK_END))
    return unicodedata.normalize("NFKC", stripped)


_REPEATS = re.compile(r"(\w)\1{2,}")


def _twice(match: re.Match[str]) -> str:
    # A function, not the template r"\1\1": ``re`` goes through Python code for a template on every
    # call, which costs more than the search when, as almost always, there is nothing to replace.
    return match.group(1) * 2


def shorten_repeats(text: str) -> str:
    """A letter repeated three times or more kept twice ("humaaan" -> "humaan")."""
    return _REPEATS.sub(_twice, text)
