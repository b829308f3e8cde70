"""The agent's socket over its life: presence rows per socket, access that ends closes it, resync."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.test import Client
from django.utils import timezone

from chatbot.services import widget_conversation_start
from helpdesk.models import Conversation, Membership, Message, Queue
from helpdesk.socket_access import membership_access_changed
from inbox.models import AgentConnection, AgentPresence
from inbox.presence import presence_connect, presence_connections_expire
from inbox.selectors import queue_agents_online
from tests.support.db import every_tenant
from tests.support.sockets import agent_socket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(make_tenant, make_bot, make_agent):
    acme, globex = make_tenant("acme"), make_tenant("globex")
    return {
        "alice": make_agent(acme, "alice"),
        "gina": make_agent(globex, "gina"),
        "conv": widget_conversation_start(public_key=make_bot(acme, articles=[]).public_key).conversation,
    }


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


async def _agent(membership, client: Client | None = None):
    client = client or await sync_to_async(_login)(membership.user)
    sock = agent_socket(client.cookies["sessionid"].value)
    assert await sock.connect()
    await sock.receive_until(lambda f: f["type"] == "agent.presence")
    return sock


def _rows(membership) -> list[str]:
    return list(
        every_tenant(AgentConnection)
        .filter(tenant_id=membership.tenant_id, user_id=membership.user_id)
        .order_by("pk")
        .values_list("channel_name", flat=True)
    )


# Presence: a row per socket ------------------------------------------------------------------------------


async def test_each_socket_is_one_connection_row_and_closing_removes_only_its_own(world):
    alice = world["alice"]
    first, second = await _agent(alice), await _agent(alice)
    assert len(await sync_to_async(_rows)(alice)) == 2
    await first.disconnect()
    rows = await sync_to_async(_rows)(alice)
    assert len(rows) == 1
    presence = await sync_to_async(every_tenant(AgentPresence).get)(user=alice.user)
    assert presence.status == "online"
    await second.disconnect()
    assert await sync_to_async(_rows)(alice) == []
    presence = await sync_to_async(every_tenant(AgentPresence).get)(user=alice.user)
    assert presence.status == "offline"


async def test_a_heartbeat_refreshes_its_own_row(world):
    alice = world["alice"]
    sock = await _agent(alice)
    old = timezone.now() - timedelta(seconds=60)
    await sync_to_async(every_tenant(AgentConnection).filter(user=alice.user).update)(last_seen_at=old)
    await sock.send({"type": "ping", "idle": False})
    assert (await sock.receive_until(lambda f: f["type"] == "pong"))[0]["presence"] == "online"
    row = await sync_to_async(every_tenant(AgentConnection).get)(user=alice.user)
    assert row.last_seen_at > old
    await sock.disconnect()


def test_a_crashed_socket_never_holds_an_agent_online(world, settings):
    alice = world["alice"]
    queue = Queue.objects.create(tenant=alice.tenant, name="Support", require_agent_online=True)
    queue.members.add(alice.user)
    presence_connect(membership=alice, channel_name="crashed.1")  # its disconnect never runs
    assert [p.user_id for p in queue_agents_online(queue)] == [alice.user_id]
    later = timezone.now() + timedelta(seconds=settings.PRESENCE_TIMEOUT_SECONDS + 1)
    every_tenant(AgentConnection).filter(channel_name="crashed.1").update(
        last_seen_at=timezone.now() - timedelta(seconds=settings.PRESENCE_TIMEOUT_SECONDS + 1)
    )
    assert queue_agents_online(queue) == []
    assert presence_connections_expire(later) == 1
    assert every_tenant(AgentConnection).count() == 0
    assert every_tenant(AgentPresence).get(user=alice.user).status == "offline"


def test_expiring_connections_keeps_fresh_ones_of_every_tenant(world, settings):
    alice, gina = world["alice"], world["gina"]
    presence_connect(membership=alice, channel_name="a.1")
    presence_connect(membership=gina, channel_name="g.1")
    every_tenant(AgentConnection).filter(channel_name="a.1").update(
        last_seen_at=timezone.now() - timedelta(seconds=settings.PRESENCE_TIMEOUT_SECONDS + 5)
    )
    assert presence_connections_expire() == 1
    assert list(every_tenant(AgentConnection).values_list("channel_name", flat=True)) == ["g.1"]
    statuses = dict(every_tenant(AgentPresence).values_list("user__username", "status"))
    assert statuses == {"alice": "offline", "gina": "online"}


# Access that ends closes the socket ------------------------------------------------------------------


async def test_logging_out_closes_the_agents_sockets_with_4401(world):
    alice = world["alice"]
    client = await sync_to_async(_login)(alice.user)
    sock = await _agent(alice, client)
    await sync_to_async(client.logout)()
    error, _ = await sock.receive_until(lambda f: f["type"] == "error")
    assert error["code"] == "session_ended"
    assert await sock.close_code() == 4401
    await sock.send({"type": "open", "conversation_id": world["conv"].pk})
    refused = await sock.receive()
    assert refused["code"] == "session_ended"


async def test_deactivating_a_user_closes_their_sockets_with_4403(world):
    alice = world["alice"]
    sock = await _agent(alice)
    user = alice.user
    user.is_active = False
    await sync_to_async(user.save)()
    await sock.receive_until(lambda f: f["type"] == "error" and f["code"] == "session_ended")
    assert await sock.close_code() == 4403


async def test_a_deleted_membership_closes_only_that_tenants_sockets(world):
    alice, gina = world["alice"], world["gina"]
    alice_sock, gina_sock = await _agent(alice), await _agent(gina)

    def remove():
        membership_access_changed(membership=alice)
        alice.delete()

    await sync_to_async(remove)()
    await alice_sock.receive_until(lambda f: f["type"] == "error" and f["code"] == "session_ended")
    assert await alice_sock.close_code() == 4403
    # Another tenant's agent is untouched and keeps working.
    await gina_sock.send({"type": "ping", "idle": False})
    assert (await gina_sock.receive_until(lambda f: f["type"] == "pong"))[0]["presence"] == "online"
    await gina_sock.disconnect()


async def test_a_membership_removed_without_an_event_is_refused_on_the_next_frame(world):
    alice = world["alice"]
    sock = await _agent(alice)
    await sync_to_async(every_tenant(Membership).filter(pk=alice.pk).delete)()
    await sock.send(
        {"type": "message", "conversation_id": world["conv"].pk, "text": "hi", "client_msg_id": "x"}
    )
    error, _ = await sock.receive_until(lambda f: f["type"] == "error")
    assert error["code"] == "session_ended"
    assert await sock.close_code() == 4403
    count = await sync_to_async(every_tenant(Message).filter(author_kind="agent").count)()
    assert count == 0


# Resync after the layer lost events ----------------------------------------------------------------


async def test_a_resync_sends_what_was_missed_and_tells_the_page_to_refresh(world):
    alice, conversation = world["alice"], world["conv"]
    sock = await _agent(alice)
    await sock.send({"type": "open", "conversation_id": conversation.pk, "last_seq": 0})
    await sock.receive_until(lambda f: f["type"] == "messages")

    def missed() -> None:
        # Stored while the layer was away: no event reached the socket.
        every_tenant(Conversation).filter(pk=conversation.pk).update(last_seq=2)
        Message.objects.create(
            tenant_id=conversation.tenant_id,
            conversation=conversation,
            author_kind="customer",
            body="hello?",
            seq=2,
        )

    await sync_to_async(missed)()
    channel = (await sync_to_async(_rows)(alice))[0]
    await get_channel_layer().send(channel, {"type": "helpdesk.resync"})
    batch, _ = await sock.receive_until(lambda f: f["type"] == "messages")
    assert [(m["seq"], m["body"]) for m in batch["messages"]] == [(2, "hello?")]
    assert (await sock.receive())["type"] == "resync"
    await sock.disconnect()
