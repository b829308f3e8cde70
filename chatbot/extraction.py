"""Model-free extraction of what a customer tells us about themselves, and masking of card numbers.

The collected fields (email, phone, order number, amount) go into the agent's handoff context, so
an agent does not ask again. Card numbers must never be stored or sent to a model: `mask_card_numbers`
runs on every customer message before either happens.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from handoff.amounts import find_amounts

CARD_MASK = "**** **** **** "

# Digit groups separated by single spaces or dashes: "4242 4242 4242 4242", "4242-4242-...", "4242424242..."
_DIGIT_RUN = re.compile(r"(?<![\d.,])\d+(?:[ -]\d+)*(?![\d])")
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_PHONE = re.compile(r"(?<![\w#/.,-])(?:\+|00)?\s?(?:\(\d{1,5}\)\s?)?\d(?:[ .-]?\(?\d\)?)+(?![\w/-])")
_DATE = re.compile(r"\d{1,4}([./-])\d{1,2}\1\d{1,4}")
_PHONE_CUE = re.compile(
    r"\b(?:phone|call|tel|telephone|mobile|cell|whatsapp|text|sms|reach|number)\b", re.IGNORECASE
)
_OTHER_CUE = re.compile(
    r"\b(?:order|invoice|ticket|tracking|account|reference|ref|case|card|postcode|zip)(?:\s+(?:number|no|id))?\b",
    re.IGNORECASE,
)
_DEFAULT_ORDER = re.compile(
    r"\border\b\s*(?:number\b|no\.?|num\b|id\b|#)?\s*(?:is\s*)?[:#]?\s*([A-Z0-9][A-Z0-9-]{3,19})\b",
    re.IGNORECASE,
)


def luhn_valid(digits: str) -> bool:
    """The checksum every payment card number satisfies (and most other long numbers do not)."""
    if not digits.isdigit() or not digits.strip("0"):
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _card_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, digits) of each Luhn-valid 13-19 digit card number, separators allowed.

    A run of digit groups may hold more than a card ("4242 4242 4242 4242 123", card and security
    code), so the longest valid leading span of groups is taken, then the search goes on after it.
    """
    spans = []
    for run in _DIGIT_RUN.finditer(text):
        groups = list(re.finditer(r"\d+", run.group()))
        i = 0
        while i < len(groups):
            for j in range(len(groups), i, -1):
                digits = "".join(g.group() for g in groups[i:j])
                if 13 <= len(digits) <= 19 and luhn_valid(digits):
                    spans.append((run.start() + groups[i].start(), run.start() + groups[j - 1].end(), digits))
                    i = j
                    break
            else:
                i += 1
    return spans


def mask_card_numbers(text: str) -> str:
    """Replace each card number by "**** **** **** " and its last four digits; other numbers stay."""
    for start, end, digits in reversed(_card_spans(text)):
        text = text[:start] + CARD_MASK + digits[-4:] + text[end:]
    return text


@lru_cache(maxsize=256)
def _order_regex(pattern: str) -> re.Pattern[str] | None:
    """The bot's order-number pattern as whole words, or None when it is blank or not a valid regex."""
    if not pattern:
        return None
    try:
        return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.IGNORECASE)
    except re.error:
        return None


def _order_match(text: str, pattern: str) -> tuple[str, int, int] | None:
    regex = _order_regex(pattern)
    if regex is not None:
        match = regex.search(text)
        return (match.group(), match.start(), match.end()) if match else None
    for match in _DEFAULT_ORDER.finditer(text):
        if any(c.isdigit() for c in match.group(1)):
            return match.group(1), match.start(1), match.end(1)
    return None


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end in spans)


def _phone(text: str, taken: list[tuple[int, int]]) -> str:
    """The first phone number, or "": international ("+44 20 7946 0958", "0044 ..."), grouped
    ("(415) 555-2671") or announced ("call me on 4155552671"). Dates, amounts, card and order numbers,
    and numbers announced as something else ("ticket 12345678") are not phones.
    """
    for match in _PHONE.finditer(text):
        candidate = match.group().strip(" .-")
        start = match.start() + match.group().index(candidate)
        end = start + len(candidate)
        digits = re.sub(r"\D", "", candidate)
        if not 7 <= len(digits) <= 15 or _DATE.fullmatch(candidate) or _overlaps(start, end, taken):
            continue
        before = text[max(0, start - 40) : start]
        cue = list(_PHONE_CUE.finditer(before))
        other = list(_OTHER_CUE.finditer(before))
        if other and (not cue or other[-1].end() >= cue[-1].end()):
            continue
        international = candidate.startswith(("+", "00"))
        grouped = len(re.findall(r"\d+", candidate)) >= 3 or "(" in candidate
        if international and len(digits) >= 8 or cue or grouped and len(digits) >= 9:
            return " ".join(candidate.split())
    return ""


def _format_amount(amount: Decimal, currency: str | None) -> str:
    value = f"{amount.quantize(Decimal('0.01')):f}"
    return f"{value} {currency}" if currency else value


def extract_fields(
    text: str, *, order_number_pattern: str = "", default_currency: str | None = None
) -> dict[str, str]:
    """Fields found in one customer message: any of "email", "phone", "order_number", "amount".

    The order number uses the bot's regular expression (matched case-insensitively, as whole words);
    an invalid one is ignored, and without one "order #12345"-style mentions are recognised. Of several
    amounts the largest is kept, since it is the one a refund threshold cares about ("450.00 USD").
    """
    fields: dict[str, str] = {}
    taken: list[tuple[int, int]] = [(start, end) for start, end, _ in _card_spans(text)]
    email = _EMAIL.search(text)
    if email:
        fields["email"] = email.group().rstrip(".")
        taken.append(email.span())
    order = _order_match(text, order_number_pattern)
    if order:
        fields["order_number"] = order[0]
        taken.append((order[1], order[2]))
    amounts = find_amounts(text, default_currency=default_currency)
    if amounts:
        largest = max(amounts, key=lambda money: money.amount)
        fields["amount"] = _format_amount(largest.amount, largest.currency)
        taken.extend((money.start, money.end) for money in amounts)
    phone = _phone(text, taken)
    if phone:
        fields["phone"] = phone
    return fields
