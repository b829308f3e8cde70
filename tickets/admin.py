"""Admin for business hours, tickets and mail settings, usable by tenant admins.

Scoping is the shared one (:mod:`helpdesk.admin_scoping`): a tenant's admin sees and picks only their
tenant's rows and queues; inline rows take their parent's tenant. Business hours take the queue's tenant,
so a superuser cannot file one tenant's hours under another.

Hours are edited in the schedule's own time zone: the change page activates it, so a holiday typed as
"2025-12-25 00:00" means midnight in New York for a New York queue, not in the server's zone.
"""

from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib import admin
from django.utils import timezone

from helpdesk.admin_scoping import TenantScopedAdmin, TenantScopedInline
from tickets.hours import InvalidSchedule, zone_get
from tickets.models import BusinessHours, Closure, MailSettings, OpeningWindow, Ticket, TicketReply

ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class OpeningWindowInline(TenantScopedInline):
    model = OpeningWindow
    fields = ["weekday", "start", "end"]
    extra = 1


class ClosureInline(TenantScopedInline):
    model = Closure
    fields = ["label", "starts_at", "ends_at"]
    extra = 1


class BusinessHoursForm(forms.ModelForm):
    timezone = forms.ChoiceField(choices=ZONE_CHOICES, initial="UTC")

    class Meta:
        model = BusinessHours
        fields = ["queue", "timezone"]


@admin.register(BusinessHours)
class BusinessHoursAdmin(TenantScopedAdmin):
    form = BusinessHoursForm
    list_display = ["queue", "timezone", "updated_at"]
    inlines = [OpeningWindowInline, ClosureInline]

    def save_model(self, request, obj, form, change):
        obj.tenant_id = obj.queue.tenant_id  # for a tenant admin the same: their queues are the only choice
        super().save_model(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Show and read the closures' datetimes in the schedule's zone (the posted one, else the stored)."""
        name = request.POST.get("timezone") or ""
        if not name and object_id:
            row = self.get_queryset(request).filter(pk=object_id).values_list("timezone", flat=True).first()
            name = row or ""
        try:
            zone = zone_get(name) if name else None
        except InvalidSchedule:
            zone = None
        if zone is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with timezone.override(zone):
            return super().changeform_view(request, object_id, form_url, extra_context)


class TicketReplyInline(TenantScopedInline):
    model = TicketReply
    fields = ["created_at", "author_kind", "author", "private", "body", "email_status"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(TenantScopedAdmin):
    """Read-mostly: agents work tickets in the ticket pages, where every change goes through a service."""

    list_display = ["reference", "subject", "contact", "status", "priority", "assignee", "updated_at"]
    list_filter = ["status", "priority"]
    search_fields = ["subject", "contact__email", "contact__name"]
    fields = [
        "number", "subject", "status", "priority", "contact", "conversation", "handoff_reason",
        "collected", "description", "transcript", "customer_email_status", "created_at", "updated_at",
    ]  # fmt: skip
    readonly_fields = fields
    inlines = [TicketReplyInline]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MailSettings)
class MailSettingsAdmin(TenantScopedAdmin):
    """The inbound token is shown for pasting into the mail provider's webhook URL, never typed."""

    list_display = ["tenant", "from_email", "reply_to", "updated_at"]
    readonly_fields = ["inbound_token"]
