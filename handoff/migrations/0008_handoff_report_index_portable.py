# The report's index carries its columns as key columns, which SQLite supports too (it has no INCLUDE).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("handoff", "0007_handoff_api_list_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="handoff", name="handoff_tenant_created"),
        migrations.AddIndex(
            model_name="handoff",
            index=models.Index(
                fields=["tenant", "created_at", "reason", "outcome", "offered_at", "accepted_at"],
                name="handoff_report_range",
            ),
        ),
    ]
