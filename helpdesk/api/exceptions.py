"""One place renders every API error as ``{"error": {"code", "message", "fields"}}``."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from helpdesk.errors import DomainError

logger = logging.getLogger(__name__)


def _error(
    code: str, message: str, fields: dict | None = None, http_status: int = 400, headers=None
) -> Response:
    return Response(
        {"error": {"code": code, "message": message, "fields": fields or {}}},
        status=http_status,
        headers=headers,
    )


def _flat(detail, prefix: str = "") -> dict[str, list[str]]:
    """Nested serializer errors as one level: ``{"contact.email": [...], "articles.2.title": [...]}``."""
    if isinstance(detail, dict):
        items = detail.items()
    elif isinstance(detail, list) and any(isinstance(v, dict | list) for v in detail):
        items = ((str(i), v) for i, v in enumerate(detail))
    else:
        return {
            prefix or "non_field_errors": [str(m) for m in (detail if isinstance(detail, list) else [detail])]
        }
    fields: dict[str, list[str]] = {}
    for key, value in items:
        if value in ({}, []):
            continue
        fields.update(_flat(value, f"{prefix}.{key}" if prefix else str(key)))
    return fields


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return _error(exc.code, exc.message, exc.fields, exc.http_status)
    if isinstance(exc, RequestDataTooBig):
        # Django's own DATA_UPLOAD_MAX_MEMORY_SIZE check, met when DRF reads a JSON body.
        return _error("too_large", "The request body is too large.", http_status=413)
    if isinstance(exc, Http404):
        return _error("not_found", "Not found.", http_status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return _error("invalid", "The input is not valid.", _flat(detail), status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.APIException):
        response = exception_handler(exc, context)
        headers = {}
        for header in ("Retry-After", "WWW-Authenticate"):
            if response is not None and header in response:
                headers[header] = response[header]
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        return _error(code, str(exc.detail), http_status=exc.status_code, headers=headers)
    logger.exception("Unhandled API error", exc_info=exc)
    return _error("server_error", "Something went wrong on our side.", http_status=500)
