"""Sockets across two Daphne processes: long idle sockets, a process killed under an agent and a customer."""

from __future__ import annotations

import asyncio
import signal
import time

import pytest

from tests.fault.clients import Agent, Widget, carries_message_from
from tests.fault.harness import HOUSEKEEPING_INTERVAL_SECONDS, PRESENCE_TIMEOUT_SECONDS

pytestmark = [pytest.mark.fault, pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(400)]

IDLE_SECONDS = 60
# Presence heals within its timeout; one housekeeping pass may be needed to notice it.
PRESENCE_BOUND = PRESENCE_TIMEOUT_SECONDS + HOUSEKEEPING_INTERVAL_SECONDS


def is_bot_message(frame: dict) -> bool:
    return carries_message_from(frame, ("bot",))


def presence_row(live) -> tuple[str, int] | None:
    """The agent's presence status and how many inbox sockets the database holds for them: rows of
    ``inbox_agentconnection`` where that table exists, else the ``connections`` counter."""
    params = (live.seed.tenant_id, live.seed.agent_user_id)
    status = live.database.value(
        "SELECT status FROM inbox_agentpresence WHERE tenant_id = %s AND user_id = %s", params
    )
    if live.database.value("SELECT to_regclass('inbox_agentconnection') IS NOT NULL"):
        count = live.database.value(
            "SELECT count(*) FROM inbox_agentconnection WHERE tenant_id = %s AND user_id = %s", params
        )
    else:
        count = live.database.value(
            "SELECT connections FROM inbox_agentpresence WHERE tenant_id = %s AND user_id = %s", params
        )
    return None if status is None else (status, count)


async def heartbeat(agent: Agent, every: float) -> None:
    """What the inbox page does: a ping frame at a steady pace, shorter than the presence timeout."""
    while agent.is_open:
        await agent.send({"type": "ping", "idle": False})
        await asyncio.sleep(every)


async def test_idle_sockets_stay_open_and_presence_heals_after_a_process_is_killed(live):
    from helpdesk.events import conversation_group, inbox_group

    # Given a widget (in a conversation) and an agent socket on each Daphne process
    tenant = live.seed.tenant_id
    widgets = [Widget(token, f"widget{i + 1}") for i, (_, token) in enumerate(live.widget_conversations(2))]
    agents = [Agent(live.seed.agent_session, f"agent{i + 1}") for i in (0, 1)]
    for i in (0, 1):
        assert (await widgets[i].join(live.ws(i)))["type"] == "hello"
        assert (await agents[i].join(live.ws(i)))["type"] == "hello"
    conversation_ids = [w.frames[0][1]["conversation_id"] for w in widgets]

    # When they stay idle for a minute
    started = time.monotonic()
    await asyncio.sleep(IDLE_SECONDS)

    # Then all four are still open and answer a frame
    still_open = [s.name for s in (*widgets, *agents) if s.is_open]
    print(f"idle {time.monotonic() - started:.1f}s; open after idling: {still_open}")
    assert still_open == ["widget1", "widget2", "agent1", "agent2"]
    for widget in widgets:
        mark = widget.mark()
        await widget.send({"type": "resume", "last_seq": widget.last_seq})
        assert (await widget.wait_for(lambda f: f["type"] in ("messages", "error"), 10, mark))["type"] == (
            "messages"
        )
    for agent in agents:
        assert (await agent.ping())["presence"] == "online"
    assert presence_row(live) == ("online", 2)
    assert live.group_size(inbox_group(tenant)) == 2

    # When the first process is killed under agent1 and widget1, while agent2 keeps its heartbeat
    beating = asyncio.create_task(heartbeat(agents[1], PRESENCE_TIMEOUT_SECONDS / 4))
    live.daphnes[0].kill(signal.SIGKILL)
    killed_at = time.monotonic()
    agents[0].abandon()
    widgets[0].abandon()

    # Then presence counts exactly the one live socket, within the presence timeout
    healed_after = None
    while time.monotonic() - killed_at < PRESENCE_BOUND + 1:
        if presence_row(live) == ("online", 1):
            healed_after = time.monotonic() - killed_at
            break
        await asyncio.sleep(0.2)
    inbox_members = live.group_size(inbox_group(tenant))
    dead_conversation_members = live.group_size(conversation_group(tenant, conversation_ids[0]))
    print(
        f"presence after kill: {presence_row(live)}; healed after "
        f"{'never' if healed_after is None else f'{healed_after:.1f}s'} (bound {PRESENCE_BOUND}s); "
        f"inbox group members {inbox_members}; dead widget's conversation group members "
        f"{dead_conversation_members}"
    )
    assert presence_row(live) == ("online", 1)
    assert healed_after is not None and healed_after <= PRESENCE_BOUND
    assert inbox_members == 1
    assert dead_conversation_members == 0
    assert live.group_size(conversation_group(tenant, conversation_ids[1])) == 1

    # And when the last agent socket closes, the agent is offline with no connection left
    beating.cancel()
    await agents[1].close()
    await widgets[1].close()
    closed_at = time.monotonic()
    while time.monotonic() - closed_at < 5 and presence_row(live) != ("offline", 0):
        await asyncio.sleep(0.1)
    print(f"presence after the last socket closed: {presence_row(live)}")
    assert presence_row(live) == ("offline", 0)
    assert live.group_size(inbox_group(tenant)) == 0


async def test_a_customer_resumes_on_the_other_process_with_no_gap_and_no_duplicate(live):
    # Given a customer on the first process whose question (their first message) was answered
    token = live.widget_session()["token"]
    tab = Widget(token, "tab-on-daphne1")
    await tab.join(live.ws(0))
    assert (await tab.say("How long does delivery take?", "q1"))["type"] == "ack"
    await tab.wait_for(is_bot_message, 20)
    seen_before_kill = tab.last_seq

    # When that process is killed and the conversation goes on in a second tab on the other process (one
    # opened before the first message: its token names no conversation, only the same visitor)
    live.daphnes[0].kill(signal.SIGKILL)
    tab.abandon()
    other = Widget(token, "tab-on-daphne2")
    await other.join(live.ws(1))
    for n, question in enumerate(("Can I return a bike?", "How much is a service?"), start=2):
        mark = other.mark()
        assert (await other.say(question, f"q{n}"))["type"] == "ack"
        await other.wait_for(is_bot_message, 20, mark)
    newest = other.last_seq

    # Then the first tab reconnects to the other process with ?last_seq and gets exactly what it missed
    mark = tab.mark()
    await tab.join(live.ws(1))
    await tab.wait_for(lambda f: f["type"] == "messages" and not f.get("more"), 10, mark)
    missed = [m["seq"] for _, f in tab.frames[mark:] if f["type"] == "messages" for m in f["messages"]]
    print(f"seen before the kill: 1..{seen_before_kill}; newest {newest}; resumed batch {missed}")
    assert missed == list(range(seen_before_kill + 1, newest + 1))

    # And it goes on live with no gap and no duplicate
    mark = tab.mark()
    assert (await tab.say("Which frame size do I need?", "q4"))["type"] == "ack"
    await tab.wait_for(is_bot_message, 20, mark)
    print(f"delivered to the first tab: {tab.delivered}")
    assert tab.duplicates() == []
    assert sorted(tab.delivered) == list(range(1, tab.last_seq + 1))
    await tab.close()
    await other.close()
