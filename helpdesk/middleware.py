"""Request middleware: health probes before anything else, and the one place a page request learns its
tenant."""

from __future__ import annotations

from asgiref.sync import async_to_sync, iscoroutinefunction
from django.urls import reverse
from django.utils.decorators import sync_and_async_middleware
from django.utils.functional import SimpleLazyObject

from helpdesk.tenancy import SESSION_TENANT_KEY, membership_for_user
from helpdesk.tenant_scope import unscoped_queries
from helpdesk.views import healthz, readyz


@sync_and_async_middleware
def health_probes(get_response):
    """``/healthz`` and ``/readyz`` answered before host validation and the HTTPS redirect: a container
    probe or a load balancer asks by IP address, which ALLOWED_HOSTS rightly does not list, and a probe's
    answer says nothing about any tenant."""
    if iscoroutinefunction(get_response):

        async def middleware(request):
            if request.path == "/readyz":
                return await readyz(request)
            if request.path == "/healthz":
                return healthz(request)
            return await get_response(request)

    else:

        def middleware(request):
            if request.path == "/readyz":
                return async_to_sync(readyz)(request)
            if request.path == "/healthz":
                return healthz(request)
            return get_response(request)

    return middleware


class TenantMiddleware:
    """Sets ``request.membership`` and ``request.tenant`` (``None`` for visitors and users of no tenant)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        def resolve():
            return membership_for_user(request.user, request.session.get(SESSION_TENANT_KEY))

        membership = SimpleLazyObject(resolve)
        request.membership = membership
        request.tenant = SimpleLazyObject(lambda: membership.tenant if membership else None)
        if request.path.startswith(reverse("admin:index")) and request.user.is_superuser:
            # The admin shows a superuser every tenant's rows (with a tenant filter); everybody else's
            # admin pages are scoped to their tenant by helpdesk.admin_scoping.
            with unscoped_queries("a superuser in the admin sees every tenant"):
                return self.get_response(request)
        return self.get_response(request)
