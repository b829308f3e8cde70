"""Handoffs (with reason, evidence and context), a manual handoff, the rules, and the summary report."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from handoff.api.reports import handoff_summary
from handoff.models import Handoff, HandoffRule
from handoff.services import (
    handoff_request_manual,
    handoff_rule_create,
    handoff_rule_delete,
    handoff_rule_update,
)
from helpdesk.access import access_row
from helpdesk.api.base import TenantAPIView, tenant_ref
from helpdesk.api.serializers import IdField, JSONObjectField
from helpdesk.errors import InvalidInput
from helpdesk.models import Bot
from helpdesk.reasons import HandoffReason, reason_label
from helpdesk.selectors import conversation_get

REPORT_DEFAULT_DAYS = 30
REPORT_MAX_DAYS = 366


class HandoffOut(serializers.ModelSerializer):
    reason_label = serializers.SerializerMethodField()
    evidence = serializers.DictField(
        help_text="What fired: the message, matched phrase or rule, score, amount."
    )
    context = serializers.DictField(
        help_text="What the agent sees: original question, collected fields, bot answers, sentiment trend."
    )

    class Meta:
        model = Handoff
        fields = [
            "id",
            "conversation_id",
            "reason",
            "reason_label",
            "evidence",
            "context",
            "queue_id",
            "outcome",
            "trigger_message_id",
            "created_at",
            "offered_at",
            "reoffered_at",
            "accepted_at",
            "accepted_by_id",
            "ended_at",
        ]
        read_only_fields = fields

    def get_reason_label(self, handoff: Handoff) -> str:
        return reason_label(handoff.reason)


class HandoffFilter(serializers.Serializer):
    reason = serializers.ChoiceField(choices=HandoffReason.choices, required=False)
    outcome = serializers.ChoiceField(choices=Handoff.Outcome.choices, required=False)
    conversation = IdField(required=False)
    queue = IdField(required=False)
    created_after = serializers.DateTimeField(required=False)
    created_before = serializers.DateTimeField(required=False)


class ManualHandoffIn(serializers.Serializer):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Why, for the agent (shown in the history).",
    )
    evidence = JSONObjectField(required=False, help_text="Anything your system knows, kept on the handoff.")


class HandoffListView(TenantAPIView):
    @extend_schema(parameters=[HandoffFilter], responses=HandoffOut(many=True))
    def get(self, request):
        f = self.query(HandoffFilter)
        lookups = {
            "reason": "reason",
            "outcome": "outcome",
            "conversation": "conversation_id",
            "queue": "queue_id",
            "created_after": "created_at__gte",
            "created_before": "created_at__lt",
        }
        qs = Handoff.objects.for_tenant(self.tenant).filter(**{lookups[k]: v for k, v in f.items()})
        return self.page(qs, HandoffOut)


class HandoffDetailView(TenantAPIView):
    @extend_schema(responses=HandoffOut)
    def get(self, request, handoff_id: int):
        return self.output(HandoffOut, access_row(Handoff, tenant=self.tenant, pk=handoff_id, what="handoff"))


class ConversationHandoffView(TenantAPIView):
    @extend_schema(
        request=ManualHandoffIn,
        responses={
            201: HandoffOut,
            200: OpenApiResponse(HandoffOut, description="Already with people: its open handoff."),
        },
    )
    def post(self, request, conversation_id: int):
        """Hand the conversation to its bot's queue now (reason ``api``). Closed or unstaffed queues take the
        offline path, as for any handoff."""
        conversation = conversation_get(tenant=self.tenant, conversation_id=conversation_id)
        data = self.body(ManualHandoffIn)
        evidence = dict(data.get("evidence") or {})
        if data.get("note"):
            evidence["explanation"] = data["note"]
        actor = self.actor
        by = {"api_key": actor.api_key.prefix} if actor.api_key else {"agent_id": actor.membership.user_id}
        handoff, created = handoff_request_manual(
            conversation=conversation, evidence=evidence, requested_by=by
        )
        return self.output(HandoffOut, handoff, status=201 if created else 200)


class RuleOut(serializers.ModelSerializer):
    keywords = serializers.SerializerMethodField()
    patterns = serializers.SerializerMethodField()

    class Meta:
        model = HandoffRule
        fields = ["id", "bot_id", "name", "label", "builtin", "keywords", "patterns", "enabled", "updated_at"]
        extra_kwargs = {
            "builtin": {
                "help_text": "Shipped with the product; keywords and patterns here are the additions."
            }
        }
        read_only_fields = fields

    def get_keywords(self, rule: HandoffRule) -> list[str]:
        return list(HandoffRule.lines(rule.keywords))

    def get_patterns(self, rule: HandoffRule) -> list[str]:
        return list(HandoffRule.lines(rule.patterns))


class RuleIn(serializers.Serializer):
    bot_id = IdField()
    name = serializers.SlugField(max_length=60)
    label = serializers.CharField(max_length=120)
    keywords = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        max_length=500,
        help_text="Whole words or phrases.",
    )
    patterns = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        max_length=100,
        help_text="Regular expressions.",
    )
    enabled = serializers.BooleanField(required=False, default=True)


class RuleUpdateIn(RuleIn):
    bot_id = None


class RuleFilter(serializers.Serializer):
    bot = IdField(required=False)


class HandoffRuleListView(TenantAPIView):
    admin_writes = True

    @extend_schema(parameters=[RuleFilter], responses=RuleOut(many=True))
    def get(self, request):
        f = self.query(RuleFilter)
        qs = HandoffRule.objects.for_tenant(self.tenant)
        if "bot" in f:
            qs = qs.filter(bot_id=f["bot"])
        return self.page(qs, RuleOut)

    @extend_schema(request=RuleIn, responses={201: RuleOut})
    def post(self, request):
        data = self.body(RuleIn)
        bot = tenant_ref(Bot.objects.for_tenant(self.tenant), data.pop("bot_id"), "bot_id")
        return self.output(RuleOut, handoff_rule_create(bot=bot, **data), status=201)


class HandoffRuleDetailView(TenantAPIView):
    admin_writes = True

    def rule(self, rule_id: int) -> HandoffRule:
        return access_row(HandoffRule, tenant=self.tenant, pk=rule_id, what="handoff rule")

    @extend_schema(responses=RuleOut)
    def get(self, request, rule_id: int):
        return self.output(RuleOut, self.rule(rule_id))

    @extend_schema(request=RuleUpdateIn, responses=RuleOut)
    def patch(self, request, rule_id: int):
        rule = self.rule(rule_id)
        return self.output(RuleOut, handoff_rule_update(rule=rule, **self.body(RuleUpdateIn, partial=True)))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, rule_id: int):
        handoff_rule_delete(rule=self.rule(rule_id))
        return Response(status=204)


class ReportQuery(serializers.Serializer):
    def get_fields(self) -> dict:
        # "from" is a Python keyword, so the fields are named here.
        return {
            "from": serializers.DateTimeField(
                required=False, help_text=f"Default: {REPORT_DEFAULT_DAYS} days ago."
            ),
            "to": serializers.DateTimeField(required=False, help_text="Default: now. Exclusive."),
        }


class PickupOut(serializers.Serializer):
    accepted = serializers.IntegerField()
    median_seconds = serializers.FloatField(allow_null=True)
    p90_seconds = serializers.FloatField(allow_null=True)


class ReasonCountOut(serializers.Serializer):
    reason = serializers.ChoiceField(choices=HandoffReason.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()
    pickup = PickupOut()


class ReportOut(serializers.Serializer):
    total = serializers.IntegerField()
    by_reason = ReasonCountOut(many=True)
    by_outcome = serializers.DictField(child=serializers.IntegerField())
    pickup = PickupOut()

    def get_fields(self) -> dict:
        return {
            "from": serializers.DateTimeField(),
            "to": serializers.DateTimeField(),
            **super().get_fields(),
        }


class HandoffReportView(TenantAPIView):
    @extend_schema(parameters=[ReportQuery], responses=ReportOut)
    def get(self, request):
        """Handoffs created in [from, to): counts by reason and outcome, and pickup times (median and p90 of
        accepted_at - offered_at), overall and by reason. At most a year at once."""
        q = self.query(ReportQuery)
        end = q.get("to") or timezone.now()
        start = q.get("from") or end - timedelta(days=REPORT_DEFAULT_DAYS)
        if start >= end:
            raise InvalidInput("from must be before to.", fields={"from": ["Must be before to."]})
        if end - start > timedelta(days=REPORT_MAX_DAYS):
            raise InvalidInput(
                f"Ask for at most {REPORT_MAX_DAYS} days at once.",
                fields={"to": [f"At most {REPORT_MAX_DAYS} days after from."]},
            )
        return Response(ReportOut(handoff_summary(tenant=self.tenant, start=start, end=end)).data)
