import pytest

from helpdesk.models import Conversation, Message
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db

URL = "/api/v1/widget/sessions/"


def test_a_session_opens_a_conversation_with_the_greeting(client, make_tenant, make_bot):
    bot = make_bot(make_tenant("acme"))
    response = client.post(URL, {"bot_key": bot.public_key}, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["resumed"] is False
    assert body["socket_path"] == "/ws/widget/"
    assert [m["body"] for m in body["messages"]] == [bot.greeting]
    conversation = every_tenant(Conversation).get(pk=body["conversation_id"])
    assert conversation.tenant_id == bot.tenant_id


def test_a_valid_token_resumes_the_same_conversation(client, make_tenant, make_bot):
    bot = make_bot(make_tenant("acme"))
    first = client.post(URL, {"bot_key": bot.public_key}, content_type="application/json").json()
    again = client.post(
        URL, {"bot_key": bot.public_key, "token": first["token"]}, content_type="application/json"
    )
    assert again.status_code == 200
    assert again.json()["conversation_id"] == first["conversation_id"]
    assert every_tenant(Conversation).count() == 1


def test_another_bots_token_starts_a_new_conversation(client, make_tenant, make_bot):
    acme_bot = make_bot(make_tenant("acme"))
    globex_bot = make_bot(make_tenant("globex"), "Other")
    acme = client.post(URL, {"bot_key": acme_bot.public_key}, content_type="application/json").json()
    response = client.post(
        URL, {"bot_key": globex_bot.public_key, "token": acme["token"]}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["conversation_id"] != acme["conversation_id"]
    assert every_tenant(Message).filter(conversation_id=response.json()["conversation_id"]).count() == 1


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
