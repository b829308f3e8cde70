from django.contrib import admin

from handoff.models import Handoff, HandoffReview, HandoffRule, ReviewSettings
from helpdesk.admin_scoping import TenantScopedAdmin


@admin.register(Handoff)
class HandoffAdmin(TenantScopedAdmin):
    list_display = ["__str__", "conversation", "reason", "outcome", "created_at", "accepted_at"]
    list_filter = ["tenant", "reason", "outcome"]
    readonly_fields = ["evidence", "context"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(HandoffRule)
class HandoffRuleAdmin(TenantScopedAdmin):
    list_display = ["label", "name", "bot", "builtin", "enabled"]
    readonly_fields = ["builtin"]
    list_filter = ["tenant", "bot", "enabled"]


@admin.register(ReviewSettings)
class ReviewSettingsAdmin(TenantScopedAdmin):
    """Whether the company's confirmed reviews may teach the handoff detector (off unless switched on)."""

    list_display = ["tenant", "train_detector", "updated_at"]

    def has_add_permission(self, request) -> bool:
        """One row per company: a tenant admin adds theirs once, then changes it."""
        if not super().has_add_permission(request):
            return False
        return request.user.is_superuser or not self.get_queryset(request).exists()


@admin.register(HandoffReview)
class HandoffReviewAdmin(TenantScopedAdmin):
    """Read-only: reviews are marked in the inbox and confirmed in the review queue (/reports/review/)."""

    list_display = ["__str__", "verdict", "at_seq", "signal", "marked_at", "confirmed_at"]
    list_filter = ["tenant", "verdict", "handed_off"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
