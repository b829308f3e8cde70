"""Who counts as online: one definition for presence, routing and assignment."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from inbox.models import AgentConnection, AgentPresence


def online_filter(now=None) -> Q:
    """Presence rows of agents who can take a conversation now: online, with at least one inbox socket
    whose heartbeat is fresh (a socket that died without closing stops counting by itself)."""
    now = now or timezone.now()
    live = AgentConnection.objects.filter(
        tenant_id=OuterRef("tenant_id"),
        user_id=OuterRef("user_id"),
        last_seen_at__gte=now - timedelta(seconds=settings.PRESENCE_TIMEOUT_SECONDS),
    )
    return Q(status=AgentPresence.Status.ONLINE) & Q(Exists(live))
