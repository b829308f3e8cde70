import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from chatbot.services import customer_message_receive, widget_conversation_start
from helpdesk.errors import Conflict, InvalidInput, NotFound
from helpdesk.models import Conversation, Message, Queue
from inbox.assignment import agents_with_room, queue_dispatch
from inbox.models import AgentPresence
from inbox.presence import presence_connect
from inbox.services import conversation_claim, conversation_resolve, conversation_transfer
from tests.support.db import every_tenant


@pytest.fixture
def team(make_tenant, make_bot, make_agent):
    tenant = make_tenant("acme")
    bot = make_bot(tenant, require_agent_online=True)
    agents = [make_agent(tenant, name) for name in ("alice", "bob", "carol")]
    for membership in agents:
        bot.queue.members.add(membership.user)
    return bot, agents


def handed_off(bot, n: int = 1) -> list[Conversation]:
    out = []
    for i in range(n):
        conversation = widget_conversation_start(public_key=bot.public_key).conversation
        customer_message_receive(conversation=conversation, text="talk to a human", client_msg_id=f"h{i}")
        conversation.refresh_from_db()
        out.append(conversation)
    return out


def set_policy(bot, policy: str) -> Queue:
    every_tenant(Queue).filter(pk=bot.queue_id).update(assignment=policy)
    return every_tenant(Queue).get(pk=bot.queue_id)


@pytest.mark.django_db
def test_round_robin_takes_turns_among_online_agents(team, django_capture_on_commit_callbacks):
    bot, (alice, bob, carol) = team
    presence_connect(membership=alice)
    presence_connect(membership=bob)
    set_policy(bot, Queue.Assignment.ROUND_ROBIN)
    with django_capture_on_commit_callbacks(execute=True):
        conversations = handed_off(bot, 4)
    owners = [every_tenant(Conversation).get(pk=c.pk).assignee_id for c in conversations]
    assert owners == [alice.user_id, bob.user_id, alice.user_id, bob.user_id]


@pytest.mark.django_db
def test_least_busy_prefers_the_agent_with_fewest_open_conversations(
    team, django_capture_on_commit_callbacks
):
    bot, (alice, bob, _) = team
    presence_connect(membership=alice)
    presence_connect(membership=bob)
    queue = set_policy(bot, Queue.Assignment.MANUAL)
    first, second, third = handed_off(bot, 3)
    conversation_claim(membership=alice, conversation=first)
    conversation_claim(membership=alice, conversation=second)
    every_tenant(Queue).filter(pk=queue.pk).update(assignment=Queue.Assignment.LEAST_BUSY)
    queue_dispatch(every_tenant(Queue).get(pk=queue.pk))
    assert every_tenant(Conversation).get(pk=third.pk).assignee_id == bob.user_id


@pytest.mark.django_db
def test_auto_assignment_respects_capacity_and_skips_offline_agents(team, django_capture_on_commit_callbacks):
    bot, (alice, _, _) = team
    presence_connect(membership=alice)
    every_tenant(AgentPresence).filter(user=alice.user).update(capacity=1)
    set_policy(bot, Queue.Assignment.ROUND_ROBIN)
    with django_capture_on_commit_callbacks(execute=True):
        first, second = handed_off(bot, 2)
    assert every_tenant(Conversation).get(pk=first.pk).assignee_id == alice.user_id
    second.refresh_from_db()
    assert (second.status, second.assignee_id) == ("waiting", None)


@pytest.mark.django_db
def test_waiting_conversations_go_out_oldest_first_when_an_agent_frees_up(
    team, django_capture_on_commit_callbacks
):
    bot, (alice, _, _) = team
    presence_connect(membership=alice)
    every_tenant(AgentPresence).filter(user=alice.user).update(capacity=1)
    set_policy(bot, Queue.Assignment.ROUND_ROBIN)
    with django_capture_on_commit_callbacks(execute=True):
        first, second, third = handed_off(bot, 3)
    every_tenant(Conversation).filter(pk=third.pk).update(waiting_since=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        conversation_resolve(membership=alice, conversation=every_tenant(Conversation).get(pk=first.pk))
    # The third started waiting earliest (as the clock says), so it goes before the second.
    assert every_tenant(Conversation).get(pk=third.pk).assignee_id == alice.user_id
    assert every_tenant(Conversation).get(pk=second.pk).status == "waiting"


@pytest.mark.django_db
def test_an_agent_coming_online_gets_the_waiting_conversation(team, django_capture_on_commit_callbacks):
    bot, (alice, bob, _) = team
    presence_connect(membership=alice)
    queue = set_policy(bot, Queue.Assignment.ROUND_ROBIN)
    every_tenant(AgentPresence).filter(user=alice.user).update(capacity=0)
    with django_capture_on_commit_callbacks(execute=True):
        (conversation,) = handed_off(bot)
    assert agents_with_room(queue) == []
    with django_capture_on_commit_callbacks(execute=True):
        presence_connect(membership=bob)
    assert every_tenant(Conversation).get(pk=conversation.pk).assignee_id == bob.user_id


@pytest.mark.django_db
def test_transfer_to_another_agent_leaves_a_private_note(team):
    bot, (alice, bob, _) = team
    presence_connect(membership=alice)
    (conversation,) = handed_off(bot)
    conversation_claim(membership=alice, conversation=conversation)
    conversation_transfer(
        membership=alice, conversation=conversation, to_user_id=bob.user_id, note="VIP, be nice"
    )
    conversation.refresh_from_db()
    assert (conversation.status, conversation.assignee_id) == ("assigned", bob.user_id)
    note = every_tenant(Message).get(conversation=conversation, data__event="transferred")
    assert note.private is True
    assert note.body == "Alice transferred the conversation to Bob: VIP, be nice"


@pytest.mark.django_db
def test_transfer_to_a_queue_puts_it_back_in_line(team, make_agent):
    bot, (alice, _, _) = team
    presence_connect(membership=alice)
    other = Queue.objects.create(tenant=bot.tenant, name="Billing", require_agent_online=False)
    (conversation,) = handed_off(bot)
    conversation_claim(membership=alice, conversation=conversation)
    conversation_transfer(membership=alice, conversation=conversation, to_queue_id=other.pk, note="")
    conversation.refresh_from_db()
    assert (conversation.status, conversation.assignee_id, conversation.queue_id) == (
        "waiting",
        None,
        other.pk,
    )


@pytest.mark.django_db
def test_transfer_needs_exactly_one_target_of_the_same_tenant(team, make_tenant, make_agent):
    bot, (alice, _, _) = team
    presence_connect(membership=alice)
    (conversation,) = handed_off(bot)
    stranger = make_agent(make_tenant("globex"), "gina")
    with pytest.raises(InvalidInput):
        conversation_transfer(membership=alice, conversation=conversation)
    with pytest.raises(NotFound):
        conversation_transfer(membership=alice, conversation=conversation, to_user_id=stranger.user_id)
    other_queue = Queue.objects.create(tenant=stranger.tenant, name="Theirs")
    with pytest.raises(NotFound):
        conversation_transfer(membership=alice, conversation=conversation, to_queue_id=other_queue.pk)
    assert every_tenant(Conversation).get(pk=conversation.pk).status == "waiting"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_agents_claiming_at_once_exactly_one_wins(team):
    bot, (alice, bob, _) = team
    presence_connect(membership=alice)
    (conversation,) = handed_off(bot)
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def claim(membership):
        barrier.wait()
        try:
            conversation_claim(
                membership=membership, conversation=every_tenant(Conversation).get(pk=conversation.pk)
            )
            results[membership.user.username] = "won"
        except Conflict:
            results[membership.user.username] = "told"
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(m,)) for m in (alice, bob)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(results.values()) == ["told", "won"]
    winner = next(name for name, outcome in results.items() if outcome == "won")
    conversation.refresh_from_db()
    assert conversation.assignee.username == winner
    assert every_tenant(Message).filter(conversation=conversation, data__event="agent_joined").count() == 1
