"""The handoff summary of a date range: how many by reason and outcome, and how fast agents picked up.

Pickup time is ``accepted_at - offered_at`` of handoffs offered to a queue and accepted by an agent. The
percentiles are computed here, over the range's accepted handoffs (one query of two timestamps each), so
the numbers are the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime

from handoff.models import Handoff, Reason
from helpdesk.models import Tenant


def percentile(values: list[float], fraction: float) -> float | None:
    """The ``fraction`` percentile with linear interpolation between the nearest ranks; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _pickup(seconds: list[float]) -> dict:
    return {
        "accepted": len(seconds),
        "median_seconds": round(statistics.median(seconds), 1) if seconds else None,
        "p90_seconds": round(percentile(seconds, 0.9), 1) if seconds else None,
    }


def handoff_summary(*, tenant: Tenant, start: datetime, end: datetime) -> dict:
    """Handoffs created in ``[start, end)``: counts by reason and outcome, and pickup times."""
    rows = list(
        Handoff.objects.for_tenant(tenant)
        .filter(created_at__gte=start, created_at__lt=end)
        .values_list("reason", "outcome", "offered_at", "accepted_at")
    )
    counts = Counter(reason for reason, _, _, _ in rows)
    outcomes = Counter(outcome for _, outcome, _, _ in rows)
    waits: dict[str, list[float]] = {}
    for reason, _, offered, accepted in rows:
        if offered and accepted:
            waits.setdefault(reason, []).append(max(0.0, (accepted - offered).total_seconds()))
    return {
        "from": start,
        "to": end,
        "total": len(rows),
        "by_reason": [
            {
                "reason": reason,
                "label": Reason(reason).label if reason in Reason.values else reason,
                "count": counts[reason],
                "pickup": _pickup(waits.get(reason, [])),
            }
            for reason in sorted(counts, key=lambda r: (-counts[r], r))
        ],
        "by_outcome": {outcome: outcomes.get(outcome, 0) for outcome in Handoff.Outcome.values},
        "pickup": _pickup([w for values in waits.values() for w in values]),
    }
