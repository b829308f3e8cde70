"""The reports page's *Handoff reviews* section: the rates of :mod:`handoff.review.rates` as a line chart
and a table per day or week (CSV ``review_rates``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from handoff.reports import charts
from handoff.reports.charts import Series
from handoff.reports.figures import Names
from handoff.reports.scope import ReportScope
from handoff.reports.tables import RATE, Column, Table
from handoff.review.rates import review_rates

TABLE = "review_rates"


def _hundred(rate: float | None) -> float | None:
    return None if rate is None else rate * 100


def review_section(scope: ReportScope, names: Names):
    # The page's layout classes; imported here because the page imports this module to list its sections.
    from handoff.reports.page import Block, Section, _bucket_column, _percent, bucket_label

    fig = review_rates(scope)
    columns = [
        Column(_("Reviewed handoffs")),
        Column(_("Unnecessary")),
        Column(_("False-handoff rate"), RATE),
        Column(_("Late")),
        Column(_("Late share"), RATE),
        Column(_("Reviewed bot-resolved"), csv_label=_("Reviewed bot-resolved conversations")),
        Column(_("Missed")),
        Column(_("Missed rate"), RATE),
    ]

    def cells(row: dict) -> list:
        return [
            row["reviewed_handoffs"],
            row["unnecessary"],
            row["false_handoff_rate"],
            row["late"],
            row["late_rate"],
            row["reviewed_bot_resolved"],
            row["missed"],
            row["missed_rate"],
        ]

    reviewed = [r for r in fig["series"] if r["reviewed_handoffs"] or r["reviewed_bot_resolved"]]
    total = fig["total"]
    table = Table(
        TABLE,
        _("Handoff reviews by %(bucket)s") % {"bucket": scope.bucket},
        [_bucket_column(scope), *columns],
        [[r["day"], *cells(r)] for r in reviewed],
        total=[_("All"), *cells(total)],
        empty=_("No confirmed reviews of conversations started in this range."),
    )
    buckets = scope.buckets()
    by_day = {r["day"]: r for r in fig["series"]}
    series = [
        Series(
            _("False-handoff rate"), "#c23b3b", [_hundred(by_day[d]["false_handoff_rate"]) for d in buckets]
        ),
        Series(_("Late share"), "#d9822b", [_hundred(by_day[d]["late_rate"]) for d in buckets]),
        Series(_("Missed rate"), "#8a4fd3", [_hundred(by_day[d]["missed_rate"]) for d in buckets]),
    ]
    chart = (
        charts.lines(
            [bucket_label(d, scope) for d in buckets],
            series,
            title=_("Handoff review rates by %(bucket)s, percent") % {"bucket": scope.bucket},
            maximum=100,
            unit="%",
        )
        if reviewed
        else None
    )
    return Section(
        "review",
        _("Handoff reviews"),
        _(
            "Confirmed review labels of conversations started in the range. False-handoff rate: handoffs "
            "marked unnecessary ÷ reviewed handoffs; late share: handoffs marked late ÷ reviewed handoffs; "
            "missed rate: conversations the bot resolved that should have been handed off ÷ reviewed "
            "bot-resolved conversations. Shares of what was reviewed, which leans to doubtful conversations."
        ),
        [Block(table, chart=chart, legend=charts.legend(series) if chart else None)],
        headline=[
            (
                _("False-handoff rate"),
                _percent(total["false_handoff_rate"]),
                _("of %(count)s reviewed handoffs") % {"count": f"{total['reviewed_handoffs']:,}"},
            ),
            (
                _("Missed handoffs"),
                f"{total['missed']:,}",
                _("of %(count)s reviewed bot-resolved") % {"count": f"{total['reviewed_bot_resolved']:,}"},
            ),
        ],
    )
