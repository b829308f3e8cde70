"""Webhooks: tell an integrator's endpoint what happened, signed, after commit, retried, logged.

Services call :func:`webhook_emit` inside their transaction; once it commits, one Celery task per active
subscribed webhook POSTs the JSON body (``helpdesk.tasks.webhook_deliver_task``). Every attempt is a
:class:`~helpdesk.models.WebhookDelivery` row. A delivery whose retries are all spent counts as one
failure; ``WEBHOOK_DISABLE_AFTER_FAILURES`` failures in a row switch the webhook off and email the
tenant's admins. Any success resets the count.

Each request carries:

- ``X-Helpdesk-Event``: the event name;
- ``X-Helpdesk-Delivery``: a UUID, the same on every retry of one delivery (receivers dedupe on it: a task
  a worker lost mid-request runs again);
- ``X-Helpdesk-Timestamp``: Unix seconds when this attempt was signed;
- ``X-Helpdesk-Signature``: hex HMAC-SHA256 of ``f"{timestamp}.{body}"`` keyed with the webhook's secret.

The body is ``{"id", "event", "created_at", "tenant_id", "data"}``; ``id`` names the event (the same for
every webhook it goes to).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx2
from django.conf import settings
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from helpdesk.errors import InvalidInput
from helpdesk.models import Membership, Tenant, Webhook, WebhookDelivery, WebhookEvent
from helpdesk.outbox import outbox_add
from helpdesk.shared_cache import MISSING, shared_delete, shared_get, shared_set

logger = logging.getLogger(__name__)

EVENTS: tuple[str, ...] = tuple(WebhookEvent.values)
EXCERPT_CHARS = 500
USER_AGENT = "Helpdesk-Webhooks/1"


def _setting(name: str, default):
    return getattr(settings, name, default)


def webhook_signature(*, secret: str, timestamp: str, body: str) -> str:
    """What a receiver recomputes to trust a request (see the module docstring)."""
    return hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()


def webhook_secret_new() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def events_clean(events) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        raise InvalidInput(
            "Subscribe to at least one event.", fields={"events": [f"Some of {', '.join(EVENTS)}."]}
        )
    unknown = sorted({str(e) for e in events} - set(EVENTS))
    if unknown:
        raise InvalidInput(
            f"Unknown events: {', '.join(unknown)}.", fields={"events": [f"Some of {', '.join(EVENTS)}."]}
        )
    return [e for e in EVENTS if e in events]


@transaction.atomic
def webhook_create(*, tenant: Tenant, url: str, events: list[str], description: str = "") -> Webhook:
    """A new, active webhook with a fresh secret (the caller shows it once)."""
    return Webhook.objects.create(
        tenant=tenant,
        url=url,
        events=events_clean(events),
        description=description,
        secret=webhook_secret_new(),
    )


@transaction.atomic
def webhook_update(*, webhook: Webhook, **changes) -> Webhook:
    """Change a webhook. Switching it on again forgets its failures, so it gets a full allowance."""
    if "events" in changes:
        changes["events"] = events_clean(changes["events"])
    if changes.get("active") and not webhook.active:
        changes.update(consecutive_failures=0, disabled_at=None)
    for field, value in changes.items():
        setattr(webhook, field, value)
    webhook.save()
    return webhook


@transaction.atomic
def webhook_secret_rotate(*, webhook: Webhook) -> Webhook:
    """A new secret, in force for the next attempt (retries of older deliveries are signed with it too)."""
    webhook.secret = webhook_secret_new()
    webhook.save(update_fields=["secret", "updated_at"])
    return webhook


@transaction.atomic
def webhook_delete(*, webhook: Webhook) -> None:
    webhook.delete()


SUBSCRIPTIONS_CACHE_SECONDS = 60


def _subscriptions_key(tenant_id: int) -> str:
    return f"webhooks.subscriptions.{tenant_id}"


def _subscriptions(tenant_id: int) -> list[tuple[int, list[str]]]:
    """The tenant's active webhooks and their events, from the shared cache when it has them.

    Every message asks this (most tenants have no webhook), so it is cached; any save or delete of a
    webhook forgets it (:func:`webhook_subscriptions_forget`). A cache that is down is skipped.
    """
    key = _subscriptions_key(tenant_id)
    cached = shared_get(key)
    if cached is not MISSING:
        return cached
    rows = Webhook.objects.for_tenant(tenant_id).filter(active=True).values_list("pk", "events")
    subscriptions = [(pk, list(events or [])) for pk, events in rows]
    shared_set(key, subscriptions, SUBSCRIPTIONS_CACHE_SECONDS)
    return subscriptions


@receiver(post_save, sender=Webhook)
@receiver(post_delete, sender=Webhook)
def webhook_subscriptions_forget(sender, instance: Webhook, **kwargs) -> None:
    """Any change to a webhook (API, admin, switched off after failures) is seen by the next event, here
    and, once the transaction commits, in every other process."""
    key = _subscriptions_key(instance.tenant_id)
    shared_delete(key)
    transaction.on_commit(lambda: shared_delete(key))


def webhooks_subscribed(*, tenant_id: int, event: str) -> list[int]:
    """The ids of the tenant's active webhooks that subscribe to ``event``."""
    return [pk for pk, events in _subscriptions(tenant_id) if event in events]


def webhook_wanted(*, tenant_id: int, event: str) -> bool:
    """Whether an active webhook of the tenant subscribes to ``event``."""
    return bool(webhooks_subscribed(tenant_id=tenant_id, event=event))


def webhook_emit(*, tenant_id: int, event: str, data: dict | Callable[[], dict]) -> None:
    """Deliver ``event`` with ``data`` to the tenant's subscribed webhooks once the transaction commits.

    ``data`` may be a function, called only when some webhook wants the event, so busy writes (every
    message) cost one query when nobody listens. It is serialized now, so it says what was true when the
    event happened. A value JSON cannot hold is logged and the event dropped: a webhook must never undo or
    block the write that caused it.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    hooks = webhooks_subscribed(tenant_id=tenant_id, event=event)
    if not hooks:
        return
    if callable(data):
        data = data()
    envelope = {
        "id": str(uuid.uuid4()),
        "event": event,
        "created_at": timezone.now().isoformat(),
        "tenant_id": tenant_id,
        "data": data,
    }
    try:
        body = json.dumps(envelope, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        logger.exception("Webhook event %s of tenant %s cannot be serialized", event, tenant_id)
        return
    for webhook_id in hooks:
        delivery_id = str(uuid.uuid4())
        # One outbox row per delivery, written with the change: a broker outage cannot lose it.
        outbox_add(
            tenant_id=tenant_id,
            task="helpdesk.tasks.webhook_deliver_task",
            args=[webhook_id, delivery_id, event, body],
            key=f"webhook:{delivery_id}",
        )


class UnsafeDestination(Exception):
    """The URL resolves to an address of this network (loopback, private, link-local, ...)."""


def destination_check(url: str) -> None:
    """Refuse to POST into the server's own network unless ``WEBHOOK_ALLOW_PRIVATE_HOSTS`` (the default in
    debug, so a local receiver works in the embedded mode). Checked at each attempt, when DNS is asked."""
    if _setting("WEBHOOK_ALLOW_PRIVATE_HOSTS", settings.DEBUG):
        return
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeDestination(f"cannot resolve {parts.hostname}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            raise UnsafeDestination(f"{parts.hostname} resolves to a non-public address")


def http_client() -> httpx2.Client:
    """The HTTP client of every attempt (tests point ``WEBHOOK_*`` settings at a local receiver)."""
    return httpx2.Client(
        timeout=_setting("WEBHOOK_TIMEOUT_SECONDS", 5.0),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": USER_AGENT},
    )


def _post(url: str, headers: dict[str, str], body: str) -> tuple[int, str]:
    """POST and read at most a small excerpt of the answer: a receiver cannot make us read megabytes."""
    destination_check(url)
    with (
        http_client() as client,
        client.stream("POST", url, content=body.encode("utf-8"), headers=headers) as response,
    ):
        excerpt = b""
        for chunk in response.iter_bytes():
            excerpt += chunk
            if len(excerpt) >= EXCERPT_CHARS:
                break
        return response.status_code, excerpt[:EXCERPT_CHARS].decode("utf-8", errors="replace")


def webhook_attempt(
    *, webhook_id: int, delivery_id: str, event: str, body: str, attempt: int, final: bool
) -> bool:
    """Make one attempt and log it. Returns whether the delivery is done (delivered, or nothing to do).

    ``final`` says no retry follows, so a failure now counts against the webhook.
    """
    webhook = (
        Webhook.objects.unscoped("a queued delivery names its webhook by id").filter(pk=webhook_id).first()
    )
    if webhook is None or not webhook.active:
        return True
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Helpdesk-Event": event,
        "X-Helpdesk-Delivery": delivery_id,
        "X-Helpdesk-Timestamp": timestamp,
        "X-Helpdesk-Signature": webhook_signature(secret=webhook.secret, timestamp=timestamp, body=body),
    }
    status_code, excerpt, error = None, "", ""
    started = time.monotonic()
    try:
        status_code, excerpt = _post(webhook.url, headers, body)
    except (httpx2.HTTPError, UnsafeDestination, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    duration_ms = round((time.monotonic() - started) * 1000)
    ok = status_code is not None and 200 <= status_code < 300
    if not ok and not error:
        error = f"HTTP {status_code}"
    WebhookDelivery.objects.create(
        tenant_id=webhook.tenant_id,
        webhook=webhook,
        delivery_id=delivery_id,
        event=event,
        attempt=attempt,
        request_body=body,
        status_code=status_code,
        response_excerpt=excerpt,
        error=error,
        duration_ms=duration_ms,
        succeeded=ok,
        final=ok or final,
    )
    if ok:
        Webhook.objects.for_tenant(webhook.tenant_id).filter(
            pk=webhook.pk, consecutive_failures__gt=0
        ).update(consecutive_failures=0)
    elif final:
        webhook_delivery_failed(webhook_id=webhook.pk)
    return ok


@transaction.atomic
def webhook_delivery_failed(*, webhook_id: int) -> Webhook:
    """Count a delivery that failed for good; at the limit switch the webhook off and tell the admins."""
    webhooks = Webhook.objects.unscoped("a failed delivery names its webhook by id")
    webhooks.filter(pk=webhook_id).update(consecutive_failures=F("consecutive_failures") + 1)
    webhook = webhooks.select_for_update().get(pk=webhook_id)
    if webhook.active and webhook.consecutive_failures >= _setting("WEBHOOK_DISABLE_AFTER_FAILURES", 10):
        webhook.active = False
        webhook.disabled_at = timezone.now()
        webhook.save(update_fields=["active", "disabled_at", "updated_at"])
        transaction.on_commit(lambda: webhook_disabled_notify(webhook=webhook), robust=True)
    return webhook


def webhook_disabled_notify(*, webhook: Webhook) -> int:
    """Email the tenant's admins that a webhook was switched off. Returns how many were emailed."""
    recipients = sorted(
        {
            m.user.email
            for m in Membership.objects.for_tenant(webhook.tenant_id)
            .filter(role=Membership.Role.ADMIN)
            .select_related("user")
            if m.user.email
        }
    )
    if not recipients:
        return 0
    send_mail(
        subject=f"Webhook switched off: {webhook.url}",
        message=(
            f"The webhook {webhook.url} failed {webhook.consecutive_failures} deliveries in a row, each "
            "after all its retries, so the helpdesk stopped sending to it.\n\n"
            f"See the delivery log (GET /api/v1/webhooks/{webhook.pk}/deliveries/, or the admin) for the "
            "errors, fix the endpoint, then switch the webhook on again (PATCH it with active=true).\n"
        ),
        from_email=None,
        recipient_list=recipients,
    )
    return len(recipients)
