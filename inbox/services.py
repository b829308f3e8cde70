"""Agents' writes: claiming, replying, transferring, handing back, resolving and reopening conversations.

The API's writes on queues and canned replies live here too: one home for the app's writes.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from helpdesk.attachments import AGENT_UPLOADS, AttachmentClaim, attachment_ids_clean
from helpdesk.errors import Conflict, InvalidInput, NotFound
from helpdesk.models import Conversation, Membership, Message, Queue, Tenant
from helpdesk.payloads import conversation_payload
from helpdesk.services import (
    client_msg_id_clean,
    conversation_status_set,
    message_create,
    message_text_clean,
    system_message_create,
)
from helpdesk.webhooks import webhook_emit
from inbox.assignment import conversation_agent_set, conversation_assign, queue_dispatch
from inbox.models import CannedReply, ReadMarker
from inbox.relays import offline_reply_relay


@transaction.atomic
def conversation_claim(*, membership: Membership, conversation: Conversation) -> Conversation:
    """Give ``conversation`` to the agent. Exactly one of two agents claiming at once wins; the other gets
    :class:`Conflict`. Claiming one's own conversation again is a no-op."""
    if not conversation_assign(conversation=conversation, membership=membership):
        if (
            conversation.assignee_id == membership.user_id
            and conversation.status == Conversation.Status.ASSIGNED
        ):
            return conversation
        raise Conflict("Another agent already has this conversation.")
    return conversation


@transaction.atomic
def agent_reply(
    *,
    membership: Membership,
    conversation: Conversation,
    text: str,
    client_msg_id: str = "",
    private: bool = False,
    attachment_ids: Any = None,
) -> tuple[Message, bool]:
    """An agent's reply or private note. A public reply to an unclaimed conversation claims it first.

    ``attachment_ids``: uploads of this agent (or of an API key) to this conversation that the reply
    carries; with them the reply may have no words. A bad id refuses the reply before anything changes."""
    claim = AttachmentClaim(
        ids=attachment_ids_clean(attachment_ids), kinds=AGENT_UPLOADS, uploaded_by_id=membership.user_id
    )
    text = message_text_clean(text, allow_empty=bool(claim.ids))
    client_msg_id = client_msg_id_clean(client_msg_id)
    if not private and conversation.status == Conversation.Status.OFFLINE:
        return _offline_reply(
            membership=membership,
            conversation=conversation,
            text=text,
            client_msg_id=client_msg_id,
            attachments=claim,
        )
    # One transaction for the claim and the reply, so a refused attachment leaves the claim undone too; it
    # joins the caller's, as message_create does (no savepoint of its own).
    with transaction.atomic(savepoint=False):
        if not private and conversation.assignee_id != membership.user_id:
            conversation_claim(membership=membership, conversation=conversation)
        return message_create(
            conversation=conversation,
            author_kind=Message.Author.AGENT,
            author=membership.user,
            body=text,
            client_msg_id=client_msg_id,
            private=private,
            attachments=claim,
        )


def _locked(membership: Membership, conversation: Conversation) -> Conversation:
    return Conversation.objects.for_tenant(membership.tenant_id).select_for_update().get(pk=conversation.pk)


def _offline_reply(
    *, membership: Membership, conversation: Conversation, text: str, client_msg_id: str, **extra
) -> tuple[Message, bool]:
    """An agent's reply to a conversation on the offline path goes out on its ticket (by email when the
    ticket's contact has an address, see :mod:`inbox.relays`) and stays in the chat's history, marked with
    where it went. The conversation keeps its status: the ticket is where it continues.

    The conversation's row lock makes a resend wait for the first send, which it then finds: one ticket
    reply and one email, however often the frame comes. With no relay to carry it (no ticket yet) the reply
    is :class:`Conflict` and nothing is stored.
    """
    locked = _locked(membership, conversation)
    if client_msg_id:
        sent = Message.objects.filter(conversation=locked, client_msg_id=client_msg_id).first()
        if sent is not None:
            return sent, False
    relayed = offline_reply_relay(membership=membership, conversation=locked, body=text)
    if relayed is None:
        raise Conflict(
            gettext(
                "This conversation went to the offline path and its ticket is not open yet, so a reply "
                "cannot reach the customer. Leave a private note, or answer on the ticket once it is open."
            )
        )
    return message_create(
        conversation=locked,
        author_kind=Message.Author.AGENT,
        author=membership.user,
        body=text,
        client_msg_id=client_msg_id,
        data={"relayed": relayed.as_data()},
        locked=True,
        **extra,
    )


def _freed(tenant_id: int, queue_id: int | None) -> None:
    """An agent has room again: the queue's waiting conversations may go out now."""
    if queue_id:
        transaction.on_commit(
            lambda: queue_dispatch(Queue.objects.for_tenant(tenant_id).filter(pk=queue_id).first())
        )


@transaction.atomic
def conversation_handback(*, membership: Membership, conversation: Conversation) -> Conversation:
    """Give the conversation back to the bot, which starts fresh from here.

    The bot's memory (history, unresolved count, repeated-question check) starts after the current last
    ``seq``, so an old complaint does not send it straight back into a handoff.
    """
    locked = _locked(membership, conversation)
    if locked.status in (Conversation.Status.RESOLVED, Conversation.Status.BOT):
        raise Conflict("This conversation is not with a person.")
    queue_id = locked.queue_id
    locked.bot_since_seq = locked.last_seq
    locked.handoff_reason = ""
    locked.save(update_fields=["bot_since_seq", "handoff_reason", "updated_at"])
    locked.handoffs.filter(ended_at__isnull=True).update(ended_at=timezone.now())
    conversation_status_set(conversation=locked, status=Conversation.Status.BOT, assignee=None)
    system_message_create(
        conversation=locked,
        body=f"{membership.name} handed the conversation back to the assistant",
        event="handed_back",
        agent_name=membership.name,
    )
    _freed(locked.tenant_id, queue_id)
    return locked


@transaction.atomic
def conversation_resolve(*, membership: Membership, conversation: Conversation) -> Conversation:
    locked = _locked(membership, conversation)
    if locked.status == Conversation.Status.RESOLVED:
        return locked
    locked.handoffs.filter(ended_at__isnull=True).update(ended_at=timezone.now())
    conversation_status_set(
        conversation=locked, status=Conversation.Status.RESOLVED, assignee=locked.assignee
    )
    system_message_create(
        conversation=locked, body=f"{membership.name} resolved the conversation", event="resolved"
    )
    webhook_emit(
        tenant_id=locked.tenant_id,
        event="conversation.resolved",
        data=lambda: {
            "conversation": conversation_payload(locked),
            "resolved_by": {"id": membership.user_id, "name": membership.name},
        },
    )
    _freed(locked.tenant_id, locked.queue_id)
    return locked


@transaction.atomic
def conversation_reopen(*, membership: Membership, conversation: Conversation) -> Conversation:
    """Open a resolved conversation again, with the agent who reopens it: it is theirs (assigned), the
    history says who reopened it, and the conversation's sockets and the tenant's inboxes hear the new
    status. Reopening what one has just reopened is a no-op; any other conversation that is not resolved
    is :class:`Conflict`."""
    locked = _locked(membership, conversation)
    if locked.status != Conversation.Status.RESOLVED:
        if locked.status == Conversation.Status.ASSIGNED and locked.assignee_id == membership.user_id:
            return locked
        raise Conflict("Only a resolved conversation can be reopened.")
    conversation_agent_set(
        conversation=locked,
        membership=membership,
        note=f"{membership.name} reopened the conversation",
        event="reopened",
    )
    return locked


@transaction.atomic
def conversation_transfer(
    *,
    membership: Membership,
    conversation: Conversation,
    to_user_id: int | None = None,
    to_queue_id: int | None = None,
    note: str = "",
) -> Conversation:
    """Pass the conversation to another agent of the tenant, or back into a queue (its own or another),
    with a private note for whoever picks it up."""
    if (to_user_id is None) == (to_queue_id is None):
        raise InvalidInput(
            "Transfer to an agent or to a queue.", fields={"to": ["Name one agent or one queue."]}
        )
    locked = _locked(membership, conversation)
    if locked.status in (Conversation.Status.RESOLVED, Conversation.Status.OFFLINE):
        raise Conflict("A closed conversation cannot be transferred.")
    previous_queue = locked.queue_id
    if to_user_id is not None:
        target = (
            Membership.objects.for_tenant(membership.tenant_id)
            .select_related("user")
            .filter(user_id=to_user_id)
            .first()
        )
        if target is None:
            raise NotFound("No such agent.")
        label = target.name
        locked.status, locked.assignee = Conversation.Status.WAITING, None
        locked.save(update_fields=["status", "assignee", "updated_at"])
        conversation_assign(conversation=locked, membership=target)
    else:
        queue = Queue.objects.for_tenant(membership.tenant_id).filter(pk=to_queue_id).first()
        if queue is None:
            raise NotFound("No such queue.")
        label = queue.name
        locked.queue = queue
        locked.save(update_fields=["queue", "updated_at"])
        conversation_status_set(conversation=locked, status=Conversation.Status.WAITING, assignee=None)
        _freed(locked.tenant_id, queue.pk)
    system_message_create(
        conversation=locked,
        body=f"{membership.name} transferred the conversation to {label}"
        + (f": {note.strip()}" if note else ""),
        event="transferred",
        private=True,
        note=note.strip(),
    )
    if previous_queue and previous_queue != locked.queue_id:
        _freed(locked.tenant_id, previous_queue)
    return locked


def conversation_mark_read(
    *, membership: Membership, conversation: Conversation, seq: int | None = None
) -> int:
    """The agent has read ``conversation`` up to ``seq`` (default: its last message). Never moves back."""
    upto = conversation.last_seq if seq is None else max(0, min(int(seq), conversation.last_seq))
    marker, _ = ReadMarker.objects.get_or_create(
        tenant_id=membership.tenant_id, user_id=membership.user_id, conversation=conversation
    )
    if upto > marker.last_read_seq:
        ReadMarker.objects.for_tenant(marker.tenant_id).filter(pk=marker.pk, last_read_seq__lt=upto).update(
            last_read_seq=upto
        )
    return max(upto, marker.last_read_seq)


def _saved(row, field: str, what: str):
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        raise InvalidInput(f"Another {what} has this {field}.", fields={field: ["Already in use."]}) from exc
    return row


@transaction.atomic
def queue_update(*, queue: Queue, member_ids: list[int] | None = None, **changes) -> Queue:
    """Change a queue's settings and, with ``member_ids`` (user ids of the tenant's members), who works it.
    Waiting conversations are dispatched again after commit, as the new policy or members may take them."""
    for field, value in changes.items():
        setattr(queue, field, value)
    _saved(queue, "name", "queue")
    if member_ids is not None:
        members = list(
            Membership.objects.for_tenant(queue.tenant_id)
            .filter(user_id__in=member_ids)
            .values_list("user_id", flat=True)
        )
        missing = sorted(set(member_ids) - set(members))
        if missing:
            raise InvalidInput(
                "Some members do not work here.",
                fields={"member_ids": [f"Not found: {', '.join(map(str, missing))}."]},
            )
        queue.members.set(members)
    transaction.on_commit(lambda: queue_dispatch(queue))
    return queue


@transaction.atomic
def canned_reply_create(*, tenant: Tenant, title: str, body: str, shortcut: str = "") -> CannedReply:
    return _saved(
        CannedReply(tenant=tenant, title=title.strip(), body=body, shortcut=shortcut), "title", "canned reply"
    )


@transaction.atomic
def canned_reply_update(*, reply: CannedReply, **changes) -> CannedReply:
    for field, value in changes.items():
        setattr(reply, field, value)
    return _saved(reply, "title", "canned reply")


@transaction.atomic
def canned_reply_delete(*, reply: CannedReply) -> None:
    reply.delete()
