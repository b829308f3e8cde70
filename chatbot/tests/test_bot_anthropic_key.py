"""A bot's own Anthropic key: encrypted in the database, written but never shown again in Django admin
(a blank box keeps it, a tick box removes it), and still used for the bot's calls to Claude."""

from __future__ import annotations

import importlib
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from cryptography.fernet import InvalidToken
from django.apps import apps
from django.db import connection
from django.urls import reverse

from chatbot.knowledge import bot_profile, responder_for
from chatbot.responders.local import LocalResponder
from chatbot.services import bot_update
from helpdesk.models import Bot, Membership, UnreadableSecret, field_decrypt
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db

KEY = "sk-ant-api03-tenant-own-key-0123456789abcdef"


def stored_column(bot: Bot) -> str:
    """The key as the database holds it, read past the model."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT anthropic_api_key FROM chatbot_bot WHERE id = %s", [bot.pk])
        return cursor.fetchone()[0]


def stored_key(bot: Bot) -> str:
    return every_tenant(Bot).get(pk=bot.pk).anthropic_api_key


# Encryption at rest ---------------------------------------------------------------------------------------


def test_the_database_holds_the_key_encrypted_and_the_bot_reads_it_plain(bot, settings):
    settings.ANTHROPIC_API_KEY = ""
    bot_update(bot=bot, anthropic_api_key=KEY)

    raw = stored_column(bot)
    assert raw and KEY not in raw and "sk-ant" not in raw
    assert field_decrypt(raw) == KEY
    loaded = every_tenant(Bot).get(pk=bot.pk)
    assert loaded.anthropic_api_key == KEY
    assert bot_profile(loaded).api_key == KEY  # what the Claude responder is called with
    assert not isinstance(responder_for(loaded), LocalResponder)


def test_each_save_encrypts_afresh_and_a_blank_key_is_stored_blank(bot):
    bot_update(bot=bot, anthropic_api_key=KEY)
    first = stored_column(bot)
    bot_update(bot=bot, name="Spoke 2")
    assert stored_column(bot) != first and field_decrypt(stored_column(bot)) == KEY
    bot_update(bot=bot, anthropic_api_key="")
    assert stored_column(bot) == ""
    assert every_tenant(Bot).filter(pk=bot.pk, anthropic_api_key="").exists()


def test_a_dedicated_encryption_key_is_used_and_can_be_rotated(bot, settings):
    settings.FIELD_ENCRYPTION_KEY = ["first-field-key"]
    bot_update(bot=bot, anthropic_api_key=KEY)
    token = stored_column(bot)
    settings.FIELD_ENCRYPTION_KEY = []
    with pytest.raises(InvalidToken):
        field_decrypt(token)  # not readable with the secret key alone

    settings.FIELD_ENCRYPTION_KEY = ["second-field-key", "first-field-key"]
    assert stored_key(bot) == KEY
    bot_update(bot=bot, name="Spoke 2")  # saved again: encrypted under the new key
    settings.FIELD_ENCRYPTION_KEY = ["second-field-key"]
    assert stored_key(bot) == KEY


def test_keys_stored_under_the_secret_key_stay_readable_when_a_dedicated_key_is_set(bot, settings):
    bot_update(bot=bot, anthropic_api_key=KEY)
    settings.FIELD_ENCRYPTION_KEY = ["a-new-dedicated-key"]
    assert stored_key(bot) == KEY


def test_a_key_no_configured_key_opens_reads_as_unset_and_is_kept(bot, settings):
    bot_update(bot=bot, anthropic_api_key=KEY)
    token = stored_column(bot)
    old_secret = settings.SECRET_KEY
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40

    loaded = every_tenant(Bot).get(pk=bot.pk)
    assert isinstance(loaded.anthropic_api_key, UnreadableSecret)
    assert not loaded.anthropic_api_key
    assert bot_profile(loaded).api_key == ""  # the deployment's key (none here) is used instead
    bot_update(bot=loaded, name="Renamed")
    assert stored_column(bot) == token  # not overwritten with a blank

    settings.SECRET_KEY = old_secret
    assert stored_key(bot) == KEY


def test_the_data_migration_encrypts_plain_keys_and_going_back_decrypts_them(bot, make_bot, acme):
    migration = importlib.import_module("helpdesk.migrations.0011_bot_anthropic_api_key_encrypted")
    other = make_bot(acme, "Other", queue=False)
    bot_update(bot=other, anthropic_api_key="sk-ant-already-encrypted")
    already = stored_column(other)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE chatbot_bot SET anthropic_api_key = %s WHERE id = %s", [KEY, bot.pk])
    editor = SimpleNamespace(connection=connection)

    migration.encrypt_plain_keys(apps, editor)

    assert KEY not in stored_column(bot) and field_decrypt(stored_column(bot)) == KEY
    assert stored_column(other) == already  # an encrypted key is left as it is
    migration.encrypt_plain_keys(apps, editor)  # run twice: nothing encrypted twice
    assert stored_key(bot) == KEY

    migration.decrypt_keys(apps, editor)

    assert (stored_column(bot), stored_column(other)) == (KEY, "sk-ant-already-encrypted")


# Django admin ---------------------------------------------------------------------------------------------


class FormValues(HTMLParser):
    """What a browser posts back from a page's form: inputs, ticked boxes, text areas and selected options."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select = self._textarea = ""

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        name = attrs.get("name") or ""
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "checkbox"):
            self.values[name] = attrs.get("value") or ""
        elif tag == "input" and name and "checked" in attrs:
            self.values[name] = attrs.get("value") or "on"
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag) -> None:
        if tag == "select":
            self._select = ""
        elif tag == "textarea":
            self._textarea = ""

    def handle_data(self, data) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def form_values(page) -> dict[str, str]:
    parser = FormValues()
    parser.feed(page.content.decode())
    values = parser.values
    for name, value in values.items():  # a browser drops the newline that follows <textarea>
        values[name] = value.removeprefix("\n")
    return {k: v for k, v in values.items() if not k.startswith("_") and k != "csrfmiddlewaretoken"}


def staff_admin(make_agent, tenant, username: str) -> Membership:
    membership = make_agent(tenant, username, role=Membership.Role.ADMIN)
    membership.user.is_staff = True
    membership.user.save()
    return membership


@pytest.fixture
def ada(acme, make_agent):
    return staff_admin(make_agent, acme, "ada")


@pytest.fixture
def keyed_bot(bot):
    return bot_update(bot=bot, anthropic_api_key=KEY)


def change_url(bot: Bot) -> str:
    return reverse("admin:helpdesk_bot_change", args=[bot.pk])


def test_the_change_page_says_the_key_is_set_but_never_shows_it(client, ada, keyed_bot):
    client.force_login(ada.user)

    page = client.get(change_url(keyed_bot))

    html = page.content.decode()
    assert page.status_code == 200
    assert KEY not in html and stored_column(keyed_bot) not in html
    assert "Currently set." in html
    assert 'type="password"' in html
    assert form_values(page)["anthropic_api_key"] == ""


def test_a_bot_without_a_key_says_not_set(client, ada, bot):
    client.force_login(ada.user)
    assert "Currently not set." in client.get(change_url(bot)).content.decode()


def test_saving_the_page_with_the_key_box_blank_keeps_the_key(client, ada, keyed_bot):
    client.force_login(ada.user)
    url = change_url(keyed_bot)
    data = form_values(client.get(url))
    assert data["anthropic_api_key"] == ""
    data["name"] = "Spoke renamed"

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    saved = every_tenant(Bot).get(pk=keyed_bot.pk)
    assert (saved.name, saved.anthropic_api_key) == ("Spoke renamed", KEY)


def test_a_typed_key_replaces_the_stored_one_encrypted(client, ada, keyed_bot):
    client.force_login(ada.user)
    url = change_url(keyed_bot)
    data = {**form_values(client.get(url)), "anthropic_api_key": "sk-ant-replacement"}

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert stored_key(keyed_bot) == "sk-ant-replacement"
    assert "sk-ant-replacement" not in stored_column(keyed_bot)
    assert "sk-ant-replacement" not in client.get(url).content.decode()


def test_the_tick_box_removes_the_key(client, ada, keyed_bot):
    client.force_login(ada.user)
    url = change_url(keyed_bot)
    data = {**form_values(client.get(url)), "anthropic_api_key_clear": "on"}

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert stored_column(keyed_bot) == ""
    assert "Currently not set." in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"anthropic_api_key": "sk-ant-new", "anthropic_api_key_clear": "on"}, "not both"),
        ({"anthropic_api_key": "x" * 201}, "at most 200 characters"),
    ],
)
def test_bad_key_input_is_refused_and_the_stored_key_kept(client, ada, keyed_bot, changes, error):
    client.force_login(ada.user)
    url = change_url(keyed_bot)

    response = client.post(url, {**form_values(client.get(url)), **changes})

    assert response.status_code == 200
    assert error in str(response.context["adminform"].form.errors["anthropic_api_key"])
    assert KEY not in response.content.decode() and "sk-ant-new" not in response.content.decode()
    assert stored_key(keyed_bot) == KEY


def test_a_bot_added_in_admin_with_a_key_stores_it_encrypted(client, ada, bot):
    client.force_login(ada.user)
    data = {**form_values(client.get(change_url(bot))), "name": "Second bot", "anthropic_api_key": KEY}

    response = client.post(reverse("admin:helpdesk_bot_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    added = every_tenant(Bot).get(name="Second bot")
    assert (added.tenant_id, added.anthropic_api_key) == (ada.tenant_id, KEY)
    assert KEY not in stored_column(added)


def test_another_tenants_admin_can_neither_open_nor_change_the_bot(
    client, make_tenant, make_agent, keyed_bot
):
    outsider = staff_admin(make_agent, make_tenant("globex"), "gus")
    client.force_login(outsider.user)
    url = change_url(keyed_bot)

    page = client.get(url)
    posted = client.post(url, {"name": "Taken", "anthropic_api_key_clear": "on"})

    assert page.status_code == posted.status_code == 302
    assert KEY not in page.content.decode()
    saved = every_tenant(Bot).get(pk=keyed_bot.pk)
    assert (saved.name, saved.anthropic_api_key) == ("Spoke", KEY)
