"""Database helpers for tests."""

from __future__ import annotations


def every_tenant(model):
    """Every tenant's rows of a tenant-owned model: a test may look at the whole database, which
    production code may not (see ``helpdesk.tenant_scope``)."""
    return model.objects.unscoped("a test looks at the whole database")
