"""The browser scripts' translations: one JSON catalog per language the product speaks."""

import re

import pytest
from django.urls import reverse
from django.utils.translation.trans_real import DjangoTranslation

from tests.support.static_modules import STATIC


def test_each_language_the_product_speaks_has_a_catalog(client, settings):
    for code, _ in settings.LANGUAGES:
        response = client.get(reverse("script-catalog", args=[code]))
        assert response.status_code == 200, code
        data = response.json()
        assert set(data) >= {"catalog", "formats", "plural"}
        assert "public" in response["Cache-Control"]


def test_a_language_the_product_does_not_speak_is_a_404_naming_those_it_does(client):
    response = client.get(reverse("script-catalog", args=["xx"]))
    assert response.status_code == 404
    assert "es" in response.json()["detail"] and "“xx”" in response.json()["detail"]


@pytest.mark.parametrize("lang", ["es-MX", "../../etc", "ES"])
def test_only_a_bare_supported_code_is_accepted(client, lang):
    assert client.get(f"/api/v1/widget/i18n/{lang}.json").status_code == 404


def test_a_customers_site_may_fetch_it(client):
    response = client.get(reverse("script-catalog", args=["fr"]), HTTP_ORIGIN="https://shop.example")
    assert response["Access-Control-Allow-Origin"] == "*"


def test_the_widgets_words_are_translated_with_their_plural_forms(client):
    catalog = client.get(reverse("script-catalog", args=["es"])).json()["catalog"]
    assert catalog["Open chat"] == "Abrir el chat"
    assert catalog["Open chat, %(count)s new message"] == [
        "Abrir el chat, %(count)s mensaje nuevo",
        "Abrir el chat, %(count)s mensajes nuevos",
    ]
    assert client.get(reverse("script-catalog", args=["de"])).json()["catalog"]["Send"] == "Senden"


# gettext("...") and the first argument of ngettext("...", "...", n) in the browser scripts: what
# makemessages -d djangojs collects.
_MESSAGES = re.compile(r"""\b(?:gettext|ngettext)\(\s*"((?:[^"\\]|\\.)*)\"""")


def _script_messages() -> set[str]:
    found = set()
    for path in STATIC.rglob("*.js"):
        found.update(_MESSAGES.findall(path.read_text(encoding="utf-8")))
    return found - {""}


def test_every_word_the_scripts_translate_has_a_translation_in_each_shipped_catalog(settings):
    messages = _script_messages()
    assert "Open chat" in messages and "%(name)s is typing…" in messages
    for code, _ in settings.LANGUAGES:
        if code == "en":
            continue
        # The catalog object answers lookups only; its keys(): msgids, and (msgid, n) for plural forms.
        translated = set(DjangoTranslation(code, domain="djangojs")._catalog.keys())  # noqa: SIM118
        missing = sorted(m for m in messages if m not in translated and (m, 0) not in translated)
        assert not missing, f"{code}: no translation for {missing} (makemessages -d djangojs, then compile)"


def test_the_widget_offers_the_languages_the_product_speaks(settings):
    source = (STATIC / "widget" / "chat.js").read_text(encoding="utf-8")
    listed = re.search(r"export const LANGUAGES = \[([^\]]*)\]", source).group(1)
    assert re.findall(r'"(\w+)"', listed) == [code for code, _ in settings.LANGUAGES]
