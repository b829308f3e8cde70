"""The wire shape of a ticket: the REST API and the ``ticket.created`` / ``ticket.updated`` webhooks.

Services build webhook payloads from it and the API serializes with it, so both always agree.
"""

from __future__ import annotations

from rest_framework import serializers

from helpdesk.api.serializers import ContactBriefOut
from tickets.models import Ticket


class TicketOut(serializers.ModelSerializer):
    reference = serializers.CharField(help_text='What people say and write, e.g. "T-1042".')
    contact = ContactBriefOut()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "reference",
            "subject",
            "description",
            "status",
            "priority",
            "handoff_reason",
            "collected",
            "contact",
            "conversation_id",
            "assignee_id",
            "follows_up_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def ticket_payload(ticket: Ticket) -> dict:
    """A ticket as the API and the ``ticket.created`` / ``ticket.updated`` webhooks show it."""
    return dict(TicketOut(ticket).data)
