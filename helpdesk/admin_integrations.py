"""Django admin for API keys and webhooks (registered from ``helpdesk.admin``).

A key is made by the same service as through the API, and shown once, in the message after saving; the
admin never shows it again (only its prefix). Revoking is an action, so the row stays for the audit trail.
A webhook's signing secret is shown the same way: once in the message after adding the webhook, and once
after the "rotate" action replaces it; its pages only say that it is set.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from helpdesk.admin_scoping import TenantScopedAdmin, admin_membership
from helpdesk.api_keys import api_key_create, api_key_revoke
from helpdesk.models import ApiKey, Tenant, Webhook, WebhookDelivery, WebhookEvent
from helpdesk.webhooks import webhook_secret_new, webhook_secret_rotate

SECRET_SHOWN_ONCE = "Copy it now into the receiving system: it will not be shown again."


@admin.register(ApiKey)
class ApiKeyAdmin(TenantScopedAdmin):
    list_display = ["name", "prefix", "scope", "tenant", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["tenant", "scope"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj: ApiKey, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        membership = None if request.user.is_superuser else admin_membership(request)
        tenant = Tenant.objects.get(pk=membership.tenant_id if membership else obj.tenant_id)
        key, raw = api_key_create(tenant=tenant, name=obj.name, scope=obj.scope, created_by=request.user)
        for field in ("pk", "tenant_id", "prefix", "secret_hash", "created_by_id", "created_at"):
            setattr(obj, field, getattr(key, field))
        self.message_user(
            request,
            f"The new API key is {raw} . Copy it now: it is stored hashed and will not be shown again.",
            messages.WARNING,
        )

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset) -> None:
        for key in queryset:
            api_key_revoke(api_key=key)
        self.message_user(request, f"Revoked {len(queryset)} key(s).", messages.SUCCESS)


class WebhookForm(forms.ModelForm):
    events = forms.MultipleChoiceField(choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Webhook
        fields = ["tenant", "url", "events", "description", "active"]


@admin.register(Webhook)
class WebhookAdmin(TenantScopedAdmin):
    form = WebhookForm
    list_display = ["url", "tenant", "active", "consecutive_failures", "disabled_at", "created_at"]
    list_filter = ["tenant", "active"]
    search_fields = ["url", "description"]
    readonly_fields = ["signing_secret", "consecutive_failures", "disabled_at"]
    actions = ["rotate_secret"]

    @admin.display(description="Signing secret")
    def signing_secret(self, obj: Webhook) -> str:
        if not obj.pk:
            return "Made when you save, and shown once."
        return "Set. It is shown only when made or rotated: rotate it from the list if it is lost."

    def save_model(self, request, obj: Webhook, form, change: bool) -> None:
        made = not obj.secret
        if made:
            obj.secret = webhook_secret_new()
        if change and "active" in form.changed_data and obj.active:
            obj.consecutive_failures, obj.disabled_at = 0, None
        super().save_model(request, obj, form, change)
        if made:
            self.message_user(
                request,
                f"The webhook's signing secret is {obj.secret} . {SECRET_SHOWN_ONCE}",
                messages.WARNING,
            )

    @admin.action(description="Rotate the signing secret of the selected webhooks")
    def rotate_secret(self, request, queryset) -> None:
        for webhook in queryset:
            webhook_secret_rotate(webhook=webhook)
            self.message_user(
                request,
                f"The new signing secret of {webhook.url} is {webhook.secret} . It signs every delivery from "
                f"now on. {SECRET_SHOWN_ONCE}",
                messages.WARNING,
            )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(TenantScopedAdmin):
    list_display = ["event", "webhook", "attempt", "status_code", "succeeded", "duration_ms", "created_at"]
    list_filter = ["tenant", "succeeded", "event"]
    search_fields = ["delivery_id", "webhook__url"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
