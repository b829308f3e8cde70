"""Conversations through the API: list and read them, open one on the ``api`` channel, and post the
customer's messages of a custom channel through the same path as the widget's (the bot answers, the
handoff triggers run; the bot's answer arrives later, as a ``message.created`` webhook or in the list).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from chatbot.services import api_conversation_start, customer_message_receive
from helpdesk.api.base import TenantAPIView, tenant_ref
from helpdesk.api.serializers import ConversationOut, IdField, MessageOut
from helpdesk.attachments import API_UPLOADS, MAX_PER_MESSAGE, AttachmentClaim
from helpdesk.contacts import contact_find_or_create
from helpdesk.errors import Conflict
from helpdesk.models import Bot, Contact, Conversation, HandoffReason, Message
from helpdesk.payloads import conversation_payload, messages_payload
from helpdesk.selectors import RESUME_LIMIT, conversation_get, messages_after

DETAIL_MESSAGES = 50


class ConversationFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=Conversation.Status.choices, required=False)
    reason = serializers.ChoiceField(
        choices=HandoffReason.choices, required=False, help_text="Why it last went to a person."
    )
    channel = serializers.ChoiceField(choices=Conversation.Channel.choices, required=False)
    bot = IdField(required=False)
    contact = IdField(required=False)
    assignee = IdField(required=False, help_text="The agent's user id.")
    created_after = serializers.DateTimeField(required=False, help_text="Created at or after.")
    created_before = serializers.DateTimeField(required=False, help_text="Created before (exclusive).")


class ContactRefIn(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ConversationCreateIn(serializers.Serializer):
    bot_id = IdField()
    contact_id = IdField(required=False, help_text="An existing contact.")
    contact = ContactRefIn(
        required=False, help_text="Or the customer's details: found by email (then external id), else made."
    )

    def validate(self, attrs: dict) -> dict:
        if "contact_id" in attrs and "contact" in attrs:
            raise serializers.ValidationError({"contact": ["Give contact_id or contact, not both."]})
        return attrs


class ConversationDetailOut(ConversationOut):
    messages = MessageOut(many=True, help_text="The last messages, oldest first.")

    def to_representation(self, instance: Conversation) -> dict:
        return {**conversation_payload(instance), "messages": self.context["messages"]}


class DetailQuery(serializers.Serializer):
    messages = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=200,
        help_text=f"How many of the last messages (default {DETAIL_MESSAGES}).",
    )


class MessagesQuery(serializers.Serializer):
    after_seq = serializers.IntegerField(required=False, min_value=0, max_value=2**31, default=0)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=RESUME_LIMIT, default=100)


class MessagesPageOut(serializers.Serializer):
    results = MessageOut(many=True)
    has_more = serializers.BooleanField(help_text="Ask again with after_seq = the last seq to get more.")


class CustomerMessageIn(serializers.Serializer):
    text = serializers.CharField(
        max_length=20000,
        trim_whitespace=False,
        required=False,
        allow_blank=True,
        help_text="Required, unless the message carries attachments.",
    )
    client_msg_id = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="Your id of the message: a resend is stored once.",
    )
    attachment_ids = serializers.ListField(
        child=IdField(),
        required=False,
        max_length=MAX_PER_MESSAGE,
        help_text="Files uploaded to this conversation with an API key (POST .../attachments/).",
    )

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("text") and not attrs.get("attachment_ids"):
            raise serializers.ValidationError({"text": ["This field may not be blank."]})
        return attrs


class ConversationListView(TenantAPIView):
    @extend_schema(parameters=[ConversationFilter], responses=ConversationOut(many=True))
    def get(self, request):
        f = self.query(ConversationFilter)
        qs = Conversation.objects.for_tenant(self.tenant).select_related("contact")
        lookups = {
            "status": "status",
            "reason": "handoff_reason",
            "channel": "channel",
            "bot": "bot_id",
            "contact": "contact_id",
            "assignee": "assignee_id",
            "created_after": "created_at__gte",
            "created_before": "created_at__lt",
        }
        qs = qs.filter(**{lookups[name]: value for name, value in f.items()})
        return self.page(qs, ConversationOut)

    @extend_schema(request=ConversationCreateIn, responses={201: ConversationOut})
    def post(self, request):
        data = self.body(ConversationCreateIn)
        bot = tenant_ref(Bot.objects.for_tenant(self.tenant), data["bot_id"], "bot_id")
        if "contact_id" in data:
            contact = tenant_ref(Contact.objects.for_tenant(self.tenant), data["contact_id"], "contact_id")
        else:
            contact, _ = contact_find_or_create(tenant=self.tenant, **data.get("contact", {}))
        conversation = api_conversation_start(tenant=self.tenant, bot=bot, contact=contact)
        return self.output(ConversationOut, conversation, status=201)


class ConversationDetailView(TenantAPIView):
    @extend_schema(parameters=[DetailQuery], responses=ConversationDetailOut)
    def get(self, request, conversation_id: int):
        conversation = conversation_get(tenant=self.tenant, conversation_id=conversation_id)
        count = self.query(DetailQuery).get("messages", DETAIL_MESSAGES)
        last = messages_after(
            conversation=conversation,
            last_seq=max(0, conversation.last_seq - count),
            include_private=True,
            limit=count,
        )
        context = {
            **self.serializer_context(),
            "messages": messages_payload(conversation, last) if count else [],
        }
        return Response(ConversationDetailOut(conversation, context=context).data)


class ConversationMessagesView(TenantAPIView):
    @extend_schema(parameters=[MessagesQuery], responses=MessagesPageOut)
    def get(self, request, conversation_id: int):
        """Messages after ``after_seq``, oldest first, private notes included (integrators are the tenant)."""
        conversation = conversation_get(tenant=self.tenant, conversation_id=conversation_id)
        q = self.query(MessagesQuery)
        rows = messages_after(
            conversation=conversation, last_seq=q["after_seq"], include_private=True, limit=q["limit"] + 1
        )
        return Response(
            {
                "results": messages_payload(conversation, rows[: q["limit"]]),
                "has_more": len(rows) > q["limit"],
            }
        )

    @extend_schema(
        request=CustomerMessageIn,
        responses={
            201: MessageOut,
            200: OpenApiResponse(MessageOut, description="A resend: the message stored the first time."),
        },
    )
    def post(self, request, conversation_id: int):
        """A customer's message on a custom channel (conversations of the ``api`` channel only)."""
        conversation = conversation_get(tenant=self.tenant, conversation_id=conversation_id)
        data = self.body(CustomerMessageIn)
        client_msg_id = data.get("client_msg_id", "")
        if conversation.channel != Conversation.Channel.API:
            raise Conflict(
                "Customers of this conversation write through its own channel.", code="wrong_channel"
            )
        if conversation.status == Conversation.Status.RESOLVED:
            stored = (
                client_msg_id
                and Message.objects.filter(conversation=conversation, client_msg_id=client_msg_id).first()
            )
            if not stored:
                raise Conflict("The conversation is resolved: start a new one.", code="conversation_resolved")
            message, created = stored, False
        else:
            claim = AttachmentClaim(ids=tuple(data.get("attachment_ids", ())), kinds=API_UPLOADS)
            message, created = customer_message_receive(
                conversation=conversation,
                text=data.get("text", ""),
                client_msg_id=client_msg_id,
                attachments=claim,
            )
        return Response(MessageOut(message).data, status=201 if created else 200)
