"""What a caller may do. Ids of another tenant are not a permission question: every lookup happens inside
the caller's tenant, so they are simply not found (404), exactly like ids that do not exist.

- no credentials (or a bad key): 401;
- a read-only key: safe methods only, 403 otherwise;
- an agent's session: everything about conversations; changing the tenant's configuration (views with
  ``admin_writes``) and anything on views with ``admin_only`` (API keys, webhooks) needs the admin role.
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from helpdesk.api.auth import api_actor


class TenantAccess(BasePermission):
    message = "You may not do this."

    def has_permission(self, request, view) -> bool:
        actor = api_actor(request)
        if actor is None:
            # DRF turns this into 401 when no authenticator succeeded.
            return False
        safe = request.method in SAFE_METHODS
        if not safe and not actor.can_write:
            self.message = "This API key is read-only."
            return False
        admin_needed = getattr(view, "admin_only", False) or (
            not safe and getattr(view, "admin_writes", False)
        )
        if admin_needed and not actor.is_admin:
            self.message = "Only the company's admins may do this."
            return False
        return True
