"""The offline path's intake moves to the tickets app, with the offline path itself. The table keeps its
name (handoff_offlineintake), so only Django's model state moves; outbox rows that name the ticket task by
its old module path are pointed at the new one."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0005_offline_intake_moves_to_tickets'),
        ('handoff', '0009_bot_and_queue_move_to_core'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='OfflineIntake',
                ),
            ],
        ),
    ]
