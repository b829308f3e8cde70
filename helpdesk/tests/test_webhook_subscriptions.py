"""Webhook subscriptions are cached (every message asks for them) and the cache never hides a change:
a new, changed, switched-off or deleted webhook is seen by the very next event, and a shared cache that
is down is skipped."""

import pytest

from helpdesk.models import OutboxTask
from helpdesk.shared_cache import cache_outage
from helpdesk.tests.test_degraded_cache import closed_loopback_port
from helpdesk.webhooks import webhook_create, webhook_delete, webhook_emit, webhook_update
from tests.support.db import every_tenant

TASK = "helpdesk.tasks.webhook_deliver_task"


@pytest.fixture
def acme(make_tenant):
    return make_tenant("acme")


def deliveries_after_emit(tenant, event: str = "message.created") -> list[int]:
    """The webhooks one event is queued for (one outbox row each)."""
    every_tenant(OutboxTask).filter(task=TASK).delete()
    webhook_emit(tenant_id=tenant.pk, event=event, data={"message": {"id": 1}})
    return sorted(row.args[0] for row in every_tenant(OutboxTask).filter(task=TASK))


def test_a_webhook_added_after_the_cache_was_filled_gets_the_next_event(acme):
    assert deliveries_after_emit(acme) == []  # fills the cache with "nobody listens"
    hook = webhook_create(tenant=acme, url="https://hooks.example/a", events=["message.created"])
    assert deliveries_after_emit(acme) == [hook.pk]


def test_changed_switched_off_and_deleted_webhooks_are_seen_at_once(acme, make_tenant):
    hook = webhook_create(tenant=acme, url="https://hooks.example/a", events=["message.created"])
    other = webhook_create(
        tenant=make_tenant("globex"), url="https://hooks.example/g", events=["message.created"]
    )
    assert deliveries_after_emit(acme) == [hook.pk]

    webhook_update(webhook=hook, events=["handoff.created"])
    assert deliveries_after_emit(acme) == []
    assert deliveries_after_emit(acme, "handoff.created") == [hook.pk]

    webhook_update(webhook=hook, active=False)
    assert deliveries_after_emit(acme, "handoff.created") == []

    webhook_update(webhook=hook, active=True)
    assert deliveries_after_emit(acme, "handoff.created") == [hook.pk]
    webhook_delete(webhook=hook)
    assert deliveries_after_emit(acme, "handoff.created") == []
    assert other.pk not in deliveries_after_emit(acme)


def test_with_the_shared_cache_down_subscriptions_are_read_from_the_database(acme, settings):
    hook = webhook_create(tenant=acme, url="https://hooks.example/a", events=["message.created"])
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_loopback_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    cache_outage.reset()
    try:
        assert deliveries_after_emit(acme) == [hook.pk]
        assert cache_outage.is_down()
        assert deliveries_after_emit(acme) == [hook.pk]
    finally:
        cache_outage.reset()
