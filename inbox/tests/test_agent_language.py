"""Agent pages speak the agent's browser language (LocaleMiddleware over Accept-Language), words and
scripts alike; without a language they are in English."""

import json
import re

import pytest
from django.urls import reverse

from chatbot.services import widget_conversation_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_tenant, make_bot, make_agent):
    acme, globex = make_tenant("acme"), make_tenant("globex")
    return {
        "alice": make_agent(acme, "alice"),
        "gina": make_agent(globex, "gina"),
        "conv": widget_conversation_start(public_key=make_bot(acme).public_key).conversation,
    }


def _catalog(html: str) -> dict:
    found = re.search(r'<script id="script-catalog" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_the_inbox_in_spanish_for_a_spanish_browser(client, world):
    client.force_login(world["alice"].user)
    html = client.get(reverse("inbox:index"), HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9").content.decode()
    assert '<html lang="es">' in html
    assert "Bandeja de entrada" in html and "Vistas guardadas" in html and "Mías" in html
    assert "Saved views" not in html
    catalog = _catalog(html)
    assert catalog["lang"] == "es"
    assert catalog["catalog"]["Mute sound"] == "Silenciar"
    assert catalog["catalog"]["%(count)s minute"] == ["%(count)s minuto", "%(count)s minutos"]


def test_the_same_inbox_in_english_without_a_language(client, world):
    client.force_login(world["alice"].user)
    html = client.get(reverse("inbox:index")).content.decode()
    assert '<html lang="en">' in html
    assert "Saved views" in html and "Mine" in html
    assert "Bandeja de entrada" not in html
    assert _catalog(html)["lang"] == "en"


def test_a_language_the_product_does_not_speak_gives_english(client, world):
    client.force_login(world["alice"].user)
    html = client.get(reverse("inbox:index"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert '<html lang="en">' in html and "Saved views" in html


def test_a_conversation_page_in_german(client, world):
    client.force_login(world["alice"].user)
    url = reverse("inbox:conversation", args=[world["conv"].pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Übernehmen" in html and "Kontext" in html and "Private Notiz" in html


def test_another_companys_conversation_is_still_a_404_in_spanish(client, world):
    client.force_login(world["gina"].user)
    url = reverse("inbox:conversation", args=[world["conv"].pk])
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="es").status_code == 404


def test_the_language_does_not_change_urls(client, world):
    client.force_login(world["alice"].user)
    response = client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert "Boîte de réception" in response.content.decode()


def test_the_reason_a_conversation_was_handed_off_reads_in_the_agents_language(client, world):
    from helpdesk.models import Conversation

    Conversation.objects.for_tenant(world["conv"].tenant_id).filter(pk=world["conv"].pk).update(
        status=Conversation.Status.WAITING, handoff_reason="sensitive_topic"
    )
    client.force_login(world["alice"].user)
    html = client.get(reverse("inbox:index"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'class="badge reason-sensitive_topic">Tema delicado<' in html
    # The scripts name each reason themselves (an event's label is English): their catalog has them all.
    catalog = _catalog(html)["catalog"]
    assert catalog["Sensitive topic"] == "Tema delicado" and catalog["Low confidence"] == "Poca confianza"
    english = client.get(reverse("inbox:index")).content.decode()
    assert 'class="badge reason-sensitive_topic">Sensitive topic<' in english
