"""Knowledge-base retrieval: articles split into passages, ranked with BM25 (bm25s).

Articles are Markdown, read with markdown-it-py (raw HTML off, so a tag in an article is text) and
reduced to plain-text headings and paragraphs before they are cut into passages.

Pure logic over plain data (no ORM). The caller builds passages from a bot's enabled articles and keeps
one index per bot in an `IndexCache`, keyed by the bot and a version string that changes whenever an
article does, so an edit is searchable on the next question without a restart.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

import bm25s
import numpy as np
from markdown_it import MarkdownIt
from markdown_it.token import Token

from chatbot.responders.base import Passage
from chatbot.terms import FOLLOW_UP_WEIGHT, follow_up_context, index_terms, query_terms, typo_match

# bm25s sets its own logger to DEBUG when imported, which would print a line per index build.
logging.getLogger("bm25s").setLevel(logging.WARNING)

# Raw HTML off: a tag written in an article is text to read, never markup. Tables on, so their cells'
# text is kept without the pipes and the delimiter row.
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
_GROUP_OPEN = frozenset({"bullet_list_open", "ordered_list_open", "table_open"})
_GROUP_CLOSE = frozenset({"bullet_list_close", "ordered_list_close", "table_close"})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")


def _plain(tokens: Sequence[Token] | None) -> str:
    """The readable text of an inline token's children: text and inline code as written, links by their
    text, images by their alt text, emphasis markers dropped, line breaks as newlines."""
    parts: list[str] = []
    for token in tokens or ():
        if token.type in ("text", "text_special", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif token.type == "image":
            parts.append(_plain(token.children))
    return "".join(parts)


def _tidy(text: str) -> str:
    """Each line stripped, blank lines dropped."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _blocks(body: str) -> list[tuple[bool, str]]:
    """(is_heading, text) for each heading and paragraph of a Markdown body, in order.

    A whole list (nested lists included) or table is one paragraph with a line per item's paragraph or
    per row; code is a paragraph of its content; a quote's blocks are read as if unquoted; thematic
    breaks and link reference definitions give nothing.
    """
    blocks: list[tuple[bool, str]] = []
    group: list[str] = []  # lines of the list or table being read
    depth = 0  # how deep inside lists and tables
    row: list[str] = []

    def add(is_heading: bool, text: str) -> None:
        text = _tidy(text)
        if not text:
            return
        if depth:
            group.append(text)
        else:
            blocks.append((is_heading, text))

    tokens = _markdown.parse(body)
    for n, token in enumerate(tokens):
        if token.type in _GROUP_OPEN:
            depth += 1
        elif token.type in _GROUP_CLOSE:
            depth -= 1
            if not depth and group:
                blocks.append((False, "\n".join(group)))
                group.clear()
        elif token.type in ("fence", "code_block"):
            add(False, token.content)
        elif token.type == "tr_open":
            row.clear()
        elif token.type == "tr_close":
            add(False, " | ".join(cell for cell in row if cell))
        elif token.type == "inline":
            opener = tokens[n - 1].type
            if opener in ("th_open", "td_open"):
                row.append(_tidy(_plain(token.children)).replace("\n", " "))
            else:
                add(opener == "heading_open", _plain(token.children))
    return blocks


def _chunks(text: str, max_words: int) -> list[str]:
    """A paragraph cut at sentence ends into pieces of at most max_words (long sentences at words)."""
    pieces: list[str] = []
    current: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        words = sentence.split()
        while len(words) > max_words:
            pieces.extend([" ".join(current)] if current else [])
            current = []
            pieces.append(" ".join(words[:max_words]))
            words = words[max_words:]
        if current and len(current) + len(words) > max_words:
            pieces.append(" ".join(current))
            current = []
        current.extend(words)
    if current:
        pieces.append(" ".join(current))
    return pieces


def split_passages(
    article_id: int, title: str, body: str, url: str = "", max_words: int = 120
) -> list[Passage]:
    """Cut an article into passages small enough to quote and large enough to carry their own context.

    A heading starts a new passage unless the current one is still short (under a quarter of max_words),
    consecutive short paragraphs are merged up to max_words, and a long paragraph is cut at sentence
    ends. Ids are "<article_id>:<n>", n counting from 0, stable while the article does not change.
    """
    max_words = max(max_words, 10)
    min_words = max_words // 4
    texts: list[str] = []
    lines: list[str] = []
    words = 0
    only_headings = True

    def flush() -> None:
        nonlocal words, only_headings
        if lines and not only_headings:
            texts.append("\n".join(lines))
        elif lines and texts:
            texts[-1] += "\n" + "\n".join(lines)
        lines.clear()
        words, only_headings = 0, True

    for is_heading, text in _blocks(body):
        if is_heading:
            if words >= min_words and not only_headings:
                flush()
            lines.append(text)
            words += len(text.split())
            continue
        for chunk in _chunks(text, max_words) if len(text.split()) > max_words else [text]:
            size = len(chunk.split())
            if words + size > max_words and not only_headings:
                flush()
            lines.append(chunk)
            words += size
            only_headings = False
    flush()
    return [
        Passage(id=f"{article_id}:{n}", article_id=article_id, title=title, text=text, url=url)
        for n, text in enumerate(texts)
    ]


def passage_terms(passage: Passage) -> list[str]:
    """What is indexed for a passage: its article's title and its own text."""
    return index_terms(f"{passage.title}\n{passage.text}")


class PassageIndex:
    """A BM25 index over one bot's passages; cheap to query, rebuilt (not updated) when articles change."""

    def __init__(self, passages: Sequence[Passage], *, k1: float = 1.2, b: float = 0.75) -> None:
        self.passages = list(passages)
        self._bm25: bm25s.BM25 | None = None
        corpus = [passage_terms(p) for p in self.passages]
        if any(corpus):
            self._bm25 = bm25s.BM25(k1=k1, b=b)
            self._bm25.index(corpus, show_progress=False)

    def __len__(self) -> int:
        return len(self.passages)

    def search(self, query: str, k: int = 4, *, context: str = "") -> list[Passage]:
        """The k passages that best match the query, best first, each a copy with .score set.

        Only passages sharing at least one term with the query are returned, so a question about
        something the knowledge base never mentions gets [] rather than arbitrary passages. ``context``
        is the customer's previous message: when the query leans on it (see
        ``terms.follow_up_context``), its other words add their score at ``FOLLOW_UP_WEIGHT``.
        """
        if self._bm25 is None or k <= 0:
            return []
        terms = self._known(query_terms(query))
        leaned_on = follow_up_context(query, context)
        extra = [t for t in self._known(query_terms(leaned_on)) if t not in terms] if leaned_on else []
        if not terms and not extra:
            return []
        scores = self._bm25.get_scores(terms) if terms else np.zeros(len(self.passages))
        if extra:
            scores = scores + FOLLOW_UP_WEIGHT * self._bm25.get_scores(extra)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        ranked = sorted(top.tolist(), key=lambda i: (-scores[i], i))
        return [
            dataclasses.replace(self.passages[i], score=float(scores[i])) for i in ranked if scores[i] > 0
        ]

    def _known(self, terms: list[str]) -> list[str]:
        """The terms the index knows, a misspelt one replaced by the indexed term it is a slip of."""
        vocab = self._bm25.vocab_dict if self._bm25 is not None else {}
        known = (term if term in vocab else typo_match(term, vocab.keys()) for term in terms)
        return list(dict.fromkeys(term for term in known if term))


class IndexCache:
    """Process-wide indexes, one per key (a bot), rebuilt when the caller's version string changes.

    Builds for different keys run in parallel; concurrent requests for the same stale key build once.
    The least recently used indexes are dropped past max_entries so idle tenants do not hold memory.
    """

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[str, PassageIndex]] = OrderedDict()
        self._build_locks: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, version: str, build: Callable[[], list[Passage]]) -> PassageIndex:
        cached = self._fresh(key, version)
        if cached is not None:
            return cached
        with self._lock:
            build_lock = self._build_locks.setdefault(key, threading.Lock())
        with build_lock:
            cached = self._fresh(key, version)
            if cached is not None:
                return cached
            index = PassageIndex(build())
            with self._lock:
                self._entries[key] = (version, index)
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    evicted, _ = self._entries.popitem(last=False)
                    self._build_locks.pop(evicted, None)
            return index

    def _fresh(self, key: Hashable, version: str) -> PassageIndex | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._build_locks.clear()
