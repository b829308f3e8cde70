"""The widget's one HTTP endpoint: resume a visitor's conversation, or give a new visitor a socket token to
write with (their conversation starts with their first message, on the socket)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from chatbot.selectors import customer_status
from chatbot.services import VisitorIdentity, widget_session_start
from helpdesk.api.throttling import VisitorThrottle
from helpdesk.language import bot_greeting, language_or_default
from helpdesk.models import Conversation
from helpdesk.payloads import messages_payload, public_message_payload
from helpdesk.selectors import messages_after


class WidgetSessionInput(serializers.Serializer):
    bot_key = serializers.CharField(max_length=40, help_text="The bot's public key, from the widget snippet.")
    token = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text="A previous visitor token, to resume."
    )
    user_id = serializers.CharField(
        max_length=200,
        required=False,
        help_text="A logged-in user of the site, as the site names them (identity verification).",
    )
    user_hash = serializers.RegexField(
        r"^[0-9a-fA-F]{64}$",
        required=False,
        help_text="Hex HMAC-SHA256 of user_id under the bot's identity secret, made on the site's server.",
    )
    user_email = serializers.EmailField(required=False, allow_blank=True)
    user_name = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def validate(self, attrs):
        if ("user_id" in attrs) != ("user_hash" in attrs):
            raise serializers.ValidationError({"user_hash": ["user_id and user_hash go together."]})
        return attrs


class WidgetSessionBot(serializers.Serializer):
    name = serializers.CharField()
    greeting = serializers.CharField(
        help_text="What the widget shows first; stored as seq 1 when the visitor writes."
    )
    language = serializers.CharField(
        help_text="The bot's language: the widget's words use it when neither the site nor the browser names "
        "one the helpdesk speaks."
    )


class WidgetSessionOutput(serializers.Serializer):
    token = serializers.CharField(help_text="The visitor's credential for the WebSocket (`?token=`).")
    conversation_id = serializers.IntegerField(
        allow_null=True,
        help_text="The resumed conversation; null for a visitor who has not written yet (nothing is stored "
        "until their first message, which starts the conversation and sends a `session` frame with its "
        "token).",
    )
    resumed = serializers.BooleanField()
    language = serializers.CharField(
        allow_blank=True,
        help_text="The customer's language as detected in the resumed conversation; empty until one is.",
    )
    socket_path = serializers.CharField()
    bot = WidgetSessionBot()
    status = serializers.CharField()
    messages = serializers.ListField(
        child=serializers.DictField(), help_text="The conversation's history; empty before the first message."
    )


class WidgetSessionView(APIView):
    """Anyone with a bot's public key may open the widget: the key is public by design (it is in the
    site's HTML). The returned token is the visitor's credential for the WebSocket. Opening stores nothing:
    a new visitor's conversation starts with their first message. Being public, it is rate limited per
    visitor (``widget`` rate)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [VisitorThrottle]

    @extend_schema(
        auth=[],
        request=WidgetSessionInput,
        responses={201: WidgetSessionOutput, 200: WidgetSessionOutput},
        description="200 with the history when a valid token's conversation is resumed; otherwise 201 with "
        "a token for a visitor who has not written yet, `conversation_id: null` and no messages.",
    )
    def post(self, request):
        data = WidgetSessionInput(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        identity = None
        if "user_id" in given:
            identity = VisitorIdentity(
                user_id=given["user_id"],
                user_hash=given["user_hash"],
                email=given.get("user_email", ""),
                name=given.get("user_name", ""),
            )
        session = widget_session_start(
            public_key=given["bot_key"], token=given.get("token", ""), identity=identity
        )
        conversation = session.conversation
        history = []
        status = Conversation.Status.BOT
        if conversation is not None:
            # The customer's view: no bot usage, confidence or other internal fields (as on the socket).
            history = [
                public_message_payload(m)
                for m in messages_payload(conversation, messages_after(conversation=conversation))
            ]
            status = conversation.status
        body = {
            "token": session.token,
            "conversation_id": conversation.pk if conversation is not None else None,
            "resumed": session.resumed,
            "socket_path": "/ws/widget/",
            "bot": {
                "name": session.bot.name,
                "greeting": bot_greeting(session.bot),
                "language": language_or_default(session.bot.language),
            },
            # The customer's language detected in their conversation ("" until one is), which the widget's
            # own words follow like the bot's texts do.
            "language": conversation.language if conversation is not None else "",
            "status": customer_status(status),
            "messages": history,
        }
        return Response(body, status=200 if session.resumed else 201)
