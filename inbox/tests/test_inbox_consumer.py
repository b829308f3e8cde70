"""The agent's socket: session auth, Origin check, tenant scoping, replies and claims."""

import pytest
from asgiref.sync import sync_to_async

from chatbot.services import widget_conversation_start
from helpdesk.models import Conversation, Message
from tests.support.db import every_tenant
from tests.support.sockets import agent_socket, session_key_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(make_tenant, make_bot, make_agent):
    acme = make_tenant("acme")
    globex = make_tenant("globex")
    acme_session = widget_conversation_start(public_key=make_bot(acme, "Acme bot").public_key)
    globex_session = widget_conversation_start(public_key=make_bot(globex, "Globex bot").public_key)
    return {
        "alice": make_agent(acme, "alice"),
        "bob": make_agent(acme, "bob"),
        "gina": make_agent(globex, "gina"),
        "acme_conv": acme_session.conversation,
        "globex_conv": globex_session.conversation,
    }


async def agent(membership):
    key = await sync_to_async(session_key_for)(membership.user)
    sock = agent_socket(key)
    assert await sock.connect()
    hello = await sock.receive()
    assert (hello["type"], hello["presence"]) == ("hello", "online")
    # Every inbox of the tenant, this one included, hears that the agent came online.
    presence = await sock.receive()
    assert (presence["type"], presence["agent"]["id"], presence["status"]) == (
        "agent.presence",
        membership.user_id,
        "online",
    )
    return sock


async def test_no_session_is_closed_with_4401(world):
    sock = agent_socket(None)
    assert await sock.connect()
    assert (await sock.receive())["code"] == "not_authenticated"
    assert await sock.close_code() == 4401


async def test_a_user_of_no_tenant_is_closed_with_4403(world, django_user_model):
    user = await sync_to_async(django_user_model.objects.create_user)(username="drifter", password="x")
    sock = agent_socket(await sync_to_async(session_key_for)(user))
    assert await sock.connect()
    assert (await sock.receive())["code"] == "no_membership"
    assert await sock.close_code() == 4403


async def test_a_foreign_origin_is_refused(world):
    key = await sync_to_async(session_key_for)(world["alice"].user)
    sock = agent_socket(key, origin=b"https://evil.example")
    assert await sock.connect() is False


async def test_opening_a_conversation_sends_its_whole_history(world):
    sock = await agent(world["alice"])
    await sock.send({"type": "open", "conversation_id": world["acme_conv"].pk, "last_seq": 0})
    batch = await sock.receive()
    assert batch["type"] == "messages"
    assert [m["author_kind"] for m in batch["messages"]] == ["bot"]
    await sock.disconnect()


@pytest.mark.parametrize(
    "frame_type", ["open", "message", "claim", "typing", "handback", "resolve", "reopen", "read"]
)
async def test_another_tenants_conversation_is_not_found_on_every_frame(world, frame_type):
    sock = await agent(world["gina"])
    await sock.send(
        {"type": frame_type, "conversation_id": world["acme_conv"].pk, "text": "hi", "client_msg_id": "g1"}
    )
    error = await sock.receive()
    assert (error["type"], error["code"]) == ("error", "not_found")
    conversation = await sync_to_async(every_tenant(Conversation).get)(pk=world["acme_conv"].pk)
    assert conversation.status == Conversation.Status.BOT
    assert conversation.assignee_id is None
    assert (
        await sync_to_async(
            every_tenant(Message).filter(conversation=conversation, author_kind="agent").count
        )()
        == 0
    )
    await sock.disconnect()


async def test_an_unknown_conversation_id_is_not_found(world):
    sock = await agent(world["alice"])
    await sock.send({"type": "open", "conversation_id": 10**9})
    error = await sock.receive()
    assert error["code"] == "not_found"
    await sock.disconnect()


@pytest.mark.parametrize("conversation_id", [None, "abc", "1", -1, 0, 1.5, True, [1], 2**31])
async def test_a_conversation_id_that_is_not_a_whole_number_is_a_bad_frame(world, conversation_id):
    sock = await agent(world["alice"])
    await sock.send({"type": "open", "conversation_id": conversation_id})
    error = await sock.receive()
    assert (error["type"], error["code"]) == ("error", "bad_frame")
    assert list(error["fields"]) == ["conversation_id"]
    await sock.disconnect()


async def test_a_reply_claims_the_conversation_and_reaches_the_history(world):
    sock = await agent(world["alice"])
    conv_id = world["acme_conv"].pk
    await sock.send({"type": "open", "conversation_id": conv_id, "last_seq": 0})
    await sock.receive()
    await sock.send(
        {"type": "message", "conversation_id": conv_id, "text": "Hi, Alice here", "client_msg_id": "a1"}
    )
    ack, _ = await sock.receive_until(lambda f: f["type"] == "ack")
    assert ack["message"]["author_name"] == "Alice"
    conversation = await sync_to_async(every_tenant(Conversation).get)(pk=conv_id)
    assert conversation.status == Conversation.Status.ASSIGNED
    assert conversation.assignee_id == world["alice"].user_id
    await sock.disconnect()


async def test_the_second_agent_to_claim_is_told(world):
    alice, bob = await agent(world["alice"]), await agent(world["bob"])
    conv_id = world["acme_conv"].pk
    await alice.send({"type": "claim", "conversation_id": conv_id})
    await alice.receive_until(lambda f: f["type"] == "conversation.status")
    await bob.send({"type": "claim", "conversation_id": conv_id})
    error, _ = await bob.receive_until(lambda f: f["type"] == "error")
    assert error["code"] == "conflict"
    conversation = await sync_to_async(every_tenant(Conversation).get)(pk=conv_id)
    assert conversation.assignee_id == world["alice"].user_id
    await alice.disconnect()
    await bob.disconnect()


async def test_an_agent_reopens_a_resolved_conversation_and_has_it(world):
    alice, bob = await agent(world["alice"]), await agent(world["bob"])
    conv_id = world["acme_conv"].pk
    await alice.send({"type": "resolve", "conversation_id": conv_id})
    resolved, _ = await alice.receive_until(lambda f: f["type"] == "conversation.status")
    assert (resolved["conversation"]["status"], resolved["conversation"]["status_label"]) == (
        "resolved",
        "Resolved",
    )
    await bob.send(
        {"type": "open", "conversation_id": conv_id, "last_seq": resolved["conversation"]["last_seq"]}
    )
    await bob.send({"type": "reopen", "conversation_id": conv_id})

    status, _ = await bob.receive_until(
        lambda f: f["type"] == "conversation.status" and f["conversation"]["status"] == "assigned"
    )
    assert status["conversation"]["assignee_id"] == world["bob"].user_id
    assert (status["conversation"]["status_label"], status["agent_name"]) == ("With an agent", "Bob")
    said, _ = await bob.receive_until(lambda f: f["type"] == "message")
    assert (said["message"]["author_kind"], said["message"]["body"]) == (
        "system",
        "Bob reopened the conversation",
    )
    # Every inbox of the tenant hears it too.
    heard, _ = await alice.receive_until(
        lambda f: f["type"] == "conversation.status" and f["conversation"]["status"] == "assigned"
    )
    assert heard["conversation"]["assignee_id"] == world["bob"].user_id
    conversation = await sync_to_async(every_tenant(Conversation).get)(pk=conv_id)
    assert (conversation.status, conversation.assignee_id) == ("assigned", world["bob"].user_id)
    await alice.disconnect()
    await bob.disconnect()


async def test_reopening_a_conversation_that_is_not_resolved_is_a_conflict(world):
    sock = await agent(world["alice"])
    conv_id = world["acme_conv"].pk
    await sock.send({"type": "reopen", "conversation_id": conv_id})
    error, _ = await sock.receive_until(lambda f: f["type"] == "error")
    assert error["code"] == "conflict"
    conversation = await sync_to_async(every_tenant(Conversation).get)(pk=conv_id)
    assert (conversation.status, conversation.assignee_id) == ("bot", None)
    await sock.disconnect()


@pytest.mark.parametrize("conversation_id", [None, "abc", -1, 0, True, 2**31])
async def test_a_reopen_without_a_whole_conversation_id_is_a_bad_frame(world, conversation_id):
    sock = await agent(world["alice"])
    frame = (
        {"type": "reopen"}
        if conversation_id is None
        else {"type": "reopen", "conversation_id": conversation_id}
    )
    await sock.send(frame)
    error = await sock.receive()
    assert (error["type"], error["code"], list(error["fields"])) == (
        "error",
        "bad_frame",
        ["conversation_id"],
    )
    await sock.disconnect()
