"""Writes the REST API makes on bots, articles and API-channel conversations.

Named services, like every write, so API views stay thin; Django admin edits the same rows through its
forms. Field validation is the models' own (``full_clean``), so the API and admin refuse the same input.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from chatbot.kb_import import ArticleRow, ImportFileError, parse_json
from chatbot.models import KnowledgeArticle
from chatbot.services import article_upsert, articles_import
from helpdesk.errors import InvalidInput
from helpdesk.models import Bot, Contact, Conversation, Message, Tenant
from helpdesk.services import conversation_start, message_create


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
        conversation=conversation, author_kind=Message.Author.BOT, body=bot.greeting, data={"greeting": True}
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
    clash = KnowledgeArticle.objects.filter(bot_id=bot_id, title=title).exclude(pk=exclude_pk).exists()
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
