"""How often the handoff decision was wrong, from confirmed review labels, per day or week of the report.

Definitions (a period holds the conversations *started* in it, like deflection; only confirmed labels
count, and only conversations of the report's bot and queue):

- **Reviewed handoffs**: handed-off conversations with a confirmed review.
- **False-handoff rate**: reviewed handoffs labelled *unnecessary* (the bot could have answered), divided
  by reviewed handoffs.
- **Late share**: reviewed handoffs labelled *late*, divided by reviewed handoffs.
- **Missed**: conversations the bot resolved alone, with a confirmed review, labelled *missed* (it should
  have handed off); the missed rate divides them by those reviewed bot-resolved conversations.

These are shares of what people reviewed, not of all traffic: the review queue puts doubtful
conversations first, so the rates are an upper bound of the real ones, and a period with few reviews says
little. One query, whatever the number of reviews.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q

from handoff.models import HandoffReview, ReviewVerdict
from handoff.reports.figures import _bucket_day, _conversation_q, _rate, _trunc
from handoff.reports.scope import ReportScope

COUNTS = ("reviewed_handoffs", "right_call", "unnecessary", "late", "reviewed_bot_resolved", "missed")


def _row(day: date | None, counts: dict[str, int]) -> dict:
    handoffs, resolved = counts["reviewed_handoffs"], counts["reviewed_bot_resolved"]
    row = {"day": day} if day is not None else {}
    return {
        **row,
        **counts,
        "false_handoff_rate": _rate(counts["unnecessary"], handoffs),
        "late_rate": _rate(counts["late"], handoffs),
        "missed_rate": _rate(counts["missed"], resolved),
    }


def review_rates(scope: ReportScope) -> dict:
    """``{"series": [per bucket], "total": {...}}``: each row the counts of :data:`COUNTS` and the three
    rates (None where nothing was reviewed)."""
    handed_off, resolved = Q(handed_off=True), Q(handed_off=False)
    rows = (
        HandoffReview.objects.for_tenant(scope.tenant_id)
        .filter(confirmed_at__isnull=False)
        .filter(_conversation_q(scope, scope.start, scope.end, prefix="conversation__"))
        .annotate(bucket=_trunc(scope, "conversation__created_at"))
        .values("bucket")
        .annotate(
            reviewed_handoffs=Count("pk", filter=handed_off),
            right_call=Count("pk", filter=handed_off & Q(verdict=ReviewVerdict.RIGHT_CALL)),
            unnecessary=Count("pk", filter=handed_off & Q(verdict=ReviewVerdict.UNNECESSARY)),
            late=Count("pk", filter=handed_off & Q(verdict=ReviewVerdict.LATE)),
            reviewed_bot_resolved=Count("pk", filter=resolved),
            missed=Count("pk", filter=resolved & Q(verdict=ReviewVerdict.MISSED)),
        )
        .order_by("bucket")
    )
    cells = {_bucket_day(row["bucket"], scope): {key: row[key] for key in COUNTS} for row in rows}
    empty = dict.fromkeys(COUNTS, 0)
    series = [_row(day, cells.get(day, empty)) for day in scope.buckets()]
    total = {key: sum(cell[key] for cell in cells.values()) for key in COUNTS}
    return {"series": series, "total": _row(None, total)}
