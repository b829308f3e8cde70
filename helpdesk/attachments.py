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

**Removing.** A deleted row's file and thumbnail are deleted from the storage once the deleting
transaction commits (:func:`attachment_deleted`, a ``post_delete`` receiver, so cascades from a deleted
conversation or tenant count too; a rollback keeps them). Uploads never sent are deleted with their files
after ``ATTACHMENT_UNSENT_HOURS`` by a housekeeping job (:func:`attachments_unsent_sweep`). Files stored
inside a block that then fails are deleted again (:func:`attachment_files_removed_on_failure`). A file
already missing is not an error.
"""

from __future__ import annotations

import contextlib
import logging
import posixpath
import secrets
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
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
        row = Attachment.objects.create(
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
        attachment_files_delete(written)
        raise
    for guard in _failure_guards.get():
        guard.extend(written)
    return row


# Removing -----------------------------------------------------------------------------------------------

UNSENT_SWEEP_BATCH = 200
UNSENT_SWEEP_MAX_PER_RUN = 5000

# The lists of names written inside each open :func:`attachment_files_removed_on_failure` block.
_failure_guards: ContextVar[tuple[list[str], ...]] = ContextVar("attachment_failure_guards", default=())


def attachment_files_delete(names: Iterable[str]) -> None:
    """Delete these stored files (empty names skipped) and their folder once empty. A missing file is not
    an error; a storage that fails is logged, never raised (the row is gone either way)."""
    names = [n for n in names if n]
    for name in names:
        try:
            default_storage.delete(name)
        except FileNotFoundError:
            pass
        except Exception:
            logger.warning("Could not delete the attachment file %s", name, exc_info=True)
    for folder in {posixpath.dirname(n) for n in names}:
        _empty_folder_delete(folder)


def _empty_folder_delete(folder: str) -> None:
    """On the file system, the upload's own folder goes once empty; object stores have no folders."""
    if not folder or not isinstance(default_storage, FileSystemStorage):
        return
    with contextlib.suppress(OSError, NotImplementedError):
        dirs, files = default_storage.listdir(folder)
        if not dirs and not files:
            default_storage.delete(folder)  # FileSystemStorage removes an empty directory


def storage_tree_delete(prefix: str) -> int:
    """Delete every stored file under ``prefix`` (a tenant's ``t/<id>``), through the storage API so any
    backend works. Returns how many files were deleted; a missing prefix deletes nothing."""
    try:
        dirs, files = default_storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    deleted = 0
    for sub in dirs:
        deleted += storage_tree_delete(posixpath.join(prefix, sub))
    for name in files:
        try:
            default_storage.delete(posixpath.join(prefix, name))
            deleted += 1
        except FileNotFoundError:
            pass
    _empty_folder_delete(prefix)
    return deleted


@receiver(post_delete, sender=Attachment, dispatch_uid="attachment_files_on_delete")
def attachment_deleted(sender, instance: Attachment, using: str, **kwargs) -> None:
    """A deleted row's file and thumbnail go once the deleting transaction commits (never on rollback)."""
    names = (instance.storage_name, instance.thumbnail_name)
    transaction.on_commit(partial(attachment_files_delete, names), using=using, robust=True)


@contextlib.contextmanager
def attachment_files_removed_on_failure() -> Iterator[None]:
    """Delete the files :func:`attachment_store` wrote inside this block when the block raises. Wrap it
    around the ``transaction.atomic()`` that holds the rows: a rollback forgets the rows, this forgets
    their files (Django has no hook for a rollback)."""
    written: list[str] = []
    token = _failure_guards.set((*_failure_guards.get(), written))
    try:
        yield
    except BaseException:
        attachment_files_delete(written)
        raise
    finally:
        _failure_guards.reset(token)


def attachments_unsent_sweep(*, now=None) -> int:
    """Delete uploads no message took within ``ATTACHMENT_UNSENT_HOURS`` (``0``: keep them), with their
    files: tenant by tenant, in batches, each row locked and rechecked so a message sending it at the same
    moment wins. An inbound email's files belong to its ticket reply, never to a message, and are kept.
    A housekeeping job; returns how many were deleted."""
    hours = getattr(settings, "ATTACHMENT_UNSENT_HOURS", 24)
    if hours <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(hours=hours)
    every = Attachment.objects.unscoped("housekeeping deletes old unsent uploads of every tenant")
    stale = {"message__isnull": True, "created_at__lt": cutoff}
    tenant_ids = list(
        every.filter(**stale)
        .exclude(uploader_kind=Attachment.Uploader.EMAIL)
        .order_by("tenant_id")
        .values_list("tenant_id", flat=True)
        .distinct()
    )
    deleted = 0
    for tenant_id in tenant_ids:
        while deleted < UNSENT_SWEEP_MAX_PER_RUN:
            with transaction.atomic():
                rows = (
                    Attachment.objects.for_tenant(tenant_id)
                    .select_for_update(skip_locked=True)
                    .filter(**stale)
                    .exclude(uploader_kind=Attachment.Uploader.EMAIL)
                    .order_by("pk")
                )
                pks = list(rows.values_list("pk", flat=True)[:UNSENT_SWEEP_BATCH])
                if not pks:
                    break
                # Each row's post_delete sends its files after this batch commits.
                Attachment.objects.for_tenant(tenant_id).filter(pk__in=pks).delete()
            deleted += len(pks)
    if deleted:
        logger.info("Deleted %d unsent uploads older than %d hours", deleted, hours)
    return deleted


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
