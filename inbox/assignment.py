"""Who gets a conversation: claims, auto-assignment and dispatching the queue when an agent frees up.

Every assignment is one conditional UPDATE (still claimable, nobody assigned), so when two agents or an
agent and the dispatcher race for the same conversation, the database lets exactly one win.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from helpdesk.models import Conversation, Membership, Queue
from helpdesk.payloads import conversation_payload
from helpdesk.services import conversation_status_set, system_message_create
from helpdesk.webhooks import webhook_emit
from inbox.models import AgentPresence
from inbox.online import online_filter

CLAIMABLE = (Conversation.Status.BOT, Conversation.Status.WAITING)


@transaction.atomic
def conversation_assign(*, conversation: Conversation, membership: Membership) -> bool:
    """Give ``conversation`` to ``membership``'s agent if nobody has it yet. Returns whether this won."""
    now = timezone.now()
    won = (
        Conversation.objects.for_tenant(membership.tenant_id)
        .filter(pk=conversation.pk, status__in=CLAIMABLE, assignee__isnull=True)
        .update(status=Conversation.Status.ASSIGNED, assignee=membership.user, updated_at=now)
    )
    conversation.refresh_from_db()
    if not won:
        return False
    # The handoff app owns the records; marking them accepted is a plain update through the relation.
    conversation.handoffs.filter(ended_at__isnull=True, accepted_at__isnull=True).update(
        accepted_at=now, accepted_by=membership.user
    )
    AgentPresence.objects.filter(tenant_id=membership.tenant_id, user_id=membership.user_id).update(
        last_assigned_at=now
    )
    conversation_agent_set(
        conversation=conversation,
        membership=membership,
        note=f"{membership.name} joined the conversation",
        event="agent_joined",
    )
    return True


def agents_with_room(queue: Queue) -> list[AgentPresence]:
    """Online members of the queue under their capacity, in the order the queue's policy prefers."""
    open_assigned = (
        Conversation.objects.for_tenant(queue.tenant_id)
        .filter(status=Conversation.Status.ASSIGNED, assignee=OuterRef("user_id"))
        .values("assignee")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        AgentPresence.objects.for_tenant(queue.tenant_id)
        .filter(online_filter(), user__in=queue.members.all())
        .annotate(load=Coalesce(Subquery(open_assigned), 0))
        .filter(load__lt=F("capacity"))
    )
    if queue.assignment == Queue.Assignment.LEAST_BUSY:
        rows = rows.order_by("load", F("last_assigned_at").asc(nulls_first=True), "user_id")
    else:
        rows = rows.order_by(F("last_assigned_at").asc(nulls_first=True), "user_id")
    return list(rows)


def queue_dispatch(queue: Queue | None) -> int:
    """Hand waiting conversations, oldest first, to agents with room, if the queue assigns automatically.

    Called when a conversation starts waiting and when an agent frees up or comes online. Returns how
    many conversations were assigned.
    """
    if queue is None or queue.assignment == Queue.Assignment.MANUAL:
        return 0
    assigned = 0
    while True:
        candidates = agents_with_room(queue)
        waiting = (
            Conversation.objects.for_tenant(queue.tenant_id)
            .waiting()
            .filter(queue=queue, assignee__isnull=True)
            .order_by("waiting_since", "pk")
            .first()
        )
        if not candidates or waiting is None:
            return assigned
        membership = Membership.objects.select_related("user").get(
            tenant_id=queue.tenant_id, user_id=candidates[0].user_id
        )
        if conversation_assign(conversation=waiting, membership=membership):
            assigned += 1


def queues_dispatch_for(*, tenant_id: int, user_id: int) -> None:
    """After commit, dispatch every auto-assigning queue the agent works: they may have room now."""

    def run() -> None:
        for queue in (
            Queue.objects.for_tenant(tenant_id)
            .filter(members__id=user_id)
            .exclude(assignment=Queue.Assignment.MANUAL)
        ):
            queue_dispatch(queue)

    transaction.on_commit(run)


def conversation_agent_set(*, conversation: Conversation, membership, note: str, event: str) -> None:
    """The conversation is this agent's now (the caller holds its lock): its status with the agent's name
    for the sockets, a note in its history, and the ``conversation.assigned`` webhook."""
    conversation_status_set(
        conversation=conversation,
        status=Conversation.Status.ASSIGNED,
        assignee=membership.user,
        extra={"agent_name": membership.name},
    )
    system_message_create(conversation=conversation, body=note, event=event, agent_name=membership.name)
    webhook_emit(
        tenant_id=conversation.tenant_id,
        event="conversation.assigned",
        data=lambda: {
            "conversation": conversation_payload(conversation),
            "agent": {"id": membership.user_id, "name": membership.name},
        },
    )
