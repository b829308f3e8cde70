"""What the bot's model calls cost: one ``ModelUsage`` row per call, written from the bot's turn.

Why here and not on the bot's message: a turn that hands off (low confidence, the customer asks for a
person, a malformed answer, a refusal, an error) stores no bot message, yet its tokens were billed. The
turn records the reply right after the responder returns, before anything decides what to do with it,
so every billed call is counted whatever follows.

What must hold:
- A row for every reply that reached a model (``attempts`` > 0), errors included; a zero-token row for
  an error that billed nothing (see ``ModelUsage``). Local responder replies call no model: no row.
- The row is written in its own transaction and committed at once, so a turn that fails later keeps
  its accounting.
- The outcome describes the reply, not the decision taken on it: ``low_confidence`` means an answer
  under the bot's confidence threshold, whether or not the low-confidence trigger is on for that bot.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum

from chatbot.llm import responder_cost_usd
from chatbot.models import ModelUsage
from chatbot.responders.base import BotReply, ReplyKind
from helpdesk.models import Bot, Conversation, Message


def usage_outcome(reply: BotReply, *, confidence_threshold: float) -> str:
    """The outcome code stored with a call: the error code, ``wants_human``, ``low_confidence`` or the
    reply's kind (``answer``)."""
    if reply.kind == ReplyKind.ERROR:
        return reply.error or "error"
    if reply.wants_human:
        return "wants_human"
    if reply.kind == ReplyKind.ANSWER and reply.confidence < confidence_threshold:
        return "low_confidence"
    return reply.kind


@transaction.atomic
def model_usage_record(
    *, bot: Bot, conversation: Conversation, question: Message, reply: BotReply
) -> ModelUsage | None:
    """Store what answering ``question`` with a model cost; None when no model was called."""
    if reply.attempts <= 0 and not reply.usage:
        return None
    model_name = reply.model or bot.model_name
    return ModelUsage.objects.create(
        tenant_id=conversation.tenant_id,
        bot=bot,
        conversation=conversation,
        message=question,
        model_name=model_name,
        input_tokens=reply.usage.get("input_tokens", 0),
        output_tokens=reply.usage.get("output_tokens", 0),
        cache_read_tokens=reply.usage.get("cache_read_input_tokens", 0),
        cache_write_tokens=reply.usage.get("cache_creation_input_tokens", 0),
        cost_usd=Decimal(str(responder_cost_usd(model_name, reply.usage))) if reply.usage else Decimal("0"),
        outcome=usage_outcome(reply, confidence_threshold=bot.confidence_threshold),
        attempts=max(reply.attempts, 1),
        duration_ms=max(reply.duration_ms, 0),
    )


def model_spend_for(*, tenant_id: int, since: datetime | None = None) -> dict[str, int | Decimal]:
    """A tenant's model spend: number of calls, tokens and cost in USD (since a moment, if given)."""
    rows = ModelUsage.objects.for_tenant(tenant_id)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    totals = rows.aggregate(
        calls=Count("id"),
        input_tokens=Sum("input_tokens"),
        output_tokens=Sum("output_tokens"),
        cache_read_tokens=Sum("cache_read_tokens"),
        cache_write_tokens=Sum("cache_write_tokens"),
        cost_usd=Sum("cost_usd"),
    )
    return {
        key: value if value is not None else (Decimal("0") if key == "cost_usd" else 0)
        for key, value in totals.items()
    }
