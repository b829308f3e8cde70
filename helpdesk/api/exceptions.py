"""One place renders every API error as ``{"error": {"code", "message", "fields"}}``."""

from __future__ import annotations

import logging

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


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return _error(exc.code, exc.message, exc.fields, exc.http_status)
    if isinstance(exc, Http404):
        return _error("not_found", "Not found.", http_status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = {
            key: [str(m) for m in (val if isinstance(val, list) else [val])] for key, val in detail.items()
        }
        return _error("invalid", "The input is not valid.", fields, status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.APIException):
        response = exception_handler(exc, context)
        headers = {}
        if response is not None and "Retry-After" in response:
            headers["Retry-After"] = response["Retry-After"]
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        return _error(code, str(exc.detail), http_status=exc.status_code, headers=headers)
    logger.exception("Unhandled API error", exc_info=exc)
    return _error("server_error", "Something went wrong on our side.", http_status=500)
