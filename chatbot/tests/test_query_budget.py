"""What each step of a chat costs the database, and that it does not grow with the queue or the history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chatbot.services import customer_message_receive
from helpdesk.models import Contact, Conversation
from helpdesk.services import conversation_start
from inbox.services import agent_reply, conversation_claim
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db(transaction=True)

HANDOFF_TEXT = "Could you connect me with a member of staff please"


@pytest.fixture(autouse=True)
def _queued_tasks(settings):
    # The bot's turn is queued, not run inline, so the counts are the socket's own work.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.TASKS_IN_THREADS = False


def _conversation(tenant, bot, name: str) -> Conversation:
    contact = Contact.objects.create(tenant=tenant, name=name)
    conversation = conversation_start(tenant=tenant, bot_id=bot.pk, contact=contact)
    return every_tenant(Conversation).select_related("bot").get(pk=conversation.pk)


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def test_a_customer_message_on_an_assigned_conversation_is_a_handful_of_statements(acme, bot, make_agent):
    agent = make_agent(acme, "ann")
    conversation = _conversation(acme, bot, "Cleo")
    customer_message_receive(conversation=conversation, text=HANDOFF_TEXT, client_msg_id="h")
    conversation_claim(membership=agent, conversation=every_tenant(Conversation).get(pk=conversation.pk))

    counts = [
        _count(
            lambda n=n: customer_message_receive(
                conversation=conversation, text=f"Any news on my order? ({n})", client_msg_id=f"m{n}"
            )
        )
        for n in range(5)
    ]
    # BEGIN, lock and read the conversation with its bot and contact, resend check, seq, insert, COMMIT.
    assert counts == [6] * 5


def test_an_agent_reply_is_a_handful_of_statements(acme, bot, make_agent):
    agent = make_agent(acme, "ann")
    conversation = _conversation(acme, bot, "Cleo")
    customer_message_receive(conversation=conversation, text=HANDOFF_TEXT, client_msg_id="h")
    conversation = every_tenant(Conversation).get(pk=conversation.pk)
    conversation_claim(membership=agent, conversation=conversation)
    counts = [
        _count(
            lambda n=n: agent_reply(
                membership=agent, conversation=conversation, text=f"Checking ({n})", client_msg_id=f"a{n}"
            )
        )
        for n in range(3)
    ]
    assert max(counts) <= 8
    assert len(set(counts)) == 1


def test_a_handoff_costs_the_same_whatever_the_queue_length(acme, bot, make_agent):
    from inbox.presence import presence_connect

    agents = [make_agent(acme, f"agent{n}") for n in range(3)]
    for membership in agents:
        presence_connect(membership=membership, channel_name=f"c.{membership.pk}")
        bot.queue.members.add(membership.user)
    customer_message_receive(
        conversation=_conversation(acme, bot, "Warm"), text=HANDOFF_TEXT, client_msg_id="w"
    )

    first = _conversation(acme, bot, "First")
    alone = _count(lambda: customer_message_receive(conversation=first, text=HANDOFF_TEXT, client_msg_id="h"))
    for n in range(30):
        customer_message_receive(conversation=_conversation(acme, bot, f"C{n}"), text=HANDOFF_TEXT)
    assert every_tenant(Conversation).filter(status="waiting").count() == 32
    late = _conversation(acme, bot, "Late")
    crowded = _count(
        lambda: customer_message_receive(conversation=late, text=HANDOFF_TEXT, client_msg_id="h")
    )

    assert every_tenant(Conversation).get(pk=late.pk).status == "waiting"
    assert crowded == alone
    assert alone <= 24
