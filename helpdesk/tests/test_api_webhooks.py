"""Webhooks: signed deliveries after commit to a real HTTP receiver on 127.0.0.1, retries, the delivery
log, switching off after repeated failure (admins emailed), and the API that manages them.

The signature is checked by an implementation written here from the documentation, with ``hmac``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.utils import timezone

from helpdesk.models import ApiKey, Membership, OutboxTask, Webhook, WebhookDelivery
from helpdesk.outbox import outbox_sweep
from helpdesk.tasks import MAX_RETRIES, webhook_deliver_task, webhook_retry_delay
from helpdesk.tests.api_support import client_for, key_for
from helpdesk.webhooks import webhook_create, webhook_emit
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


class Receiver:
    """A local endpoint that records what it is sent and answers with the statuses it is told."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"nope")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def acme(make_tenant):
    return make_tenant("acme")


def verify(secret: str, headers: dict, body: bytes, tolerance: int = 300) -> bool:
    """The README's receiver check, written independently of ``helpdesk.webhooks``."""
    timestamp = headers["X-Helpdesk-Timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(timestamp)) <= tolerance
    return fresh and hmac.compare_digest(expected, headers["X-Helpdesk-Signature"])


def emit(capture, tenant, event="message.created", data=None) -> None:
    with capture(execute=True):
        webhook_emit(tenant_id=tenant.pk, event=event, data=data or {"message": {"id": 1, "body": "Hi"}})


def test_a_delivery_is_signed_so_the_receiver_can_verify_it(
    receiver, acme, django_capture_on_commit_callbacks
):
    webhook = webhook_create(tenant=acme, url=receiver.url, events=["message.created"])
    emit(django_capture_on_commit_callbacks, acme, data={"message": {"id": 7, "body": "Héllo"}})
    (request,) = receiver.requests
    headers, body = request["headers"], request["body"]
    assert verify(webhook.secret, headers, body)
    assert not verify("whsec_wrong", headers, body)
    assert not verify(webhook.secret, headers, body + b" ")
    assert headers["X-Helpdesk-Event"] == "message.created"
    assert headers["Content-Type"] == "application/json"
    payload = json.loads(body)
    assert payload["event"] == "message.created"
    assert payload["tenant_id"] == acme.pk
    assert payload["data"] == {"message": {"id": 7, "body": "Héllo"}}
    delivery = every_tenant(WebhookDelivery).get()
    assert str(delivery.delivery_id) == headers["X-Helpdesk-Delivery"]
    assert (delivery.status_code, delivery.succeeded, delivery.final, delivery.attempt) == (
        200,
        True,
        True,
        1,
    )
    assert delivery.response_excerpt == "ok"
    assert delivery.duration_ms is not None


def test_nothing_is_sent_before_commit_or_when_the_transaction_rolls_back(
    receiver, acme, django_capture_on_commit_callbacks
):
    webhook_create(tenant=acme, url=receiver.url, events=["message.created"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        webhook_emit(tenant_id=acme.pk, event="message.created", data={})
    assert receiver.requests == []
    assert len(callbacks) == 1


def test_only_the_tenants_active_subscribed_webhooks_get_an_event(
    receiver, acme, make_tenant, django_capture_on_commit_callbacks
):
    subscribed = webhook_create(tenant=acme, url=receiver.url + "/a", events=["handoff.created"])
    webhook_create(tenant=acme, url=receiver.url + "/b", events=["ticket.created"])
    off = webhook_create(tenant=acme, url=receiver.url + "/c", events=["handoff.created"])
    every_tenant(Webhook).filter(pk=off.pk).update(active=False)
    webhook_create(tenant=make_tenant("globex"), url=receiver.url + "/d", events=["handoff.created"])
    emit(django_capture_on_commit_callbacks, acme, event="handoff.created")
    assert [r["headers"]["X-Helpdesk-Event"] for r in receiver.requests] == ["handoff.created"]
    assert list(every_tenant(WebhookDelivery).values_list("webhook_id", flat=True)) == [subscribed.pk]


def test_a_failed_attempt_is_retried_under_one_delivery_id_and_every_attempt_is_logged(
    receiver, acme, django_capture_on_commit_callbacks
):
    # Given an endpoint that fails twice, then answers
    webhook = webhook_create(tenant=acme, url=receiver.url, events=["message.created"])
    receiver.statuses = [500, 503, 200]
    emit(django_capture_on_commit_callbacks, acme)
    row = every_tenant(OutboxTask).get(task="helpdesk.tasks.webhook_deliver_task")
    assert row.done_at is None and row.due_at > timezone.now() + timedelta(seconds=20)

    # When the outbox sweep runs as each retry comes due (nothing is due before)
    assert outbox_sweep()["dispatched"] == 0
    for _ in range(2):
        row.refresh_from_db()
        outbox_sweep(now=row.due_at + timedelta(seconds=1))

    # Then three attempts, one delivery id, and the webhook is healthy
    attempts = list(every_tenant(WebhookDelivery).order_by("attempt"))
    assert [(d.attempt, d.status_code, d.succeeded, d.final) for d in attempts] == [
        (1, 500, False, False),
        (2, 503, False, False),
        (3, 200, True, True),
    ]
    assert len({d.delivery_id for d in attempts}) == 1
    assert {r["headers"]["X-Helpdesk-Delivery"] for r in receiver.requests} == {str(attempts[0].delivery_id)}
    assert attempts[0].error == "HTTP 500"
    webhook.refresh_from_db()
    assert webhook.consecutive_failures == 0
    row.refresh_from_db()
    assert (row.outcome, row.runs) == (OutboxTask.Outcome.DONE, 3)


def test_the_retry_policy_backs_off_exponentially_for_about_six_retries():
    assert MAX_RETRIES == 6
    assert [round(webhook_retry_delay(n, jitter=0)) for n in range(1, 9)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
    ]
    assert 24 <= webhook_retry_delay(1) <= 30
    assert webhook_deliver_task.acks_late is True


def test_repeated_failed_deliveries_switch_the_webhook_off_and_email_the_admins(
    receiver, acme, settings, make_agent, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_RETRIES = 0  # each delivery's first attempt is its last
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    for username, role in (("ada", Membership.Role.ADMIN), ("bob", Membership.Role.AGENT)):
        user = make_agent(acme, username, role=role).user
        user.email = f"{username}@acme.example"
        user.save()
    webhook = webhook_create(tenant=acme, url=receiver.url, events=["message.created"])
    receiver.statuses = [500] * 10
    for _ in range(3):
        emit(django_capture_on_commit_callbacks, acme)
    webhook.refresh_from_db()
    assert (webhook.active, webhook.consecutive_failures) == (False, 3)
    assert webhook.disabled_at is not None
    (email,) = mail.outbox
    assert email.to == ["ada@acme.example"]
    assert webhook.url in email.subject
    emit(django_capture_on_commit_callbacks, acme)
    assert len(receiver.requests) == 3


def test_a_success_resets_the_failure_count(receiver, acme, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_MAX_RETRIES = 0
    webhook = webhook_create(tenant=acme, url=receiver.url, events=["message.created"])
    receiver.statuses = [500, 500, 200]
    for _ in range(3):
        emit(django_capture_on_commit_callbacks, acme)
    webhook.refresh_from_db()
    assert (webhook.active, webhook.consecutive_failures) == (True, 0)


def test_an_unreachable_endpoint_is_logged_as_an_error(acme, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    closed = Receiver()
    closed.close()
    webhook_create(tenant=acme, url=closed.url, events=["message.created"])
    emit(django_capture_on_commit_callbacks, acme)
    delivery = every_tenant(WebhookDelivery).get()
    assert delivery.status_code is None
    assert delivery.error.startswith("ConnectError")
    # Not the last attempt: the outbox retries it later.
    assert (delivery.succeeded, delivery.final) == (False, False)


def test_the_servers_own_network_is_refused_unless_allowed(
    receiver, acme, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    webhook_create(tenant=acme, url=receiver.url, events=["message.created"])
    emit(django_capture_on_commit_callbacks, acme)
    assert receiver.requests == []
    assert every_tenant(WebhookDelivery).get().error.startswith("UnsafeDestination")


def test_an_unknown_event_is_a_programming_error(acme):
    with pytest.raises(ValueError, match="unknown webhook event"):
        webhook_emit(tenant_id=acme.pk, event="message.deleted", data={})


def test_data_json_cannot_hold_is_dropped_without_failing_the_write(acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        webhook_emit(tenant_id=acme.pk, event="message.created", data={"oops": object()})
    assert callbacks == []


# The API of webhooks -------------------------------------------------------------------------------------


def test_a_webhook_made_through_the_api_shows_its_secret_once(acme):
    client = client_for(key_for(acme))
    created = client.post(
        "/api/v1/webhooks/",
        {"url": "https://crm.example/hooks", "events": ["ticket.created", "handoff.created"]},
        format="json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["secret"] == every_tenant(Webhook).get().secret
    assert body["events"] == ["handoff.created", "ticket.created"]
    shown = client.get(f"/api/v1/webhooks/{body['id']}/").json()
    assert "secret" not in shown
    assert all("secret" not in row for row in client.get("/api/v1/webhooks/").json()["results"])
    rotated = client.post(f"/api/v1/webhooks/{body['id']}/rotate-secret/").json()
    assert rotated["secret"] not in (body["secret"], "")


def test_bad_webhook_input_names_the_fields(acme):
    response = client_for(key_for(acme)).post(
        "/api/v1/webhooks/", {"url": "ftp://x.example/", "events": ["nope"]}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"url", "events.0"}
    assert not every_tenant(Webhook).exists()


def test_switching_a_disabled_webhook_on_again_forgets_its_failures(acme):
    webhook = webhook_create(tenant=acme, url="https://crm.example/hooks", events=["ticket.updated"])
    every_tenant(Webhook).filter(pk=webhook.pk).update(active=False, consecutive_failures=10)
    response = client_for(key_for(acme)).patch(
        f"/api/v1/webhooks/{webhook.pk}/", {"active": True}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["active"], response.json()["consecutive_failures"]) == (True, 0)


def test_the_delivery_log_lists_attempts_newest_first(receiver, acme, django_capture_on_commit_callbacks):
    webhook = webhook_create(tenant=acme, url=receiver.url, events=["message.created"])
    receiver.statuses = [500, 200]
    emit(django_capture_on_commit_callbacks, acme)
    emit(django_capture_on_commit_callbacks, acme)
    rows = (
        client_for(key_for(acme, ApiKey.Scope.READ)).get(f"/api/v1/webhooks/{webhook.pk}/deliveries/").json()
    )
    assert [(r["status_code"], r["succeeded"]) for r in rows["results"]] == [(200, True), (500, False)]


def test_webhooks_are_for_admins_only(acme, make_agent):
    agent, admin = make_agent(acme, "bob"), make_agent(acme, "ada", role=Membership.Role.ADMIN)
    client = client_for(None)
    client.force_login(agent.user)
    assert client.get("/api/v1/webhooks/").status_code == 403
    client.force_login(admin.user)
    assert client.get("/api/v1/webhooks/").status_code == 200
