from django.contrib import admin

from handoff.models import Handoff, HandoffRule


@admin.register(Handoff)
class HandoffAdmin(admin.ModelAdmin):
    list_display = ["__str__", "conversation", "reason", "outcome", "created_at", "accepted_at"]
    list_filter = ["tenant", "reason", "outcome"]
    readonly_fields = ["evidence", "context"]


@admin.register(HandoffRule)
class HandoffRuleAdmin(admin.ModelAdmin):
    list_display = ["label", "name", "bot", "enabled"]
    list_filter = ["tenant", "bot", "enabled"]
