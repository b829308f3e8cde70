"""The bot's side of the customer message path: inline triggers, then the bot's turn.

``customer_message_route`` runs inside the transaction that stored the customer's message: the
deterministic triggers (explicit request, sensitive topics, dissatisfaction and frustration phrases) run
before and independent of any model call, and a hit hands off at once. Otherwise the bot's turn is
enqueued after commit. ``bot_turn_run`` is the turn itself (a Celery task calls it): sentiment, retrieval,
the responder, then the triggers that need them. The model may add a handoff, never veto one; an error
of the model hands off too. Running a turn twice answers once.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef

from chatbot.extraction import extract_fields
from chatbot.knowledge import bot_profile, passages_for, responder_for, trigger_settings_for
from chatbot.models import Bot
from chatbot.responders.base import BotReply, ReplyKind, Turn
from chatbot.usage import model_usage_record
from handoff.offline import offline_message_receive
from handoff.offline_text import DISCLAIMER, OFFLINE_UNSURE
from handoff.sentiment import sentiment_score
from handoff.services import HandoffRequest, handoff_start
from handoff.triggers import (
    TriggerHit,
    TurnContext,
    inline_hits,
    is_rephrase,
    primary_hit,
    turn_hits,
    unresolved_after,
)
from helpdesk.events import conversation_group, publish_on_commit, typing_event
from helpdesk.models import Conversation, Message, OutboxTask
from helpdesk.outbox import outbox_add
from helpdesk.services import conversation_collected_merge, message_create

logger = logging.getLogger(__name__)

HISTORY_TURNS = 10


def _hit_evidence(hit: TriggerHit, hits: list[TriggerHit], message: Message) -> dict:
    return {
        **hit.as_evidence(),
        "message_seq": message.seq,
        "message": message.body,
        "all": [h.as_evidence() for h in hits],
    }


def handoff_for_hits(
    *, conversation: Conversation, bot: Bot, message: Message, hits: list[TriggerHit]
) -> bool:
    """Hand off if any trigger fired; the primary one names the reason. Returns whether it handed off."""
    hit = primary_hit(hits)
    if hit is None:
        return False
    handoff_start(
        conversation=conversation,
        request=HandoffRequest(
            reason=hit.reason, evidence=_hit_evidence(hit, hits, message), trigger_message=message
        ),
        queue=bot.queue,
        handoff_message=bot.handoff_message,
    )
    return True


def collected_update(*, conversation: Conversation, bot: Bot, text: str, extra: dict | None = None) -> None:
    fields = extract_fields(
        text, order_number_pattern=bot.order_number_pattern, default_currency=bot.currency
    )
    fields.update({k: v for k, v in (extra or {}).items() if v})
    if fields:
        conversation_collected_merge(conversation=conversation, fields=fields)


def customer_message_route(*, conversation: Conversation, message: Message) -> None:
    """Called in the transaction that stored ``message``; see the module docstring."""
    bot = conversation.bot
    collected_update(conversation=conversation, bot=bot, text=message.body)
    if conversation.status == Conversation.Status.OFFLINE:
        # The offline path takes contact details; with a disclaimer policy the bot answers the rest.
        if not offline_message_receive(conversation=conversation, message=message):
            _turn_enqueue(conversation, bot, message)
        return
    if conversation.status != Conversation.Status.BOT:
        return
    hits = inline_hits(message.body, trigger_settings_for(bot))
    if handoff_for_hits(conversation=conversation, bot=bot, message=message, hits=hits):
        return
    _turn_enqueue(conversation, bot, message)


def _turn_enqueue(conversation: Conversation, bot: Bot, message: Message) -> None:
    """The bot's turn, recorded in the transaction that stored the message (see helpdesk.outbox): a broker
    outage or a dead worker cannot leave the message unanswered, and if no answer comes within
    ``BOT_TURN_WATCHDOG_SECONDS`` the watchdog (:func:`bot_turn_overdue`) tells the customer and hands on."""
    publish_on_commit(
        conversation_group(conversation.tenant_id, conversation.pk),
        typing_event(conversation_id=conversation.pk, who="bot", typing=True, name=bot.name),
    )
    outbox_add(
        tenant_id=conversation.tenant_id,
        task="chatbot.tasks.bot_turn",
        args=[conversation.pk, message.pk],
        key=f"bot_turn:{message.pk}",
        deadline_seconds=settings.BOT_TURN_WATCHDOG_SECONDS,
        on_overdue="chatbot.pipeline.bot_turn_overdue",
    )


def _history(conversation: Conversation, before_seq: int) -> tuple[list[Turn], list[Message]]:
    rows = list(
        Message.objects.for_tenant(conversation.tenant_id)
        .filter(
            conversation=conversation,
            private=False,
            seq__gt=conversation.bot_since_seq,
            seq__lt=before_seq,
        )
        .exclude(author_kind=Message.Author.SYSTEM)
        .order_by("-seq")[: HISTORY_TURNS * 2]
    )
    rows.reverse()
    return [Turn(role=m.author_kind, text=m.body) for m in rows], rows


def bot_turn_run(*, conversation_id: int, message_id: int) -> Message | None:
    """The bot's turn for one customer message. Idempotent: a turn already answered returns its answer
    (``Message.reply_to`` is unique, so even two runs racing each other store one answer)."""
    conversation = Conversation.objects.select_related("bot", "bot__queue").get(pk=conversation_id)
    message = (
        Message.objects.annotate(answered=Exists(Message.objects.filter(reply_to=OuterRef("pk"))))
        .filter(conversation=conversation)
        .get(pk=message_id)
    )
    if message.answered:
        return Message.objects.filter(reply_to=message).first()
    if conversation.status not in (Conversation.Status.BOT, Conversation.Status.OFFLINE):
        return None
    bot = conversation.bot
    try:
        if conversation.status == Conversation.Status.OFFLINE:
            reply = _answer_offline(conversation, bot, message)
        else:
            reply = _answer(conversation, bot, message)
    except Exception as exc:
        # Whatever broke, the customer must not wait in silence: a person takes over.
        logger.exception("The bot's turn failed for conversation %s", conversation.pk)
        hit = TriggerHit(
            reason="bot_error",
            rule="bot_error",
            matched="",
            explanation=f"The bot failed: {type(exc).__name__}",
        )
        with transaction.atomic():
            handoff_for_hits(conversation=conversation, bot=bot, message=message, hits=[hit])
        reply = None
    finally:
        publish_on_commit(
            conversation_group(conversation.tenant_id, conversation.pk),
            typing_event(conversation_id=conversation.pk, who="bot", typing=False, name=bot.name),
        )
    return reply


def _answer(conversation: Conversation, bot: Bot, message: Message) -> Message | None:
    score = sentiment_score(message.body)
    history, earlier = _history(conversation, message.seq)
    passages = passages_for(bot, message.body)
    reply: BotReply = responder_for(bot).respond(
        question=message.body, history=history, passages=passages, bot=bot_profile(bot)
    )
    model_usage_record(bot=bot, conversation=conversation, question=message, reply=reply)
    settings = trigger_settings_for(bot)
    previous_customer = tuple(m.body for m in earlier if m.author_kind == Message.Author.CUSTOMER)
    previous_state = next(
        (m.data.get("unresolved", 0) for m in reversed(earlier) if m.author_kind == Message.Author.CUSTOMER),
        0,
    )
    repeated = is_rephrase(message.body, previous_customer, settings.rephrase_similarity) is not None
    unresolved = unresolved_after(
        previous_state,
        reply_kind=reply.kind,
        confidence=reply.confidence if reply.kind == ReplyKind.ANSWER else None,
        repeated=repeated,
        threshold=settings.confidence_threshold,
    )
    with transaction.atomic():
        locked = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("bot", "contact")
            .get(pk=conversation.pk)
        )
        if locked.status != Conversation.Status.BOT:
            return None  # an agent took the conversation while the model was thinking: stay silent
        Message.objects.filter(pk=message.pk).update(
            data={
                **message.data,
                "sentiment": score,
                "unresolved": unresolved,
                "small_talk": reply.kind in (ReplyKind.GREETING, ReplyKind.THANKS),
            }
        )
        collected_update(conversation=locked, bot=bot, text="", extra=reply.collected)
        context = TurnContext(
            text=message.body,
            previous_customer_texts=previous_customer,
            unresolved_turns=unresolved,
            sentiment=score,
            confidence=reply.confidence if reply.kind == ReplyKind.ANSWER else None,
            reply_kind=reply.kind,
            model_wants_human=reply.wants_human,
            bot_error=reply.error if reply.kind == ReplyKind.ERROR else "",
        )
        hits = turn_hits(context, settings)
        if handoff_for_hits(conversation=locked, bot=bot, message=message, hits=hits):
            return None
        return _bot_answer_store(
            conversation=locked,
            question=message,
            reply=reply,
            body=reply.text,
            sources=_sources(passages, reply.passage_ids),
        )


def _bot_answer_store(
    *, conversation: Conversation, question: Message, reply: BotReply, body: str, sources: list[dict], **extra
) -> Message:
    """The bot's answer to ``question``, with what it was based on: the articles it used, its confidence,
    the responder and the tokens it cost. ``reply_to`` makes a repeated turn find the answer it gave."""
    answer, _ = message_create(
        conversation=conversation,
        author_kind=Message.Author.BOT,
        body=body,
        reply_to=question,
        data={
            "reply_to": question.pk,
            "kind": reply.kind,
            "confidence": round(reply.confidence, 3),
            "sources": sources,
            "responder": reply.responder,
            "usage": reply.usage,
            **extra,
        },
    )
    return answer


def _answer_offline(conversation: Conversation, bot: Bot, message: Message) -> Message:
    """With nobody to hand to, the bot gives its best answer, marked as not checked by a person; when it
    is not sure, or the customer asks for a person, it offers the ticket instead of guessing."""
    history, _ = _history(conversation, message.seq)
    passages = passages_for(bot, message.body)
    reply = responder_for(bot).respond(
        question=message.body, history=history, passages=passages, bot=bot_profile(bot)
    )
    model_usage_record(bot=bot, conversation=conversation, question=message, reply=reply)
    settings = trigger_settings_for(bot)
    wants_person = reply.wants_human or any(
        h.reason == "explicit_request" for h in inline_hits(message.body, settings)
    )
    if reply.kind in (ReplyKind.GREETING, ReplyKind.THANKS) and not wants_person:
        text, sources = reply.text, []
    elif wants_person or reply.kind == ReplyKind.ERROR or reply.confidence < settings.confidence_threshold:
        text, sources = OFFLINE_UNSURE, []
    else:
        text, sources = f"{reply.text}\n\n{DISCLAIMER}", _sources(passages, reply.passage_ids)
    return _bot_answer_store(
        conversation=conversation, question=message, reply=reply, body=text, sources=sources, unchecked=True
    )


def _sources(passages, used_ids: list[str]) -> list[dict]:
    seen, out = set(), []
    for passage in passages:
        if passage.id in used_ids and passage.article_id not in seen:
            seen.add(passage.article_id)
            out.append({"article_id": passage.article_id, "title": passage.title, "url": passage.url})
    return out


def bot_turn_overdue(row: OutboxTask) -> None:
    """The watchdog: no answer came within ``BOT_TURN_WATCHDOG_SECONDS`` (no worker, a stuck model call).

    The customer must not wait in silence: with the bot, a person takes over (reason ``bot_error``, which
    the routing turns into the queue or the offline path, each with its message to the customer); on the
    offline path with the disclaimer policy, the bot says it cannot answer now and offers the ticket. A turn
    that answered in the meantime, or a conversation a person already has, is left alone; the turn, if it
    still runs later, finds the conversation handed off and stays silent.
    """
    conversation_id, message_id = row.args[0], row.args[1]
    with transaction.atomic():
        conversation = (
            # Lock the conversation row only: PostgreSQL refuses FOR UPDATE on the nullable side of the
            # outer join to the bot's queue.
            Conversation.objects.select_for_update(of=("self",))
            .select_related("bot", "bot__queue")
            .filter(pk=conversation_id)
            .first()
        )
        message = Message.objects.filter(pk=message_id, conversation_id=conversation_id).first()
        if conversation is None or message is None or Message.objects.filter(reply_to=message).exists():
            return
        bot = conversation.bot
        seconds = settings.BOT_TURN_WATCHDOG_SECONDS
        if conversation.status == Conversation.Status.BOT:
            hit = TriggerHit(
                reason="bot_error",
                rule="watchdog",
                matched="",
                explanation=f"No answer within {seconds} s",
            )
            handoff_for_hits(conversation=conversation, bot=bot, message=message, hits=[hit])
        elif conversation.status == Conversation.Status.OFFLINE:
            message_create(
                conversation=conversation,
                author_kind=Message.Author.BOT,
                body=OFFLINE_UNSURE,
                reply_to=message,
                data={"reply_to": message.pk, "kind": ReplyKind.ERROR, "unchecked": True, "watchdog": True},
            )
        publish_on_commit(
            conversation_group(conversation.tenant_id, conversation.pk),
            typing_event(conversation_id=conversation.pk, who="bot", typing=False, name=bot.name),
        )
