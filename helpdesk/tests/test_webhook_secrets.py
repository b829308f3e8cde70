"""A webhook's signing secret is shown once: in the admin's message after adding it or rotating it, and in
the API's answer that creates or rotates it. Pages, lists and other answers only say that one is set."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from helpdesk.models import Membership, Webhook
from helpdesk.tests.api_support import client_for, key_for
from helpdesk.webhooks import webhook_create
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def globex(make_tenant):
    return make_tenant("globex")


def staff_admin(make_agent, tenant, username: str) -> Membership:
    membership = make_agent(tenant, username, role=Membership.Role.ADMIN)
    membership.user.is_staff = True
    membership.user.save()
    return membership


@pytest.fixture
def ada(acme, make_agent):
    return staff_admin(make_agent, acme, "ada")


@pytest.fixture
def hook(acme):
    return webhook_create(tenant=acme, url="https://crm.example/hooks", events=["ticket.created"])


def shown_secrets(response) -> list[str]:
    words = (word for message in get_messages(response.wsgi_request) for word in str(message).split())
    return [word for word in words if word.startswith("whsec_")]


# Django admin --------------------------------------------------------------------------------------------


def test_an_admin_adds_a_webhook_and_sees_its_secret_once(client, ada):
    client.force_login(ada.user)

    added = client.post(
        reverse("admin:helpdesk_webhook_add"),
        {"url": "https://crm.example/hooks", "events": ["ticket.created"], "active": "on"},
        follow=True,
    )

    webhook = every_tenant(Webhook).get()
    assert webhook.tenant_id == ada.tenant_id
    assert shown_secrets(added) == [webhook.secret]
    assert webhook.secret.encode() in added.content  # the message on the page after the add
    change = client.get(reverse("admin:helpdesk_webhook_change", args=[webhook.pk]))
    listing = client.get(reverse("admin:helpdesk_webhook_changelist"))
    assert change.status_code == listing.status_code == 200
    assert webhook.secret.encode() not in change.content
    assert b"Signing secret" in change.content
    assert webhook.secret.encode() not in listing.content


def test_saving_a_webhook_again_keeps_its_secret_and_shows_nothing(client, ada, hook):
    client.force_login(ada.user)

    saved = client.post(
        reverse("admin:helpdesk_webhook_change", args=[hook.pk]),
        {
            "url": "https://crm.example/v2/hooks",
            "events": ["ticket.created", "ticket.updated"],
            "active": "on",
        },
        follow=True,
    )

    assert saved.status_code == 200
    assert shown_secrets(saved) == []
    stored = every_tenant(Webhook).get(pk=hook.pk)
    assert (stored.url, stored.secret) == ("https://crm.example/v2/hooks", hook.secret)
    assert hook.secret.encode() not in saved.content


def test_the_rotate_action_replaces_the_secret_and_shows_the_new_one_once(client, ada, hook):
    client.force_login(ada.user)

    rotated = client.post(
        reverse("admin:helpdesk_webhook_changelist"),
        {"action": "rotate_secret", "_selected_action": [hook.pk]},
        follow=True,
    )

    stored = every_tenant(Webhook).get(pk=hook.pk)
    assert stored.secret != hook.secret
    assert shown_secrets(rotated) == [stored.secret]
    again = client.get(reverse("admin:helpdesk_webhook_changelist"))
    assert stored.secret.encode() not in again.content
    assert (
        stored.secret.encode()
        not in client.get(reverse("admin:helpdesk_webhook_change", args=[hook.pk])).content
    )


def test_bad_webhook_input_in_admin_makes_nothing_and_shows_no_secret(client, ada):
    client.force_login(ada.user)

    response = client.post(
        reverse("admin:helpdesk_webhook_add"), {"url": "not a url", "events": ["nope"]}, follow=True
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"url", "events"}
    assert shown_secrets(response) == []
    assert not every_tenant(Webhook).exists()


def test_another_tenants_admin_can_neither_open_nor_rotate_the_webhook(client, globex, make_agent, hook):
    outsider = staff_admin(make_agent, globex, "gus")
    client.force_login(outsider.user)

    page = client.get(reverse("admin:helpdesk_webhook_change", args=[hook.pk]))
    rotated = client.post(
        reverse("admin:helpdesk_webhook_changelist"),
        {"action": "rotate_secret", "_selected_action": [hook.pk]},
        follow=True,
    )

    assert page.status_code == 302
    assert shown_secrets(rotated) == []
    assert hook.secret.encode() not in rotated.content
    assert every_tenant(Webhook).get(pk=hook.pk).secret == hook.secret


# The API ----------------------------------------------------------------------------------------------


def test_the_api_shows_the_secret_only_when_it_makes_or_rotates_one(acme):
    client = client_for(key_for(acme))
    created = client.post(
        "/api/v1/webhooks/", {"url": "https://crm.example/hooks", "events": ["ticket.created"]}, format="json"
    ).json()
    url = f"/api/v1/webhooks/{created['id']}/"
    assert created["secret"] == every_tenant(Webhook).get().secret

    answers = [
        client.get("/api/v1/webhooks/"),
        client.get(url),
        client.patch(url, {"description": "CRM"}, format="json"),
        client.get(f"{url}deliveries/"),
    ]

    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    for answer in answers:
        assert created["secret"] not in answer.content.decode()
        assert "secret" not in answer.content.decode()
    rotated = client.post(f"{url}rotate-secret/").json()
    assert rotated["secret"] == every_tenant(Webhook).get().secret != created["secret"]
    assert rotated["secret"] not in client.get(url).content.decode()


def test_another_tenants_key_cannot_read_change_or_rotate_the_webhook(globex, hook):
    client = client_for(key_for(globex))
    url = f"/api/v1/webhooks/{hook.pk}/"

    answers = [
        client.get(url),
        client.patch(url, {"url": "https://evil.example/"}, format="json"),
        client.post(f"{url}rotate-secret/"),
        client.delete(url),
    ]

    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert all(hook.secret not in a.content.decode() for a in answers)
    stored = every_tenant(Webhook).get(pk=hook.pk)
    assert (stored.url, stored.secret) == (hook.url, hook.secret)


@pytest.mark.parametrize("webhook_id", ["999999", "abc"])
def test_rotating_a_webhook_that_does_not_exist_is_a_404(acme, webhook_id):
    response = client_for(key_for(acme)).post(f"/api/v1/webhooks/{webhook_id}/rotate-secret/")
    assert response.status_code == 404
