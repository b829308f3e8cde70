"""The ticket list at volume: the same queries at 5 or 50 tickets, read from an index in its order
(PostgreSQL), and another tenant's ticket still a 404."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from helpdesk.tests.scale_support import grow, query_count, scale_world
from tickets.models import Ticket
from tickets.selectors import ticket_list

pytestmark = pytest.mark.django_db

LIST_QUERIES = ["", "?status=all", "?status=solved", "?mine=on&status=all", "?q=resolved", "?page=2"]


@pytest.fixture
def world(make_tenant, make_bot, make_agent):
    return scale_world(make_tenant("acme"), make_bot, make_agent)


def test_the_ticket_list_costs_the_same_queries_at_5_and_50_tickets(world, client):
    client.force_login(world.agent.user)
    path = reverse("tickets:list")
    grow(world, conversations=30)
    # A few tickets of every status, some the agent's, so each filter has rows and a second page.
    tickets = list(Ticket.objects.for_tenant(world.tenant).order_by("pk"))
    for index, ticket in enumerate(tickets):
        ticket.status = ("open", "pending", "solved", "closed")[index % 4]
        ticket.assignee = world.agent.user if index % 3 == 0 else None
        ticket.save(update_fields=["status", "assignee"])
    small = {query: query_count(client, path + query) for query in LIST_QUERIES}

    grow(world, conversations=20)

    assert {query: query_count(client, path + query) for query in LIST_QUERIES} == small
    assert Ticket.objects.for_tenant(world.tenant).count() == 50


def test_another_tenants_ticket_is_still_a_404(world, make_tenant, make_bot, make_agent, client):
    grow(world, conversations=1)
    other = scale_world(make_tenant("globex"), make_bot, make_agent)
    grow(other, conversations=3)
    # Numbers are per tenant: T-1003 exists only at the other tenant.
    theirs = Ticket.objects.for_tenant(other.tenant).get(number=1003)
    client.force_login(world.agent.user)

    assert client.get(reverse("tickets:detail", args=[theirs.number])).status_code == 404
    listed = client.get(reverse("tickets:list") + "?status=all").content.decode()
    assert "T-1001" in listed
    assert "T-1003" not in listed


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("status", "index"), [("", "ticket_unsolved_updated"), ("all", "ticket_tenant_updated")]
)
def test_the_list_is_read_from_its_index_in_order(world, status, index):
    """With scans and sorts priced out, a plan that still sorts would mean no index gives the order."""
    grow(world, conversations=2)
    sql, params = ticket_list(tenant=world.tenant, status=status)[:25].query.sql_with_params()
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # The list's own index, or (on a table this small, where the planner may price them alike) the
    # tenant's index by update time, which gives the same order; never a sort or a scan of the table.
    assert index in plan or "ticket_tenant_updated" in plan
    assert "Sort" not in plan
    assert "Seq Scan" not in plan
