"""Percentiles of durations: in the database on PostgreSQL, in Python elsewhere, with the same answer.

PostgreSQL's ``percentile_cont`` interpolates linearly between the two nearest ranks; :func:`percentile`
does exactly that over a list, for SQLite (which has no percentile aggregate), where the report reads
one duration per row instead. Durations are seconds as floats.
"""

from __future__ import annotations

from django.db import NotSupportedError
from django.db.models import Aggregate, FloatField, Func


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


def rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(float(seconds), 1)


class Seconds(Func):
    """An interval (``F("later") - F("earlier")``) as seconds in double precision, on PostgreSQL."""

    template = "EXTRACT(EPOCH FROM (%(expressions)s))::double precision"
    output_field = FloatField()


class PercentileCont(Aggregate):
    """``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)``: PostgreSQL's interpolated
    percentile of a group (NULLs are left out). ``filter=`` works as for any aggregate."""

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile is a fraction between 0 and 1.")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor != "postgresql":
            raise NotSupportedError("percentile_cont needs PostgreSQL; compute it with percentile().")
        return super().as_sql(compiler, connection, **extra_context)


def database_percentiles(connection) -> bool:
    """Whether percentiles are computed by the database (PostgreSQL) rather than in Python."""
    return connection.vendor == "postgresql"
