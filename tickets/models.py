"""Business hours of a queue, tickets with their replies, and each tenant's mail settings.

Every model is tenant-owned. Rows that hang off a parent (windows, closures, replies) carry the parent's
tenant; services and admin set it from the parent, never from input.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_noop

from helpdesk.models import HandoffReason, OfflinePolicy, TenantOwned, TenantQuerySet
from tickets.hours import InvalidSchedule, zone_get

TICKET_PREFIX = "T-"
# The first number a tenant hands out: four digits are easy to say on the phone from day one.
FIRST_TICKET_NUMBER = 1001


def validate_zone_name(value: str) -> None:
    try:
        zone_get(value)
    except InvalidSchedule as exc:
        raise ValidationError(str(exc)) from exc


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class BusinessHours(TenantOwned):
    """When a queue's people work. A queue without a row is always within hours.

    Whether an agent must also be online is the queue's own setting (``inbox.Queue.require_agent_online``),
    not repeated here: one knob, read by the inbox's ``queue_is_staffed``.
    """

    queue = models.OneToOneField("helpdesk.Queue", on_delete=models.CASCADE, related_name="business_hours")
    timezone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_zone_name],
        help_text="An IANA time zone, e.g. America/New_York. Windows and closures are in this zone.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "business hours"
        verbose_name_plural = "business hours"

    def __str__(self) -> str:
        return f"Hours of {self.queue}"


class OpeningWindow(TenantOwned):
    hours = models.ForeignKey(BusinessHours, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField(help_text="At or before the start: runs past midnight into the next day.")

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [models.CheckConstraint(condition=Q(weekday__lte=6), name="openingwindow_weekday")]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class Closure(TenantOwned):
    """A holiday or a one-off closure: a range of real time during which the queue is closed."""

    hours = models.ForeignKey(BusinessHours, on_delete=models.CASCADE, related_name="closures")
    label = models.CharField(max_length=120, blank=True, help_text="e.g. Christmas Day, team offsite.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="closure_ends_after")
        ]

    def __str__(self) -> str:
        return self.label or f"Closed {self.starts_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The closure must end after it starts."})


class EmailStatus(models.TextChoices):
    """Where an outgoing email stands. ``sent`` is recorded on the row so a task run twice sends once."""

    NONE = "", "No email"
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Could not be sent"


class TicketQuerySet(TenantQuerySet):
    def unsolved(self) -> TicketQuerySet:
        return self.filter(status__in=[Ticket.Status.OPEN, Ticket.Status.PENDING])


class Ticket(TenantOwned):
    class Status(models.TextChoices):
        OPEN = "open", gettext_noop("Open")
        PENDING = "pending", gettext_noop("Pending (waiting on the customer)")
        SOLVED = "solved", gettext_noop("Solved")
        CLOSED = "closed", gettext_noop("Closed")

    class Priority(models.TextChoices):
        LOW = "low", gettext_noop("Low")
        NORMAL = "normal", gettext_noop("Normal")
        HIGH = "high", gettext_noop("High")
        URGENT = "urgent", gettext_noop("Urgent")

    number = models.PositiveIntegerField(editable=False)
    subject = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    transcript = models.TextField(blank=True, help_text="The chat as it stood when the ticket was made.")
    collected = models.JSONField(default=dict, blank=True)
    handoff_reason = models.CharField(max_length=24, blank=True, choices=HandoffReason.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact = models.ForeignKey("helpdesk.Contact", on_delete=models.PROTECT, related_name="tickets")
    conversation = models.ForeignKey(
        "helpdesk.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    # The ticket this one follows up (a customer wrote again after it was closed).
    follows_up = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The "here is your ticket" email of the continue-by-email policy.
    customer_email_status = models.CharField(max_length=10, choices=EmailStatus.choices, blank=True)
    customer_email_message_id = models.CharField(max_length=250, blank=True)
    customer_emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="ticket_unique_number"),
            models.UniqueConstraint(
                fields=["conversation"],
                condition=Q(conversation__isnull=False),
                name="ticket_one_per_conversation",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "-updated_at"], name="ticket_tenant_status"),
            # The ticket list, newest activity first: every ticket, and the unsolved ones it shows by
            # default (a partial index of only those), each in the list's order.
            models.Index(fields=["tenant", "-updated_at", "-id"], name="ticket_tenant_updated"),
            # The API's list, newest first: read in order whatever other tenants hold.
            models.Index(fields=["tenant", "id"], name="ticket_tenant_id"),
            models.Index(
                fields=["tenant", "-updated_at", "-id"],
                condition=Q(status__in=["open", "pending"]),
                name="ticket_unsolved_updated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        """What people say and write: "T-1042"."""
        return f"{TICKET_PREFIX}{self.number}"


class TicketCounter(TenantOwned):
    """The last ticket number a tenant handed out; its row lock serialises concurrent allocations."""

    last_number = models.PositiveIntegerField(default=FIRST_TICKET_NUMBER - 1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="ticketcounter_one_per_tenant")]


class TicketReply(TenantOwned):
    class Author(models.TextChoices):
        AGENT = "agent", "Agent"
        CUSTOMER = "customer", "Customer"
        SYSTEM = "system", "System"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="replies")
    author_kind = models.CharField(max_length=10, choices=Author.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    private = models.BooleanField(default=False, help_text="An agents' note, never sent to the customer.")
    # The email's Message-ID: ours for an agent's reply sent by email, the customer's for one received.
    message_id = models.CharField(max_length=250, blank=True)
    email_status = models.CharField(max_length=10, choices=EmailStatus.choices, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Files the reply carries (a customer's emailed images and PDFs), kept by the core's attachments.
    attachments = models.ManyToManyField("helpdesk.Attachment", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ticket_id", "created_at", "pk"]
        verbose_name_plural = "ticket replies"
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "message_id"],
                condition=~Q(message_id=""),
                name="ticketreply_unique_message_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.author_kind}: {self.body[:40]}"


def new_inbound_token() -> str:
    return "in_" + secrets.token_urlsafe(24)


class MailSettings(TenantOwned):
    """A tenant's addresses and the secret its inbound-mail provider puts in the webhook URL."""

    from_email = models.EmailField(blank=True, help_text="Sender of ticket emails; blank uses the site's.")
    reply_to = models.EmailField(
        blank=True,
        help_text="The address customers reply to (it forwards to the inbound endpoint). Replies go to "
        "its plus-address, e.g. support+T-1042@example.com; blank uses the sender.",
    )
    inbound_token = models.CharField(max_length=64, unique=True, default=new_inbound_token)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "mail settings"
        constraints = [models.UniqueConstraint(fields=["tenant"], name="mailsettings_one_per_tenant")]

    def __str__(self) -> str:
        return f"Mail settings of tenant {self.tenant_id}"


class OfflineIntake(TenantOwned):
    """Where a conversation stands on the offline path: what the bot still needs from the customer."""

    class Step(models.TextChoices):
        ASK_EMAIL = "ask_email", "Asking for the email"
        ASK_NAME = "ask_name", "Asking for the name"
        OFFER = "offer", "Answering, ticket offered"
        DONE = "done", "Ticket opened"

    conversation = models.OneToOneField(
        "helpdesk.Conversation", on_delete=models.CASCADE, related_name="offline_intake"
    )
    policy = models.CharField(max_length=16, choices=OfflinePolicy.choices)
    step = models.CharField(max_length=10, choices=Step.choices)
    why = models.CharField(max_length=16, help_text="closed (no one available) or pickup_missed")
    reason = models.CharField(max_length=24, choices=HandoffReason.choices)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "handoff_offlineintake"

    def __str__(self) -> str:
        return f"Offline intake of conversation {self.conversation_id} ({self.step})"
