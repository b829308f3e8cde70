# The ticket list reads its page in its order from an index (every ticket, or only the unsolved ones).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["tenant", "-updated_at", "-id"], name="ticket_tenant_updated"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status__in", ["open", "pending"])),
                fields=["tenant", "-updated_at", "-id"],
                name="ticket_unsolved_updated",
            ),
        ),
    ]
