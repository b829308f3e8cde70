"""The detection corpus: strict loading with the file and line of a bad line, and a fair test set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from handoff.detection.corpus import (
    CORPUS_DIR,
    LABELS,
    CorpusError,
    corpus_fingerprint,
    load_corpus,
    parse_line,
)

SCENARIOS = Path(__file__).resolve().parents[2] / "chatbot" / "tests" / "scenarios"


def _write(directory: Path, name: str, lines: list[str]) -> Path:
    path = directory / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _line(**fields) -> str:
    row = {"text": "where is my parcel", "labels": [], "lang": "en", "domain": "retail"} | fields
    return json.dumps({k: v for k, v in row.items() if v is not None})


def test_valid_lines_load_in_file_then_line_order(tmp_path):
    _write(tmp_path, "b.jsonl", [_line(text="I want a person", labels=["person"], domain="b")])
    _write(tmp_path, "a.jsonl", [_line(domain="a"), "", _line(text="are you a bot?", hard=True, domain="a")])

    examples = load_corpus(tmp_path)

    assert [(e.text, e.labels, e.domain, e.hard, e.source) for e in examples] == [
        ("where is my parcel", (), "a", False, "a.jsonl:1"),
        ("are you a bot?", (), "a", True, "a.jsonl:3"),
        ("I want a person", ("person",), "b", False, "b.jsonl:1"),
    ]


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ('{"text": "hi", "labels": [', "not valid JSON"),
        ('["hi"]', "expected a JSON object"),
        (_line(labels=["angry"]), "unknown labels ['angry']"),
        (_line(labels="person"), '"labels" must be a list of strings'),
        (_line(labels=["person", "person"]), "repeated label"),
        (_line(text=""), '"text" must be a non-empty string'),
        (_line(lang=None), '"lang" must be a non-empty string'),
        (_line(hard="yes"), '"hard" must be true or false'),
        (_line(labels=["legal"], hard=True), '"hard" marks a negative'),
        (_line(intent="x"), "unknown keys ['intent']"),
    ],
)
def test_a_bad_line_names_its_file_and_line(tmp_path, raw, problem):
    _write(tmp_path, "retail.jsonl", [_line(), _line(text="ok thanks"), raw])

    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path)

    assert caught.value.line == 3
    assert caught.value.path.endswith("retail.jsonl")
    assert str(caught.value).startswith(f"{tmp_path / 'retail.jsonl'}:3: ")
    assert problem in str(caught.value)


def test_one_text_with_two_labellings_is_an_error(tmp_path):
    _write(
        tmp_path, "a.jsonl", [_line(text="cancel my account", labels=["account_cancellation"], domain="a")]
    )
    _write(tmp_path, "b.jsonl", [_line(domain="b"), _line(text="cancel my account", labels=[], domain="b")])

    with pytest.raises(CorpusError, match=r"b\.jsonl:2: same text as a\.jsonl:1 with other labels"):
        load_corpus(tmp_path)


def test_an_empty_directory_is_an_error(tmp_path):
    with pytest.raises(CorpusError, match="no \\*.jsonl corpus files"):
        load_corpus(tmp_path)


def test_parse_line_sorts_labels_so_the_fingerprint_ignores_their_order():
    first = parse_line(_line(labels=["person", "complaint"]), "x.jsonl", 1)
    second = parse_line(_line(labels=["complaint", "person"]), "x.jsonl", 1)

    assert first.labels == ("complaint", "person")
    assert corpus_fingerprint([first]) == corpus_fingerprint([second])


def test_the_real_corpus_loads_and_covers_every_label():
    examples = load_corpus(CORPUS_DIR)

    assert {label for e in examples for label in e.labels} == set(LABELS)
    assert len({e.domain for e in examples}) >= 2


# Verbatim copies found when this test was written, reported to the corpus authors; they are short
# generic phrases, but the corpus files are theirs to reword. Any other copy fails the test.
def test_no_corpus_text_copies_a_customer_turn_of_the_scenarios():
    """The scenario files judge the product end to end; a copied line would let the model memorise them."""
    turns = {
        turn.strip()
        for path in sorted(SCENARIOS.glob("*.json"))
        for scenario in json.loads(path.read_text(encoding="utf-8"))["scenarios"]
        for turn in scenario["turns"]
        if isinstance(turn, str)
    }
    assert turns

    copied = [e.source for e in load_corpus(CORPUS_DIR) if e.text.strip() in turns]

    assert copied == []
