"""The one vocabulary of why a conversation goes to a person: stored on conversations, handoffs and
tickets, raised by the detector, named in scenario files and shown to agents with its label. A plain
module (no models), so the detector can use it without the database."""

from django.db import models
from django.utils.translation import gettext_noop


class HandoffReason(models.TextChoices):
    """Why a conversation went to a person. The labels are marked for translation and stay English in
    payloads and the API (one event goes to agents of every language); pages translate them as they render
    (``{% translate c.get_handoff_reason_display %}``), the inbox's scripts by code (static/inbox/labels.js).
    """

    EXPLICIT_REQUEST = "explicit_request", gettext_noop("Asked for a person")
    SENSITIVE_TOPIC = "sensitive_topic", gettext_noop("Sensitive topic")
    NEGATIVE_SENTIMENT = "negative_sentiment", gettext_noop("Negative sentiment")
    REPEATED_FAILURE = "repeated_failure", gettext_noop("Repeated failure")
    LOW_CONFIDENCE = "low_confidence", gettext_noop("Low confidence")
    BOT_ERROR = "bot_error", gettext_noop("Bot error")
    AGENT_TAKEOVER = "agent_takeover", gettext_noop("Agent took over")
    API = "api", gettext_noop("Requested through the API")


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
