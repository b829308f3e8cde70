"""Periodic work of the handoff engine (run by Celery beat; see CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from handoff.services import pickup_deadline_apply
from helpdesk.models import Conversation


@shared_task(acks_late=True, ignore_result=True)
def pickup_deadlines_check() -> int:
    """Apply the pickup deadline to every waiting conversation; returns how many were acted on."""
    now = timezone.now()
    acted = 0
    waiting = (
        Conversation.objects.unscoped("the deadline sweep covers every tenant")
        .waiting()
        .filter(queue__isnull=False)
        .values_list("pk", flat=True)
    )
    for conversation_id in waiting.iterator():
        if pickup_deadline_apply(conversation_id=conversation_id, now=now):
            acted += 1
    return acted
