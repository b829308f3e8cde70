"""Personal data out of a customer's words: emails, phone numbers, order and account numbers and the
contact's name go; amounts, dates and the rest of the sentence stay."""

from __future__ import annotations

import pytest

from handoff.review.masking import PersonalData, personal_data_mask

PERSON = PersonalData(name="María García", collected=("RW12345678",), order_pattern=r"RW\d{8}")


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("mail me at maria.g+shop@example.co.uk", "mail me at [email]"),
        ("call +44 20 7946 0958 or (312) 555-0199", "call [phone] or [phone]"),
        ("mein Handy: 030 12345678", "mein Handy: [phone]"),
        (
            "order RW12345678 and account 98765432 never came",
            "order [number] and account [number] never came",
        ),
        ("ticket #123456 and code A-12345", "ticket [number] and code [number]"),
        ("MARIA here, maria garcia, not Mariam", "[name] here, [name] [name], not Mariam"),
        ("refund 240 euros or €12500 or 12500 EUR", "refund 240 euros or €12500 or 12500 EUR"),
        ("it was 1,250.50 dollars on 05/03/2026 in 2024", "it was 1,250.50 dollars on 05/03/2026 in 2024"),
        ("talk to a human please", "talk to a human please"),
    ],
)
def test_what_is_masked_and_what_stays(text, masked):
    assert personal_data_mask(text, PERSON) == masked
    assert personal_data_mask(masked, PERSON) == masked  # masking again changes nothing


def test_a_broken_order_pattern_still_masks_the_rest():
    broken = PersonalData(order_pattern="RW(")
    assert personal_data_mask("order RW12345678, mail a@b.io", broken) == "order [number], mail [email]"
