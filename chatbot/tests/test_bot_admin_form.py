"""The bot's admin page is grouped in fieldsets and every setting says what it does; the admin names
canned replies correctly."""

from __future__ import annotations

import pytest
from django.urls import reverse

from helpdesk.models import Bot, Membership
from inbox.models import CannedReply
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db

FIELDSETS = [
    None,
    "Answers",
    "Handoff to a person",
    "When nobody can take a handoff",
    "What the bot collects",
]


def staff_admin(make_agent, tenant, username: str) -> Membership:
    membership = make_agent(tenant, username, role=Membership.Role.ADMIN)
    membership.user.is_staff = True
    membership.user.save()
    return membership


@pytest.fixture
def ada(acme, make_agent):
    return staff_admin(make_agent, acme, "ada")


def change_page(client, bot: Bot):
    return client.get(reverse("admin:helpdesk_bot_change", args=[bot.pk]))


def test_the_bot_page_is_grouped_and_every_setting_has_help(client, ada, bot):
    client.force_login(ada.user)

    page = change_page(client, bot)

    assert page.status_code == 200
    adminform = page.context["adminform"]
    assert [fieldset.name for fieldset in adminform] == FIELDSETS
    shown = [field for fieldset in adminform.fieldsets for field in fieldset[1]["fields"]]
    form = adminform.form
    assert "tenant" not in shown and "tenant" not in form.fields
    assert set(form.fields) <= set(shown)  # nothing editable is left out of the groups
    assert {name for name, field in form.fields.items() if not field.help_text} == set()
    html = page.content.decode()
    assert "Handoff to a person" in html
    assert "An answer the bot is less sure of is not sent" in html


def test_a_superuser_picks_the_tenant_in_the_first_group(client, admin_user, bot):
    client.force_login(admin_user)
    page = change_page(client, bot)
    assert page.status_code == 200
    assert page.context["adminform"].fieldsets[0][1]["fields"][0] == "tenant"
    assert "tenant" in page.context["adminform"].form.fields


@pytest.mark.parametrize(
    ("field", "value"),
    [("confidence_threshold", "sure"), ("max_unresolved_turns", "-1"), ("refund_handoff_amount", "lots")],
)
def test_a_bad_setting_is_refused_on_the_grouped_page(client, ada, bot, field, value):
    client.force_login(ada.user)
    data = {
        "name": bot.name,
        "greeting": bot.greeting,
        "language": bot.language,
        "handoff_message": bot.handoff_message,
        "confidence_threshold": "0.5",
        "max_unresolved_turns": "3",
        "refund_handoff_amount": "100",
        "currency": "USD",
        "offline_policy": bot.offline_policy,
        field: value,
    }

    response = client.post(reverse("admin:helpdesk_bot_change", args=[bot.pk]), data)

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == [field]
    assert every_tenant(Bot).get(pk=bot.pk).confidence_threshold == bot.confidence_threshold


def test_another_tenants_admin_does_not_get_the_bot_page(client, make_tenant, make_agent, bot):
    outsider = staff_admin(make_agent, make_tenant("globex"), "gus")
    client.force_login(outsider.user)
    page = change_page(client, bot)
    assert page.status_code == 302
    assert bot.public_key not in page.content.decode()


def test_canned_replies_are_called_canned_replies(client, ada, acme):
    assert CannedReply._meta.verbose_name_plural == "canned replies"
    client.force_login(ada.user)

    index = client.get(reverse("admin:index")).content.decode()
    listing = client.get(reverse("admin:inbox_cannedreply_changelist")).content.decode()

    assert "Canned replies" in index and "Canned replies" in listing
    assert "Canned replys" not in index + listing


def test_another_tenants_canned_reply_is_not_found(client, ada, make_tenant):
    theirs = CannedReply.objects.create(tenant=make_tenant("globex"), title="Their refund wording", body="x")
    client.force_login(ada.user)
    response = client.get(reverse("admin:inbox_cannedreply_change", args=[theirs.pk]))
    assert response.status_code == 302
    assert "Their refund wording" not in response.content.decode()
