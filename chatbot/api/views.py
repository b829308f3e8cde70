"""The widget's one HTTP endpoint: open or resume a visitor's conversation and get a socket token."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from chatbot.selectors import customer_status
from chatbot.services import widget_session_start
from helpdesk.api.throttling import VisitorThrottle
from helpdesk.payloads import messages_payload, public_message_payload
from helpdesk.selectors import messages_after


class WidgetSessionInput(serializers.Serializer):
    bot_key = serializers.CharField(max_length=40, help_text="The bot's public key, from the widget snippet.")
    token = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text="A previous visitor token, to resume."
    )


class WidgetSessionOutput(serializers.Serializer):
    token = serializers.CharField()
    conversation_id = serializers.IntegerField()
    resumed = serializers.BooleanField()
    socket_path = serializers.CharField()
    bot = serializers.DictField()
    status = serializers.CharField()
    messages = serializers.ListField(child=serializers.DictField())


class WidgetSessionView(APIView):
    """Anyone with a bot's public key may open a conversation: the key is public by design (it is in the
    site's HTML). The returned token is the visitor's credential for the WebSocket. Being public, it is
    rate limited per visitor (``widget`` rate)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [VisitorThrottle]

    @extend_schema(
        auth=[], request=WidgetSessionInput, responses={201: WidgetSessionOutput, 200: WidgetSessionOutput}
    )
    def post(self, request):
        data = WidgetSessionInput(data=request.data)
        data.is_valid(raise_exception=True)
        session = widget_session_start(
            public_key=data.validated_data["bot_key"], token=data.validated_data.get("token", "")
        )
        conversation = session.conversation
        # The customer's view: no bot usage, confidence or other internal fields (as on the socket).
        history = [
            public_message_payload(m)
            for m in messages_payload(conversation, messages_after(conversation=conversation))
        ]
        body = {
            "token": session.token,
            "conversation_id": conversation.pk,
            "resumed": session.resumed,
            "socket_path": "/ws/widget/",
            "bot": {"name": session.bot.name, "greeting": session.bot.greeting},
            "status": customer_status(conversation.status),
            "messages": history,
        }
        return Response(body, status=200 if session.resumed else 201)
