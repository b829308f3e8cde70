"""Every write of the chatbot app, for the widget, Django admin and the REST API alike.

The customer side: widget sessions and the customer message path. Opening the widget stores nothing;
a visitor's first message starts their conversation (contact, conversation, the greeting, the message)
in one transaction, idempotent on the nonce of their visitor token.

1. A customer message is persisted first (idempotent on ``client_msg_id``), card numbers masked.
2. While the bot has the conversation, its handoff signals are read inline (``chatbot.pipeline``), before
   any model call; a signal hands off at once.
3. Otherwise the bot's turn is enqueued as a Celery task after commit (``chatbot.tasks.bot_turn``).
4. While agents have it (waiting, assigned) the bot stays silent: the message is for the humans.

The bots and their knowledge: creating and updating a bot, articles one by one or imported, and
conversations started through the API. Field validation is the models' own (``full_clean``), so the API
and admin refuse the same input.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from chatbot.extraction import mask_card_numbers
from chatbot.kb_import import ArticleRow, ImportFileError, parse_json
from chatbot.models import KnowledgeArticle
from chatbot.pipeline import customer_message_route
from handoff.services import handoff_rules_seed
from helpdesk.access import access_row
from helpdesk.attachments import CUSTOMER_UPLOADS, AttachmentClaim, attachment_ids_clean
from helpdesk.errors import InvalidInput, NotFound, PermissionDenied
from helpdesk.language import bot_greeting
from helpdesk.models import Bot, Contact, Conversation, Message, Queue, Tenant
from helpdesk.services import (
    client_msg_id_clean,
    contact_create,
    conversation_start,
    conversation_status_set,
    message_create,
    message_text_clean,
)
from helpdesk.visitor_tokens import (
    InvalidVisitorToken,
    VisitorClaims,
    visitor_nonce_new,
    visitor_token_issue,
    visitor_token_read,
)


@dataclass(frozen=True)
class WidgetSession:
    """A widget visitor's session: their conversation (``None`` while they have not written) and the
    token their socket connects with."""

    bot: Bot
    conversation: Conversation | None
    token: str
    resumed: bool


@dataclass(frozen=True)
class WidgetFirstMessage:
    """A visitor's first message: the conversation it started (or found, when it was sent again), the
    token naming that conversation, and the stored message (``created`` is false for a resend)."""

    conversation: Conversation
    token: str
    message: Message
    created: bool


def bot_by_public_key(public_key: str) -> Bot:
    """The bot a widget names. The public key is the only thing a widget knows; it resolves the tenant."""
    bot = (
        Bot.objects.unscoped("a widget names its bot by the public key")
        .select_related("tenant")
        .filter(public_key=str(public_key or "")[:40])
        .first()
    )
    if bot is None:
        raise NotFound("No bot has this public key.")
    return bot


def _visitor_bot(visitor: VisitorClaims) -> Bot:
    """The bot a visitor token names, in the tenant it names, or :class:`NotFound`."""
    bot = Bot.objects.for_tenant(visitor.tenant_id).select_related("tenant").filter(pk=visitor.bot_id).first()
    if bot is None:
        raise NotFound("This chat is no longer available.")
    return bot


def visitor_conversation(visitor: VisitorClaims) -> Conversation | None:
    """The conversation a visitor token gets into: the one it names, only as good as the tenant, bot and
    contact it names; or, for a visitor who had not written when the token was issued, the one their
    first message started since (``None`` while there is none)."""
    conversations = Conversation.objects.for_tenant(visitor.tenant_id).select_related("bot")
    if visitor.pending:
        return conversations.filter(bot_id=visitor.bot_id, visitor_nonce=visitor.nonce).first()
    return conversations.filter(
        pk=visitor.conversation_id, bot_id=visitor.bot_id, contact_id=visitor.contact_id
    ).first()


def conversation_token(conversation: Conversation) -> str:
    """A visitor token naming a widget conversation (with its visitor's nonce, if it has one)."""
    return visitor_token_issue(
        VisitorClaims(
            tenant_id=conversation.tenant_id,
            bot_id=conversation.bot_id,
            contact_id=conversation.contact_id,
            conversation_id=conversation.pk,
            nonce=conversation.visitor_nonce or None,
        )
    )


def _returning_visitor(bot: Bot, token: str) -> tuple[Conversation | None, str]:
    """Who opens the widget: the unresolved conversation a valid token of this bot gets into, or else the
    nonce to write with (the token's own for a visitor who has not written yet, a new one otherwise)."""
    try:
        claims = visitor_token_read(token) if token else None
    except InvalidVisitorToken:
        claims = None
    if claims is None or claims.bot_id != bot.pk or claims.tenant_id != bot.tenant_id:
        return None, visitor_nonce_new()
    conversation = visitor_conversation(claims)
    if conversation is not None and conversation.status != Conversation.Status.RESOLVED:
        return conversation, ""
    if claims.pending and conversation is None:
        return None, claims.nonce
    # Resolved, or gone: the visitor starts afresh.
    return None, visitor_nonce_new()


@dataclass(frozen=True)
class VisitorIdentity:
    """A logged-in user of the bot's site, as the site names them, with its signature of ``user_id``."""

    user_id: str
    user_hash: str
    email: str = ""
    name: str = ""


def bot_identity_secret_rotate(*, bot: Bot) -> str:
    """Turn identity verification on with a new secret (the previous one stops verifying) and return it,
    for the admin to show once."""
    bot.identity_secret = secrets.token_hex(32)
    bot.save(update_fields=["identity_secret"])
    return bot.identity_secret


def identity_hash(secret: str, user_id: str) -> str:
    """What a site computes on its server for a user: hex HMAC-SHA256 of the user id under the secret."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def _identified_contact(bot: Bot, identity: VisitorIdentity) -> Contact:
    """The contact of a signed user id: found by its external id in the bot's tenant, or created; the
    name and email the site gives fill what the contact lacks (an email another contact holds is left)."""
    secret = bot.identity_secret
    if not secret:
        raise PermissionDenied(
            "This bot does not take identified visitors: turn on identity verification in its settings.",
            code="identity_off",
        )
    if not hmac.compare_digest(identity_hash(secret, identity.user_id), identity.user_hash.strip().lower()):
        raise PermissionDenied("The user's signature does not match.", code="identity_invalid")
    contacts = Contact.objects.for_tenant(bot.tenant_id)
    contact, _ = contacts.get_or_create(tenant_id=bot.tenant_id, external_id=identity.user_id)
    changed = []
    if identity.name and not contact.name:
        contact.name, changed = identity.name[:200], [*changed, "name"]
    if identity.email and not contact.email and not contacts.filter(email__iexact=identity.email).exists():
        contact.email, changed = identity.email, [*changed, "email"]
    if changed:
        contact.save(update_fields=changed)
    return contact


def widget_session_start(
    *, public_key: str, token: str = "", identity: VisitorIdentity | None = None
) -> WidgetSession:
    """Open the widget: resume the conversation a still-valid token gets into, or give the visitor a token
    to write with. Nothing is stored for a visitor who has not written: their conversation (its contact
    and the greeting as its first message) starts with their first message
    (:func:`widget_first_message_receive`), so opening a page with the widget costs no row and puts
    nothing in the agents' lists. A visitor who opens it again before writing keeps their nonce, so two
    tabs end up in one conversation."""
    bot = bot_by_public_key(public_key)
    if identity is not None:
        return _identified_session(bot, token, identity)
    conversation, nonce = _returning_visitor(bot, token)
    if conversation is not None:
        return WidgetSession(
            bot=bot, conversation=conversation, token=conversation_token(conversation), resumed=True
        )
    claims = VisitorClaims(tenant_id=bot.tenant_id, bot_id=bot.pk, nonce=nonce)
    return WidgetSession(bot=bot, conversation=None, token=visitor_token_issue(claims), resumed=False)


def _identified_session(bot: Bot, token: str, identity: VisitorIdentity) -> WidgetSession:
    """A signed user: their open conversation with this bot resumes on any device; otherwise their
    first message starts one under their own contact, so agents see their whole history."""
    contact = _identified_contact(bot, identity)
    open_one = (
        Conversation.objects.for_tenant(bot.tenant_id)
        .filter(bot=bot, contact=contact)
        .exclude(status=Conversation.Status.RESOLVED)
        .select_related("bot")
        .order_by("-pk")
        .first()
    )
    if open_one is not None:
        return WidgetSession(bot=bot, conversation=open_one, token=conversation_token(open_one), resumed=True)
    try:
        claims = visitor_token_read(token) if token else None
    except InvalidVisitorToken:
        claims = None
    same_visitor = (
        claims is not None and claims.pending and claims.bot_id == bot.pk and claims.contact_id == contact.pk
    )
    nonce = claims.nonce if same_visitor else visitor_nonce_new()
    claims = VisitorClaims(tenant_id=bot.tenant_id, bot_id=bot.pk, contact_id=contact.pk, nonce=nonce)
    return WidgetSession(bot=bot, conversation=None, token=visitor_token_issue(claims), resumed=False)


def _visitor_conversation_start(
    *, bot: Bot, nonce: str, contact_id: int | None = None
) -> tuple[Conversation, bool]:
    """The visitor's conversation with ``bot``: found by their nonce, or started now with a new contact and
    the bot's greeting as its first message (seq 1). The nonce is unique per bot in the database, so of
    two starts racing each other (a resend, a second tab) one inserts and the other finds its row."""
    conversations = Conversation.objects.for_tenant(bot.tenant_id)
    existing = conversations.filter(bot=bot, visitor_nonce=nonce).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            contact = (
                access_row(Contact, tenant=bot.tenant_id, pk=contact_id, what="contact")
                if contact_id is not None
                else contact_create(tenant=bot.tenant)
            )
            conversation = Conversation.objects.create(
                tenant=bot.tenant,
                bot=bot,
                contact=contact,
                channel=Conversation.Channel.WIDGET,
                visitor_nonce=nonce,
            )
            message_create(
                conversation=conversation,
                author_kind=Message.Author.BOT,
                body=bot_greeting(bot),
                data={"greeting": True},
            )
    except IntegrityError:
        existing = conversations.filter(bot=bot, visitor_nonce=nonce).first()
        if existing is None:
            raise
        return existing, False
    return conversation, True


@transaction.atomic
def widget_conversation_start(*, public_key: str, token: str = "") -> WidgetSession:
    """Start the visitor's widget conversation now, as their first message does, without the message:
    for replays, load tools and tests that need a conversation to talk in. Opens the session like
    :func:`widget_session_start` (a valid token resumes its conversation, a token of a visitor who has not
    written keeps its nonce), then starts the conversation if there is none."""
    bot = bot_by_public_key(public_key)
    conversation, nonce = _returning_visitor(bot, token)
    resumed = conversation is not None
    if conversation is None:
        conversation, _ = _visitor_conversation_start(bot=bot, nonce=nonce)
    return WidgetSession(
        bot=bot, conversation=conversation, token=conversation_token(conversation), resumed=resumed
    )


def widget_first_message_receive(
    *, visitor: VisitorClaims, text: str, client_msg_id: str = "", attachment_ids: Any = None
) -> WidgetFirstMessage:
    """The first message of a visitor who had not written when their token was issued. In one
    transaction: their conversation starts (contact, conversation, the greeting at seq 1), or is found by
    their nonce when this message was sent before (a reconnect before the ack, a second tab), and the
    message takes the path of every customer message (:func:`customer_message_receive`: stored once per
    ``client_msg_id``, read for handoff signals, the bot's turn). A token whose bot is not in its tenant
    any more is :class:`NotFound`."""
    if not visitor.pending:
        raise InvalidInput("This visitor already has a conversation.")
    claim = AttachmentClaim(ids=attachment_ids_clean(attachment_ids), kinds=CUSTOMER_UPLOADS)
    text = message_text_clean(text, allow_empty=bool(claim.ids))
    client_msg_id = client_msg_id_clean(client_msg_id)
    with transaction.atomic():
        bot = _visitor_bot(visitor)
        conversation, _ = _visitor_conversation_start(
            bot=bot, nonce=visitor.nonce, contact_id=visitor.contact_id
        )
        message, created = customer_message_receive(
            conversation=conversation, text=text, client_msg_id=client_msg_id, attachments=claim
        )
    return WidgetFirstMessage(
        conversation=conversation, token=conversation_token(conversation), message=message, created=created
    )


def customer_message_receive(
    *,
    conversation: Conversation,
    text: str,
    client_msg_id: str = "",
    attachments: AttachmentClaim | None = None,
) -> tuple[Message, bool]:
    """Persist a customer's message, then let the bot or the humans have it. See the module docstring.

    ``conversation`` is locked and re-read (in place) first: a caller holding an old copy, such as an open
    socket, acts on the current status. A message to a resolved conversation reopens it with the bot.

    A message may carry attachments (``attachments``, uploads of the customer's own); with them it may
    have no words. The bot reads words, not files: a message of attachments alone is kept and shown to
    agents, and the bot waits for the customer's next words instead of answering a file it cannot read.
    """
    text = message_text_clean(text, allow_empty=bool(attachments and attachments.ids))
    client_msg_id = client_msg_id_clean(client_msg_id)
    with transaction.atomic():
        # The bot, its queue and the contact come in the same statement (only the conversation is locked):
        # routing reads them, and the bot's settings are as fresh as the status.
        conversation.refresh_from_db(
            from_queryset=Conversation.objects.for_tenant(conversation.tenant_id)
            .select_for_update(of=("self",))
            .select_related("bot", "bot__queue", "contact")
        )
        if conversation.status == Conversation.Status.RESOLVED and not _stored(conversation, client_msg_id):
            conversation_reopen_with_bot(conversation=conversation)
        message, created = customer_message_store(
            conversation=conversation, text=text, client_msg_id=client_msg_id, attachments=attachments
        )
        if created and message.body:
            customer_message_route(conversation=conversation, message=message)
    return message, created


def _stored(conversation: Conversation, client_msg_id: str) -> bool:
    return bool(client_msg_id) and conversation.messages.filter(client_msg_id=client_msg_id).exists()


@transaction.atomic
def conversation_reopen_with_bot(*, conversation: Conversation) -> Conversation:
    """A customer wrote after "Resolve": the bot takes the conversation again and starts fresh (its memory
    begins after the resolve), so the customer gets an answer and inboxes see a bot conversation, not a
    phantom waiting one. Expects ``conversation`` locked by the caller."""
    conversation.bot_since_seq = conversation.last_seq
    conversation.handoff_reason = ""
    conversation.save(update_fields=["bot_since_seq", "handoff_reason", "updated_at"])
    return conversation_status_set(conversation=conversation, status=Conversation.Status.BOT, assignee=None)


def customer_message_store(
    *, conversation: Conversation, text: str, client_msg_id: str, attachments: AttachmentClaim | None = None
) -> tuple[Message, bool]:
    return message_create(
        conversation=conversation,
        author_kind=Message.Author.CUSTOMER,
        body=mask_card_numbers(text),
        client_msg_id=client_msg_id,
        locked=True,
        attachments=attachments,
    )


@transaction.atomic
def bot_create(*, tenant: Tenant, name: str, queue: Queue | None = None, **fields) -> Bot:
    """A new bot with the default sensitive-topic rules, ready to answer from its knowledge base."""
    if queue is not None and queue.tenant_id != tenant.pk:
        raise InvalidInput("The queue belongs to another tenant.", fields={"queue": ["Not found."]})
    return bot_add(bot=Bot(tenant=tenant, name=name, queue=queue, **fields))


@transaction.atomic
def bot_add(*, bot: Bot) -> Bot:
    """Save a new bot built elsewhere (an admin form) with the default sensitive-topic rules."""
    bot.save()
    handoff_rules_seed(tenant_id=bot.tenant_id, bot_id=bot.pk)
    return bot


@transaction.atomic
def article_upsert(
    *, bot: Bot, title: str, body: str, url: str = "", enabled: bool = True
) -> tuple[KnowledgeArticle, str]:
    """Create or update the bot's article of that title. Returns the article and "created", "updated" or
    "unchanged"."""
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise InvalidInput("An article needs a title and a body.")
    article = KnowledgeArticle.objects.filter(bot=bot, title=title).first()
    if article is None:
        article = KnowledgeArticle.objects.create(
            tenant_id=bot.tenant_id, bot=bot, title=title, body=body, url=url, enabled=enabled
        )
        return article, "created"
    if (article.body, article.url, article.enabled) == (body, url, enabled):
        return article, "unchanged"
    article.body, article.url, article.enabled = body, url, enabled
    article.save(update_fields=["body", "url", "enabled", "updated_at"])
    return article, "updated"


@transaction.atomic
def articles_import(*, bot: Bot, rows) -> dict[str, int]:
    """Upsert parsed article rows (see ``chatbot.kb_import``) into the bot's knowledge base, all or none.

    Returns counts of "created", "updated" and "unchanged" (skipped) articles.
    """
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for row in rows:
        _, outcome = article_upsert(bot=bot, title=row.title, body=row.body, url=row.url, enabled=row.enabled)
        counts[outcome] += 1
    return counts


def bot_lookup(reference: str) -> Bot:
    """A bot named by id or public key, for commands run by an operator (who sees every tenant)."""
    reference = str(reference).strip()
    bots = Bot.objects.unscoped("an operator's command sees every tenant")
    bot = bots.filter(public_key=reference).first()
    if bot is None and reference.isdigit():
        bot = bots.filter(pk=int(reference)).first()
    if bot is None:
        raise NotFound(f"No bot with the id or public key {reference!r}.")
    return bot


def _clean(instance, fields: list[str]) -> None:
    """The model's validators on the changed fields, as an :class:`InvalidInput` naming them."""
    others = [f.name for f in instance._meta.fields if f.name not in fields]
    try:
        instance.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise InvalidInput("The input is not valid.", fields=exc.message_dict) from exc


@transaction.atomic
def api_conversation_start(*, tenant: Tenant, bot: Bot, contact: Contact) -> Conversation:
    """A conversation of the ``api`` channel, opening with the bot's greeting like a widget's does (so the
    custom channel can show it, and the history reads the same everywhere)."""
    conversation = conversation_start(
        tenant=tenant, bot_id=bot.pk, contact=contact, channel=Conversation.Channel.API
    )
    message_create(
        conversation=conversation,
        author_kind=Message.Author.BOT,
        body=bot_greeting(bot),
        data={"greeting": True},
    )
    return conversation


@transaction.atomic
def bot_update(*, bot: Bot, **changes) -> Bot:
    """Change a bot's settings. ``queue`` must be a queue of the bot's tenant (the caller looked it up)."""
    queue = changes.get("queue")
    if queue is not None and queue.tenant_id != bot.tenant_id:
        raise InvalidInput("The queue belongs to another tenant.", fields={"queue_id": ["Not found."]})
    for field, value in changes.items():
        setattr(bot, field, value)
    _clean(bot, list(changes))
    bot.save()
    return bot


def _title_taken(bot_id: int, title: str, exclude_pk: int | None = None) -> InvalidInput | None:
    clash = (
        KnowledgeArticle.objects.unscoped("titles are unique per bot")
        .filter(bot_id=bot_id, title=title)
        .exclude(pk=exclude_pk)
        .exists()
    )
    if clash:
        return InvalidInput(
            "The bot already has an article with this title.", fields={"title": ["Already in use."]}
        )
    return None


@transaction.atomic
def article_create(
    *, bot: Bot, title: str, body: str, url: str = "", enabled: bool = True
) -> KnowledgeArticle:
    """A new article; a title the bot already has is refused (``articles_import`` is the upsert)."""
    taken = _title_taken(bot.pk, title.strip())
    if taken:
        raise taken
    try:
        with transaction.atomic():
            article, _ = article_upsert(bot=bot, title=title, body=body, url=url, enabled=enabled)
    except IntegrityError:
        raise _title_taken(bot.pk, title.strip()) or InvalidInput("The article could not be saved.") from None
    return article


@transaction.atomic
def article_update(*, article: KnowledgeArticle, **changes) -> KnowledgeArticle:
    for field in ("title", "body"):
        if field in changes:
            changes[field] = changes[field].strip()
            if not changes[field]:
                raise InvalidInput(f"The {field} is empty.", fields={field: ["This field may not be blank."]})
    if "title" in changes:
        taken = _title_taken(article.bot_id, changes["title"], exclude_pk=article.pk)
        if taken:
            raise taken
    for field, value in changes.items():
        setattr(article, field, value)
    article.save()
    return article


@transaction.atomic
def article_delete(*, article: KnowledgeArticle) -> None:
    article.delete()


def articles_rows_parse(text: str) -> list[ArticleRow]:
    """The rows of a JSON list in ``chatbot.kb_import``'s format, or one :class:`InvalidInput` naming the
    line and the reason. Titles must be unique within the list, as in a file."""
    try:
        rows = parse_json(text, "body")
    except ImportFileError as exc:
        raise _line_error(exc.line, exc.reason) from exc
    seen: dict[str, int] = {}
    for row in rows:
        if row.title in seen:
            raise _line_error(row.line, f"the title {row.title!r} is also on line {seen[row.title]}")
        seen[row.title] = row.line
    return rows


def _line_error(line: int | None, reason: str) -> InvalidInput:
    where = f"line {line}" if line else "the body"
    return InvalidInput(
        f"Nothing was imported: {where}: {reason}.",
        fields={"articles": [f"{where}: {reason}"]},
        code="invalid_import",
    )


def articles_import_json(*, bot: Bot, text: str) -> dict[str, int]:
    """Import a JSON list of articles into the bot's knowledge base: all of it, or nothing."""
    return articles_import(bot=bot, rows=articles_rows_parse(text))
