"""The bot and the operator queue move to the core app (helpdesk), which conversations, handoff and tickets
read. Their tables keep their names (chatbot_bot, inbox_queue, inbox_queue_members), so only Django's
model state moves: nothing in the database changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('handoff', '0008_handoff_report_index_portable'),
        ('helpdesk', '0009_bot_and_queue_move_to_core'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='handoff',
                    name='queue',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='helpdesk.queue'),
                ),
                migrations.AlterField(
                    model_name='handoffrule',
                    name='bot',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='handoff_rules', to='helpdesk.bot'),
                ),
            ],
        ),
    ]
