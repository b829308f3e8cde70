"""The tenant choke point for queries: a queryset of tenant-owned rows refuses to run without a scope.

A query on a tenant-owned model runs only when one of these holds:

- it went through ``for_tenant(tenant)``, or its WHERE clause pins the model's own ``tenant`` column
  (``filter(tenant=...)``, ``filter(tenant_id=...)``, ``filter(tenant_id__in=...)``) at its top level;
- it filters a foreign key by a loaded tenant-owned row (``filter(conversation=conversation)``), or it is
  a related manager of a loaded row (``conversation.messages.all()``): that row was itself read in scope;
- it says why it may cross tenants with ``unscoped("reason")``, or runs inside
  ``unscoped_queries("reason")`` (Django's own uniqueness checks, a superuser in the admin).

Anything else raises :class:`UnscopedQueryError` before a query is sent, so a forgotten scope fails in
the first test that runs it instead of leaking another company's rows. Django's base manager (saves,
``refresh_from_db``, forward foreign keys, cascading deletes) is plain and unchecked: it only ever
follows a row already in hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, In
from django.db.models.sql.where import AND

_WAIVER: ContextVar[str | None] = ContextVar("tenant_scope_waiver", default=None)


class UnscopedQueryError(RuntimeError):
    """A query on tenant-owned rows with no tenant scope and no stated reason."""


def _require_reason(reason: str) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("An unscoped query needs a reason: say why it may read every tenant's rows.")
    return reason


@contextmanager
def unscoped_queries(reason: str) -> Iterator[None]:
    """Every tenant-owned query inside the block may cross tenants, for the stated reason."""
    token = _WAIVER.set(_require_reason(reason))
    try:
        yield
    finally:
        _WAIVER.reset(token)


def _is_loaded_tenant_row(value) -> bool:
    return isinstance(value, models.Model) and value.pk is not None and hasattr(value, "tenant_id")


def where_pins_tenant(query) -> bool:
    """Whether the query's top-level AND holds ``tenant = x`` or ``tenant IN (...)`` on its own table."""
    where = query.where
    if where.negated or (where.connector != AND and len(where.children) > 1):
        return False
    field = query.model._meta.get_field("tenant")
    base = query.base_table
    for child in where.children:
        lhs = getattr(child, "lhs", None)
        if (
            isinstance(child, (Exact, In))
            and isinstance(lhs, Col)
            and lhs.target is field
            and (base is None or lhs.alias == base)
        ):
            return True
    return False


class TenantQuerySet(models.QuerySet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._tenant_scope: str | None = None

    def _clone(self):
        clone = super()._clone()
        clone._tenant_scope = self._tenant_scope
        return clone

    # Scoping.

    def for_tenant(self, tenant) -> TenantQuerySet:
        """This tenant's rows: the usual way into a tenant-owned model."""
        tenant_id = tenant if isinstance(tenant, int) else tenant.pk
        clone = self.filter(tenant_id=tenant_id)
        clone._tenant_scope = "tenant"
        return clone

    def unscoped(self, reason: str) -> TenantQuerySet:
        """Rows of every tenant, for a stated reason (a sweep, a lookup by a globally unique key)."""
        clone = self._chain()
        clone._tenant_scope = _require_reason(reason)
        return clone

    def filter(self, *args, **kwargs):
        clone = super().filter(*args, **kwargs)
        if clone._tenant_scope is None and any(
            "__" not in name and _is_loaded_tenant_row(value) for name, value in kwargs.items()
        ):
            clone._tenant_scope = "a loaded row"
        return clone

    def is_scoped(self) -> bool:
        return bool(
            self._tenant_scope
            or _WAIVER.get()
            or "instance" in self._hints  # a related manager of a loaded row, or its prefetch
            or self.query.is_empty()
            or where_pins_tenant(self.query)
        )

    def _check_scope(self) -> None:
        if not self.is_scoped():
            name = self.model.__name__
            raise UnscopedQueryError(
                f"A query on {name} has no tenant scope: start from {name}.objects.for_tenant(tenant), "
                f"a loaded row's related manager, or {name}.objects.unscoped('why every tenant')."
            )

    # Every way a queryset reaches the database.

    def _fetch_all(self):
        if self._result_cache is None:
            self._check_scope()
        super()._fetch_all()

    def iterator(self, chunk_size=None):
        self._check_scope()
        return super().iterator(chunk_size=chunk_size)

    async def aiterator(self, chunk_size=2000):
        self._check_scope()
        async for row in super().aiterator(chunk_size=chunk_size):
            yield row

    def count(self):
        if self._result_cache is None:
            self._check_scope()
        return super().count()

    def exists(self):
        if self._result_cache is None:
            self._check_scope()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._check_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs):
        self._check_scope()
        return super().update(**kwargs)

    update.alters_data = True
    update.queryset_only = False

    def _update(self, values):
        self._check_scope()
        return super()._update(values)

    _update.alters_data = True
    _update.queryset_only = False

    def delete(self):
        self._check_scope()
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True

    def explain(self, *, format=None, **options):
        self._check_scope()
        return super().explain(format=format, **options)
