"""Admin for business hours, tickets and mail settings, usable by tenant admins.

Scoping is the shared one (:mod:`helpdesk.admin_scoping`): a tenant's admin sees and picks only their
tenant's rows and queues; inline rows take their parent's tenant. Business hours take the queue's tenant,
so a superuser cannot file one tenant's hours under another.

Closures are shown and read as wall-clock time in the schedule's own zone, whatever zone the server or
the browser is in: a holiday typed as "2025-12-25 00:00" for a New York queue means midnight in New York,
and it reads "2025-12-25 00:00" again on the next visit, so saving the page twice never moves it. A
zone changed on the same page applies to the closures typed with it.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, tzinfo

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db import models
from django.utils import timezone

from helpdesk.admin_scoping import TenantScopedAdmin, TenantScopedInline
from tickets.hours import InvalidSchedule, zone_get
from tickets.models import BusinessHours, Closure, MailSettings, OpeningWindow, Ticket, TicketReply

ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class OpeningWindowInline(TenantScopedInline):
    model = OpeningWindow
    fields = ["weekday", "start", "end"]
    extra = 1


class ZonedSplitDateTimeField(forms.SplitDateTimeField):
    """A date and a time shown and read as wall-clock time in ``zone``, not in the active zone."""

    zone: tzinfo = UTC

    def prepare_value(self, value):
        if isinstance(value, datetime) and timezone.is_aware(value):
            return timezone.make_naive(value, self.zone)
        return value

    def compress(self, data_list):
        # The parent combines date and time in the active zone, refusing a time the zone skips or repeats.
        with timezone.override(self.zone):
            return super().compress(data_list)

    def has_changed(self, initial, data) -> bool:
        return super().has_changed(self.prepare_value(initial), data)


class ClosureForm(forms.ModelForm):
    """A closure whose start and end are typed in the schedule's zone (``zone_name``, from the admin)."""

    class Meta:
        model = Closure
        fields = ["label", "starts_at", "ends_at"]

    def __init__(self, *args, zone_name: str = "UTC", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, label in (("starts_at", "Starts"), ("ends_at", "Ends")):
            field = self.fields[name]
            field.zone = zone_get(zone_name)
            field.label = f"{label} ({zone_name})"
            field.help_text = f"Date and time in {zone_name}, the time zone of these business hours."


class ClosureInline(TenantScopedInline):
    model = Closure
    form = ClosureForm
    fields = ["label", "starts_at", "ends_at"]
    extra = 1
    formfield_overrides = {
        models.DateTimeField: {"form_class": ZonedSplitDateTimeField, "widget": AdminSplitDateTime}
    }


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

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, ClosureInline):
            kwargs["form_kwargs"] = {"zone_name": self.closures_zone_name(request, obj)}
        return kwargs

    @staticmethod
    def closures_zone_name(request, obj: BusinessHours | None) -> str:
        """The zone closures are typed in: the one posted with them if it is a zone, else the stored one."""
        for name in (request.POST.get("timezone", ""), getattr(obj, "timezone", ""), "UTC"):
            try:
                zone_get(name)
            except InvalidSchedule:
                continue
            return name
        return "UTC"


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
