"""Helpers of the scale tests: a tenant in every state an agent's pages show, grown through the real
services, and the query count of a page.

The pages must cost the same number of queries at any volume: a test counts each page's queries, grows
the data tenfold with :func:`grow`, and counts again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext

from handoff.services import handoff_request_manual
from helpdesk.contacts import contact_find_or_create
from helpdesk.models import Conversation, Membership, Tenant
from helpdesk.services import conversation_start, message_create
from inbox.services import agent_reply, conversation_claim, conversation_mark_read, conversation_resolve
from tickets.services import ticket_create_for_conversation


@dataclass
class ScaleWorld:
    tenant: Tenant
    bot: object
    agent: Membership
    colleague: Membership
    long: Conversation
    made: int = 0
    conversations: list[Conversation] = field(default_factory=list)


def scale_world(tenant: Tenant, make_bot, make_agent) -> ScaleWorld:
    """A tenant with a bot and its queue, two agents and one long conversation assigned to ``agent``."""
    bot = make_bot(tenant, f"{tenant.slug} bot", articles=[])
    agent = make_agent(tenant, f"{tenant.slug}-agent")
    colleague = make_agent(tenant, f"{tenant.slug}-colleague")
    bot.queue.members.add(agent.user, colleague.user)
    long = _conversation(bot, "long")
    handoff_request_manual(conversation=long, evidence={}, requested_by={"test": True})
    conversation_claim(membership=agent, conversation=long)
    return ScaleWorld(tenant=tenant, bot=bot, agent=agent, colleague=colleague, long=long)


def _conversation(bot, name: str) -> Conversation:
    contact, _ = contact_find_or_create(
        tenant=bot.tenant, name=name.title(), email=f"{name}@{bot.tenant.slug}.example"
    )
    conversation = conversation_start(tenant=bot.tenant, bot_id=bot.pk, contact=contact)
    message_create(
        conversation=conversation, author_kind="customer", body=f"Where is order SP-{len(name):05d}?"
    )
    message_create(conversation=conversation, author_kind="bot", body="Let me look that up for you.")
    return conversation


def grow(world: ScaleWorld, *, conversations: int, long_messages: int = 0) -> None:
    """Add ``conversations`` conversations in each state (with the bot, waiting, assigned to the agent and
    to a colleague with replies and read markers, resolved with a ticket), and ``long_messages``
    customer and agent messages to the long conversation."""
    for _ in range(conversations):
        world.made += 1
        n = world.made
        with_bot = _conversation(world.bot, f"bot{n}")
        waiting = _conversation(world.bot, f"waiting{n}")
        handoff_request_manual(conversation=waiting, evidence={}, requested_by={"test": True})
        for member, kind in ((world.agent, "mine"), (world.colleague, "theirs")):
            conversation = _conversation(world.bot, f"{kind}{n}")
            handoff_request_manual(conversation=conversation, evidence={}, requested_by={"test": True})
            agent_reply(membership=member, conversation=conversation, text="Hi, I'm on it.")
            conversation_mark_read(membership=member, conversation=conversation)
            message_create(conversation=conversation, author_kind="customer", body="Thanks!")
        resolved = _conversation(world.bot, f"resolved{n}")
        handoff_request_manual(conversation=resolved, evidence={}, requested_by={"test": True})
        agent_reply(membership=world.colleague, conversation=resolved, text="Sorted.")
        ticket_create_for_conversation(conversation=resolved, reason="api")
        conversation_resolve(membership=world.colleague, conversation=resolved)
        world.conversations += [with_bot, waiting, resolved]
    for index in range(long_messages):
        if index % 2:
            agent_reply(membership=world.agent, conversation=world.long, text=f"Answer {index}")
        else:
            message_create(conversation=world.long, author_kind="customer", body=f"Question {index}")
    world.long.refresh_from_db()


def query_count(client, path: str, **headers) -> int:
    """Queries of a request to ``path`` after a first one, which settles what a first visit writes (a read
    marker, the API key's last use)."""
    first = client.get(path, **headers)
    assert first.status_code == 200, (path, first.status_code)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **headers)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured.captured_queries)
