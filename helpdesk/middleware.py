"""Request middleware: the one place a page request learns its tenant."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from helpdesk.tenancy import SESSION_TENANT_KEY, membership_for_user


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
        return self.get_response(request)
