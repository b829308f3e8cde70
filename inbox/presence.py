"""Agents' presence: written by the inbox socket (connect, heartbeat, choice, disconnect).

Each open inbox socket is one :class:`AgentConnection` row, refreshed by the page's heartbeat (``ping``
every 30 s). An agent is online iff they have a row seen within ``PRESENCE_TIMEOUT_SECONDS`` and are not
away (by choice or idle). A socket whose disconnect never ran leaves a row that goes stale on its own;
stale rows are deleted whenever an agent's presence is written, and for everyone by
:func:`presence_connections_expire`, which a periodic job calls.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from helpdesk.errors import InvalidInput
from helpdesk.events import inbox_group, publish_on_commit
from helpdesk.models import Membership
from inbox.assignment import queues_dispatch_for
from inbox.models import AgentConnection, AgentPresence


def _cutoff(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.PRESENCE_TIMEOUT_SECONDS)


def _connections(tenant_id: int, user_id: int):
    return AgentConnection.objects.for_tenant(tenant_id).filter(user_id=user_id)


def _locked(membership: Membership) -> AgentPresence:
    AgentPresence.objects.get_or_create(tenant_id=membership.tenant_id, user_id=membership.user_id)
    return AgentPresence.objects.select_for_update().get(
        tenant_id=membership.tenant_id, user_id=membership.user_id
    )


def _publish(tenant_id: int, user_id: int, name: str, presence: AgentPresence) -> None:
    if presence.status == AgentPresence.Status.ONLINE:
        queues_dispatch_for(tenant_id=tenant_id, user_id=user_id)
    publish_on_commit(
        inbox_group(tenant_id),
        {"type": "agent.presence", "agent": {"id": user_id, "name": name}, "status": presence.status},
    )


def _settle(presence: AgentPresence, now: datetime, *, idle: bool = False) -> str:
    """Delete the agent's stale connection rows, then say what their status is now."""
    rows = _connections(presence.tenant_id, presence.user_id)
    rows.filter(last_seen_at__lt=_cutoff(now)).delete()
    if not rows.exists():
        return AgentPresence.Status.OFFLINE
    if presence.away_by_choice or idle:
        return AgentPresence.Status.AWAY
    return AgentPresence.Status.ONLINE


def _save(presence: AgentPresence, status: str, now: datetime, fields: list[str]) -> bool:
    changed = presence.status != status
    presence.status = status
    presence.save(update_fields=["status", *fields])
    return changed


@transaction.atomic
def presence_connect(*, membership: Membership, channel_name: str = "") -> AgentPresence:
    """An inbox socket opened. ``channel_name`` names the socket's row (a fresh name when not given)."""
    now = timezone.now()
    presence = _locked(membership)
    AgentConnection.objects.for_tenant(membership.tenant_id).update_or_create(
        channel_name=channel_name or f"anonymous.{uuid.uuid4().hex}",
        defaults={
            "tenant_id": membership.tenant_id,
            "user_id": membership.user_id,
            "last_seen_at": now,
        },
    )
    presence.last_seen_at = now
    _save(presence, _settle(presence, now), now, ["last_seen_at"])
    _publish(membership.tenant_id, membership.user_id, membership.name, presence)
    return presence


@transaction.atomic
def presence_disconnect(*, membership: Membership, channel_name: str = "") -> AgentPresence:
    """An inbox socket closed: its row goes (without a name, the agent's newest row goes)."""
    now = timezone.now()
    presence = _locked(membership)
    rows = _connections(membership.tenant_id, membership.user_id)
    if channel_name:
        rows.filter(channel_name=channel_name).delete()
    else:
        newest = rows.order_by("-connected_at", "-pk").values_list("pk", flat=True).first()
        rows.filter(pk=newest).delete()
    _save(presence, _settle(presence, now), now, [])
    _publish(membership.tenant_id, membership.user_id, membership.name, presence)
    return presence


@transaction.atomic
def presence_heartbeat(
    *, membership: Membership, idle: bool = False, channel_name: str = ""
) -> AgentPresence:
    """A sign of life from an open inbox. ``idle`` (no input for a while) makes an online agent away; the
    next active heartbeat brings them back, unless they chose to be away.

    The socket's row is refreshed, or made again if it was deleted as stale while the socket lived on (a
    laptop that slept past the timeout); without a name every row of the agent is refreshed.
    """
    now = timezone.now()
    presence = _locked(membership)
    rows = _connections(membership.tenant_id, membership.user_id)
    if channel_name:
        AgentConnection.objects.for_tenant(membership.tenant_id).update_or_create(
            channel_name=channel_name,
            defaults={"tenant_id": membership.tenant_id, "user_id": membership.user_id, "last_seen_at": now},
        )
    else:
        rows.update(last_seen_at=now)
    presence.last_seen_at = now
    if _save(presence, _settle(presence, now, idle=idle), now, ["last_seen_at"]):
        _publish(membership.tenant_id, membership.user_id, membership.name, presence)
    return presence


@transaction.atomic
def presence_choose(*, membership: Membership, status: str) -> AgentPresence:
    if status not in (AgentPresence.Status.ONLINE, AgentPresence.Status.AWAY):
        raise InvalidInput('status must be "online" or "away".', fields={"status": ["online or away"]})
    now = timezone.now()
    presence = _locked(membership)
    presence.away_by_choice = status == AgentPresence.Status.AWAY
    presence.last_seen_at = now
    _save(presence, _settle(presence, now), now, ["away_by_choice", "last_seen_at"])
    _publish(membership.tenant_id, membership.user_id, membership.name, presence)
    return presence


def presence_connections_expire(now: datetime | None = None) -> int:
    """Delete every connection row not seen within ``PRESENCE_TIMEOUT_SECONDS`` and settle the presence
    of the agents they belonged to (inboxes hear of those who went offline). Returns the rows deleted.

    Safe to call from any process at any interval; each agent is settled in its own transaction.
    """
    now = now or timezone.now()
    stale = AgentConnection.objects.unscoped("the presence sweep covers every tenant").filter(
        last_seen_at__lt=_cutoff(now)
    )
    pairs = set(stale.values_list("tenant_id", "user_id"))
    deleted, _ = stale.delete()
    for tenant_id, user_id in sorted(pairs):
        _presence_resettle(tenant_id=tenant_id, user_id=user_id, now=now)
    return deleted


@transaction.atomic
def _presence_resettle(*, tenant_id: int, user_id: int, now: datetime) -> None:
    presence = AgentPresence.objects.for_tenant(tenant_id).select_for_update().filter(user_id=user_id).first()
    if presence is None:
        return
    if _save(presence, _settle(presence, now), now, []):
        membership = (
            Membership.objects.filter(tenant_id=tenant_id, user_id=user_id).select_related("user").first()
        )
        name = membership.name if membership else ""
        _publish(tenant_id, user_id, name, presence)
