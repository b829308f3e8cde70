from datetime import timedelta

import pytest
from django.utils import timezone

from chatbot.services import customer_message_receive, widget_conversation_start
from handoff.models import Handoff
from handoff.routing import WaitEstimate, wait_estimate
from helpdesk.models import Conversation, Message
from inbox.presence import presence_connect
from tests.support.db import every_tenant
from tickets.offline_text import opener_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def staffed_bot(make_tenant, make_bot, make_agent):
    tenant = make_tenant("acme")
    bot = make_bot(tenant, require_agent_online=True)
    alice = make_agent(tenant, "alice")
    bot.queue.members.add(alice.user)
    return bot, alice


def ask_for_a_person(bot) -> Conversation:
    conversation = widget_conversation_start(public_key=bot.public_key).conversation
    customer_message_receive(conversation=conversation, text="talk to a human", client_msg_id="x")
    conversation.refresh_from_db()
    return conversation


def last_bot_message(conversation) -> Message:
    return every_tenant(Message).filter(conversation=conversation, author_kind="bot").order_by("-seq").first()


def test_with_nobody_online_the_customer_is_told_and_the_conversation_kept(staffed_bot):
    bot, _ = staffed_bot
    conversation = ask_for_a_person(bot)
    assert conversation.status == Conversation.Status.OFFLINE
    body = last_bot_message(conversation).body
    assert body.startswith(opener_text("closed"))
    assert "leave your email address" in body
    assert every_tenant(Handoff).get(conversation=conversation).outcome == Handoff.Outcome.OFFLINE


def test_with_an_agent_online_the_customer_waits_with_a_position_and_a_wait(staffed_bot):
    bot, alice = staffed_bot
    presence_connect(membership=alice)
    conversation = ask_for_a_person(bot)
    assert conversation.status == Conversation.Status.WAITING
    assert conversation.queue_id == bot.queue_id
    body = last_bot_message(conversation).body
    assert body.startswith("I'm connecting you with a support agent")
    assert "You're number 1 in the queue, and the wait should be about 2 minutes." in body


def test_a_bot_without_a_queue_takes_the_offline_path(make_tenant, make_bot):
    bot = make_bot(make_tenant("acme"), queue=False)
    assert ask_for_a_person(bot).status == Conversation.Status.OFFLINE


def test_a_broken_handoff_template_is_sent_as_written(staffed_bot):
    bot, alice = staffed_bot
    bot.handoff_message = "Connecting you {nonsense} now."
    bot.save()
    presence_connect(membership=alice)
    assert last_bot_message(ask_for_a_person(bot)).body == "Connecting you {nonsense} now."


@pytest.mark.parametrize(
    ("seconds", "phrase"),
    [
        (0, "less than a minute"),
        (44, "less than a minute"),
        (70, "about a minute"),
        (150, "about 2 minutes"),
        (610, "about 10 minutes"),
    ],
)
def test_wait_phrases(seconds, phrase):
    assert WaitEstimate(position=1, seconds=seconds, agents_online=1).phrase() == phrase


def test_the_wait_follows_recent_pickups_and_the_line_ahead(staffed_bot):
    bot, alice = staffed_bot
    presence_connect(membership=alice)
    now = timezone.now()
    conversation = ask_for_a_person(bot)
    for minutes in (4, 6, 5):
        Handoff.objects.create(
            tenant=bot.tenant,
            conversation=conversation,
            reason="explicit_request",
            queue=bot.queue,
            offered_at=now - timedelta(minutes=30),
            accepted_at=now - timedelta(minutes=30 - minutes),
        )
    assert wait_estimate(bot.queue, position=1).seconds == 300
    # Alice can take 5 at once: each one further in line waits one more pickup time.
    assert wait_estimate(bot.queue, position=6).seconds == 600
    assert wait_estimate(bot.queue, position=7).seconds == 900


def test_a_bot_s_rule_rows_become_its_categories_and_keyword_rules(make_tenant, make_bot):
    from chatbot.knowledge import detection_settings_for
    from handoff.models import HandoffRule

    bot = make_bot(make_tenant("acme"))
    assert detection_settings_for(bot).sensitive_categories == {
        "billing_dispute",
        "complaint",
        "legal",
        "account_security",
        "account_cancellation",
    }
    legal = every_tenant(HandoffRule).get(bot=bot, name="legal")
    assert (legal.builtin, legal.keywords, legal.patterns) == (True, "", "")
    legal.keywords = "ombudsman"
    legal.save()
    every_tenant(HandoffRule).filter(bot=bot, name="complaint").update(enabled=False)
    HandoffRule.objects.create(
        tenant=bot.tenant, bot=bot, name="recall", label="product recall", patterns=r"\brecall(ed)?\b"
    )

    settings = detection_settings_for(bot)

    assert "complaint" not in settings.sensitive_categories and "legal" in settings.sensitive_categories
    assert {(r.name, r.keywords, r.patterns) for r in settings.rules} == {
        ("legal", ("ombudsman",), ()),
        ("recall", (), (r"\brecall(ed)?\b",)),
    }


def test_the_wait_reads_the_queues_load_at_most_every_few_seconds(
    staffed_bot, monkeypatch, django_assert_num_queries
):
    from inbox import selectors

    bot, alice = staffed_bot
    assert wait_estimate(bot.queue, position=1).agents_online == 0
    presence_connect(membership=alice)
    # Within the window the load is this process's recent reading: pickups are read, presence is not.
    with django_assert_num_queries(1):
        assert wait_estimate(bot.queue, position=1).agents_online == 0
    monkeypatch.setattr(selectors, "QUEUE_LOAD_SECONDS", 0.0)
    assert wait_estimate(bot.queue, position=1).agents_online == 1
