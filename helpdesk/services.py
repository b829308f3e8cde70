"""Writes of the core domain. Every write is a named service; side effects run after commit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from helpdesk.attachments import AttachmentClaim, attachments_claim, attachments_link
from helpdesk.errors import InvalidInput
from helpdesk.events import conversation_group, inbox_group, publish_on_commit, tenant_user_group
from helpdesk.language import language_detect
from helpdesk.models import Contact, Conversation, Message, Rating, Tenant
from helpdesk.payloads import conversation_payload, message_payload
from helpdesk.webhooks import webhook_emit

CLIENT_MSG_ID_MAX = 64


def message_text_clean(text: Any, *, allow_empty: bool = False) -> str:
    """The text of a message a person typed, or a clear :class:`InvalidInput`. ``allow_empty``: a
    message that carries attachments may have no words (then ``None`` counts as empty text)."""
    if text is None and allow_empty:
        return ""
    if not isinstance(text, str):
        raise InvalidInput("Text must be a string.", fields={"text": ["Must be a string."]})
    text = text.strip()
    if not text and not allow_empty:
        raise InvalidInput(
            "The message is empty.", fields={"text": ["Must not be empty."]}, code="empty_text"
        )
    limit = settings.MESSAGE_MAX_CHARS
    if len(text) > limit:
        raise InvalidInput(
            f"The message is {len(text)} characters long; the limit is {limit}.",
            fields={"text": [f"At most {limit} characters."]},
            code="text_too_long",
        )
    return text


def client_msg_id_clean(value: Any) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) > CLIENT_MSG_ID_MAX:
        raise InvalidInput(
            "client_msg_id must be a string of at most 64 characters.",
            fields={"client_msg_id": [f"A string of at most {CLIENT_MSG_ID_MAX} characters."]},
        )
    return value


def contact_create(*, tenant: Tenant, name: str = "", email: str = "", external_id: str = "") -> Contact:
    return Contact.objects.create(
        tenant=tenant, name=name, email=email.strip().lower(), external_id=external_id
    )


@transaction.atomic
def conversation_start(
    *, tenant: Tenant, bot_id: int, contact: Contact, channel: str = Conversation.Channel.WIDGET
) -> Conversation:
    if contact.tenant_id != tenant.pk:
        raise InvalidInput("The contact belongs to another tenant.")
    return Conversation.objects.create(tenant=tenant, bot_id=bot_id, contact=contact, channel=channel)


def _activity_group(conversation: Conversation) -> str:
    """Who hears that a conversation moved: a conversation assigned to an agent concerns that agent's
    inbox (others see its status changes, and its messages when they open it); any other concerns every
    agent of the tenant (the queue, the bot's conversations). So an agent's frames grow with the
    conversations that concern them, not with every message of the tenant."""
    if conversation.status == Conversation.Status.ASSIGNED and conversation.assignee_id:
        return tenant_user_group(conversation.tenant_id, conversation.assignee_id)
    return inbox_group(conversation.tenant_id)


def _seq_next(conversation: Conversation, now) -> int:
    """The conversation's next ``seq``, in one statement: ``UPDATE ... RETURNING`` (PostgreSQL and SQLite
    3.35+). The row lock it takes serialises concurrent writers until the transaction ends."""
    table = connection.ops.quote_name(Conversation._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_seq = last_seq + 1, last_message_at = %s, updated_at = %s "
            "WHERE id = %s RETURNING last_seq",
            [now, now, conversation.pk],
        )
        return cursor.fetchone()[0]


@transaction.atomic(savepoint=False)
def message_create(
    *,
    conversation: Conversation,
    author_kind: str,
    body: str,
    author=None,
    client_msg_id: str = "",
    private: bool = False,
    data: dict | None = None,
    reply_to: Message | None = None,
    locked: bool = False,
    attachments: AttachmentClaim | None = None,
) -> tuple[Message, bool]:
    """Persist a message with the next ``seq`` of its conversation, then ring the doorbell after commit.

    Idempotent on ``client_msg_id``: a resend returns the stored message and ``created=False``; and on
    ``reply_to``: a second answer to the same customer message returns the first (a unique column, so
    two bot turns racing each other cannot both answer).
    The ``seq`` comes from an ``UPDATE ... SET last_seq = last_seq + 1 ... RETURNING``, whose row lock
    serialises concurrent writers on PostgreSQL (SQLite serialises all writers), so seqs never repeat or
    go back. Only a message that can lose a race (one with ``client_msg_id`` or ``reply_to``) pays for a
    savepoint to recover from it; the caller's transaction is joined, not nested. A caller that holds the
    conversation's row lock (``locked``) cannot race a resend: the check above already saw it.
    """
    if client_msg_id:
        existing = Message.objects.filter(conversation=conversation, client_msg_id=client_msg_id).first()
        if existing is not None:
            return existing, False
    if reply_to is not None:
        existing = Message.objects.filter(reply_to=reply_to).first()
        if existing is not None:
            return existing, False
    claimed = attachments_claim(conversation=conversation, claim=attachments) if attachments else []
    now = timezone.now()
    racing = (bool(client_msg_id) and not locked) or reply_to is not None
    try:
        with transaction.atomic(savepoint=racing):
            seq = _seq_next(conversation, now)
            message = Message.objects.create(
                tenant_id=conversation.tenant_id,
                conversation=conversation,
                author_kind=author_kind,
                author=author,
                body=body,
                seq=seq,
                client_msg_id=client_msg_id,
                private=private,
                data=data or {},
                reply_to=reply_to,
                attachment_count=len(claimed),
            )
            attachments_link(message=message, rows=claimed)
    except IntegrityError:
        # A concurrent resend of the same message, or a concurrent answer to the same question, won the
        # race: return what it stored.
        if not racing:
            raise
        if client_msg_id and not locked:
            winner = Message.objects.filter(conversation=conversation, client_msg_id=client_msg_id).first()
        else:
            winner = Message.objects.filter(reply_to=reply_to).first()
        if winner is None:
            raise
        return winner, False
    conversation.last_seq = seq
    conversation.last_message_at = now
    conversation.updated_at = now
    message.conversation = conversation
    event = {"type": "message", "message": message_payload(message)}
    publish_on_commit(conversation_group(conversation.tenant_id, conversation.pk), event)
    publish_on_commit(
        _activity_group(conversation),
        {"type": "conversation.activity", "conversation": conversation_payload(conversation), "seq": seq},
    )
    webhook_emit(
        tenant_id=conversation.tenant_id,
        event="message.created",
        data=lambda: {"conversation": conversation_payload(conversation), "message": event["message"]},
    )
    return message, True


def system_message_create(
    *, conversation: Conversation, body: str, event: str, private: bool = False, **data: Any
) -> Message:
    """A system event in the history ("Alice joined"; private ones, such as why the bot handed off, are for
    agents only)."""
    message, _ = message_create(
        conversation=conversation,
        author_kind=Message.Author.SYSTEM,
        body=body,
        private=private,
        data={"event": event, **data},
    )
    return message


@transaction.atomic(savepoint=False)
def conversation_status_set(
    *,
    conversation: Conversation,
    status: str,
    assignee=None,
    extra: dict | None = None,
    also_save: tuple[str, ...] = (),
) -> Conversation:
    """Move a conversation to ``status`` and tell its sockets and the tenant's inboxes after commit.
    ``also_save`` names other fields the caller changed, written in the same statement."""
    conversation.status = status
    conversation.assignee = assignee
    if status == Conversation.Status.WAITING:
        conversation.waiting_since = timezone.now()
    conversation.save(update_fields=["status", "assignee", "waiting_since", "updated_at", *also_save])
    payload = conversation_payload(conversation)
    event = {"type": "conversation.status", "conversation": payload, **(extra or {})}
    publish_on_commit(conversation_group(conversation.tenant_id, conversation.pk), event)
    publish_on_commit(inbox_group(conversation.tenant_id), event)
    return conversation


def conversation_language_note(*, conversation: Conversation, text: str) -> str:
    """Detect the language of a customer's message and keep it on the conversation when it tells one
    (a single word or a close call changes nothing), so the bot's own texts follow the customer. Returns
    the conversation's language code ("" while none was detected)."""
    code = language_detect(text)
    if code and code != conversation.language:
        Conversation.objects.for_tenant(conversation.tenant_id).filter(pk=conversation.pk).update(
            language=code
        )
        conversation.language = code
    return conversation.language


@transaction.atomic
def conversation_collected_merge(
    *, conversation: Conversation, fields: dict[str, Any], overwrite: bool = False
) -> Conversation:
    """Merge newly found fields into ``collected``.

    Found in passing (the extractor, the model), a value already there is kept: the first order number a
    customer gives is the one they mean. Given as an answer to a question (``overwrite``), such as a
    corrected email address, the new value replaces the old.
    """
    fresh = (
        Conversation.objects.for_tenant(conversation.tenant_id).select_for_update().get(pk=conversation.pk)
    )
    merged = dict(fresh.collected)
    changed = False
    for key, value in fields.items():
        if value in (None, "", [], {}):
            continue
        if (overwrite and merged.get(key) != value) or not merged.get(key):
            merged[key] = value
            changed = True
    if changed:
        fresh.collected = merged
        fresh.save(update_fields=["collected", "updated_at"])
    conversation.collected = merged
    return conversation


IDLE_RESOLVE_BATCH = 200


def bot_conversations_idle_resolve(*, now=None) -> int:
    """Resolve conversations the bot had alone and nobody wrote in for ``BOT_IDLE_RESOLVE_MINUTES``: the
    customer got their answer and left, which is the bot resolving it (what the reports count as
    deflection). A message after that reopens the conversation with the bot, as after any resolve.
    A housekeeping job; a batch per run, each row locked and rechecked so a message arriving at the same
    moment wins. Returns how many were resolved."""
    minutes = getattr(settings, "BOT_IDLE_RESOLVE_MINUTES", 30)
    if minutes <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(minutes=minutes)
    idle = Conversation.objects.unscoped("housekeeping resolves idle bot conversations of every tenant")
    candidates = list(
        idle.filter(status=Conversation.Status.BOT, last_message_at__lt=cutoff)
        .order_by("last_message_at")
        .values_list("pk", flat=True)[:IDLE_RESOLVE_BATCH]
    )
    resolved = 0
    for pk in candidates:
        with transaction.atomic():
            conversation = (
                idle.select_for_update(skip_locked=True, of=("self",))
                .select_related("bot")
                .filter(pk=pk, status=Conversation.Status.BOT, last_message_at__lt=cutoff)
                .first()
            )
            if conversation is None:
                continue
            conversation_status_set(conversation=conversation, status=Conversation.Status.RESOLVED)
            system_message_create(
                conversation=conversation,
                body=f"Resolved by the bot after {minutes} minutes without a message",
                event="resolved",
                resolved_by="bot",
            )
            webhook_emit(
                tenant_id=conversation.tenant_id,
                event="conversation.resolved",
                data=lambda c=conversation: {
                    "conversation": conversation_payload(c),
                    "resolved_by": {"bot": c.bot.name},
                },
            )
            resolved += 1
    return resolved


RATING_COMMENT_MAX = 1000


@transaction.atomic
def conversation_rate(*, conversation: Conversation, score, comment: str = "") -> Rating:
    """The customer rates their resolved conversation (1 to 5, optional comment); rating again replaces
    the rating. Agents see it as a private note in the conversation."""
    if type(score) is not int or not 1 <= score <= 5:
        raise InvalidInput("The rating is a whole number from 1 to 5.", fields={"score": ["1 to 5."]})
    comment = (comment or "").strip()
    if len(comment) > RATING_COMMENT_MAX:
        raise InvalidInput(
            f"The comment is longer than {RATING_COMMENT_MAX} characters.",
            fields={"comment": [f"At most {RATING_COMMENT_MAX} characters."]},
        )
    conversations = Conversation.objects.for_tenant(conversation.tenant_id)
    locked = conversations.select_for_update().get(pk=conversation.pk)
    if locked.status != Conversation.Status.RESOLVED:
        raise InvalidInput("A conversation can be rated once it is resolved.", code="not_resolved")
    by_agent = locked.assignee_id is not None
    rating, _ = Rating.objects.update_or_create(
        conversation=locked,
        defaults={
            "tenant_id": locked.tenant_id,
            "score": score,
            "comment": comment,
            "resolved_by": Rating.ResolvedBy.AGENT if by_agent else Rating.ResolvedBy.BOT,
            "agent_id": locked.assignee_id,
        },
    )
    system_message_create(
        conversation=locked,
        body=f"The customer rated the conversation {score}/5" + (f": {comment}" if comment else ""),
        event="rated",
        private=True,
        score=score,
    )
    return rating
