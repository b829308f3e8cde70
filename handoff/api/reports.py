"""The handoff summary of a date range: how many by reason and outcome, and how fast agents picked up.

Pickup time is ``accepted_at - offered_at`` of handoffs offered to a queue and accepted by an agent. The
counts are grouped by the database; the percentiles are computed here, over one duration per accepted
handoff of the range, so the numbers are the same on SQLite and PostgreSQL. Two queries, whatever the
range holds, both reading only the report's index (tenant and created_at, then the columns it counts).
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime

from django.db.models import Count, DurationField, ExpressionWrapper, F

from handoff.models import Handoff
from handoff.reports.stats import percentile
from helpdesk.models import Tenant
from helpdesk.reasons import reason_label


def _pickup(seconds: list[float]) -> dict:
    return {
        "accepted": len(seconds),
        "median_seconds": round(statistics.median(seconds), 1) if seconds else None,
        "p90_seconds": round(percentile(seconds, 0.9), 1) if seconds else None,
    }


def handoff_summary(*, tenant: Tenant, start: datetime, end: datetime) -> dict:
    """Handoffs created in ``[start, end)``: counts by reason and outcome, and pickup times."""
    # ``order_by()``: the model's default order would sort rows that are only counted.
    in_range = Handoff.objects.for_tenant(tenant).filter(created_at__gte=start, created_at__lt=end).order_by()
    counts: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    for reason, outcome, n in in_range.values_list("reason", "outcome").annotate(n=Count("*")):
        counts[reason] += n
        outcomes[outcome] += n
    pickups = (
        in_range.filter(offered_at__isnull=False, accepted_at__isnull=False)
        .annotate(wait=ExpressionWrapper(F("accepted_at") - F("offered_at"), output_field=DurationField()))
        .values_list("reason", "wait")
    )
    waits: dict[str, list[float]] = {}
    for reason, wait in pickups:
        waits.setdefault(reason, []).append(max(0.0, wait.total_seconds()))
    return {
        "from": start,
        "to": end,
        "total": sum(counts.values()),
        "by_reason": [
            {
                "reason": reason,
                "label": reason_label(reason),
                "count": counts[reason],
                "pickup": _pickup(waits.get(reason, [])),
            }
            for reason in sorted(counts, key=lambda r: (-counts[r], r))
        ],
        "by_outcome": {outcome: outcomes.get(outcome, 0) for outcome in Handoff.Outcome.values},
        "pickup": _pickup([w for values in waits.values() for w in values]),
    }
