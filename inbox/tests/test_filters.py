"""The inbox's filters and search: by queue, status, assignee and handoff reason, search over the contact
and the messages (full-text on PostgreSQL, icontains on SQLite), saved views, bad values named with the
unfiltered inbox shown, and the same queries at any volume."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from helpdesk.models import Contact, Conversation, Message, Queue
from helpdesk.services import contact_create, conversation_start, message_create
from inbox.filters import InboxFilters
from inbox.search import CONTACT_VECTOR, MESSAGE_VECTOR, SEARCH_CONFIG, prefix_query
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db

INBOX = reverse("inbox:index")


@pytest.fixture
def desk(make_tenant, make_bot, make_agent, client):
    """Acme: two queues, Alice and Bob, and conversations in every shape a filter tells apart."""
    tenant = make_tenant("acme")
    bot = make_bot(tenant, "Spoke")
    billing = Queue.objects.create(tenant=tenant, name="Billing")
    alice, bob = make_agent(tenant, "alice", name="Alice"), make_agent(tenant, "bob", name="Bob")
    client.force_login(alice.user)
    now = timezone.now()

    def conv(name, *, email="", status="bot", assignee=None, reason="", queue=None, texts=(), minutes=0):
        contact = contact_create(tenant=tenant, name=name, email=email)
        conversation = conversation_start(tenant=tenant, bot_id=bot.pk, contact=contact)
        for text in texts:
            message_create(conversation=conversation, author_kind=Message.Author.CUSTOMER, body=text)
        every_tenant(Conversation).filter(pk=conversation.pk).update(
            status=status,
            assignee=assignee.user if assignee else None,
            handoff_reason=reason,
            queue=queue or bot.queue,
            waiting_since=now - timedelta(minutes=minutes) if status == "waiting" else None,
        )
        return conversation.pk

    rows = {
        "wendy": conv(
            "Wendy Waiting",
            status="waiting",
            reason="explicit_request",
            texts=["I want a person"],
            minutes=9,
        ),
        "walt": conv("Walt Waits", status="waiting", reason="sensitive_topic", queue=billing, minutes=5),
        "wade": conv("Wade Later", status="waiting", reason="sensitive_topic", minutes=2),
        "alma": conv(
            "Alma Assigned",
            email="alma@example.org",
            status="assigned",
            assignee=alice,
            texts=["refund please"],
        ),
        "bert": conv("Bert Busy", status="assigned", assignee=bob, reason="negative_sentiment"),
        "rita": conv("Rita Resolved", status="resolved", assignee=alice, texts=["my derailleur squeaks"]),
        "otto": conv("Otto Offline", status="offline", reason="explicit_request"),
        "bea": conv("Bea Bot", texts=["How long does delivery take?"]),
    }
    return {"client": client, "rows": rows, "alice": alice, "bob": bob, "billing": billing, "bot": bot}


def shown(response) -> set[str]:
    """The names of the conversations the filtered list shows."""
    assert response.status_code == 200
    return {c.contact.name.split()[0].lower() for c in response.context["page"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "waiting"}, {"wendy", "walt", "wade"}),
        ({"status": "open"}, {"wendy", "walt", "wade", "alma", "bert", "bea"}),
        ({"status": "resolved"}, {"rita"}),
        ({"status": "offline"}, {"otto"}),
        ({"assignee": "me"}, {"alma", "rita"}),
        ({"assignee": "me", "status": "open"}, {"alma"}),
        ({"assignee": "none", "status": "open"}, {"wendy", "walt", "wade", "bea"}),
        ({"reason": "sensitive_topic"}, {"walt", "wade"}),
        ({"reason": "explicit_request", "status": "waiting"}, {"wendy"}),
    ],
)
def test_each_filter_narrows_the_list(desk, query, expected):
    assert shown(desk["client"].get(INBOX, query)) == expected


def test_filters_by_queue_and_by_a_named_agent(desk):
    client = desk["client"]
    assert shown(client.get(INBOX, {"queue": desk["billing"].pk})) == {"walt"}
    assert shown(client.get(INBOX, {"assignee": desk["bob"].user_id})) == {"bert"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("wendy", {"wendy"}),
        ("alma@example.org", {"alma"}),
        ("REFUND", {"alma"}),
        ("derailleur squeaks", {"rita"}),
        ("delivery", {"bea"}),
        ("nothing like this", set()),
    ],
)
def test_search_finds_the_contact_by_name_or_email_and_messages_by_their_text(desk, text, expected):
    assert shown(desk["client"].get(INBOX, {"q": text})) == expected


def test_search_combines_with_the_other_filters(desk):
    client = desk["client"]
    assert shown(client.get(INBOX, {"q": "wa", "status": "waiting", "queue": desk["billing"].pk})) == {"walt"}


def test_waiting_is_oldest_first_with_positions_in_each_queue(desk):
    response = desk["client"].get(INBOX, {"status": "waiting"})
    rows = list(response.context["page"])
    assert [c.contact.name for c in rows] == ["Wendy Waiting", "Walt Waits", "Wade Later"]
    # Walt is first in Billing; Wendy and Wade share the bot's queue.
    assert [c.position for c in rows] == [1, 1, 2]
    assert "#2 · waiting" in response.content.decode()


def test_a_search_shows_no_queue_position(desk):
    """A row's place among search results is not its place in its queue, so none is claimed."""
    response = desk["client"].get(INBOX, {"status": "waiting", "q": "wade"})
    assert "#" not in response.content.decode().split('data-list="results"')[1].split("</ul>")[0]


def test_the_saved_views_are_links_and_the_current_one_is_marked(desk):
    client = desk["client"]
    html = client.get(INBOX).content.decode()
    for key, title in [
        ("mine", "Mine"),
        ("unassigned", "Unassigned"),
        ("waiting", "Waiting"),
        ("open", "All open"),
    ]:
        assert f'data-view="{key}"' in html and f">{title}</a>" in html
    mine = client.get(INBOX, {"assignee": "me", "status": "open"})
    assert shown(mine) == {"alma"}
    assert 'data-view="mine" aria-current="page"' in mine.content.decode()
    assert shown(client.get(INBOX, {"assignee": "none", "status": "open"})) == {
        "wendy",
        "walt",
        "wade",
        "bea",
    }


def test_no_filters_show_the_three_lists(desk):
    response = desk["client"].get(INBOX, {"q": "", "status": ""})
    assert [name for name, _title, _rows in response.context["columns"]] == ["waiting", "mine", "open"]
    assert "page" not in response.context


@pytest.mark.parametrize(
    "query",
    [
        {"status": "lost"},
        {"queue": "abc"},
        {"queue": "999999"},
        {"assignee": "someone"},
        {"reason": "because"},
        {"q": "x" * 201},
        {"status": "waiting", "queue": "-1"},
    ],
)
def test_a_bad_filter_value_is_named_and_the_whole_inbox_shown(desk, query):
    response = desk["client"].get(INBOX, query)
    assert response.status_code == 200
    assert response.context["problems"]
    assert response.context["filters"] == InboxFilters()
    assert [name for name, _title, _rows in response.context["columns"]] == ["waiting", "mine", "open"]
    html = response.content.decode()
    assert "Some filters could not be used, so the whole inbox is shown" in html
    assert 'role="alert"' in html


def test_a_bad_value_names_its_filter(desk):
    problems = desk["client"].get(INBOX, {"status": "lost"}).context["problems"]
    assert problems == ["Status: Select a valid choice. lost is not one of the available choices."]


def test_another_tenants_queue_and_agent_are_bad_values_and_their_rows_never_show(
    desk, make_tenant, make_bot, make_agent
):
    globex = make_tenant("globex")
    their_bot = make_bot(globex, "Gizmo")
    gina = make_agent(globex, "gina")
    theirs = conversation_start(
        tenant=globex, bot_id=their_bot.pk, contact=contact_create(tenant=globex, name="Wendy Elsewhere")
    )
    client = desk["client"]
    assert client.get(INBOX, {"queue": their_bot.queue_id}).context["problems"]
    assert client.get(INBOX, {"assignee": gina.user_id}).context["problems"]
    found = client.get(INBOX, {"q": "wendy"}).context["page"]
    assert theirs.pk not in [c.pk for c in found]
    assert client.get(reverse("inbox:conversation", args=[theirs.pk])).status_code == 404


def test_a_filtered_page_keeps_its_filters_in_the_pager_links(desk):
    bot = desk["bot"]
    tenant = bot.tenant
    for i in range(55):
        conversation_start(
            tenant=tenant, bot_id=bot.pk, contact=contact_create(tenant=tenant, name=f"Zed {i}")
        )
    response = desk["client"].get(INBOX, {"status": "open", "q": "zed"})
    assert response.context["page"].paginator.count == 55
    assert "?status=open&amp;q=zed&amp;page=2" in response.content.decode()
    assert len(desk["client"].get(INBOX, {"status": "open", "q": "zed", "page": "2"}).context["page"]) == 5


def _queries(client, query) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(INBOX, query).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "query",
    [
        {"status": "waiting"},
        {"assignee": "me", "status": "open"},
        {"q": "customer", "status": "open"},
        {"reason": "explicit_request", "queue": "QUEUE"},
    ],
)
def test_a_filtered_inbox_costs_the_same_queries_at_5_and_60_conversations(desk, query):
    bot, alice = desk["bot"], desk["alice"]
    query = {k: (bot.queue_id if v == "QUEUE" else v) for k, v in query.items()}

    def grow(n: int) -> None:
        for i in range(n):
            contact = contact_create(tenant=bot.tenant, name=f"Customer {i}")
            conversation = conversation_start(tenant=bot.tenant, bot_id=bot.pk, contact=contact)
            message_create(conversation=conversation, author_kind="customer", body=f"customer question {i}")
            status = ("waiting", "assigned", "bot")[i % 3]
            every_tenant(Conversation).filter(pk=conversation.pk).update(
                status=status,
                assignee=alice.user if status == "assigned" else None,
                handoff_reason="explicit_request",
                waiting_since=timezone.now() if status == "waiting" else None,
            )

    grow(5)
    small = _queries(desk["client"], query)
    grow(55)
    assert _queries(desk["client"], query) == small


def test_the_unfiltered_inbox_still_costs_the_same_queries(desk):
    before = _queries(desk["client"], {})
    bot = desk["bot"]
    for _ in range(30):
        conversation_start(tenant=bot.tenant, bot_id=bot.pk, contact=contact_create(tenant=bot.tenant))
    assert _queries(desk["client"], {}) == before


def test_prefix_query_quotes_every_word_and_drops_syntax():
    assert prefix_query("Wen ann@example") == "'Wen':* & 'ann@example':*"
    assert prefix_query("don't & | ! ( ) :*") == "'don''t':*"
    assert prefix_query("back\\slash") == "'backslash':*"
    assert prefix_query("  !!  ") == ""


@pytest.mark.postgres
def test_postgres_search_matches_word_prefixes_in_any_language(desk):
    client = desk["client"]
    assert shown(client.get(INBOX, {"q": "wen"})) == {"wendy"}
    assert shown(client.get(INBOX, {"q": "alma@exa"})) == {"alma"}
    assert shown(client.get(INBOX, {"q": "derail squeak"})) == {"rita"}
    assert shown(client.get(INBOX, {"q": "!!! &"})) == set()


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("model", "vector", "index"),
    [(Contact, CONTACT_VECTOR, "inbox_contact_search"), (Message, MESSAGE_VECTOR, "inbox_message_search")],
)
def test_postgres_search_can_read_the_gin_indexes(desk, model, vector, index):
    """The expression each half of the search filters by is its GIN index's own, character for character,
    or PostgreSQL could never use the index: with scans priced out, the filter comes from it. (On the few
    rows of a test the planner rightly prefers the tenant's index; at volume it takes the GIN.)"""
    query = SearchQuery(prefix_query("refund"), search_type="raw", config=SEARCH_CONFIG)
    rows = model.objects.unscoped("the plan of the filter alone").annotate(found=vector).filter(found=query)
    sql, params = rows.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"Bitmap Index Scan on {index}" in plan
