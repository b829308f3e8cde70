"""GIN indexes for the inbox's full-text search (inbox.search), on PostgreSQL only.

Each index is built on the very expression the search filters by (``inbox.search.CONTACT_VECTOR`` and
``MESSAGE_VECTOR``, as Django writes them), or PostgreSQL would not use it. Built ``CONCURRENTLY`` so a
large messages table keeps taking writes meanwhile (hence a non-atomic migration). SQLite searches with
``icontains`` and gets nothing here.
"""

from django.db import migrations

INDEXES = {
    "inbox_contact_search": (
        "helpdesk_contact",
        "to_tsvector('simple'::regconfig, COALESCE(name, '') || ' ' || COALESCE(email, ''))",
    ),
    "inbox_message_search": ("helpdesk_message", "to_tsvector('simple'::regconfig, COALESCE(body, ''))"),
}


def indexes_create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, expression) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} USING gin (({expression}))"
        )


def indexes_drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("inbox", "0007_cannedreply_verbose_name_plural"),
        ("helpdesk", "0015_membership_lead_role"),
    ]

    operations = [migrations.RunPython(indexes_create, indexes_drop, elidable=False)]
