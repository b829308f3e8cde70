"""API endpoints of the site itself (not of a tenant's data)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def api_not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Unknown API paths answer in the one error shape, like every other API error (for any method: it
    changes nothing, so it needs no CSRF token)."""
    return JsonResponse(
        {"error": {"code": "not_found", "message": "No such API endpoint.", "fields": {}}}, status=404
    )
