from datetime import timedelta

import pytest
from django.utils import timezone

from helpdesk.models import Queue
from inbox.models import AgentConnection, AgentPresence
from inbox.presence import presence_choose, presence_connect, presence_disconnect, presence_heartbeat
from inbox.selectors import agents_free_capacity, queue_agents_online, queue_is_staffed
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(make_tenant, make_agent):
    tenant = make_tenant("acme")
    alice = make_agent(tenant, "alice")
    queue = Queue.objects.create(tenant=tenant, name="Support", require_agent_online=True)
    queue.members.add(alice.user)
    return queue, alice


def test_several_tabs_count_once_and_the_last_close_goes_offline(setup):
    queue, alice = setup
    presence_connect(membership=alice)
    presence_connect(membership=alice)
    assert [p.user_id for p in queue_agents_online(queue)] == [alice.user_id]
    assert presence_disconnect(membership=alice).status == "online"
    assert presence_disconnect(membership=alice).status == "offline"
    assert queue_agents_online(queue) == []
    assert queue_is_staffed(queue) is False


def test_a_disconnect_never_goes_below_zero(setup):
    _, alice = setup
    presence_connect(membership=alice)
    presence_disconnect(membership=alice)
    presence_disconnect(membership=alice)
    assert every_tenant(AgentConnection).filter(user=alice.user).count() == 0
    assert every_tenant(AgentPresence).get(user=alice.user).status == "offline"


def test_a_dead_socket_stops_counting_when_its_heartbeat_is_stale(setup, settings):
    queue, alice = setup
    presence_connect(membership=alice)
    every_tenant(AgentConnection).filter(user=alice.user).update(
        last_seen_at=timezone.now() - timedelta(seconds=settings.PRESENCE_TIMEOUT_SECONDS + 1)
    )
    assert queue_agents_online(queue) == []
    # A new tab after a crash counts alone: the dead socket's row is gone.
    presence_connect(membership=alice)
    assert every_tenant(AgentConnection).filter(user=alice.user).count() == 1


def test_idle_makes_an_agent_away_and_activity_brings_them_back(setup):
    queue, alice = setup
    presence_connect(membership=alice)
    assert presence_heartbeat(membership=alice, idle=True).status == "away"
    assert queue_agents_online(queue) == []
    assert presence_heartbeat(membership=alice, idle=False).status == "online"


def test_away_by_choice_holds_until_the_agent_comes_back(setup):
    queue, alice = setup
    presence_connect(membership=alice)
    presence_choose(membership=alice, status="away")
    assert presence_heartbeat(membership=alice, idle=False).status == "away"
    assert queue_is_staffed(queue) is False
    assert presence_choose(membership=alice, status="online").status == "online"
    assert queue_is_staffed(queue) is True


def test_an_unknown_presence_status_is_refused(setup):
    from helpdesk.errors import InvalidInput

    _, alice = setup
    presence_connect(membership=alice)
    with pytest.raises(InvalidInput):
        presence_choose(membership=alice, status="asleep")
    assert every_tenant(AgentPresence).get(user=alice.user).status == "online"


def test_free_capacity_counts_open_assigned_conversations(setup, make_bot):
    from chatbot.services import widget_conversation_start
    from helpdesk.models import Conversation

    queue, alice = setup
    presence_connect(membership=alice)
    every_tenant(AgentPresence).filter(user=alice.user).update(capacity=2)
    bot = make_bot(queue.tenant)
    conversation = widget_conversation_start(public_key=bot.public_key).conversation
    every_tenant(Conversation).filter(pk=conversation.pk).update(status="assigned", assignee=alice.user)
    assert agents_free_capacity(queue) == 1


def test_a_queue_that_does_not_require_agents_is_always_staffed(setup):
    queue, _ = setup
    queue.require_agent_online = False
    assert queue_is_staffed(queue) is True
