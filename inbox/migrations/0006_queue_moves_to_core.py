"""The bot and the operator queue move to the core app (helpdesk), which conversations, handoff and tickets
read. Their tables keep their names (chatbot_bot, inbox_queue, inbox_queue_members), so only Django's
model state moves: nothing in the database changes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('chatbot', '0008_bot_moves_to_core'),
        ('handoff', '0009_bot_and_queue_move_to_core'),
        ('helpdesk', '0009_bot_and_queue_move_to_core'),
        ('inbox', '0005_agentconnection_replaces_counter'),
        ('tickets', '0004_queue_moves_to_core'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='Queue',
                ),
            ],
        ),
    ]
