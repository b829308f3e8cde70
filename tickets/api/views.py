"""Tickets with their replies, and queues' business hours, through the API."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from helpdesk.access import access_row
from helpdesk.api.base import TenantAPIView, acting_membership
from helpdesk.api.serializers import IdField
from helpdesk.models import HandoffReason
from tickets.models import BusinessHours, Ticket
from tickets.payloads import TicketOut
from tickets.selectors import ticket_replies
from tickets.services import ticket_reply_add


class TicketFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=Ticket.Status.choices, required=False)
    priority = serializers.ChoiceField(choices=Ticket.Priority.choices, required=False)
    reason = serializers.ChoiceField(choices=HandoffReason.choices, required=False)
    assignee = IdField(required=False, help_text="The agent's user id.")
    contact = IdField(required=False)
    number = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    q = serializers.CharField(required=False, max_length=200, help_text="Part of the subject or the contact.")


class ReplyOut(serializers.Serializer):
    id = serializers.IntegerField()
    author_kind = serializers.ChoiceField(choices=["agent", "customer", "system"])
    author_id = serializers.IntegerField(allow_null=True)
    author_name = serializers.CharField()
    body = serializers.CharField()
    private = serializers.BooleanField()
    email_status = serializers.CharField()
    created_at = serializers.DateTimeField()

    def to_representation(self, view) -> dict:
        reply = view.reply
        return {
            "id": reply.pk,
            "author_kind": reply.author_kind,
            "author_id": reply.author_id,
            "author_name": view.author_name,
            "body": reply.body,
            "private": reply.private,
            "email_status": reply.email_status,
            "created_at": reply.created_at.isoformat(),
        }


class TicketReplyIn(serializers.Serializer):
    body = serializers.CharField(max_length=20000, trim_whitespace=False)
    private = serializers.BooleanField(
        required=False, default=False, help_text="An agents' note, never emailed."
    )
    agent_id = IdField(
        required=False, help_text="With an API key: the user id of the agent who writes (required)."
    )


class TicketListView(TenantAPIView):
    @extend_schema(parameters=[TicketFilter], responses=TicketOut(many=True))
    def get(self, request):
        f = self.query(TicketFilter)
        qs = Ticket.objects.for_tenant(self.tenant).select_related("contact")
        lookups = {
            "status": "status",
            "priority": "priority",
            "reason": "handoff_reason",
            "assignee": "assignee_id",
            "contact": "contact_id",
            "number": "number",
        }
        qs = qs.filter(**{lookups[k]: v for k, v in f.items() if k in lookups})
        if "q" in f:
            qs = qs.filter(
                Q(subject__icontains=f["q"])
                | Q(contact__email__icontains=f["q"])
                | Q(contact__name__icontains=f["q"])
            )
        return self.page(qs, TicketOut)


class TicketDetailView(TenantAPIView):
    @extend_schema(responses=TicketOut)
    def get(self, request, ticket_id: int):
        qs = Ticket.objects.select_related("contact")
        return self.output(TicketOut, access_row(qs, tenant=self.tenant, pk=ticket_id, what="ticket"))


class TicketRepliesView(TenantAPIView):
    pagination_class = None

    def ticket(self, ticket_id: int) -> Ticket:
        return access_row(
            Ticket.objects.select_related("contact"), tenant=self.tenant, pk=ticket_id, what="ticket"
        )

    @extend_schema(responses=ReplyOut(many=True))
    def get(self, request, ticket_id: int):
        """Every reply and note of the ticket, oldest first."""
        return Response(ReplyOut(ticket_replies(ticket=self.ticket(ticket_id)), many=True).data)

    @extend_schema(request=TicketReplyIn, responses={201: ReplyOut})
    def post(self, request, ticket_id: int):
        """An agent's reply (emailed to the customer when the contact has an email) or private note."""
        ticket = self.ticket(ticket_id)
        data = self.body(TicketReplyIn)
        membership = acting_membership(self.actor, data.pop("agent_id", None))
        reply = ticket_reply_add(ticket=ticket, membership_or_none=membership, **data)
        view = next(v for v in ticket_replies(ticket=ticket) if v.reply.pk == reply.pk)
        return Response(ReplyOut(view).data, status=201)


class WindowOut(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 is Monday.")
    start = serializers.TimeField()
    end = serializers.TimeField(help_text="At or before start: runs past midnight.")


class ClosureOut(serializers.Serializer):
    label = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class BusinessHoursOut(serializers.ModelSerializer):
    windows = WindowOut(many=True)
    closures = ClosureOut(many=True)

    class Meta:
        model = BusinessHours
        fields = ["id", "queue_id", "timezone", "windows", "closures", "updated_at"]
        read_only_fields = fields


def _hours(tenant):
    return BusinessHours.objects.for_tenant(tenant).prefetch_related("windows", "closures")


class BusinessHoursListView(TenantAPIView):
    @extend_schema(responses=BusinessHoursOut(many=True))
    def get(self, request):
        """Queues' opening hours (a queue with none is open around the clock). Edited in Django admin."""
        return self.page(_hours(self.tenant), BusinessHoursOut)


class BusinessHoursDetailView(TenantAPIView):
    @extend_schema(responses=BusinessHoursOut)
    def get(self, request, hours_id: int):
        return self.output(
            BusinessHoursOut,
            access_row(_hours(self.tenant), tenant=self.tenant, pk=hours_id, what="business hours"),
        )
