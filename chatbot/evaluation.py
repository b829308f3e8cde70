"""Replaying handoff scenarios through the live pipeline, and scoring the outcome.

A scenario file (format ``handoff-scenarios/1``) names a bot configuration, a knowledge base and
scenarios: customer turns and the expected outcome (the 1-based turn of the handoff or null, a range
``[first, last]`` of acceptable turns, the acceptable reason or reasons, and fields the agent must see).

:func:`scenarios_validate` rejects a malformed file with every problem listed. :func:`scenarios_replay`
builds a throwaway tenant and bot, sends each scenario's turns one by one through the same services the
widget uses (inline triggers, the bot's turn as an eager Celery task, the local responder), and removes
everything it created afterwards. :func:`scenarios_score` is pure: outcomes in, metrics out.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from helpdesk.models import Conversation, Tenant
from helpdesk.outbox import tasks_inline
from helpdesk.reasons import DETECTED_REASONS

FORMAT = "handoff-scenarios/1"
REASONS = tuple(str(reason) for reason in DETECTED_REASONS)


class ScenarioFileError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Expectation:
    first: int | None  # None: no handoff expected
    last: int | None
    reasons: tuple[str, ...]
    collected: dict[str, str]


@dataclass(frozen=True)
class Scenario:
    id: str
    turns: tuple[str, ...]
    expect: Expectation


@dataclass
class Outcome:
    id: str
    handoff_at: int | None
    reason: str | None
    collected: dict[str, Any]
    expect: Expectation
    ok: bool = False
    decision_ok: bool = False
    fields_right: int = 0
    problems: list[str] = field(default_factory=list)


def _turn_range(value: Any, where: str, turns: int, problems: list[str]) -> tuple[int | None, int | None]:
    if value is None:
        return None, None
    if isinstance(value, bool):
        problems.append(f"{where}: handoff_at must be null, a turn number or [first, last]")
        return None, None
    if isinstance(value, int):
        value = [value, value]
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        or not 1 <= value[0] <= value[1] <= turns
    ):
        problems.append(f"{where}: handoff_at must be null, a turn 1..{turns} or [first, last] within them")
        return None, None
    return value[0], value[1]


def scenarios_validate(data: Any) -> tuple[dict, list[dict], list[Scenario]]:
    """The bot settings, knowledge base and scenarios of a parsed file, or :class:`ScenarioFileError`."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ScenarioFileError(["the file must hold a JSON object"])
    if data.get("format") != FORMAT:
        problems.append(f'"format" must be "{FORMAT}"')
    bot = data.get("bot")
    if not isinstance(bot, dict):
        problems.append('"bot" must be an object')
        bot = {}
    kb = data.get("kb")
    if not isinstance(kb, list) or not kb:
        problems.append('"kb" must be a non-empty list of {"title", "body"}')
        kb = []
    for i, article in enumerate(kb):
        if (
            not isinstance(article, dict)
            or not str(article.get("title", "")).strip()
            or not str(article.get("body", "")).strip()
        ):
            problems.append(f"kb[{i}]: needs a non-empty title and body")
    raw = data.get("scenarios")
    if not isinstance(raw, list) or not raw:
        problems.append('"scenarios" must be a non-empty list')
        raw = []
    scenarios, seen = [], set()
    for i, item in enumerate(raw):
        where = f"scenarios[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be an object")
            continue
        sid = item.get("id")
        if not isinstance(sid, str) or not sid:
            problems.append(f"{where}: needs an id")
            continue
        where = f"scenario {sid!r}"
        if sid in seen:
            problems.append(f"{where}: the id is used twice")
        seen.add(sid)
        turns = item.get("turns")
        if (
            not isinstance(turns, list)
            or not turns
            or not all(isinstance(t, str) and t.strip() for t in turns)
        ):
            problems.append(f"{where}: turns must be a non-empty list of non-empty strings")
            continue
        expect = item.get("expect")
        if not isinstance(expect, dict) or "handoff_at" not in expect:
            problems.append(f'{where}: expect must be an object with "handoff_at"')
            continue
        first, last = _turn_range(expect["handoff_at"], where, len(turns), problems)
        reason = expect.get("reason")
        reasons = tuple(reason) if isinstance(reason, list) else ((reason,) if reason else ())
        if any(r not in REASONS for r in reasons):
            problems.append(f"{where}: unknown reason in {reason!r}; known: {', '.join(REASONS)}")
        collected = expect.get("collected") or {}
        if not isinstance(collected, dict) or not all(isinstance(v, str) for v in collected.values()):
            problems.append(f"{where}: collected must map field names to strings")
            collected = {}
        scenarios.append(Scenario(sid, tuple(turns), Expectation(first, last, reasons, collected)))
    if problems:
        raise ScenarioFileError(problems)
    return bot, kb, scenarios


def _bot_fields(bot: dict) -> dict:
    fields: dict[str, Any] = {}
    if "confidence_threshold" in bot:
        fields["confidence_threshold"] = float(bot["confidence_threshold"])
    if "max_unresolved_turns" in bot:
        fields["max_unresolved_turns"] = int(bot["max_unresolved_turns"])
    if "refund_handoff_amount" in bot:
        try:
            fields["refund_handoff_amount"] = Decimal(str(bot["refund_handoff_amount"]))
        except InvalidOperation as exc:
            raise ScenarioFileError(["bot.refund_handoff_amount must be a number"]) from exc
    if "currency" in bot:
        fields["currency"] = str(bot["currency"])[:3].upper()
    if "order_number_pattern" in bot:
        fields["order_number_pattern"] = str(bot["order_number_pattern"])
    return fields


def scenarios_replay(
    bot_settings: dict, kb: list[dict], scenarios: list[Scenario], progress: Callable[[], None] | None = None
) -> list[Outcome]:
    """Run every scenario through the live services on a throwaway tenant that is deleted afterwards.

    Each turn's task runs before the next turn is sent (not on the embedded mode's task threads), so the
    replay reads the outcome of every turn as a customer waiting for the answer would see it."""
    with tasks_inline():
        return _replay(bot_settings, kb, scenarios, progress)


def _replay(
    bot_settings: dict, kb: list[dict], scenarios: list[Scenario], progress: Callable[[], None] | None
) -> list[Outcome]:
    from celery import current_app as celery_app

    from chatbot.services import (
        article_upsert,
        bot_create,
        customer_message_receive,
        widget_conversation_start,
    )
    from helpdesk.models import Queue

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    tenant = Tenant.objects.create(name="Scenario evaluation", slug=f"eval-{uuid.uuid4().hex[:12]}")
    try:
        # Nobody is online during an evaluation: the queue takes handoffs anyway, as the live chat would
        # with an agent there.
        queue = Queue.objects.create(tenant=tenant, name="Evaluation queue", require_agent_online=False)
        bot = bot_create(
            tenant=tenant,
            name=str(bot_settings.get("name") or "Evaluation bot"),
            queue=queue,
            **_bot_fields(bot_settings),
        )
        for article in kb:
            article_upsert(
                bot=bot, title=str(article["title"]), body=str(article["body"]), url=article.get("url", "")
            )
        outcomes = []
        for scenario in scenarios:
            session = widget_conversation_start(public_key=bot.public_key)
            conversation = session.conversation
            handoff_at = None
            for number, text in enumerate(scenario.turns, start=1):
                customer_message_receive(conversation=conversation, text=text, client_msg_id=f"turn-{number}")
                conversation.refresh_from_db()
                if conversation.status != Conversation.Status.BOT:
                    handoff_at = number
                    break
            outcomes.append(
                Outcome(
                    id=scenario.id,
                    handoff_at=handoff_at,
                    reason=conversation.handoff_reason or None,
                    collected=dict(conversation.collected),
                    expect=scenario.expect,
                )
            )
            if progress:
                progress()
        return outcomes
    finally:
        celery_app.conf.task_always_eager = eager
        with transaction.atomic():
            # Conversations protect their bot and contact, so they go first; the rest cascades.
            Conversation.objects.for_tenant(tenant).delete()
            tenant.delete()


def _judge(outcome: Outcome) -> None:
    expect = outcome.expect
    if expect.first is None:
        outcome.decision_ok = outcome.handoff_at is None
        if not outcome.decision_ok:
            outcome.problems.append(
                f"handed off at turn {outcome.handoff_at} ({outcome.reason}), expected none"
            )
    else:
        in_range = outcome.handoff_at is not None and expect.first <= outcome.handoff_at <= expect.last
        reason_ok = not expect.reasons or outcome.reason in expect.reasons
        outcome.decision_ok = in_range and reason_ok
        if not in_range:
            want = expect.first if expect.first == expect.last else f"{expect.first}-{expect.last}"
            outcome.problems.append(f"handoff at {outcome.handoff_at}, expected at {want}")
        if not reason_ok:
            outcome.problems.append(f"reason {outcome.reason}, expected {'/'.join(expect.reasons)}")
    for key, value in expect.collected.items():
        got = outcome.collected.get(key)
        if str(got).strip().lower() == value.strip().lower():
            outcome.fields_right += 1
        else:
            outcome.problems.append(f"collected {key}={got!r}, expected {value!r}")
    outcome.ok = outcome.decision_ok and outcome.fields_right == len(expect.collected)


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def scenarios_score(outcomes: list[Outcome]) -> dict:
    """Per-reason precision and recall, decision accuracy, collected-field accuracy (pure)."""
    for outcome in outcomes:
        _judge(outcome)
    per_reason = {}
    for reason in REASONS:
        predicted = [o for o in outcomes if o.reason == reason]
        right = [
            o for o in predicted if o.expect.first is not None and reason in (o.expect.reasons or (reason,))
        ]
        expected = [o for o in outcomes if o.expect.first is not None and o.expect.reasons[:1] == (reason,)]
        found = [o for o in expected if o.reason in o.expect.reasons]
        per_reason[reason] = {
            "predicted": len(predicted),
            "expected": len(expected),
            "precision": _ratio(len(right), len(predicted)),
            "recall": _ratio(len(found), len(expected)),
        }
    fields_total = sum(len(o.expect.collected) for o in outcomes)
    fields_right = sum(o.fields_right for o in outcomes)
    decisions = sum(o.decision_ok for o in outcomes)
    should = [o for o in outcomes if o.expect.first is not None]
    should_not = [o for o in outcomes if o.expect.first is None]
    return {
        "scenarios": len(outcomes),
        "ok": sum(o.ok for o in outcomes),
        "decision_accuracy": _ratio(decisions, len(outcomes)),
        "collected_accuracy": _ratio(fields_right, fields_total),
        "handoff_recall": _ratio(sum(o.handoff_at is not None for o in should), len(should)),
        "false_handoffs": sum(o.handoff_at is not None for o in should_not),
        "per_reason": per_reason,
    }
