"""Personal data out of a customer's words, before a reviewed conversation leaves the company's records
(the scenario export, the detector's training).

What is masked, each by a placeholder that says what was there, so the sentence still reads as a
customer wrote it:

- email addresses -> ``[email]``;
- phone numbers -> ``[phone]``: found by the ``phonenumbers`` library (Google's libphonenumber), which
  knows every country's numbering plan, as valid international numbers and valid national ones of a few
  common regions; a regular expression would take prices, dates and order numbers for phones;
- order and account numbers -> ``[number]``: the bot's own order-number pattern, and any run of five or
  more digits (with an optional short letter prefix such as ``RW12345678`` or ``A-12345``) that is not an
  amount of money (a currency sign or word next to it keeps it: the refund rule reads amounts);
- the contact's name -> ``[name]``: each word of it, as a whole word in any case, and what the
  conversation collected (email, phone, order number) wherever it appears verbatim.

Pure: the caller passes what it knows about the conversation. Masking twice changes nothing more.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

import phonenumbers

from helpdesk.text import fold_case, strip_accents

EMAIL, PHONE, NUMBER, NAME = "[email]", "[phone]", "[number]", "[name]"
# National numbers are read as numbers of these regions (international ones, with +, of any region).
PHONE_REGIONS = ("US", "GB", "DE", "FR", "ES", "IT", "NL")
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_CURRENCY_BEFORE = re.compile(r"(?:[$€£¥₹]|\b(?:eur|usd|gbp))\s?$", re.IGNORECASE)
_CURRENCY_AFTER = re.compile(
    r"^\s?(?:[$€£¥₹]|(?:eur(?:o|os)?|usd|gbp|dollars?|pounds?|bucks)\b)", re.IGNORECASE
)
_NUMBER = re.compile(r"(?<![\w.,])#?(?:[A-Za-z]{1,5}-?)?\d{5,}(?![\w]|[.,]\d)")
_NAME_WORD_MIN = 2


@dataclass(frozen=True)
class PersonalData:
    """What is known to be one customer's: their name, what the conversation collected, and the bot's
    order-number pattern (a regular expression, or empty)."""

    name: str = ""
    collected: tuple[str, ...] = ()
    order_pattern: str = ""


def _literal_masks(text: str, personal: PersonalData) -> str:
    for value in sorted({v.strip() for v in personal.collected if v and len(v.strip()) >= 4}, key=len)[::-1]:
        text = re.sub(
            re.escape(value), NUMBER if any(c.isdigit() for c in value) else EMAIL, text, flags=re.I
        )
    return text


def _phones(text: str) -> str:
    spans: set[tuple[int, int]] = set()
    for region in (None, *PHONE_REGIONS):
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            spans.add((match.start, match.end))
    for start, end in sorted(spans, reverse=True):
        if not text[start:end].startswith("["):
            text = text[:start] + PHONE + text[end:]
    return re.sub(r"(?:\[phone\]){2,}", PHONE, text)


def _order_numbers(text: str, pattern: str) -> str:
    if pattern:
        # An admin's broken pattern is skipped: the general rule below still applies.
        with contextlib.suppress(re.error):
            text = re.sub(pattern, NUMBER, text, flags=re.IGNORECASE)

    def number(match: re.Match) -> str:
        before, after = text[max(0, match.start() - 5) : match.start()], text[match.end() : match.end() + 9]
        is_amount = _CURRENCY_BEFORE.search(before) or _CURRENCY_AFTER.match(after)
        return match.group() if is_amount else NUMBER

    return _NUMBER.sub(number, text)


def _names(text: str, name: str) -> str:
    """Each word of the name, in any case and with or without its accents ("María" and "MARIA")."""
    words = {fold_case(strip_accents(w)) for w in re.findall(r"\w+", name) if len(w) >= _NAME_WORD_MIN}
    if not words:
        return text

    def word(match: re.Match) -> str:
        return NAME if fold_case(strip_accents(match.group())) in words else match.group()

    return re.sub(r"(?<![\w\[])\w+(?![\w\]])", word, text)


def personal_data_mask(text: str, personal: PersonalData = PersonalData()) -> str:
    """``text`` with the personal data listed in the module docstring replaced by placeholders."""
    text = _EMAIL.sub(EMAIL, text)
    text = _phones(text)
    text = _literal_masks(text, personal)
    text = _order_numbers(text, personal.order_pattern)
    return _names(text, personal.name)
