import pytest
from django.urls import reverse

from chatbot.services import widget_conversation_start
from helpdesk.formatting import markdown_html
from tests.support.static_modules import module_graph

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_tenant, make_bot, make_agent):
    acme, globex = make_tenant("acme"), make_tenant("globex")
    return {
        "alice": make_agent(acme, "alice"),
        "gina": make_agent(globex, "gina"),
        "conv": widget_conversation_start(public_key=make_bot(acme).public_key).conversation,
    }


def test_the_inbox_asks_visitors_to_log_in(client):
    response = client.get(reverse("inbox:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_agent_sees_their_inbox(client, world):
    client.force_login(world["alice"].user)
    response = client.get(reverse("inbox:index"))
    assert response.status_code == 200
    assert b'data-socket="/ws/inbox/"' in response.content


@pytest.mark.parametrize(
    ("page", "module"), [("index", "inbox-page.js"), ("conversation", "conversation-page.js")]
)
def test_each_agent_page_loads_its_module_with_the_urls_it_needs(client, world, page, module):
    client.force_login(world["alice"].user)
    args = [world["conv"].pk] if page == "conversation" else []
    html = client.get(reverse(f"inbox:{page}", args=args)).content.decode()
    assert f'<script type="module" src="/static/inbox/{module}"></script>' in html
    # The scripts hold no paths of their own: the socket's and the conversations' come from the page.
    assert 'data-socket="/ws/inbox/"' in html
    assert f'data-conversation-url="{reverse("inbox:conversation", args=[0])}"' in html
    assert module_graph(f"inbox/{module}") >= {f"inbox/{module}", "inbox/agent.js", "shared/socket.js"}


def test_an_agent_opens_a_conversation_of_their_tenant(client, world):
    client.force_login(world["alice"].user)
    response = client.get(reverse("inbox:conversation", args=[world["conv"].pk]))
    assert response.status_code == 200
    # The greeting is the bot's: shown with its formatting.
    assert markdown_html(world["conv"].bot.greeting).encode() in response.content


def test_another_tenants_agent_gets_404_for_the_conversation(client, world):
    client.force_login(world["gina"].user)
    response = client.get(reverse("inbox:conversation", args=[world["conv"].pk]))
    assert response.status_code == 404


def test_a_missing_conversation_is_the_same_404(client, world):
    client.force_login(world["alice"].user)
    assert client.get(reverse("inbox:conversation", args=[10**9])).status_code == 404


def test_a_user_without_a_tenant_is_forbidden(client, django_user_model, world):
    client.force_login(django_user_model.objects.create_user(username="drifter", password="x"))
    assert client.get(reverse("inbox:index")).status_code == 403


def test_customer_text_is_escaped_on_the_conversation_page(client, world):
    from chatbot.services import customer_message_receive

    customer_message_receive(conversation=world["conv"], text="<script>alert(1)</script>", client_msg_id="x")
    client.force_login(world["alice"].user)
    response = client.get(reverse("inbox:conversation", args=[world["conv"].pk]))
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content


def test_the_context_card_lists_the_contacts_tickets(client, world):
    from tickets.services import ticket_create_for_conversation

    ticket, _ = ticket_create_for_conversation(conversation=world["conv"], reason="api")
    client.force_login(world["alice"].user)
    content = client.get(reverse("inbox:conversation", args=[world["conv"].pk])).content.decode()
    assert ticket.reference in content
    assert reverse("tickets:detail", args=[ticket.number]) in content


def conversation_html(client, membership, conversation) -> str:
    client.force_login(membership.user)
    response = client.get(reverse("inbox:conversation", args=[conversation.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_bot_message_shows_its_formatting_and_its_sources_as_links(client, world):
    from helpdesk.models import Message
    from helpdesk.services import message_create

    body = "You can:\n\n- return it within **30 days**\n- see [Returns](https://shop.example/returns)"
    sources = [
        {"title": "Returns policy", "url": "https://shop.example/returns"},
        {"title": "Sneaky", "url": "javascript:alert(1)"},
        {"title": "<b>Plain</b>", "url": ""},
    ]
    message_create(
        conversation=world["conv"], author_kind=Message.Author.BOT, body=body, data={"sources": sources}
    )

    html = conversation_html(client, world["alice"], world["conv"])

    assert (
        '<div class="body rich"><p>You can:</p>\n<ul>\n<li>return it within <strong>30 days</strong></li>\n'
        '<li>see <a href="https://shop.example/returns" target="_blank" rel="nofollow noopener noreferrer">'
        "Returns</a></li>\n</ul></div>"
    ) in html
    assert (
        '<p class="sources">Sources: <a href="https://shop.example/returns" target="_blank" '
        'rel="nofollow noopener noreferrer">Returns policy</a>, Sneaky, &lt;b&gt;Plain&lt;/b&gt;</p>'
    ) in html
    assert "javascript:" not in html


def test_customer_and_agent_text_is_never_formatted(client, world):
    from chatbot.services import customer_message_receive
    from inbox.services import agent_reply

    customer_message_receive(conversation=world["conv"], text="**not bold** [x](https://evil.example)")
    agent_reply(membership=world["alice"], conversation=world["conv"], text="- not a list\n<i>nor this</i>")

    html = conversation_html(client, world["alice"], world["conv"])

    assert '<div class="body">**not bold** [x](https://evil.example)</div>' in html
    assert '<div class="body">- not a list\n&lt;i&gt;nor this&lt;/i&gt;</div>' in html
    assert 'href="https://evil.example"' not in html


def test_every_message_carries_its_time_for_the_browser_to_show_in_the_agents_zone(client, world):
    from helpdesk.models import Message
    from tests.support.db import every_tenant

    html = conversation_html(client, world["alice"], world["conv"])

    for message in every_tenant(Message).filter(conversation=world["conv"]):
        assert f'<time datetime="{message.created_at.isoformat()}"></time>' in html
    assert 'src="/static/inbox/conversation-page.js"' in html
    assert module_graph("inbox/conversation-page.js") >= {"inbox/times.js"}


def buttons(html: str) -> dict[str, bool]:
    """Each action button of a conversation page and whether it shows."""
    import re

    found = re.findall(r'<button type="button" id="(\w+)"([^>]*)>', html)
    return {name: " hidden" not in attrs for name, attrs in found if name != "new-below"}


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        ("bot", {"claim", "resolve"}),
        ("waiting", {"claim", "handback", "resolve"}),
        ("assigned", {"handback", "resolve"}),
        ("offline", {"handback", "resolve"}),
        ("resolved", {"reopen"}),
    ],
)
def test_the_page_offers_the_actions_of_the_status(client, world, status, shown):
    import json

    from helpdesk.models import Conversation
    from tests.support.db import every_tenant

    every_tenant(Conversation).filter(pk=world["conv"].pk).update(status=status)

    html = conversation_html(client, world["alice"], world["conv"])

    assert {name for name, visible in buttons(html).items() if visible} == shown
    assert set(buttons(html)) == {"claim", "handback", "resolve", "reopen"}
    # The same table, for the page to follow the status live.
    table = html.split('<script id="conversation-actions" type="application/json">')[1].split("</script>")[0]
    assert set(json.loads(table)[status]) == shown


def test_a_resolved_conversation_offers_reopen_only_and_no_reply_box(client, world):
    from helpdesk.models import Conversation
    from tests.support.db import every_tenant

    every_tenant(Conversation).filter(pk=world["conv"].pk).update(status="resolved")
    html = conversation_html(client, world["alice"], world["conv"])
    assert {name for name, visible in buttons(html).items() if visible} == {"reopen"}
    assert '<form id="reply" class="reply" autocomplete="off" hidden>' in html

    every_tenant(Conversation).filter(pk=world["conv"].pk).update(status="assigned")
    html = conversation_html(client, world["alice"], world["conv"])
    assert '<form id="reply" class="reply" autocomplete="off">' in html


def test_the_collected_fields_are_named_in_words(client, world):
    from helpdesk.models import Conversation
    from tests.support.db import every_tenant

    every_tenant(Conversation).filter(pk=world["conv"].pk).update(
        collected={"order_number": "SP-12345", "account_id": "A-9", "favourite_colour": "red"}
    )
    html = conversation_html(client, world["alice"], world["conv"])
    collected = html.split('<dl class="collected" id="collected">')[1].split("</dl>")[0]
    assert "<dt>Order number</dt><dd>SP-12345</dd>" in collected
    assert "<dt>Account ID</dt><dd>A-9</dd>" in collected
    assert "<dt>Favourite colour</dt><dd>red</dd>" in collected
    assert "_" not in collected
