"""Agents' presence: written by the inbox socket (connect, heartbeat, choice, disconnect)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from helpdesk.errors import InvalidInput
from helpdesk.events import inbox_group, publish_on_commit
from helpdesk.models import Membership
from inbox.assignment import queues_dispatch_for
from inbox.models import AgentPresence


def _presence(membership: Membership) -> AgentPresence:
    presence, _ = AgentPresence.objects.get_or_create(
        tenant_id=membership.tenant_id, user_id=membership.user_id
    )
    return presence


def _publish(membership: Membership, presence: AgentPresence) -> None:
    if presence.status == AgentPresence.Status.ONLINE:
        queues_dispatch_for(tenant_id=membership.tenant_id, user_id=membership.user_id)
    publish_on_commit(
        inbox_group(membership.tenant_id),
        {
            "type": "agent.presence",
            "agent": {"id": membership.user_id, "name": membership.name},
            "status": presence.status,
        },
    )


def _settle(presence: AgentPresence) -> str:
    if presence.connections == 0:
        return AgentPresence.Status.OFFLINE
    return AgentPresence.Status.AWAY if presence.away_by_choice else AgentPresence.Status.ONLINE


@transaction.atomic
def presence_connect(*, membership: Membership) -> AgentPresence:
    _presence(membership)
    presence = AgentPresence.objects.select_for_update().get(
        tenant_id=membership.tenant_id, user_id=membership.user_id
    )
    stale = presence.last_seen_at is None or presence.last_seen_at < timezone.now() - timedelta(
        seconds=settings.PRESENCE_TIMEOUT_SECONDS
    )
    # Counts left by sockets that died without closing are forgotten once their heartbeat is stale.
    presence.connections = (0 if stale else presence.connections) + 1
    presence.last_seen_at = timezone.now()
    presence.status = _settle(presence)
    presence.save(update_fields=["connections", "last_seen_at", "status"])
    _publish(membership, presence)
    return presence


@transaction.atomic
def presence_disconnect(*, membership: Membership) -> AgentPresence:
    AgentPresence.objects.filter(tenant_id=membership.tenant_id, user_id=membership.user_id).update(
        connections=Greatest(F("connections") - 1, 0)
    )
    presence = AgentPresence.objects.select_for_update().get(
        tenant_id=membership.tenant_id, user_id=membership.user_id
    )
    presence.status = _settle(presence)
    presence.save(update_fields=["status"])
    _publish(membership, presence)
    return presence


@transaction.atomic
def presence_heartbeat(*, membership: Membership, idle: bool = False) -> AgentPresence:
    """A sign of life from an open inbox. ``idle`` (no input for a while) makes an online agent away; the
    next active heartbeat brings them back, unless they chose to be away."""
    presence = AgentPresence.objects.select_for_update().get(
        tenant_id=membership.tenant_id, user_id=membership.user_id
    )
    before = presence.status
    presence.last_seen_at = timezone.now()
    presence.status = AgentPresence.Status.AWAY if idle and presence.connections else _settle(presence)
    presence.save(update_fields=["last_seen_at", "status"])
    if presence.status != before:
        _publish(membership, presence)
    return presence


@transaction.atomic
def presence_choose(*, membership: Membership, status: str) -> AgentPresence:
    if status not in (AgentPresence.Status.ONLINE, AgentPresence.Status.AWAY):
        raise InvalidInput('status must be "online" or "away".', fields={"status": ["online or away"]})
    presence = AgentPresence.objects.select_for_update().get(
        tenant_id=membership.tenant_id, user_id=membership.user_id
    )
    presence.away_by_choice = status == AgentPresence.Status.AWAY
    presence.status = _settle(presence)
    presence.last_seen_at = timezone.now()
    presence.save(update_fields=["away_by_choice", "status", "last_seen_at"])
    _publish(membership, presence)
    return presence
