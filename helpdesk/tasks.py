"""Celery tasks of the core: webhook deliveries and the outbox sweep.

The retry policy of a delivery lives here: a failed attempt is tried again after an exponential backoff
(30 s, 1 min, 2 min, ... capped at an hour, with jitter), ``WEBHOOK_MAX_RETRIES`` times. The retries are
scheduled by the outbox (:meth:`~helpdesk.outbox.OutboxRun.retry`), not by a broker message held with a
countdown, so a broker that redelivers unacknowledged messages after a minute never duplicates a retry
that is waiting. Every attempt of one delivery carries the same delivery id. A direct call (no outbox
row) makes one attempt.
"""

from __future__ import annotations

import random

from celery import shared_task
from django.conf import settings

from helpdesk.attachments import attachments_unsent_sweep
from helpdesk.outbox import outbox_run, outbox_sweep
from helpdesk.services import bot_conversations_idle_resolve
from helpdesk.webhooks import webhook_attempt

MAX_RETRIES = 6


def webhook_max_retries() -> int:
    return int(getattr(settings, "WEBHOOK_MAX_RETRIES", MAX_RETRIES))


RETRY_BACKOFF = 30
RETRY_BACKOFF_MAX = 3600


def webhook_retry_delay(attempt: int, jitter: float | None = None) -> float:
    """Seconds before the attempt after ``attempt``: 30 s doubling, capped at an hour, with up to 20 %
    jitter so a receiver that comes back is not hit by every queued retry in the same second."""
    base = min(RETRY_BACKOFF * 2 ** max(attempt - 1, 0), RETRY_BACKOFF_MAX)
    return base * (1 - 0.2 * (random.random() if jitter is None else jitter))


@shared_task(acks_late=True, ignore_result=True)
def webhook_deliver_task(
    webhook_id: int, delivery_id: str, event: str, body: str, outbox_id: int | None = None
) -> bool:
    with outbox_run(outbox_id) as run:
        if not run.mine:
            return False
        attempt = run.number
        final = outbox_id is None or attempt > webhook_max_retries()
        done = webhook_attempt(
            webhook_id=webhook_id,
            delivery_id=delivery_id,
            event=event,
            body=body,
            attempt=attempt,
            final=final,
        )
        if not done and not final:
            run.retry(after=webhook_retry_delay(attempt), reason=f"attempt {attempt} failed")
        return done


@shared_task(acks_late=True, ignore_result=True)
def outbox_sweep_task() -> dict[str, int]:
    """Beat's copy of the housekeeping sweep (see helpdesk.outbox)."""
    return outbox_sweep()


@shared_task(ignore_result=True)
def bot_conversations_idle_resolve_task() -> int:
    """Beat's copy of the housekeeping job (both may run it: each row is locked and rechecked)."""
    return bot_conversations_idle_resolve()


@shared_task(ignore_result=True)
def attachments_unsent_sweep_task() -> int:
    """Beat's copy of the housekeeping job (both may run it: each row is locked and rechecked)."""
    return attachments_unsent_sweep()
