"""The wire shapes: a message carries the bot's Markdown as sanitised HTML beside its text (nobody else's
text is ever given as HTML); a conversation carries its status and handoff reason in words beside the
codes."""

import pytest

from helpdesk.models import Conversation, Message
from helpdesk.payloads import conversation_payload, message_payload, messages_payload, public_message_payload
from helpdesk.reasons import HandoffReason
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
        "attachments",
    ]
    assert (payload["body"], payload["author_name"], payload["html"]) == (
        "Hi",
        conversation.bot.name,
        "<p>Hi</p>",
    )


@pytest.mark.parametrize("status", Conversation.Status.values)
def test_a_conversation_says_its_status_and_reason_in_words_beside_the_codes(conversation, status):
    conversation.status = status
    conversation.handoff_reason = HandoffReason.EXPLICIT_REQUEST

    payload = conversation_payload(conversation)

    assert (payload["status"], payload["status_label"]) == (status, Conversation.Status(status).label)
    assert (payload["handoff_reason"], payload["handoff_reason_label"]) == (
        "explicit_request",
        "Asked for a person",
    )


def test_a_conversation_not_handed_off_has_no_reason_label(conversation):
    payload = conversation_payload(conversation)

    assert (payload["handoff_reason"], payload["handoff_reason_label"]) == ("", "")
    assert (payload["status"], payload["status_label"]) == ("bot", "With the bot")


def test_the_conversations_existing_fields_are_kept(conversation):
    assert list(conversation_payload(conversation)) == [
        "id",
        "status",
        "status_label",
        "channel",
        "bot_id",
        "contact",
        "assignee_id",
        "handoff_reason",
        "handoff_reason_label",
        "waiting_since",
        "collected",
        "last_seq",
        "queue_id",
        "created_at",
        "updated_at",
        "last_message_at",
    ]
