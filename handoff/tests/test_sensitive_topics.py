"""The default sensitive-topic rules (``handoff.phrases``) and the refund-over-amount check."""

from decimal import Decimal

import pytest

from handoff.tests.samples import NOT_SENSITIVE, SENSITIVE
from handoff.triggers import SensitiveRule, TriggerSettings, inline_hits

DEFAULTS = TriggerSettings()


def reasons(text: str, settings: TriggerSettings = DEFAULTS) -> list[tuple[str, str]]:
    return [(hit.reason, hit.rule) for hit in inline_hits(text, settings)]


@pytest.mark.parametrize(("text", "rule", "matched"), SENSITIVE)
def test_sensitive_rule_fires(text, rule, matched):
    hits = [hit for hit in inline_hits(text, DEFAULTS) if hit.reason == "sensitive_topic"]

    assert (hits[0].rule, hits[0].matched) == (rule, matched)


@pytest.mark.parametrize("text", NOT_SENSITIVE)
def test_sensitive_rules_do_not_fire(text):
    assert [hit for hit in inline_hits(text, DEFAULTS) if hit.reason == "sensitive_topic"] == []


def test_unauthorized_charge_is_billing_not_security():
    assert reasons("There's an unauthorized charge on my card") == [("sensitive_topic", "billing_dispute")]


def test_a_lawyer_is_a_legal_threat_only_when_brought_in():
    assert reasons("a desk lamp for my lawyer's office") == []
    assert reasons("I'm going to contact my lawyer about this") == [("sensitive_topic", "legal")]


def test_disabled_rules_do_not_fire_and_custom_rules_do():
    custom = (
        SensitiveRule("billing_dispute", "billing dispute", ("charged twice",), enabled=False),
        SensitiveRule(
            "safety", "product safety", ("caught fire", "réclamation"), (r"\bburn(?:ed|t)\s+my\b",)
        ),
    )
    settings = TriggerSettings(sensitive_rules=custom)

    assert reasons("You charged me twice", settings) == []
    assert reasons("The lamp caught fire!", settings) == [("sensitive_topic", "safety")]
    assert reasons("it burnt my hand", settings) == [("sensitive_topic", "safety")]
    assert reasons("Je fais une RECLAMATION", settings) == [("sensitive_topic", "safety")]


def test_an_invalid_admin_pattern_is_skipped_and_the_rest_still_work():
    rule = SensitiveRule("broken", "broken", ("lawsuit",), ("(unclosed",))

    assert reasons("a lawsuit", TriggerSettings(sensitive_rules=(rule,))) == [("sensitive_topic", "broken")]


@pytest.mark.parametrize(
    ("text", "currency", "amount"),
    [
        ("I need a refund of $450 for the oak dining table, order LL-553201", "USD", "450"),
        ("I want my 300 dollars back, refund please", "USD", "300"),
        ("Please refund €260", "EUR", "260"),
        ("Refund of 1.250,00 € please", "EUR", "1250.00"),
        ("I want a refund of £150", "USD", "150"),  # another currency: compared at face value
        ("refund $100.01", "USD", "100.01"),
        ("Can I get my money back, it was $1,250?", "USD", "1250"),
        ("When will my $450 refund arrive?", "USD", "450"),
        ("I want my $250 back", "USD", "250"),
        ("I want £190 back", "GBP", "190"),
        ("Give me back the £150 you took", "GBP", "150"),
        ("I want the £150 returned to my account", "GBP", "150"),
        ("I expect a refund of $1.2k for the payments that failed", "USD", "1200"),
        ("Ich will eine Rückerstattung von 320 € für das Zelt", "EUR", "320"),
        ("I want a refund for a $35 cushion cover, how do I do that?", "USD", None),
        ("refund $100", "USD", None),
        ("I paid $450 for the table. How do refunds work?", "USD", None),
        ("Can I get my money back? It was $1,250", "USD", None),
        ("I don't want a refund of $450, I want a replacement", "USD", None),
        ("The table cost $450", "USD", None),
        ("I want my bike back, it cost $900", "USD", None),
    ],
)
def test_refund_over_amount(text, currency, amount):
    hits = [
        h for h in inline_hits(text, TriggerSettings(currency=currency)) if h.rule == "refund_over_amount"
    ]

    assert (hits[0].amount if hits else None) == amount


def test_refund_rule_is_off_without_an_amount():
    settings = TriggerSettings(refund_handoff_amount=None)

    assert reasons("I need a refund of $450", settings) == []


def test_refund_hit_evidence():
    (hit,) = inline_hits("I need a refund of $450 for the oak dining table", DEFAULTS)

    assert hit.as_evidence() == {
        "reason": "sensitive_topic",
        "rule": "refund_over_amount",
        "matched": "$450",
        "explanation": 'Refund of 450 USD mentioned, above the 100 USD handoff amount: "$450"',
        "score": None,
        "amount": "450",
        "currency": "USD",
    }


def test_default_refund_amount_is_a_decimal():
    assert DEFAULTS.refund_handoff_amount == Decimal("100")
