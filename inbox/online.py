"""Who counts as online: one definition for presence, routing and assignment."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from inbox.models import AgentPresence


def online_filter(now=None) -> Q:
    """Presence rows of agents who can take a conversation now: online with a fresh heartbeat."""
    now = now or timezone.now()
    return Q(
        status=AgentPresence.Status.ONLINE,
        connections__gt=0,
        last_seen_at__gte=now - timedelta(seconds=settings.PRESENCE_TIMEOUT_SECONDS),
    )
