"""Handoff records: why a conversation went to a person, with the evidence and the context an agent needs."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from helpdesk.models import TenantOwned
from helpdesk.reasons import HandoffReason
from helpdesk.validators import validate_safe_regex_lines


class Handoff(TenantOwned):
    class Outcome(models.TextChoices):
        QUEUED = "queued", "Queued for an agent"
        OFFLINE = "offline", "Sent to the offline path"

    conversation = models.ForeignKey(
        "helpdesk.Conversation", on_delete=models.CASCADE, related_name="handoffs"
    )
    reason = models.CharField(max_length=24, choices=HandoffReason.choices, db_index=True)
    # What fired: the triggering message, the matched phrase or rule, a score, an amount, and every hit.
    evidence = models.JSONField(default=dict, blank=True)
    # What the agent needs: original question, collected fields, what the bot answered, sentiment trend.
    context = models.JSONField(default=dict, blank=True)
    queue = models.ForeignKey(
        "helpdesk.Queue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.QUEUED)
    trigger_message = models.ForeignKey(
        "helpdesk.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    reoffered_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["tenant", "reason", "created_at"], name="handoff_tenant_reason"),
            # The API's list, newest first: read in order whatever other tenants hold.
            models.Index(fields=["tenant", "id"], name="handoff_tenant_id"),
            # The handoff report of a date range, read from the index alone: after the range's columns it
            # carries the ones the report counts and times (as key columns: SQLite has no ``include``).
            models.Index(
                fields=["tenant", "created_at", "reason", "outcome", "offered_at", "accepted_at"],
                name="handoff_report_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Handoff #{self.pk} ({self.reason})"


class HandoffRule(TenantOwned):
    """A named sensitive-topic rule of a bot: keywords and patterns that always send a chat to a person.

    Each bot starts with the built-in rules (billing disputes, complaints, legal, account security,
    account cancellation), which the signal model recognises (``handoff.detection``) so every bot gets each
    improvement; a built-in row holds only whether it is on and any phrases the admin adds. Admins
    disable, extend or add rules per bot in Django admin.
    """

    bot = models.ForeignKey("helpdesk.Bot", on_delete=models.CASCADE, related_name="handoff_rules")
    name = models.SlugField(max_length=60, help_text="A short code, e.g. billing_dispute.")
    label = models.CharField(max_length=120, help_text="What the agent reads, e.g. billing dispute.")
    builtin = models.BooleanField(
        default=False,
        editable=False,
        help_text="A built-in rule: its phrases ship with the product and improve with it; add your own.",
    )
    keywords = models.TextField(
        blank=True, help_text="Phrases, one per line, matched as whole words in any case."
    )
    patterns = models.TextField(
        blank=True,
        validators=[validate_safe_regex_lines],
        help_text="Regular expressions, one per line, case-insensitive.",
    )
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["bot_id", "name"]
        constraints = [models.UniqueConstraint(fields=["bot", "name"], name="handoffrule_unique_name")]

    def __str__(self) -> str:
        return self.label or self.name

    @staticmethod
    def lines(text: str) -> tuple[str, ...]:
        return tuple(line.strip() for line in text.splitlines() if line.strip())
