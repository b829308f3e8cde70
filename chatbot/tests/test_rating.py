"""CSAT: the customer rates a resolved conversation from the widget's socket (1 to 5, with an optional
comment); agents see it as a private note; bad input and unresolved conversations are refused."""

import pytest
from asgiref.sync import sync_to_async

from chatbot.services import widget_conversation_start
from helpdesk.errors import InvalidInput
from helpdesk.models import Conversation, Message, Rating
from helpdesk.services import conversation_rate
from tests.support.db import every_tenant
from tests.support.sockets import widget_socket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def session(make_tenant, make_bot):
    bot = make_bot(make_tenant("acme"))
    return widget_conversation_start(public_key=bot.public_key)


def _resolve(conversation, assignee=None) -> None:
    every_tenant(Conversation).filter(pk=conversation.pk).update(
        status=Conversation.Status.RESOLVED, assignee=assignee
    )


async def _connected(token: str):
    sock = widget_socket(token, 0)
    assert await sock.connect()
    assert (await sock.receive())["type"] == "hello"
    assert (await sock.receive())["type"] == "messages"
    return sock


async def test_a_resolved_conversation_is_rated_over_the_socket_and_agents_see_it(session):
    await sync_to_async(_resolve)(session.conversation)
    sock = await _connected(session.token)

    await sock.send({"type": "rate", "score": 4, "comment": "Quick and clear, thanks"})
    rated, _ = await sock.receive_until(lambda f: f["type"] == "rated")

    assert rated == {"type": "rated", "score": 4}
    rating = await sync_to_async(every_tenant(Rating).get)(conversation=session.conversation)
    assert (rating.score, rating.comment, rating.resolved_by, rating.agent_id) == (
        4,
        "Quick and clear, thanks",
        "bot",
        None,
    )
    note = await sync_to_async(
        every_tenant(Message).filter(conversation=session.conversation, data__event="rated").get
    )()
    assert note.private and note.body == "The customer rated the conversation 4/5: Quick and clear, thanks"
    await sock.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "rate", "score": 6}, "invalid"),
        ({"type": "rate", "score": 0}, "bad_frame"),
        ({"type": "rate", "score": "5"}, "bad_frame"),
        ({"type": "rate", "score": 5, "comment": "x" * 1001}, "bad_frame"),
    ],
)
async def test_bad_ratings_are_refused_and_nothing_is_stored(session, frame, code):
    await sync_to_async(_resolve)(session.conversation)
    sock = await _connected(session.token)

    await sock.send(frame)
    error, _ = await sock.receive_until(lambda f: f["type"] == "error")

    assert error["code"] == code
    assert not await sync_to_async(every_tenant(Rating).exists)()
    await sock.disconnect()


async def test_a_conversation_still_open_cannot_be_rated(session):
    sock = await _connected(session.token)

    await sock.send({"type": "rate", "score": 5})
    error, _ = await sock.receive_until(lambda f: f["type"] == "error")

    assert error["code"] == "not_resolved"
    assert not await sync_to_async(every_tenant(Rating).exists)()
    await sock.disconnect()


def test_rating_again_replaces_the_rating_and_records_the_agent_who_resolved(session, make_agent):
    agent = make_agent(session.bot.tenant, "ana")
    _resolve(session.conversation, assignee=agent.user)

    conversation_rate(conversation=session.conversation, score=2)
    conversation_rate(conversation=session.conversation, score=5, comment="  sorted after all  ")

    rating = every_tenant(Rating).get(conversation=session.conversation)
    assert (rating.score, rating.comment, rating.resolved_by, rating.agent_id) == (
        5,
        "sorted after all",
        "agent",
        agent.user_id,
    )
    with pytest.raises(InvalidInput):
        conversation_rate(conversation=session.conversation, score=True)


def test_agents_see_the_rating_on_the_context_card(client, session, make_agent):
    from django.urls import reverse

    agent = make_agent(session.bot.tenant, "ana")
    _resolve(session.conversation, assignee=agent.user)
    conversation_rate(conversation=session.conversation, score=3, comment="ok <b>but</b> slow")
    client.force_login(agent.user)

    page = client.get(reverse("inbox:conversation", args=[session.conversation.pk])).content.decode()

    assert "3/5 · resolved by an agent" in page
    assert "ok &lt;b&gt;but&lt;/b&gt; slow" in page
