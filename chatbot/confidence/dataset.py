"""The labelled calibration set: help centres of several business domains and their customers' questions.

Each ``domains/<name>.json`` file is one domain::

    {"domain": "retail", "name": "...",
     "articles": [{"title": "...", "body": "..."}, ...],
     "questions": [{"text": "...", "answer": "<article title>" | ["<title>", ...] | null,
                    "context": "<the customer's previous message, for a follow-up>"}, ...]}

``answer`` null marks a question the knowledge base does not answer, including near-misses that share its
everyday words but not its point. The questions are written the way customers type: casual, misspelt,
unpunctuated, and follow-ups that lean on the previous message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from chatbot.responders.base import Passage
from chatbot.retrieval import PassageIndex, split_passages

DOMAINS_DIR = Path(__file__).parent / "domains"


class CalibrationSetError(ValueError):
    """A domain file that cannot be used, with every problem found in it."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path.name}: " + "; ".join(problems))


@dataclass(frozen=True)
class Article:
    id: int
    title: str
    body: str


@dataclass(frozen=True)
class LabelledQuestion:
    text: str
    answers: frozenset[int]  # ids of the articles that answer it; empty: the knowledge base does not
    context: str = ""  # the customer's previous message, when the question follows up on it

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


@dataclass(frozen=True)
class CalibrationDomain:
    domain: str
    name: str
    articles: tuple[Article, ...]
    questions: tuple[LabelledQuestion, ...]

    def passages(self) -> list[Passage]:
        passages: list[Passage] = []
        for article in self.articles:
            passages.extend(split_passages(article.id, article.title, article.body))
        return passages

    def index(self) -> PassageIndex:
        return PassageIndex(self.passages())


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def domain_parse(data: dict, path: Path) -> CalibrationDomain:
    """One domain file's content, checked: every problem is reported at once."""
    problems: list[str] = []
    articles = []
    for n, raw in enumerate(data.get("articles") or [], start=1):
        title, body = _text(raw.get("title")), _text(raw.get("body"))
        if not title or not body:
            problems.append(f"article {n}: title and body are required")
        articles.append(Article(id=n, title=title, body=body))
    ids = {article.title: article.id for article in articles}
    if len(ids) != len(articles):
        problems.append("article titles must be unique")
    questions = []
    for n, raw in enumerate(data.get("questions") or [], start=1):
        text, answer = _text(raw.get("text")), raw.get("answer")
        titles = [answer] if isinstance(answer, str) else list(answer or [])
        unknown = [title for title in titles if title not in ids]
        if not text:
            problems.append(f"question {n}: text is required")
        if unknown:
            problems.append(f"question {n}: no article titled {', '.join(map(repr, unknown))}")
        answers = frozenset(ids[title] for title in titles if title in ids)
        questions.append(LabelledQuestion(text=text, answers=answers, context=_text(raw.get("context"))))
    if not articles or not questions:
        problems.append("a domain needs articles and questions")
    domain = _text(data.get("domain"))
    if not domain:
        problems.append("domain is required")
    if problems:
        raise CalibrationSetError(path, problems)
    return CalibrationDomain(
        domain=domain, name=_text(data.get("name")), articles=tuple(articles), questions=tuple(questions)
    )


@cache
def calibration_domains(directory: Path = DOMAINS_DIR) -> tuple[CalibrationDomain, ...]:
    """Every domain of the calibration set, in file name order."""
    return tuple(
        domain_parse(json.loads(path.read_text(encoding="utf-8")), path)
        for path in sorted(directory.glob("*.json"))
    )
