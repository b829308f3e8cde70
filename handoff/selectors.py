"""Reads for the handoff engine: the context an agent sees, and an open handoff."""

from __future__ import annotations

from django.db.models import Count, Max

from handoff.models import Handoff, HandoffRule
from helpdesk.models import Bot, Conversation, Message

CONTEXT_ANSWERS = 5


def handoff_context(conversation: Conversation) -> dict:
    """What the agent needs so the customer never repeats anything.

    The original question is the first customer message that is not small talk; "what the bot already
    answered" is its last few answers; the sentiment trend is the score of each scored customer message.
    """
    messages = list(
        Message.objects.for_tenant(conversation.tenant_id)
        .filter(conversation=conversation, private=False)
        .exclude(author_kind=Message.Author.SYSTEM)
        .order_by("seq")
        .only("seq", "author_kind", "body", "data")
    )
    customer = [m for m in messages if m.author_kind == Message.Author.CUSTOMER]
    original = next((m for m in customer if not m.data.get("small_talk")), customer[0] if customer else None)
    answers = [
        {"seq": m.seq, "text": m.body, "confidence": m.data.get("confidence")}
        for m in messages
        if m.author_kind == Message.Author.BOT and not m.data.get("greeting")
    ][-CONTEXT_ANSWERS:]
    trend = [
        {"seq": m.seq, "score": m.data["sentiment"]} for m in customer if m.data.get("sentiment") is not None
    ]
    return {
        "original_question": original.body if original else "",
        "original_seq": original.seq if original else None,
        "collected": dict(conversation.collected),
        "bot_answers": answers,
        "sentiment_trend": trend,
        "customer_turns": len(customer),
    }


def handoff_open(conversation: Conversation) -> Handoff | None:
    return (
        Handoff.objects.for_tenant(conversation.tenant_id)
        .filter(conversation=conversation, ended_at__isnull=True)
        .order_by("-created_at")
        .first()
    )


def sensitive_rules_for(bot: Bot) -> list[HandoffRule]:
    return list(HandoffRule.objects.filter(bot=bot).order_by("name"))


def sensitive_rules_version(bot: Bot) -> tuple:
    """Changes whenever a rule of the bot is added, edited or removed (a cache key)."""
    agg = HandoffRule.objects.filter(bot=bot).aggregate(n=Count("id"), at=Max("updated_at"))
    return (agg["n"], agg["at"])
