"""What the handoff engine would do with one message, for admins testing their rules (nothing is stored)."""

from __future__ import annotations

from dataclasses import dataclass

from chatbot.extraction import extract_fields, mask_card_numbers
from chatbot.knowledge import bot_profile, passages_for, responder_for, trigger_settings_for
from chatbot.models import Bot
from chatbot.responders.base import BotReply, ReplyKind
from handoff.sentiment import sentiment_score
from handoff.triggers import TriggerHit, TurnContext, inline_hits, primary_hit, turn_hits


@dataclass(frozen=True)
class TriggerPreview:
    text: str
    inline: list[TriggerHit]
    after_reply: list[TriggerHit]
    primary: TriggerHit | None
    reply: BotReply | None
    sentiment: float | None
    collected: dict[str, str]

    @property
    def hands_off(self) -> bool:
        return self.primary is not None


def triggers_preview(*, bot: Bot, text: str) -> TriggerPreview:
    """Run the message as the first of a new conversation: the inline triggers, and when none fires the
    bot's turn (sentiment, retrieval, responder) and the triggers that need it."""
    text = mask_card_numbers(text.strip())
    settings = trigger_settings_for(bot)
    inline = inline_hits(text, settings)
    collected = extract_fields(
        text, order_number_pattern=bot.order_number_pattern, default_currency=bot.currency
    )
    if inline:
        return TriggerPreview(text, inline, [], primary_hit(inline), None, None, collected)
    score = sentiment_score(text)
    passages = passages_for(bot, text)
    reply = responder_for(bot).respond(question=text, history=[], passages=passages, bot=bot_profile(bot))
    is_answer = reply.kind == ReplyKind.ANSWER
    context = TurnContext(
        text=text,
        previous_customer_texts=(),
        unresolved_turns=1 if is_answer and reply.confidence < settings.confidence_threshold else 0,
        sentiment=score,
        confidence=reply.confidence if is_answer else None,
        reply_kind=reply.kind,
        model_wants_human=reply.wants_human,
        bot_error=reply.error if reply.kind == ReplyKind.ERROR else "",
    )
    after = turn_hits(context, settings)
    return TriggerPreview(text, [], after, primary_hit(after), reply, score, {**collected, **reply.collected})
