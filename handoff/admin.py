from django.contrib import admin

from handoff.models import Handoff, HandoffRule
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
