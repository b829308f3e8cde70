"""The reports page: known figures on the page and in its CSV files, who sees what, bad input, and a
constant number of queries whatever the number of conversations."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handoff.tests.report_history import WEEK_FIRST, WEEK_LAST, History, known_history
from helpdesk.models import Bot, Conversation, Membership, Queue, Rating
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db

URL = "/reports/"
WEEK = {"from": WEEK_FIRST.isoformat(), "to": WEEK_LAST.isoformat()}


@pytest.fixture
def known(make_tenant, make_agent):
    world = known_history(make_tenant, make_agent)
    known_history(make_tenant, make_agent, slug="globex")
    return world


def as_member(client, membership):
    client.force_login(membership.user)
    return client


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_top_bar_links_to_the_reports(client, known):
    page = as_member(client, known.alice).get(reverse("inbox:index")).content.decode()
    assert f'href="{URL}"' in page


def test_the_page_shows_every_section_with_charts_tables_and_csv_links(client, known):
    response = as_member(client, known.carol).get(URL, WEEK)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mon 2 Mar 2026 to Sun 8 Mar 2026" in page
    assert "times in America/Chicago" in page
    for section in ("deflection", "handoffs", "pickup", "csat", "agents"):
        assert f'id="{section}"' in page
    assert page.count("<svg") == 8
    for table in (
        "deflection",
        "deflection_over_time",
        "handoff_reasons",
        "handoff_queues",
        "pickup",
        "pickup_heatmap",
        "csat",
        "csat_over_time",
        "csat_reasons",
        "csat_comments",
        "agents",
    ):
        assert f'id="table-{table}"' in page
        assert f"format=csv&amp;table={table}" in page
    # Human labels, never the stored codes.
    assert "Asked for a person" in page and "explicit_request" not in page
    assert "42.9 %" in page  # everything's deflection rate, 3 of 7
    assert "−23.8 pts" in page
    assert '<td class="num">6 min</td>' in page  # Support's median pickup


def test_csv_of_deflection_has_the_known_figures(client, known):
    rows = csv_rows(as_member(client, known.carol).get(URL, {**WEEK, "format": "csv", "table": "deflection"}))
    assert rows == [
        [
            "Bot",
            "Conversations",
            "Resolved by the bot",
            "Handed off",
            "Deflection rate",
            "Previous period deflection rate",
            "Change (percentage points)",
        ],
        ["Ledger", "2", "1", "1", "0.5", "", ""],
        ["Spoke", "6", "2", "3", "0.4", "0.6667", "-26.7"],
        ["All bots", "8", "3", "4", "0.4286", "0.6667", "-23.8"],
    ]


def test_csv_of_queues_pickup_and_agents(client, known):
    client = as_member(client, known.carol)
    queues = csv_rows(client.get(URL, {**WEEK, "format": "csv", "table": "handoff_queues"}))
    assert queues == [
        [
            "Queue",
            "Handoffs",
            "Asked for a person",
            "Sensitive topic",
            "Negative sentiment",
            "Inside hours",
            "Outside hours",
            "Offline path",
            "Offline share",
            "Tickets opened",
        ],
        ["Billing", "1", "0", "0", "1", "1", "0", "0", "0.0", "0"],
        ["Support", "3", "2", "1", "0", "1", "2", "1", "0.3333", "1"],
        ["All queues", "4", "2", "1", "1", "2", "2", "1", "0.25", "1"],
    ]
    pickup = csv_rows(client.get(URL, {**WEEK, "format": "csv", "table": "pickup"}))
    assert pickup == [
        ["Queue", "Offered to agents", "Picked up", "Median pickup (s)", "p90 pickup (s)"],
        ["Billing", "1", "1", "300.0", "300.0"],
        ["Support", "2", "2", "360.0", "552.0"],
        ["All queues", "3", "3", "300.0", "540.0"],
    ]
    heatmap = csv_rows(client.get(URL, {**WEEK, "format": "csv", "table": "pickup_heatmap"}))
    assert heatmap[0][:3] == ["Day", "00:00 median pickup (s)", "01:00 median pickup (s)"]
    assert [row[0] for row in heatmap[1:]] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert (heatmap[2][1 + 10], heatmap[3][1 + 15], heatmap[4][1 + 23]) == ("120.0", "600.0", "300.0")
    assert sum(1 for row in heatmap[1:] for cell in row[1:] if cell) == 3
    agents = csv_rows(client.get(URL, {**WEEK, "format": "csv", "table": "agents"}))
    assert agents == [
        [
            "Agent",
            "Conversations handled",
            "Median first response (s)",
            "Median resolution (s)",
            "CSAT ratings",
            "Average score",
            "CSAT",
        ],
        ["Alice", "2", "60.0", "900.0", "2", "2.5", "0.5"],
        ["Bob", "1", "180.0", "", "0", "", ""],
        ["Carol", "0", "", "", "0", "", ""],
    ]
    reasons = csv_rows(client.get(URL, {**WEEK, "format": "csv", "table": "handoff_reasons"}))
    assert reasons[0] == ["Day", "Asked for a person", "Sensitive topic", "Negative sentiment", "Total"]
    assert reasons[2] == ["2026-03-03", "1", "1", "0", "2"]
    over_time = csv_rows(client.get(URL, {**WEEK, "format": "csv", "table": "deflection_over_time"}))
    assert over_time == [
        ["Day", "Bot", "Conversations", "Resolved by the bot", "Handed off", "Deflection rate"],
        ["2026-03-02", "Spoke", "2", "2", "0", "1.0"],
        ["2026-03-03", "Spoke", "2", "0", "2", "0.0"],
        ["2026-03-04", "Spoke", "2", "0", "1", "0.0"],
        ["2026-03-05", "Ledger", "1", "0", "1", "0.0"],
        ["2026-03-06", "Ledger", "1", "1", "0", "1.0"],
    ]


def test_the_csat_section_shows_its_figures_and_the_newest_comments(client, known):
    page = as_member(client, known.carol).get(URL, WEEK).content.decode()
    section = page.split('id="csat"')[1].split('id="agents"')[0]
    assert "Customer satisfaction (CSAT)" in section
    assert "40.0 %" in section  # 2 of 5 rated 4 or 5
    assert "2 of 5 ratings rated 4 or 5" in section
    assert "3.00 of 5" in section
    assert section.count("<svg") == 3
    comments = section.split('id="table-csat_comments"')[1]
    assert comments.index("Still no refund after a week") < comments.index("Quick and clear, thanks")
    conversation_id = (
        every_tenant(Rating).get(tenant=known.tenant, score=1, comment__startswith="Still").conversation_id
    )
    assert f'<a href="/inbox/c/{conversation_id}/">#{conversation_id}</a>' in comments
    assert "Rated the week before" not in section and "Rated after the week" not in section


def test_csv_of_the_csat_tables(client, known):
    client = as_member(client, known.carol)
    summary = csv_rows(client.get(URL, {**WEEK, "format": "csv", "table": "csat"}))
    assert summary == [
        [
            "Resolved by",
            "Ratings",
            "Average score",
            "CSAT",
            "Score 1",
            "Score 2",
            "Score 3",
            "Score 4",
            "Score 5",
            "Comments",
        ],
        ["The bot", "3", "3.33", "0.3333", "0", "1", "1", "0", "1", "2"],
        ["Agents", "2", "2.5", "0.5", "1", "0", "0", "1", "0", "2"],
        ["Everyone", "5", "3.0", "0.4", "1", "1", "1", "1", "1", "4"],
    ]
    over_time = csv_rows(client.get(URL, {**WEEK, "format": "csv", "table": "csat_over_time"}))
    assert over_time[0] == ["Day", "Ratings", "Average score", "CSAT", "CSAT, the bot", "CSAT, agents"]
    assert over_time[1:6] == [
        ["2026-03-02", "2", "3.5", "0.5", "0.5", ""],
        ["2026-03-03", "1", "4.0", "1.0", "", "1.0"],
        ["2026-03-04", "1", "3.0", "0.0", "0.0", ""],
        ["2026-03-05", "1", "1.0", "0.0", "", "0.0"],
        ["2026-03-06", "0", "", "", "", ""],
    ]
    assert len(over_time) == 1 + 7
    reasons = csv_rows(client.get(URL, {**WEEK, "format": "csv", "table": "csat_reasons"}))
    assert reasons == [
        ["Handoff reason", "Ratings", "Average score", "CSAT"],
        ["Asked for a person", "1", "3.0", "0.0"],
        ["Sensitive topic", "1", "4.0", "1.0"],
        ["Negative sentiment", "1", "1.0", "0.0"],
        ["Never handed off", "2", "3.5", "0.5"],
    ]
    comments = csv_rows(client.get(URL, {**WEEK, "format": "csv", "table": "csat_comments"}))
    assert comments[0] == ["Rated at", "Score", "Comment", "Resolved by", "Conversation id"]
    assert [row[1:4] for row in comments[1:]] == [
        ["1", "Still no refund after a week", "Alice"],
        ["3", "Took a while to get a person", "The bot (Spoke)"],
        ["4", "Alice sorted out my refund", "Alice"],
        ["5", "Quick and clear, thanks", "The bot (Spoke)"],
    ]
    # The time of the rating in the report's zone, with its offset.
    assert comments[1][0] == "2026-03-05T23:55:00-06:00"


def test_a_comment_that_looks_like_a_formula_is_written_as_text(client, known):
    every_tenant(Rating).filter(tenant=known.tenant, score=1).update(comment="=HYPERLINK(1)")
    rows = csv_rows(
        as_member(client, known.carol).get(URL, {**WEEK, "format": "csv", "table": "csat_comments"})
    )
    assert rows[1][2] == "'=HYPERLINK(1)"


def test_an_agent_sees_only_the_comments_on_conversations_they_resolved(client, known):
    client = as_member(client, known.alice)
    rows = csv_rows(client.get(URL, {**WEEK, "format": "csv", "table": "csat_comments"}))
    assert [row[2] for row in rows[1:]] == ["Still no refund after a week", "Alice sorted out my refund"]
    page = client.get(URL, WEEK).content.decode()
    assert "Quick and clear, thanks" not in page
    assert "You see the comments on the conversations you resolved" in page


def test_comments_are_escaped_on_the_page(client, known):
    every_tenant(Rating).filter(tenant=known.tenant, score=1).update(comment="<script>alert(1)</script>")
    page = as_member(client, known.carol).get(URL, WEEK).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_csv_file_is_named_after_its_table_and_days(client, known):
    response = as_member(client, known.carol).get(URL, {**WEEK, "format": "csv", "table": "agents"})
    assert response["Content-Disposition"] == 'attachment; filename="agents-2026-03-02-to-2026-03-08.csv"'


def test_names_that_look_like_formulas_are_written_as_text(client, known):
    known.spoke.name = "=HYPERLINK(1)"
    known.spoke.save()
    rows = csv_rows(as_member(client, known.carol).get(URL, {**WEEK, "format": "csv", "table": "deflection"}))
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_names_are_escaped_in_charts_and_tables(client, known):
    known.spoke.name = "<b>Spoke</b>"
    known.spoke.save()
    page = as_member(client, known.carol).get(URL, WEEK).content.decode()
    assert "<b>Spoke</b>" not in page
    assert "&lt;b&gt;Spoke&lt;/b&gt;" in page.split('id="deflection"')[1]


def test_filters_by_bot_and_queue(client, known):
    client = as_member(client, known.carol)
    rows = csv_rows(client.get(URL, {**WEEK, "bot": known.ledger.pk, "format": "csv", "table": "deflection"}))
    assert [r[0] for r in rows[1:]] == ["Ledger", "All bots"]
    rows = csv_rows(client.get(URL, {**WEEK, "queue": known.support.pk, "format": "csv", "table": "pickup"}))
    assert [r[0] for r in rows[1:]] == ["Support", "All queues"]
    page = client.get(URL, {**WEEK, "queue": known.support.pk}).content.decode()
    assert f'<option value="{known.support.pk}" selected>Support</option>' in page


# Who sees what ------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, known):
    response = client.get(URL, WEEK)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(URL, {**WEEK, "format": "csv", "table": "agents"}).status_code == 302


def test_a_user_of_no_company_is_refused(client, known, django_user_model):
    client.force_login(django_user_model.objects.create_user("drifter", password="pw"))
    assert client.get(URL).status_code == 403


def test_an_agent_sees_only_their_own_figures_in_the_agents_table(client, known):
    client = as_member(client, known.bob)
    rows = csv_rows(client.get(URL, {**WEEK, "format": "csv", "table": "agents"}))
    assert rows[1:] == [["Bob", "1", "180.0", "", "0", "", ""]]
    page = client.get(URL, WEEK).content.decode()
    assert "You see your own figures" in page
    assert "Alice" not in page.split('id="agents"')[1]
    # No comment is on a conversation Bob resolved; the team's CSAT is everyone's.
    assert "Alice sorted out my refund" not in page and "Quick and clear" not in page
    assert "No comments in this range." in page
    assert csv_rows(client.get(URL, {**WEEK, "format": "csv", "table": "csat_comments"}))[1:] == []
    assert csv_rows(client.get(URL, {**WEEK, "format": "csv", "table": "csat"}))[-1][:2] == ["Everyone", "5"]
    # The other sections are the team's, for everyone.
    assert csv_rows(client.get(URL, {**WEEK, "format": "csv", "table": "pickup"}))[-1][0] == "All queues"


def test_admins_see_every_agent(client, known):
    rows = csv_rows(as_member(client, known.carol).get(URL, {**WEEK, "format": "csv", "table": "agents"}))
    assert [r[0] for r in rows[1:]] == ["Alice", "Bob", "Carol"]


def test_a_lead_role_sees_every_agent(client, known):
    Membership.objects.for_tenant(known.tenant).filter(pk=known.bob.pk).update(role="lead")
    rows = csv_rows(as_member(client, known.bob).get(URL, {**WEEK, "format": "csv", "table": "agents"}))
    assert len(rows) == 4


@pytest.mark.parametrize("field", ["bot", "queue"])
def test_another_companys_bot_or_queue_is_not_found(client, known, field):
    model = Bot if field == "bot" else Queue
    theirs = every_tenant(model).exclude(tenant=known.tenant).first()
    client = as_member(client, known.carol)
    assert client.get(URL, {**WEEK, field: theirs.pk}).status_code == 404
    for table in ("agents", "csat", "csat_comments"):
        assert client.get(URL, {**WEEK, field: theirs.pk, "format": "csv", "table": table}).status_code == 404
    assert client.get(URL, {**WEEK, field: 987654321}).status_code == 404
    assert client.get(URL, {**WEEK, field: "abc"}).status_code == 404


# Bad input ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, message",
    [
        ({"from": "2026-02-30"}, "Enter a real date as YYYY-MM-DD."),
        ({"to": "next week"}, "Enter a real date as YYYY-MM-DD."),
        ({"from": "2026-03-08", "to": "2026-03-01"}, "The first day is after the last day."),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "Ask for at most 366 days at once."),
    ],
)
def test_bad_dates_are_a_form_error_with_status_400(client, known, params, message):
    client = as_member(client, known.carol)
    response = client.get(URL, params)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'aria-invalid="true"' in page
    assert "<svg" not in page
    csv_response = client.get(URL, {**params, "format": "csv", "table": "agents"})
    assert csv_response.status_code == 400
    assert message in csv_response.content.decode()


def test_a_year_of_366_days_is_accepted_and_counted_by_week(client, known):
    response = as_member(client, known.carol).get(URL, {"from": "2025-03-09", "to": "2026-03-09"})
    assert response.status_code == 200
    assert "366 days, by week" in response.content.decode()


def test_an_unknown_table_or_format_is_a_clear_400(client, known):
    client = as_member(client, known.carol)
    response = client.get(URL, {**WEEK, "format": "csv", "table": "nope"})
    assert response.status_code == 400
    assert "table: use one of deflection, deflection_over_time" in response.content.decode()
    assert client.get(URL, {**WEEK, "format": "xlsx"}).status_code == 400


def test_the_default_range_is_the_last_28_days_in_the_reports_zone(client, known):
    response = as_member(client, known.carol).get(URL)
    assert response.status_code == 200
    scope = response.context["scope"]
    assert scope.days == 28 and scope.zone_name == "America/Chicago"
    assert scope.last_day == datetime.now(scope.zone).date()


# Queries ------------------------------------------------------------------------------------------------


def busy_history(history: History, admin: Membership, conversations: int, first: int = 0) -> None:
    """``conversations`` more conversations, 47 minutes apart from the first Monday of March 2026: a
    third resolved by the bot, the rest handed off across two queues (one with hours), most picked up,
    answered and resolved, every seventh sent to the offline path with a ticket. Most resolved ones are
    rated, every third rating with a comment."""
    tenant = history.tenant
    support, sales = (Queue.objects.for_tenant(tenant).get(name=name) for name in ("Support", "Sales"))
    bots = list(Bot.objects.for_tenant(tenant).order_by("pk"))
    agents = list(Membership.objects.for_tenant(tenant).exclude(pk=admin.pk).order_by("pk"))
    start = datetime(2026, 3, 2, 6, tzinfo=UTC)
    for n in range(first, first + conversations):
        when = start + timedelta(minutes=47 * n)
        bot = bots[n % 2]
        if n % 3 == 0:
            resolved = history.conversation(bot, when, Conversation.Status.RESOLVED)
            if n % 4:
                history.rating(
                    resolved, when + timedelta(minutes=5), 1 + n % 5, "Thanks" if n % 9 == 0 else ""
                )
            continue
        conversation = history.conversation(bot, when)
        queue = support if bot.queue_id == support.pk else sales
        if n % 7 == 0:
            history.handoff(conversation, when, "bot_error", queue, offline=True, status="offline")
            history.ticket(conversation, when + timedelta(minutes=1))
            continue
        agent = agents[n % len(agents)]
        history.handoff(
            conversation,
            when + timedelta(seconds=30),
            "explicit_request" if n % 2 else "low_confidence",
            queue,
            accepted=(agent, when + timedelta(seconds=30 + 10 * (n % 11))),
            ended=when + timedelta(minutes=20),
            status="resolved",
        )
        history.message(conversation, when + timedelta(minutes=2), "agent", author=agent.user)
        if n % 4:
            history.rating(
                conversation,
                when + timedelta(minutes=25),
                1 + n % 5,
                f"Comment {n}" if n % 3 == 1 else "",
                agent=agent,
            )


@pytest.fixture
def busy(make_tenant, make_agent):
    tenant = make_tenant("busy")
    history = History(tenant)
    support = history.queue("Support", zone="Europe/Paris", windows=[(d, (8, 0), (18, 0)) for d in range(5)])
    history.bot("Spoke", support)
    history.bot("Pitch", history.queue("Sales"))
    for n in range(3):
        make_agent(tenant, f"busy-{n}")
    admin = make_agent(tenant, "busy-admin", role=Membership.Role.ADMIN)
    return history, admin


FORTNIGHT = {"from": "2026-03-01", "to": "2026-03-14"}
PAGE_QUERIES = 24
CSV_QUERIES = 10


@pytest.mark.parametrize("size", [10, 200])
def test_the_page_and_its_csv_files_cost_at_most_a_fixed_number_of_queries(
    client, busy, django_assert_max_num_queries, size
):
    history, admin = busy
    busy_history(history, admin, size)
    client = as_member(client, admin)
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(URL, FORTNIGHT).status_code == 200
    support = Queue.objects.for_tenant(history.tenant).get(name="Support")
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(URL, {**FORTNIGHT, "queue": support.pk}).status_code == 200
    for table in ("deflection", "handoff_queues", "pickup_heatmap", "csat", "csat_comments", "agents"):
        with django_assert_max_num_queries(CSV_QUERIES):
            assert client.get(URL, {**FORTNIGHT, "format": "csv", "table": table}).status_code == 200


def test_the_page_costs_exactly_the_same_queries_at_10_and_200_conversations(client, busy):
    history, admin = busy
    client = as_member(client, admin)
    busy_history(history, admin, 10)
    counts, ratings = [], []
    for more in (0, 190):
        busy_history(history, admin, more, first=10)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, FORTNIGHT)
        assert response.status_code == 200
        counts.append(len(captured))
        sections = {section.key: section for section in response.context["sections"]}
        conversations = sections["deflection"].blocks[0].table.total[1]
        assert conversations == 10 + more
        ratings.append(sections["csat"].blocks[0].table.total[1])
    assert counts[0] == counts[1], counts
    assert 0 < ratings[0] < ratings[1], ratings
    print("page queries", counts)


def test_the_figures_read_in_the_agents_language(client, known):
    page = as_member(client, known.carol).get(URL, WEEK, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    for words in ("Deflexión por bot", "Traspasos por cola", "Tiempo de atención por cola", "Tema delicado"):
        assert words in page, words
    assert "lun 2" in page.lower()  # the chart's day labels, from Django's own Spanish weekday names
    assert "Deflection by bot" not in page and "Handoffs by queue" not in page
    # The CSV headers follow the page; the JSON API keeps its codes.
    reasons = csv_rows(
        client.get(URL, {**WEEK, "format": "csv", "table": "handoff_reasons"}, HTTP_ACCEPT_LANGUAGE="de")
    )
    assert reasons[0] == [
        "Tag",
        "Hat nach einer Person gefragt",
        "Heikles Thema",
        "Negative Stimmung",
        "Gesamt",
    ]
