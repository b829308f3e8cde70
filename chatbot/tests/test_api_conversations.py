"""Conversations through the REST API: a custom channel's customer goes through the widget's pipeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chatbot.services import widget_conversation_start
from handoff.models import Handoff
from helpdesk.models import ApiKey, Contact, Conversation, Message
from helpdesk.services import message_create
from helpdesk.tests.api_support import client_for, key_for
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


def start(api, bot, **contact) -> dict:
    response = api.post("/api/v1/conversations/", {"bot_id": bot.pk, "contact": contact}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def say(api, conversation_id: int, text: str, client_msg_id: str = ""):
    return api.post(
        f"/api/v1/conversations/{conversation_id}/messages/",
        {"text": text, "client_msg_id": client_msg_id},
        format="json",
    )


def test_a_conversation_opens_on_the_api_channel_with_the_greeting_and_a_matched_contact(api, acme, bot):
    known = Contact.objects.create(tenant=acme, email="pat@example.com")
    body = start(api, bot, email="PAT@example.com", name="Pat")
    assert (body["channel"], body["status"], body["bot_id"]) == ("api", "bot", bot.pk)
    assert body["contact"]["id"] == known.pk
    conversation = every_tenant(Conversation).get(pk=body["id"])
    assert [m.body for m in conversation.messages.all()] == [bot.greeting]


def test_another_tenants_bot_or_contact_in_the_body_is_a_field_error(api, bot, make_tenant, make_bot):
    globex = make_tenant("globex")
    their_bot = make_bot(globex, "Theirs")
    their_contact = Contact.objects.create(tenant=globex, email="x@globex.example")
    response = api.post("/api/v1/conversations/", {"bot_id": their_bot.pk}, format="json")
    assert (response.status_code, response.json()["error"]["fields"]) == (400, {"bot_id": ["Not found."]})
    response = api.post(
        "/api/v1/conversations/", {"bot_id": bot.pk, "contact_id": their_contact.pk}, format="json"
    )
    assert (response.status_code, response.json()["error"]["fields"]) == (400, {"contact_id": ["Not found."]})
    assert not every_tenant(Conversation).exists()


def test_a_customer_message_is_stored_once_per_client_msg_id_and_the_bot_answers(
    api, bot, django_capture_on_commit_callbacks
):
    conversation = start(api, bot)
    with django_capture_on_commit_callbacks(execute=True):
        first = say(api, conversation["id"], "What does a service cost?", "m-1")
    assert first.status_code == 201
    again = say(api, conversation["id"], "What does a service cost?", "m-1")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert (
        every_tenant(Message).filter(conversation_id=conversation["id"], author_kind="customer").count() == 1
    )
    history = api.get(f"/api/v1/conversations/{conversation['id']}/messages/").json()["results"]
    assert [m["author_kind"] for m in history] == ["bot", "customer", "bot"]
    assert "$49" in history[-1]["body"]


def test_asking_for_a_person_hands_off_like_the_widget(api, bot):
    conversation = start(api, bot)
    say(api, conversation["id"], "talk to a human", "m-1")
    detail = api.get(f"/api/v1/conversations/{conversation['id']}/").json()
    assert (detail["status"], detail["handoff_reason"]) == ("waiting", "explicit_request")
    assert every_tenant(Handoff).get().reason == "explicit_request"


def test_a_widget_conversation_takes_no_customer_messages_through_the_api(api, bot):
    session = widget_conversation_start(public_key=bot.public_key)
    response = say(api, session.conversation.pk, "hello")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "wrong_channel"
    assert session.conversation.messages.count() == 1


def test_a_resolved_conversation_refuses_new_messages_but_answers_a_resend(api, bot):
    conversation = start(api, bot)
    stored = say(api, conversation["id"], "Where is my order?", "m-1").json()
    every_tenant(Conversation).filter(pk=conversation["id"]).update(status=Conversation.Status.RESOLVED)
    assert say(api, conversation["id"], "Hello?", "m-2").json()["error"]["code"] == "conversation_resolved"
    resend = say(api, conversation["id"], "Where is my order?", "m-1")
    assert (resend.status_code, resend.json()["id"]) == (200, stored["id"])


@pytest.mark.parametrize(
    ("text", "code", "field"),
    [("", "invalid", "text"), ("   ", "empty_text", "text"), ("x" * 4001, "text_too_long", "text")],
)
def test_a_bad_message_is_a_400_naming_the_text(api, bot, text, code, field):
    conversation = start(api, bot)
    response = say(api, conversation["id"], text)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert list(response.json()["error"]["fields"]) == [field]


def test_conversations_filter_by_status_reason_bot_contact_and_date(api, acme, bot, make_bot):
    other_bot = make_bot(acme, "Other")
    waiting = start(api, bot, email="a@example.com")
    say(api, waiting["id"], "talk to a human")
    quiet = start(api, other_bot, email="b@example.com")
    old = every_tenant(Conversation).get(pk=quiet["id"])
    every_tenant(Conversation).filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))

    def ids(**params) -> list[int]:
        response = api.get("/api/v1/conversations/", params)
        assert response.status_code == 200, response.content
        return [c["id"] for c in response.json()["results"]]

    assert ids() == [quiet["id"], waiting["id"]]
    assert ids(status="waiting") == [waiting["id"]]
    assert ids(reason="explicit_request") == [waiting["id"]]
    assert ids(bot=other_bot.pk) == [quiet["id"]]
    assert ids(contact=waiting["contact"]["id"]) == [waiting["id"]]
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert ids(created_after=since) == [waiting["id"]]
    assert ids(created_before=since) == [quiet["id"]]
    bad = api.get("/api/v1/conversations/", {"status": "lost"})
    assert (bad.status_code, list(bad.json()["error"]["fields"])) == (400, ["status"])


def test_the_detail_has_the_last_messages_with_private_notes(api, bot):
    conversation = start(api, bot)
    record = every_tenant(Conversation).get(pk=conversation["id"])
    for i in range(5):
        message_create(conversation=record, author_kind="customer", body=f"m{i}")
    message_create(conversation=record, author_kind="agent", body="note", private=True)
    detail = api.get(f"/api/v1/conversations/{record.pk}/", {"messages": 3}).json()
    assert [(m["body"], m["private"]) for m in detail["messages"]] == [
        ("m3", False),
        ("m4", False),
        ("note", True),
    ]
    assert [m["seq"] for m in detail["messages"]] == [5, 6, 7]


def test_messages_page_by_seq(api, bot):
    conversation = start(api, bot)
    record = every_tenant(Conversation).get(pk=conversation["id"])
    for i in range(4):
        message_create(conversation=record, author_kind="customer", body=f"m{i}")
    url = f"/api/v1/conversations/{record.pk}/messages/"
    first = api.get(url, {"limit": 3}).json()
    assert ([m["seq"] for m in first["results"]], first["has_more"]) == ([1, 2, 3], True)
    rest = api.get(url, {"after_seq": 3, "limit": 3}).json()
    assert ([m["seq"] for m in rest["results"]], rest["has_more"]) == ([4, 5], False)


def test_a_read_only_key_cannot_post_a_message(acme, bot, api):
    conversation = start(api, bot)
    reader = client_for(key_for(acme, ApiKey.Scope.READ))
    assert say(reader, conversation["id"], "hello").status_code == 403
    assert every_tenant(Message).filter(conversation_id=conversation["id"]).count() == 1
