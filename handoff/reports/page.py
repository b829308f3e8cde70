"""The reports page's sections: each reads its figures, then lays them out as charts with their tables.

A table's ``name`` is what ``?format=csv&table=<name>`` exports; :data:`TABLES` says which section holds
each, so a CSV export counts only that section's figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils import dateformat
from django.utils.dates import WEEKDAYS as DAY_NAMES
from django.utils.dates import WEEKDAYS_ABBR as DAY_ABBREVIATIONS
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from handoff.reports import charts, csat, figures
from handoff.reports.charts import REASON_COLOURS, Series
from handoff.reports.figures import Names
from handoff.reports.scope import DAY, ReportScope
from handoff.reports.tables import (
    DATE,
    DATETIME,
    POINTS,
    RATE,
    SCORE,
    SECONDS,
    SHORT_SECONDS,
    TEXT,
    Column,
    Table,
    duration_text,
)
from handoff.review.report_section import review_section

INSIDE, OUTSIDE, NO_QUEUE_COLOUR = "#2a9d8f", "#d9822b", "#9aa3b2"
# Scores from 1 to 5: red through amber to green.
SCORE_COLOURS = ("#c23b3b", "#d9822b", "#c9a227", "#7cb87a", "#2a9d8f")
EVERYONE_COLOUR, BOT_COLOUR, AGENTS_COLOUR = "#1d2330", "#8a4fd3", "#2f5bd3"


@dataclass
class Block:
    table: Table
    chart: SafeString | None = None
    legend: SafeString | None = None
    # A table too wide to sit beside its chart: the chart goes above it.
    wide: bool = False


@dataclass
class Section:
    key: str
    title: str
    intro: str
    blocks: list[Block] = field(default_factory=list)
    # Headline figures: (label, value, detail).
    headline: list[tuple[str, str, str]] = field(default_factory=list)

    def tables(self) -> list[Table]:
        return [block.table for block in self.blocks]


def bucket_label(day: date, scope: ReportScope) -> str:
    return dateformat.format(day, "D j") if scope.bucket == DAY else dateformat.format(day, "j M")


def _bucket_column(scope: ReportScope) -> Column:
    return Column(gettext("Day") if scope.bucket == DAY else gettext("Week of"), DATE)


def _by_bucket(scope: ReportScope, by_day: str, by_week: str) -> str:
    """The title that names the report's buckets (each way written whole, so it translates whole)."""
    return by_day if scope.bucket == DAY else by_week


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.1f} %"


def deflection_section(scope: ReportScope, names: Names) -> Section:
    fig = figures.deflection(scope, names)
    total = fig["total"]
    rows = [
        [
            b["bot_name"],
            b["conversations"],
            b["resolved_by_bot"],
            b["handed_off"],
            b["deflection_rate"],
            b["previous"]["deflection_rate"],
            b["change_points"],
        ]
        for b in fig["bots"]
    ]
    columns = [
        Column(gettext("Bot"), TEXT),
        Column(gettext("Conversations")),
        Column(gettext("Resolved by the bot")),
        Column(gettext("Handed off")),
        Column(gettext("Deflection rate"), RATE),
        Column(gettext("Previous period"), RATE, gettext("Previous period deflection rate")),
        Column(gettext("Change"), POINTS, gettext("Change (percentage points)")),
    ]
    summary = Table(
        "deflection",
        gettext("Deflection by bot"),
        columns,
        rows,
        total=[
            gettext("All bots"),
            total["conversations"],
            total["resolved_by_bot"],
            total["handed_off"],
            total["deflection_rate"],
            total["previous"]["deflection_rate"],
            total["change_points"],
        ],
        empty=gettext("No conversations in this range."),
    )
    buckets = scope.buckets()
    per_bot: dict[str, dict[date, float | None]] = {}
    over_time = []
    for order, row in enumerate(fig["series"]):
        per_bot.setdefault(row["bot_name"], {})[row["bucket"]] = row["deflection_rate"]
        if row["conversations"]:
            over_time.append(
                (
                    row["bucket"],
                    order,
                    [
                        row["bucket"],
                        row["bot_name"],
                        row["conversations"],
                        row["resolved_by_bot"],
                        row["handed_off"],
                        row["deflection_rate"],
                    ],
                )
            )
    over_time = [row for _, _, row in sorted(over_time, key=lambda item: item[:2])]
    series = [
        Series(name, charts.colour(i), [None if by[d] is None else by[d] * 100 for d in buckets])
        for i, (name, by) in enumerate(per_bot.items())
    ]
    table = Table(
        "deflection_over_time",
        _by_bucket(scope, gettext("Deflection by day"), gettext("Deflection by week")),
        [_bucket_column(scope), *columns[:5]],
        over_time,
        empty=gettext("No conversations in this range."),
    )
    change = total["change_points"]
    previous = scope.previous()
    return Section(
        "deflection",
        gettext("Deflection"),
        gettext(
            "Conversations started in the range that the bot resolved without a person (resolved, never "
            "handed off) against those handed off. The rate is resolved by the bot ÷ (resolved by the bot + "
            "handed off); conversations still open with the bot count in neither. The previous period is "
            "%(first)s to %(last)s."
        )
        % {
            "first": dateformat.format(previous.first_day, "j M Y"),
            "last": dateformat.format(previous.last_day, "j M Y"),
        },
        [
            Block(summary),
            Block(
                table,
                chart=charts.lines(
                    [bucket_label(d, scope) for d in buckets],
                    series,
                    title=_by_bucket(
                        scope,
                        gettext("Deflection rate by day and bot, percent"),
                        gettext("Deflection rate by week and bot, percent"),
                    ),
                    maximum=100,
                    unit="%",
                ),
                legend=charts.legend(series),
            ),
        ],
        headline=[
            (
                gettext("Deflection rate"),
                _percent(total["deflection_rate"]),
                gettext("no previous figure")
                if change is None
                else gettext("%(change)s pts on the previous period")
                % {"change": f"{change:+.1f}".replace("-", "−")},
            ),
            (
                gettext("Resolved by the bot"),
                f"{total['resolved_by_bot']:,}",
                gettext("of %(count)s conversations") % {"count": f"{total['conversations']:,}"},
            ),
        ],
    )


def handoffs_section(scope: ReportScope, names: Names) -> Section:
    fig = figures.handoff_breakdown(scope, names)
    reasons = fig["reasons"]
    buckets = scope.buckets()
    counts = {(row["bucket"], row["reason"]): row["count"] for row in fig["series"]}
    series = [
        Series(
            gettext(r["label"]),
            REASON_COLOURS.get(r["reason"], charts.colour(i)),
            [counts.get((d, r["reason"]), 0) for d in buckets],
        )
        for i, r in enumerate(reasons)
    ]
    over_time = Table(
        "handoff_reasons",
        _by_bucket(scope, gettext("Handoffs by reason and day"), gettext("Handoffs by reason and week")),
        [_bucket_column(scope), *(Column(gettext(r["label"])) for r in reasons), Column(gettext("Total"))],
        [
            [
                d,
                *(counts.get((d, r["reason"]), 0) for r in reasons),
                sum(counts.get((d, r["reason"]), 0) for r in reasons),
            ]
            for d in buckets
        ]
        if reasons
        else [],
        empty=gettext("No handoffs in this range."),
    )
    total = fig["total"]
    queue_rows = [
        [
            q["queue_name"],
            q["handoffs"],
            *(q["by_reason"].get(r["reason"], 0) for r in reasons),
            q["inside_hours"],
            q["outside_hours"],
            q["offline"],
            q["offline_share"],
            q["tickets_opened"],
        ]
        for q in fig["queues"]
    ]
    by_queue = Table(
        "handoff_queues",
        gettext("Handoffs by queue"),
        [
            Column(gettext("Queue"), TEXT),
            Column(gettext("Handoffs")),
            *(Column(gettext(r["label"])) for r in reasons),
            Column(gettext("Inside hours")),
            Column(gettext("Outside hours")),
            Column(gettext("Offline path")),
            Column(gettext("Offline share"), RATE),
            Column(gettext("Tickets opened")),
        ],
        queue_rows,
        total=[
            gettext("All queues"),
            total["handoffs"],
            *(r["count"] for r in reasons),
            total["inside_hours"],
            total["outside_hours"],
            total["offline"],
            total["offline_share"],
            total["tickets_opened"],
        ]
        if queue_rows
        else None,
        empty=gettext("No handoffs in this range."),
    )
    labels = [q["queue_name"] for q in fig["queues"]]
    hours_series = [
        Series(gettext("Inside business hours"), INSIDE, [q["inside_hours"] for q in fig["queues"]]),
        Series(gettext("Outside business hours"), OUTSIDE, [q["outside_hours"] for q in fig["queues"]]),
    ]
    if any(q["queue_id"] is None for q in fig["queues"]):
        hours_series.append(
            Series(
                gettext("No queue"),
                NO_QUEUE_COLOUR,
                [q["handoffs"] if q["queue_id"] is None else None for q in fig["queues"]],
            )
        )
    queued = total["inside_hours"] + total["outside_hours"]
    return Section(
        "handoffs",
        gettext("Handoffs"),
        gettext(
            "Handoffs made in the range, by the reason they were made. Inside business hours means the "
            "moment of the handoff fell in its queue's hours (a queue without hours counts as always open). "
            "The offline path takes a handoff when the queue is closed, nobody is online or nobody picked "
            "it up in time; tickets opened are those of its conversations."
        ),
        [
            Block(
                over_time,
                chart=charts.stacked_bars(
                    [bucket_label(d, scope) for d in buckets],
                    series,
                    title=_by_bucket(
                        scope, gettext("Handoffs by reason and day"), gettext("Handoffs by reason and week")
                    ),
                ),
                legend=charts.legend(series),
            ),
            Block(
                by_queue,
                wide=True,
                chart=charts.horizontal_bars(
                    labels,
                    hours_series,
                    title=gettext("Handoffs by queue, inside and outside business hours"),
                )
                if labels
                else None,
                legend=charts.legend(hours_series) if labels else None,
            ),
        ],
        headline=[
            (
                gettext("Handoffs"),
                f"{total['handoffs']:,}",
                ", ".join(f"{gettext(r['label'])} {r['count']}" for r in reasons[:3]) or gettext("none"),
            ),
            (
                gettext("Outside business hours"),
                _percent(total["outside_hours"] / queued if queued else None),
                gettext("%(outside)s of %(queued)s handoffs to a queue")
                % {"outside": f"{total['outside_hours']:,}", "queued": f"{queued:,}"},
            ),
            (
                gettext("Offline path"),
                _percent(total["offline_share"]),
                gettext("%(handoffs)s handoffs, %(tickets)s tickets opened")
                % {"handoffs": f"{total['offline']:,}", "tickets": f"{total['tickets_opened']:,}"},
            ),
        ],
    )


def pickup_section(scope: ReportScope, names: Names) -> Section:
    fig = figures.pickup(scope, names)
    total = fig["total"]
    queues = fig["queues"]
    table = Table(
        "pickup",
        gettext("Pickup time by queue"),
        [
            Column(gettext("Queue"), TEXT),
            Column(gettext("Offered to agents")),
            Column(gettext("Picked up")),
            Column(gettext("Median (p50)"), SECONDS, gettext("Median pickup (s)")),
            Column("p90", SECONDS, gettext("p90 pickup (s)")),
        ],
        [[q["queue_name"], q["offered"], q["accepted"], q["p50_seconds"], q["p90_seconds"]] for q in queues],
        total=[
            gettext("All queues"),
            total["offered"],
            total["accepted"],
            total["p50_seconds"],
            total["p90_seconds"],
        ]
        if queues
        else None,
        empty=gettext("No handoffs were offered to agents in this range."),
    )
    minutes = [
        Series(gettext("Median (p50)"), "#2f5bd3", [q["p50_seconds"] for q in queues]),
        Series("p90", "#8a4fd3", [q["p90_seconds"] for q in queues]),
    ]
    cells: dict[tuple[int, int], dict] = {(c["weekday"], c["hour"]): c for c in fig["heatmap"]}
    heat_rows, notes = [], []
    for weekday in range(1, 8):
        heat_rows.append(
            [str(DAY_ABBREVIATIONS[weekday - 1]), *(cells[(weekday, h)]["p50_seconds"] for h in range(24))]
        )
        notes.append(
            [
                str(DAY_NAMES[weekday - 1]),
                *(
                    f"{DAY_NAMES[weekday - 1]} {h:02d}:00–{(h + 1) % 24:02d}:00: "
                    + (
                        gettext("%(count)s picked up, median %(median)s")
                        % {
                            "count": cells[(weekday, h)]["accepted"],
                            "median": duration_text(cells[(weekday, h)]["p50_seconds"]),
                        }
                        if cells[(weekday, h)]["accepted"]
                        else gettext("none picked up")
                    )
                    for h in range(24)
                ),
            ]
        )
    heatmap = Table(
        "pickup_heatmap",
        gettext("Median pickup by hour of the week (%(zone)s)") % {"zone": scope.zone_name},
        [
            Column(gettext("Day"), TEXT),
            *(
                Column(
                    f"{h:02d}", SHORT_SECONDS, gettext("%(hour)s:00 median pickup (s)") % {"hour": f"{h:02d}"}
                )
                for h in range(24)
            ),
        ],
        heat_rows if total["accepted"] else [],
        heat=True,
        notes=notes,
        empty=gettext("No handoffs were picked up in this range."),
    )
    return Section(
        "pickup",
        gettext("Pickup"),
        gettext(
            "Time from the handoff to an agent joining the conversation, over handoffs an agent picked up. "
            "The heatmap places each handoff at its hour of the week in %(zone)s time; darker is slower."
        )
        % {"zone": scope.zone_name},
        [
            Block(
                table,
                chart=charts.horizontal_bars(
                    [q["queue_name"] for q in queues],
                    minutes,
                    title=gettext("Pickup time by queue, median and p90"),
                    stacked=False,
                    fmt=lambda s: duration_text(s),
                )
                if queues
                else None,
                legend=charts.legend(minutes) if queues else None,
            ),
            Block(heatmap),
        ],
        headline=[
            (
                gettext("Median pickup"),
                duration_text(total["p50_seconds"]),
                f"p90 {duration_text(total['p90_seconds'])}",
            ),
            (
                gettext("Picked up"),
                f"{total['accepted']:,}",
                gettext("of %(count)s offered to agents") % {"count": f"{total['offered']:,}"},
            ),
        ],
    )


def agents_section(scope: ReportScope, names: Names) -> Section:
    fig = csat.agents_with_csat(scope, names)
    rows = fig["agents"]
    table = Table(
        "agents",
        gettext("Agents"),
        [
            Column(gettext("Agent"), TEXT),
            Column(gettext("Conversations handled")),
            Column(gettext("Median first response"), SECONDS, gettext("Median first response (s)")),
            Column(gettext("Median resolution"), SECONDS, gettext("Median resolution (s)")),
            Column(gettext("Ratings"), csv_label=gettext("CSAT ratings")),
            Column(gettext("Average score"), SCORE),
            Column(gettext("CSAT"), RATE),
        ],
        [
            [
                a["name"],
                a["conversations_handled"],
                a["first_response_median_seconds"],
                a["resolution_median_seconds"],
                a["csat_responses"],
                a["csat_average_score"],
                a["csat_rate"],
            ]
            for a in rows
        ],
        empty=gettext("No agents."),
    )
    handled = Series(gettext("Conversations handled"), "#2f5bd3", [a["conversations_handled"] for a in rows])
    intro = (
        gettext(
            "Handoffs of the range an agent picked up. First response: from joining to the agent's first "
            "message the customer sees. Resolution: from joining to resolving the conversation (a "
            "conversation handed back to the bot or to someone else is not a resolution)."
        )
        + " "
    ) + gettext(
        "CSAT: the ratings given in the range of the conversations the agent resolved (4 or 5 of 5 counts "
        "as satisfied)."
    )
    if fig["only_own"]:
        intro += " " + gettext("You see your own figures; the company's admins see every agent's.")
    return Section(
        "agents",
        gettext("Agents"),
        intro,
        [
            Block(
                table,
                # With its CSAT columns the table needs the full width: the chart goes above it.
                wide=True,
                chart=charts.horizontal_bars(
                    [a["name"] for a in rows],
                    [handled],
                    title=gettext("Conversations handled by agent"),
                    fmt=lambda v: f"{v:,.0f}",
                )
                if rows
                else None,
            )
        ],
    )


def _score_text(average: float | None) -> str:
    return "–" if average is None else gettext("%(score).2f of 5") % {"score": average}


def _ratings_text(count: int) -> str:
    return ngettext("%(count)s rating", "%(count)s ratings", count) % {"count": f"{count:,}"}


def csat_comments_table(scope: ReportScope, names: Names, *, limit: int = csat.COMMENTS_ON_PAGE) -> Table:
    """The newest ``limit`` comments (the page shows 20, its CSV file up to
    :data:`handoff.reports.csat.COMMENTS_EXPORT_MAX`), each linked to its conversation."""
    rows = csat.comments(scope, names, limit=limit)
    links = [
        [None, None, None, None, reverse("inbox:conversation", args=[c["conversation_id"]])] for c in rows
    ]
    return Table(
        "csat_comments",
        gettext("Latest comments"),
        [
            Column(gettext("Rated"), DATETIME, gettext("Rated at")),
            Column(gettext("Score")),
            Column(gettext("Comment"), TEXT),
            Column(gettext("Resolved by"), TEXT),
            Column(gettext("Conversation"), TEXT, gettext("Conversation id")),
        ],
        [
            [c["rated_at"], c["score"], c["comment"], c["resolved_by_name"], f"#{c['conversation_id']}"]
            for c in rows
        ],
        links=links,
        wrap=frozenset({2}),
        empty=gettext("No comments in this range."),
    )


def csat_section(scope: ReportScope, names: Names) -> Section:
    fig = csat.csat(scope, names)
    total = fig["total"]
    by_resolver = {row["resolved_by"]: row for row in fig["by_resolver"]}
    bot, agents = by_resolver[csat.BOT], by_resolver[csat.AGENT]
    score_columns = [
        Column(gettext("%(score)d ★") % {"score": n}, csv_label=gettext("Score %(score)d") % {"score": n})
        for n in csat.SCORES
    ]
    columns = [
        Column(gettext("Resolved by"), TEXT),
        Column(gettext("Ratings")),
        Column(gettext("Average score"), SCORE),
        Column(gettext("CSAT"), RATE),
        *score_columns,
        Column(gettext("Comments")),
    ]

    def resolver_row(label: str, row: dict) -> list:
        scores = [row["by_score"][str(n)] for n in csat.SCORES]
        return [label, row["responses"], row["average_score"], row["csat_rate"], *scores, row["comments"]]

    summary = Table(
        "csat",
        gettext("CSAT by who resolved the conversation"),
        columns,
        [resolver_row(row["label"], row) for row in fig["by_resolver"]] if total["responses"] else [],
        total=resolver_row(gettext("Everyone"), total) if total["responses"] else None,
        empty=gettext("No ratings in this range."),
    )
    score_series = [
        Series(
            gettext("%(score)d ★") % {"score": n},
            SCORE_COLOURS[n - 1],
            [row["by_score"][str(n)] for row in fig["by_resolver"]],
        )
        for n in csat.SCORES
    ]
    buckets = scope.buckets()
    series = fig["series"]
    lines = [
        Series(gettext("Everyone"), EVERYONE_COLOUR, [_hundred(row["csat_rate"]) for row in series]),
        Series(
            str(csat.RESOLVER_LABELS[csat.BOT]),
            BOT_COLOUR,
            [_hundred(row["bot"]["csat_rate"]) for row in series],
        ),
        Series(
            str(csat.RESOLVER_LABELS[csat.AGENT]),
            AGENTS_COLOUR,
            [_hundred(row["agent"]["csat_rate"]) for row in series],
        ),
    ]
    over_time = Table(
        "csat_over_time",
        gettext("CSAT by %(bucket)s") % {"bucket": scope.bucket},
        [
            _bucket_column(scope),
            Column(gettext("Ratings")),
            Column(gettext("Average score"), SCORE),
            Column(gettext("CSAT"), RATE),
            Column(gettext("CSAT, the bot"), RATE),
            Column(gettext("CSAT, agents"), RATE),
        ],
        [
            [
                row["bucket"],
                row["responses"],
                row["average_score"],
                row["csat_rate"],
                row["bot"]["csat_rate"],
                row["agent"]["csat_rate"],
            ]
            for row in series
        ]
        if total["responses"]
        else [],
        empty=gettext("No ratings in this range."),
    )
    reasons = fig["reasons"]
    by_reason = Table(
        "csat_reasons",
        gettext("CSAT by handoff reason"),
        [
            Column(gettext("Handoff reason"), TEXT),
            Column(gettext("Ratings")),
            Column(gettext("Average score"), SCORE),
            Column(gettext("CSAT"), RATE),
        ],
        [[gettext(r["label"]), r["responses"], r["average_score"], r["csat_rate"]] for r in reasons],
        empty=gettext("No ratings in this range."),
    )
    reason_bars = [Series(gettext("CSAT"), AGENTS_COLOUR, [_hundred(r["csat_rate"]) for r in reasons])]
    satisfied = total["by_score"]["4"] + total["by_score"]["5"]
    intro = gettext(
        "Ratings customers gave in the chat widget after their conversation was resolved (“How did "
        "we do?”, 1 to 5 stars), counted on the day they were first given, with their latest score. CSAT "
        "is the share of 4 and 5. Who resolved is the bot, or the agent the conversation was assigned to "
        "when it was resolved; the handoff reason is that of the conversation's latest handoff before the "
        "rating."
    )
    if fig["only_own"]:
        intro += " " + gettext(
            "You see the comments on the conversations you resolved; the company's admins and leads see all."
        )
    return Section(
        "csat",
        gettext("Customer satisfaction (CSAT)"),
        intro,
        [
            Block(
                summary,
                wide=True,
                chart=charts.horizontal_bars(
                    [row["label"] for row in fig["by_resolver"]],
                    score_series,
                    title=gettext("Ratings by score, by who resolved the conversation"),
                    fmt=lambda v: f"{v:,.0f}",
                )
                if total["responses"]
                else None,
                legend=charts.legend(score_series) if total["responses"] else None,
            ),
            Block(
                over_time,
                chart=charts.lines(
                    [bucket_label(d, scope) for d in buckets],
                    lines,
                    title=gettext("CSAT by %(bucket)s, percent") % {"bucket": scope.bucket},
                    maximum=100,
                    unit="%",
                ),
                legend=charts.legend(lines),
            ),
            Block(
                by_reason,
                chart=charts.horizontal_bars(
                    [gettext(r["label"]) for r in reasons],
                    reason_bars,
                    title=gettext("CSAT by handoff reason, percent"),
                    fmt=lambda v: f"{v:.0f} %",
                )
                if reasons
                else None,
            ),
            Block(csat_comments_table(scope, names)),
        ],
        headline=[
            (
                gettext("CSAT"),
                _percent(total["csat_rate"]),
                gettext("%(satisfied)s of %(ratings)s rated 4 or 5")
                % {"satisfied": f"{satisfied:,}", "ratings": _ratings_text(total["responses"])},
            ),
            (
                gettext("Average score"),
                _score_text(total["average_score"]),
                gettext("%(ratings)s, %(comments)s with a comment")
                % {"ratings": _ratings_text(total["responses"]), "comments": f"{total['comments']:,}"},
            ),
            (
                gettext("Resolved by the bot"),
                _percent(bot["csat_rate"]),
                gettext("CSAT of %(ratings)s") % {"ratings": _ratings_text(bot["responses"])},
            ),
            (
                gettext("Resolved by agents"),
                _percent(agents["csat_rate"]),
                gettext("CSAT of %(ratings)s") % {"ratings": _ratings_text(agents["responses"])},
            ),
        ],
    )


def _hundred(rate: float | None) -> float | None:
    return None if rate is None else rate * 100


SECTIONS = {
    "deflection": deflection_section,
    "handoffs": handoffs_section,
    "pickup": pickup_section,
    "csat": csat_section,
    "agents": agents_section,
    "review": review_section,
}
TABLES = {
    "deflection": "deflection",
    "deflection_over_time": "deflection",
    "handoff_reasons": "handoffs",
    "handoff_queues": "handoffs",
    "pickup": "pickup",
    "pickup_heatmap": "pickup",
    "csat": "csat",
    "csat_over_time": "csat",
    "csat_reasons": "csat",
    "csat_comments": "csat",
    "agents": "agents",
    "review_rates": "review",
}


def report_sections(scope: ReportScope, names: Names) -> list[Section]:
    return [build(scope, names) for build in SECTIONS.values()]


def report_table(scope: ReportScope, names: Names, name: str) -> Table:
    """One table, counting only its section's figures (the comments: only the comments, every one up to
    :data:`handoff.reports.csat.COMMENTS_EXPORT_MAX`). ``KeyError`` for a name that is not a table."""
    if name == "csat_comments":
        return csat_comments_table(scope, names, limit=csat.COMMENTS_EXPORT_MAX)
    section = SECTIONS[TABLES[name]](scope, names)
    return next(table for table in section.tables() if table.name == name)
