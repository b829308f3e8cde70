"""Bots' settings and knowledge articles through the REST API, with the bulk import."""

from __future__ import annotations

import json

import pytest

from chatbot.models import KnowledgeArticle
from helpdesk.models import Bot, Queue
from helpdesk.tests.api_support import client_for
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


def test_a_bot_shows_its_settings_but_never_its_anthropic_key(api, bot):
    every_tenant(Bot).filter(pk=bot.pk).update(anthropic_api_key="sk-ant-secret")
    body = api.get(f"/api/v1/bots/{bot.pk}/").json()
    assert body["has_anthropic_api_key"] is True
    assert "sk-ant-secret" not in json.dumps(body)
    assert body["trigger_explicit_request"] is True
    assert body["refund_handoff_amount"] == "100.00"


def test_settings_change_with_a_patch(api, acme, bot):
    queue = Queue.objects.create(tenant=acme, name="Tier 2")
    response = api.patch(
        f"/api/v1/bots/{bot.pk}/",
        {
            "confidence_threshold": 0.5,
            "queue_id": queue.pk,
            "trigger_low_confidence": False,
            "currency": "EUR",
            "language": "es",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["language"] == "es"
    bot.refresh_from_db()
    assert (
        bot.confidence_threshold,
        bot.queue_id,
        bot.trigger_low_confidence,
        bot.currency,
        bot.language,
    ) == (
        0.5,
        queue.pk,
        False,
        "EUR",
        "es",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"order_number_pattern": "(a+)+"}, "order_number_pattern"),
        ({"order_number_pattern": "[unclosed"}, "order_number_pattern"),
        ({"confidence_threshold": 2}, "confidence_threshold"),
        ({"confidence_threshold": "nan"}, "confidence_threshold"),
        ({"currency": "euro"}, "currency"),
        ({"language": "xx"}, "language"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(api, bot, change, field):
    before = every_tenant(Bot).filter(pk=bot.pk).values().get()
    response = api.patch(f"/api/v1/bots/{bot.pk}/", change, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert every_tenant(Bot).filter(pk=bot.pk).values().get() == before


def test_another_tenants_queue_is_not_found(api, bot, make_tenant):
    theirs = Queue.objects.create(tenant=make_tenant("globex"), name="Theirs")
    response = api.patch(f"/api/v1/bots/{bot.pk}/", {"queue_id": theirs.pk}, format="json")
    assert (response.status_code, response.json()["error"]["fields"]) == (400, {"queue_id": ["Not found."]})


def test_articles_are_created_listed_changed_and_deleted(api, bot):
    created = api.post(
        "/api/v1/articles/",
        {"bot_id": bot.pk, "title": "Warranty", "body": "Frames have a lifetime warranty."},
        format="json",
    )
    assert created.status_code == 201
    article_id = created.json()["id"]
    duplicate = api.post(
        "/api/v1/articles/", {"bot_id": bot.pk, "title": "Warranty", "body": "x"}, format="json"
    )
    assert (duplicate.status_code, list(duplicate.json()["error"]["fields"])) == (400, ["title"])
    found = api.get("/api/v1/articles/", {"q": "lifetime"}).json()["results"]
    assert [a["id"] for a in found] == [article_id]
    changed = api.patch(f"/api/v1/articles/{article_id}/", {"enabled": False}, format="json").json()
    assert changed["enabled"] is False
    assert api.get("/api/v1/articles/", {"enabled": "false"}).json()["results"][0]["id"] == article_id
    assert api.delete(f"/api/v1/articles/{article_id}/").status_code == 204
    assert not every_tenant(KnowledgeArticle).filter(pk=article_id).exists()


def test_an_import_upserts_the_whole_list(api, bot):
    body = json.dumps(
        [
            {"title": "Delivery", "body": "Bikes arrive in 3 days now."},
            {"title": "Returns", "body": every_tenant(KnowledgeArticle).get(bot=bot, title="Returns").body},
            {"title": "Gift cards", "body": "Gift cards never expire.", "url": "https://shop.example/gift"},
        ],
        indent=2,
    )
    response = api.generic(
        "POST", f"/api/v1/articles/import/?bot={bot.pk}", body, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 1, "updated": 1, "unchanged": 1}
    assert every_tenant(KnowledgeArticle).get(bot=bot, title="Delivery").body == "Bikes arrive in 3 days now."


@pytest.mark.parametrize(
    ("items", "where"),
    [
        ([{"title": "Fine", "body": "ok"}, {"title": "", "body": "no title"}], "line 6"),
        ([{"title": "A", "body": "one"}, {"title": "A", "body": "two"}], "line 6"),
        ([{"title": "A", "body": "one", "colour": "red"}], "line 2"),
        ({"title": "not a list"}, "line 1"),
    ],
)
def test_an_import_with_a_bad_item_imports_nothing_and_names_the_line(api, bot, items, where):
    before = list(every_tenant(KnowledgeArticle).values())
    body = json.dumps(items, indent=2)
    response = api.generic(
        "POST", f"/api/v1/articles/import/?bot={bot.pk}", body, content_type="application/json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_import"
    assert error["fields"]["articles"][0].startswith(where)
    assert list(every_tenant(KnowledgeArticle).values()) == before


def test_an_import_into_another_tenants_bot_is_not_found(api, make_tenant, make_bot):
    theirs = make_bot(make_tenant("globex"), "Theirs", articles=[])
    response = api.generic(
        "POST",
        f"/api/v1/articles/import/?bot={theirs.pk}",
        '[{"title": "x", "body": "y"}]',
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not every_tenant(KnowledgeArticle).filter(bot=theirs).exists()


def test_an_agent_reads_articles_but_only_admins_change_them(acme, bot, make_agent):
    client = client_for(None)
    client.force_login(make_agent(acme, "bob").user)
    assert client.get("/api/v1/articles/").status_code == 200
    response = client.post("/api/v1/articles/", {"bot_id": bot.pk, "title": "x", "body": "y"}, format="json")
    assert response.status_code == 403
    assert not every_tenant(KnowledgeArticle).filter(title="x").exists()


# The bot's own Anthropic key: written, stored encrypted, never read back ---------------------------------

OWN_KEY = "sk-ant-api03-written-through-the-api-0123456789"


def stored_key_column(bot: Bot) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT anthropic_api_key FROM chatbot_bot WHERE id = %s", [bot.pk])
        return cursor.fetchone()[0]


def test_a_key_written_through_the_api_is_stored_encrypted_and_never_returned(api, bot):
    written = api.patch(f"/api/v1/bots/{bot.pk}/", {"anthropic_api_key": OWN_KEY}, format="json")

    assert written.status_code == 200
    assert written.json()["has_anthropic_api_key"] is True
    assert "anthropic_api_key" not in written.json()
    answers = [written, api.get(f"/api/v1/bots/{bot.pk}/"), api.get("/api/v1/bots/")]
    assert all(OWN_KEY not in a.content.decode() for a in answers)
    assert OWN_KEY not in stored_key_column(bot)
    assert every_tenant(Bot).get(pk=bot.pk).anthropic_api_key == OWN_KEY
    assert stored_key_column(bot) not in "".join(a.content.decode() for a in answers)


def test_a_patch_without_the_key_keeps_it_and_a_blank_one_removes_it(api, bot):
    api.patch(f"/api/v1/bots/{bot.pk}/", {"anthropic_api_key": OWN_KEY}, format="json")

    kept = api.patch(f"/api/v1/bots/{bot.pk}/", {"name": "Renamed"}, format="json")
    assert kept.json()["has_anthropic_api_key"] is True
    assert every_tenant(Bot).get(pk=bot.pk).anthropic_api_key == OWN_KEY

    removed = api.patch(f"/api/v1/bots/{bot.pk}/", {"anthropic_api_key": ""}, format="json")
    assert removed.json()["has_anthropic_api_key"] is False
    assert stored_key_column(bot) == ""


@pytest.mark.parametrize("value", ["x" * 201, None, ["sk-ant"], {"key": "sk-ant"}])
def test_a_bad_key_is_refused_and_the_stored_one_kept(api, bot, value):
    api.patch(f"/api/v1/bots/{bot.pk}/", {"anthropic_api_key": OWN_KEY}, format="json")

    response = api.patch(f"/api/v1/bots/{bot.pk}/", {"anthropic_api_key": value}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["anthropic_api_key"]
    assert every_tenant(Bot).get(pk=bot.pk).anthropic_api_key == OWN_KEY


def test_another_tenants_key_cannot_read_or_set_the_bots_key(bot, make_tenant):
    from helpdesk.tests.api_support import key_for

    bot_url = f"/api/v1/bots/{bot.pk}/"
    theirs = client_for(key_for(make_tenant("globex")))
    every_tenant(Bot).filter(pk=bot.pk).update(anthropic_api_key=OWN_KEY)

    read = theirs.get(bot_url)
    written = theirs.patch(bot_url, {"anthropic_api_key": "sk-ant-theirs"}, format="json")

    assert (read.status_code, written.status_code) == (404, 404)
    assert OWN_KEY not in read.content.decode()
    assert every_tenant(Bot).get(pk=bot.pk).anthropic_api_key == OWN_KEY
