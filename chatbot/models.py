"""The bots' knowledge base and their model usage (the bot itself is a core model, helpdesk.models.Bot)."""

from decimal import Decimal

from django.db import models

from helpdesk.models import Bot, TenantOwned


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
