"""``GET /api/v1/reports/handoff-reviews/``: the reports page's handoff review rates in the REST API, with
the same filters and scope as the other report endpoints (:mod:`handoff.api.report_views`)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from handoff.api.report_views import ReportFilterIn, ReportView, ScopeOut
from handoff.review.rates import review_rates


class ReviewRatesOut(serializers.Serializer):
    reviewed_handoffs = serializers.IntegerField(
        help_text="Handed-off conversations with a confirmed review."
    )
    right_call = serializers.IntegerField()
    unnecessary = serializers.IntegerField(help_text="Marked unnecessary: the bot could have answered.")
    late = serializers.IntegerField(help_text="Marked late: the handoff should have come sooner.")
    reviewed_bot_resolved = serializers.IntegerField(
        help_text="Conversations the bot resolved alone with a confirmed review."
    )
    missed = serializers.IntegerField(help_text="Of those, marked missed: it should have handed off.")
    false_handoff_rate = serializers.FloatField(
        allow_null=True, help_text="unnecessary / reviewed_handoffs; null when nothing was reviewed."
    )
    late_rate = serializers.FloatField(allow_null=True, help_text="late / reviewed_handoffs.")
    missed_rate = serializers.FloatField(allow_null=True, help_text="missed / reviewed_bot_resolved.")


class ReviewRatesBucketOut(ReviewRatesOut):
    day = serializers.DateField(help_text="The day, or the Monday of the week.")


class ReviewRatesReportOut(ScopeOut):
    series = ReviewRatesBucketOut(many=True, help_text="Every day or week of the range, in order.")
    total = ReviewRatesOut()


class ReviewRatesReportView(ReportView):
    @extend_schema(parameters=[ReportFilterIn], responses=ReviewRatesReportOut)
    def get(self, request):
        """False-handoff, late and missed rates from confirmed handoff reviews of conversations started
        in the range, per day or week and in total."""
        # ``report`` may pass more than the scope (the tenant's names); the rates need only the scope.
        return self.report(ReviewRatesReportOut, lambda scope, *_: review_rates(scope))
