# The inbox's lists and their unread counts read only the rows they show (partial indexes).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("helpdesk", "0005_outbox_and_reply_to"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(
                condition=models.Q(("status__in", ["resolved", "offline"]), _negated=True),
                fields=["tenant", "-updated_at", "id"],
                name="conv_open_updated",
            ),
        ),
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(
                condition=models.Q(("status", "waiting")),
                fields=["tenant", "waiting_since", "id"],
                name="conv_waiting_since",
            ),
        ),
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(
                condition=models.Q(("status", "assigned")),
                fields=["tenant", "assignee", "-updated_at", "id"],
                name="conv_assigned_updated",
            ),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=models.Q(("author_kind", "customer")),
                fields=["conversation", "seq"],
                name="message_customer_seq",
            ),
        ),
    ]
