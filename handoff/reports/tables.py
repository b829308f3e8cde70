"""The report's tables: one definition serves the page (formatted for people) and its CSV file (plain
numbers for spreadsheets: rates as fractions, durations in seconds, dates as ISO 8601)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

TEXT, INT, RATE, POINTS, SECONDS, SHORT_SECONDS, DATE, DATETIME, SCORE = (
    "text",
    "int",
    "rate",
    "points",
    "seconds",
    "short",
    "date",
    "datetime",
    "score",
)
# A spreadsheet runs a cell that starts with one of these as a formula; names typed by people are
# written with a leading apostrophe instead.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def duration_text(seconds: float | None) -> str:
    """45 s, 6 min 12 s, 1 h 05 min, 2 d 3 h: what a person reads at a glance."""
    if seconds is None:
        return "–"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        minutes, rest = divmod(seconds, 60)
        return f"{minutes} min" if not rest else f"{minutes} min {rest} s"
    if seconds < 86400:
        hours, rest = divmod(seconds, 3600)
        return f"{hours} h {rest // 60:02d} min"
    days, rest = divmod(seconds, 86400)
    return f"{days} d {rest // 3600} h"


def short_duration_text(seconds: float) -> str:
    """45s, 6m, 1.5h: a duration that fits a heatmap's cell."""
    if seconds < 60:
        return f"{round(seconds)}s"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    return f"{seconds / 3600:.1f}h"


def display(value, kind: str) -> str:
    if value is None:
        return "–"
    if kind == RATE:
        return f"{value * 100:.1f} %"
    if kind == POINTS:
        return f"{value:+.1f} pts".replace("-", "−")
    if kind == SECONDS:
        return duration_text(value)
    if kind == SHORT_SECONDS:
        return short_duration_text(value)
    if kind == DATE and isinstance(value, date):
        return value.strftime("%a %-d %b")
    if kind == DATETIME and isinstance(value, datetime):
        return value.strftime("%a %-d %b %H:%M")
    if kind == SCORE:
        return f"{value:.2f}"
    if kind == INT:
        return f"{value:,}"
    return str(value)


def csv_value(value, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if kind == TEXT:
        text = str(value)
        return "'" + text if text.startswith(FORMULA_STARTS) else text
    return str(value)


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = INT
    # The CSV header, when it needs a unit the page shows in its cells.
    csv_label: str = ""


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    # A last row summing up the others (shown in bold, written last in the CSV).
    total: list | None = None
    # Cells shaded by value (the heatmap): the numeric columns after the first.
    heat: bool = False
    # Hover text per cell (same shape as ``rows``), e.g. how many values a median is of.
    notes: list[list[str]] | None = None
    # A link per cell (same shape as ``rows``; None for a cell without one), e.g. to a conversation.
    links: list[list[str | None]] | None = None
    # Columns of long text, which wrap instead of widening the table.
    wrap: frozenset[int] = frozenset()
    empty: str = "Nothing in this range."

    def html_rows(self) -> list[dict]:
        top = 0.0
        if self.heat:
            top = max((v for row in self.rows for v in row[1:] if isinstance(v, int | float)), default=0.0)
        out = []
        for r, row in enumerate([*self.rows, *([self.total] if self.total else [])]):
            cells = []
            for c, (value, column) in enumerate(zip(row, self.columns, strict=True)):
                cell = {"text": display(value, column.kind), "numeric": column.kind != TEXT, "style": ""}
                if self.heat and c and isinstance(value, int | float) and top:
                    # From pale to the accent colour as the value grows; text turns white on dark cells.
                    share = value / top
                    cell["style"] = f"background: rgba(47, 91, 211, {0.08 + 0.82 * share:.2f});" + (
                        " color: #fff;" if share > 0.55 else ""
                    )
                if self.notes and r < len(self.notes):
                    cell["title"] = self.notes[r][c]
                if self.links and r < len(self.links) and self.links[r][c]:
                    cell["href"] = self.links[r][c]
                if c in self.wrap:
                    cell["wrap"] = True
                cells.append(cell)
            out.append({"cells": cells, "total": self.total is not None and r == len(self.rows)})
        return out

    def csv_text(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([c.csv_label or c.label for c in self.columns])
        for row in [*self.rows, *([self.total] if self.total else [])]:
            writer.writerow([csv_value(v, c.kind) for v, c in zip(row, self.columns, strict=True)])
        return buffer.getvalue()
