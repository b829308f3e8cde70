"""Writes the REST API makes on queues and canned replies (agents' replies use ``inbox.services``)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from helpdesk.errors import InvalidInput
from helpdesk.models import Membership, Queue, Tenant
from inbox.assignment import queue_dispatch
from inbox.models import CannedReply


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
