"""The reports page's figures in the API: deflection, handoffs by reason and queue, pickup, CSAT and
agents.

Each endpoint takes the page's filters (``from`` and ``to`` as days, both included, in the report's time
zone; ``bot``; ``queue``) and answers with the scope it used and its figures, as
:mod:`handoff.reports.figures` and :mod:`handoff.reports.csat` define them. An API key sees every
agent's figures and every comment; an agent's session only the agent's own row and the comments on the
conversations they resolved, unless the agent is an admin or a lead.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from handoff.reports import csat, figures
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
        allow_null=True,
        help_text="Median of joining to the agent's own first message the customer sees, before the "
        "handoff ended.",
    )
    resolution_median_seconds = serializers.FloatField(
        allow_null=True,
        help_text="Median of joining to resolving the conversation themselves (still assigned to them).",
    )
    csat_responses = serializers.IntegerField(
        help_text="Ratings given in the range of the conversations the agent resolved."
    )
    csat_average_score = serializers.FloatField(allow_null=True, help_text="Their mean score, 1 to 5.")
    csat_rate = serializers.FloatField(
        allow_null=True, help_text="The share of 4 and 5; null without ratings."
    )


class AgentsReportOut(ScopeOut):
    agents = ReportAgentOut(many=True)
    only_own = serializers.BooleanField(help_text="True for an agent's session: only the agent's own row.")


class CsatFiguresOut(serializers.Serializer):
    responses = serializers.IntegerField(help_text="Ratings first given in the range.")
    average_score = serializers.FloatField(allow_null=True, help_text="Mean of their latest scores, 1 to 5.")
    csat_rate = serializers.FloatField(
        allow_null=True, help_text="The share of scores of 4 and 5; null without ratings."
    )


class CsatScoresOut(CsatFiguresOut):
    comments = serializers.IntegerField(help_text="Ratings with a comment.")
    by_score = serializers.DictField(
        child=serializers.IntegerField(), help_text='Ratings per score, "1" to "5".'
    )


class CsatResolverOut(CsatScoresOut):
    resolved_by = serializers.ChoiceField(
        choices=["bot", "agent"],
        help_text="The bot, or the agent the conversation was assigned to when it was resolved.",
    )
    label = serializers.CharField()


class CsatAgentOut(CsatFiguresOut):
    user_id = serializers.IntegerField()
    name = serializers.CharField()


class CsatReasonOut(CsatFiguresOut):
    reason = serializers.ChoiceField(
        choices=HandoffReason.choices,
        allow_null=True,
        help_text="The reason of the conversation's latest handoff before the rating; null: never handed "
        "off.",
    )
    label = serializers.CharField()


class CsatBucketOut(CsatFiguresOut):
    bucket = serializers.DateField(help_text="The day, or the Monday of the week.")
    bot = CsatFiguresOut(help_text="Conversations the bot resolved.")
    agent = CsatFiguresOut(help_text="Conversations an agent resolved.")


class CsatCommentOut(serializers.Serializer):
    rating_id = serializers.IntegerField()
    rated_at = serializers.DateTimeField(help_text="When the rating was first given.")
    score = serializers.IntegerField()
    comment = serializers.CharField()
    resolved_by = serializers.ChoiceField(choices=["bot", "agent"])
    resolved_by_name = serializers.CharField(help_text="The agent's name, or the bot's.")
    agent_id = serializers.IntegerField(allow_null=True)
    conversation_id = serializers.IntegerField()
    bot_id = serializers.IntegerField()


class CsatReportOut(ScopeOut):
    total = CsatScoresOut()
    by_resolver = CsatResolverOut(many=True, help_text="The bot's row, then the agents'.")
    agents = CsatAgentOut(many=True, help_text="Agents with ratings (an agent's session: only their own).")
    reasons = CsatReasonOut(many=True, help_text="Reasons that occurred, in the vocabulary's order.")
    series = CsatBucketOut(many=True)
    comments = CsatCommentOut(
        many=True,
        help_text="The newest comments (an agent's session: only on the conversations they resolved).",
    )
    only_own = serializers.BooleanField(help_text="True for an agent's session: only the agent's own row.")


class CsatFilterIn(ReportFilterIn):
    comments = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=csat.COMMENTS_API_MAX,
        help_text=f"How many of the newest comments to include (default {csat.COMMENTS_ON_PAGE}, at most "
        f"{csat.COMMENTS_API_MAX}).",
    )


class ReportView(TenantAPIView):
    filters = ReportFilterIn

    def scope(self) -> ReportScope:
        q = self.query(self.filters)
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
        names = figures.Names(scope.tenant_id)
        return Response(serializer_class({**scope.describe(), **build(scope, names)}).data)


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
        """Per agent: conversations handled, median first response, median resolution and CSAT. An
        agent's session sees only the agent's own row."""
        return self.report(AgentsReportOut, csat.agents_with_csat)


class CsatReportView(ReportView):
    filters = CsatFilterIn

    @extend_schema(parameters=[CsatFilterIn], responses=CsatReportOut)
    def get(self, request):
        """Customer satisfaction from the widget's ratings: responses, average score and CSAT (the share of
        4 and 5) in total, by who resolved the conversation, per agent, per handoff reason and per day or
        week, with the newest comments. An agent's session sees only the agent's own row and the comments
        on the conversations they resolved."""
        limit = self.query(CsatFilterIn).get("comments", csat.COMMENTS_ON_PAGE)

        def build(scope: ReportScope, names: figures.Names) -> dict:
            return {**csat.csat(scope, names), "comments": csat.comments(scope, names, limit=limit)}

        return self.report(CsatReportOut, build)
