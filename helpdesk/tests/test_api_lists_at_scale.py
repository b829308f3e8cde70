"""The API's lists at volume: the same queries at 5 or 50 conversations a state (and 20 or 300 messages
in a conversation), another tenant's rows still a 404, and the report read from its index (PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from handoff.api.reports import handoff_summary
from helpdesk.tests.api_support import client_for, key_for
from helpdesk.tests.scale_support import grow, query_count, scale_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_tenant, make_bot, make_agent):
    return scale_world(make_tenant("acme"), make_bot, make_agent)


def _paths(world) -> list[str]:
    long = world.long.pk
    return [
        "/api/v1/conversations/",
        "/api/v1/conversations/?status=waiting",
        f"/api/v1/conversations/{long}/",
        f"/api/v1/conversations/{long}/messages/",
        f"/api/v1/conversations/{long}/messages/?after_seq=10&limit=200",
        "/api/v1/contacts/",
        "/api/v1/tickets/",
        "/api/v1/handoffs/",
        "/api/v1/reports/handoffs/",
    ]


def test_the_api_lists_cost_the_same_queries_at_5_and_50_conversations_a_state(world):
    api = client_for(key_for(world.tenant))
    grow(world, conversations=5, long_messages=20)
    small = {path: query_count(api, path) for path in _paths(world)}

    grow(world, conversations=45, long_messages=280)

    assert {path: query_count(api, path) for path in _paths(world)} == small
    # Full pages: the lists hold more rows than a page.
    page = api.get("/api/v1/conversations/").json()
    assert len(page["results"]) == 50
    assert page["next"]


def test_another_tenants_conversation_is_still_a_404(world, make_tenant, make_bot, make_agent):
    other = scale_world(make_tenant("globex"), make_bot, make_agent)
    grow(other, conversations=1, long_messages=10)
    api = client_for(key_for(world.tenant))

    for suffix in ("", "messages/"):
        assert api.get(f"/api/v1/conversations/{other.long.pk}/{suffix}").status_code == 404
    listed = {row["id"] for row in api.get("/api/v1/conversations/?limit=200").json()["results"]}
    assert other.long.pk not in listed


def test_the_report_counts_in_the_database(world):
    grow(world, conversations=3)
    end = timezone.now() + timedelta(minutes=1)

    with CaptureQueriesContext(connection) as captured:
        report = handoff_summary(tenant=world.tenant, start=end - timedelta(days=30), end=end)

    assert len(captured.captured_queries) == 2
    # The long conversation and, of each round, the waiting, two assigned and the resolved one.
    assert report["total"] == 1 + 3 * 4
    assert report["by_outcome"] == {"queued": 13, "offline": 0}
    assert report["pickup"]["accepted"] == 1 + 3 * 3


@pytest.mark.postgres
def test_the_report_reads_its_index(world):
    grow(world, conversations=2)
    end = timezone.now()
    with CaptureQueriesContext(connection) as captured:
        handoff_summary(tenant=world.tenant, start=end - timedelta(days=30), end=end)
    with connection.cursor() as cursor:
        # On a few rows any index on the tenant will do; without the others (the test's transaction is
        # rolled back), the range must come from the report's own index, not a scan.
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'handoff_handoff' "
            "AND indexname NOT IN ('handoff_report_range', 'handoff_handoff_pkey')"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        for setting in ("enable_seqscan", "enable_bitmapscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        for query in captured.captured_queries:
            cursor.execute("EXPLAIN " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            # Index-only once vacuumed, as in production (a test's fresh rows are not yet all-visible).
            assert "using handoff_report_range" in plan
            assert "Seq Scan" not in plan
