"""Request bodies: JSON only, and never more than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes (413 beyond).

Kept apart from the views: DRF imports its parser classes while it builds ``APIView`` itself.
"""

from __future__ import annotations

import io

from django.conf import settings
from rest_framework import exceptions
from rest_framework.parsers import JSONParser


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "too_large"


def body_limit() -> int | None:
    """The largest body accepted, in bytes: Django's own ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def body_size_check(request) -> None:
    """Refuse a body whose declared length is over the limit before reading any of it."""
    limit = body_limit()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if limit is not None and length > limit:
        raise RequestTooLarge(f"The request body is {length} bytes; the limit is {limit}.")


class LimitedJSONParser(JSONParser):
    """JSON, read no further than the body limit. Django checks a declared ``Content-Length`` (the error
    handler turns its ``RequestDataTooBig`` into a 413); this also bounds a body that declares none, and
    turns JSON nested deeper than Python can parse into a 400 instead of a crash."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = body_limit()
        if limit is not None and stream is not None:
            data = stream.read(limit + 1)
            if len(data) > limit:
                raise RequestTooLarge(f"The request body is over the limit of {limit} bytes.")
            stream = io.BytesIO(data)
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from exc
