# The API's lists of conversations and contacts, newest first, read from a (tenant, id) index: a backward
# scan of the primary key would step over every newer row of other tenants.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("helpdesk", "0006_inbox_list_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(fields=["tenant", "id"], name="conv_tenant_id"),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["tenant", "id"], name="contact_tenant_id"),
        ),
    ]
