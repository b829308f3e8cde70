"""Starting and ending handoffs: the record, the routing, what the customer is told, what agents see.

The API's writes on handoffs and handoff rules live here too: one home for the app's writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from handoff.deadlines import OFFLINE, REOFFER, deadline_action
from handoff.detection.signals import BUILTIN_CATEGORIES
from handoff.models import Handoff, HandoffRule
from handoff.routing import WaitEstimate, queue_state, wait_estimate
from handoff.selectors import handoff_context, handoff_open
from helpdesk.errors import Conflict, InvalidInput
from helpdesk.events import inbox_group, publish_on_commit
from helpdesk.language import speaking_to
from helpdesk.models import DEFAULT_HANDOFF_MESSAGE, Conversation, Message, Queue
from helpdesk.payloads import conversation_payload
from helpdesk.reasons import HandoffReason, reason_label
from helpdesk.services import conversation_status_set, message_create, system_message_create
from helpdesk.webhooks import webhook_emit
from inbox.assignment import queue_dispatch
from inbox.selectors import queue_position
from tickets.offline import offline_path_take


@dataclass(frozen=True)
class HandoffRequest:
    """Why a conversation should go to a person: the primary reason and the evidence behind it."""

    reason: str
    evidence: dict
    trigger_message: Message | None = None


def _in_language_of(conversation: Conversation, render, *args, **kwargs) -> str:
    with speaking_to(conversation):
        return render(*args, **kwargs)


def handoff_message_render(template: str, *, estimate: WaitEstimate) -> str:
    """The bot's handoff message with ``{position}`` and ``{wait}`` filled in.

    An admin's template with a placeholder we do not know, or broken braces, is sent as written rather
    than failing the handoff.
    """
    if template.strip() == DEFAULT_HANDOFF_MESSAGE.strip():
        template = gettext(DEFAULT_HANDOFF_MESSAGE)  # the default speaks the customer's language
    try:
        return template.format(position=estimate.position, wait=estimate.phrase()).strip()
    except (KeyError, IndexError, ValueError):
        return template.strip()


@transaction.atomic(savepoint=False)
def handoff_start(
    *, conversation: Conversation, request: HandoffRequest, queue: Queue | None, handoff_message: str
) -> Handoff | None:
    """Hand ``conversation`` to a person. Idempotent: a conversation already handed off keeps its handoff.

    Open queue: the conversation waits in it and agents are told. Closed or no queue: the offline path,
    with a clear message to the customer and the conversation stored (never a silent dead end).
    """
    locked = (
        Conversation.objects.for_tenant(conversation.tenant_id)
        .select_for_update(of=("self",))
        .select_related("contact", "bot")
        .get(pk=conversation.pk)
    )
    if locked.status != Conversation.Status.BOT:
        return handoff_open(locked)
    context = handoff_context(locked)
    now = timezone.now()
    is_open = queue_state(queue).is_open
    handoff = Handoff.objects.create(
        tenant_id=locked.tenant_id,
        conversation=locked,
        reason=request.reason,
        evidence=request.evidence,
        context=context,
        queue=queue,
        outcome=Handoff.Outcome.QUEUED if is_open else Handoff.Outcome.OFFLINE,
        trigger_message=request.trigger_message,
        offered_at=now if is_open else None,
    )
    locked.handoff_reason = request.reason
    label = reason_label(request.reason)
    detail = request.evidence.get("explanation") or ""
    system_message_create(
        conversation=locked,
        body=f"Handed off: {label.lower()}" + (f". {detail}" if detail else ""),
        event="handoff",
        private=True,
        reason=request.reason,
        handoff_id=handoff.pk,
    )
    if is_open:
        locked.queue = queue
        conversation_status_set(
            conversation=locked, status=Conversation.Status.WAITING, also_save=("handoff_reason", "queue")
        )
        estimate = wait_estimate(queue, queue_position(tenant=locked.tenant_id, conversation=locked))
        message_create(
            conversation=locked,
            author_kind=Message.Author.BOT,
            body=_in_language_of(locked, handoff_message_render, handoff_message, estimate=estimate),
            data={"event": "handoff", "queue_position": estimate.position, "wait_seconds": estimate.seconds},
        )
        publish_on_commit(
            inbox_group(locked.tenant_id),
            {
                "type": "handoff.created",
                "conversation": conversation_payload(locked),
                "handoff": handoff_payload(handoff),
            },
        )
        transaction.on_commit(lambda: queue_dispatch(queue))
    else:
        locked.save(update_fields=["handoff_reason"])
        offline_path_take(conversation=locked, why="closed", reason=request.reason)
    webhook_emit(
        tenant_id=locked.tenant_id,
        event="handoff.created",
        data=lambda: {"conversation": conversation_payload(locked), "handoff": handoff_payload(handoff)},
    )
    conversation.status = locked.status
    return handoff


@transaction.atomic
def pickup_deadline_apply(*, conversation_id: int, now=None) -> str | None:
    """Re-offer a conversation that has waited past its queue's pickup deadline, and send one that has
    waited twice as long to the offline path. Safe to run twice: it acts on what the row says now."""
    now = now or timezone.now()
    conversation = (
        Conversation.objects.unscoped("the deadline sweep names each waiting conversation by id")
        .select_for_update(of=("self",))
        .select_related("queue")
        .filter(pk=conversation_id)
        .first()
    )
    if (
        conversation is None
        or conversation.status != Conversation.Status.WAITING
        or conversation.queue is None
    ):
        return None
    handoff = handoff_open(conversation)
    action = deadline_action(
        waiting_since=conversation.waiting_since,
        reoffered=bool(handoff and handoff.reoffered_at),
        now=now,
        deadline_seconds=conversation.queue.pickup_deadline_seconds,
    )
    if action == REOFFER:
        if handoff is not None:
            handoff.reoffered_at = now
            handoff.save(update_fields=["reoffered_at"])
        publish_on_commit(
            inbox_group(conversation.tenant_id),
            {"type": "handoff.reoffered", "conversation": conversation_payload(conversation)},
        )
        queue = conversation.queue
        transaction.on_commit(lambda: queue_dispatch(queue))
    elif action == OFFLINE:
        if handoff is not None:
            handoff.outcome = Handoff.Outcome.OFFLINE
            handoff.save(update_fields=["outcome"])
        system_message_create(
            conversation=conversation,
            body="Nobody picked this up in time: sent to the offline path",
            event="pickup_deadline",
            private=True,
        )
        offline_path_take(
            conversation=conversation,
            why="pickup_missed",
            reason=handoff.reason if handoff else HandoffReason.API,
        )
    return action


def handoff_payload(handoff: Handoff) -> dict:
    return {
        "id": handoff.pk,
        "reason": handoff.reason,
        "reason_label": HandoffReason(handoff.reason).label
        if handoff.reason in HandoffReason.values
        else handoff.reason,
        "evidence": handoff.evidence,
        "context": handoff.context,
        "outcome": handoff.outcome,
        "created_at": handoff.created_at.isoformat(),
    }


def handoff_rules_seed(*, tenant_id: int, bot_id: int) -> int:
    """Give a bot the default sensitive-topic rules it does not have yet. Returns how many were added."""
    added = 0
    for name, label in BUILTIN_CATEGORIES:
        _, created = HandoffRule.objects.get_or_create(
            tenant_id=tenant_id,
            bot_id=bot_id,
            name=name,
            defaults={"label": label, "builtin": True, "enabled": True},
        )
        added += int(created)
    return added


PATTERN_MAX = 200


def rule_lines_clean(
    *, keywords: list[str] | None = None, patterns: list[str] | None = None
) -> dict[str, str]:
    """Keywords and patterns as the model stores them (one per line). A pattern that does not compile is
    refused here, not at the customer's next message."""
    out = {}
    if keywords is not None:
        out["keywords"] = "\n".join(k.strip() for k in keywords if k.strip())
    if patterns is not None:
        for i, pattern in enumerate(patterns):
            if len(pattern) > PATTERN_MAX:
                raise InvalidInput(fields={f"patterns.{i}": [f"At most {PATTERN_MAX} characters."]})
            try:
                re.compile(pattern)
            except re.error as exc:
                raise InvalidInput(
                    f"Pattern {i + 1} is not a valid regular expression: {exc}.",
                    fields={f"patterns.{i}": [f"Not a valid regular expression: {exc}."]},
                ) from exc
        out["patterns"] = "\n".join(p.strip() for p in patterns if p.strip())
    return out


def _saved(rule: HandoffRule) -> HandoffRule:
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError as exc:
        raise InvalidInput(
            "The bot already has a rule with this name.", fields={"name": ["Already in use."]}
        ) from exc
    return rule


@transaction.atomic
def handoff_rule_create(
    *, bot, name: str, label: str, keywords=(), patterns=(), enabled: bool = True
) -> HandoffRule:
    lines = rule_lines_clean(keywords=list(keywords), patterns=list(patterns))
    return _saved(
        HandoffRule(tenant_id=bot.tenant_id, bot=bot, name=name, label=label, enabled=enabled, **lines)
    )


@transaction.atomic
def handoff_rule_update(*, rule: HandoffRule, **changes) -> HandoffRule:
    """Change a rule. A built-in rule keeps its name: its shipped phrases are found by it."""
    if getattr(rule, "builtin", False) and changes.get("name", rule.name) != rule.name:
        raise InvalidInput(
            "A built-in rule keeps its name.", fields={"name": ["Built-in rules cannot be renamed."]}
        )
    changes.update(
        rule_lines_clean(keywords=changes.pop("keywords", None), patterns=changes.pop("patterns", None))
    )
    for field, value in changes.items():
        setattr(rule, field, value)
    return _saved(rule)


@transaction.atomic
def handoff_rule_delete(*, rule: HandoffRule) -> None:
    """Delete a rule the admins added. A built-in rule is switched off instead (``enabled`` false)."""
    if getattr(rule, "builtin", False):
        raise Conflict("A built-in rule cannot be deleted: switch it off instead.", code="builtin_rule")
    rule.delete()


def handoff_request_manual(
    *, conversation: Conversation, evidence: dict, requested_by: dict
) -> tuple[Handoff, bool]:
    """Hand a conversation with the bot to its bot's queue (reason ``api``), as the triggers would.

    Returns the handoff and whether it is new; a conversation already with people keeps its open handoff.
    One that is closed (resolved, or gone to the offline path without an open handoff) is a conflict.
    """
    was_with_bot = conversation.status == Conversation.Status.BOT
    bot = conversation.bot
    handoff = handoff_start(
        conversation=conversation,
        request=HandoffRequest(reason=HandoffReason.API, evidence={**evidence, "requested_by": requested_by}),
        queue=bot.queue,
        handoff_message=bot.handoff_message,
    )
    if handoff is None:
        raise Conflict("This conversation is closed: it cannot be handed off.", code="conversation_closed")
    return handoff, was_with_bot and handoff.reason == HandoffReason.API
