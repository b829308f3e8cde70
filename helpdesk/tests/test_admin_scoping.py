"""A tenant's admin sees and changes only their tenant's rows in Django admin; superusers see all."""

import pytest
from django.urls import reverse

from chatbot.models import KnowledgeArticle
from handoff.models import HandoffRule
from helpdesk.models import Bot, Membership, Queue
from inbox.models import CannedReply
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_tenants(make_tenant, make_bot, make_agent):
    acme, globex = make_tenant("acme"), make_tenant("globex")
    acme_bot, globex_bot = make_bot(acme, "Acme bot"), make_bot(globex, "Globex bot")
    admin = make_agent(acme, "ada", role=Membership.Role.ADMIN)
    admin.user.is_staff = True
    admin.user.save()
    return {"acme": acme, "globex": globex, "acme_bot": acme_bot, "globex_bot": globex_bot, "admin": admin}


def test_a_tenant_admin_lists_only_their_bots(client, two_tenants):
    client.force_login(two_tenants["admin"].user)
    response = client.get(reverse("admin:helpdesk_bot_changelist"))
    assert response.status_code == 200
    names = [bot.name for bot in response.context["cl"].result_list]
    assert names == ["Acme bot"]


@pytest.mark.parametrize(
    ("model", "key"),
    [("helpdesk_bot", "globex_bot"), ("chatbot_knowledgearticle", None), ("handoff_handoffrule", None)],
)
def test_another_tenants_row_is_not_reachable(client, two_tenants, model, key):
    client.force_login(two_tenants["admin"].user)
    bot = two_tenants["globex_bot"]
    obj = {
        "helpdesk_bot": bot,
        "chatbot_knowledgearticle": every_tenant(KnowledgeArticle).filter(bot=bot).first(),
        "handoff_handoffrule": every_tenant(HandoffRule).filter(bot=bot).first(),
    }[model]
    response = client.get(reverse(f"admin:{model}_change", args=[obj.pk]))
    # Django admin answers a row outside the queryset with a redirect to the index and a message.
    assert response.status_code == 302
    assert client.post(reverse(f"admin:{model}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 302
    assert every_tenant(type(obj)).filter(pk=obj.pk).exists()


def test_the_rule_tester_of_another_tenants_bot_is_404(client, two_tenants):
    client.force_login(two_tenants["admin"].user)
    url = reverse("admin:helpdesk_bot_rule_tester", args=[two_tenants["globex_bot"].pk])
    assert client.get(url).status_code == 404


def test_adding_a_canned_reply_sets_the_admins_tenant(client, two_tenants):
    client.force_login(two_tenants["admin"].user)
    response = client.post(
        reverse("admin:inbox_cannedreply_add"), {"title": "Hello", "shortcut": "hi", "body": "Hi there!"}
    )
    assert response.status_code == 302, response.content
    assert every_tenant(CannedReply).get(title="Hello").tenant == two_tenants["acme"]


def test_choices_list_only_the_tenants_rows(client, two_tenants):
    client.force_login(two_tenants["admin"].user)
    response = client.get(reverse("admin:chatbot_knowledgearticle_add"))
    form = response.context["adminform"].form
    assert "tenant" not in form.fields
    assert list(form.fields["bot"].queryset) == [two_tenants["acme_bot"]]
    response = client.get(reverse("admin:helpdesk_bot_change", args=[two_tenants["acme_bot"].pk]))
    assert set(response.context["adminform"].form.fields["queue"].queryset) == set(
        every_tenant(Queue).filter(tenant=two_tenants["acme"])
    )


def test_a_bot_added_in_admin_gets_the_default_rules(client, two_tenants):
    client.force_login(two_tenants["admin"].user)
    queue = every_tenant(Queue).filter(tenant=two_tenants["acme"]).first()
    response = client.get(reverse("admin:helpdesk_bot_add"))
    fields = response.context["adminform"].form.fields
    data = {name: field.initial for name, field in fields.items() if field.initial not in (None, False)}
    data.update(
        {
            "name": "New bot",
            "queue": queue.pk,
            "currency": "USD",
            "refund_handoff_amount": "100",
            "confidence_threshold": "0.35",
            "max_unresolved_turns": "3",
        }
    )
    for flag in (
        "trigger_explicit_request",
        "trigger_sensitive_topic",
        "trigger_negative_sentiment",
        "trigger_repeated_failure",
        "trigger_low_confidence",
    ):
        data[flag] = "on"
    response = client.post(reverse("admin:helpdesk_bot_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    bot = every_tenant(Bot).get(name="New bot")
    assert bot.tenant == two_tenants["acme"]
    assert every_tenant(HandoffRule).filter(bot=bot).count() >= 5


def test_an_agent_without_the_admin_role_cannot_use_admin(client, two_tenants, make_agent):
    agent = make_agent(two_tenants["acme"], "al")
    agent.user.is_staff = True
    agent.user.save()
    client.force_login(agent.user)
    assert client.get(reverse("admin:helpdesk_bot_changelist")).status_code == 403


def test_a_superuser_sees_every_tenant_with_a_filter(client, two_tenants, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.com", "pw"))
    response = client.get(reverse("admin:helpdesk_bot_changelist"))
    assert {bot.name for bot in response.context["cl"].result_list} == {"Acme bot", "Globex bot"}
    assert "tenant" in response.context["cl"].list_filter
