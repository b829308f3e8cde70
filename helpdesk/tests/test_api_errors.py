"""Errors in one shape, limits on bodies and pages, rate limits with Retry-After, cursor pages."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache

from helpdesk.api.parsers import LimitedJSONParser, RequestTooLarge
from helpdesk.models import Contact
from helpdesk.tests.api_support import client_for, key_for
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(make_tenant):
    return make_tenant("acme")


@pytest.fixture
def rates(settings):
    """Set rate limits for one test; the counts it leaves in the cache go with it."""

    def set_rates(**rates: str) -> None:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    yield set_rates
    cache.clear()


def test_bad_input_is_a_400_naming_each_field(acme):
    response = client_for(key_for(acme)).post(
        "/api/v1/contacts/", {"email": "not-an-email", "name": "x" * 300}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"email", "name"}
    assert all(isinstance(m, str) for messages in error["fields"].values() for m in messages)
    assert not every_tenant(Contact).exists()


def test_nested_field_errors_are_named_by_their_path(acme, make_bot):
    bot = make_bot(acme)
    response = client_for(key_for(acme)).post(
        "/api/v1/conversations/", {"bot_id": bot.pk, "contact": {"email": "nope"}}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["contact.email"]


def test_malformed_json_is_a_400_not_a_traceback(acme):
    response = client_for(key_for(acme)).generic(
        "POST", "/api/v1/contacts/", '{"email": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_json_nested_past_any_sense_is_a_400(acme):
    body = "[" * 100_000 + "]" * 100_000
    response = client_for(key_for(acme)).generic(
        "POST", "/api/v1/contacts/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_a_body_that_is_not_json_is_a_415(acme):
    response = client_for(key_for(acme)).post("/api/v1/contacts/", {"email": "pat@example.com"})
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_a_body_over_the_limit_is_a_413_and_stores_nothing(acme, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client_for(key_for(acme)).post(
        "/api/v1/contacts/", {"email": "pat@example.com", "name": "x" * 2000}, format="json"
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert not every_tenant(Contact).exists()


def test_the_public_widget_endpoint_has_the_body_limit_too(db, settings, client):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(
        "/api/v1/widget/sessions/", {"bot_key": "pk_x", "token": "x" * 1500}, content_type="application/json"
    )
    assert response.status_code == 413


def test_a_body_with_no_declared_length_is_cut_at_the_limit(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    with pytest.raises(RequestTooLarge):
        LimitedJSONParser().parse(io.BytesIO(b'{"name": "' + b"x" * 200 + b'"}'))
    assert LimitedJSONParser().parse(io.BytesIO(b'{"name": "x"}')) == {"name": "x"}


def test_an_unknown_api_path_answers_in_the_error_shape(acme):
    response = client_for(key_for(acme)).get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_method_a_route_lacks_is_a_405_in_the_error_shape(acme):
    response = client_for(key_for(acme)).delete("/api/v1/contacts/")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_too_many_requests_with_one_key_is_a_429_with_retry_after(acme, rates):
    rates(api="3/min")
    busy, other = client_for(key_for(acme, name="busy")), client_for(key_for(acme, name="other"))
    assert [busy.get("/api/v1/contacts/").status_code for _ in range(3)] == [200, 200, 200]
    response = busy.get("/api/v1/contacts/")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60
    assert other.get("/api/v1/contacts/").status_code == 200


def test_too_many_widget_sessions_from_one_visitor_is_a_429(db, client, make_tenant, make_bot, rates):
    rates(widget="2/min")
    bot = make_bot(make_tenant("acme"))

    def open_session(address: str) -> int:
        return client.post(
            "/api/v1/widget/sessions/",
            {"bot_key": bot.public_key},
            content_type="application/json",
            REMOTE_ADDR=address,
        )

    assert [open_session("203.0.113.7").status_code for _ in range(2)] == [201, 201]
    refused = open_session("203.0.113.7")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert open_session("203.0.113.8").status_code == 201


def test_lists_are_cursor_pages_of_50_by_default_and_at_most_200(acme):
    Contact.objects.bulk_create([Contact(tenant=acme, name=f"c{i}") for i in range(230)])
    client = client_for(key_for(acme))
    first = client.get("/api/v1/contacts/").json()
    assert len(first["results"]) == 50
    assert first["previous"] is None
    assert len(client.get("/api/v1/contacts/", {"limit": 1000}).json()["results"]) == 200
    seen, url = [], "/api/v1/contacts/?limit=100"
    while url:
        page = client.get(url).json()
        seen += [c["id"] for c in page["results"]]
        url = page["next"]
    assert seen == sorted(every_tenant(Contact).values_list("pk", flat=True), reverse=True)


@pytest.mark.parametrize("cursor", ["garbage", "cD1hYmM=", "cD0xJnI9MQ=="])
def test_a_bad_cursor_is_a_400(acme, cursor):
    response = client_for(key_for(acme)).get("/api/v1/contacts/", {"cursor": cursor})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert list(response.json()["error"]["fields"]) == ["cursor"]
