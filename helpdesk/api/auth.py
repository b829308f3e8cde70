"""Who is calling the API, and for which tenant.

Two credentials work, and each leaves ``request.auth`` holding what the tenant comes from:

- an API key, ``Authorization: Bearer hdk_live_...``: ``request.auth`` is the :class:`ApiKey` and
  ``request.user`` an :class:`IntegrationUser` (the key acts as the tenant, not as a person);
- an agent's session (the inbox's login, with CSRF on writes): ``request.auth`` is the agent's
  :class:`Membership`, as the request middleware resolved it.

:func:`api_actor` turns either into an :class:`ApiActor`, which views pass on explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import SimpleLazyObject, empty
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header

from helpdesk.api_keys import api_key_authenticate
from helpdesk.models import ApiKey, Membership, Tenant


class IntegrationUser:
    """``request.user`` of a call made with an API key: authenticated, but nobody in particular."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = id = None

    def __init__(self, api_key: ApiKey) -> None:
        self.api_key = api_key

    def __str__(self) -> str:
        return f"API key {self.api_key.prefix}"


class ApiKeyAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the key as: Authorization: Bearer <key>.")
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("This API key is not valid.") from exc
        api_key = api_key_authenticate(raw)
        if api_key is None:
            raise exceptions.AuthenticationFailed("This API key is not valid or was revoked.")
        return IntegrationUser(api_key), api_key

    def authenticate_header(self, request) -> str:
        # Its presence makes a missing credential a 401 (DRF answers 403 without one).
        return 'Bearer realm="api"'


def _unwrapped(membership):
    if isinstance(membership, SimpleLazyObject):
        if membership._wrapped is empty:
            membership._setup()
        return membership._wrapped
    return membership


class MembershipSessionAuthentication(SessionAuthentication):
    """An agent's browser session; the tenant is the membership the request middleware resolved."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        membership = _unwrapped(getattr(request._request, "membership", None))
        if membership is None:
            raise exceptions.PermissionDenied("You are not a member of any company.")
        return result[0], membership


@dataclass(frozen=True)
class ApiActor:
    tenant: Tenant
    membership: Membership | None = None
    api_key: ApiKey | None = None

    @property
    def can_write(self) -> bool:
        if self.api_key is not None:
            return self.api_key.scope == ApiKey.Scope.READ_WRITE
        return self.membership is not None

    @property
    def is_admin(self) -> bool:
        """Keys act for the tenant as a whole (a read-write key may change its settings); a session only
        for an admin membership."""
        if self.api_key is not None:
            return True
        return self.membership is not None and self.membership.role == Membership.Role.ADMIN

    @property
    def user(self):
        return self.membership.user if self.membership is not None else None


def api_actor(request) -> ApiActor | None:
    auth = request.auth
    if isinstance(auth, ApiKey):
        return ApiActor(tenant=auth.tenant, api_key=auth)
    if isinstance(auth, Membership):
        return ApiActor(tenant=auth.tenant, membership=auth)
    return None


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "helpdesk.api.auth.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "hdk_live_...",
            "description": "A tenant's API key (read or read_write scope).",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "helpdesk.api.auth.MembershipSessionAuthentication"
    name = "agentSession"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "An agent's inbox session; writes also need the CSRF token.",
        }
