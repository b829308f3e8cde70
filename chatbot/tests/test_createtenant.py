"""``createtenant``: a usable company from one command, and clear refusals that change nothing."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from helpdesk.models import Bot, Membership, Queue, Tenant
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command("createtenant", *args, stdout=out)
    return out.getvalue()


def test_it_creates_the_tenant_its_admin_a_queue_and_a_bot_and_prints_the_snippet():
    output = _run("Acme Outdoor", "acme", "Lead@Acme.example")

    tenant = Tenant.objects.get(slug="acme")
    membership = every_tenant(Membership).get(tenant=tenant)
    assert membership.role == Membership.Role.ADMIN
    assert membership.user.is_staff and not membership.user.is_superuser
    queue = every_tenant(Queue).get(tenant=tenant)
    assert list(queue.members.all()) == [membership.user]
    bot = every_tenant(Bot).get(tenant=tenant)
    assert (bot.name, bot.queue_id) == ("Acme Outdoor assistant", queue.pk)
    assert f'data-bot-key="{bot.public_key}"' in output
    password = re.search(r"password: (\S+)", output).group(1)
    assert authenticate(username="lead@acme.example", password=password) == membership.user


def test_a_given_password_is_used_and_not_printed():
    output = _run(
        "Globex", "globex", "ops@globex.example", "--password", "a-long-Passphrase-42", "--bot-name", "Gil"
    )

    assert "a-long-Passphrase-42" not in output
    assert authenticate(username="ops@globex.example", password="a-long-Passphrase-42") is not None
    assert every_tenant(Bot).get(tenant__slug="globex").name == "Gil"


def test_an_existing_user_becomes_admin_of_the_new_tenant_with_their_password_unchanged():
    user = get_user_model().objects.create_user("sam", email="sam@corp.example", password="old-Passphrase-77")

    output = _run("Second Co", "second", "SAM@corp.example")

    assert "password unchanged" in output
    user.refresh_from_db()
    assert user.is_staff and user.check_password("old-Passphrase-77")
    assert every_tenant(Membership).get(tenant__slug="second").user == user


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("Acme", "no spaces", "a@acme.example"), "slug"),
        (("Acme", "acme2", "not-an-email"), "admin_email"),
        (("  ", "acme3", "a@acme.example"), "name"),
        (("Acme", "acme4", "a@acme.example", "--password", "123"), "password"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_is_created(args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)

    assert not Tenant.objects.exists()
    assert not get_user_model().objects.exists()


def test_a_taken_slug_is_refused_and_the_first_tenant_is_left_as_it_was():
    _run("Acme", "acme", "a@acme.example")

    with pytest.raises(CommandError, match="exists already"):
        _run("Other", "acme", "b@other.example")

    assert Tenant.objects.get(slug="acme").name == "Acme"
    assert not get_user_model().objects.filter(email="b@other.example").exists()
