"""The core domain every app shares: tenants, memberships, contacts, conversations, messages.

Every row that belongs to a tenant inherits :class:`TenantOwned`, so it carries a ``tenant`` foreign key
and a ``for_tenant()`` queryset method. Reads start from ``for_tenant()``; a row of another tenant and a
missing row are the same "not found".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Tenant(models.Model):
    """A company that uses the helpdesk. Everything a customer or agent sees belongs to one."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TenantQuerySet(models.QuerySet):
    def for_tenant(self, tenant: Tenant | int) -> TenantQuerySet:
        tenant_id = tenant if isinstance(tenant, int) else tenant.pk
        return self.filter(tenant_id=tenant_id)


class TenantOwned(models.Model):
    """Abstract base of every tenant-owned model: the tenant FK and the ``for_tenant`` choke point."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


class Membership(TenantOwned):
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        AGENT = "agent", "Agent"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.AGENT)
    display_name = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "user"], name="membership_unique_user")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant_id} ({self.role})"

    @property
    def name(self) -> str:
        return self.display_name or self.user.get_full_name() or self.user.get_username()


class Contact(TenantOwned):
    """The customer, matched across channels by email or external id."""

    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    external_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "email"], condition=~Q(email=""), name="contact_unique_email"
            ),
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~Q(external_id=""),
                name="contact_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email or f"Visitor #{self.pk}"


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


class ConversationQuerySet(TenantQuerySet):
    def waiting(self) -> ConversationQuerySet:
        return self.filter(status=Conversation.Status.WAITING)

    def open(self) -> ConversationQuerySet:
        return self.exclude(status__in=[Conversation.Status.RESOLVED, Conversation.Status.OFFLINE])


class Conversation(TenantOwned):
    class Status(models.TextChoices):
        BOT = "bot", "With the bot"
        WAITING = "waiting", "Waiting for an agent"
        ASSIGNED = "assigned", "With an agent"
        RESOLVED = "resolved", "Resolved"
        OFFLINE = "offline", "Sent to a ticket"

    class Channel(models.TextChoices):
        WIDGET = "widget", "Widget"
        API = "api", "API"
        EMAIL = "email", "Email"

    # A string reference: the bot lives in the chatbot app, which depends on this one, not the reverse.
    bot = models.ForeignKey("chatbot.Bot", on_delete=models.PROTECT, related_name="conversations")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="conversations")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WIDGET)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOT, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The operator queue it waits in or is worked from (set on handoff; a string reference, like ``bot``).
    queue = models.ForeignKey(
        "inbox.Queue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    collected = models.JSONField(default=dict, blank=True)
    last_seq = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    # Why it last went to a person (a handoff reason code), kept here so lists can show and filter it cheaply.
    handoff_reason = models.CharField(max_length=24, blank=True, choices=HandoffReason.choices)
    # The bot's memory starts after this seq: a conversation handed back to the bot starts fresh.
    bot_since_seq = models.PositiveIntegerField(default=0)
    # When it last started waiting for an agent: the queue is served oldest first.
    waiting_since = models.DateTimeField(null=True, blank=True)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["tenant", "status", "-updated_at"], name="conv_tenant_status")]

    def __str__(self) -> str:
        return f"Conversation #{self.pk}"


class Message(TenantOwned):
    class Author(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        BOT = "bot", "Bot"
        AGENT = "agent", "Agent"
        SYSTEM = "system", "System"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(max_length=10, choices=Author.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    seq = models.PositiveIntegerField()
    client_msg_id = models.CharField(max_length=64, blank=True)
    private = models.BooleanField(default=False, help_text="An agents' note, never shown to the customer.")
    # Structured extras: sources a bot answer used, token usage, a system event's kind, sentiment.
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["conversation_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_unique_seq"),
            models.UniqueConstraint(
                fields=["conversation", "client_msg_id"],
                condition=~Q(client_msg_id=""),
                name="message_unique_client_msg_id",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.author_kind}: {self.body[:40]}"
