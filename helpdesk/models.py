"""The core domain every app shares: tenants, memberships, contacts, bots and their operator queues,
conversations, messages, API keys, webhooks and the outbox.

Every row that belongs to a tenant inherits :class:`TenantOwned`, so it carries a ``tenant`` foreign key
and a manager that refuses a query with no tenant scope. Reads start from ``for_tenant()`` (or the
``access_*`` helpers of :mod:`helpdesk.access`); a row of another tenant and a missing row are the same
"not found".
"""

from __future__ import annotations

import base64
import functools
import logging
import secrets
from decimal import Decimal

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_noop

from helpdesk.reasons import HandoffReason
from helpdesk.tenant_scope import TenantQuerySet, unscoped_queries
from helpdesk.validators import validate_safe_regex

logger = logging.getLogger(__name__)


class Tenant(models.Model):
    """A company that uses the helpdesk. Everything a customer or agent sees belongs to one."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TenantOwned(models.Model):
    """Abstract base of every tenant-owned model: the tenant FK and the scoped manager (see
    :mod:`helpdesk.tenant_scope`: a query with no tenant scope and no stated reason is refused)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True

    def validate_unique(self, exclude=None):
        with unscoped_queries("a uniqueness check compares the unique fields across every row"):
            super().validate_unique(exclude=exclude)

    def validate_constraints(self, exclude=None):
        with unscoped_queries("a constraint check compares the constrained fields across every row"):
            super().validate_constraints(exclude=exclude)


class Membership(TenantOwned):
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        LEAD = "lead", "Lead"
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
        # The API's list, newest first: read in order whatever other tenants hold.
        indexes = [models.Index(fields=["tenant", "id"], name="contact_tenant_id")]
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


class ConversationQuerySet(TenantQuerySet):
    def waiting(self) -> ConversationQuerySet:
        return self.filter(status=Conversation.Status.WAITING)

    def open(self) -> ConversationQuerySet:
        return self.exclude(status__in=[Conversation.Status.RESOLVED, Conversation.Status.OFFLINE])


class Queue(TenantOwned):
    """An operator queue: where a bot hands its conversations, and which agents work them."""

    class Assignment(models.TextChoices):
        MANUAL = "manual", "Agents claim conversations"
        ROUND_ROBIN = "round_robin", "Round robin"
        LEAST_BUSY = "least_busy", "Least busy"

    name = models.CharField(max_length=120)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="queues")
    require_agent_online = models.BooleanField(
        default=True,
        help_text="Open only while at least one member is online; otherwise handoffs take the offline path.",
    )
    assignment = models.CharField(
        max_length=12,
        choices=Assignment.choices,
        default=Assignment.MANUAL,
        help_text="Auto-assignment gives waiting conversations, oldest first, to online agents with room.",
    )
    pickup_deadline_seconds = models.PositiveIntegerField(
        default=120,
        help_text="A waiting conversation not picked up by then is offered again; after twice as long it "
        "takes the offline path, so nobody waits in silence.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "inbox_queue"
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="queue_unique_name")]

    def __str__(self) -> str:
        return self.name


class OfflinePolicy(models.TextChoices):
    """What a bot does when nobody can pick a handoff up (queue closed, or the pickup deadline passed)."""

    COLLECT_CONTACT = "collect_contact", "Collect name and email, then open a ticket"
    EMAIL = "email", "Continue by email (ticket + transcript by email)"
    BOT_DISCLAIMER = "bot_disclaimer", "Bot answers with a disclaimer and offers a ticket"


# Stored as written (English); shown translated into the conversation's language while a bot keeps them.
DEFAULT_GREETING = gettext_noop(
    "Hi! I'm the virtual assistant. Ask me anything, or ask for a person at any time."
)
DEFAULT_HANDOFF_MESSAGE = gettext_noop(
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


# Secrets kept in the database for calling other services (a bot's own Anthropic key) are encrypted at
# rest with Fernet (AES-128-CBC and HMAC-SHA256), under a key derived from FIELD_ENCRYPTION_KEY, or from
# SECRET_KEY when that is empty. The first configured secret encrypts; every configured secret, SECRET_KEY
# and SECRET_KEY_FALLBACKS decrypt, so a key can be rotated without losing what was stored under the old one.


@functools.lru_cache(maxsize=16)
def _fernet(secret: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"helpdesk.field-encryption")
    return Fernet(base64.urlsafe_b64encode(derived.derive(secret.encode())))


def field_cipher() -> MultiFernet:
    configured = [k for k in getattr(settings, "FIELD_ENCRYPTION_KEY", []) if k]
    secrets_in_order = [*configured, settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet([_fernet(secret) for secret in dict.fromkeys(secrets_in_order)])


def field_encrypt(plain: str) -> str:
    return field_cipher().encrypt(plain.encode()).decode("ascii")


def field_decrypt(token: str) -> str:
    """The plain text of ``token``; :class:`InvalidToken` when no configured key opened it."""
    return field_cipher().decrypt(token.encode("ascii")).decode()


class UnreadableSecret(str):
    """A stored secret no configured key opens (the keys changed): it reads as blank, so callers fall back
    as if none were set, and it is written back unchanged, so restoring the old key brings it back."""

    token: str

    def __new__(cls, token: str) -> UnreadableSecret:
        value = super().__new__(cls, "")
        value.token = token
        return value


class EncryptedTextField(models.TextField):
    """Text encrypted in the database and plain in Python. Blank is stored blank, so whether one is set
    can be asked in SQL; other values encrypt differently each time, so they cannot be looked up."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        try:
            return field_decrypt(value)
        except (InvalidToken, UnicodeError):
            logger.warning(
                "A stored %s.%s cannot be decrypted with FIELD_ENCRYPTION_KEY or the secret key; "
                "it is treated as not set until the key it was stored with is configured again.",
                self.model.__name__,
                self.name,
            )
            return UnreadableSecret(value)

    def get_prep_value(self, value):
        if isinstance(value, UnreadableSecret):
            return value.token
        value = super().get_prep_value(value)
        return field_encrypt(value) if value else value


class Bot(TenantOwned):
    """A bot is the chat channel of a tenant: what it says first, its handoff judgement's settings, where
    its handoffs go (the queue and the message) and what happens when nobody can take one. It is part of
    the core so that conversations, handoff and tickets read it without reaching up; its knowledge base,
    retrieval and responders live in the chatbot app."""

    name = models.CharField(max_length=120)
    greeting = models.TextField(
        default=DEFAULT_GREETING,
        help_text="The default greeting is shown in the bot's language; your own words are shown as written.",
    )
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text="The language of the bot's own texts until a customer's language is detected from what "
        "they write (then their language, when it is one the helpdesk speaks).",
    )
    instructions = models.TextField(
        blank=True, help_text="Persona and house rules added to the system prompt of the Claude responder."
    )
    public_key = models.CharField(max_length=40, unique=True, default=new_public_key, editable=False)
    # Identity verification: the site signs its logged-in user's id with this secret (HMAC-SHA256, hex) so
    # the widget may name the customer. Blank: off, and a widget that names a user is refused.
    identity_secret = models.CharField(max_length=64, blank=True, default="", editable=False)
    model_name = models.CharField(
        max_length=80, blank=True, help_text="Claude model; blank uses the default."
    )
    # Encrypted at rest (see EncryptedTextField) and never shown again once saved: admin and API only say
    # whether one is set.
    anthropic_api_key = EncryptedTextField(
        blank=True,
        max_length=200,
        validators=[MaxLengthValidator(200)],
        help_text="The tenant's own Anthropic key; blank uses the deployment's.",
    )
    confidence_threshold = models.FloatField(default=0.35)
    queue = models.ForeignKey(Queue, null=True, blank=True, on_delete=models.SET_NULL, related_name="bots")
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

    class Meta:
        db_table = "chatbot_bot"

    def __str__(self) -> str:
        return self.name


class Conversation(TenantOwned):
    class Status(models.TextChoices):
        BOT = "bot", gettext_noop("With the bot")
        WAITING = "waiting", gettext_noop("Waiting for an agent")
        ASSIGNED = "assigned", gettext_noop("With an agent")
        RESOLVED = "resolved", gettext_noop("Resolved")
        OFFLINE = "offline", gettext_noop("Sent to a ticket")

    class Channel(models.TextChoices):
        WIDGET = "widget", "Widget"
        API = "api", "API"
        EMAIL = "email", "Email"

    bot = models.ForeignKey(Bot, on_delete=models.PROTECT, related_name="conversations")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="conversations")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WIDGET)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOT, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The operator queue it waits in or is worked from (set on handoff).
    queue = models.ForeignKey(Queue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
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
    # The widget visitor whose first message started it (the nonce of their visitor token): unique per
    # bot, so that first message sent twice (a reconnect, a second tab) finds this conversation. Blank
    # for conversations of other channels and widget conversations started before it existed.
    visitor_nonce = models.CharField(max_length=32, blank=True, default="", editable=False)
    # The customer's language, detected from their messages (helpdesk.language); blank until one tells.
    language = models.CharField(max_length=8, blank=True, default="")

    objects = ConversationQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "status", "-updated_at"], name="conv_tenant_status"),
            # The API's list, newest first: read in order whatever other tenants hold.
            models.Index(fields=["tenant", "id"], name="conv_tenant_id"),
            # The inbox's lists, each in the order it is shown, holding only the rows it can show: the
            # open ones are a sliver of a tenant's history, so the lists and their counts read only them.
            models.Index(
                fields=["tenant", "-updated_at", "id"],
                condition=~Q(status__in=["resolved", "offline"]),
                name="conv_open_updated",
            ),
            models.Index(
                fields=["tenant", "waiting_since", "id"],
                condition=Q(status="waiting"),
                name="conv_waiting_since",
            ),
            models.Index(
                fields=["tenant", "assignee", "-updated_at", "id"],
                condition=Q(status="assigned"),
                name="conv_assigned_updated",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["bot", "visitor_nonce"],
                condition=~Q(visitor_nonce=""),
                name="conv_unique_visitor_nonce",
            ),
        ]

    def __str__(self) -> str:
        return f"Conversation #{self.pk}"


class Message(TenantOwned):
    class Author(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        BOT = "bot", "Bot"
        AGENT = "agent", "Agent"
        SYSTEM = "system", "System"

    # No index of its own: the unique (conversation, seq) index serves every lookup by conversation, and
    # with a second one PostgreSQL read a conversation's whole history to return one page after a seq.
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
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
    # The customer message a bot answer answers: unique, so a bot turn run twice can only answer once.
    reply_to = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="bot_reply"
    )
    # How many attachments it carries: pages and payloads read attachments only for messages that have
    # some, so a history without files costs no extra query.
    attachment_count = models.PositiveSmallIntegerField(default=0)
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
        indexes = [
            # Unread counts of the inbox lists: a conversation's customer messages after a seq, counted
            # from the index alone.
            models.Index(
                fields=["conversation", "seq"],
                condition=Q(author_kind="customer"),
                name="message_customer_seq",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.author_kind}: {self.body[:40]}"


class Attachment(TenantOwned):
    """A file a customer, an agent, an integrator or an inbound email added (an image or a PDF).

    The file is kept through Django's storage API (``default_storage``) under ``storage_name``, a path of
    the tenant's own (``t/<tenant>/<yyyy>/<mm>/<random>/<name>``), with its thumbnail beside it for
    images. ``content_type`` is what the bytes are (sniffed on upload), never what the client said.
    An upload waits unsent (``message`` null) until a message of the same conversation claims it; a
    visitor who has not written yet uploads under their token's nonce (``visitor_nonce``), which their
    first message's conversation carries. See :mod:`helpdesk.attachments`.
    """

    class Uploader(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        AGENT = "agent", "Agent"
        API = "api", "API key"
        EMAIL = "email", "Email"

    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    uploader_kind = models.CharField(max_length=10, choices=Uploader.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visitor_nonce = models.CharField(max_length=32, blank=True, default="")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    storage_name = models.CharField(max_length=300)
    thumbnail_name = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.content_type}, {self.size} bytes)"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


# Integrations: API keys and webhooks ------------------------------------------------------------------


class Rating(TenantOwned):
    """The customer's rating of a resolved conversation (CSAT: 1 to 5, with an optional comment), with
    who resolved it. One per conversation; rating again replaces it."""

    class ResolvedBy(models.TextChoices):
        BOT = "bot", "The bot"
        AGENT = "agent", "An agent"

    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    resolved_by = models.CharField(max_length=8, choices=ResolvedBy.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"),
        ]
        indexes = [models.Index(fields=["tenant", "created_at"], name="rating_tenant_created")]

    def __str__(self) -> str:
        return f"{self.score}/5 for conversation #{self.conversation_id}"


class ApiKeyQuerySet(TenantQuerySet):
    def live(self) -> ApiKeyQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiKey(TenantOwned):
    """An integrator's credential for the REST API; it acts as the tenant, not as a person.

    Only a SHA-256 digest of the key is stored (the key is random and long, so a slow hash adds nothing);
    the key itself is shown once, when it is made. ``prefix`` is its visible start, used to find the row
    and to tell keys apart in lists. A revoked key stays listed, for the audit trail.
    """

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        READ_WRITE = "read_write", "Read and write"

    name = models.CharField(max_length=120, help_text="What the key is for, e.g. CRM sync.")
    prefix = models.CharField(max_length=32, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class WebhookEvent(models.TextChoices):
    HANDOFF_CREATED = "handoff.created", "A conversation was handed to a person"
    CONVERSATION_ASSIGNED = "conversation.assigned", "An agent took a conversation"
    CONVERSATION_RESOLVED = "conversation.resolved", "A conversation was resolved"
    MESSAGE_CREATED = "message.created", "A message was stored"
    TICKET_CREATED = "ticket.created", "A ticket was opened"
    TICKET_UPDATED = "ticket.updated", "A ticket changed"


class Webhook(TenantOwned):
    """An integrator's endpoint: every subscribed event is POSTed to ``url``, signed with ``secret``.

    ``consecutive_failures`` counts deliveries that failed after all their retries; at the limit the
    webhook is switched off (``active`` false, ``disabled_at`` set) and the tenant's admins are emailed.
    """

    url = models.URLField(max_length=500)
    events = models.JSONField(default=list, help_text="Event names, e.g. handoff.created.")
    secret = models.CharField(max_length=80, editable=False)
    description = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(TenantOwned):
    """One attempt to deliver one event to one webhook. Retries of a delivery share ``delivery_id``."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    delivery_id = models.UUIDField(db_index=True)
    event = models.CharField(max_length=40)
    attempt = models.PositiveSmallIntegerField(default=1)
    request_body = models.TextField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    # No retry follows this attempt: it succeeded, or it was the last one allowed.
    final = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["webhook", "-created_at"], name="delivery_webhook_created")]

    def __str__(self) -> str:
        return f"{self.event} #{self.attempt} -> {self.status_code or self.error or '?'}"


# Work that must follow a commit ------------------------------------------------------------------------


class OutboxQuerySet(TenantQuerySet):
    def pending(self) -> OutboxQuerySet:
        return self.filter(done_at__isnull=True)

    def due(self, now) -> OutboxQuerySet:
        return self.pending().filter(due_at__lte=now)

    def overdue(self, now) -> OutboxQuerySet:
        return self.pending().filter(deadline_at__lte=now)


class OutboxTask(TenantOwned):
    """A unit of work that must happen after a commit (a bot turn, a ticket, an email, a webhook).

    Written in the same transaction as the change that calls for it, so the work is never lost between the
    commit and the broker: once the transaction commits the row is dispatched to Celery, and the
    housekeeping sweep dispatches again whatever is not done by ``due_at`` (the broker was down, the worker
    died). ``key`` makes a repeated request for one piece of work a single row. A run holds a lease
    (``started_at``) taken by a conditional UPDATE, so two deliveries of one row never run at once.
    ``deadline_at`` and ``on_overdue`` name what to do for the customer when the work is still not done
    by then (the bot's turn: tell them and hand the conversation to a person). See :mod:`helpdesk.outbox`.
    """

    class Outcome(models.TextChoices):
        DONE = "done", "Done"
        FAILED = "failed", "Failed after every attempt"
        OVERDUE = "overdue", "Overdue: the fallback ran instead"

    task = models.CharField(max_length=120, help_text="The Celery task's registered name.")
    args = models.JSONField(default=list, blank=True)
    key = models.CharField(max_length=160, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField()
    deadline_at = models.DateTimeField(null=True, blank=True)
    on_overdue = models.CharField(max_length=160, blank=True)
    dispatches = models.PositiveIntegerField(default=0)
    runs = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["due_at"], condition=Q(done_at__isnull=True), name="outbox_pending_due"),
            models.Index(
                fields=["deadline_at"],
                condition=Q(done_at__isnull=True, deadline_at__isnull=False),
                name="outbox_pending_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task}{self.args} ({self.outcome or 'pending'})"
