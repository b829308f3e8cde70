"""Rate limits, counted in the Django cache (Redis in production, so every process shares the counts).

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` and are read at each request, so a test or
an operator's change of settings applies at once. A missing rate means no limit. Over the limit the
answer is 429 in the error shape, with ``Retry-After``.

A rate limit must never be the reason a customer cannot open a chat: when the shared cache is down
(Redis unreachable, timing out), the count moves to a per-process in-memory cache, and a warning is
logged at most once a minute per process. After a failure the shared cache is left alone for
``SHARED_CACHE_RETRY_SECONDS`` (``helpdesk.shared_cache``), so a Redis that times out costs one request
its timeout, not every one. Limits then hold per process, not across processes, which is the price of
staying up.
"""

from __future__ import annotations

from django.core.cache.backends.locmem import LocMemCache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from helpdesk.models import ApiKey
from helpdesk.shared_cache import CACHE_DOWN_ERRORS, cache_outage

fallback_cache = LocMemCache("helpdesk-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


class _LiveRateThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        if cache_outage.is_down():
            self.cache = fallback_cache
            return super().allow_request(request, view)
        try:
            return super().allow_request(request, view)
        except CACHE_DOWN_ERRORS as error:
            cache_outage.record(error)
            self.cache = fallback_cache
            return super().allow_request(request, view)


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
