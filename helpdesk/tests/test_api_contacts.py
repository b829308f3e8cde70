"""Contacts through the REST API: found by email (then external id) before a new one is made."""

from __future__ import annotations

import pytest

from helpdesk.models import Contact
from helpdesk.tests.api_support import client_for, key_for
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(make_tenant):
    return make_tenant("acme")


@pytest.fixture
def api(acme):
    return client_for(key_for(acme))


def test_a_contact_with_a_known_email_is_found_not_made_again(api, acme):
    made = api.post("/api/v1/contacts/", {"email": "Pat@Example.com"}, format="json")
    assert (made.status_code, made.json()["email"]) == (201, "pat@example.com")
    found = api.post("/api/v1/contacts/", {"email": "pat@example.com", "name": "Pat"}, format="json")
    assert (found.status_code, found.json()["id"], found.json()["name"]) == (200, made.json()["id"], "Pat")
    assert every_tenant(Contact).filter(tenant=acme).count() == 1


def test_a_contact_is_found_by_external_id_too(api):
    made = api.post("/api/v1/contacts/", {"external_id": "crm-42", "name": "Pat"}, format="json").json()
    found = api.post("/api/v1/contacts/", {"external_id": "crm-42"}, format="json")
    assert (found.status_code, found.json()["id"]) == (200, made["id"])


def test_the_same_email_in_another_tenant_is_another_contact(api, make_tenant):
    theirs = Contact.objects.create(tenant=make_tenant("globex"), email="pat@example.com")
    made = api.post("/api/v1/contacts/", {"email": "pat@example.com"}, format="json")
    assert made.status_code == 201 and made.json()["id"] != theirs.pk


def test_a_contact_needs_something_to_know_it_by(api):
    response = api.post("/api/v1/contacts/", {}, format="json")
    assert (response.status_code, list(response.json()["error"]["fields"])) == (400, ["non_field_errors"])


def test_contacts_filter_by_email_and_search(api, acme):
    pat = Contact.objects.create(tenant=acme, name="Pat Lee", email="pat@example.com")
    Contact.objects.create(tenant=acme, name="Sam", email="sam@example.com")
    assert [
        c["id"] for c in api.get("/api/v1/contacts/", {"email": "PAT@example.com"}).json()["results"]
    ] == [pat.pk]
    assert [c["id"] for c in api.get("/api/v1/contacts/", {"q": "lee"}).json()["results"]] == [pat.pk]


def test_an_update_may_not_take_another_contacts_email(api, acme):
    pat = Contact.objects.create(tenant=acme, email="pat@example.com")
    sam = Contact.objects.create(tenant=acme, email="sam@example.com")
    clash = api.patch(f"/api/v1/contacts/{sam.pk}/", {"email": "pat@example.com"}, format="json")
    assert (clash.status_code, clash.json()["error"]["fields"]) == (400, {"email": ["Already in use."]})
    renamed = api.patch(f"/api/v1/contacts/{pat.pk}/", {"name": "Pat Lee"}, format="json")
    assert (renamed.status_code, renamed.json()["name"], renamed.json()["email"]) == (
        200,
        "Pat Lee",
        "pat@example.com",
    )
