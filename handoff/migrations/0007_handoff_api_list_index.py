# The API's handoff list, newest first, read from a (tenant, id) index whatever other tenants hold.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("handoff", "0006_handoff_report_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="handoff",
            index=models.Index(fields=["tenant", "id"], name="handoff_tenant_id"),
        ),
    ]
