"""OpenAPI details drf-spectacular cannot infer: the one error shape on every operation."""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "example": "invalid"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "What is wrong with each input field, by name.",
                },
            },
        }
    },
}
ERRORS_ALWAYS = {
    "400": "The input is not valid (see error.fields).",
    "401": "No credentials, or a bad or revoked API key.",
    "403": "A read-only key writing, or an agent changing what only admins may.",
    "404": "Not found: missing, or another tenant's (the same answer).",
    "405": "This method is not allowed here.",
    "406": "The Accept header asks for something other than JSON.",
    "429": "Rate limited; retry after the Retry-After header's seconds.",
}
ERRORS_WITH_BODY = {
    "409": "The conversation or row is not in a state that allows this.",
    "413": "The request body is over the limit.",
    "415": "The body is not JSON.",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def error_responses_add(result: dict, generator, request, public) -> dict:
    """Postprocessing hook: every operation documents the error statuses it can answer with."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            errors = dict(ERRORS_ALWAYS)
            if method in WRITE_METHODS:
                errors.update(ERRORS_WITH_BODY)
            for status, description in errors.items():
                operation["responses"].setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": ref}}}
                )
    return result
