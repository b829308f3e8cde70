"""The message wire shape: the bot's Markdown as sanitised HTML beside its text; nobody else's text is
ever given as HTML."""

import pytest

from helpdesk.models import Message
from helpdesk.payloads import message_payload, messages_payload, public_message_payload
from helpdesk.services import contact_create, conversation_start, message_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(acme, bot):
    return conversation_start(tenant=acme, bot_id=bot.pk, contact=contact_create(tenant=acme))


def test_a_bot_message_carries_its_markdown_as_safe_html_and_its_text_unchanged(conversation):
    body = "Returns are **free**: see [Returns](https://shop.example/r) <script>x()</script>"
    message, _ = message_create(conversation=conversation, author_kind=Message.Author.BOT, body=body)

    payload = message_payload(message)

    assert payload["body"] == body
    assert payload["html"] == (
        '<p>Returns are <strong>free</strong>: see <a href="https://shop.example/r" target="_blank" '
        'rel="nofollow noopener noreferrer">Returns</a> &lt;script&gt;x()&lt;/script&gt;</p>'
    )
    assert public_message_payload(payload)["html"] == payload["html"]


@pytest.mark.parametrize(
    "author_kind", [Message.Author.CUSTOMER, Message.Author.AGENT, Message.Author.SYSTEM]
)
def test_customer_agent_and_system_messages_have_no_html(conversation, author_kind):
    body = "**not bold** <b>nor this</b> [x](https://evil.example)"
    message, _ = message_create(conversation=conversation, author_kind=author_kind, body=body)

    (payload,) = messages_payload(conversation, [message])

    assert payload["html"] is None
    assert payload["body"] == body
    assert public_message_payload(payload)["html"] is None


def test_the_existing_fields_are_unchanged(conversation):
    message, _ = message_create(conversation=conversation, author_kind=Message.Author.BOT, body="Hi")

    payload = message_payload(message)

    assert list(payload) == [
        "id",
        "conversation_id",
        "seq",
        "author_kind",
        "author_name",
        "body",
        "html",
        "private",
        "client_msg_id",
        "data",
        "created_at",
    ]
    assert (payload["body"], payload["author_name"], payload["html"]) == (
        "Hi",
        conversation.bot.name,
        "<p>Hi</p>",
    )
