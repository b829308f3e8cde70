from decimal import Decimal

import pytest

from handoff.amounts import Money, find_amounts


@pytest.mark.parametrize(
    ("text", "amount", "currency", "matched"),
    [
        ("$1,250", "1250", "USD", "$1,250"),
        ("I paid $450 for it", "450", "USD", "$450"),
        ("it was $35.50", "35.50", "USD", "$35.50"),
        ("300 dollars", "300", "USD", "300 dollars"),
        ("3 bucks", "3", "USD", "3 bucks"),
        ("300 USD", "300", "USD", "300 USD"),
        ("it was 300usd", "300", "USD", "300usd"),
        ("USD 99.99", "99.99", "USD", "USD 99.99"),
        ("$ 300 USD", "300", "USD", "$ 300 USD"),
        ("€260", "260", "EUR", "€260"),
        ("260 €", "260", "EUR", "260 €"),
        ("260 euros", "260", "EUR", "260 euros"),
        ("1.250,00 €", "1250.00", "EUR", "1.250,00 €"),
        ("10.000,50 EUR", "10000.50", "EUR", "10.000,50 EUR"),
        ("1,5 €", "1.5", "EUR", "1,5 €"),
        ("I paid 1 250 €", "1250", "EUR", "1 250 €"),
        ("£40", "40", "GBP", "£40"),
        ("40 pounds", "40", "GBP", "40 pounds"),
        ("CA$ 20", "20", "CAD", "CA$ 20"),
        ("A$15", "15", "AUD", "A$15"),
        ("¥5000", "5000", "JPY", "¥5000"),
        ("CHF 80", "80", "CHF", "CHF 80"),
        ("$1.2k", "1200", "USD", "$1.2k"),
        ("$3k", "3000", "USD", "$3k"),
        ("$1,250.00", "1250.00", "USD", "$1,250.00"),
    ],
)
def test_find_amounts_reads_each_format(text, amount, currency, matched):
    (money,) = find_amounts(text)

    assert (money.amount, money.currency, money.text) == (Decimal(amount), currency, matched)


@pytest.mark.parametrize(
    "text",
    [
        "order LL-204518",
        "Standard shipping takes 3 to 5 business days",
        "Orders placed before 2pm ship the same day",
        "I bought 2 lamps and 300 candles",
        "10% off your first order",
        "40 pounds of flour",
        "my phone is 555 0123",
        "version 1.250 of the app",
        "",
    ],
)
def test_find_amounts_ignores_numbers_without_a_currency(text):
    assert find_amounts(text) == []


def test_find_amounts_returns_every_amount_with_offsets():
    text = "Express costs $14.99 and shipping is free over $75."

    assert find_amounts(text) == [
        Money(amount=Decimal("14.99"), currency="USD", text="$14.99", start=14, end=20),
        Money(amount=Decimal("75"), currency="USD", text="$75", start=47, end=50),
    ]


def test_find_amounts_offsets_slice_the_original_text():
    text = "Refund 1.250,00 € and £40 please"

    for money in find_amounts(text):
        assert text[money.start : money.end] == money.text


@pytest.mark.parametrize(
    ("text", "default", "currency"),
    [
        ("$20", None, "USD"),
        ("$20", "CAD", "CAD"),
        ("$20", "EUR", "USD"),
        ("20 dollars", "AUD", "AUD"),
        ("12 kr", None, None),
        ("12 kr", "SEK", "SEK"),
        ("5.000 pesos", None, None),
        ("5.000 pesos", "MXN", "MXN"),
        ("€20", "USD", "EUR"),
        ("¥100", "CNY", "CNY"),
    ],
)
def test_default_currency_only_settles_shared_signs(text, default, currency):
    (money,) = find_amounts(text, default_currency=default)

    assert money.currency == currency


def test_space_grouping_is_not_read_before_a_currency_word():
    (money,) = find_amounts("I ordered 3 250 dollar lamps")

    assert (money.amount, money.text) == (Decimal("250"), "250 dollar")
