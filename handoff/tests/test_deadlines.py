from datetime import UTC, datetime, timedelta

import pytest

from chatbot.services import customer_message_receive, widget_conversation_start
from handoff.deadlines import deadline_action
from handoff.models import Handoff
from handoff.services import pickup_deadline_apply
from handoff.tasks import pickup_deadlines_check
from helpdesk.models import Conversation, Message
from tests.support.db import every_tenant
from tickets.offline_text import opener_text

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("waited", "reoffered", "action"),
    [
        (0, False, None),
        (119, False, None),
        (120, False, "reoffer"),
        (200, True, None),
        (239, True, None),
        (240, True, "offline"),
        (240, False, "offline"),
    ],
)
def test_deadline_action_follows_the_clock(waited, reoffered, action):
    now = T0 + timedelta(seconds=waited)
    assert deadline_action(waiting_since=T0, reoffered=reoffered, now=now, deadline_seconds=120) == action


@pytest.mark.django_db
def test_a_waiting_conversation_is_reoffered_then_sent_offline(make_tenant, make_bot):
    bot = make_bot(make_tenant("acme"))
    conversation = widget_conversation_start(public_key=bot.public_key).conversation
    customer_message_receive(conversation=conversation, text="talk to a human", client_msg_id="1")
    conversation.refresh_from_db()
    start = conversation.waiting_since
    assert pickup_deadline_apply(conversation_id=conversation.pk, now=start + timedelta(seconds=60)) is None
    assert (
        pickup_deadline_apply(conversation_id=conversation.pk, now=start + timedelta(seconds=121))
        == "reoffer"
    )
    assert every_tenant(Handoff).get(conversation=conversation).reoffered_at is not None
    # Running the check twice at the same moment does nothing more.
    assert pickup_deadline_apply(conversation_id=conversation.pk, now=start + timedelta(seconds=122)) is None
    assert (
        pickup_deadline_apply(conversation_id=conversation.pk, now=start + timedelta(seconds=241))
        == "offline"
    )
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OFFLINE
    last = every_tenant(Message).filter(conversation=conversation).order_by("-seq").first()
    assert last.author_kind == "bot"
    assert last.body.startswith(opener_text("pickup_missed"))
    assert "leave your email address" in last.body
    assert every_tenant(Handoff).get(conversation=conversation).outcome == "offline"


@pytest.mark.django_db
def test_the_periodic_check_leaves_assigned_and_fresh_conversations_alone(make_tenant, make_bot, make_agent):
    from inbox.services import conversation_claim

    bot = make_bot(make_tenant("acme"))
    alice = make_agent(bot.tenant, "alice")
    fresh, old = (widget_conversation_start(public_key=bot.public_key).conversation for _ in range(2))
    for i, conversation in enumerate((fresh, old)):
        customer_message_receive(conversation=conversation, text="talk to a human", client_msg_id=str(i))
    every_tenant(Conversation).filter(pk=old.pk).update(waiting_since=old.created_at - timedelta(hours=1))
    conversation_claim(membership=alice, conversation=every_tenant(Conversation).get(pk=fresh.pk))
    assert pickup_deadlines_check() == 1
    assert every_tenant(Conversation).get(pk=fresh.pk).status == "assigned"
    assert every_tenant(Conversation).get(pk=old.pk).status == "offline"
