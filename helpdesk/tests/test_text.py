"""The one text module: what each fold does, and the promise each caller relies on."""

from __future__ import annotations

import re

import pytest

from helpdesk.text import fold, fold_accents, fold_case, shorten_repeats, strip_accents


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Ich möchte KÜNDIGEN", "ich mochte kundigen"),
        ("¿Dónde está mi reembolso?", "¿donde esta mi reembolso?"),
        ("I don\u2019t want a \u201cbot\u201d", 'i don\'t want a "bot"'),
        ("İstanbul", "istanbul"),
        ("オペレーター", "オペレーター"),
        ("", ""),
    ],
)
def test_fold_keeps_every_character_at_its_offset(text, folded):
    assert fold(text) == folded
    assert len(fold(text)) == len(text)


def test_a_pattern_written_with_accents_matches_folded_text():
    pattern = re.compile(fold_accents(r"\bréclamation\S*"))

    assert pattern.search(fold("Je veux faire une RÉCLAMATION!")).group() == "reclamation!"
    assert fold_accents(r"\S\s") == r"\S\s"


def test_fold_case_unifies_width_ligatures_and_case():
    assert fold_case("ＨＥＬＰ Straße ﬁle") == "help strasse file"


def test_strip_accents_takes_latin_marks_off_and_keeps_other_scripts():
    assert strip_accents("devolución más können ça") == "devolucion mas konnen ca"
    assert strip_accents("co\u0301mo") == "como"  # an accent typed as a combining mark
    assert strip_accents("がぎ") == "がぎ"  # kana voicing marks are part of the letter
    assert strip_accents("किताब") == "किताब"  # Devanagari vowel signs too


def test_shorten_repeats_keeps_a_stretch_twice():
    assert shorten_repeats("humaaaan nooooo") == "humaan noo"
    assert shorten_repeats("too good, all 100") == "too good, all 100"
