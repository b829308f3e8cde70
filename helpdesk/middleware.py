"""Request middleware: the one place a page request learns its tenant."""

from __future__ import annotations

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from helpdesk.tenancy import SESSION_TENANT_KEY, membership_for_user
from helpdesk.tenant_scope import unscoped_queries


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
