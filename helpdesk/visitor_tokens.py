"""Signed, expiring tokens that let a widget visitor into exactly one conversation, or start it.

A token names the tenant and the bot, and either the contact and the conversation (a visitor who has
written) or neither (a visitor who has only opened the widget: nothing is stored for them yet). A random
per-visitor nonce goes with it: the visitor's first message starts their conversation under that nonce,
which is unique per bot in the database, so a resent first message or a second tab with the same token
finds the same conversation. Tokens issued before the nonce existed carry none and name a conversation;
they read as before.

It is signed with the secret key (so it cannot be forged) and timestamped (so it expires after
``VISITOR_TOKEN_MAX_AGE`` seconds).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

SALT = "helpdesk.visitor-token"
NONCE_MAX_LENGTH = 32


class InvalidVisitorToken(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class VisitorClaims:
    tenant_id: int
    bot_id: int
    contact_id: int | None = None
    conversation_id: int | None = None
    nonce: str | None = None

    @property
    def pending(self) -> bool:
        """A visitor who has not written yet: no contact, no conversation, only the nonce."""
        return self.conversation_id is None


def visitor_nonce_new() -> str:
    return secrets.token_urlsafe(18)


def visitor_token_issue(claims: VisitorClaims) -> str:
    if claims.conversation_id is None and not claims.nonce:
        raise ValueError("A token without a conversation needs the visitor's nonce.")
    payload = {"t": claims.tenant_id, "b": claims.bot_id, "v": claims.contact_id, "c": claims.conversation_id}
    if claims.nonce:
        payload["n"] = claims.nonce
    return signing.dumps(payload, salt=SALT, compress=True)


def _optional_id(value) -> int | None:
    if value is None:
        return None
    if type(value) is not int:
        raise TypeError("an id is an integer")
    return value


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
        claims = VisitorClaims(
            tenant_id=int(payload["t"]),
            bot_id=int(payload["b"]),
            contact_id=_optional_id(payload.get("v")),
            conversation_id=_optional_id(payload.get("c")),
            nonce=payload.get("n"),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidVisitorToken("invalid") from exc
    nonce = claims.nonce
    if nonce is not None and not (isinstance(nonce, str) and 0 < len(nonce) <= NONCE_MAX_LENGTH):
        raise InvalidVisitorToken("invalid")
    # Either a conversation with its contact, or a visitor still to write, who has a nonce (and a contact
    # when the site signed who they are).
    if claims.conversation_id is not None and claims.contact_id is None:
        raise InvalidVisitorToken("invalid")
    if claims.pending and nonce is None:
        raise InvalidVisitorToken("invalid")
    return claims
