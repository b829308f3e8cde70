"""Django admin that a tenant's admin can use: one base class scopes every tenant-owned model.

- Superusers see every tenant's rows, with a tenant filter and the tenant field.
- A staff member whose membership has the admin role sees and changes only their tenant's rows: the
  tenant field is hidden and set on save, foreign-key and many-to-many choices list only the tenant's
  rows (and its members), and a row of another tenant is "not found".
- Anybody else (agents, staff without an admin membership) sees nothing of these models.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.forms import BaseInlineFormSet, ModelChoiceField

from helpdesk.models import Membership, TenantOwned


def admin_membership(request) -> Membership | None:
    """The membership through which a non-superuser administers a tenant, if any."""
    membership = getattr(request, "membership", None)
    if membership and request.user.is_staff and membership.role == Membership.Role.ADMIN:
        return membership
    return None


class TenantRelatedListFilter(admin.RelatedFieldListFilter):
    """A foreign-key filter whose choices are the tenant admin's own rows, never another tenant's."""

    def field_choices(self, field, request, model_admin):
        membership = admin_membership(request)
        if membership is None:
            return []
        rows = field.related_model.objects.for_tenant(membership.tenant_id)
        ordering = self.field_admin_ordering(field, request, model_admin)
        return [(row.pk, str(row)) for row in (rows.order_by(*ordering) if ordering else rows)]


def _scoped_filter(model, list_filter):
    """A tenant admin's list filter: a foreign key to tenant-owned rows lists only the tenant's rows."""
    name = list_filter[0] if isinstance(list_filter, tuple) else list_filter
    if not isinstance(name, str):
        return list_filter
    field = next((f for f in model._meta.get_fields() if f.name == name), None)
    if field is not None and field.many_to_one and issubclass(field.related_model, TenantOwned):
        return (name, TenantRelatedListFilter)
    return list_filter


class TenantScopedAdmin(admin.ModelAdmin):
    """Base of every admin for a tenant-owned model (see the module docstring)."""

    def _allowed(self, request) -> bool:
        return request.user.is_active and (request.user.is_superuser or admin_membership(request) is not None)

    def has_module_permission(self, request) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        membership = admin_membership(request)
        return qs.for_tenant(membership.tenant_id) if membership else qs.none()

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if request.user.is_superuser:
            return ["tenant", *[f for f in filters if f != "tenant"]]
        return [_scoped_filter(self.model, f) for f in filters if f != "tenant"]

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        return columns if request.user.is_superuser else [c for c in columns if c != "tenant"]

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        return exclude if request.user.is_superuser else [*exclude, "tenant"]

    def tenant_assign(self, request, obj) -> None:
        """A tenant admin's rows belong to their tenant, whatever the form said."""
        if not request.user.is_superuser:
            obj.tenant_id = admin_membership(request).tenant_id

    def save_model(self, request, obj, form, change) -> None:
        self.tenant_assign(request, obj)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change) -> None:
        for instance in formset.save(commit=False):
            if isinstance(instance, TenantOwned):
                instance.tenant_id = form.instance.tenant_id
            instance.save()
        for instance in formset.deleted_objects:
            instance.delete()
        formset.save_m2m()

    def _tenant_id(self, request) -> int | None:
        membership = None if request.user.is_superuser else admin_membership(request)
        return membership.tenant_id if membership else None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        tenant_id = self._tenant_id(request)
        if tenant_id is not None and issubclass(db_field.related_model, TenantOwned):
            kwargs["queryset"] = db_field.related_model.objects.for_tenant(tenant_id)
        elif tenant_id is not None and db_field.related_model is get_user_model():
            kwargs["queryset"] = get_user_model().objects.filter(memberships__tenant_id=tenant_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        tenant_id = self._tenant_id(request)
        if tenant_id is not None and issubclass(db_field.related_model, TenantOwned):
            kwargs["queryset"] = db_field.related_model.objects.for_tenant(tenant_id)
        elif tenant_id is not None and db_field.related_model is get_user_model():
            kwargs["queryset"] = get_user_model().objects.filter(memberships__tenant_id=tenant_id)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class TenantScopedInlineFormSet(BaseInlineFormSet):
    """An inline formset whose posted row ids are looked up among the parent's own rows (Django looks
    them up in the whole table, which a tenant-owned model refuses, and which would name other rows)."""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        field = form.fields.get(self._pk_field.name)
        if isinstance(field, ModelChoiceField):
            parent = self.instance
            rows = field.queryset
            field.queryset = rows.none() if parent.pk is None else rows.filter(**{self.fk.name: parent})


class TenantScopedInline(admin.TabularInline):
    """Inlines of tenant-owned rows: the tenant comes from the parent, never from the form."""

    exclude = ["tenant"]
    formset = TenantScopedInlineFormSet

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser or admin_membership(request) is not None

    has_change_permission = has_add_permission = has_delete_permission = has_view_permission
