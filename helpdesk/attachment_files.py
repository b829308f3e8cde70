"""What an uploaded file is, judged from its bytes: the types we take, their limits, and thumbnails.

Pure functions over bytes (no ORM, no storage): :mod:`helpdesk.attachments` stores what passes. The
client's content type and file extension are never trusted: a PDF is a file that starts with ``%PDF-``,
an image is one Pillow opens as PNG, JPEG, GIF or WebP and decodes whole. Every refusal is an
:class:`AttachmentRejected` with a code (``empty_file``, ``too_large``, ``unsupported_type``,
``broken_image``, ``image_too_large``) and a sentence a person can act on.

Images are decoded with Pillow inside a pixel budget (``MAX_PIXELS``): a small file that claims a huge
canvas (a decompression bomb) is refused from its header, before anything is decoded. The original is kept
byte for byte (what the customer sent is what the agent gets); the thumbnail is drawn anew, upright
(EXIF orientation applied) and without any metadata.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import SuspiciousFileOperation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from helpdesk.errors import InvalidInput

THUMBNAIL_MAX_PX = 320
# At most 40 megapixels (a 8000 x 5000 photo): far above any phone's camera, far below a bomb.
MAX_PIXELS = 40_000_000
NAME_MAX = 200

IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
# The first bytes of each image format we take: a file that starts like one but does not open is damaged.
IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")
PDF = "application/pdf"
EXTENSIONS = {
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg", "jpe"),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    PDF: ("pdf",),
}
ALLOWED_TYPES = tuple(EXTENSIONS)


class AttachmentRejected(InvalidInput):
    """A file we do not keep, with the reason. Nothing is stored for it."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message, fields={"file": [message]}, code=code)
        if code == "too_large":
            self.http_status = 413


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    width: int | None = None
    height: int | None = None


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, round(size / 1024))} KB"


def too_large(size: int | None, limit: int) -> AttachmentRejected:
    said = _("The file is %(size)s; the limit is %(limit)s.") if size else _("The file is over %(limit)s.")
    return AttachmentRejected(
        said % {"size": _size_text(size or 0), "limit": _size_text(limit)}, code="too_large"
    )


def file_check(data: bytes, *, max_bytes: int) -> CheckedFile:
    """What ``data`` is, or :class:`AttachmentRejected` saying why it is not kept."""
    if not data:
        raise AttachmentRejected(_("The file is empty."), code="empty_file")
    if len(data) > max_bytes:
        raise too_large(len(data), max_bytes)
    if data.startswith(b"%PDF-"):
        return CheckedFile(content_type=PDF, extension="pdf")
    return _image_check(data)


def _unsupported() -> AttachmentRejected:
    return AttachmentRejected(
        _("Only images (PNG, JPEG, GIF, WebP) and PDF files can be attached."), code="unsupported_type"
    )


def _image_open(data: bytes) -> Image.Image:
    """The image, its header read (nothing decoded yet), limited to our formats and pixel budget."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS))
    except UnidentifiedImageError as exc:
        if data.startswith(IMAGE_SIGNATURES) or data[8:12] == b"WEBP":
            raise _broken() from exc
        raise _unsupported() from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _image_too_large() from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise _broken() from exc
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        raise _image_too_large()
    return image


def _broken() -> AttachmentRejected:
    return AttachmentRejected(_("The image is damaged and cannot be read."), code="broken_image")


def _image_too_large() -> AttachmentRejected:
    return AttachmentRejected(
        _("The image is too large in pixels (at most %(mp)d megapixels).") % {"mp": MAX_PIXELS // 1_000_000},
        code="image_too_large",
    )


def _image_check(data: bytes) -> CheckedFile:
    image = _image_open(data)
    content_type = IMAGE_FORMATS[image.format]
    width, height = image.size
    try:
        # verify() checks the file's structure; load() decodes the (first) frame, so a truncated or
        # corrupt image is refused here rather than shown broken.
        image.verify()
        _image_open(data).load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise _broken() from exc
    return CheckedFile(
        content_type=content_type, extension=EXTENSIONS[content_type][0], width=width, height=height
    )


def thumbnail_make(data: bytes, content_type: str) -> tuple[bytes, str]:
    """A small copy of an image (at most ``THUMBNAIL_MAX_PX`` a side), upright and without metadata:
    JPEG for photos, PNG for the others (they may be transparent). Returns the bytes and the extension."""
    image = _image_open(data)
    image.seek(0)
    image = ImageOps.exif_transpose(image)
    image.thumbnail((THUMBNAIL_MAX_PX, THUMBNAIL_MAX_PX))
    out = io.BytesIO()
    if content_type == "image/jpeg":
        image.convert("RGB").save(out, format="JPEG", quality=82, optimize=True)
        return out.getvalue(), "jpg"
    mode = "RGBA" if image.mode in ("RGBA", "LA", "P", "PA") else "RGB"
    image.convert(mode).save(out, format="PNG", optimize=True)
    return out.getvalue(), "png"


def display_name(name: str, checked: CheckedFile) -> str:
    """The name people see: the client's file name without any folder, control characters or a wrong
    extension (a PNG called ``invoice.pdf`` reads ``invoice.pdf.png``)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    _, dot, ext = base.rpartition(".")
    if not dot:
        ext = ""
    if ext.lower() in EXTENSIONS[checked.content_type]:
        shown = base
    else:
        shown = f"{base or 'attachment'}.{checked.extension}"
    if len(shown) > NAME_MAX:
        suffix = "." + shown.rpartition(".")[2]
        shown = shown[: NAME_MAX - len(suffix)] + suffix
    return shown


def storage_filename(shown: str, checked: CheckedFile) -> str:
    """A name safe on any storage (letters, digits, ``-_.``) with the extension of what the file is."""
    stem = shown.rpartition(".")[0] or shown
    try:
        safe = get_valid_filename(stem)[:60].strip("._") or "attachment"
    except SuspiciousFileOperation:
        safe = "attachment"
    return f"{safe}.{checked.extension}"
