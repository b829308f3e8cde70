"""The bot and the operator queue move to the core app (helpdesk), which conversations, handoff and tickets
read. Their tables keep their names (chatbot_bot, inbox_queue, inbox_queue_members), so only Django's
model state moves: nothing in the database changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('helpdesk', '0009_bot_and_queue_move_to_core'),
        ('tickets', '0003_ticket_api_list_index'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='businesshours',
                    name='queue',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='business_hours', to='helpdesk.queue'),
                ),
            ],
        ),
    ]
