"""The one vocabulary of why a conversation goes to a person: stored on conversations, handoffs and
tickets, raised by the detector, named in scenario files and shown to agents with its label. A plain
module (no models), so the detector can use it without the database."""

from django.db import models


class HandoffReason(models.TextChoices):
    """Why a conversation went to a person."""

    EXPLICIT_REQUEST = "explicit_request", "Asked for a person"
    SENSITIVE_TOPIC = "sensitive_topic", "Sensitive topic"
    NEGATIVE_SENTIMENT = "negative_sentiment", "Negative sentiment"
    REPEATED_FAILURE = "repeated_failure", "Repeated failure"
    LOW_CONFIDENCE = "low_confidence", "Low confidence"
    BOT_ERROR = "bot_error", "Bot error"
    AGENT_TAKEOVER = "agent_takeover", "Agent took over"
    API = "api", "Requested through the API"


# The reasons the detector can raise from what a customer writes (the rest come from events).
DETECTED_REASONS: tuple[str, ...] = (
    HandoffReason.EXPLICIT_REQUEST,
    HandoffReason.SENSITIVE_TOPIC,
    HandoffReason.NEGATIVE_SENTIMENT,
    HandoffReason.REPEATED_FAILURE,
    HandoffReason.LOW_CONFIDENCE,
)


def reason_label(value: str) -> str:
    """What an agent reads for a stored reason; an unknown value is shown as it is."""
    return HandoffReason(value).label if value in HandoffReason.values else value
