"""Inline SVG charts drawn on the server: no JavaScript, no chart library, no build step.

Each function returns the markup of one ``<svg>`` (every text escaped) that scales to its container's
width (``viewBox``), with a ``<title>`` for screen readers; legends are HTML beside it (see
:func:`legend`), so they stay legible on a phone. The numbers always sit in a table next to the chart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 500
FONT = 14
# Bar-per-row charts are drawn narrower, so their labels stay legible when a phone shrinks them.
ROWS_WIDTH = 400
# A bar's label longer than this is cut with an ellipsis (its full text is in the table and the tooltip).
LABEL_CHARS = 20
AXIS = "#5b6475"
GRID = "#dde2ea"
PALETTE = ("#2f5bd3", "#d9822b", "#2a9d8f", "#c23b3b", "#8a4fd3", "#c9a227", "#6b7280", "#7c8ea8")
REASON_COLOURS = {
    "explicit_request": "#2f5bd3",
    "sensitive_topic": "#d9822b",
    "negative_sentiment": "#c23b3b",
    "repeated_failure": "#8a4fd3",
    "low_confidence": "#c9a227",
    "bot_error": "#6b7280",
    "agent_takeover": "#2a9d8f",
    "api": "#7c8ea8",
}


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    values: list[float | None]


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def nice_max(value: float) -> float:
    """A round upper bound for an axis: 1, 2, 2.5 or 5 times a power of ten, at or above ``value``."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def count_max(value: float) -> int:
    """An axis top for counts: four equal whole-number steps, each a round number (1, 2, 3, 4, 5, 6, 8,
    10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, ...)."""
    need = max(1.0, value / 4)
    power = 1
    while True:
        for mantissa in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8):
            step = mantissa * power
            if step >= need and step == int(step):
                return int(step) * 4
        power *= 10


def _open(height: int, title: str, width: int = WIDTH, kind: str = "") -> str:
    return (
        f'<svg class="chart-svg{kind}" viewBox="0 0 {width} {height}" role="img" '
        f'preserveAspectRatio="xMidYMid meet" font-size="{FONT}" font-family="system-ui, sans-serif">'
        f"<title>{escape(title)}</title>"
    )


def _text(x: float, y: float, text: str, anchor: str = "middle", fill: str = AXIS, size: int = FONT) -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" fill="{fill}" font-size="{size}">'
        f"{escape(text)}</text>"
    )


def _y_axis(top: int, bottom: int, left: int, right: int, maximum: float, fmt) -> list[str]:
    parts = []
    for step in range(5):
        value = maximum * step / 4
        y = bottom - (bottom - top) * step / 4
        parts.append(f'<line x1="{left}" x2="{right}" y1="{_num(y)}" y2="{_num(y)}" stroke="{GRID}"/>')
        parts.append(_text(left - 6, y + 4, fmt(value), anchor="end"))
    return parts


def _x_labels(labels: list[str], left: int, right: int, y: int) -> list[str]:
    """At most about eight labels, evenly picked, so they never overlap."""
    count = len(labels)
    if not count:
        return []
    every = max(1, math.ceil(count / 8))
    slot = (right - left) / count
    return [_text(left + slot * (i + 0.5), y, label) for i, label in enumerate(labels) if i % every == 0]


def stacked_bars(labels: list[str], series: list[Series], *, title: str, unit: str = "") -> SafeString:
    """Vertical bars per label, each stacking the series' values."""
    height, top, bottom, left, right = 260, 12, 226, 44, WIDTH - 8
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(labels))]
    maximum = count_max(max(totals, default=0))
    parts = [_open(height, title)]
    parts += _y_axis(top, bottom, left, right, maximum, lambda v: _num(v) + unit)
    slot = (right - left) / max(1, len(labels))
    bar = max(1.0, slot * 0.72)
    for i, label in enumerate(labels):
        y = bottom
        for s in series:
            value = s.values[i] or 0
            if not value:
                continue
            h = (bottom - top) * value / maximum
            y -= h
            x = left + slot * i + (slot - bar) / 2
            parts.append(
                f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(bar)}" height="{_num(h)}" fill="{s.colour}">'
                f"<title>{escape(label)}: {escape(s.name)} {_num(value)}</title></rect>"
            )
    parts += _x_labels(labels, left, right, height - 14)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def lines(
    labels: list[str], series: list[Series], *, title: str, maximum: float | None = None, unit=""
) -> SafeString:
    """One line per series over the labels; a missing value breaks the line (and shows no point)."""
    height, top, bottom, left, right = 260, 12, 226, 48, WIDTH - 8
    values = [v for s in series for v in s.values if v is not None]
    maximum = maximum or nice_max(max(values, default=0))
    parts = [_open(height, title)]
    parts += _y_axis(top, bottom, left, right, maximum, lambda v: _num(v) + unit)
    slot = (right - left) / max(1, len(labels))
    for s in series:
        runs: list[list[tuple[float, float]]] = [[]]
        for i, value in enumerate(s.values):
            if value is None:
                runs.append([])
                continue
            x = left + slot * (i + 0.5)
            y = bottom - (bottom - top) * value / maximum
            runs[-1].append((x, y))
            parts.append(
                f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3.5" fill="{s.colour}">'
                f"<title>{escape(labels[i])}: {escape(s.name)} {_num(value)}{escape(unit)}</title></circle>"
            )
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{_num(x)},{_num(y)}" for x, y in run)
                parts.append(
                    f'<polyline points="{points}" fill="none" stroke="{s.colour}" stroke-width="2.5" '
                    f'stroke-linejoin="round"/>'
                )
    parts += _x_labels(labels, left, right, height - 14)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def horizontal_bars(
    labels: list[str], series: list[Series], *, title: str, stacked: bool = True, fmt=None
) -> SafeString:
    """A row per label: the series stacked along it, or side by side (``stacked=False``)."""
    fmt = fmt or _num
    rows = max(1, len(labels))
    per_row = 30 if stacked else 18 * len(series) + 12
    shorts = [label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…" for label in labels]
    # Room for the longest label (about 0.6 em a character), so none is cut at the chart's edge.
    left = max(60, min(178, round(max((len(x) for x in shorts), default=0) * 8.2) + 14))
    right, top = ROWS_WIDTH - 70, 8
    height = top + rows * per_row + 8
    if stacked:
        totals = [sum(s.values[i] or 0 for s in series) for i in range(len(labels))]
    else:
        totals = [max((s.values[i] or 0 for s in series), default=0) for i in range(len(labels))]
    maximum = nice_max(max(totals, default=0))
    parts = [_open(height, title, ROWS_WIDTH, " rows")]
    for i, label in enumerate(labels):
        y0 = top + per_row * i
        parts.append(_text(left - 8, y0 + per_row / 2 + 4, shorts[i], anchor="end", fill="#1d2330"))
        x = left
        for k, s in enumerate(series):
            value = s.values[i] or 0
            w = (right - left) * value / maximum
            if stacked:
                y, h = y0 + 5, per_row - 10
            else:
                y, h = y0 + 6 + k * 18, 14
            if w:
                parts.append(
                    f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{h}" fill="{s.colour}">'
                    f"<title>{escape(label)}: {escape(s.name)} {escape(fmt(value))}</title></rect>"
                )
            if stacked:
                x += w
            elif s.values[i] is not None:
                parts.append(_text(left + w + 4, y + 11, fmt(value), anchor="start", size=12))
        if stacked:
            parts.append(_text(x + 4, y0 + per_row / 2 + 4, fmt(totals[i]), anchor="start", size=12))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def legend(series: list[Series]) -> SafeString:
    return format_html(
        '<ul class="legend">{}</ul>',
        format_html_join(
            "",
            '<li><span class="swatch" style="background:{}"></span>{}</li>',
            ((s.colour, s.name) for s in series),
        ),
    )
