import pytest

from chatbot.extraction import extract_fields, luhn_valid, mask_card_numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my card is 4242 4242 4242 4242", "my card is **** **** **** 4242"),
        ("card 4000-0566-5566-5556 please", "card **** **** **** 5556 please"),
        ("4111111111111111", "**** **** **** 1111"),
        ("amex 3782 822463 10005.", "amex **** **** **** 0005."),
        ("4242 4242 4242 4242 cvc 123", "**** **** **** 4242 cvc 123"),
        ("4242 4242 4242 4242 123", "**** **** **** 4242 123"),
        ("two: 4242424242424242 and 5555 5555 5555 4444", "two: **** **** **** 4242 and **** **** **** 4444"),
    ],
)
def test_luhn_valid_card_numbers_are_masked_to_the_last_four(text, expected):
    assert mask_card_numbers(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "4242 4242 4242 4241",
        "call +1 415 555 2671",
        "order LL-204518",
        "delivered on 2024-05-01",
        "tracking 1Z999AA10123456784",
        "0000 0000 0000 0000",
        "refund of $1,234.56",
        "123456789012",
    ],
)
def test_other_numbers_are_left_alone(text):
    assert mask_card_numbers(text) == text


@pytest.mark.parametrize(
    ("digits", "valid"), [("4242424242424242", True), ("4242424242424241", False), ("", False)]
)
def test_luhn_checksum(digits, valid):
    assert luhn_valid(digits) is valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm ana.lopez+shop@example.co.uk.", {"email": "ana.lopez+shop@example.co.uk"}),
        ("order SP-12345 is late", {"order_number": "SP-12345"}),
        ("order sp-12345 is late", {"order_number": "sp-12345"}),
        ("order SP-123456 is late", {}),
        ("nothing useful here", {}),
    ],
)
def test_email_and_order_number(text, expected):
    assert extract_fields(text, order_number_pattern=r"SP-\d{5}") == expected


@pytest.mark.parametrize("pattern", [r"SP-(\d{5}", "[", r"(?P<x"])
def test_invalid_order_pattern_is_ignored(pattern):
    assert extract_fields("reach me at ana@example.org", order_number_pattern=pattern) == {
        "email": "ana@example.org"
    }


@pytest.mark.parametrize(
    ("text", "order_number"),
    [
        ("my order #55123 is late", "55123"),
        ("order number: AB-99812", "AB-99812"),
        ("my order arrived", None),
    ],
)
def test_without_a_pattern_announced_order_numbers_are_found(text, order_number):
    assert extract_fields(text).get("order_number") == order_number


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("call me on +44 20 7946 0958", "+44 20 7946 0958"),
        ("my number is +1 (415) 555-2671.", "+1 (415) 555-2671"),
        ("reach me at (415) 555-2671", "(415) 555-2671"),
        ("tel 0033 1 42 68 53 00", "0033 1 42 68 53 00"),
        ("+4915123456789", "+4915123456789"),
        ("my phone: 4155552671", "4155552671"),
        ("020 7946 0958 is my landline", "020 7946 0958"),
    ],
)
def test_international_and_announced_phone_numbers(text, phone):
    assert extract_fields(text)["phone"] == phone


@pytest.mark.parametrize(
    "text",
    [
        "order SP-12345",
        "it came on 2024-05-01",
        "delivered 01/05/2024",
        "card 4242 4242 4242 4242",
        "ticket 20240501 is still open",
        "order number 4155552671",
        "I paid 1250 for 3 chairs",
        "between 9am and 6pm",
    ],
)
def test_order_numbers_dates_cards_and_other_numbers_are_not_phones(text):
    assert "phone" not in extract_fields(text, order_number_pattern=r"SP-\d{5}")


@pytest.mark.parametrize(
    ("text", "currency", "amount"),
    [
        ("I need a refund of $450 for the table", "USD", "450.00 USD"),
        ("refund 35.5 EUR please", None, "35.50 EUR"),
        ("I paid £1,250 and then £20 shipping", None, "1250.00 GBP"),
        ("it cost 80 dollars", "CAD", "80.00 CAD"),
        ("200 kr for the lamp", None, "200.00"),
        ("3 to 5 business days", "USD", None),
    ],
)
def test_amount_is_the_largest_money_mentioned(text, currency, amount):
    assert extract_fields(text, default_currency=currency).get("amount") == amount


def test_every_field_at_once():
    text = (
        "Order SP-55321: refund $45.99 to ana@example.org, or call +1 415 555 2671. Card 4242 4242 4242 4242"
    )

    assert extract_fields(text, order_number_pattern=r"SP-\d{5}", default_currency="USD") == {
        "email": "ana@example.org",
        "order_number": "SP-55321",
        "amount": "45.99 USD",
        "phone": "+1 415 555 2671",
    }
