"""Rate limits, counted in the Django cache (Redis in production, so every process shares the counts).

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` and are read at each request, so a test or
an operator's change of settings applies at once. A missing rate means no limit. Over the limit the
answer is 429 in the error shape, with ``Retry-After``.
"""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from helpdesk.models import ApiKey


class _LiveRateThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class ApiClientThrottle(_LiveRateThrottle):
    """Per API key (by its prefix, so a key's count never leaks to another) or per agent."""

    scope = "api"

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, ApiKey):
            ident = f"key:{request.auth.prefix}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            return None  # refused before it costs anything: authentication runs first
        return self.cache_format % {"scope": self.scope, "ident": ident}


class VisitorThrottle(_LiveRateThrottle):
    """Per visitor of the public widget endpoint: by client address (``NUM_PROXIES`` says which one)."""

    scope = "widget"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
