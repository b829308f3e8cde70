"""The widget's session endpoint: opening the widget stores nothing; a token resumes its conversation."""

import pytest
from django.core import signing
from django.urls import reverse

from chatbot.services import widget_conversation_start, widget_first_message_receive
from helpdesk.models import Contact, Conversation, Message
from helpdesk.visitor_tokens import SALT, visitor_token_read
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db

URL = "/api/v1/widget/sessions/"


def open_widget(client, bot, token: str = ""):
    body = {"bot_key": bot.public_key, **({"token": token} if token else {})}
    return client.post(URL, body, content_type="application/json")


def stored_rows() -> tuple[int, int, int]:
    return every_tenant(Conversation).count(), every_tenant(Contact).count(), every_tenant(Message).count()


def test_opening_the_widget_stores_nothing_and_answers_with_the_bots_greeting(client, make_tenant, make_bot):
    bot = make_bot(make_tenant("acme"))
    response = open_widget(client, bot)
    assert response.status_code == 201
    body = response.json()
    assert body["conversation_id"] is None
    assert body["resumed"] is False
    assert body["socket_path"] == "/ws/widget/"
    assert body["bot"] == {"name": bot.name, "greeting": bot.greeting, "language": "en"}
    assert body["language"] == ""
    assert body["status"] == "bot"
    assert body["messages"] == []
    claims = visitor_token_read(body["token"])
    assert (claims.tenant_id, claims.bot_id, claims.conversation_id, claims.contact_id) == (
        bot.tenant_id,
        bot.pk,
        None,
        None,
    )
    assert claims.nonce
    assert stored_rows() == (0, 0, 0)


def test_sixty_opens_without_a_word_leave_the_agents_lists_empty(
    client, make_tenant, make_bot, make_agent, settings
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"widget": "1000/min"}}
    tenant = make_tenant("acme")
    bot = make_bot(tenant)
    nonces = {visitor_token_read(open_widget(client, bot).json()["token"]).nonce for _ in range(60)}
    assert len(nonces) == 60  # sixty visitors, each with a nonce of their own
    assert stored_rows() == (0, 0, 0)

    client.force_login(make_agent(tenant, "alice").user)
    for url in (reverse("inbox:index"), reverse("inbox:list", args=["open"])):
        page = client.get(url).content.decode()
        assert "data-conversation-id" not in page


def test_opening_again_before_writing_keeps_the_visitor(client, make_tenant, make_bot):
    bot = make_bot(make_tenant("acme"))
    first = open_widget(client, bot).json()
    again = open_widget(client, bot, first["token"])
    assert again.status_code == 201
    assert again.json()["conversation_id"] is None
    assert visitor_token_read(again.json()["token"]).nonce == visitor_token_read(first["token"]).nonce
    assert stored_rows() == (0, 0, 0)


def test_a_conversations_token_resumes_it_with_its_history(client, make_tenant, make_bot):
    bot = make_bot(make_tenant("acme"))
    started = widget_conversation_start(public_key=bot.public_key)
    again = open_widget(client, bot, started.token)
    assert again.status_code == 200
    body = again.json()
    assert (body["conversation_id"], body["resumed"]) == (started.conversation.pk, True)
    assert [m["body"] for m in body["messages"]] == [bot.greeting]
    assert every_tenant(Conversation).count() == 1


def test_after_the_first_message_the_first_token_and_the_new_one_both_resume(client, make_tenant, make_bot):
    bot = make_bot(make_tenant("acme"))
    pending = open_widget(client, bot).json()["token"]
    first = widget_first_message_receive(
        visitor=visitor_token_read(pending), text="Do you ship to Canada?", client_msg_id="m1"
    )
    for token in (first.token, pending):  # the new token, and the first one (its reply was lost)
        response = open_widget(client, bot, token)
        assert response.status_code == 200
        body = response.json()
        assert body["conversation_id"] == first.conversation.pk
        assert [m["body"] for m in body["messages"]] == [bot.greeting, "Do you ship to Canada?"]
    assert every_tenant(Conversation).count() == 1


def test_the_session_names_the_bots_language_and_the_one_the_customer_wrote_in(client, make_tenant, make_bot):
    # The widget's own words follow them when neither the site nor the browser names a language.
    bot = make_bot(make_tenant("acme"), language="de")
    assert open_widget(client, bot).json()["bot"]["language"] == "de"
    started = widget_conversation_start(public_key=bot.public_key)
    Conversation.objects.for_tenant(bot.tenant_id).filter(pk=started.conversation.pk).update(language="es")
    body = open_widget(client, bot, started.token).json()
    assert (body["language"], body["bot"]["language"]) == ("es", "de")


def test_an_old_token_without_a_nonce_still_resumes(client, make_tenant, make_bot):
    bot = make_bot(make_tenant("acme"))
    conversation = widget_conversation_start(public_key=bot.public_key).conversation
    old = signing.dumps(
        {"t": bot.tenant_id, "b": bot.pk, "v": conversation.contact_id, "c": conversation.pk},
        salt=SALT,
        compress=True,
    )
    response = open_widget(client, bot, old)
    assert response.status_code == 200
    assert response.json()["conversation_id"] == conversation.pk


def test_a_resolved_conversations_token_opens_as_a_new_visitor(client, make_tenant, make_bot):
    bot = make_bot(make_tenant("acme"))
    started = widget_conversation_start(public_key=bot.public_key)
    every_tenant(Conversation).filter(pk=started.conversation.pk).update(status="resolved")
    response = open_widget(client, bot, started.token)
    assert response.status_code == 201
    body = response.json()
    assert (body["conversation_id"], body["messages"]) == (None, [])
    assert visitor_token_read(body["token"]).nonce != started.conversation.visitor_nonce
    assert every_tenant(Conversation).count() == 1


def test_another_bots_token_opens_as_a_new_visitor_of_this_bot(client, make_tenant, make_bot):
    acme_bot = make_bot(make_tenant("acme"))
    globex_bot = make_bot(make_tenant("globex"), "Other")
    acme = open_widget(client, acme_bot).json()
    acme_started = widget_conversation_start(public_key=acme_bot.public_key)
    for token in (acme["token"], acme_started.token):
        response = open_widget(client, globex_bot, token)
        assert response.status_code == 201
        claims = visitor_token_read(response.json()["token"])
        assert (claims.tenant_id, claims.bot_id, claims.conversation_id) == (
            globex_bot.tenant_id,
            globex_bot.pk,
            None,
        )
        assert claims.nonce != visitor_token_read(acme["token"]).nonce
    assert every_tenant(Conversation).count() == 1


@pytest.mark.parametrize("tampered", ["garbage", "x" * 40])
def test_a_bad_or_tampered_token_opens_as_a_new_visitor(client, make_tenant, make_bot, tampered):
    bot = make_bot(make_tenant("acme"))
    started = widget_conversation_start(public_key=bot.public_key)
    for token in (tampered, started.token[:-2] + ("AA" if not started.token.endswith("AA") else "BB")):
        response = open_widget(client, bot, token)
        assert response.status_code == 201
        assert response.json()["conversation_id"] is None
    assert every_tenant(Conversation).count() == 1


def test_an_unknown_bot_key_is_a_404_in_the_error_shape(client, db):
    response = client.post(URL, {"bot_key": "pk_nope"}, content_type="application/json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert every_tenant(Conversation).count() == 0


def test_a_missing_bot_key_is_a_400_naming_the_field(client, db):
    response = client.post(URL, {}, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["bot_key"]


def test_the_widget_endpoint_answers_cross_origin(client, make_tenant, make_bot):
    bot = make_bot(make_tenant("acme"))
    response = client.post(
        URL, {"bot_key": bot.public_key}, content_type="application/json", HTTP_ORIGIN="https://shop.example"
    )
    assert response["Access-Control-Allow-Origin"] in ("*", "https://shop.example")
