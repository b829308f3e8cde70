"""Money mentioned in a customer's message: "$1,250", "1.250,00 €", "1'250 CHF", "40 pounds", "six hundred
pounds", "doscientos cuarenta euros", "zweihundert Euro".

A number is money only when a currency sign, code or word stands next to it: "order LL-204518",
"3 to 5 business days" and "2pm" are not. Shared by the refund trigger and the chatbot's collected fields.

Where the money is, and which currency a sign or word names, is ours: no library finds amounts in running
text by that rule, and the currency vocabulary is shop policy ("$" is a Canadian shop's CAD, "quid" is
GBP). Reading each piece is left to libraries:

- price-parser turns a digit span into a Decimal. It guesses the decimal mark from the span itself (one
  separator followed by exactly three digits groups thousands), so "1,250.50", "2.300,50", "1 250" and
  "1'250" all read right whatever the customer's locale; we only add that "0,999" is below one. Babel's
  ``parse_decimal`` was tried and not chosen: it needs the writer's locale, which a chat message does not
  tell (one shop gets both "1.250,00" and "1,250.00"), and in strict mode it rejects a plain-space
  "1 250" even in French. price-parser's own currency guess is not used: it is built for one price per
  scraped field, returns the raw symbol and misses words such as "quid" or "reais".
- text2num reads number words in English, Spanish, French, German, Italian, Portuguese and Dutch (our
  customers' languages; it also knows Danish). We call its ``find_numbers`` on our own tokens, which
  carry their offsets, rather than ``alpha2digit``, which rewrites the text: positions and ``Money.text``
  stay the customer's words with no realigning. It runs only where a currency sign, code or word has a
  word next to it that one of these languages reads as a number, so a message without money costs three
  regular-expression scans (numbers, currency words, codes and signs).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from price_parser import Price
from text_to_num import find_numbers, text2num


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str | None  # ISO code ("USD", "EUR", "GBP", ...) or None when the text names none
    text: str  # the matched text, as the customer wrote it
    start: int
    end: int


DOLLAR_CURRENCIES = frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "TWD", "MXN"})
KRONA_CURRENCIES = frozenset({"SEK", "NOK", "DKK", "ISK"})
PESO_CURRENCIES = frozenset({"MXN", "ARS", "CLP", "COP", "PHP", "UYU"})
CODES = (
    "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "JPY", "CNY", "INR", "SEK", "NOK", "DKK", "ISK", "PLN",
    "CZK", "HUF", "BRL", "MXN", "SGD", "HKD", "ZAR", "TWD", "ARS", "CLP", "COP",
)  # fmt: skip
NUMBER_WORD_LANGUAGES = ("en", "es", "fr", "de", "it", "pt", "nl")  # text2num's codes, in tie-break order

# Signs and words, mapped to a code; "$", "kr" and "pesos" name a family and are resolved against the
# default currency (a Canadian shop's "$" is CAD).
_SIGNS = {
    "us$": "USD",
    "ca$": "CAD",
    "c$": "CAD",
    "au$": "AUD",
    "a$": "AUD",
    "nz$": "NZD",
    "hk$": "HKD",
    "s$": "SGD",
    "r$": "BRL",
    "$": "$",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₽": "RUB",
    "₺": "TRY",
    "chf": "CHF",
}
_WORDS = {
    **dict.fromkeys(
        ("dollar", "dollars", "buck", "bucks", "dólar", "dolar", "dólares", "dolares", "dollari"), "$"
    ),
    **dict.fromkeys(("euro", "euros"), "EUR"),
    **dict.fromkeys(("pound", "pounds", "pound sterling", "pounds sterling", "quid"), "GBP"),
    **dict.fromkeys(("libra", "libras", "libras esterlinas", "sterlina", "sterline"), "GBP"),
    **dict.fromkeys(("franc", "francs", "franken", "franchi", "francos"), "CHF"),
    **dict.fromkeys(("reais",), "BRL"),
    **dict.fromkeys(("złoty", "zloty", "złotych", "zlotys", "zł"), "PLN"),
    **dict.fromkeys(("lira", "liras", "lire"), "TRY"),
    **dict.fromkeys(("рубль", "рубля", "рублей", "руб"), "RUB"),
    **dict.fromkeys(("yen",), "JPY"),
    **dict.fromkeys(("yuan",), "CNY"),
    **dict.fromkeys(("rupee", "rupees"), "INR"),
    **dict.fromkeys(("peso", "pesos"), "peso"),
    **dict.fromkeys(("kr", "kronor", "kroner", "krona", "krone"), "kr"),
}
# Also units of weight: "40 pounds of flour", "40 libras de harina" are not money.
_WEIGHTS = frozenset({"pounds", "pound", "libras", "libra"})
_WEIGHT_FOLLOWS = re.compile(r"\s+(?:of|de)\b", re.IGNORECASE)


def _alternation(forms: set[str]) -> str:
    """``forms`` as one regular expression branching on each character in turn ("d(?:ol(?:ar|lar)...").

    A flat "dollar|dollars|euro|..." tries every form at every position of a message; this one fails
    at most positions on its first character, which keeps looking for currencies cheap.
    """
    heads: dict[str, set[str]] = {}
    for form in forms:
        if form:
            heads.setdefault(form[0], set()).add(form[1:])
    branches = [re.escape(head) + _alternation(tails) for head, tails in sorted(heads.items())]
    if not branches:
        return ""
    group = branches[0] if len(branches) == 1 and "" not in forms else f"(?:{'|'.join(branches)})"
    return f"{group}?" if "" in forms else group


_NUMBER = r"\d{1,3}(?:[,.'\u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d{1,2})?(?![\d.,]?\d)"
# "1 250 €" groups thousands with a plain space; before a word ("2 100 dollar lamps") that would misread.
_SPACED_NUMBER = r"\d{1,3}(?: \d{3})+(?:[.,]\d{1,2})?(?!\d)|" + _NUMBER
_SIGN = _alternation(set(_SIGNS))
_CODE = _alternation(set(CODES))
_WORD = _alternation(set(_WORDS))

_MONEY = re.compile(
    rf"(?<![\w$])(?P<sign>{_SIGN})\s?(?P<n1>{_NUMBER})(?P<k1>k\b)?(?:\s?(?P<code1>{_CODE})\b)?"
    rf"|(?<![\w.,])(?P<code2>{_CODE})\s?(?P<n2>{_NUMBER})(?P<k2>k\b)?"
    rf"|(?<![\w.,-])(?P<n3>{_SPACED_NUMBER})\s?(?:(?P<sign3>[€£$¥₹₽₺])|(?P<code3>{_CODE})\b)"
    rf"|(?<![\w.,-])(?P<n4>{_NUMBER})\s?(?P<word4>{_WORD})\b",
    re.IGNORECASE,
)

# Every amount in digits has a digit: the full expression only runs around numbers, a few characters
# either side (enough for "CHF " before and " pounds sterling" after), not at every position of a message.
_NUMBER_RUN = re.compile(r"\d[\d,.' \u00a0\u202f]*")

# Number words are looked for only next to a currency: before it ("forty euros") or, after a sign or a
# code, behind it ("€ zwanzig"). Words are matched in the lower-cased message; codes and signs such as
# "CA$" only in capitals ("cop" and "try" are words), so lower-case text fails them at once.
_CURRENCY_WORD = re.compile(_WORD)
_CODE_OR_SIGN = re.compile(_alternation(set(CODES) | {sign.upper() for sign in _SIGNS}))
_WORD_BEFORE = re.compile(r"(?<![^\W\d_])[^\W\d_][\w'’-]*(?=\s?\Z)")
_WORD_AFTER = re.compile(r"\s?([^\W\d_][\w'’-]*)")
_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|\d+(?:[.,]\d+)*|[^\w\s]")
# How far before a currency word a spelled-out number may start ("one million two hundred and ...").
_NUMBER_WORDS_REACH = 80
_SCALES = frozenset({100, 1000, 1_000_000, 1_000_000_000})


def _money_matches(text: str) -> list[re.Match[str]]:
    windows: list[list[int]] = []
    for run in _NUMBER_RUN.finditer(text):
        start, end = max(0, run.start() - 5), min(len(text), run.end() + 30)
        if windows and start <= windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    return [match for start, end in windows for match in _MONEY.finditer(text, start, end)]


def _number(raw: str) -> Decimal | None:
    # A leading zero is never a thousands group: "0,999" is below one, whatever the three digits.
    decimal_mark = raw[1] if len(raw) > 1 and raw[0] == "0" and raw[1] in ".," else None
    return Price.fromstring(raw, decimal_separator=decimal_mark).amount


def _whole(value: Decimal) -> Decimal:
    """``value`` without a fractional part when it has none: "$1.2k" is 1200, not 1200.0."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _currency(name: str, default: str | None) -> str | None:
    if name == "$":
        return default if default in DOLLAR_CURRENCIES else "USD"
    if name == "kr":
        return default if default in KRONA_CURRENCIES else None
    if name == "peso":
        return default if default in PESO_CURRENCIES else None
    if name == "JPY" and default == "CNY":
        return "CNY"
    return name


def _currency_name(groups: dict[str, str | None]) -> str:
    """The code or family named by an amount in digits: its code, else its sign, else its word."""
    code = groups["code1"] or groups["code2"] or groups["code3"]
    sign = groups["sign"] or groups["sign3"]
    if code:  # "$ 300 USD": the code is the more precise
        return code.upper()
    if sign:
        return _SIGNS[sign.lower()]
    return _WORDS[" ".join(groups["word4"].lower().split())]


def _digit_amounts(text: str, default_currency: str | None) -> list[Money]:
    found: list[Money] = []
    for match in _money_matches(text):
        groups = match.groupdict()
        value = _number(groups["n1"] or groups["n2"] or groups["n3"] or groups["n4"])
        if value is None:
            continue
        word = groups["word4"]
        if word and word.lower() in _WEIGHTS and _WEIGHT_FOLLOWS.match(text, match.end()):
            continue
        if groups["k1"] or groups["k2"]:
            value = _whole(value * 1000)
        currency = _currency(_currency_name(groups), default_currency)
        found.append(Money(value, currency, match.group(), match.start(), match.end()))
    return found


class _Token:
    """A word, number or punctuation mark as text2num's ``find_numbers`` takes it, with its offsets."""

    __slots__ = ("word", "start", "end")

    def __init__(self, match: re.Match[str]) -> None:
        self.word, self.start, self.end = match.group(), match.start(), match.end()

    def text(self) -> str:
        return self.word

    def nt_separated(self, previous: _Token) -> bool:
        return False

    def not_a_number_part(self) -> bool:
        return False


@functools.lru_cache(maxsize=4096)
def _number_word_languages(word: str) -> tuple[str, ...]:
    """The languages in which ``word`` is a number; cached, since the same few words sit before a "$"."""
    languages = []
    for language in NUMBER_WORD_LANGUAGES:
        try:
            text2num(word, language)
        except ValueError:
            continue
        languages.append(language)
    return tuple(languages)


def _spelled_number(
    tokens: list[_Token], languages: tuple[str, ...], at_end: bool
) -> tuple[int, int, Decimal] | None:
    """The longest number read in ``tokens`` that ends at the last token (or starts at the first one).

    Returns the first and last token index and the value. A scale word right after digits multiplies
    them: "2 thousand dollars" is 2000, not 1000.
    """
    best: tuple[int, int, Decimal] | None = None
    for language in languages:
        for found in find_numbers(tokens, language):
            if found.is_ordinal or (found.end != len(tokens) if at_end else found.start != 0):
                continue
            if best is None or found.end - found.start > best[1] - best[0] + 1:
                best = (found.start, found.end - 1, Decimal(found.text))
    if best is None:
        return None
    first, last, value = best
    if first > 0 and last == first and value in _SCALES and tokens[first - 1].word[0].isdigit():
        digits = _number(tokens[first - 1].word)
        if digits is not None:
            return first - 1, last, _whole(digits * value)
    return best


def _is_word_character(text: str, index: int) -> bool:
    return 0 <= index < len(text) and (text[index].isalnum() or text[index] == "_")


def _currency_mentions(text: str) -> list[tuple[int, int, str, bool]]:
    """Every currency word, code or sign standing alone in ``text``: start, end, name, and whether a word."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few letters ("İ") lower-case to two characters: keep offsets
        lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    found = []
    for match in _CURRENCY_WORD.finditer(lowered):
        start, end = match.span()
        if _is_word_character(lowered, start - 1) or _is_word_character(lowered, end):
            continue
        if match.group() in _WEIGHTS and _WEIGHT_FOLLOWS.match(lowered, end):
            continue
        found.append((start, end, _WORDS[match.group()], True))
    for match in _CODE_OR_SIGN.finditer(text):
        start, end = match.span()
        form = match.group()
        if form[0].isalpha() and _is_word_character(text, start - 1):
            continue
        if form[-1].isalpha() and _is_word_character(text, end):
            continue
        found.append((start, end, form if form in CODES else _SIGNS[form.lower()], False))
    return found


def _number_before(text: str, start: int) -> tuple[int, Decimal] | None:
    """The spelled-out number ending right before ``start``: where it starts, and its value."""
    word = _WORD_BEFORE.search(text, max(0, start - 40), start)
    languages = _number_word_languages(word.group()) if word else ()
    if not languages:
        return None
    reach = max(0, word.start() - _NUMBER_WORDS_REACH)
    if reach:  # start at a word
        reach = text.find(" ", reach, word.start()) + 1 or word.start()
    tokens = [_Token(token) for token in _TOKEN.finditer(text, reach, word.end())]
    number = _spelled_number(tokens, languages, at_end=True)
    return (tokens[number[0]].start, number[2]) if number else None


def _number_after(text: str, end: int) -> tuple[int, Decimal] | None:
    """The spelled-out number starting right after ``end`` ("€ zwanzig"): where it ends, and its value."""
    word = _WORD_AFTER.match(text, end)
    languages = _number_word_languages(word.group(1)) if word else ()
    if not languages:
        return None
    reach = min(len(text), word.start(1) + _NUMBER_WORDS_REACH)
    tokens = [_Token(token) for token in _TOKEN.finditer(text, word.start(1), reach)]
    number = _spelled_number(tokens, languages, at_end=False)
    return (tokens[number[1]].end, number[2]) if number else None


def _word_amounts(text: str, default_currency: str | None) -> list[Money]:
    found: list[Money] = []
    for start, end, name, is_word in _currency_mentions(text):
        before = _number_before(text, start)
        after = None if before or is_word else _number_after(text, end)
        if before:
            start, value = before
        elif after:
            end, value = after
        else:
            continue
        found.append(Money(value, _currency(name, default_currency), text[start:end], start, end))
    return found


def find_amounts(text: str, default_currency: str | None = None) -> list[Money]:
    """Every amount of money in ``text``, in order of appearance, with offsets into ``text`` itself.

    ``default_currency`` only settles signs shared by several currencies ("$", "kr", "pesos"); a "$"
    with no dollar default is USD, and "kr" or "pesos" with none stay None. A bare number is never money.
    """
    found = _digit_amounts(text, default_currency)
    for money in _word_amounts(text, default_currency):
        if all(money.end <= other.start or other.end <= money.start for other in found):
            found.append(money)
    return sorted(found, key=lambda money: money.start)
