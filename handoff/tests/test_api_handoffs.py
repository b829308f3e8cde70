"""Handoffs through the REST API: a manual handoff, the records, the rules, and the summary report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chatbot.services import api_conversation_start
from handoff.api.reports import percentile
from handoff.models import Handoff, HandoffRule
from helpdesk.contacts import contact_find_or_create
from helpdesk.models import Conversation
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


def conversation_for(bot) -> Conversation:
    contact, _ = contact_find_or_create(tenant=bot.tenant, email="pat@example.com")
    return api_conversation_start(tenant=bot.tenant, bot=bot, contact=contact)


def test_a_manual_handoff_queues_the_conversation_with_reason_api_once(api, bot):
    conversation = conversation_for(bot)
    url = f"/api/v1/conversations/{conversation.pk}/handoff/"
    response = api.post(url, {"note": "VIP customer", "evidence": {"crm_tier": "gold"}}, format="json")
    assert response.status_code == 201, response.content
    handoff = response.json()
    assert handoff["reason"] == "api"
    assert handoff["evidence"]["crm_tier"] == "gold"
    assert handoff["evidence"]["explanation"] == "VIP customer"
    assert handoff["evidence"]["requested_by"]["api_key"].startswith("hdk_live_")
    assert handoff["offered_at"] is not None
    conversation.refresh_from_db()
    assert (conversation.status, conversation.handoff_reason) == ("waiting", "api")
    assert conversation.messages.filter(author_kind="bot", data__event="handoff").exists()
    again = api.post(url, {}, format="json")
    assert (again.status_code, again.json()["id"]) == (200, handoff["id"])
    assert every_tenant(Handoff).count() == 1


def test_a_manual_handoff_with_nobody_to_take_it_takes_the_offline_path(api, acme, make_bot):
    bot = make_bot(acme, "Night", require_agent_online=True)
    conversation = conversation_for(bot)
    response = api.post(f"/api/v1/conversations/{conversation.pk}/handoff/", {}, format="json")
    assert response.status_code == 201
    assert response.json()["outcome"] == "offline"
    conversation.refresh_from_db()
    assert conversation.status == "offline"


def test_a_resolved_conversation_cannot_be_handed_off(api, bot):
    conversation = conversation_for(bot)
    every_tenant(Conversation).filter(pk=conversation.pk).update(status=Conversation.Status.RESOLVED)
    response = api.post(f"/api/v1/conversations/{conversation.pk}/handoff/", {}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "conversation_closed")
    assert not every_tenant(Handoff).exists()


def test_evidence_postgresql_cannot_store_is_refused(api, bot):
    conversation = conversation_for(bot)
    response = api.post(
        f"/api/v1/conversations/{conversation.pk}/handoff/", {"evidence": {"x": "a\x00b"}}, format="json"
    )
    assert (response.status_code, list(response.json()["error"]["fields"])) == (400, ["evidence"])


def test_handoffs_list_with_filters_and_show_their_context(api, bot):
    first, second = conversation_for(bot), conversation_for(bot)
    api.post(f"/api/v1/conversations/{first.pk}/handoff/", {}, format="json")
    every_tenant(Handoff).update(reason="sensitive_topic")
    api.post(f"/api/v1/conversations/{second.pk}/handoff/", {}, format="json")
    rows = api.get("/api/v1/handoffs/", {"reason": "api"}).json()["results"]
    assert [h["conversation_id"] for h in rows] == [second.pk]
    detail = api.get(f"/api/v1/handoffs/{rows[0]['id']}/").json()
    assert set(detail["context"]) >= {"original_question", "collected", "bot_answers", "sentiment_trend"}
    assert [h["conversation_id"] for h in api.get("/api/v1/handoffs/").json()["results"]] == [
        second.pk,
        first.pk,
    ]


def test_rules_are_made_with_lists_of_keywords_and_patterns(api, bot):
    response = api.post(
        "/api/v1/handoff-rules/",
        {
            "bot_id": bot.pk,
            "name": "warranty_claim",
            "label": "warranty claim",
            "keywords": ["warranty claim", " broken frame "],
            "patterns": [r"\bclaim\s+#?\d+"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    rule = every_tenant(HandoffRule).get(pk=response.json()["id"])
    assert rule.keywords == "warranty claim\nbroken frame"
    assert response.json()["patterns"] == [r"\bclaim\s+#?\d+"]
    changed = api.patch(
        f"/api/v1/handoff-rules/{rule.pk}/", {"enabled": False, "keywords": []}, format="json"
    )
    assert (changed.json()["enabled"], changed.json()["keywords"]) == (False, [])
    assert api.delete(f"/api/v1/handoff-rules/{rule.pk}/").status_code == 204
    assert not every_tenant(HandoffRule).filter(pk=rule.pk).exists()


def test_a_rule_with_a_broken_pattern_or_a_taken_name_is_refused(api, bot):
    url = "/api/v1/handoff-rules/"
    broken = api.post(
        url, {"bot_id": bot.pk, "name": "x", "label": "x", "patterns": ["ok", "(unclosed"]}, format="json"
    )
    assert (broken.status_code, list(broken.json()["error"]["fields"])) == (400, ["patterns.1"])
    taken = every_tenant(HandoffRule).filter(bot=bot).first().name
    clash = api.post(url, {"bot_id": bot.pk, "name": taken, "label": "again"}, format="json")
    assert (clash.status_code, list(clash.json()["error"]["fields"])) == (400, ["name"])


def test_the_report_counts_by_reason_and_times_the_pickups(api, bot):
    now = timezone.now()
    waits = {"explicit_request": [10, 20, 30, 40, 100], "low_confidence": [60]}
    for reason, seconds in waits.items():
        for wait in seconds:
            Handoff.objects.create(
                tenant=bot.tenant,
                conversation=conversation_for(bot),
                reason=reason,
                offered_at=now - timedelta(seconds=wait),
                accepted_at=now,
            )
    Handoff.objects.create(
        tenant=bot.tenant, conversation=conversation_for(bot), reason="bot_error", outcome="offline"
    )
    old = Handoff.objects.create(tenant=bot.tenant, conversation=conversation_for(bot), reason="bot_error")
    every_tenant(Handoff).filter(pk=old.pk).update(created_at=now - timedelta(days=40))
    response = api.get("/api/v1/reports/handoffs/")
    assert response.status_code == 200
    report = response.json()
    assert report["total"] == 7
    assert [(r["reason"], r["count"]) for r in report["by_reason"]] == [
        ("explicit_request", 5),
        ("bot_error", 1),
        ("low_confidence", 1),
    ]
    explicit = report["by_reason"][0]["pickup"]
    assert (explicit["accepted"], explicit["median_seconds"], explicit["p90_seconds"]) == (5, 30.0, 76.0)
    assert report["by_outcome"] == {"queued": 6, "offline": 1}
    assert report["pickup"]["accepted"] == 6
    everything = api.get("/api/v1/reports/handoffs/", {"from": (now - timedelta(days=60)).isoformat()}).json()
    assert everything["total"] == 8


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2025-02-01T00:00:00Z", "to": "2025-01-01T00:00:00Z"},
        {"from": "2020-01-01", "to": "2025-01-01"},
    ],
)
def test_a_backwards_or_too_long_report_range_is_a_400(api, params):
    assert api.get("/api/v1/reports/handoffs/", params).status_code == 400


def test_percentiles_interpolate_between_ranks():
    assert percentile([], 0.9) is None
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([10, 20, 30, 40, 100], 0.9) == 76.0
    assert percentile([1, 2], 0.5) == 1.5


def test_a_built_in_rule_is_switched_off_not_deleted_or_renamed(api, bot):
    rule = every_tenant(HandoffRule).filter(bot=bot, builtin=True).first()
    name, url = rule.name, f"/api/v1/handoff-rules/{rule.pk}/"
    assert api.get(url).json()["builtin"] is True
    assert api.delete(url).json()["error"]["code"] == "builtin_rule"
    assert api.patch(url, {"name": "renamed"}, format="json").status_code == 400
    assert api.patch(url, {"enabled": False}, format="json").json()["enabled"] is False
    rule.refresh_from_db()
    assert (rule.name, rule.enabled) == (name, False)
