"""The report's figures on a hand-built week with known answers (see ``report_history.known_history``).
They run on SQLite (percentiles in Python) and on PostgreSQL (``percentile_cont``) with the same answers."""

from __future__ import annotations

from datetime import date

import pytest

from handoff.reports import figures
from handoff.reports.scope import report_scope
from handoff.tests.report_history import CHICAGO, WEEK_FIRST, WEEK_LAST, History, at, known_history
from helpdesk.models import Conversation, Message
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(make_tenant, make_agent):
    world = known_history(make_tenant, make_agent)
    # Another company's identical week: none of it may show.
    known_history(make_tenant, make_agent, slug="globex")
    return world


def week(known, **kwargs):
    return report_scope(tenant=known.tenant, first_day=WEEK_FIRST, last_day=WEEK_LAST, **kwargs)


def test_the_report_counts_days_in_the_zone_the_tenants_hours_share(known):
    scope = week(known)
    assert scope.zone_name == "America/Chicago"
    assert (scope.bucket, scope.days, len(scope.buckets())) == ("day", 7, 7)
    assert scope.start == at(2, 0) and scope.end == at(9, 0)
    # The 8th is 23 hours long: clocks go forward at 2:00.
    assert (scope.end - scope.start).total_seconds() == 7 * 86400 - 3600
    assert (scope.previous().first_day, scope.previous().last_day) == (date(2026, 2, 23), date(2026, 3, 1))


def test_deflection_per_bot_with_the_trend_against_the_week_before(known):
    result = figures.deflection(week(known))
    spoke, ledger = (next(b for b in result["bots"] if b["bot_name"] == name) for name in ("Spoke", "Ledger"))
    assert (spoke["conversations"], spoke["resolved_by_bot"], spoke["handed_off"]) == (6, 2, 3)
    assert spoke["deflection_rate"] == 0.4
    assert spoke["previous"] == {
        "conversations": 3,
        "resolved_by_bot": 2,
        "handed_off": 1,
        "deflection_rate": 0.6667,
    }
    assert spoke["change_points"] == -26.7
    assert (ledger["conversations"], ledger["resolved_by_bot"], ledger["handed_off"]) == (2, 1, 1)
    assert (ledger["deflection_rate"], ledger["previous"]["deflection_rate"], ledger["change_points"]) == (
        0.5,
        None,
        None,
    )
    total = result["total"]
    assert (total["conversations"], total["resolved_by_bot"], total["handed_off"]) == (8, 3, 4)
    assert (total["deflection_rate"], total["change_points"]) == (0.4286, -23.8)
    spoke_days = {
        row["bucket"]: (
            row["conversations"],
            row["resolved_by_bot"],
            row["handed_off"],
            row["deflection_rate"],
        )
        for row in result["series"]
        if row["bot_name"] == "Spoke"
    }
    assert spoke_days == {
        date(2026, 3, 2): (2, 2, 0, 1.0),
        date(2026, 3, 3): (2, 0, 2, 0.0),
        date(2026, 3, 4): (2, 0, 1, 0.0),
        date(2026, 3, 5): (0, 0, 0, None),
        date(2026, 3, 6): (0, 0, 0, None),
        date(2026, 3, 7): (0, 0, 0, None),
        date(2026, 3, 8): (0, 0, 0, None),
    }


def test_deflection_for_one_bot_or_one_queue(known):
    only_ledger = figures.deflection(week(known, bot_id=known.ledger.pk))
    assert [b["bot_name"] for b in only_ledger["bots"]] == ["Ledger"]
    assert only_ledger["total"]["conversations"] == 2
    support = figures.deflection(week(known, queue_id=known.support.pk))
    assert [b["bot_name"] for b in support["bots"]] == ["Spoke"]
    assert (support["total"]["resolved_by_bot"], support["total"]["handed_off"]) == (2, 3)


def test_handoffs_by_reason_day_queue_and_business_hours(known):
    result = figures.handoff_breakdown(week(known))
    assert [(r["reason"], r["label"], r["count"]) for r in result["reasons"]] == [
        ("explicit_request", "Asked for a person", 2),
        ("sensitive_topic", "Sensitive topic", 1),
        ("negative_sentiment", "Negative sentiment", 1),
    ]
    nonzero = {(row["bucket"], row["reason"]): row["count"] for row in result["series"] if row["count"]}
    # Ledger's handoff at 23:31 on Thursday in Chicago is Friday 05:31 UTC: counted on Thursday.
    assert nonzero == {
        (date(2026, 3, 3), "explicit_request"): 1,
        (date(2026, 3, 3), "sensitive_topic"): 1,
        (date(2026, 3, 4), "explicit_request"): 1,
        (date(2026, 3, 5), "negative_sentiment"): 1,
    }
    assert len(result["series"]) == 7 * 3
    billing, support = result["queues"]
    assert support == {
        "queue_id": known.support.pk,
        "queue_name": "Support",
        "has_hours": True,
        "handoffs": 3,
        "by_reason": {"explicit_request": 2, "sensitive_topic": 1, "negative_sentiment": 0},
        # 8:05 is before opening and 15:01 on Wednesday falls in the offsite closure.
        "inside_hours": 1,
        "outside_hours": 2,
        "offline": 1,
        "offline_share": 0.3333,
        "tickets_opened": 1,
    }
    assert (
        billing["queue_name"],
        billing["has_hours"],
        billing["inside_hours"],
        billing["outside_hours"],
    ) == (
        "Billing",
        False,
        1,
        0,
    )
    assert result["total"] == {
        "handoffs": 4,
        "inside_hours": 2,
        "outside_hours": 2,
        "offline": 1,
        "offline_share": 0.25,
        "tickets_opened": 1,
    }


def test_pickup_per_queue_overall_and_per_hour_of_the_week(known):
    result = figures.pickup(week(known))
    billing, support = result["queues"]
    assert support == {
        "queue_id": known.support.pk,
        "queue_name": "Support",
        "offered": 2,
        "accepted": 2,
        "p50_seconds": 360.0,
        "p90_seconds": 552.0,
    }
    assert (billing["offered"], billing["accepted"], billing["p50_seconds"], billing["p90_seconds"]) == (
        1,
        1,
        300.0,
        300.0,
    )
    assert result["total"] == {"offered": 3, "accepted": 3, "p50_seconds": 300.0, "p90_seconds": 540.0}
    cells = {
        (c["weekday"], c["hour"]): (c["accepted"], c["p50_seconds"])
        for c in result["heatmap"]
        if c["accepted"]
    }
    assert cells == {(2, 10): (1, 120.0), (3, 15): (1, 600.0), (4, 23): (1, 300.0)}
    assert len(result["heatmap"]) == 7 * 24


def test_agents_handled_first_response_and_resolution(known):
    result = figures.agents(week(known))
    rows = {a["name"]: a for a in result["agents"]}
    assert [a["name"] for a in result["agents"]] == ["Alice", "Bob", "Carol"]
    assert rows["Alice"] == {
        "user_id": known.alice.user_id,
        "name": "Alice",
        "conversations_handled": 2,
        "first_response_median_seconds": 60.0,
        "resolution_median_seconds": 900.0,
    }
    assert rows["Bob"] == {
        "user_id": known.bob.user_id,
        "name": "Bob",
        "conversations_handled": 1,
        "first_response_median_seconds": 180.0,
        "resolution_median_seconds": None,
    }
    assert rows["Carol"]["conversations_handled"] == 0
    assert result["only_own"] is False


def test_an_agent_sees_only_their_own_row_and_an_admin_everyones(known):
    own = figures.agents(week(known, viewer=known.bob))
    assert own["only_own"] is True
    assert [(a["name"], a["conversations_handled"]) for a in own["agents"]] == [("Bob", 1)]
    admin = figures.agents(week(known, viewer=known.carol))
    assert len(admin["agents"]) == 3


def test_a_range_with_nothing_in_it_has_zeros_and_no_percentiles(known):
    empty = report_scope(tenant=known.tenant, first_day=date(2025, 1, 6), last_day=date(2025, 1, 12))
    assert figures.deflection(empty)["total"]["deflection_rate"] is None
    assert figures.handoff_breakdown(empty)["total"]["handoffs"] == 0
    assert figures.pickup(empty)["total"] == {
        "offered": 0,
        "accepted": 0,
        "p50_seconds": None,
        "p90_seconds": None,
    }
    assert {a["conversations_handled"] for a in figures.agents(empty)["agents"]} == {0}


def test_long_ranges_are_counted_by_week_starting_on_monday(known):
    scope = report_scope(tenant=known.tenant, first_day=date(2026, 1, 1), last_day=date(2026, 3, 31))
    assert scope.bucket == "week"
    assert scope.buckets()[0] == date(2025, 12, 29)
    series = figures.handoff_breakdown(scope)["series"]
    march_2 = {row["reason"]: row["count"] for row in series if row["bucket"] == date(2026, 3, 2)}
    assert march_2 == {"explicit_request": 2, "sensitive_topic": 1, "negative_sentiment": 1, "bot_error": 0}
    assert CHICAGO  # the weeks are Chicago's


def test_an_agents_figures_are_their_own_work_on_the_handoff_they_accepted(make_tenant, make_agent):
    """A transfer, a handback and a second handoff: only the accepting agent's own message, before the
    handoff ended, is their first response, and only a conversation they resolved themselves is their
    resolution."""
    Status, Author = Conversation.Status, Message.Author
    tenant = make_tenant("edge")
    history = History(tenant)
    queue = history.queue("Billing")
    bot = history.bot("Ledger", queue)
    alice = make_agent(tenant, "edge-alice", name="Alice")
    bob = make_agent(tenant, "edge-bob", name="Bob")
    # Alice joins, says nothing the customer sees and transfers to Bob, who answers and resolves it.
    moved = history.conversation(bot, at(3, 9))
    history.handoff(
        moved, at(3, 9, 1), "explicit_request", queue, accepted=(alice, at(3, 9, 2)), ended=at(3, 9, 30)
    )
    history.message(moved, at(3, 9, 3), Author.AGENT, author=alice.user, private=True)
    history.message(moved, at(3, 9, 10), Author.AGENT, author=bob.user)
    every_tenant(Conversation).filter(pk=moved.pk).update(assignee=bob.user, status=Status.RESOLVED)
    # Alice hands a conversation back without a word; the bot resolves it later.
    returned = history.conversation(bot, at(3, 11))
    history.handoff(
        returned, at(3, 11, 1), "low_confidence", queue, accepted=(alice, at(3, 11, 2)), ended=at(3, 11, 5)
    )
    every_tenant(Conversation).filter(pk=returned.pk).update(assignee=None, status=Status.RESOLVED)
    # Handed back, handed off again to Alice: her message answers the second handoff, not the first.
    again = history.conversation(bot, at(4, 10))
    history.handoff(
        again, at(4, 10, 1), "explicit_request", queue, accepted=(alice, at(4, 10, 2)), ended=at(4, 10, 5)
    )
    history.handoff(
        again,
        at(4, 10, 30),
        "explicit_request",
        queue,
        accepted=(alice, at(4, 10, 31)),
        ended=at(4, 10, 40),
        status=Status.RESOLVED,
    )
    history.message(again, at(4, 10, 32), Author.AGENT, author=alice.user)

    scope = report_scope(tenant=tenant, first_day=WEEK_FIRST, last_day=WEEK_LAST)
    rows = {a["name"]: a for a in figures.agents(scope)["agents"]}
    assert rows["Alice"] == {
        "user_id": alice.user_id,
        "name": "Alice",
        "conversations_handled": 3,
        # Only the second handoff of the last conversation: 10:31 to 10:32.
        "first_response_median_seconds": 60.0,
        # Only that handoff's end, 10:31 to 10:40: Bob resolved the first, the bot the second.
        "resolution_median_seconds": 540.0,
    }
    assert rows["Bob"]["conversations_handled"] == 0
