"""Resolving who an agent works for. Called only by the request middleware, the Channels middleware and
API-key authentication; everything after them receives the tenant explicitly."""

from __future__ import annotations

from helpdesk.models import Membership

SESSION_TENANT_KEY = "helpdesk_tenant_id"


def membership_for_user(user, preferred_tenant_id: int | None = None) -> Membership | None:
    """The membership an authenticated user acts through: the one chosen in the session, else the first."""
    if user is None or not user.is_authenticated:
        return None
    memberships = (
        Membership.objects.unscoped("a signed-in user's memberships decide the tenant")
        .filter(user=user)
        .select_related("tenant", "user")
        .order_by("pk")
    )
    if preferred_tenant_id is not None:
        chosen = next((m for m in memberships if m.tenant_id == preferred_tenant_id), None)
        if chosen is not None:
            return chosen
    return memberships.first()
