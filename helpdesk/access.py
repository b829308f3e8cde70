"""``access_*``: "this id, in this tenant, or not found", the one way a request's id becomes a row.

Every id that arrives from outside (a URL, a socket frame, an API body) is turned into a row here or
by a selector built on :func:`access_row`. A row of another tenant, a missing row and a malformed id
are the same :class:`~helpdesk.errors.NotFound`, so a caller cannot tell another company's ids apart
from ids that do not exist.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from helpdesk.errors import NotFound
from helpdesk.models import Bot, Conversation, Membership, Tenant

RowT = TypeVar("RowT", bound=Model)


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("not an id")
    number = int(str(value).strip()) if isinstance(value, str) else int(value)
    if not 0 < number < 2**63:
        raise ValueError("out of range")
    return number


def access_row(
    source: type[RowT] | QuerySet, *, tenant: Tenant | int, pk: Any, what: str, for_update: bool = False
) -> RowT:
    """The row ``pk`` of a tenant-owned model (or of a queryset of one), if it is ``tenant``'s."""
    queryset = source if isinstance(source, QuerySet) else source.objects.all()
    queryset = queryset.for_tenant(tenant)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=_as_int(pk))
    except (queryset.model.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise NotFound(f"No such {what}.") from exc


def access_conversation(
    *, tenant: Tenant | int, conversation_id: Any, membership: Membership | None = None
) -> Conversation:
    """The tenant's conversation, for an agent of that tenant when ``membership`` is given."""
    if membership is not None and membership.tenant_id != (tenant if isinstance(tenant, int) else tenant.pk):
        raise NotFound("No such conversation.")
    queryset = Conversation.objects.select_related("contact", "bot", "assignee")
    return access_row(queryset, tenant=tenant, pk=conversation_id, what="conversation")


def access_bot(*, tenant: Tenant | int, bot_id: Any) -> Bot:
    return access_row(Bot.objects.select_related("queue"), tenant=tenant, pk=bot_id, what="bot")


def access_member(*, tenant: Tenant | int, user_id: Any) -> Membership:
    """The tenant's agent with this user id."""
    try:
        user_pk = _as_int(user_id)
    except (TypeError, ValueError) as exc:
        raise NotFound("No such agent.") from exc
    row = Membership.objects.for_tenant(tenant).select_related("user").filter(user_id=user_pk).first()
    if row is None:
        raise NotFound("No such agent.")
    return row
