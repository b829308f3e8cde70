# The API's ticket list, newest first, read from a (tenant, id) index whatever other tenants hold.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0002_ticket_list_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["tenant", "id"], name="ticket_tenant_id"),
        ),
    ]
