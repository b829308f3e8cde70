import pytest

from chatbot.services import customer_message_receive, widget_conversation_start
from helpdesk.errors import Conflict
from helpdesk.models import Conversation, Message
from inbox.services import (
    conversation_claim,
    conversation_handback,
    conversation_reopen,
    conversation_resolve,
)
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def handed_off(make_tenant, make_bot, make_agent):
    tenant = make_tenant("acme")
    bot = make_bot(tenant)
    conversation = widget_conversation_start(public_key=bot.public_key).conversation
    customer_message_receive(conversation=conversation, text="talk to a human please", client_msg_id="1")
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.WAITING
    return conversation, make_agent(tenant, "alice"), make_agent(tenant, "bob")


def test_claiming_marks_the_handoff_accepted(handed_off):
    conversation, alice, _ = handed_off
    conversation_claim(membership=alice, conversation=conversation)
    handoff = conversation.handoffs.get()
    assert (handoff.accepted_by_id, handoff.accepted_at is not None) == (alice.user_id, True)
    assert conversation.status == Conversation.Status.ASSIGNED


def test_a_second_claim_fails_and_changes_nothing(handed_off):
    conversation, alice, bob = handed_off
    conversation_claim(membership=alice, conversation=conversation)
    before = every_tenant(Message).filter(conversation=conversation).count()
    with pytest.raises(Conflict):
        conversation_claim(membership=bob, conversation=every_tenant(Conversation).get(pk=conversation.pk))
    conversation.refresh_from_db()
    assert conversation.assignee_id == alice.user_id
    assert every_tenant(Message).filter(conversation=conversation).count() == before


def test_hand_back_gives_the_bot_a_fresh_start(handed_off, django_capture_on_commit_callbacks):
    conversation, alice, _ = handed_off
    conversation_claim(membership=alice, conversation=conversation)
    conversation_handback(membership=alice, conversation=conversation)
    conversation.refresh_from_db()
    assert (conversation.status, conversation.assignee_id, conversation.handoff_reason) == ("bot", None, "")
    request = every_tenant(Message).get(conversation=conversation, client_msg_id="1")
    assert conversation.bot_since_seq > request.seq
    assert conversation.handoffs.get().ended_at is not None
    # The bot answers again, and the earlier request for a person does not send it straight back.
    with django_capture_on_commit_callbacks(execute=True):
        customer_message_receive(
            conversation=conversation, text="What does a service cost?", client_msg_id="2"
        )
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.BOT
    last = every_tenant(Message).filter(conversation=conversation).order_by("-seq").first()
    assert last.author_kind == "bot"
    assert "$49" in last.body


def test_hand_back_of_a_bot_conversation_is_refused(make_tenant, make_bot, make_agent):
    tenant = make_tenant("acme")
    conversation = widget_conversation_start(public_key=make_bot(tenant).public_key).conversation
    with pytest.raises(Conflict):
        conversation_handback(membership=make_agent(tenant, "alice"), conversation=conversation)


def test_resolve_ends_the_handoff(handed_off):
    conversation, alice, _ = handed_off
    conversation_resolve(membership=alice, conversation=conversation)
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.RESOLVED
    assert conversation.handoffs.get().ended_at is not None


@pytest.fixture
def resolved(handed_off):
    conversation, alice, bob = handed_off
    conversation_claim(membership=alice, conversation=conversation)
    conversation_resolve(membership=alice, conversation=conversation)
    conversation.refresh_from_db()
    return conversation, alice, bob


def test_reopening_gives_the_conversation_to_the_agent_who_reopens_it(resolved, monkeypatch):
    conversation, _, bob = resolved
    hooks = []
    monkeypatch.setattr("inbox.assignment.webhook_emit", lambda **kwargs: hooks.append(kwargs))

    conversation_reopen(membership=bob, conversation=conversation)

    conversation = every_tenant(Conversation).get(pk=conversation.pk)
    assert (conversation.status, conversation.assignee_id) == ("assigned", bob.user_id)
    last = every_tenant(Message).filter(conversation=conversation).order_by("-seq").first()
    assert (last.author_kind, last.body, last.private) == ("system", "Bob reopened the conversation", False)
    assert (last.data["event"], last.data["agent_name"]) == ("reopened", "Bob")
    assert last.seq == conversation.last_seq
    (hook,) = hooks
    assert hook["event"] == "conversation.assigned"
    assert hook["data"]()["agent"] == {"id": bob.user_id, "name": "Bob"}
    assert hook["data"]()["conversation"]["status_label"] == "With an agent"


def test_reopening_tells_the_conversation_and_the_inboxes(resolved, monkeypatch):
    conversation, alice, _ = resolved
    published = []
    monkeypatch.setattr(
        "helpdesk.services.publish_on_commit", lambda group, event: published.append((group, event))
    )

    conversation_reopen(membership=alice, conversation=conversation)

    statuses = [(group, e) for group, e in published if e["type"] == "conversation.status"]
    assert {group for group, _ in statuses} == {
        f"t{conversation.tenant_id}.conv.{conversation.pk}",
        f"t{conversation.tenant_id}.inbox",
    }
    for _, event in statuses:
        assert (event["conversation"]["status"], event["conversation"]["assignee_id"]) == (
            "assigned",
            alice.user_id,
        )
        assert event["agent_name"] == "Alice"
    messages = [e["message"] for _, e in published if e["type"] == "message"]
    assert [m["body"] for m in messages] == ["Alice reopened the conversation"]


def test_reopening_twice_is_one_reopen(resolved):
    conversation, alice, _ = resolved
    conversation_reopen(membership=alice, conversation=conversation)
    before = every_tenant(Message).filter(conversation=conversation).count()

    conversation_reopen(membership=alice, conversation=every_tenant(Conversation).get(pk=conversation.pk))

    assert every_tenant(Message).filter(conversation=conversation).count() == before


@pytest.mark.parametrize("status", ["bot", "waiting", "assigned", "offline"])
def test_only_a_resolved_conversation_can_be_reopened(handed_off, status):
    conversation, alice, bob = handed_off
    every_tenant(Conversation).filter(pk=conversation.pk).update(
        status=status, assignee=bob.user if status == "assigned" else None
    )
    before = every_tenant(Message).filter(conversation=conversation).count()

    with pytest.raises(Conflict):
        conversation_reopen(membership=alice, conversation=conversation)

    fresh = every_tenant(Conversation).get(pk=conversation.pk)
    assert fresh.status == status
    assert every_tenant(Message).filter(conversation=conversation).count() == before
