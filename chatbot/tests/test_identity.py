"""Identified visitors: a site passes its logged-in user's id signed with the bot's identity secret, and
the widget matches them to their contact and history; unsigned, wrongly signed or unconfigured identities
are refused and store nothing."""

import pytest

from chatbot.services import (
    bot_identity_secret_rotate,
    identity_hash,
    widget_first_message_receive,
)
from helpdesk.models import Contact, Conversation
from helpdesk.visitor_tokens import visitor_token_read
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db

URL = "/api/v1/widget/sessions/"


def open_as(client, bot, user_id: str, user_hash: str, **extra):
    body = {"bot_key": bot.public_key, "user_id": user_id, "user_hash": user_hash, **extra}
    return client.post(URL, body, content_type="application/json")


@pytest.fixture
def bot(make_tenant, make_bot):
    bot = make_bot(make_tenant("acme"))
    bot_identity_secret_rotate(bot=bot)
    return bot


def test_a_signed_user_is_their_contact_and_finds_their_conversation_on_any_device(client, bot):
    signed = identity_hash(bot.identity_secret, "user-42")
    first = open_as(client, bot, "user-42", signed, user_email="ada@example.org", user_name="Ada")
    assert first.status_code == 201, first.content
    claims = visitor_token_read(first.json()["token"])
    contact = every_tenant(Contact).get(external_id="user-42")
    assert (claims.contact_id, contact.email, contact.name) == (contact.pk, "ada@example.org", "Ada")

    started = widget_first_message_receive(visitor=claims, text="Where is my order?", client_msg_id="m1")
    assert started.conversation.contact_id == contact.pk

    # Another device, no token: the signed id alone finds the open conversation.
    again = open_as(client, bot, "user-42", signed.upper())
    assert again.status_code == 200
    assert again.json()["conversation_id"] == started.conversation.pk
    assert [m["body"] for m in again.json()["messages"]][-1] == "Where is my order?"


@pytest.mark.parametrize("user_hash", ["0" * 64, "zz", ""])
def test_a_wrong_or_malformed_signature_is_refused_and_stores_nothing(client, bot, user_hash):
    response = open_as(client, bot, "user-42", user_hash)

    assert response.status_code in (400, 403)
    assert not every_tenant(Contact).exists()


def test_an_id_without_its_signature_is_refused(client, bot):
    response = client.post(
        URL, {"bot_key": bot.public_key, "user_id": "user-42"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert "user_hash" in response.json()["error"]["fields"]


def test_a_bot_without_identity_verification_refuses_named_visitors(client, make_tenant, make_bot):
    plain = make_bot(make_tenant("globex"))

    response = open_as(client, plain, "user-42", identity_hash("guess", "user-42"))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "identity_off"


def test_the_same_user_id_in_another_tenant_is_another_contact(client, bot, make_tenant, make_bot):
    other = make_bot(make_tenant("globex"))
    bot_identity_secret_rotate(bot=other)
    mine = open_as(client, bot, "user-42", identity_hash(bot.identity_secret, "user-42"))
    theirs = open_as(client, other, "user-42", identity_hash(other.identity_secret, "user-42"))
    # One tenant's secret does not sign for the other.
    crossed = open_as(client, other, "user-42", identity_hash(bot.identity_secret, "user-42"))

    assert (mine.status_code, theirs.status_code, crossed.status_code) == (201, 201, 403)
    assert every_tenant(Contact).filter(external_id="user-42").count() == 2


def test_a_new_secret_stops_the_old_one_verifying(client, bot):
    old = bot.identity_secret
    bot_identity_secret_rotate(bot=bot)

    assert open_as(client, bot, "user-42", identity_hash(old, "user-42")).status_code == 403
    assert not every_tenant(Conversation).exists()


def test_the_admin_turns_it_on_and_shows_the_secret_once(client, bot, make_agent):
    from django.urls import reverse

    from helpdesk.models import Bot, Membership

    admin = make_agent(bot.tenant, "ada", role=Membership.Role.ADMIN)
    admin.user.is_staff = True
    admin.user.save()
    client.force_login(admin.user)
    before = bot.identity_secret

    listing = reverse("admin:helpdesk_bot_changelist")
    response = client.post(
        listing, {"action": "identity_secret_rotate", "_selected_action": [bot.pk]}, follow=True
    )

    secret = every_tenant(Bot).get(pk=bot.pk).identity_secret
    assert secret != before and secret in response.content.decode()
    page = client.get(reverse("admin:helpdesk_bot_change", args=[bot.pk])).content.decode()
    assert secret not in page and "Identity verification" in page
