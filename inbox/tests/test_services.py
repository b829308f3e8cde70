import pytest

from chatbot.services import customer_message_receive, widget_session_start
from helpdesk.errors import Conflict
from helpdesk.models import Conversation, Message
from inbox.services import conversation_claim, conversation_handback, conversation_resolve
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def handed_off(make_tenant, make_bot, make_agent):
    tenant = make_tenant("acme")
    bot = make_bot(tenant)
    conversation = widget_session_start(public_key=bot.public_key).conversation
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
    conversation = widget_session_start(public_key=make_bot(tenant).public_key).conversation
    with pytest.raises(Conflict):
        conversation_handback(membership=make_agent(tenant, "alice"), conversation=conversation)


def test_resolve_ends_the_handoff(handed_off):
    conversation, alice, _ = handed_off
    conversation_resolve(membership=alice, conversation=conversation)
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.RESOLVED
    assert conversation.handoffs.get().ended_at is not None
