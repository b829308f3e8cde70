"""The inbox pages: lists with unread counts and positions, pagination, constant query counts, and labels
in words."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chatbot.services import customer_message_receive, widget_conversation_start
from helpdesk.models import Contact, Conversation
from inbox.models import CannedReply, ReadMarker
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(make_tenant, make_bot, make_agent, client):
    tenant = make_tenant("acme")
    bot = make_bot(tenant)
    alice = make_agent(tenant, "alice")
    client.force_login(alice.user)
    return bot, alice, client


def waiting_conversations(bot, n: int) -> list[Conversation]:
    out = []
    for i in range(n):
        conversation = widget_conversation_start(public_key=bot.public_key).conversation
        customer_message_receive(conversation=conversation, text="talk to a human", client_msg_id=f"w{i}")
        out.append(conversation)
    return out


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_inbox_costs_the_same_queries_at_10_and_60_conversations(desk):
    bot, _, client = desk
    waiting_conversations(bot, 10)
    at_10 = queries_for(client, reverse("inbox:index"))
    waiting_conversations(bot, 50)
    at_60 = queries_for(client, reverse("inbox:index"))
    assert at_10 == at_60


def test_a_list_page_costs_the_same_queries_on_any_page(desk):
    bot, _, client = desk
    waiting_conversations(bot, 55)
    first = queries_for(client, reverse("inbox:list", args=["waiting"]))
    second = queries_for(client, reverse("inbox:list", args=["waiting"]) + "?page=2")
    assert first == second


def test_a_conversation_page_costs_the_same_queries_with_more_messages(desk):
    bot, _, client = desk
    (conversation,) = waiting_conversations(bot, 1)
    url = reverse("inbox:conversation", args=[conversation.pk])
    client.get(url)  # the first visit creates the agent's read marker
    customer_message_receive(conversation=conversation, text="one more", client_msg_id="one")
    few = queries_for(client, url)
    for i in range(30):
        customer_message_receive(conversation=conversation, text=f"more {i}", client_msg_id=f"m{i}")
    assert queries_for(client, url) == few


def test_waiting_rows_show_position_and_unread_counts(desk):
    bot, alice, client = desk
    first, second = waiting_conversations(bot, 2)
    customer_message_receive(conversation=first, text="hello?", client_msg_id="again")
    response = client.get(reverse("inbox:index"))
    rows = {c.pk: c for c in response.context["columns"][0][2]}
    assert (rows[first.pk].position, rows[second.pk].position) == (1, 2)
    assert (rows[first.pk].unread, rows[second.pk].unread) == (2, 1)
    client.get(reverse("inbox:conversation", args=[first.pk]))
    assert (
        every_tenant(ReadMarker).get(user=alice.user, conversation=first).last_read_seq
        == every_tenant(Conversation).get(pk=first.pk).last_seq
    )
    rows = {c.pk: c for c in client.get(reverse("inbox:index")).context["columns"][0][2]}
    assert rows[first.pk].unread == 0


def test_an_unknown_list_is_404(desk):
    _, _, client = desk
    assert client.get(reverse("inbox:list", args=["secret"])).status_code == 404


def test_a_bad_page_number_shows_a_valid_page(desk):
    bot, _, client = desk
    waiting_conversations(bot, 2)
    response = client.get(reverse("inbox:list", args=["waiting"]) + "?page=abc")
    assert response.status_code == 200
    assert response.context["page"].number == 1


def test_lists_show_only_the_agents_tenant(desk, make_tenant, make_bot):
    _, _, client = desk
    other = make_bot(make_tenant("globex"), "Other")
    (theirs,) = waiting_conversations(other, 1)
    for name in ("waiting", "open"):
        page = client.get(reverse("inbox:list", args=[name])).context["page"]
        assert theirs.pk not in [c.pk for c in page]


def test_contact_names_are_escaped_in_the_lists(desk):
    bot, _, client = desk
    (conversation,) = waiting_conversations(bot, 1)
    every_tenant(Contact).filter(pk=conversation.contact_id).update(name="<img src=x onerror=alert(1)>")
    content = client.get(reverse("inbox:index")).content
    assert b"<img src=x" not in content
    assert b"&lt;img src=x onerror=alert(1)&gt;" in content


def test_the_conversation_page_offers_the_tenants_canned_replies(desk, make_tenant):
    bot, alice, client = desk
    CannedReply.objects.create(tenant=alice.tenant, title="Refund timing", body="Refunds take 3 days.")
    other = make_tenant("globex")
    CannedReply.objects.create(tenant=other, title="Their secret", body="x")
    (conversation,) = waiting_conversations(bot, 1)
    content = client.get(reverse("inbox:conversation", args=[conversation.pk])).content
    assert b"Refund timing" in content
    assert b"Their secret" not in content


def visible_text(html: str) -> str:
    """The text a person reads on a page: no tags, attributes, scripts or styles."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts, self.hidden = [], 0

        def handle_starttag(self, tag, attrs):
            self.hidden += tag in ("script", "style")

        def handle_endtag(self, tag):
            self.hidden -= tag in ("script", "style")

        def handle_data(self, data):
            if not self.hidden:
                self.parts.append(data)

    parser = Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


STATUS_CODES = [code for code, _ in Conversation.Status.choices]


def test_rows_say_reasons_and_statuses_in_words_never_codes(desk, make_agent):
    from inbox.services import conversation_claim

    bot, alice, client = desk
    bob = make_agent(alice.tenant, "bob", name="Bob Builder")
    waiting, mine, bobs = waiting_conversations(bot, 3)
    conversation_claim(membership=alice, conversation=mine)
    conversation_claim(membership=bob, conversation=bobs)
    widget_conversation_start(public_key=bot.public_key)  # a conversation still with the bot

    for url in (reverse("inbox:index"), reverse("inbox:list", args=["open"])):
        html = client.get(url).content.decode()
        text = visible_text(html)
        assert "Asked for a person" in text
        assert "explicit_request" not in text
        statuses = set(re.findall(r'<span class="status">([^<]*)</span>', html))
        # Assigned rows name the agent (the membership's display name, or "You"); waiting rows say how long.
        assert {"With the bot", "Bob Builder", "You"} <= statuses
        assert any(re.fullmatch(r"(#\d+ · )?waiting \d+\xa0minutes?", s) for s in statuses)
        assert not statuses & set(STATUS_CODES)
    html = client.get(reverse("inbox:index")).content.decode()
    assert "#1 · waiting 0\xa0minutes" in html
    # What the live rows need to keep the order and the positions: the queue and the time it started waiting.
    waiting = every_tenant(Conversation).get(pk=waiting.pk)
    assert (
        f'data-conversation-id="{waiting.pk}" data-queue-id="{waiting.queue_id}" data-assignee-id="" '
        f'data-waiting-since="{waiting.waiting_since.isoformat()}"'
    ) in html


@pytest.mark.parametrize("status", STATUS_CODES)
def test_the_conversation_page_says_its_status_in_words(desk, status):
    bot, _, client = desk
    (conversation,) = waiting_conversations(bot, 1)
    every_tenant(Conversation).filter(pk=conversation.pk).update(status=status)
    text = visible_text(client.get(reverse("inbox:conversation", args=[conversation.pk])).content.decode())
    assert Conversation.Status(status).label in text
    assert "Asked for a person" in text
    assert "explicit_request" not in text
