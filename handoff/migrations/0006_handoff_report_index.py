# The handoff report of a date range reads one index (PostgreSQL: index-only, it carries the columns).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("handoff", "0005_handoffrule_pattern_validator"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="handoff",
            index=models.Index(
                fields=["tenant", "created_at"],
                include=("reason", "outcome", "offered_at", "accepted_at"),
                name="handoff_tenant_created",
            ),
        ),
    ]
