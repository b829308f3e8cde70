import pytest
from django.urls import reverse

from helpdesk.models import Conversation, Message
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def bot(make_tenant, make_bot):
    return make_bot(make_tenant("acme"))


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    return client


def url(bot):
    return reverse("admin:helpdesk_bot_rule_tester", args=[bot.pk])


def test_an_explicit_request_shows_the_trigger_and_why(admin_client, bot):
    response = admin_client.post(url(bot), {"text": "Can I speak to a real person?"})
    assert response.status_code == 200
    assert response.context["preview"].primary["reason"] == "explicit_request"
    assert b"Hands off: explicit_request" in response.content


def test_a_refund_above_the_amount_names_the_rule_and_amount(admin_client, bot):
    response = admin_client.post(url(bot), {"text": "I need a refund of $450 for my bike"})
    primary = response.context["preview"].primary
    assert (primary["reason"], primary["rule"], primary["amount"]) == (
        "sensitive_topic",
        "refund_over_amount",
        "450",
    )


def test_an_answerable_question_shows_the_bots_reply(admin_client, bot):
    response = admin_client.post(url(bot), {"text": "What does a standard service cost?"})
    preview = response.context["preview"]
    assert preview.primary is None
    assert "$49" in preview.reply.text
    assert b"The bot answers" in response.content


def test_the_tester_stores_nothing(admin_client, bot):
    admin_client.post(url(bot), {"text": "I want to talk to a human"})
    assert (every_tenant(Conversation).count(), every_tenant(Message).count()) == (0, 0)


def test_an_empty_message_gets_a_clear_error(admin_client, bot):
    response = admin_client.post(url(bot), {"text": "   "})
    assert response.status_code == 200
    assert response.context["error"] == "The message is empty."


def test_the_tester_needs_an_admin_login(client, bot):
    response = client.get(url(bot))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
