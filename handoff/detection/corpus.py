"""The labelled corpus the handoff signal model learns from: loading, validation and its fingerprint.

The corpus is ``handoff/detection/corpus/*.jsonl``: one file per business domain, one JSON object a line::

    {"text": "pls get me someone real", "labels": ["person"], "lang": "en", "domain": "retail"}
    {"text": "can tuesday's order be stopped?", "labels": [], "lang": "en", "domain": "retail", "hard": true}

- ``text``: one customer message, as a customer would type it (typos, emoji and all).
- ``labels``: the signals in it, from ``LABELS``; an empty list means "no signal, the bot answers".
  A message may carry several labels ("the fee hit my card two times, get me an agent":
  billing_dispute, person).
- ``lang``: the message's language (ISO 639-1, e.g. "en", "ja"); ``domain``: the business it comes from.
  Evaluation leaves one ``domain`` out at a time, so a domain is a business, not a topic.
- ``hard`` (optional, default false): a negative written to look like a signal ("are you a bot?",
  "can the appointment be moved"); the evaluation reports the false-handoff rate on these apart.

Extending it: add lines to the domain's file, or a new ``<domain>.jsonl`` for a new business. Write new
messages rather than copying from the scenario files (a test checks that no corpus text repeats a
customer turn of ``chatbot/tests/scenarios``, so those stay a fair test), add hard negatives next to
each new kind of signal, then run ``python manage.py detection_report`` to see the effect per domain
and language and ``python manage.py detection_train`` to rebuild the model. The model's version includes
the corpus fingerprint, so a model built from an older corpus refuses to load until it is rebuilt.

Loading is strict: a bad line raises ``CorpusError`` naming the file and line, because a silently
skipped line would change what the model learns without anyone noticing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"

LABELS: tuple[str, ...] = (
    "person",
    "billing_dispute",
    "complaint",
    "legal",
    "account_security",
    "account_cancellation",
    "refund_request",
    "frustrated",
    "dissatisfied",
)
_KEYS = frozenset({"text", "labels", "lang", "domain", "hard"})


class CorpusError(ValueError):
    """A corpus line that cannot be used; the message names the file and the 1-based line."""

    def __init__(self, path: Path | str, line: int, problem: str) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        super().__init__(f"{self.path}:{line}: {problem}")


@dataclass(frozen=True)
class Example:
    text: str
    labels: tuple[str, ...]  # sorted, no duplicates, each in LABELS
    lang: str
    domain: str
    hard: bool = False
    source: str = ""  # "file.jsonl:12", for error messages and reports

    @property
    def is_negative(self) -> bool:
        return not self.labels


def _require_str(row: dict, key: str, path: Path | str, line: int) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CorpusError(path, line, f'"{key}" must be a non-empty string, got {value!r}')
    return value


def parse_line(raw: str, path: Path | str, line: int) -> Example:
    """One corpus line as an ``Example``; raises ``CorpusError`` with the file and line when it is bad."""
    try:
        row = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CorpusError(path, line, f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(row, dict):
        raise CorpusError(path, line, f"expected a JSON object, got {type(row).__name__}")
    unknown = sorted(set(row) - _KEYS)
    if unknown:
        raise CorpusError(path, line, f"unknown keys {unknown}; allowed: {sorted(_KEYS)}")
    text = _require_str(row, "text", path, line)
    lang = _require_str(row, "lang", path, line)
    domain = _require_str(row, "domain", path, line)
    labels = row.get("labels")
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise CorpusError(path, line, f'"labels" must be a list of strings, got {labels!r}')
    wrong = sorted(set(labels) - set(LABELS))
    if wrong:
        raise CorpusError(path, line, f"unknown labels {wrong}; allowed: {list(LABELS)}")
    if len(set(labels)) != len(labels):
        raise CorpusError(path, line, f"repeated label in {labels}")
    hard = row.get("hard", False)
    if not isinstance(hard, bool):
        raise CorpusError(path, line, f'"hard" must be true or false, got {hard!r}')
    if hard and labels:
        raise CorpusError(path, line, '"hard" marks a negative, but the line has labels')
    return Example(
        text=text,
        labels=tuple(sorted(labels)),
        lang=lang,
        domain=domain,
        hard=hard,
        source=f"{Path(path).name}:{line}",
    )


def read_file(path: Path) -> list[Example]:
    """The examples of one file; blank lines are allowed (an editor's trailing newline), bad ones are not."""
    examples = []
    with open(path, encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                examples.append(parse_line(raw, path, number))
    return examples


def corpus_files(directory: Path = CORPUS_DIR) -> list[Path]:
    """The corpus files in name order, so every load sees the examples in the same order."""
    return sorted(Path(directory).glob("*.jsonl"))


def load_corpus(directory: Path = CORPUS_DIR) -> list[Example]:
    """Every example of the corpus, in file then line order; raises ``CorpusError`` on the first bad line.

    A text that appears twice with different labels is an error too: the model cannot learn both.
    """
    files = corpus_files(directory)
    if not files:
        raise CorpusError(directory, 0, "no *.jsonl corpus files")
    examples: list[Example] = []
    seen: dict[str, Example] = {}
    for path in files:
        for example in read_file(path):
            earlier = seen.get(example.text)
            if earlier is not None and earlier.labels != example.labels:
                file, _, line = example.source.rpartition(":")
                raise CorpusError(
                    Path(directory) / file,
                    int(line),
                    f"same text as {earlier.source} with other labels ({list(earlier.labels)})",
                )
            seen.setdefault(example.text, example)
            examples.append(example)
    return examples


def corpus_fingerprint(examples: Iterable[Example]) -> str:
    """A short hash of what the model learns from (text, labels, domain), independent of file layout."""
    digest = hashlib.sha256()
    for example in examples:
        digest.update(json.dumps([example.text, example.labels, example.domain], ensure_ascii=False).encode())
        digest.update(b"\n")
    return digest.hexdigest()[:16]
