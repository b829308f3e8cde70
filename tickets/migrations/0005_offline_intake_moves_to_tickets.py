"""The offline path's intake moves to the tickets app, with the offline path itself. The table keeps its
name (handoff_offlineintake), so only Django's model state moves; outbox rows that name the ticket task by
its old module path are pointed at the new one."""

import django.db.models.deletion
from django.db import migrations, models


OLD_TASK = "handoff.tasks.offline_ticket_open"
NEW_TASK = "tickets.tasks.offline_ticket_open"


def _outbox_task_renamed(apps, schema_editor):
    apps.get_model("helpdesk", "OutboxTask").objects.filter(task=OLD_TASK).update(task=NEW_TASK)


def _outbox_task_renamed_back(apps, schema_editor):
    apps.get_model("helpdesk", "OutboxTask").objects.filter(task=NEW_TASK).update(task=OLD_TASK)


class Migration(migrations.Migration):

    dependencies = [
        ('handoff', '0009_bot_and_queue_move_to_core'),
        ('helpdesk', '0009_bot_and_queue_move_to_core'),
        ('tickets', '0004_queue_moves_to_core'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='OfflineIntake',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('policy', models.CharField(choices=[('collect_contact', 'Collect name and email, then open a ticket'), ('email', 'Continue by email (ticket + transcript by email)'), ('bot_disclaimer', 'Bot answers with a disclaimer and offers a ticket')], max_length=16)),
                        ('step', models.CharField(choices=[('ask_email', 'Asking for the email'), ('ask_name', 'Asking for the name'), ('offer', 'Answering, ticket offered'), ('done', 'Ticket opened')], max_length=10)),
                        ('why', models.CharField(help_text='closed (no one available) or pickup_missed', max_length=16)),
                        ('reason', models.CharField(choices=[('explicit_request', 'Asked for a person'), ('sensitive_topic', 'Sensitive topic'), ('negative_sentiment', 'Negative sentiment'), ('repeated_failure', 'Repeated failure'), ('low_confidence', 'Low confidence'), ('bot_error', 'Bot error'), ('agent_takeover', 'Agent took over'), ('api', 'Requested through the API')], max_length=24)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('conversation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='offline_intake', to='helpdesk.conversation')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='helpdesk.tenant')),
                        ('ticket', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tickets.ticket')),
                    ],
                    options={
                        'db_table': 'handoff_offlineintake',
                    },
                ),
            ],
        ),
        migrations.RunPython(_outbox_task_renamed, _outbox_task_renamed_back),
    ]
