"""Handoff signals: what the model (or a rule, or Claude) saw in one customer message.

``detect`` turns the model's per-label probabilities into ``Signal`` values by the agreed mapping:

- person -> explicit_request (category "person");
- billing_dispute, complaint, legal, account_security, account_cancellation -> sensitive_topic
  (category = the label);
- frustrated -> negative_sentiment; dissatisfied -> repeated_failure;
- refund_request is not a handoff by itself: it opens the refund-amount rule, which looks for an amount
  above the bot's limit in this message and, through ``DetectionContext.refund_requested``, in later
  ones ("I want my money back" ... "it was 240 euros").

A signal only says something fired; ``handoff.detection.decision`` picks the one handoff. Nothing here
touches the database; the model is loaded once per process (``handoff.detection.store``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from handoff.amounts import find_amounts
from helpdesk.reasons import DETECTED_REASONS, HandoffReason

if TYPE_CHECKING:
    from handoff.detection.model import Analysis, Detector

# The reasons, from the one vocabulary (plain strings here: signals are compared and serialised as such).
EXPLICIT_REQUEST = HandoffReason.EXPLICIT_REQUEST.value
SENSITIVE_TOPIC = HandoffReason.SENSITIVE_TOPIC.value
NEGATIVE_SENTIMENT = HandoffReason.NEGATIVE_SENTIMENT.value
REPEATED_FAILURE = HandoffReason.REPEATED_FAILURE.value
BOT_ERROR = HandoffReason.BOT_ERROR.value
LOW_CONFIDENCE = HandoffReason.LOW_CONFIDENCE.value
HANDOFF_REASONS: tuple[str, ...] = tuple(str(reason) for reason in DETECTED_REASONS)
REFUND_REQUEST = "refund_request"
REFUND_OVER_AMOUNT = "refund_over_amount"

# The model's labels and the handoff reason each one raises ("" = not a handoff by itself).
LABEL_REASON: dict[str, str] = {
    "person": EXPLICIT_REQUEST,
    "billing_dispute": SENSITIVE_TOPIC,
    "complaint": SENSITIVE_TOPIC,
    "legal": SENSITIVE_TOPIC,
    "account_security": SENSITIVE_TOPIC,
    "account_cancellation": SENSITIVE_TOPIC,
    "refund_request": "",
    "frustrated": NEGATIVE_SENTIMENT,
    "dissatisfied": REPEATED_FAILURE,
}
SENSITIVE_CATEGORIES = frozenset(label for label, reason in LABEL_REASON.items() if reason == SENSITIVE_TOPIC)
# The sensitive categories every bot starts with, as (name, label) for its rule rows in admin.
BUILTIN_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("billing_dispute", "billing dispute"),
    ("complaint", "complaint"),
    ("legal", "legal"),
    ("account_security", "account security"),
    ("account_cancellation", "account cancellation"),
)


@dataclass(frozen=True)
class Signal:
    """One reason to hand off, with what an agent needs to trust it.

    ``probability`` is the model's (None for a rule, which is certain); ``evidence`` is the words of the
    message that carried the signal, or the matched phrase; ``rule`` names the rule or "model".
    """

    reason: str
    category: str
    probability: float | None = None
    evidence: str = ""
    rule: str = "model"
    source: str = "model"  # "model" | "rule" | "assistant" | "turn"
    amount: str | None = None  # Decimal as string, for the refund-amount rule
    currency: str | None = None


@dataclass(frozen=True)
class SensitiveRule:
    """An admin's rule of a bot: ``keywords`` (phrases, any case, whole words) and ``patterns`` (regular
    expressions, case-insensitive, matched against the folded text). A match is a sensitive topic with
    the rule's name as its category (see ``handoff.detection.floor``)."""

    name: str
    label: str
    keywords: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    enabled: bool = True


@dataclass(frozen=True)
class DetectionContext:
    """What earlier turns tell about this one."""

    refund_requested: bool = False  # an earlier customer message asked for a refund (see module docstring)


@dataclass(frozen=True)
class DetectionSettings:
    """The bot's switches. A reason turned off raises no signal; ``thresholds`` override the model's own
    per-label thresholds (chosen on held-out domains) for a bot that wants to be stricter or looser."""

    explicit_request: bool = True
    sensitive_topic: bool = True
    negative_sentiment: bool = True
    repeated_failure: bool = True
    sensitive_categories: frozenset[str] = SENSITIVE_CATEGORIES
    refund_handoff_amount: Decimal | None = Decimal("100")  # None disables the refund-amount rule
    currency: str = "USD"
    thresholds: dict[str, float] = field(default_factory=dict)
    rules: tuple[SensitiveRule, ...] = ()  # the admin's own keyword rules (the rule floor)
    # The turn's conditions (``handoff.detection.decision.TurnState``).
    low_confidence: bool = True
    confidence_threshold: float = 0.35
    max_unresolved_turns: int = 3  # 0 disables the count

    def allows(self, reason: str, category: str) -> bool:
        if reason == SENSITIVE_TOPIC and category in SENSITIVE_CATEGORIES:
            return self.sensitive_topic and category in self.sensitive_categories
        return bool(getattr(self, reason, False))


def quote(text: str, limit: int = 120) -> str:
    """``text`` on one line, cut with an ellipsis past ``limit`` characters (how evidence quotes)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _evidence(text: str, words: list[str]) -> str:
    """The words that carried the signal, in message order (the whole message when nothing stands out)."""
    return quote(" ".join(words) if words else text)


def refund_requested(scores: dict[str, float], thresholds: dict[str, float]) -> bool:
    """Whether the message asks for money back (the state a caller keeps in ``DetectionContext``)."""
    return scores.get(REFUND_REQUEST, 0.0) >= thresholds.get(REFUND_REQUEST, 1.01)


def refund_over_amount(text: str, settings: DetectionSettings) -> Signal | None:
    """The largest amount above the bot's refund limit in ``text``, as a sensitive-topic signal.

    Amounts in another currency are compared at face value, as the rule floor does: a refund in a
    currency the shop does not charge in deserves a person's eyes anyway.
    """
    limit = settings.refund_handoff_amount
    if limit is None or not settings.sensitive_topic:
        return None
    over = [money for money in find_amounts(text, default_currency=settings.currency) if money.amount > limit]
    if not over:
        return None
    money = max(over, key=lambda m: m.amount)
    return Signal(
        reason=SENSITIVE_TOPIC,
        category=REFUND_OVER_AMOUNT,
        evidence=money.text,
        rule=REFUND_OVER_AMOUNT,
        source="rule",
        amount=str(money.amount),
        currency=money.currency or settings.currency,
    )


def signals_from_analysis(
    text: str,
    analysis: Analysis,
    context: DetectionContext,
    settings: DetectionSettings,
    detector: Detector,
) -> list[Signal]:
    """The model's signals of one message given its analysis (``detector`` supplies thresholds and the
    evidence words). In ``LABEL_REASON`` order, one per fired label, then the refund-amount rule when
    this message or an earlier one (``context``) asks for money back."""
    scores = analysis.scores
    thresholds = {**detector.thresholds, **settings.thresholds}
    fired = [
        label
        for label, reason in LABEL_REASON.items()
        if reason and scores[label] >= thresholds[label] and settings.allows(reason, label)
    ]
    spans = detector.evidence(text, analysis, fired)
    signals = [
        Signal(
            reason=LABEL_REASON[label],
            category=label,
            probability=scores[label],
            evidence=_evidence(text, spans[label]),
        )
        for label in fired
    ]
    if context.refund_requested and (signal := refund_over_amount(text, settings)) is not None:
        signals.append(signal)
    return signals
