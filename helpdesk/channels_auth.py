"""Channels middleware: the one place a socket learns its tenant.

- Agents: the Django session (``AuthMiddlewareStack``) then their membership -> ``scope["membership"]``.
- Visitors: a signed, expiring visitor token in the query string (``?token=``) -> ``scope["visitor"]``.
  The middleware checks only the signature and age (no database): the widget consumer checks, in the
  one database call of its connect, that the conversation exists in the token's tenant, bot and contact
  (or, for a visitor who has not written yet, that the bot is in the token's tenant), so a storm of
  reconnecting widgets costs one database call per socket, not three.

Both set ``scope["tenant_id"]``; on failure they set ``scope["auth_error"]`` and the consumer closes with a
close code (4401 for a missing, forged or expired token or no session, 4403 for no membership).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.middleware import BaseMiddleware
from channels.security.websocket import AllowedHostsOriginValidator

from helpdesk.socket_db import socket_db
from helpdesk.tenancy import SESSION_TENANT_KEY, membership_for_user
from helpdesk.visitor_tokens import InvalidVisitorToken, visitor_token_read


def query_param(scope: dict, name: str) -> str:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(name)
    return values[0] if values else ""


@socket_db
def _membership(scope: dict):
    session = scope.get("session")
    preferred = session.get(SESSION_TENANT_KEY) if session is not None else None
    return membership_for_user(scope.get("user"), preferred)


class VisitorTokenMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        scope = dict(scope, visitor=None, tenant_id=None, auth_error=None)
        try:
            claims = visitor_token_read(query_param(scope, "token"))
        except InvalidVisitorToken as exc:
            scope["auth_error"] = exc.reason
        else:
            scope["visitor"] = claims
            scope["tenant_id"] = claims.tenant_id
        return await super().__call__(scope, receive, send)


class MembershipMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        scope = dict(scope, membership=None, tenant_id=None, auth_error=None)
        user = scope.get("user")
        if user is None or not user.is_authenticated:
            scope["auth_error"] = "not_authenticated"
        else:
            membership = await _membership(scope)
            if membership is None:
                scope["auth_error"] = "no_membership"
            else:
                scope["membership"] = membership
                scope["tenant_id"] = membership.tenant_id
        return await super().__call__(scope, receive, send)


def agent_socket_stack(app):
    """Session auth, the membership, and the Origin check agents' sockets need."""
    return AllowedHostsOriginValidator(AuthMiddlewareStack(MembershipMiddleware(app)))


def visitor_socket_stack(app):
    """Widgets run on customers' own sites, so no Origin check: the signed token is the credential."""
    return VisitorTokenMiddleware(app)
