"""Agents' writes: claiming a conversation, replying, resolving."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from helpdesk.errors import Conflict
from helpdesk.models import Conversation, Membership, Message
from helpdesk.services import (
    client_msg_id_clean,
    conversation_status_set,
    message_create,
    message_text_clean,
    system_message_create,
)

CLAIMABLE = (Conversation.Status.BOT, Conversation.Status.WAITING)


@transaction.atomic
def conversation_claim(*, membership: Membership, conversation: Conversation) -> Conversation:
    """Give ``conversation`` to the agent. Exactly one of two agents claiming at once wins.

    The claim is a conditional UPDATE (status still claimable and nobody assigned), so the database decides
    the race; the loser gets :class:`Conflict`. Claiming one's own conversation again is a no-op.
    """
    won = (
        Conversation.objects.for_tenant(membership.tenant_id)
        .filter(pk=conversation.pk, status__in=CLAIMABLE, assignee__isnull=True)
        .update(status=Conversation.Status.ASSIGNED, assignee=membership.user, updated_at=timezone.now())
    )
    conversation.refresh_from_db()
    if not won:
        if (
            conversation.assignee_id == membership.user_id
            and conversation.status == Conversation.Status.ASSIGNED
        ):
            return conversation
        raise Conflict("Another agent already has this conversation.")
    conversation.handoffs.filter(ended_at__isnull=True, accepted_at__isnull=True).update(
        accepted_at=timezone.now(), accepted_by=membership.user
    )
    conversation_status_set(
        conversation=conversation,
        status=Conversation.Status.ASSIGNED,
        assignee=membership.user,
        extra={"agent_name": membership.name},
    )
    system_message_create(
        conversation=conversation,
        body=f"{membership.name} joined the conversation",
        event="agent_joined",
        agent_name=membership.name,
    )
    return conversation


@transaction.atomic
def agent_reply(
    *,
    membership: Membership,
    conversation: Conversation,
    text: str,
    client_msg_id: str = "",
    private: bool = False,
) -> tuple[Message, bool]:
    """An agent's reply or private note. A public reply to an unclaimed conversation claims it first."""
    text = message_text_clean(text)
    client_msg_id = client_msg_id_clean(client_msg_id)
    if not private and conversation.assignee_id != membership.user_id:
        conversation_claim(membership=membership, conversation=conversation)
    return message_create(
        conversation=conversation,
        author_kind=Message.Author.AGENT,
        author=membership.user,
        body=text,
        client_msg_id=client_msg_id,
        private=private,
    )


@transaction.atomic
def conversation_handback(*, membership: Membership, conversation: Conversation) -> Conversation:
    """Give the conversation back to the bot, which starts fresh from here.

    The bot's memory (history, unresolved count, repeated-question check) starts after the current last
    ``seq``, so an old complaint does not send it straight back into a handoff.
    """
    locked = Conversation.objects.for_tenant(membership.tenant_id).select_for_update().get(pk=conversation.pk)
    if locked.status in (Conversation.Status.RESOLVED, Conversation.Status.BOT):
        raise Conflict("This conversation is not with a person.")
    locked.bot_since_seq = locked.last_seq
    locked.handoff_reason = ""
    locked.save(update_fields=["bot_since_seq", "handoff_reason", "updated_at"])
    # The handoff app owns the records; ending them is a plain update through the relation.
    locked.handoffs.filter(ended_at__isnull=True).update(ended_at=timezone.now())
    conversation_status_set(conversation=locked, status=Conversation.Status.BOT, assignee=None)
    system_message_create(
        conversation=locked,
        body=f"{membership.name} handed the conversation back to the assistant",
        event="handed_back",
        agent_name=membership.name,
    )
    return locked


@transaction.atomic
def conversation_resolve(*, membership: Membership, conversation: Conversation) -> Conversation:
    locked = Conversation.objects.for_tenant(membership.tenant_id).select_for_update().get(pk=conversation.pk)
    if locked.status == Conversation.Status.RESOLVED:
        return locked
    locked.handoffs.filter(ended_at__isnull=True).update(ended_at=timezone.now())
    conversation_status_set(
        conversation=locked, status=Conversation.Status.RESOLVED, assignee=locked.assignee
    )
    system_message_create(
        conversation=locked, body=f"{membership.name} resolved the conversation", event="resolved"
    )
    return locked
