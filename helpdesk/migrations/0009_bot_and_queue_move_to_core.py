"""The bot and the operator queue move to the core app (helpdesk), which conversations, handoff and tickets
read. Their tables keep their names (chatbot_bot, inbox_queue, inbox_queue_members), so only Django's
model state moves: nothing in the database changes."""

import django.db.models.deletion
import helpdesk.models
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('helpdesk', '0008_message_conversation_index_dropped'),
        ('chatbot', '0007_bot_remove_sentiment_threshold'),
        ('inbox', '0005_agentconnection_replaces_counter'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Bot',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120)),
                        ('greeting', models.TextField(default="Hi! I'm the virtual assistant. Ask me anything, or ask for a person at any time.")),
                        ('instructions', models.TextField(blank=True, help_text='Persona and house rules added to the system prompt of the Claude responder.')),
                        ('public_key', models.CharField(default=helpdesk.models.new_public_key, editable=False, max_length=40, unique=True)),
                        ('model_name', models.CharField(blank=True, help_text='Claude model; blank uses the default.', max_length=80)),
                        ('anthropic_api_key', models.CharField(blank=True, help_text="The tenant's own Anthropic key; blank uses the deployment's.", max_length=200)),
                        ('confidence_threshold', models.FloatField(default=0.35)),
                        ('order_number_pattern', models.CharField(blank=True, help_text="A regular expression for this shop's order numbers, e.g. LL-\\d{6}.", max_length=200, validators=[helpdesk.models.validate_order_number_pattern])),
                        ('currency', models.CharField(default='USD', max_length=3)),
                        ('refund_handoff_amount', models.DecimalField(decimal_places=2, default=Decimal('100'), max_digits=12)),
                        ('max_unresolved_turns', models.PositiveSmallIntegerField(default=3)),
                        ('handoff_message', models.TextField(default="I'm connecting you with a support agent who can help with this. They'll have our full conversation, so you won't need to repeat anything. You're number {position} in the queue, and the wait should be {wait}.", help_text='Sent when the conversation goes to an agent. Placeholders: {position} in the queue, {wait} the estimated wait.')),
                        ('trigger_explicit_request', models.BooleanField(default=True, verbose_name='explicit request')),
                        ('trigger_sensitive_topic', models.BooleanField(default=True, verbose_name='sensitive topics')),
                        ('trigger_negative_sentiment', models.BooleanField(default=True, verbose_name='negative sentiment')),
                        ('trigger_repeated_failure', models.BooleanField(default=True, verbose_name='repeated failure')),
                        ('trigger_low_confidence', models.BooleanField(default=True, verbose_name='low confidence')),
                        ('offline_policy', models.CharField(choices=[('collect_contact', 'Collect name and email, then open a ticket'), ('email', 'Continue by email (ticket + transcript by email)'), ('bot_disclaimer', 'Bot answers with a disclaimer and offers a ticket')], default='collect_contact', help_text='When nobody can take a handoff: outside business hours, nobody online, or not picked up in time.', max_length=16)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='helpdesk.tenant')),
                    ],
                    options={
                        'db_table': 'chatbot_bot',
                    },
                ),
                migrations.AlterField(
                    model_name='conversation',
                    name='bot',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='conversations', to='helpdesk.bot'),
                ),
                migrations.CreateModel(
                    name='Queue',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120)),
                        ('require_agent_online', models.BooleanField(default=True, help_text='Open only while at least one member is online; otherwise handoffs take the offline path.')),
                        ('assignment', models.CharField(choices=[('manual', 'Agents claim conversations'), ('round_robin', 'Round robin'), ('least_busy', 'Least busy')], default='manual', help_text='Auto-assignment gives waiting conversations, oldest first, to online agents with room.', max_length=12)),
                        ('pickup_deadline_seconds', models.PositiveIntegerField(default=120, help_text='A waiting conversation not picked up by then is offered again; after twice as long it takes the offline path, so nobody waits in silence.')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('members', models.ManyToManyField(blank=True, related_name='queues', to=settings.AUTH_USER_MODEL)),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='helpdesk.tenant')),
                    ],
                    options={
                        'db_table': 'inbox_queue',
                    },
                ),
                migrations.AddField(
                    model_name='bot',
                    name='queue',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='bots', to='helpdesk.queue'),
                ),
                migrations.AlterField(
                    model_name='conversation',
                    name='queue',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='helpdesk.queue'),
                ),
                migrations.AddConstraint(
                    model_name='queue',
                    constraint=models.UniqueConstraint(fields=('tenant', 'name'), name='queue_unique_name'),
                ),
            ],
        ),
    ]
