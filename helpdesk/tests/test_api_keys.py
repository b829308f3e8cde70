"""API keys: shown once, stored hashed, scoped, stamped when used, revoked through the API and admin; and
who may use the API at all (keys, agents' sessions)."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from helpdesk.api_keys import KEY_PREFIX, api_key_authenticate, api_key_create
from helpdesk.models import ApiKey, Contact, Membership
from helpdesk.tests.api_support import client_for, key_for
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(make_tenant):
    return make_tenant("acme")


def test_a_key_is_shown_once_and_stored_only_as_a_hash(acme):
    client = client_for(key_for(acme))
    response = client.post("/api/v1/api-keys/", {"name": "CRM sync", "scope": "read"}, format="json")
    assert response.status_code == 201
    body = response.json()
    raw = body["key"]
    assert raw.startswith(KEY_PREFIX) and raw.startswith(body["prefix"])
    stored = every_tenant(ApiKey).get(pk=body["id"])
    assert stored.secret_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(every_tenant(ApiKey).filter(pk=stored.pk).values().get())
    again = client.get(f"/api/v1/api-keys/{stored.pk}/").json()
    assert "key" not in again
    assert again["prefix"] == body["prefix"] and again["scope"] == "read"


def test_a_key_works_for_its_tenant_and_stamps_its_last_use(acme, make_bot):
    make_bot(acme)
    key, raw = api_key_create(tenant=acme, name="ops", scope=ApiKey.Scope.READ)
    assert key.last_used_at is None
    response = client_for(raw).get("/api/v1/bots/")
    assert response.status_code == 200
    assert [b["name"] for b in response.json()["results"]] == ["Spoke"]
    key.refresh_from_db()
    assert key.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        "Bearer hdk_live_nope",
        "Bearer",
        "Bearer a b",
        "Token abc",
        "Bearer hdk_live_0123456789abXXXXXXXXXXXXXX",
    ],
)
def test_a_wrong_key_is_a_401(acme, header):
    key_for(acme)
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/contacts/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] in ("authentication_failed", "not_authenticated")


def test_a_key_with_a_right_prefix_and_a_wrong_secret_is_refused(acme):
    raw = key_for(acme)
    forged = raw[:-4] + ("AAAA" if not raw.endswith("AAAA") else "BBBB")
    assert api_key_authenticate(forged) is None
    assert client_for(forged).get("/api/v1/contacts/").status_code == 401


def test_a_revoked_key_stops_working_at_once(acme):
    admin_raw = key_for(acme)
    victim, victim_raw = api_key_create(tenant=acme, name="old", scope=ApiKey.Scope.READ_WRITE)
    assert client_for(victim_raw).get("/api/v1/contacts/").status_code == 200
    response = client_for(admin_raw).post(f"/api/v1/api-keys/{victim.pk}/revoke/")
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert client_for(victim_raw).get("/api/v1/contacts/").status_code == 401
    listed = client_for(admin_raw).get("/api/v1/api-keys/").json()["results"]
    assert {k["name"] for k in listed} == {"test", "old"}


def test_a_read_only_key_reads_but_may_not_write(acme):
    client = client_for(key_for(acme, ApiKey.Scope.READ))
    assert client.get("/api/v1/contacts/").status_code == 200
    response = client.post("/api/v1/contacts/", {"email": "pat@example.com"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "permission_denied",
        "message": "This API key is read-only.",
        "fields": {},
    }
    assert not every_tenant(Contact).exists()


def test_an_agents_session_works_and_agents_may_not_change_settings(acme, make_agent, make_bot):
    bot = make_bot(acme)
    agent = make_agent(acme, "bob")
    client = client_for(None)
    client.force_login(agent.user)
    assert client.get("/api/v1/bots/").status_code == 200
    assert client.patch(f"/api/v1/bots/{bot.pk}/", {"name": "X"}, format="json").status_code == 403
    assert client.get("/api/v1/api-keys/").status_code == 403
    assert client.post("/api/v1/contacts/", {"email": "pat@example.com"}, format="json").status_code == 201
    bot.refresh_from_db()
    assert bot.name == "Spoke"


def test_an_admins_session_makes_keys_in_its_own_tenant(acme, make_agent, make_tenant):
    admin = make_agent(acme, "ada", role=Membership.Role.ADMIN)
    make_tenant("globex")
    client = client_for(None)
    client.force_login(admin.user)
    response = client.post(
        "/api/v1/api-keys/", {"name": "from the inbox", "scope": "read_write"}, format="json"
    )
    assert response.status_code == 201
    key = every_tenant(ApiKey).get(pk=response.json()["id"])
    assert (key.tenant_id, key.created_by_id) == (acme.pk, admin.user_id)


def test_a_logged_in_user_of_no_tenant_is_refused(db, django_user_model):
    client = client_for(None)
    client.force_login(django_user_model.objects.create_user("nobody", password="pw"))
    response = client.get("/api/v1/contacts/")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "You are not a member of any company."


def test_a_session_write_needs_the_csrf_token(acme, make_agent):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(make_agent(acme, "bob").user)
    response = client.post("/api/v1/contacts/", {"email": "pat@example.com"}, format="json")
    assert response.status_code == 403
    assert not every_tenant(Contact).exists()


def test_an_admin_makes_a_key_in_django_admin_and_sees_it_once(client, acme, make_agent):
    admin = make_agent(acme, "ada", role=Membership.Role.ADMIN)
    admin.user.is_staff = True
    admin.user.save()
    client.force_login(admin.user)
    response = client.post(
        reverse("admin:helpdesk_apikey_add"), {"name": "Zapier", "scope": "read_write"}, follow=True
    )
    assert response.status_code == 200
    key = every_tenant(ApiKey).get()
    assert (key.tenant_id, key.name, key.created_by_id) == (acme.pk, "Zapier", admin.user_id)
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    raw = next(word for text in shown for word in text.split() if word.startswith(KEY_PREFIX))
    assert api_key_authenticate(raw) == key
    page = client.get(reverse("admin:helpdesk_apikey_change", args=[key.pk])).content.decode()
    assert raw not in page and key.prefix in page


def test_an_admin_revokes_keys_with_an_action(client, acme, make_agent):
    admin = make_agent(acme, "ada", role=Membership.Role.ADMIN)
    admin.user.is_staff = True
    admin.user.save()
    key, raw = api_key_create(tenant=acme, name="old")
    client.force_login(admin.user)
    client.post(
        reverse("admin:helpdesk_apikey_changelist"),
        {"action": "revoke", "_selected_action": [key.pk]},
        follow=True,
    )
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert api_key_authenticate(raw) is None
