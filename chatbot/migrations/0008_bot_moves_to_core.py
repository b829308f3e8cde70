"""The bot and the operator queue move to the core app (helpdesk), which conversations, handoff and tickets
read. Their tables keep their names (chatbot_bot, inbox_queue, inbox_queue_members), so only Django's
model state moves: nothing in the database changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('chatbot', '0007_bot_remove_sentiment_threshold'),
        ('handoff', '0009_bot_and_queue_move_to_core'),
        ('helpdesk', '0009_bot_and_queue_move_to_core'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='knowledgearticle',
                    name='bot',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='articles', to='helpdesk.bot'),
                ),
                migrations.AlterField(
                    model_name='modelusage',
                    name='bot',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='helpdesk.bot'),
                ),
                migrations.DeleteModel(
                    name='Bot',
                ),
            ],
        ),
    ]
