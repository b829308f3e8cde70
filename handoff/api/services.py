"""Writes the REST API makes on handoffs and handoff rules."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction

from handoff.models import Handoff, HandoffRule, Reason
from handoff.services import HandoffRequest, handoff_start
from helpdesk.errors import Conflict, InvalidInput
from helpdesk.models import Conversation

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
        request=HandoffRequest(reason=Reason.API, evidence={**evidence, "requested_by": requested_by}),
        queue=bot.queue,
        handoff_message=bot.handoff_message,
    )
    if handoff is None:
        raise Conflict("This conversation is closed: it cannot be handed off.", code="conversation_closed")
    return handoff, was_with_bot and handoff.reason == Reason.API
