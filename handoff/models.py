"""Handoff records: why a conversation went to a person, with the evidence and the context an agent needs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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


class ReviewVerdict(models.TextChoices):
    """A person's judgement of the handoff decision on one conversation."""

    RIGHT_CALL = "right_call", _("Right call")
    UNNECESSARY = "unnecessary", _("Unnecessary: the bot could have answered")
    LATE = "late", _("Late: it should have come sooner")
    MISSED = "missed", _("Missed: it should have handed off")


# The verdicts that name the customer message where the handoff should have happened.
VERDICTS_AT_MESSAGE = frozenset({ReviewVerdict.LATE.value, ReviewVerdict.MISSED.value})
# Which verdicts fit which kind of conversation: one that was handed off, or one the bot resolved alone.
HANDED_OFF_VERDICTS = (ReviewVerdict.RIGHT_CALL, ReviewVerdict.UNNECESSARY, ReviewVerdict.LATE)
BOT_RESOLVED_VERDICTS = (ReviewVerdict.RIGHT_CALL, ReviewVerdict.MISSED)


class ReviewSignal(models.TextChoices):
    """What should have handed off (for a late or missed handoff): the detector's labels that raise a
    handoff (``handoff.detection.signals.LABEL_REASON``) and the bot not knowing the answer."""

    PERSON = "person", _("Asked for a person")
    BILLING_DISPUTE = "billing_dispute", _("Billing dispute")
    COMPLAINT = "complaint", _("Complaint")
    LEGAL = "legal", _("Legal matter")
    ACCOUNT_SECURITY = "account_security", _("Account security")
    ACCOUNT_CANCELLATION = "account_cancellation", _("Account cancellation")
    FRUSTRATED = "frustrated", _("Frustrated with us")
    DISSATISFIED = "dissatisfied", _("Unhappy with the bot's answers")
    LOW_CONFIDENCE = "low_confidence", _("The bot did not know the answer")


class HandoffReview(TenantOwned):
    """A person's label on one conversation's handoff decision: the loop that tells the team (and the
    detector, and the scenario evaluation) where the bot handed off wrongly, late, or not at all.

    An agent (or a lead) marks it; a lead or admin confirms it as marked or corrects it. ``verdict``,
    ``at_seq`` and ``signal`` are the label as it stands; when a lead changed an agent's marking, what
    the agent marked is kept in ``corrected_from``. Only confirmed labels leave the reviews: into the
    report's rates, ``handoff_export`` and, for tenants who opt in, the detector's training.
    """

    conversation = models.OneToOneField(
        "helpdesk.Conversation", on_delete=models.CASCADE, related_name="handoff_review"
    )
    # The handoff judged (the conversation's latest when it was marked); null for a bot-resolved one.
    handoff = models.ForeignKey(
        Handoff, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    handed_off = models.BooleanField(
        help_text="Whether the conversation had been handed off; otherwise the bot resolved it alone."
    )
    verdict = models.CharField(max_length=12, choices=ReviewVerdict.choices)
    at_seq = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Late or missed: the customer message where it should have handed off.",
    )
    signal = models.CharField(
        max_length=24,
        blank=True,
        choices=ReviewSignal.choices,
        help_text="Late or missed: what should have fired.",
    )
    note = models.TextField(blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The marking a lead corrected: {"verdict", "at_seq", "signal", "by"}; empty when confirmed as marked.
    corrected_from = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # The review queue (marked, not confirmed) and the confirmed labels the export and training read.
            models.Index(fields=["tenant", "confirmed_at"], name="review_tenant_confirmed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict__in=["late", "missed"], at_seq__isnull=False)
                | (~Q(verdict__in=["late", "missed"]) & Q(at_seq__isnull=True)),
                name="review_at_seq_for_late_or_missed",
            ),
            models.CheckConstraint(
                condition=Q(handed_off=True, verdict__in=["right_call", "unnecessary", "late"])
                | Q(handed_off=False, verdict__in=["right_call", "missed"]),
                name="review_verdict_fits_conversation",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of conversation #{self.conversation_id}: {self.verdict}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def corrected(self) -> bool:
        return bool(self.corrected_from)


class ReviewSettings(TenantOwned):
    """A company's choices about its reviews. One row per tenant, made on first edit; no row is the
    defaults."""

    train_detector = models.BooleanField(
        default=False,
        help_text="Let this company's confirmed reviews (the customer's words, with emails, phone numbers, "
        "order numbers and names masked) teach the handoff detector when it is next trained "
        "(manage.py detection_train). Off by default.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "review settings"
        verbose_name_plural = "review settings"
        constraints = [models.UniqueConstraint(fields=["tenant"], name="reviewsettings_one_per_tenant")]

    def __str__(self) -> str:
        return f"Review settings of tenant {self.tenant_id}"
