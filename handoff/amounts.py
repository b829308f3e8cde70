"""Money mentioned in a customer's message: "$1,250", "300 USD", "€260", "1.250,00 €", "40 pounds".

A number is money only when a currency sign, code or word stands next to it: "order LL-204518",
"3 to 5 business days" and "2pm" are not. "1,250.00", "1.250,00" and "1 250 €" are all one thousand two
hundred and fifty: a single separator followed by exactly three digits groups thousands, otherwise it
is the decimal point. Shared by the refund trigger and the chatbot's collected fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str | None  # ISO code ("USD", "EUR", "GBP", ...) or None when the text names none
    text: str  # the matched text
    start: int
    end: int


DOLLAR_CURRENCIES = frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "TWD", "MXN"})
KRONA_CURRENCIES = frozenset({"SEK", "NOK", "DKK", "ISK"})
PESO_CURRENCIES = frozenset({"MXN", "ARS", "CLP", "COP", "PHP", "UYU"})
CODES = (
    "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "JPY", "CNY", "INR", "SEK", "NOK", "DKK", "ISK", "PLN",
    "CZK", "HUF", "BRL", "MXN", "SGD", "HKD", "ZAR", "TWD", "ARS", "CLP", "COP",
)  # fmt: skip

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
    "chf": "CHF",
}
_WORDS = {
    "dollar": "$",
    "buck": "$",
    "dolar": "$",
    "dólar": "$",
    "euro": "EUR",
    "pound": "GBP",
    "quid": "GBP",
    "franc": "CHF",
    "yen": "JPY",
    "rupee": "INR",
    "peso": "peso",
    "kr": "kr",
    "kronor": "kr",
    "kroner": "kr",
    "krona": "kr",
    "krone": "kr",
}

_NUMBER = r"\d{1,3}(?:[,.'\u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d{1,2})?(?![\d.,]?\d)"
# "1 250 €" groups thousands with a plain space; before a word ("2 100 dollar lamps") that would misread.
_SPACED_NUMBER = r"\d{1,3}(?: \d{3})+(?:[.,]\d{1,2})?(?!\d)|" + _NUMBER
_SIGN = r"US\$|CA\$|C\$|AU\$|A\$|NZ\$|HK\$|S\$|R\$|\$|€|£|¥|₹|CHF"
_CODE = "|".join(CODES)
_WORD = (
    r"dollars?|bucks?|d[oó]lar(?:es)?|euros?|pounds?(?:\s+sterling)?(?!\s+of\b)|quid|francs?|yen|rupees?"
    r"|pesos?|kr|kronor|kroner|krona|krone"
)

_MONEY = re.compile(
    rf"(?<![\w$])(?P<sign>{_SIGN})\s?(?P<n1>{_NUMBER})(?P<k1>k\b)?(?:\s?(?P<code1>{_CODE})\b)?"
    rf"|(?<![\w.,])(?P<code2>{_CODE})\s?(?P<n2>{_NUMBER})(?P<k2>k\b)?"
    rf"|(?<![\w.,-])(?P<n3>{_SPACED_NUMBER})\s?(?:(?P<sign3>€|£|\$|¥|₹)|(?P<code3>{_CODE})\b)"
    rf"|(?<![\w.,-])(?P<n4>{_NUMBER})\s?(?P<word4>{_WORD})\b",
    re.IGNORECASE,
)


# Every amount has a digit: the full expression only runs around numbers, a few characters either side
# (enough for "CHF " before and " pounds sterling" after), not at every position of a long message.
_NUMBER_RUN = re.compile(r"\d[\d,.' \u00a0\u202f]*")


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
    digits = raw
    for grouping in "' \u00a0\u202f":
        digits = digits.replace(grouping, "")
    if "," in digits and "." in digits:
        decimal_mark = "," if digits.rfind(",") > digits.rfind(".") else "."
        digits = digits.replace("." if decimal_mark == "," else ",", "").replace(",", ".")
    elif "," in digits or "." in digits:
        mark = "," if "," in digits else "."
        head, _, tail = digits.rpartition(mark)
        if digits.count(mark) > 1 or (len(tail) == 3 and head.lstrip("0")):
            digits = digits.replace(mark, "")
        else:
            digits = digits.replace(",", ".")
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


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


def _word_currency(word: str) -> str:
    word = word.lower().split()[0]
    for stem in (word, word.rstrip("s"), word.removesuffix("es")):
        if stem in _WORDS:
            return _WORDS[stem]
    return "$"


def find_amounts(text: str, default_currency: str | None = None) -> list[Money]:
    """Every amount of money in ``text``, in order of appearance.

    ``default_currency`` only settles signs shared by several currencies ("$", "kr", "pesos"); a "$"
    with no dollar default is USD, and "kr" or "pesos" with none stay None. A bare number is never money.
    """
    found: list[Money] = []
    for match in _money_matches(text):
        groups = match.groupdict()
        raw = groups["n1"] or groups["n2"] or groups["n3"] or groups["n4"]
        value = _number(raw)
        if value is None:
            continue
        if groups["k1"] or groups["k2"]:
            value *= 1000
            if value == value.to_integral_value():
                value = value.quantize(Decimal(1))
        if groups["sign"]:
            code = groups["code1"]
            name = code.upper() if code else _SIGNS[groups["sign"].lower()]
        elif groups["code2"] or groups["code3"]:
            name = (groups["code2"] or groups["code3"]).upper()
        elif groups["sign3"]:
            name = _SIGNS[groups["sign3"]]
        else:
            name = _word_currency(groups["word4"])
        found.append(
            Money(
                amount=value,
                currency=_currency(name, default_currency),
                text=match.group(),
                start=match.start(),
                end=match.end(),
            )
        )
    return found
