"""Celery tasks of the core: webhook deliveries.

The retry policy lives here: a failed attempt is retried with exponential backoff (30 s, 1 min, 2 min, ...
capped at an hour, with jitter), ``WEBHOOK_MAX_RETRIES`` times. Celery runs the retries of an eager task
(the embedded mode, tests) at once, in the caller's thread, with no wait; so there an attempt is retried
only ``WEBHOOK_EAGER_RETRIES`` times (default 0), or one dead endpoint would hold up the request that
caused the event.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from helpdesk.webhooks import webhook_attempt

MAX_RETRIES = getattr(settings, "WEBHOOK_MAX_RETRIES", 6)


class WebhookAttemptFailed(Exception):
    """This attempt failed and another is allowed: Celery's autoretry schedules it."""


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    autoretry_for=(WebhookAttemptFailed,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def webhook_deliver_task(self, webhook_id: int, delivery_id: str, event: str, body: str) -> bool:
    retries = self.request.retries
    allowed = getattr(settings, "WEBHOOK_EAGER_RETRIES", 0) if self.request.is_eager else self.max_retries
    final = retries >= min(allowed, self.max_retries)
    done = webhook_attempt(
        webhook_id=webhook_id,
        delivery_id=delivery_id,
        event=event,
        body=body,
        attempt=retries + 1,
        final=final,
    )
    if not done and not final:
        raise WebhookAttemptFailed(
            f"webhook {webhook_id} delivery {delivery_id} attempt {retries + 1} failed"
        )
    return done
