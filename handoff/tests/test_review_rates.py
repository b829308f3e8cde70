"""False-handoff, late and missed rates from confirmed reviews, per day, on a small hand-built week whose
answers are worked out in the comments; one query whatever the number of reviews."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from handoff.models import HandoffReview
from handoff.reports.scope import ReportScope
from handoff.review.rates import review_rates
from handoff.tests.report_history import WEEK_FIRST, WEEK_LAST, History, at
from helpdesk.models import Conversation, Membership

pytestmark = pytest.mark.django_db


def review(
    history: History, conversation, verdict: str, *, confirmed: bool = True, handoff=None, at_seq=None
):
    return HandoffReview.objects.create(
        tenant=history.tenant,
        conversation=conversation,
        handoff=handoff,
        handed_off=handoff is not None,
        verdict=verdict,
        at_seq=at_seq,
        marked_at=timezone.now(),
        confirmed_at=timezone.now() if confirmed else None,
    )


@pytest.fixture
def week(make_tenant):
    return reviewed_week(make_tenant)


def reviewed_week(make_tenant):
    """Chicago days of the week of 2 March 2026.

    Monday 2nd: four reviewed handoffs: right call, unnecessary, unnecessary, late -> false-handoff rate
    2/4 = 0.5, late 1/4 = 0.25; two reviewed bot-resolved conversations, one missed -> missed rate 0.5.
    Tuesday 3rd: one right call -> 0.0, 0.0; nothing bot-resolved reviewed -> missed rate None.
    Wednesday 4th: an unnecessary handoff marked but not confirmed -> nothing.
    Thursday 5th: an unnecessary handoff of another bot -> only when no bot is chosen.
    Another company's confirmed unnecessary handoff on Monday -> never.
    """
    history = History(make_tenant("acme"))
    queue = history.queue("Support", zone="America/Chicago")
    spoke, ledger = history.bot("Spoke", queue), history.bot("Ledger", queue)

    def handed(day: int, verdict: str, bot=spoke, **options):
        conversation = history.conversation(bot, at(day, 10))
        handoff = history.handoff(conversation, at(day, 10, 2), "explicit_request", queue)
        seq = 1 if verdict == "late" else None
        return review(history, conversation, verdict, handoff=handoff, at_seq=seq, **options)

    def resolved(day: int, verdict: str):
        conversation = history.conversation(spoke, at(day, 23, 30), Conversation.Status.RESOLVED)
        return review(history, conversation, verdict, at_seq=1 if verdict == "missed" else None)

    for verdict in ("right_call", "unnecessary", "unnecessary", "late"):
        handed(2, verdict)
    resolved(2, "missed")
    resolved(2, "right_call")  # 23:30 in Chicago is already the 3rd in UTC: it still counts on the 2nd
    handed(3, "right_call")
    handed(4, "unnecessary", confirmed=False)
    handed(5, "unnecessary", bot=ledger)
    other = History(make_tenant("globex"))
    other_queue = other.queue("Support")
    conversation = other.conversation(other.bot("Gizmo", other_queue), at(2, 10))
    review(
        other, conversation, "unnecessary", handoff=other.handoff(conversation, at(2, 11), "api", other_queue)
    )
    return history, spoke


def scope(history: History, bot=None) -> ReportScope:
    return ReportScope(history.tenant.pk, WEEK_FIRST, WEEK_LAST, "America/Chicago", bot=bot)


def test_the_rates_per_day_and_over_the_week(week):
    history, _ = week

    rates = review_rates(scope(history))

    days = {row["day"]: row for row in rates["series"]}
    assert list(days) == [date(2026, 3, d) for d in range(2, 9)]
    assert days[date(2026, 3, 2)] == {
        "day": date(2026, 3, 2),
        "reviewed_handoffs": 4,
        "right_call": 1,
        "unnecessary": 2,
        "late": 1,
        "reviewed_bot_resolved": 2,
        "missed": 1,
        "false_handoff_rate": 0.5,
        "late_rate": 0.25,
        "missed_rate": 0.5,
    }
    tuesday = days[date(2026, 3, 3)]
    assert (tuesday["reviewed_handoffs"], tuesday["false_handoff_rate"], tuesday["missed_rate"]) == (
        1,
        0.0,
        None,
    )
    assert (
        days[date(2026, 3, 4)]["reviewed_handoffs"] == 0
        and days[date(2026, 3, 4)]["false_handoff_rate"] is None
    )
    assert days[date(2026, 3, 5)]["unnecessary"] == 1
    # Over the week: 6 reviewed handoffs, 3 unnecessary, 1 late; 2 bot-resolved, 1 missed.
    total = rates["total"]
    assert (total["reviewed_handoffs"], total["unnecessary"], total["late"], total["missed"]) == (6, 3, 1, 1)
    assert (total["false_handoff_rate"], total["late_rate"], total["missed_rate"]) == (0.5, 0.1667, 0.5)


def test_a_chosen_bot_counts_only_its_conversations(week):
    history, spoke = week
    total = review_rates(scope(history, bot=spoke))["total"]
    assert (total["reviewed_handoffs"], total["unnecessary"], total["false_handoff_rate"]) == (5, 2, 0.4)


def test_the_rates_cost_one_query_at_any_size(week):
    history, _ = week
    with CaptureQueriesContext(connection) as captured:
        review_rates(scope(history))
    assert len(captured.captured_queries) == 1


def test_the_reports_page_shows_the_section_and_its_csv(week, make_agent, client):
    history, _ = week
    lead = make_agent(history.tenant, "lena", role=Membership.Role.LEAD)
    agent = make_agent(history.tenant, "alice")
    client.force_login(lead.user)
    query = {"from": WEEK_FIRST.isoformat(), "to": WEEK_LAST.isoformat()}

    page = client.get("/reports/", query).content.decode()
    response = client.get("/reports/", {**query, "format": "csv", "table": "review_rates"})

    assert 'id="review"' in page and 'id="table-review_rates"' in page and 'id="review-queue-link"' in page
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Day", "Reviewed handoffs", "Unnecessary", "False-handoff rate"]
    assert rows[1][:4] == ["2026-03-02", "4", "2", "0.5"]
    assert rows[-1][:4] == ["All", "6", "3", "0.5"]
    client.force_login(agent.user)
    assert 'id="review-queue-link"' not in client.get("/reports/", query).content.decode()
