"""Agents' side through the API: replies, queues, agents with their presence, canned replies."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from helpdesk.access import access_row
from helpdesk.api.base import TenantAPIView, acting_membership
from helpdesk.api.serializers import IdField, MessageOut
from helpdesk.attachments import MAX_PER_MESSAGE
from helpdesk.errors import NotFound
from helpdesk.models import Membership, Queue, Tenant
from helpdesk.selectors import conversation_get
from inbox.models import AgentPresence, CannedReply
from inbox.services import (
    agent_reply,
    canned_reply_create,
    canned_reply_delete,
    canned_reply_update,
    queue_update,
)


class AgentReplyIn(serializers.Serializer):
    text = serializers.CharField(
        max_length=20000,
        trim_whitespace=False,
        required=False,
        allow_blank=True,
        help_text="Required, unless the reply carries attachments.",
    )
    attachment_ids = serializers.ListField(
        child=IdField(),
        required=False,
        max_length=MAX_PER_MESSAGE,
        help_text="Files uploaded to this conversation (POST .../attachments/) by this agent or a key.",
    )
    client_msg_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
    private = serializers.BooleanField(required=False, default=False, help_text="An agents' note.")
    agent_id = IdField(
        required=False,
        help_text="With an API key: the user id of the agent who writes (required). Not with a session.",
    )

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("text") and not attrs.get("attachment_ids"):
            raise serializers.ValidationError({"text": ["This field may not be blank."]})
        return attrs


class AgentReplyView(TenantAPIView):
    @extend_schema(
        request=AgentReplyIn,
        responses={
            201: MessageOut,
            200: OpenApiResponse(
                MessageOut, description="A resend (same client_msg_id): the stored message."
            ),
        },
    )
    def post(self, request, conversation_id: int):
        """An agent's reply or private note. A public reply to an unclaimed conversation claims it for the
        agent; one another agent has is a 409."""
        conversation = conversation_get(tenant=self.tenant, conversation_id=conversation_id)
        data = self.body(AgentReplyIn)
        membership = acting_membership(self.actor, data.pop("agent_id", None))
        data.setdefault("text", "")
        data["attachment_ids"] = list(data.get("attachment_ids", []))
        message, created = agent_reply(membership=membership, conversation=conversation, **data)
        return Response(MessageOut(message).data, status=201 if created else 200)


class QueueOut(serializers.ModelSerializer):
    member_ids = serializers.SerializerMethodField()

    class Meta:
        model = Queue
        fields = [
            "id",
            "name",
            "assignment",
            "require_agent_online",
            "pickup_deadline_seconds",
            "member_ids",
            "created_at",
        ]
        read_only_fields = fields

    def get_member_ids(self, queue: Queue) -> list[int]:
        return sorted(user.pk for user in queue.members.all())


class QueueUpdateIn(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    assignment = serializers.ChoiceField(choices=Queue.Assignment.choices)
    require_agent_online = serializers.BooleanField()
    pickup_deadline_seconds = serializers.IntegerField(min_value=10, max_value=7 * 24 * 3600)
    member_ids = serializers.ListField(
        child=IdField(), max_length=1000, help_text="User ids of the tenant's agents."
    )


class QueueListView(TenantAPIView):
    @extend_schema(responses=QueueOut(many=True))
    def get(self, request):
        return self.page(Queue.objects.for_tenant(self.tenant).prefetch_related("members"), QueueOut)


class QueueDetailView(TenantAPIView):
    admin_writes = True

    def queue(self, queue_id: int) -> Queue:
        return access_row(
            Queue.objects.prefetch_related("members"), tenant=self.tenant, pk=queue_id, what="queue"
        )

    @extend_schema(responses=QueueOut)
    def get(self, request, queue_id: int):
        return self.output(QueueOut, self.queue(queue_id))

    @extend_schema(request=QueueUpdateIn, responses=QueueOut)
    def patch(self, request, queue_id: int):
        queue = queue_update(queue=self.queue(queue_id), **self.body(QueueUpdateIn, partial=True))
        return self.output(QueueOut, self.queue(queue.pk))


class AgentOut(serializers.Serializer):
    id = serializers.IntegerField(help_text="The agent's user id (assignee_id, agent_id elsewhere).")
    name = serializers.CharField()
    email = serializers.CharField()
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    status = serializers.ChoiceField(
        choices=AgentPresence.Status.choices, help_text="Online only with a fresh heartbeat."
    )
    capacity = serializers.IntegerField(allow_null=True)
    last_seen_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, m: Membership) -> dict:
        fresh = m.last_seen_at is not None and m.last_seen_at >= timezone.now() - timedelta(
            seconds=settings.PRESENCE_TIMEOUT_SECONDS
        )
        status = m.presence_status or AgentPresence.Status.OFFLINE
        if status != AgentPresence.Status.OFFLINE and not fresh:
            status = AgentPresence.Status.OFFLINE
        return {
            "id": m.user_id,
            "name": m.name,
            "email": m.user.email,
            "role": m.role,
            "status": status,
            "capacity": m.capacity,
            "last_seen_at": m.last_seen_at.isoformat() if m.last_seen_at else None,
        }


class AgentFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=AgentPresence.Status.choices, required=False)


def agents_with_presence(tenant: Tenant) -> QuerySet[Membership]:
    """The tenant's members, each with its presence in the same query (no query per row)."""
    presence = AgentPresence.objects.filter(tenant_id=OuterRef("tenant_id"), user_id=OuterRef("user_id"))
    return (
        Membership.objects.for_tenant(tenant)
        .select_related("user")
        .annotate(
            presence_status=Subquery(presence.values("status")[:1]),
            capacity=Subquery(presence.values("capacity")[:1]),
            last_seen_at=Subquery(presence.values("last_seen_at")[:1]),
        )
    )


class AgentListView(TenantAPIView):
    @extend_schema(parameters=[AgentFilter], responses=AgentOut(many=True))
    def get(self, request):
        f = self.query(AgentFilter)
        qs = agents_with_presence(self.tenant)
        if "status" in f:
            cutoff = timezone.now() - timedelta(seconds=settings.PRESENCE_TIMEOUT_SECONDS)
            fresh = Q(last_seen_at__gte=cutoff)
            if f["status"] == AgentPresence.Status.OFFLINE:
                qs = qs.filter(Q(presence_status=None) | Q(presence_status="offline") | ~fresh)
            else:
                qs = qs.filter(fresh, presence_status=f["status"])
        return self.page(qs, AgentOut)


class AgentDetailView(TenantAPIView):
    @extend_schema(responses=AgentOut)
    def get(self, request, agent_id: int):
        membership = agents_with_presence(self.tenant).filter(user_id=agent_id).first()
        if membership is None:
            raise NotFound("No such agent.")
        return self.output(AgentOut, membership)


class CannedReplyOut(serializers.ModelSerializer):
    shortcut = serializers.CharField(help_text="Blank, or what follows / in the reply box.")

    class Meta:
        model = CannedReply
        fields = ["id", "title", "shortcut", "body", "updated_at"]
        read_only_fields = fields


class CannedReplyIn(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    shortcut = serializers.SlugField(max_length=40, required=False, allow_blank=True)
    body = serializers.CharField(max_length=20000)


class CannedReplyFilter(serializers.Serializer):
    q = serializers.CharField(
        required=False, max_length=200, help_text="Part of the title, shortcut or text."
    )


class CannedReplyListView(TenantAPIView):
    admin_writes = True

    @extend_schema(parameters=[CannedReplyFilter], responses=CannedReplyOut(many=True))
    def get(self, request):
        f = self.query(CannedReplyFilter)
        qs = CannedReply.objects.for_tenant(self.tenant)
        if "q" in f:
            qs = qs.filter(
                Q(title__icontains=f["q"]) | Q(shortcut__icontains=f["q"]) | Q(body__icontains=f["q"])
            )
        return self.page(qs, CannedReplyOut)

    @extend_schema(request=CannedReplyIn, responses={201: CannedReplyOut})
    def post(self, request):
        return self.output(
            CannedReplyOut, canned_reply_create(tenant=self.tenant, **self.body(CannedReplyIn)), 201
        )


class CannedReplyDetailView(TenantAPIView):
    admin_writes = True

    def reply(self, reply_id: int) -> CannedReply:
        return access_row(CannedReply, tenant=self.tenant, pk=reply_id, what="canned reply")

    @extend_schema(responses=CannedReplyOut)
    def get(self, request, reply_id: int):
        return self.output(CannedReplyOut, self.reply(reply_id))

    @extend_schema(request=CannedReplyIn, responses=CannedReplyOut)
    def patch(self, request, reply_id: int):
        reply = self.reply(reply_id)
        return self.output(
            CannedReplyOut, canned_reply_update(reply=reply, **self.body(CannedReplyIn, partial=True))
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, reply_id: int):
        canned_reply_delete(reply=self.reply(reply_id))
        return Response(status=204)
