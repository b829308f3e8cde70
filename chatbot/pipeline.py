"""The bot's side of the customer message path: the message's signals, then the bot's turn.

``customer_message_route`` runs inside the transaction that stored the customer's message: the rule floor
and the learned signal model (``handoff.detection``) read it before, and independent of, any reply, and
a signal hands off at once. Otherwise the bot's turn is enqueued after commit. ``bot_turn_run`` is the turn
itself (a Celery task calls it): retrieval, the responder, then the turn's own conditions (a question
asked again, unresolved turns, low confidence, an error) and the assistant's signals, decided together
by ``handoff_decide``. The assistant may add a handoff, never veto one; an error of the model hands off
too. Running a turn twice answers once.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef

from chatbot.extraction import extract_fields
from chatbot.knowledge import bot_profile, detection_settings_for, passages_for, responder_for
from chatbot.responders.base import BotReply, ReplyKind, Turn
from chatbot.smalltalk import small_talk_kind
from chatbot.usage import model_usage_record
from handoff.amounts import find_amounts
from handoff.detection.decision import (
    Decision,
    TurnState,
    decision_evidence,
    handoff_decide,
    unresolved_after,
)
from handoff.detection.loops import Exchange, asked_again
from handoff.detection.reading import Reading, read_message
from handoff.detection.signals import (
    BOT_ERROR,
    EXPLICIT_REQUEST,
    LOW_CONFIDENCE,
    NEGATIVE_SENTIMENT,
    REFUND_OVER_AMOUNT,
    REPEATED_FAILURE,
    SENSITIVE_TOPIC,
    DetectionContext,
    DetectionSettings,
    Signal,
    quote,
)
from handoff.detection.store import DetectorUnavailable, detector_get
from handoff.sentiment import sentiment_score
from handoff.services import HandoffRequest, handoff_start
from helpdesk.events import conversation_group, publish_on_commit, typing_event
from helpdesk.language import speaking_to
from helpdesk.models import Bot, Conversation, Message, OutboxTask
from helpdesk.outbox import outbox_add
from helpdesk.services import conversation_collected_merge, conversation_language_note, message_create
from tickets.offline import offline_message_receive
from tickets.offline_text import disclaimer_text, offline_unsure_text

logger = logging.getLogger(__name__)

HISTORY_TURNS = 10


def handoff_for_decision(
    *, conversation: Conversation, bot: Bot, message: Message, decision: Decision | None
) -> bool:
    """Hand off when the decision says so, with every signal as evidence. Returns whether it handed off."""
    if decision is None:
        return False
    evidence = {**decision_evidence(decision), "message_seq": message.seq, "message": message.body}
    handoff_start(
        conversation=conversation,
        request=HandoffRequest(reason=decision.reason, evidence=evidence, trigger_message=message),
        queue=bot.queue,
        handoff_message=bot.handoff_message,
    )
    return True


def _bot_failed(explanation: str, rule: str = "bot_error") -> Decision:
    signal = Signal(BOT_ERROR, rule, evidence=explanation, rule=rule, source="turn")
    return Decision(reason=BOT_ERROR, signal=signal, signals=(signal,))


def _refund_asked_before(conversation: Conversation, message: Message, settings: DetectionSettings) -> bool:
    """Whether an earlier customer message of the bot's part asked for money back, looked up only when this
    one names an amount above the limit (the only case where it matters)."""
    limit = settings.refund_handoff_amount
    if limit is None or not settings.sensitive_topic:
        return False
    if not any(m.amount > limit for m in find_amounts(message.body, default_currency=settings.currency)):
        return False
    return (
        Message.objects.for_tenant(conversation.tenant_id)
        .filter(
            conversation=conversation,
            author_kind=Message.Author.CUSTOMER,
            seq__gt=conversation.bot_since_seq,
            seq__lt=message.seq,
            data__refund_requested=True,
        )
        .exists()
    )


def customer_text_read(text: str, context: DetectionContext, settings: DetectionSettings) -> Reading:
    """``read_message``, with small talk judged by its own vocabulary: a message that is nothing but a
    greeting, thanks or a closing ("that did the trick", "take care") carries no signal from the model,
    whose n-grams know too little about two or three words to overrule the phrase list (they read short
    closings as sarcasm). The rule floor and the admin's rules still count."""
    reading = read_message(text, context, settings)
    if small_talk_kind(text) is None:
        return reading
    return replace(reading, signals=[s for s in reading.signals if s.source != "model"])


def message_read(conversation: Conversation, message: Message, settings: DetectionSettings) -> Reading:
    """The message's signals; a refund request is kept on the message for the turns after it."""
    context = DetectionContext(refund_requested=_refund_asked_before(conversation, message, settings))
    reading = customer_text_read(message.body, context, settings)
    if reading.refund_requested and not message.data.get("refund_requested"):
        message.data = {**message.data, "refund_requested": True}
        Message.objects.for_tenant(message.tenant_id).filter(pk=message.pk).update(data=message.data)
    return reading


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
    conversation_language_note(conversation=conversation, text=message.body)
    if conversation.status == Conversation.Status.OFFLINE:
        # The offline path takes contact details; with a disclaimer policy the bot answers the rest.
        if not offline_message_receive(conversation=conversation, message=message):
            _turn_enqueue(conversation, bot, message)
        return
    if conversation.status != Conversation.Status.BOT:
        return
    try:
        reading = message_read(conversation, message, detection_settings_for(bot))
    except DetectorUnavailable as exc:
        # Start-up refuses to run without the model; should it vanish later, a person takes over
        # rather than the bot deciding blind.
        logger.error("%s", exc)
        handoff_for_decision(
            conversation=conversation, bot=bot, message=message, decision=_bot_failed("detector unavailable")
        )
        return
    decision = handoff_decide(reading.signals)
    if handoff_for_decision(conversation=conversation, bot=bot, message=message, decision=decision):
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


def _in_language_of(conversation: Conversation, text) -> str:
    with speaking_to(conversation):
        return text()


def bot_turn_run(*, conversation_id: int, message_id: int) -> Message | None:
    """The bot's turn for one customer message. Idempotent: a turn already answered returns its answer
    (``Message.reply_to`` is unique, so even two runs racing each other store one answer)."""
    conversation = (
        Conversation.objects.unscoped("a queued task names its conversation by id")
        .select_related("bot", "bot__queue")
        .get(pk=conversation_id)
    )
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
        with speaking_to(conversation):
            if conversation.status == Conversation.Status.OFFLINE:
                reply = _answer_offline(conversation, bot, message)
            else:
                reply = _answer(conversation, bot, message)
    except Exception as exc:
        # Whatever broke, the customer must not wait in silence: a person takes over.
        logger.exception("The bot's turn failed for conversation %s", conversation.pk)
        with transaction.atomic():
            decision = _bot_failed(type(exc).__name__)
            handoff_for_decision(conversation=conversation, bot=bot, message=message, decision=decision)
        reply = None
    finally:
        publish_on_commit(
            conversation_group(conversation.tenant_id, conversation.pk),
            typing_event(conversation_id=conversation.pk, who="bot", typing=False, name=bot.name),
        )
    return reply


def assistant_signals(reply: BotReply, settings: DetectionSettings) -> list[Signal]:
    """What the responder itself read in the message (Claude's answer tool). They add to the detector's
    and the rules' signals, never take one away, and follow the bot's switches like the others."""
    if reply.kind != ReplyKind.ANSWER:
        return []
    signals = []
    if reply.wants_human:
        signals.append(Signal(EXPLICIT_REQUEST, "person", rule="model_request", source="assistant"))
    if reply.sensitive_topic:
        signals.append(Signal(SENSITIVE_TOPIC, reply.sensitive_topic, rule="assistant", source="assistant"))
    limit = settings.refund_handoff_amount
    if reply.refund_amount is not None and limit is not None and Decimal(reply.refund_amount) > limit:
        signals.append(
            Signal(
                SENSITIVE_TOPIC,
                REFUND_OVER_AMOUNT,
                evidence=f"{reply.refund_amount} {reply.refund_currency or settings.currency}",
                rule=REFUND_OVER_AMOUNT,
                source="assistant",
                amount=reply.refund_amount,
                currency=reply.refund_currency or settings.currency,
            )
        )
    if reply.frustrated:
        signals.append(Signal(NEGATIVE_SENTIMENT, "frustrated", rule="assistant", source="assistant"))
    if reply.kb_answers is False:
        evidence = "the assistant found no answer in the knowledge base"
        signals.append(
            Signal(LOW_CONFIDENCE, "kb_answers", evidence=evidence, rule="assistant", source="assistant")
        )
    return [s for s in signals if settings.allows(s.reason, s.category)]


def turn_state(reply: BotReply, settings: DetectionSettings, unresolved: int) -> TurnState:
    """The turn's own conditions for ``handoff_decide``: the reply and the bot's switches and limits."""
    is_answer = reply.kind == ReplyKind.ANSWER
    return TurnState(
        unresolved_turns=unresolved,
        max_unresolved_turns=settings.max_unresolved_turns,
        confidence=reply.confidence if is_answer else None,
        confidence_threshold=settings.confidence_threshold,
        bot_error=(reply.error or "error") if reply.kind == ReplyKind.ERROR else "",
        repeated_failure=settings.repeated_failure,
        low_confidence=settings.low_confidence,
    )


def _previous_question(earlier: list[Message]) -> str:
    """The customer's message before this one (a follow-up is retrieved with its words too)."""
    return next((m.body for m in reversed(earlier) if m.author_kind == Message.Author.CUSTOMER), "")


def _exchanges(earlier: list[Message]) -> list[Exchange]:
    """The bot's earlier answers, each with the customer message it answered."""
    questions = {m.pk: m.body for m in earlier if m.author_kind == Message.Author.CUSTOMER}
    return [
        Exchange(questions[m.data["reply_to"]], m.body)
        for m in earlier
        if m.author_kind == Message.Author.BOT
        and m.data.get("kind") == ReplyKind.ANSWER
        and m.data.get("reply_to") in questions
    ]


def _answer(conversation: Conversation, bot: Bot, message: Message) -> Message | None:
    score = sentiment_score(message.body)
    history, earlier = _history(conversation, message.seq)
    passages = passages_for(bot, message.body, context=_previous_question(earlier))
    reply: BotReply = responder_for(bot).respond(
        question=message.body, history=history, passages=passages, bot=bot_profile(bot)
    )
    model_usage_record(bot=bot, conversation=conversation, question=message, reply=reply)
    settings = detection_settings_for(bot)
    previous_state = next(
        (m.data.get("unresolved", 0) for m in reversed(earlier) if m.author_kind == Message.Author.CUSTOMER),
        0,
    )
    is_answer = reply.kind == ReplyKind.ANSWER
    again = asked_again(detector_get(), message.body, reply.text, _exchanges(earlier)) if is_answer else None
    unresolved = unresolved_after(
        previous_state,
        reply_kind=reply.kind,
        confidence=reply.confidence if is_answer else None,
        repeated=again is not None,
        threshold=settings.confidence_threshold,
    )
    signals = assistant_signals(reply, settings)
    if again is not None and settings.repeated_failure:
        evidence = (
            f'Asked again ("{quote(message.body, 80)}" after "{quote(again.earlier.question, 80)}") and the '
            "answer would repeat an earlier one"
        )
        signals.append(
            Signal(
                REPEATED_FAILURE, "asked_again", again.question_similarity, evidence, "asked_again", "turn"
            )
        )
    decision = handoff_decide(signals, turn_state(reply, settings, unresolved))
    with transaction.atomic():
        locked = (
            Conversation.objects.for_tenant(conversation.tenant_id)
            .select_for_update(of=("self",))
            .select_related("bot", "contact")
            .get(pk=conversation.pk)
        )
        if locked.status != Conversation.Status.BOT:
            return None  # an agent took the conversation while the model was thinking: stay silent
        Message.objects.for_tenant(message.tenant_id).filter(pk=message.pk).update(
            data={
                **message.data,
                "sentiment": score,
                "unresolved": unresolved,
                "small_talk": reply.kind in (ReplyKind.GREETING, ReplyKind.THANKS),
            }
        )
        collected_update(conversation=locked, bot=bot, text="", extra=reply.collected)
        if handoff_for_decision(conversation=locked, bot=bot, message=message, decision=decision):
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
    history, earlier = _history(conversation, message.seq)
    passages = passages_for(bot, message.body, context=_previous_question(earlier))
    reply = responder_for(bot).respond(
        question=message.body, history=history, passages=passages, bot=bot_profile(bot)
    )
    model_usage_record(bot=bot, conversation=conversation, question=message, reply=reply)
    settings = detection_settings_for(bot)
    try:
        signals = customer_text_read(message.body, DetectionContext(), settings).signals
    except DetectorUnavailable as exc:
        logger.error("%s", exc)
        signals = []
    wants_person = reply.wants_human or any(s.reason == EXPLICIT_REQUEST for s in signals)
    if reply.kind in (ReplyKind.GREETING, ReplyKind.THANKS) and not wants_person:
        text, sources = reply.text, []
    elif wants_person or reply.kind == ReplyKind.ERROR or reply.confidence < settings.confidence_threshold:
        text, sources = offline_unsure_text(), []
    else:
        text, sources = f"{reply.text}\n\n{disclaimer_text()}", _sources(passages, reply.passage_ids)
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
            Conversation.objects.unscoped("a queued task names its conversation by id")
            .select_for_update(of=("self",))
            .select_related("bot", "bot__queue")
            .filter(pk=conversation_id)
            .first()
        )
        if conversation is None:
            return
        message = conversation.messages.filter(pk=message_id).first()
        if message is None or Message.objects.filter(reply_to=message).exists():
            return
        bot = conversation.bot
        seconds = settings.BOT_TURN_WATCHDOG_SECONDS
        if conversation.status == Conversation.Status.BOT:
            decision = _bot_failed(f"No answer within {seconds} s", rule="watchdog")
            handoff_for_decision(conversation=conversation, bot=bot, message=message, decision=decision)
        elif conversation.status == Conversation.Status.OFFLINE:
            message_create(
                conversation=conversation,
                author_kind=Message.Author.BOT,
                body=_in_language_of(conversation, offline_unsure_text),
                reply_to=message,
                data={"reply_to": message.pk, "kind": ReplyKind.ERROR, "unchecked": True, "watchdog": True},
            )
        publish_on_commit(
            conversation_group(conversation.tenant_id, conversation.pk),
            typing_event(conversation_id=conversation.pk, who="bot", typing=False, name=bot.name),
        )
