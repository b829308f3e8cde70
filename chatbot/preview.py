"""What the handoff engine would do with one message, for admins testing their rules (nothing is stored)."""

from __future__ import annotations

from dataclasses import dataclass

from chatbot.extraction import extract_fields, mask_card_numbers
from chatbot.knowledge import bot_profile, detection_settings_for, passages_for, responder_for
from chatbot.pipeline import assistant_signals, customer_text_read, turn_state
from chatbot.responders.base import BotReply, ReplyKind
from handoff.detection.decision import handoff_decide, signal_evidence, turn_signals
from handoff.detection.signals import DetectionContext
from handoff.sentiment import sentiment_score
from helpdesk.models import Bot


@dataclass(frozen=True)
class TriggerPreview:
    text: str
    inline: list[dict]  # each signal as its evidence record (reason, rule, matched, explanation, ...)
    after_reply: list[dict]
    primary: dict | None
    reply: BotReply | None
    sentiment: float | None
    collected: dict[str, str]

    @property
    def hands_off(self) -> bool:
        return self.primary is not None


def triggers_preview(*, bot: Bot, text: str) -> TriggerPreview:
    """Run the message as the first of a new conversation: its signals (rule floor and model), and when
    none fires the bot's turn (retrieval, responder) and the turn's own conditions."""
    text = mask_card_numbers(text.strip())
    settings = detection_settings_for(bot)
    signals = customer_text_read(text, DetectionContext(), settings).signals
    collected = extract_fields(
        text, order_number_pattern=bot.order_number_pattern, default_currency=bot.currency
    )
    if (decision := handoff_decide(signals)) is not None:
        inline = [signal_evidence(s) for s in decision.signals]
        return TriggerPreview(text, inline, [], inline[0], None, None, collected)
    score = sentiment_score(text)
    passages = passages_for(bot, text)
    reply = responder_for(bot).respond(question=text, history=[], passages=passages, bot=bot_profile(bot))
    unsure = reply.kind == ReplyKind.ANSWER and reply.confidence < settings.confidence_threshold
    unresolved = 1 if unsure else 0
    state = turn_state(reply, settings, unresolved)
    after_signals = assistant_signals(reply, settings)
    decision = handoff_decide(after_signals, state)
    after = [signal_evidence(s) for s in (decision.signals if decision else turn_signals(state))]
    return TriggerPreview(
        text, [], after, after[0] if decision else None, reply, score, {**collected, **reply.collected}
    )
