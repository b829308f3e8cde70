"""Output shapes of the core domain, shared by every app's API and by webhook payloads.

Messages and conversations render through the same payload functions as the WebSocket events
(``helpdesk.selectors``), so a message looks the same on a socket, in the API and in a webhook; the
declared fields here document that shape in the OpenAPI schema.
"""

from __future__ import annotations

import math

from rest_framework import serializers

from helpdesk.models import Attachment, Contact, Conversation, HandoffReason, Message
from helpdesk.payloads import attachment_payload, conversation_payload, message_payload

MAX_ID = 2**63 - 1


class ContactBriefOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField()


class ConversationOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Conversation.Status.choices)
    status_label = serializers.CharField(help_text="The status in words, as agents read it.")
    channel = serializers.ChoiceField(choices=Conversation.Channel.choices)
    bot_id = serializers.IntegerField()
    contact = ContactBriefOut()
    assignee_id = serializers.IntegerField(allow_null=True, help_text="The agent's user id.")
    queue_id = serializers.IntegerField(allow_null=True)
    handoff_reason = serializers.ChoiceField(choices=HandoffReason.choices, allow_blank=True)
    handoff_reason_label = serializers.CharField(help_text="The reason in words, as agents read it.")
    waiting_since = serializers.DateTimeField(allow_null=True)
    collected = serializers.DictField(help_text="Fields the bot collected: order number, email, ...")
    last_seq = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField(allow_null=True)
    last_message_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance: Conversation) -> dict:
        return conversation_payload(instance)


class AttachmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="The file's name as sent (its extension fixed to what it is).")
    type = serializers.ChoiceField(
        choices=["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"],
        help_text="What the file is, read from its bytes (never the sender's word).",
    )
    size = serializers.IntegerField(help_text="In bytes.")
    url = serializers.CharField(help_text="The file (same credentials as the API).")
    thumbnail_url = serializers.CharField(allow_null=True, help_text="Images: a copy at most 320 px a side.")
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)

    def to_representation(self, instance: Attachment) -> dict:
        return attachment_payload(instance)


class MessageOut(serializers.Serializer):
    id = serializers.IntegerField()
    conversation_id = serializers.IntegerField()
    seq = serializers.IntegerField(help_text="Monotonic within the conversation.")
    author_kind = serializers.ChoiceField(choices=Message.Author.choices)
    author_name = serializers.CharField()
    body = serializers.CharField()
    html = serializers.CharField(
        allow_null=True,
        help_text="Bot messages only: the body's Markdown as sanitised HTML (links, lists, bold, code); "
        "null for the others, whose body is plain text.",
    )
    private = serializers.BooleanField(help_text="An agents' note, never shown to the customer.")
    client_msg_id = serializers.CharField(allow_null=True)
    data = serializers.DictField()
    created_at = serializers.DateTimeField()
    attachments = AttachmentOut(many=True, help_text="Images and PDFs the message carries.")

    def to_representation(self, instance: Message) -> dict:
        return message_payload(instance)


class ContactOut(serializers.ModelSerializer):
    email = serializers.CharField(help_text="Blank when unknown.")

    class Meta:
        model = Contact
        fields = ["id", "name", "email", "external_id", "created_at"]
        read_only_fields = fields


class IdField(serializers.IntegerField):
    """An id in a body or query: a positive 64-bit integer (larger ones are refused, not looked up)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class FiniteFloatField(serializers.FloatField):
    """A float that JSON can carry back: "nan" and "inf" are refused."""

    def to_internal_value(self, data) -> float:
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class JSONObjectField(serializers.DictField):
    """A free-form JSON object (evidence, extras). NUL characters are refused: PostgreSQL cannot hold them."""

    def to_internal_value(self, data) -> dict:
        value = super().to_internal_value(data)
        if _has_nul(value):
            raise serializers.ValidationError("Null characters are not allowed.")
        return value
