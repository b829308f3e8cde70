"""Attachments through the API, for agents' pages and integrators: upload a file to a conversation (then
send it with a reply or a customer message by its id), list a conversation's files, and read a file or
its thumbnail. Another tenant's conversation or attachment is the same 404 as a missing one.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from helpdesk.api.base import TenantAPIView
from helpdesk.api.parsers import RequestTooLarge
from helpdesk.api.serializers import AttachmentOut
from helpdesk.attachments import (
    attachment_for_tenant,
    attachment_response,
    attachment_store,
    conversation_attachments,
    upload_read,
)
from helpdesk.errors import InvalidInput
from helpdesk.models import Attachment
from helpdesk.selectors import conversation_get

# What a file's answer may be: each type we keep (thumbnails are PNG or JPEG).
FILE_RESPONSES = {
    (200, content_type): OpenApiResponse(OpenApiTypes.BINARY)
    for content_type in ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf")
}

# Room for the multipart envelope around the file.
MULTIPART_OVERHEAD = 64 * 1024


def upload_size_check(request) -> None:
    """Refuse an upload whose declared length is over the attachment limit before reading any of it."""
    limit = settings.ATTACHMENT_MAX_BYTES + MULTIPART_OVERHEAD
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise RequestTooLarge(
            f"The upload is {length} bytes; a file may be at most {settings.ATTACHMENT_MAX_BYTES}."
        )


def uploaded_file(request):
    """The request's one ``file`` part, or a 400 naming the field."""
    upload = request.FILES.get("file")
    if upload is None:
        raise InvalidInput(
            "Send the file as multipart/form-data in a field named 'file'.",
            fields={"file": ["This field is required."]},
            code="no_file",
        )
    return upload


class FileNegotiation(DefaultContentNegotiation):
    """A file's answer is the file whatever the client accepts (an ``<img>`` asks for images); errors
    are JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class AttachmentUploadIn(serializers.Serializer):
    file = serializers.FileField(help_text="A PNG, JPEG, GIF or WebP image, or a PDF.")


class ConversationAttachmentOut(AttachmentOut):
    message_id = serializers.IntegerField(allow_null=True, help_text="Null until a message carries it.")
    uploader_kind = serializers.ChoiceField(choices=Attachment.Uploader.choices)
    created_at = serializers.DateTimeField()

    def to_representation(self, instance: Attachment) -> dict:
        return {
            **super().to_representation(instance),
            "message_id": instance.message_id,
            "uploader_kind": instance.uploader_kind,
            "created_at": instance.created_at.isoformat(),
        }


class ConversationAttachmentsView(TenantAPIView):
    parser_classes = [MultiPartParser]

    def initial(self, request, *args, **kwargs) -> None:
        if request.method == "POST":
            upload_size_check(request)
            # The JSON body limit does not apply to an upload; the attachment limit above does.
            super(TenantAPIView, self).initial(request, *args, **kwargs)
            return
        super().initial(request, *args, **kwargs)

    @extend_schema(responses=ConversationAttachmentOut(many=True))
    def get(self, request, conversation_id: int):
        """The conversation's files, newest first: those messages carry and uploads not sent yet."""
        conversation = conversation_get(tenant=self.tenant, conversation_id=conversation_id)
        return self.page(conversation_attachments(conversation=conversation), ConversationAttachmentOut)

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadIn},
        responses={201: ConversationAttachmentOut},
    )
    def post(self, request, conversation_id: int):
        """Upload a file to the conversation; send it with ``attachment_ids`` on a reply
        (``/replies/``) or, on the ``api`` channel, a customer message (``/messages/``)."""
        conversation = conversation_get(tenant=self.tenant, conversation_id=conversation_id)
        upload = uploaded_file(request)
        membership = self.actor.membership
        row = attachment_store(
            tenant=self.tenant,
            data=upload_read(upload),
            name=upload.name or "",
            uploader_kind=Attachment.Uploader.AGENT if membership else Attachment.Uploader.API,
            uploaded_by=membership.user if membership else None,
            conversation=conversation,
        )
        return Response(ConversationAttachmentOut(row).data, status=201)


class AttachmentContentView(TenantAPIView):
    content_negotiation_class = FileNegotiation
    thumbnail = False

    @extend_schema(
        responses=FILE_RESPONSES,
        description="The file: images inline, PDFs as a download; `X-Content-Type-Options: nosniff`.",
    )
    def get(self, request, attachment_id: int):
        row = attachment_for_tenant(tenant=self.tenant, attachment_id=attachment_id)
        return attachment_response(row, thumbnail=self.thumbnail)


class AttachmentThumbnailView(AttachmentContentView):
    thumbnail = True
