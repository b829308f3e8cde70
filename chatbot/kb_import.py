"""Importing knowledge articles from Markdown files, a CSV or a JSON list.

Parsing is pure (text in, :class:`ArticleRow` list or :class:`ImportFileError` out) so every format is
tested without a database. A file is all or nothing: one bad row rejects the whole file, naming the line
and the reason, and nothing from it is imported.

Formats:
- Markdown (``.md``, ``.markdown``): one article per file. Optional YAML front matter between ``---``
  lines (python-frontmatter) with ``title:``, ``url:`` and ``enabled:``; otherwise the first
  ``# Heading`` is the title (else the file name) and the rest is the body.
- CSV (``.csv``): a header row with ``title`` and ``body`` columns, optionally ``url`` and ``enabled``.
- JSON (``.json``): a list of objects with ``title`` and ``body``, optionally ``url`` and ``enabled``.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from frontmatter.default_handlers import YAMLHandler

MARKDOWN_SUFFIXES = {".md", ".markdown"}
SUFFIXES = MARKDOWN_SUFFIXES | {".csv", ".json"}
TITLE_MAX = 300
TRUE_WORDS = {"1", "true", "yes", "y", "on", ""}
FALSE_WORDS = {"0", "false", "no", "n", "off"}


@dataclass(frozen=True)
class ArticleRow:
    title: str
    body: str
    url: str = ""
    enabled: bool = True
    line: int = 1


class ImportFileError(ValueError):
    def __init__(self, path: str, line: int | None, reason: str) -> None:
        self.path, self.line, self.reason = path, line, reason
        where = f"{path}, line {line}" if line else path
        super().__init__(f"{where}: {reason}")


def _enabled(value, path: str, line: int) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value if value is not None else "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImportFileError(path, line, f"enabled must be true or false, not {value!r}")


def _row(path: str, line: int, title, body, url="", enabled=True) -> ArticleRow:
    title = str(title or "").strip()
    body = str(body or "").strip()
    url = str(url or "").strip()
    if not title:
        raise ImportFileError(path, line, "the title is empty")
    if len(title) > TITLE_MAX:
        raise ImportFileError(path, line, f"the title is longer than {TITLE_MAX} characters")
    if not body:
        raise ImportFileError(path, line, f"the article {title!r} has no body")
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError as exc:
            raise ImportFileError(path, line, f"{url!r} is not an http(s) URL") from exc
    return ArticleRow(title=title, body=body, url=url, enabled=_enabled(enabled, path, line), line=line)


_FRONT_MATTER = YAMLHandler()


def _front_matter(text: str, path: str) -> tuple[dict, str, int]:
    """(metadata, body, the number of lines before the body) of a Markdown file with optional YAML front
    matter between ``---`` lines, read by python-frontmatter."""
    if not _FRONT_MATTER.detect(text):
        return {}, text, 0
    try:
        raw, body = _FRONT_MATTER.split(text)
    except ValueError:
        raise ImportFileError(path, 1, "the front matter has no closing `---`") from None
    try:
        meta = _FRONT_MATTER.load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # The YAML's own line numbers start after the opening `---`.
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or "it is not valid YAML"
        raise ImportFileError(path, line, f"the front matter is not `key: value` lines ({reason})") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ImportFileError(path, 2, "the front matter is not `key: value` lines")
    return (
        {str(key).strip().lower(): value for key, value in meta.items()},
        body,
        text[: len(text) - len(body)].count("\n"),
    )


def parse_markdown(text: str, path: str) -> list[ArticleRow]:
    meta, body, start = _front_matter(text, path)
    title = meta.get("title") or ""
    title_line = 1
    body_lines = body.splitlines()
    if not title:
        for i, line in enumerate(body_lines):
            if line.startswith("# "):
                title, title_line = line[2:].strip(), start + i + 1
                body_lines = body_lines[:i] + body_lines[i + 1 :]
                break
    if not title:
        title = Path(path).stem.replace("-", " ").replace("_", " ").strip().capitalize()
    return [
        _row(path, title_line, title, "\n".join(body_lines), meta.get("url") or "", meta.get("enabled", True))
    ]


def parse_csv(text: str, path: str) -> list[ArticleRow]:
    reader = csv.DictReader(io.StringIO(text))
    columns = {c.strip().lower() for c in reader.fieldnames or [] if c}
    missing = {"title", "body"} - columns
    if missing:
        raise ImportFileError(
            path, 1, f"the header needs the columns title and body (missing: {', '.join(sorted(missing))})"
        )
    rows = []
    try:
        for record in reader:
            clean = {(k or "").strip().lower(): v for k, v in record.items()}
            if None in record:
                raise ImportFileError(path, reader.line_num, "this row has more cells than the header")
            if not any((v or "").strip() for v in clean.values()):
                continue
            rows.append(
                _row(
                    path,
                    reader.line_num,
                    clean.get("title"),
                    clean.get("body"),
                    clean.get("url"),
                    clean.get("enabled"),
                )
            )
    except csv.Error as exc:
        raise ImportFileError(path, reader.line_num, f"not valid CSV ({exc})") from exc
    return rows


def _json_line(text: str, index: int) -> int:
    """The line an item of a top-level JSON list starts on, for error messages."""
    decoder = json.JSONDecoder()
    pos = text.index("[") + 1
    for i in range(index + 1):
        while text[pos] in " \t\r\n,":
            pos += 1
        if i == index:
            return text.count("\n", 0, pos) + 1
        _, pos = decoder.raw_decode(text, pos)
    return 1


def parse_json(text: str, path: str) -> list[ArticleRow]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(path, exc.lineno, f"not valid JSON ({exc.msg})") from exc
    if not isinstance(data, list):
        raise ImportFileError(path, 1, "the file must hold a JSON list of articles")
    rows = []
    for i, item in enumerate(data):
        line = _json_line(text, i)
        if not isinstance(item, dict):
            raise ImportFileError(path, line, f"item {i + 1} is not an object")
        unknown = set(item) - {"title", "body", "url", "enabled"}
        if unknown:
            raise ImportFileError(path, line, f"item {i + 1} has unknown keys: {', '.join(sorted(unknown))}")
        rows.append(
            _row(path, line, item.get("title"), item.get("body"), item.get("url"), item.get("enabled", True))
        )
    return rows


def parse_file(path: Path) -> list[ArticleRow]:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ImportFileError(
            str(path), None, f"unsupported file type {suffix or '(none)'}; use .md, .csv or .json"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(str(path), None, "the file is not UTF-8 text") from exc
    if suffix in MARKDOWN_SUFFIXES:
        rows = parse_markdown(text, str(path))
    elif suffix == ".csv":
        rows = parse_csv(text, str(path))
    else:
        rows = parse_json(text, str(path))
    titles: dict[str, int] = {}
    for row in rows:
        if row.title in titles:
            raise ImportFileError(
                str(path), row.line, f"the title {row.title!r} is also on line {titles[row.title]}"
            )
        titles[row.title] = row.line
    return rows


def files_to_import(target: Path) -> list[Path]:
    """The file itself, or the supported files of a folder (recursively, in a stable order)."""
    if target.is_dir():
        return sorted(p for p in target.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    if target.is_file():
        return [target]
    raise FileNotFoundError(str(target))
