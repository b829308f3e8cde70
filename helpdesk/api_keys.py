"""API keys: made, checked and revoked here, and nowhere else.

A key reads ``hdk_live_`` + 12 hex characters (the lookup prefix, stored and shown) + 43 random URL-safe
characters (the secret part). Only the SHA-256 of the whole key is stored: it has 256 bits of randomness,
so a slow password hash would add nothing but latency on every request. The comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from helpdesk.errors import InvalidInput
from helpdesk.models import ApiKey, Tenant

KEY_PREFIX = "hdk_live_"
LOOKUP_CHARS = 12
PREFIX_LENGTH = len(KEY_PREFIX) + LOOKUP_CHARS
# ``last_used_at`` is written at most this often per key, so reads do not turn into a write each.
LAST_USED_RESOLUTION = timedelta(seconds=60)


def _digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


@transaction.atomic
def api_key_create(
    *, tenant: Tenant, name: str, scope: str = ApiKey.Scope.READ, created_by=None
) -> tuple[ApiKey, str]:
    """A new key of ``tenant``. Returns the row and the key itself, which is never shown again."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Name the key.", fields={"name": ["This field may not be blank."]})
    if scope not in ApiKey.Scope.values:
        raise InvalidInput(
            f"Unknown scope {scope!r}.", fields={"scope": [f"One of {', '.join(ApiKey.Scope.values)}."]}
        )
    raw = KEY_PREFIX + secrets.token_hex(LOOKUP_CHARS // 2) + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        tenant=tenant,
        name=name[:120],
        prefix=raw[:PREFIX_LENGTH],
        secret_hash=_digest(raw),
        scope=scope,
        created_by=created_by,
    )
    return key, raw


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Stop the key working at once. Revoking twice keeps the first revocation time."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def api_key_authenticate(raw_key: str) -> ApiKey | None:
    """The live key ``raw_key`` is, with its tenant; ``None`` for anything else (wrong, revoked, malformed).

    This is one of the three places that resolve a tenant (with the request and Channels middlewares).
    """
    if not raw_key.startswith(KEY_PREFIX) or len(raw_key) <= PREFIX_LENGTH or len(raw_key) > 200:
        return None
    keys = ApiKey.objects.unscoped("a presented key finds its tenant by its own globally unique prefix")
    key = keys.select_related("tenant").filter(prefix=raw_key[:PREFIX_LENGTH]).first()
    if key is None or not hmac.compare_digest(key.secret_hash, _digest(raw_key)):
        return None
    if key.revoked_at is not None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.for_tenant(key.tenant_id).filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
