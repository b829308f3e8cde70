"""API keys and webhooks: the integrator's own setup, for read-write keys and admin agents only.

A key and a webhook secret are shown once, in the answer that creates them (and a rotation's).
"""

from __future__ import annotations

from django.core.validators import URLValidator
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from helpdesk.access import access_row
from helpdesk.api.base import TenantAPIView
from helpdesk.api_keys import api_key_create, api_key_revoke
from helpdesk.models import ApiKey, Webhook, WebhookDelivery, WebhookEvent
from helpdesk.webhooks import webhook_create, webhook_delete, webhook_secret_rotate, webhook_update


class ApiKeyOut(serializers.ModelSerializer):
    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "prefix",
            "scope",
            "created_by_id",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = fields


class ApiKeyCreatedOut(ApiKeyOut):
    key = serializers.SerializerMethodField(help_text="The key itself. It is shown this once only.")

    class Meta(ApiKeyOut.Meta):
        fields = [*ApiKeyOut.Meta.fields, "key"]
        read_only_fields = fields

    def get_key(self, obj) -> str:
        return self.context["raw_key"]


class ApiKeyIn(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    scope = serializers.ChoiceField(choices=ApiKey.Scope.choices, default=ApiKey.Scope.READ)


class ApiKeyListView(TenantAPIView):
    admin_only = True

    @extend_schema(responses=ApiKeyOut(many=True))
    def get(self, request):
        return self.page(ApiKey.objects.for_tenant(self.tenant), ApiKeyOut)

    @extend_schema(request=ApiKeyIn, responses={201: ApiKeyCreatedOut})
    def post(self, request):
        key, raw = api_key_create(tenant=self.tenant, created_by=self.actor.user, **self.body(ApiKeyIn))
        context = {**self.serializer_context(), "raw_key": raw}
        return Response(ApiKeyCreatedOut(key, context=context).data, status=201)


class ApiKeyDetailView(TenantAPIView):
    admin_only = True

    @extend_schema(responses=ApiKeyOut)
    def get(self, request, key_id: int):
        return self.output(ApiKeyOut, access_row(ApiKey, tenant=self.tenant, pk=key_id, what="API key"))


class ApiKeyRevokeView(TenantAPIView):
    admin_only = True

    @extend_schema(request=None, responses=ApiKeyOut)
    def post(self, request, key_id: int):
        key = access_row(ApiKey, tenant=self.tenant, pk=key_id, what="API key")
        return self.output(ApiKeyOut, api_key_revoke(api_key=key))


class WebhookOut(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices))

    class Meta:
        model = Webhook
        fields = [
            "id",
            "url",
            "events",
            "description",
            "active",
            "consecutive_failures",
            "disabled_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WebhookSecretOut(WebhookOut):
    class Meta(WebhookOut.Meta):
        fields = [*WebhookOut.Meta.fields, "secret"]
        read_only_fields = fields
        extra_kwargs = {"secret": {"help_text": "Signs every delivery. Shown here only."}}


class WebhookIn(serializers.Serializer):
    url = serializers.CharField(max_length=500, validators=[URLValidator(schemes=["http", "https"])])
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices),
        min_length=1,
        max_length=len(WebhookEvent),
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class WebhookUpdateIn(WebhookIn):
    active = serializers.BooleanField(required=False, help_text="true switches a disabled webhook on again.")


class DeliveryOut(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "delivery_id",
            "event",
            "attempt",
            "status_code",
            "response_excerpt",
            "error",
            "duration_ms",
            "succeeded",
            "final",
            "request_body",
            "created_at",
        ]
        read_only_fields = fields


class WebhookListView(TenantAPIView):
    admin_only = True

    @extend_schema(responses=WebhookOut(many=True))
    def get(self, request):
        return self.page(Webhook.objects.for_tenant(self.tenant), WebhookOut)

    @extend_schema(request=WebhookIn, responses={201: WebhookSecretOut})
    def post(self, request):
        return self.output(WebhookSecretOut, webhook_create(tenant=self.tenant, **self.body(WebhookIn)), 201)


class WebhookDetailView(TenantAPIView):
    admin_only = True

    def webhook(self, webhook_id: int) -> Webhook:
        return access_row(Webhook, tenant=self.tenant, pk=webhook_id, what="webhook")

    @extend_schema(responses=WebhookOut)
    def get(self, request, webhook_id: int):
        return self.output(WebhookOut, self.webhook(webhook_id))

    @extend_schema(request=WebhookUpdateIn, responses=WebhookOut)
    def patch(self, request, webhook_id: int):
        webhook = self.webhook(webhook_id)
        return self.output(
            WebhookOut, webhook_update(webhook=webhook, **self.body(WebhookUpdateIn, partial=True))
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, webhook_id: int):
        webhook_delete(webhook=self.webhook(webhook_id))
        return Response(status=204)


class WebhookRotateSecretView(TenantAPIView):
    admin_only = True

    @extend_schema(request=None, responses=WebhookSecretOut)
    def post(self, request, webhook_id: int):
        webhook = access_row(Webhook, tenant=self.tenant, pk=webhook_id, what="webhook")
        return self.output(WebhookSecretOut, webhook_secret_rotate(webhook=webhook))


class WebhookDeliveryListView(TenantAPIView):
    admin_only = True

    @extend_schema(responses=DeliveryOut(many=True))
    def get(self, request, webhook_id: int):
        webhook = access_row(Webhook, tenant=self.tenant, pk=webhook_id, what="webhook")
        return self.page(WebhookDelivery.objects.for_tenant(self.tenant).filter(webhook=webhook), DeliveryOut)
