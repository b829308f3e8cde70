"""Attachments: storing an uploaded file, sending it with a message, and who may read it.

**Storing.** :func:`attachment_store` checks the bytes (:mod:`helpdesk.attachment_files`: type sniffed
from the content, ``ATTACHMENT_MAX_BYTES``, images decoded within a pixel budget), then writes the file and
an image's thumbnail through Django's storage API (``default_storage``: the file system by default, any
S3-compatible backend through ``STORAGES``) under a path of the tenant's own,
``t/<tenant>/<yyyy>/<mm>/<random>/<name>``, and records the row. A refused file stores nothing; a failure
after the files were written deletes them again.

**Sending.** An upload waits unsent until a message claims it: ``message_create`` takes an
:class:`AttachmentClaim` (the ids, and which uploads that author may send) and, in the message's
transaction, locks the uploads, checks each is unsent, of a kind the author may send and of this
conversation (or of the visitor whose first message starts it), and links them. One bad id refuses the
whole message and stores nothing.

**Reading.** An agent reads every attachment of their tenant (:func:`attachment_for_tenant`); a visitor
reads those of their own conversation's public messages and their own unsent uploads
(:func:`attachment_for_visitor`). Anything else, another tenant's file included, is "not found".
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.access import access_row
from helpdesk.attachment_files import (
    AttachmentRejected,
    display_name,
    file_check,
    storage_filename,
    thumbnail_make,
    too_large,
)
from helpdesk.errors import InvalidInput, NotFound
from helpdesk.models import Attachment, Conversation, Message, Tenant

logger = logging.getLogger(__name__)

MAX_PER_MESSAGE = 10
THUMBNAIL_TYPES = {"png": "image/png", "jpg": "image/jpeg"}


def upload_read(upload: Any, *, max_bytes: int | None = None) -> bytes:
    """The bytes of an uploaded file (a Django ``UploadedFile`` or any binary file object), read no
    further than the limit: a file over it is refused without reading the rest."""
    limit = settings.ATTACHMENT_MAX_BYTES if max_bytes is None else max_bytes
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise too_large(size, limit)
    chunks, total = [], 0
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise too_large(None, limit)
    return b"".join(chunks)


def attachment_store(
    *,
    tenant: Tenant | int,
    data: bytes,
    name: str,
    uploader_kind: str,
    conversation: Conversation | None = None,
    uploaded_by=None,
    visitor_nonce: str = "",
) -> Attachment:
    """Check ``data`` and keep it as an unsent attachment of ``tenant`` (see the module docstring), or
    raise :class:`AttachmentRejected` having stored nothing."""
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    if conversation is not None and conversation.tenant_id != tenant_id:
        raise NotFound(_("No such conversation."))
    checked = file_check(data, max_bytes=settings.ATTACHMENT_MAX_BYTES)
    thumbnail = (
        thumbnail_make(data, checked.content_type) if checked.content_type.startswith("image/") else None
    )
    shown = display_name(name, checked)
    now = timezone.now()
    folder = f"t/{tenant_id}/{now:%Y}/{now:%m}/{secrets.token_hex(12)}"
    written: list[str] = []
    try:
        stored = default_storage.save(f"{folder}/{storage_filename(shown, checked)}", ContentFile(data))
        written.append(stored)
        thumb_name = ""
        if thumbnail is not None:
            thumb_bytes, thumb_ext = thumbnail
            thumb_name = default_storage.save(f"{folder}/thumbnail.{thumb_ext}", ContentFile(thumb_bytes))
            written.append(thumb_name)
        return Attachment.objects.create(
            tenant_id=tenant_id,
            conversation=conversation,
            uploader_kind=uploader_kind,
            uploaded_by=uploaded_by,
            visitor_nonce=visitor_nonce if conversation is None else "",
            original_name=shown,
            content_type=checked.content_type,
            size=len(data),
            width=checked.width,
            height=checked.height,
            storage_name=stored,
            thumbnail_name=thumb_name,
        )
    except BaseException:
        for name_written in written:
            try:
                default_storage.delete(name_written)
            except Exception:  # the storage is down: the original error matters more
                logger.warning("Could not delete %s after a failed upload", name_written, exc_info=True)
        raise


# Sending ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttachmentClaim:
    """The uploads a message carries, and which uploads its author may send: ``kinds`` of uploader, and
    for an agent's own uploads, only those made by ``uploaded_by_id``."""

    ids: tuple[int, ...] = ()
    kinds: frozenset[str] = field(default_factory=frozenset)
    uploaded_by_id: int | None = None


CUSTOMER_UPLOADS = frozenset({Attachment.Uploader.CUSTOMER})
AGENT_UPLOADS = frozenset({Attachment.Uploader.AGENT, Attachment.Uploader.API})
API_UPLOADS = frozenset({Attachment.Uploader.API})


def attachment_ids_clean(value: Any) -> tuple[int, ...]:
    """The ``attachment_ids`` of a frame or a body: a list of at most ``MAX_PER_MESSAGE`` ids."""
    if value in (None, []):
        return ()
    if (
        not isinstance(value, list)
        or not all(type(v) is int and 0 < v < 2**63 for v in value)
        or len(value) > MAX_PER_MESSAGE
    ):
        message = _("attachment_ids must be a list of at most %(n)d attachment ids.") % {"n": MAX_PER_MESSAGE}
        raise InvalidInput(message, fields={"attachment_ids": [message]})
    return tuple(dict.fromkeys(value))


def _claimable(row: Attachment, conversation: Conversation, claim: AttachmentClaim) -> bool:
    if row.message_id is not None or row.uploader_kind not in claim.kinds:
        return False
    if row.uploader_kind == Attachment.Uploader.AGENT and row.uploaded_by_id != claim.uploaded_by_id:
        return False
    if row.conversation_id == conversation.pk:
        return True
    return (
        row.conversation_id is None
        and bool(row.visitor_nonce)
        and row.visitor_nonce == conversation.visitor_nonce
    )


def attachments_claim(*, conversation: Conversation, claim: AttachmentClaim) -> list[Attachment]:
    """The uploads ``claim`` names, locked, in the order named; :class:`InvalidInput` naming the ids this
    message may not send (missing, another tenant's or conversation's, already sent, someone else's)."""
    if not claim.ids:
        return []
    rows = {
        row.pk: row
        for row in Attachment.objects.for_tenant(conversation.tenant_id)
        .select_for_update()
        .filter(pk__in=claim.ids)
    }
    refused = [pk for pk in claim.ids if pk not in rows or not _claimable(rows[pk], conversation, claim)]
    if refused:
        message = _("These attachments cannot be sent with this message: %(ids)s.") % {
            "ids": ", ".join(map(str, refused))
        }
        raise InvalidInput(message, fields={"attachment_ids": [message]}, code="invalid_attachment")
    return [rows[pk] for pk in claim.ids]


def attachments_link(*, message: Message, rows: list[Attachment]) -> None:
    """Attach the claimed ``rows`` to ``message`` (in its transaction)."""
    if not rows:
        return
    Attachment.objects.for_tenant(message.tenant_id).filter(pk__in=[r.pk for r in rows]).update(
        message=message, conversation_id=message.conversation_id, visitor_nonce=""
    )
    for row in rows:
        row.message, row.conversation_id, row.visitor_nonce = message, message.conversation_id, ""
    message.attachment_rows = rows


# Reading ------------------------------------------------------------------------------------------------


def message_attachments(message: Message) -> list[Attachment]:
    """A message's attachments: none without a query when it has none, else those read with it
    (:func:`attachments_prefetch`) or one query."""
    if not message.attachment_count:
        return []
    rows = getattr(message, "attachment_rows", None)
    if rows is None:
        rows = list(message.attachments.order_by("pk"))
        message.attachment_rows = rows
    return rows


def attachments_prefetch(messages: Iterable[Message]) -> None:
    """Read the attachments of every message that has some, in one query (none when none has)."""
    wanting = {
        m.pk: m for m in messages if m.attachment_count and getattr(m, "attachment_rows", None) is None
    }
    if not wanting:
        return
    tenant_id = next(iter(wanting.values())).tenant_id
    found: dict[int, list[Attachment]] = {pk: [] for pk in wanting}
    for row in Attachment.objects.for_tenant(tenant_id).filter(message_id__in=list(wanting)).order_by("pk"):
        found[row.message_id].append(row)
    for pk, message in wanting.items():
        message.attachment_rows = found[pk]


def attachment_for_tenant(*, tenant: Tenant | int, attachment_id: Any) -> Attachment:
    """Any attachment of the tenant, for its agents and its API keys."""
    return access_row(Attachment, tenant=tenant, pk=attachment_id, what="attachment")


def attachment_for_visitor(
    *, tenant_id: int, conversation: Conversation | None, nonce: str, attachment_id: Any
) -> Attachment:
    """An attachment a widget visitor may read: one on a public message of their conversation, or an
    upload of their own not sent yet. Anything else is :class:`NotFound`."""
    row = (
        Attachment.objects.for_tenant(tenant_id)
        .select_related("message")
        .filter(pk=attachment_id if type(attachment_id) is int else -1)
        .first()
    )
    if row is None:
        raise NotFound(_("No such attachment."))
    if row.message is not None:
        visible = conversation is not None and row.message.conversation_id == conversation.pk
        visible = visible and not row.message.private
    else:
        own_upload = row.uploader_kind == Attachment.Uploader.CUSTOMER
        same_conversation = conversation is not None and row.conversation_id == conversation.pk
        same_visitor = row.conversation_id is None and bool(nonce) and row.visitor_nonce == nonce
        visible = own_upload and (same_conversation or same_visitor)
    if not visible:
        raise NotFound(_("No such attachment."))
    return row


def conversation_attachments(*, conversation: Conversation):
    """Every attachment of a conversation, sent or waiting (a queryset, for the API's cursor pages)."""
    return Attachment.objects.for_tenant(conversation.tenant_id).filter(conversation=conversation)


def attachment_response(row: Attachment, *, thumbnail: bool = False) -> FileResponse:
    """The file itself, typed as what it is (sniffed on upload), never sniffed again by the browser:
    images inline, PDFs as a download, in a sandbox so nothing in them runs with the helpdesk's origin."""
    if thumbnail and not row.thumbnail_name:
        raise NotFound(_("This attachment has no thumbnail."))
    name = row.thumbnail_name if thumbnail else row.storage_name
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError) as exc:
        logger.warning("Attachment %s: its file %s is missing from the storage", row.pk, name)
        raise NotFound(_("This attachment's file is missing.")) from exc
    if thumbnail:
        content_type = THUMBNAIL_TYPES.get(name.rpartition(".")[2], "application/octet-stream")
    else:
        content_type = row.content_type
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=not row.is_image,
        filename=row.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


__all__ = ["AttachmentRejected"]  # raised by attachment_store; callers catch it from here
