"""Our own handoff scenario sets, replayed through the live pipeline and held to the product's quality bar.

Each file in ``scenarios/`` (format ``handoff-scenarios/1``) has its own small knowledge base in another
domain (a broadband provider, a bike and outdoor shop, an invoicing app). Expectations are what a support
supervisor wants, not what the code happened to do when they were written. The bar, per file:

- every scenario expecting an explicit request is handed off at the expected turn with that reason;
- no scenario expecting the bot to cope is handed off at all;
- decision accuracy (right turn and right reason) is at least 95%, and so is collected-field accuracy.

The replay needs real commits: the bot's turn is a Celery task (eager here) enqueued with
``transaction.on_commit``, so these tests use a transactional database, and they check that every turn
that did not hand off really got the bot's reply.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatbot.evaluation import Outcome, Scenario, scenarios_replay, scenarios_score, scenarios_validate
from helpdesk.models import Message
from tests.support.db import every_tenant

SCENARIO_FILES = sorted((Path(__file__).parent / "scenarios").glob("*.json"))
MIN_ACCURACY = 0.95


def _bar_problems(outcomes: list[Outcome], summary: dict) -> list[str]:
    """Every way the replayed outcomes miss the bar, one line each (empty when the bar is met)."""
    problems = []
    for outcome in outcomes:
        expect = outcome.expect
        if expect.reasons == ("explicit_request",) and not outcome.decision_ok:
            problems.append(f"explicit request missed: {outcome.id}: {'; '.join(outcome.problems)}")
        if expect.first is None and outcome.handoff_at is not None:
            problems.append(
                f"handed off a scenario the bot should handle: {outcome.id}: {outcome.problems[0]}"
            )
    if summary["decision_accuracy"] < MIN_ACCURACY:
        problems.append(f"decision accuracy {summary['decision_accuracy']:.1%} < {MIN_ACCURACY:.0%}")
    if summary["collected_accuracy"] is not None and summary["collected_accuracy"] < MIN_ACCURACY:
        problems.append(f"collected-field accuracy {summary['collected_accuracy']:.1%} < {MIN_ACCURACY:.0%}")
    return problems


def _report(path: Path, outcomes: list[Outcome], summary: dict, problems: list[str]) -> str:
    failing = [f"  {o.id}: {'; '.join(o.problems)}" for o in outcomes if not o.ok]
    return "\n".join(
        [
            f"{path.name}: {summary['ok']}/{summary['scenarios']} scenarios ok, decision accuracy "
            f"{summary['decision_accuracy']:.1%}, false handoffs {summary['false_handoffs']}",
            "Below the bar:",
            *(f"  {problem}" for problem in problems),
            "Every failing scenario:",
            *failing,
        ]
    )


def _replies_expected(scenarios: list[Scenario], outcomes: list[Outcome]) -> int:
    """The bot answers every customer turn before the handoff, and none after it."""
    turns = {scenario.id: len(scenario.turns) for scenario in scenarios}
    return sum((o.handoff_at - 1) if o.handoff_at is not None else turns[o.id] for o in outcomes)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda path: path.stem)
def test_scenario_set_meets_the_quality_bar(path):
    bot, kb, scenarios = scenarios_validate(json.loads(path.read_text(encoding="utf-8")))
    replies_seen = []

    def count_replies() -> None:  # called after each scenario, before the throwaway tenant is removed
        replies_seen.append(
            every_tenant(Message).filter(author_kind=Message.Author.BOT, data__has_key="reply_to").count()
        )

    outcomes = scenarios_replay(bot, kb, scenarios, progress=count_replies)
    summary = scenarios_score(outcomes)
    problems = _bar_problems(outcomes, summary)

    assert replies_seen[-1] == _replies_expected(scenarios, outcomes), "the bot's turns did not all run"
    assert not problems, _report(path, outcomes, summary, problems)


def test_there_are_at_least_three_scenario_sets_in_different_domains():
    names = {json.loads(path.read_text(encoding="utf-8"))["bot"]["name"] for path in SCENARIO_FILES}

    assert len(SCENARIO_FILES) >= 3
    assert len(names) == len(SCENARIO_FILES)


@pytest.mark.django_db(transaction=True)
def test_a_replay_in_the_embedded_mode_waits_for_each_turn(settings):
    # Given the embedded mode, where tasks run on the web process's task threads
    settings.TASKS_IN_THREADS = True
    bot, kb, scenarios = scenarios_validate(json.loads(SCENARIO_FILES[0].read_text(encoding="utf-8")))
    scenarios = scenarios[:6]
    replies_seen = []

    # When the scenarios are replayed
    outcomes = scenarios_replay(
        bot,
        kb,
        scenarios,
        progress=lambda: replies_seen.append(
            every_tenant(Message).filter(author_kind=Message.Author.BOT, data__has_key="reply_to").count()
        ),
    )

    # Then every turn was answered before the next was sent, as inline
    scenarios_score(outcomes)
    assert replies_seen[-1] == _replies_expected(scenarios, outcomes)
    assert [o.ok for o in outcomes] == [True] * len(scenarios)
