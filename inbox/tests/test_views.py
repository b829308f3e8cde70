import pytest
from django.urls import reverse
from django.utils.html import escape

from chatbot.services import widget_session_start
from tests.support.static_modules import module_graph

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_tenant, make_bot, make_agent):
    acme, globex = make_tenant("acme"), make_tenant("globex")
    return {
        "alice": make_agent(acme, "alice"),
        "gina": make_agent(globex, "gina"),
        "conv": widget_session_start(public_key=make_bot(acme).public_key).conversation,
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
    assert escape(world["conv"].bot.greeting).encode() in response.content


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
