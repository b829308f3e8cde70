"""Bots and their knowledge base."""

import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models

from handoff.models import OfflinePolicy
from helpdesk.models import TenantOwned
from helpdesk.validators import validate_safe_regex

DEFAULT_GREETING = "Hi! I'm the virtual assistant. Ask me anything, or ask for a person at any time."
DEFAULT_HANDOFF_MESSAGE = (
    "I'm connecting you with a support agent who can help with this. They'll have our full conversation, "
    "so you won't need to repeat anything. You're number {position} in the queue, and the wait should be "
    "{wait}."
)


def validate_order_number_pattern(value: str) -> None:
    """The order-number pattern runs on every customer message (see ``validate_safe_regex``)."""
    if len(value) > 120:
        raise ValidationError("Keep the pattern under 120 characters.")
    validate_safe_regex(value)


def new_public_key() -> str:
    return "pk_" + secrets.token_urlsafe(18)


class Bot(TenantOwned):
    name = models.CharField(max_length=120)
    greeting = models.TextField(default=DEFAULT_GREETING)
    instructions = models.TextField(
        blank=True, help_text="Persona and house rules added to the system prompt of the Claude responder."
    )
    public_key = models.CharField(max_length=40, unique=True, default=new_public_key, editable=False)
    model_name = models.CharField(
        max_length=80, blank=True, help_text="Claude model; blank uses the default."
    )
    anthropic_api_key = models.CharField(
        max_length=200, blank=True, help_text="The tenant's own Anthropic key; blank uses the deployment's."
    )
    confidence_threshold = models.FloatField(default=0.35)
    queue = models.ForeignKey(
        "inbox.Queue", null=True, blank=True, on_delete=models.SET_NULL, related_name="bots"
    )
    order_number_pattern = models.CharField(
        max_length=200,
        validators=[validate_order_number_pattern],
        blank=True,
        help_text=r"A regular expression for this shop's order numbers, e.g. LL-\d{6}.",
    )
    currency = models.CharField(max_length=3, default="USD")
    refund_handoff_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("100"))
    max_unresolved_turns = models.PositiveSmallIntegerField(default=3)
    handoff_message = models.TextField(
        default=DEFAULT_HANDOFF_MESSAGE,
        help_text="Sent when the conversation goes to an agent. "
        "Placeholders: {position} in the queue, {wait} the estimated wait.",
    )
    # Which handoff triggers run for this bot (the sensitive topics themselves are Handoff rules).
    trigger_explicit_request = models.BooleanField("explicit request", default=True)
    trigger_sensitive_topic = models.BooleanField("sensitive topics", default=True)
    trigger_negative_sentiment = models.BooleanField("negative sentiment", default=True)
    trigger_repeated_failure = models.BooleanField("repeated failure", default=True)
    trigger_low_confidence = models.BooleanField("low confidence", default=True)
    offline_policy = models.CharField(
        max_length=16,
        choices=OfflinePolicy.choices,
        default=OfflinePolicy.COLLECT_CONTACT,
        help_text="When nobody can take a handoff: outside business hours, nobody online, or not picked up "
        "in time.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class KnowledgeArticle(TenantOwned):
    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="articles")
    title = models.CharField(max_length=300)
    body = models.TextField()
    url = models.URLField(blank=True)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bot", "title"], name="article_unique_title")]

    def __str__(self) -> str:
        return self.title


class ModelUsage(TenantOwned):
    """One call of a language model for a bot's turn: what it billed, what came of it, how long it took.

    One row per responder call that reached a model (``BotReply.attempts`` > 0), whatever the outcome:
    an answer, an answer that hands off, or an error. An error for which no response came back (timeout,
    connection, a status error) bills nothing and is stored as a row of zero tokens, so failures and
    their latency are counted too. A turn run twice calls the model twice and is billed twice, so it has
    two rows. The rows outlive their conversation and bot (SET_NULL): spend is history.
    """

    bot = models.ForeignKey(Bot, null=True, on_delete=models.SET_NULL, related_name="+")
    conversation = models.ForeignKey(
        "helpdesk.Conversation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        "helpdesk.Message",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The customer message the call answered.",
    )
    model_name = models.CharField(max_length=80)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cache_read_tokens = models.PositiveIntegerField(default=0)
    cache_write_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=14, decimal_places=8, default=Decimal("0"))
    outcome = models.CharField(
        max_length=32,
        help_text="answer, low_confidence, wants_human, or the error code (timeout, overloaded, ...).",
    )
    attempts = models.PositiveSmallIntegerField(default=1)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "model usage"
        verbose_name_plural = "model usage"
        indexes = [models.Index(fields=["tenant", "created_at"], name="modelusage_tenant_created")]

    def __str__(self) -> str:
        return f"{self.model_name} {self.outcome} ${self.cost_usd}"
