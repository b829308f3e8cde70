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
        ("2.300,50 €", "2300.50", "EUR", "2.300,50 €"),
        ("€ 2.300,50", "2300.50", "EUR", "€ 2.300,50"),
        ("1'250 CHF", "1250", "CHF", "1'250 CHF"),
        ("1,250.50 USD", "1250.50", "USD", "1,250.50 USD"),
        ("R$ 1.250,00", "1250.00", "BRL", "R$ 1.250,00"),
        ("0,99 €", "0.99", "EUR", "0,99 €"),
        ("30 quid", "30", "GBP", "30 quid"),
        ("200 reais", "200", "BRL", "200 reais"),
        ("20 złoty", "20", "PLN", "20 złoty"),
        ("150 kronor", "150", None, "150 kronor"),
        ("50 lira", "50", "TRY", "50 lira"),
        ("100 рублей", "100", "RUB", "100 рублей"),
        ("80 francs", "80", "CHF", "80 francs"),
        ("2 thousand dollars", "2000", "USD", "2 thousand dollars"),
        ("1.5 million euros", "1500000", "EUR", "1.5 million euros"),
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
        "five pounds of flour",
        "40 libras de harina",
        "I have one question about the euro",
        "two orders, three days, one refund",
        "She said twenty times that the dollar is weak",
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


@pytest.mark.parametrize(
    ("text", "amount", "currency", "matched"),
    [
        ("I paid six hundred pounds for it", "600", "GBP", "six hundred pounds"),
        ("I want two hundred and forty euros back", "240", "EUR", "two hundred and forty euros"),
        ("it was twenty-five dollars", "25", "USD", "twenty-five dollars"),
        ("a hundred bucks", "100", "USD", "hundred bucks"),
        ("Quiero doscientos cuarenta euros", "240", "EUR", "doscientos cuarenta euros"),
        ("me cobraron quinientos dólares", "500", "USD", "quinientos dólares"),
        ("Ich möchte zweihundert Euro zurück", "200", "EUR", "zweihundert Euro"),
        ("zweihundertfünfzig Franken", "250", "CHF", "zweihundertfünfzig Franken"),
        ("J'ai payé trois cents euros", "300", "EUR", "trois cents euros"),
        ("quatre-vingt-dix euros", "90", "EUR", "quatre-vingt-dix euros"),
        ("ho pagato duecentocinquanta euro", "250", "EUR", "duecentocinquanta euro"),
        ("paguei seiscentos reais", "600", "BRL", "seiscentos reais"),
        ("mil e duzentos euros", "1200", "EUR", "mil e duzentos euros"),
        ("ik heb tweehonderd euro betaald", "200", "EUR", "tweehonderd euro"),
        ("€ zwanzig", "20", "EUR", "€ zwanzig"),
    ],
)
def test_find_amounts_reads_number_words(text, amount, currency, matched):
    (money,) = find_amounts(text)

    assert (money.amount, money.currency, money.text) == (Decimal(amount), currency, matched)


def test_number_word_offsets_slice_the_original_text():
    text = "Pedido 4471: quiero doscientos cuarenta euros y 2.300,50 € de vuelta."

    found = find_amounts(text)

    assert found == [
        Money(amount=Decimal("240"), currency="EUR", text="doscientos cuarenta euros", start=20, end=45),
        Money(amount=Decimal("2300.50"), currency="EUR", text="2.300,50 €", start=48, end=58),
    ]
    assert [text[money.start : money.end] for money in found] == [money.text for money in found]


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("Order 12345: refund €260 within 3 days", ["260"]),
        ("I bought 2 lamps for forty dollars", ["40"]),
        ("one, two hundred dollars", ["200"]),
        ("I got one $20 bill and 3 coins", ["20"]),
        ("2 chairs at €75 each, order LL-204518", ["75"]),
    ],
)
def test_amounts_next_to_other_numbers_take_only_the_money(text, amounts):
    assert [str(money.amount) for money in find_amounts(text)] == amounts


def test_dollar_words_follow_the_default_currency():
    (money,) = find_amounts("it cost eighty dollars", default_currency="CAD")

    assert (money.amount, money.currency) == (Decimal("80"), "CAD")
