from django.contrib import admin

from helpdesk.admin_scoping import TenantScopedAdmin
from helpdesk.models import Queue
from inbox.models import AgentPresence, CannedReply


@admin.register(Queue)
class QueueAdmin(TenantScopedAdmin):
    list_display = ["name", "tenant", "assignment", "require_agent_online", "pickup_deadline_seconds"]
    list_filter = ["tenant", "assignment"]
    filter_horizontal = ["members"]


@admin.register(CannedReply)
class CannedReplyAdmin(TenantScopedAdmin):
    list_display = ["title", "shortcut", "tenant", "updated_at"]
    list_filter = ["tenant"]
    search_fields = ["title", "shortcut", "body"]


@admin.register(AgentPresence)
class AgentPresenceAdmin(TenantScopedAdmin):
    list_display = ["user", "tenant", "status", "capacity", "last_seen_at"]
    list_filter = ["tenant", "status"]
    readonly_fields = ["status", "last_seen_at", "last_assigned_at"]
