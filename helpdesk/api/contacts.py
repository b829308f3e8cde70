"""Contacts: the customers, found by email (then external id) when an integrator creates one."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers

from helpdesk.access import access_row
from helpdesk.api.base import TenantAPIView
from helpdesk.api.serializers import ContactOut
from helpdesk.contacts import contact_find_or_create, contact_update
from helpdesk.models import Contact


class ContactFilter(serializers.Serializer):
    email = serializers.CharField(required=False, max_length=254)
    external_id = serializers.CharField(required=False, max_length=200)
    q = serializers.CharField(required=False, max_length=200, help_text="Part of the name or email.")


class ContactIn(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def validate(self, attrs: dict) -> dict:
        if not self.partial and not (attrs.get("email") or attrs.get("external_id") or attrs.get("name")):
            raise serializers.ValidationError("Give at least a name, an email or an external id.")
        return attrs


class ContactListView(TenantAPIView):
    @extend_schema(parameters=[ContactFilter], responses=ContactOut(many=True))
    def get(self, request):
        filters = self.query(ContactFilter)
        qs = Contact.objects.for_tenant(self.tenant)
        if "email" in filters:
            qs = qs.filter(email=filters["email"].strip().lower())
        if "external_id" in filters:
            qs = qs.filter(external_id=filters["external_id"])
        if "q" in filters:
            qs = qs.filter(Q(name__icontains=filters["q"]) | Q(email__icontains=filters["q"]))
        return self.page(qs, ContactOut)

    @extend_schema(
        request=ContactIn,
        responses={
            201: ContactOut,
            200: OpenApiResponse(ContactOut, description="A contact with this email (or id) existed."),
        },
    )
    def post(self, request):
        contact, created = contact_find_or_create(tenant=self.tenant, **self.body(ContactIn))
        return self.output(ContactOut, contact, status=201 if created else 200)


class ContactDetailView(TenantAPIView):
    def contact(self, contact_id: int) -> Contact:
        return access_row(Contact, tenant=self.tenant, pk=contact_id, what="contact")

    @extend_schema(responses=ContactOut)
    def get(self, request, contact_id: int):
        return self.output(ContactOut, self.contact(contact_id))

    @extend_schema(request=ContactIn, responses=ContactOut)
    def patch(self, request, contact_id: int):
        contact = self.contact(contact_id)
        return self.output(ContactOut, contact_update(contact=contact, **self.body(ContactIn, partial=True)))
