"""The widget's attachments: a visitor uploads an image or a PDF with their visitor token, then sends its
id with a message on the socket (``attachment_ids``); they read the files of their own conversation.

The token is the visitor's only credential, as on the socket: sent as the ``token`` form field with an
upload and as ``?token=`` to read a file (an ``<img>`` cannot send headers). A visitor who has not
written yet uploads under their token's nonce; their first message starts the conversation and carries
the file. A missing or bad token is 401; another conversation's file, or another company's, is 404.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from chatbot.services import visitor_conversation
from helpdesk.api.attachments import FILE_RESPONSES, FileNegotiation, upload_size_check, uploaded_file
from helpdesk.api.serializers import AttachmentOut
from helpdesk.api.throttling import VisitorThrottle
from helpdesk.attachments import attachment_for_visitor, attachment_response, attachment_store, upload_read
from helpdesk.errors import NotAuthenticated
from helpdesk.models import Attachment, Bot, Conversation
from helpdesk.payloads import attachment_payload, public_attachment_payload
from helpdesk.visitor_tokens import InvalidVisitorToken, VisitorClaims, visitor_token_read


def _visitor(token) -> tuple[VisitorClaims, Conversation | None]:
    """The visitor a token names and their conversation (``None`` before their first message)."""
    refused = NotAuthenticated("A valid visitor token is required (the widget session's token).")
    if not isinstance(token, str) or not token:
        raise refused
    try:
        claims = visitor_token_read(token)
    except InvalidVisitorToken as exc:
        raise refused from exc
    conversation = visitor_conversation(claims)
    if conversation is None and (
        not claims.pending or not Bot.objects.for_tenant(claims.tenant_id).filter(pk=claims.bot_id).exists()
    ):
        raise refused
    return claims, conversation


class WidgetUploadIn(serializers.Serializer):
    token = serializers.CharField(help_text="The visitor token of the widget session.")
    file = serializers.FileField(help_text="A PNG, JPEG, GIF or WebP image, or a PDF.")


class WidgetAttachmentUploadView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [VisitorThrottle]
    parser_classes = [MultiPartParser]

    def initial(self, request, *args, **kwargs) -> None:
        upload_size_check(request)
        super().initial(request, *args, **kwargs)

    @extend_schema(auth=[], request={"multipart/form-data": WidgetUploadIn}, responses={201: AttachmentOut})
    def post(self, request):
        """Upload a file for the visitor's next message; the answer's ``id`` goes in its
        ``attachment_ids``. Nothing is stored for a refused file (``too_large``, ``unsupported_type``,
        ``empty_file``, ``broken_image``)."""
        claims, conversation = _visitor(request.data.get("token"))
        upload = uploaded_file(request)
        row = attachment_store(
            tenant=claims.tenant_id,
            data=upload_read(upload),
            name=upload.name or "",
            uploader_kind=Attachment.Uploader.CUSTOMER,
            conversation=conversation,
            visitor_nonce=claims.nonce or "",
        )
        return Response(public_attachment_payload(attachment_payload(row)), status=201)


class WidgetAttachmentContentView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    content_negotiation_class = FileNegotiation
    thumbnail = False

    @extend_schema(
        auth=[],
        parameters=[OpenApiParameter("token", str, required=True, description="The visitor token.")],
        responses=FILE_RESPONSES,
    )
    def get(self, request, attachment_id: int):
        claims, conversation = _visitor(request.query_params.get("token"))
        row = attachment_for_visitor(
            tenant_id=claims.tenant_id,
            conversation=conversation,
            nonce=claims.nonce or "",
            attachment_id=attachment_id,
        )
        return attachment_response(row, thumbnail=self.thumbnail)


class WidgetAttachmentThumbnailView(WidgetAttachmentContentView):
    thumbnail = True
