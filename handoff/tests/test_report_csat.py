"""CSAT in the reports on the hand-built week with known answers (``report_history.known_history``): the
totals, by who resolved, per agent, per handoff reason, per day, the comments, and who sees which. They
run on SQLite and on PostgreSQL with the same answers."""

from __future__ import annotations

from datetime import date

import pytest

from handoff.reports import csat
from handoff.reports.scope import report_scope
from handoff.tests.report_history import WEEK_FIRST, WEEK_LAST, at, known_history

pytestmark = pytest.mark.django_db

NOTHING = {"responses": 0, "average_score": None, "csat_rate": None}


@pytest.fixture
def known(make_tenant, make_agent):
    world = known_history(make_tenant, make_agent)
    # Another company's identical week: none of it may show.
    known_history(make_tenant, make_agent, slug="globex")
    return world


def week(known, **kwargs):
    return report_scope(tenant=known.tenant, first_day=WEEK_FIRST, last_day=WEEK_LAST, **kwargs)


def test_totals_count_the_ratings_given_in_the_range_with_their_latest_score(known):
    result = csat.csat(week(known))
    assert result["total"] == {
        "responses": 5,
        "average_score": 3.0,
        "csat_rate": 0.4,
        "comments": 4,
        "by_score": {"1": 1, "2": 1, "3": 1, "4": 1, "5": 1},
    }
    assert result["only_own"] is False


def test_by_who_resolved_the_bot_or_an_agent(known):
    bot, agents = csat.csat(week(known))["by_resolver"]
    assert bot == {
        "resolved_by": "bot",
        "label": "The bot",
        "responses": 3,
        "average_score": 3.33,
        "csat_rate": 0.3333,
        "comments": 2,
        "by_score": {"1": 0, "2": 1, "3": 1, "4": 0, "5": 1},
    }
    assert agents == {
        "resolved_by": "agent",
        "label": "Agents",
        "responses": 2,
        "average_score": 2.5,
        "csat_rate": 0.5,
        "comments": 2,
        "by_score": {"1": 1, "2": 0, "3": 0, "4": 1, "5": 0},
    }


def test_per_agent_the_ratings_of_the_conversations_they_resolved(known):
    # Bob's conversation was resolved by the bot after he handed it back: the rating is the bot's.
    assert csat.csat(week(known))["agents"] == [
        {
            "user_id": known.alice.user_id,
            "name": "Alice",
            "responses": 2,
            "average_score": 2.5,
            "csat_rate": 0.5,
        }
    ]


def test_per_handoff_reason_with_the_conversations_never_handed_off_last(known):
    reasons = csat.csat(week(known))["reasons"]
    assert [
        (r["reason"], r["label"], r["responses"], r["average_score"], r["csat_rate"]) for r in reasons
    ] == [
        ("explicit_request", "Asked for a person", 1, 3.0, 0.0),
        ("sensitive_topic", "Sensitive topic", 1, 4.0, 1.0),
        ("negative_sentiment", "Negative sentiment", 1, 1.0, 0.0),
        (None, "Never handed off", 2, 3.5, 0.5),
    ]


def test_per_day_in_the_reports_zone_for_everyone_the_bot_and_agents(known):
    series = csat.csat(week(known))["series"]
    assert [row["bucket"] for row in series] == [date(2026, 3, d) for d in range(2, 9)]
    by_day = {row["bucket"].day: row for row in series}
    assert {k: by_day[2][k] for k in NOTHING} == {"responses": 2, "average_score": 3.5, "csat_rate": 0.5}
    assert by_day[2]["bot"] == {"responses": 2, "average_score": 3.5, "csat_rate": 0.5}
    assert by_day[2]["agent"] == NOTHING
    assert (by_day[3]["agent"]["responses"], by_day[3]["agent"]["csat_rate"]) == (1, 1.0)
    assert (by_day[4]["bot"]["responses"], by_day[4]["bot"]["average_score"]) == (1, 3.0)
    # 23:55 on Thursday in Chicago is Friday in UTC: counted on Thursday.
    assert (by_day[5]["responses"], by_day[5]["average_score"], by_day[5]["agent"]["csat_rate"]) == (
        1,
        1.0,
        0.0,
    )
    assert all({k: by_day[d][k] for k in NOTHING} == NOTHING for d in (6, 7, 8))


def test_comments_newest_first_with_who_resolved_the_conversation(known):
    comments = csat.comments(week(known))
    assert [(c["score"], c["comment"], c["resolved_by"], c["resolved_by_name"]) for c in comments] == [
        (1, "Still no refund after a week", "agent", "Alice"),
        (3, "Took a while to get a person", "bot", "The bot (Spoke)"),
        (4, "Alice sorted out my refund", "agent", "Alice"),
        (5, "Quick and clear, thanks", "bot", "The bot (Spoke)"),
    ]
    assert comments[0]["rated_at"] == at(5, 23, 55)
    assert str(comments[0]["rated_at"].tzinfo) == "America/Chicago"
    assert [c["score"] for c in csat.comments(week(known), limit=2)] == [1, 3]


def test_one_bot_or_one_queue(known):
    ledger = csat.csat(week(known, bot_id=known.ledger.pk))
    assert (ledger["total"]["responses"], ledger["total"]["average_score"]) == (1, 1.0)
    assert [c["comment"] for c in csat.comments(week(known, bot_id=known.ledger.pk))] == [
        "Still no refund after a week"
    ]
    # Support: Spoke's conversations, handed off to it or never handed off.
    support = csat.csat(week(known, queue_id=known.support.pk))
    assert (support["total"]["responses"], support["total"]["csat_rate"]) == (4, 0.5)


def test_an_agent_sees_the_teams_figures_but_only_their_own_row_and_comments(known):
    alice = week(known, viewer=known.alice)
    result = csat.csat(alice)
    assert result["only_own"] is True
    assert result["total"]["responses"] == 5
    assert [a["name"] for a in result["agents"]] == ["Alice"]
    assert [c["comment"] for c in csat.comments(alice)] == [
        "Still no refund after a week",
        "Alice sorted out my refund",
    ]
    bob = week(known, viewer=known.bob)
    assert csat.csat(bob)["agents"] == [{"user_id": known.bob.user_id, "name": "Bob", **NOTHING}]
    assert csat.comments(bob) == []
    # A lead sees everyone's.
    known.bob.role = "lead"
    known.bob.save()
    lead = week(known, viewer=known.bob)
    assert len(csat.comments(lead)) == 4


def test_the_agents_table_carries_each_agents_csat(known):
    rows = {a["name"]: a for a in csat.agents_with_csat(week(known))["agents"]}
    assert {
        k: rows["Alice"][k]
        for k in ("conversations_handled", "csat_responses", "csat_average_score", "csat_rate")
    } == {
        "conversations_handled": 2,
        "csat_responses": 2,
        "csat_average_score": 2.5,
        "csat_rate": 0.5,
    }
    assert (rows["Bob"]["csat_responses"], rows["Bob"]["csat_rate"]) == (0, None)
    own = csat.agents_with_csat(week(known, viewer=known.bob))
    assert [a["name"] for a in own["agents"]] == ["Bob"]


def test_a_range_without_ratings_has_zeros_and_no_rates(known):
    empty = report_scope(tenant=known.tenant, first_day=date(2025, 1, 6), last_day=date(2025, 1, 12))
    result = csat.csat(empty)
    assert result["total"] == {**NOTHING, "comments": 0, "by_score": {str(n): 0 for n in range(1, 6)}}
    assert [row["responses"] for row in result["by_resolver"]] == [0, 0]
    assert result["agents"] == [] and result["reasons"] == []
    assert len(result["series"]) == 7
    assert csat.comments(empty) == []


def test_long_ranges_are_counted_by_week(known):
    scope = report_scope(tenant=known.tenant, first_day=date(2026, 1, 1), last_day=date(2026, 3, 31))
    weeks = {row["bucket"]: row["responses"] for row in csat.csat(scope)["series"] if row["responses"]}
    assert weeks == {date(2026, 2, 23): 1, date(2026, 3, 2): 5, date(2026, 3, 9): 1}
