"""The inbox's pages at volume: the same queries at 5 or 50 conversations per list and at 20 or 300
messages in a conversation, the latest page of messages with a link to earlier ones, and indexes that
serve each list in its order (PostgreSQL)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpdesk.tests.scale_support import grow, query_count, scale_world
from inbox.selectors import CONVERSATION_PAGE, conversation_messages_tail, inbox_list

pytestmark = pytest.mark.django_db

INBOX_PAGES = ["inbox:index", ("inbox:list", "waiting"), ("inbox:list", "mine"), ("inbox:list", "open")]


def _path(page) -> str:
    return reverse(page) if isinstance(page, str) else reverse(page[0], args=[page[1]])


@pytest.fixture
def world(make_tenant, make_bot, make_agent):
    return scale_world(make_tenant("acme"), make_bot, make_agent)


@pytest.fixture
def agent_client(client, world):
    client.force_login(world.agent.user)
    return client


def _seqs(html: str) -> list[int]:
    return [int(s) for s in re.findall(r'data-seq="(\d+)"', html)]


def test_the_inbox_pages_cost_the_same_queries_at_5_and_50_conversations_a_list(world, agent_client):
    grow(world, conversations=5)
    small = {_path(page): query_count(agent_client, _path(page)) for page in INBOX_PAGES}

    grow(world, conversations=45)
    large = {_path(page): query_count(agent_client, _path(page)) for page in INBOX_PAGES}

    assert large == small
    # A full first page: 50 waiting rows, and a second page of the open list.
    content = agent_client.get(reverse("inbox:list", args=["open"])).content.decode()
    assert "Page 1 of 5" in content


def test_the_conversation_page_costs_the_same_queries_at_20_and_300_messages(world, agent_client):
    path = reverse("inbox:conversation", args=[world.long.pk])
    grow(world, conversations=1, long_messages=20)
    small = query_count(agent_client, path)

    grow(world, conversations=0, long_messages=280)

    assert query_count(agent_client, path) == small
    assert query_count(agent_client, path + "?before=150") == small


def test_a_long_conversation_shows_its_latest_messages_and_links_to_earlier_ones(world, agent_client):
    grow(world, conversations=0, long_messages=150)
    last = world.long.last_seq

    html = agent_client.get(reverse("inbox:conversation", args=[world.long.pk])).content.decode()

    assert _seqs(html) == list(range(last - CONVERSATION_PAGE + 1, last + 1))
    assert f'href="?before={last - CONVERSATION_PAGE + 1}"' in html
    assert 'id="messages"' in html
    assert 'id="reply"' in html
    assert f'data-last-seq="{last}"' in html


def test_an_earlier_page_shows_the_messages_before_and_no_reply_box(world, agent_client):
    grow(world, conversations=0, long_messages=150)
    last = world.long.last_seq
    path = reverse("inbox:conversation", args=[world.long.pk])

    html = agent_client.get(f"{path}?before={last - CONVERSATION_PAGE + 1}").content.decode()

    assert _seqs(html) == list(range(1, last - CONVERSATION_PAGE + 1))
    assert "?before=" not in html  # the first message is on this page: nothing earlier
    assert f'href="{path}"' in html
    # History only: live messages and the reply box stay on the latest page.
    assert 'id="messages"' not in html
    assert 'id="reply"' not in html


def test_a_short_conversation_has_no_link_to_earlier_messages(world, agent_client):
    grow(world, conversations=1)
    conversation = world.conversations[0]

    html = agent_client.get(reverse("inbox:conversation", args=[conversation.pk])).content.decode()

    assert _seqs(html) == list(range(1, conversation.last_seq + 1))
    assert "?before=" not in html


@pytest.mark.parametrize("before", ["abc", "0", "-3", "99999999999999", "1.5", ""])
def test_a_mangled_before_shows_the_latest_messages(world, agent_client, before):
    grow(world, conversations=0, long_messages=150)
    path = reverse("inbox:conversation", args=[world.long.pk])

    response = agent_client.get(path, {"before": before})

    assert response.status_code == 200
    assert _seqs(response.content.decode())[-1] == world.long.last_seq


def test_another_tenants_conversation_is_still_a_404(world, make_tenant, make_bot, make_agent, client):
    other = scale_world(make_tenant("globex"), make_bot, make_agent)
    grow(other, conversations=0, long_messages=120)
    client.force_login(world.agent.user)

    for suffix in ("", "?before=50"):
        response = client.get(reverse("inbox:conversation", args=[other.long.pk]) + suffix)
        assert response.status_code == 404
    # Their conversations are in none of our lists.
    ours = client.get(reverse("inbox:list", args=["open"])).content.decode()
    assert f'data-conversation-id="{other.long.pk}"' not in ours


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("name", "index"),
    [("open", "conv_open_updated"), ("waiting", "conv_waiting_since"), ("mine", "conv_assigned_updated")],
)
def test_each_list_is_read_from_its_index_in_order(world, name, index):
    """On a small table the planner rightly prefers a scan and a sort; with those priced out, the list must
    come from its index, in its order, and its unread counts from the customer-message index. (A sort
    still in the plan means no index gives that order.)"""
    grow(world, conversations=2)
    sql, params = inbox_list(tenant=world.tenant, user=world.agent.user, name=name)[
        :50
    ].query.sql_with_params()
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert index in plan
    assert "message_customer_seq" in plan
    assert "Seq Scan on helpdesk_conversation" not in plan
    assert "Sort" not in plan


@pytest.mark.postgres
def test_a_page_of_messages_is_a_range_of_the_seq_index(world):
    grow(world, conversations=1, long_messages=150)
    with CaptureQueriesContext(connection) as captured:
        conversation_messages_tail(conversation=world.long, before_seq=120)
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + captured.captured_queries[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "Index Scan using message_unique_seq" in plan
    assert "seq >= 20" in plan and "seq < 120" in plan
    assert "Sort" not in plan
