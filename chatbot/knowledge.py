"""From a Bot row to what the pure parts need: its passages index, its responder, its trigger settings.

Both the passage index and the trigger settings are cached in the process per bot and rebuilt when the
bot, one of its articles or one of its rules changes (the cache key carries a version read from the
database, so every worker process notices a change on its next message).
"""

from __future__ import annotations

import threading
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Max

from chatbot.llm import ClaudeResponder
from chatbot.models import KnowledgeArticle
from chatbot.responders.base import BotProfile, Passage, Responder
from chatbot.responders.local import LocalResponder
from chatbot.retrieval import IndexCache, split_passages
from handoff.detection.signals import BUILTIN_CATEGORIES, DetectionSettings, SensitiveRule
from handoff.selectors import sensitive_rules_for, sensitive_rules_version
from helpdesk.models import Bot

PASSAGES_PER_QUESTION = 4

_index_cache = IndexCache()
_settings_cache: dict[int, tuple[tuple, DetectionSettings]] = {}
_settings_lock = threading.Lock()


def articles_version(bot: Bot) -> str:
    agg = KnowledgeArticle.objects.filter(bot=bot, enabled=True).aggregate(
        n=Count("id"), at=Max("updated_at")
    )
    return f"{agg['n']}:{agg['at'].isoformat() if agg['at'] else '-'}"


def bot_passages(bot: Bot) -> list[Passage]:
    passages: list[Passage] = []
    for article in KnowledgeArticle.objects.filter(bot=bot, enabled=True).order_by("pk"):
        passages.extend(split_passages(article.pk, article.title, article.body, article.url))
    return passages


def passages_for(
    bot: Bot, question: str, k: int = PASSAGES_PER_QUESTION, *, context: str = ""
) -> list[Passage]:
    """The bot's passages that best match ``question``; ``context`` is the customer's previous message,
    whose words count too (at a lower weight) when the question leans on it ("and what about Canada?")."""
    index = _index_cache.get(bot.pk, articles_version(bot), lambda: bot_passages(bot))
    return index.search(question, k=k, context=context)


def bot_profile(bot: Bot) -> BotProfile:
    return BotProfile(
        name=bot.name,
        instructions=bot.instructions,
        model_name=bot.model_name or settings.ANTHROPIC_MODEL,
        api_key=bot.anthropic_api_key or settings.ANTHROPIC_API_KEY,
        confidence_threshold=bot.confidence_threshold,
        order_number_pattern=bot.order_number_pattern,
        currency=bot.currency,
    )


_responders: dict[tuple, Responder] = {}


def responder_for(bot: Bot) -> Responder:
    """Claude when the bot or the deployment has an Anthropic key, the local responder otherwise.

    One Claude responder per process and configuration keeps one HTTP connection pool; the bot's own key
    and model travel in its profile (see :func:`bot_profile`).
    """
    if not (bot.anthropic_api_key or settings.ANTHROPIC_API_KEY):
        return _responders.setdefault(("local",), LocalResponder())
    key = (
        "claude",
        settings.ANTHROPIC_API_KEY,
        settings.ANTHROPIC_MODEL,
        settings.ANTHROPIC_TIMEOUT_SECONDS,
        settings.ANTHROPIC_MAX_RETRIES,
        settings.ANTHROPIC_TOTAL_BUDGET_SECONDS,
    )
    with _settings_lock:
        if key not in _responders:
            _responders[key] = ClaudeResponder(
                api_key=settings.ANTHROPIC_API_KEY,
                model=settings.ANTHROPIC_MODEL,
                timeout=settings.ANTHROPIC_TIMEOUT_SECONDS,
                max_retries=settings.ANTHROPIC_MAX_RETRIES,
                total_budget=settings.ANTHROPIC_TOTAL_BUDGET_SECONDS,
            )
        return _responders[key]


def detection_settings_for(bot: Bot) -> DetectionSettings:
    """The bot's handoff settings: its switches and limits, and its rule rows. A built-in category is on
    unless its row turns it off; the admin's words on any row (built-in or their own) are rules."""
    version = (bot.updated_at, sensitive_rules_version(bot))
    with _settings_lock:
        cached = _settings_cache.get(bot.pk)
        if cached is not None and cached[0] == version:
            return cached[1]
    builtin = {name for name, _ in BUILTIN_CATEGORIES}
    categories, rules = set(builtin), []
    for row in sensitive_rules_for(bot):
        if row.name in builtin and row.builtin and not row.enabled:
            categories.discard(row.name)
        keywords, patterns = row.lines(row.keywords), row.lines(row.patterns)
        if keywords or patterns:
            rules.append(SensitiveRule(row.name, row.label, keywords, patterns, enabled=row.enabled))
    built = DetectionSettings(
        explicit_request=bot.trigger_explicit_request,
        sensitive_topic=bot.trigger_sensitive_topic,
        negative_sentiment=bot.trigger_negative_sentiment,
        repeated_failure=bot.trigger_repeated_failure,
        low_confidence=bot.trigger_low_confidence,
        sensitive_categories=frozenset(categories),
        rules=tuple(rules),
        refund_handoff_amount=Decimal(bot.refund_handoff_amount) if bot.refund_handoff_amount else None,
        currency=bot.currency,
        max_unresolved_turns=bot.max_unresolved_turns,
        confidence_threshold=bot.confidence_threshold,
    )
    with _settings_lock:
        _settings_cache[bot.pk] = (version, built)
    return built
