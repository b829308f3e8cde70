"""The reports page's figures in the API: deflection, handoffs by reason and queue, pickup and agents.

Each endpoint takes the page's filters (``from`` and ``to`` as days, both included, in the report's time
zone; ``bot``; ``queue``) and answers with the scope it used and its figures, as
:mod:`handoff.reports.figures` defines them. An API key sees every agent's figures; an agent's session
only the agent's own, unless the agent is an admin.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from handoff.reports import figures
from handoff.reports.scope import DEFAULT_DAYS, MAX_DAYS, ReportScope, report_scope
from helpdesk.api.base import TenantAPIView
from helpdesk.api.serializers import IdField
from helpdesk.reasons import HandoffReason


class ReportFilterIn(serializers.Serializer):
    bot = IdField(required=False, help_text="Only this bot's conversations.")
    queue = IdField(
        required=False,
        help_text="Only this queue: handoffs to it, and conversations worked in it (or, never handed off, "
        "of a bot that hands off to it).",
    )

    def get_fields(self) -> dict:
        # "from" is a Python keyword, so the date fields are named here.
        return {
            "from": serializers.DateField(
                required=False,
                help_text=f"First day (YYYY-MM-DD), in the report's time zone. Default: {DEFAULT_DAYS - 1} "
                f"days before `to`. At most {MAX_DAYS} days at once.",
            ),
            "to": serializers.DateField(required=False, help_text="Last day, included. Default: today."),
            **super().get_fields(),
        }


class ScopeOut(serializers.Serializer):
    timezone = serializers.CharField(
        help_text="Days are counted in this zone: the queue's business hours' (or the bot's queue's), else "
        "the one zone the tenant's business hours share, else UTC."
    )
    bucket = serializers.ChoiceField(
        choices=["day", "week"], help_text="Series are per day up to 35 days, else per week (from Monday)."
    )
    previous_from = serializers.DateField(help_text="The previous period of the same length.")
    previous_to = serializers.DateField()
    bot_id = serializers.IntegerField(allow_null=True)
    queue_id = serializers.IntegerField(allow_null=True)

    def get_fields(self) -> dict:
        return {"from": serializers.DateField(), "to": serializers.DateField(), **super().get_fields()}


class DeflectionFiguresOut(serializers.Serializer):
    conversations = serializers.IntegerField(help_text="Conversations started in the period.")
    resolved_by_bot = serializers.IntegerField(help_text="Resolved and never handed off.")
    handed_off = serializers.IntegerField(help_text="Handed off at least once.")
    deflection_rate = serializers.FloatField(
        allow_null=True, help_text="resolved_by_bot / (resolved_by_bot + handed_off); null when both are 0."
    )


class DeflectionTrendOut(DeflectionFiguresOut):
    previous = DeflectionFiguresOut()
    change_points = serializers.FloatField(
        allow_null=True, help_text="Deflection rate minus the previous period's, in percentage points."
    )


class DeflectionBotOut(DeflectionTrendOut):
    bot_id = serializers.IntegerField()
    bot_name = serializers.CharField()


class DeflectionBucketOut(DeflectionFiguresOut):
    bucket = serializers.DateField(help_text="The day, or the Monday of the week.")
    bot_id = serializers.IntegerField()
    bot_name = serializers.CharField()


class DeflectionReportOut(ScopeOut):
    bots = DeflectionBotOut(many=True)
    total = DeflectionTrendOut()
    series = DeflectionBucketOut(many=True)


class ReportReasonCountOut(serializers.Serializer):
    reason = serializers.ChoiceField(choices=HandoffReason.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()


class ReasonBucketOut(ReportReasonCountOut):
    bucket = serializers.DateField(help_text="The day, or the Monday of the week.")


class HandoffTotalsOut(serializers.Serializer):
    handoffs = serializers.IntegerField()
    inside_hours = serializers.IntegerField(
        allow_null=True,
        help_text="Made while the queue was within its business hours (a queue without "
        "hours always is); null for handoffs without a queue.",
    )
    outside_hours = serializers.IntegerField(allow_null=True)
    offline = serializers.IntegerField(help_text="Sent to the offline path.")
    offline_share = serializers.FloatField(allow_null=True)
    tickets_opened = serializers.IntegerField(help_text="Tickets of the offline handoffs' conversations.")


class HandoffQueueOut(HandoffTotalsOut):
    queue_id = serializers.IntegerField(allow_null=True)
    queue_name = serializers.CharField()
    has_hours = serializers.BooleanField()
    by_reason = serializers.DictField(child=serializers.IntegerField(), help_text="Handoffs by reason code.")


class HandoffBreakdownOut(ScopeOut):
    reasons = ReportReasonCountOut(many=True)
    series = ReasonBucketOut(many=True)
    queues = HandoffQueueOut(many=True)
    total = HandoffTotalsOut()


class PickupFiguresOut(serializers.Serializer):
    offered = serializers.IntegerField(help_text="Handoffs offered to the queue's agents.")
    accepted = serializers.IntegerField(help_text="Handoffs an agent joined.")
    p50_seconds = serializers.FloatField(allow_null=True, help_text="Median of handoff to agent joining.")
    p90_seconds = serializers.FloatField(allow_null=True)


class PickupQueueOut(PickupFiguresOut):
    queue_id = serializers.IntegerField(allow_null=True)
    queue_name = serializers.CharField()


class PickupCellOut(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="1 is Monday, 7 Sunday, in the report's time zone.")
    hour = serializers.IntegerField(help_text="0 to 23, in the report's time zone.")
    accepted = serializers.IntegerField()
    p50_seconds = serializers.FloatField(allow_null=True)


class PickupReportOut(ScopeOut):
    queues = PickupQueueOut(many=True)
    total = PickupFiguresOut()
    heatmap = PickupCellOut(many=True, help_text="168 cells, Monday 0:00 first.")


class ReportAgentOut(serializers.Serializer):
    user_id = serializers.IntegerField()
    name = serializers.CharField()
    conversations_handled = serializers.IntegerField()
    first_response_median_seconds = serializers.FloatField(
        allow_null=True, help_text="Median of joining to the agent's first message the customer sees."
    )
    resolution_median_seconds = serializers.FloatField(
        allow_null=True, help_text="Median of joining to resolving the conversation."
    )


class AgentsReportOut(ScopeOut):
    agents = ReportAgentOut(many=True)
    only_own = serializers.BooleanField(help_text="True for an agent's session: only the agent's own row.")


class ReportView(TenantAPIView):
    def scope(self) -> ReportScope:
        q = self.query(ReportFilterIn)
        return report_scope(
            tenant=self.tenant,
            first_day=q.get("from"),
            last_day=q.get("to"),
            bot_id=q.get("bot"),
            queue_id=q.get("queue"),
            viewer=self.actor.membership,
        )

    def report(self, serializer_class, build) -> Response:
        scope = self.scope()
        return Response(serializer_class({**scope.describe(), **build(scope)}).data)


class DeflectionReportView(ReportView):
    @extend_schema(parameters=[ReportFilterIn], responses=DeflectionReportOut)
    def get(self, request):
        """Conversations the bot resolved without a person against those handed off, per bot and per day
        or week, with the change on the previous period of the same length."""
        return self.report(DeflectionReportOut, figures.deflection)


class HandoffBreakdownReportView(ReportView):
    @extend_schema(parameters=[ReportFilterIn], responses=HandoffBreakdownOut)
    def get(self, request):
        """Handoffs by reason per day or week, and per queue: inside and outside business hours, sent to
        the offline path, and the tickets that opened."""
        return self.report(HandoffBreakdownOut, figures.handoff_breakdown)


class PickupReportView(ReportView):
    @extend_schema(parameters=[ReportFilterIn], responses=PickupReportOut)
    def get(self, request):
        """Time from the handoff to an agent joining: p50 and p90 per queue and overall, and the median
        per hour of the week."""
        return self.report(PickupReportOut, figures.pickup)


class AgentsReportView(ReportView):
    @extend_schema(parameters=[ReportFilterIn], responses=AgentsReportOut)
    def get(self, request):
        """Per agent: conversations handled, median first response and median resolution. An agent's
        session sees only the agent's own row."""
        return self.report(AgentsReportOut, figures.agents)
