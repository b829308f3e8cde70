"""The customer's language: detection with lingua, and the shipped catalogs of the bot's own texts."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from handoff.routing import WaitEstimate
from helpdesk.language import language_detect, language_or_default
from tickets.offline_text import (
    ask_email_text,
    disclaimer_text,
    offline_unsure_text,
    opener_text,
    ticket_opened_text,
)

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("hola, quiero hablar con una persona", "es"),
        ("Wo ist meine Bestellung?", "de"),
        ("bonjour, ma commande est en retard", "fr"),
        ("preciso de ajuda com a minha encomenda", "pt"),
        ("where is my order?", "en"),
    ],
)
def test_the_language_of_a_sentence_is_detected(text, code):
    assert language_detect(text) == code


@pytest.mark.parametrize("text", ["ok", "merci", "NW-12345", "", "👍"])
def test_a_single_word_or_no_words_tells_no_language(text):
    assert language_detect(text) is None


def test_detection_can_be_switched_off(settings):
    settings.LANGUAGE_DETECTION = False

    assert language_detect("hola, quiero hablar con una persona") is None


def test_an_unsupported_code_falls_back_to_the_sites_language():
    assert (language_or_default("es-MX"), language_or_default("it"), language_or_default("")) == (
        "es",
        "en",
        "en",
    )


def _texts() -> list[str]:
    return [
        opener_text("closed"),
        opener_text("pickup_missed"),
        ask_email_text(opener_text("closed"), ""),
        ticket_opened_text(reference="T-7", name="Ana", email="ana@example.org", by_email=True, back=""),
        disclaimer_text(),
        offline_unsure_text(),
        WaitEstimate(position=2, seconds=300, agents_online=1).phrase(),
    ]


@pytest.mark.parametrize("code", ["es", "fr", "de", "pt"])
def test_every_shipped_language_says_the_bots_texts_in_it(code):
    english = _texts()
    with translation.override(code):
        translated = _texts()

    assert all(t != e for t, e in zip(translated, english, strict=True)), translated
    assert "T-7" in translated[3] and "ana@example.org" in translated[3]


def test_the_spanish_ticket_confirmation_reads_as_one_text():
    with translation.override("es"):
        text = ticket_opened_text(
            reference="T-7", name="Ana", email="ana@example.org", by_email=False, back=""
        )

    assert text == (
        "Gracias, Ana. He abierto el ticket T-7 con toda nuestra conversación. El equipo responderá a "
        "ana@example.org en cuanto alguien esté disponible."
    )


def test_the_catalogs_are_compiled_and_hold_the_same_messages():
    ids = {}
    for code in ("es", "fr", "de", "pt"):
        po = LOCALE / code / "LC_MESSAGES" / "django.po"
        assert (LOCALE / code / "LC_MESSAGES" / "django.mo").stat().st_mtime >= po.stat().st_mtime - 1
        ids[code] = {line for line in po.read_text().splitlines() if line.startswith("msgid ")}
    assert ids["es"] == ids["fr"] == ids["de"] == ids["pt"]
