"""Signed, expiring tokens that let a widget visitor into exactly one conversation.

The token names the tenant, the bot, the contact and the conversation. It is signed with the secret key
(so it cannot be forged) and timestamped (so it expires after ``VISITOR_TOKEN_MAX_AGE`` seconds).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

SALT = "helpdesk.visitor-token"


class InvalidVisitorToken(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class VisitorClaims:
    tenant_id: int
    bot_id: int
    contact_id: int
    conversation_id: int


def visitor_token_issue(claims: VisitorClaims) -> str:
    payload = {"t": claims.tenant_id, "b": claims.bot_id, "v": claims.contact_id, "c": claims.conversation_id}
    return signing.dumps(payload, salt=SALT, compress=True)


def visitor_token_read(token: str, *, max_age: int | None = None) -> VisitorClaims:
    if not token:
        raise InvalidVisitorToken("missing")
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age or settings.VISITOR_TOKEN_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise InvalidVisitorToken("expired") from exc
    except signing.BadSignature as exc:
        raise InvalidVisitorToken("invalid") from exc
    try:
        return VisitorClaims(
            tenant_id=int(payload["t"]),
            bot_id=int(payload["b"]),
            contact_id=int(payload["v"]),
            conversation_id=int(payload["c"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidVisitorToken("invalid") from exc
