from django.contrib import admin

from helpdesk.admin_scoping import TenantScopedAdmin, TenantScopedInline
from helpdesk.models import Contact, Conversation, Membership, Message, Tenant
from helpdesk.socket_access import membership_access_changed


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    list_display = ["user", "tenant", "role", "display_name"]
    list_filter = ["tenant", "role"]
    search_fields = ["user__username", "display_name"]

    # A changed or deleted membership closes the agent's open inbox sockets in that tenant.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            membership_access_changed(membership=obj)

    def delete_model(self, request, obj):
        membership_access_changed(membership=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            membership_access_changed(membership=membership)
        super().delete_queryset(request, queryset)


@admin.register(Contact)
class ContactAdmin(TenantScopedAdmin):
    list_display = ["__str__", "email", "tenant", "created_at"]
    list_filter = ["tenant"]
    search_fields = ["name", "email", "external_id"]


class MessageInline(TenantScopedInline):
    model = Message
    fields = ["seq", "author_kind", "body", "private", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Conversation)
class ConversationAdmin(TenantScopedAdmin):
    list_display = [
        "__str__",
        "tenant",
        "bot",
        "contact",
        "status",
        "handoff_reason",
        "assignee",
        "updated_at",
    ]
    list_filter = ["tenant", "status", "handoff_reason", "channel"]
    search_fields = ["contact__name", "contact__email"]
    readonly_fields = ["last_seq", "collected", "created_at", "updated_at", "waiting_since"]
    inlines = [MessageInline]


# API keys and webhooks: their admins live beside the API that shares their services.
from helpdesk import admin_integrations  # noqa: E402, F401
