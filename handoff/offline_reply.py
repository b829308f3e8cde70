"""An agent's reply to a conversation on the offline path goes out on its ticket.

The inbox cannot name the tickets app (imports point ``helpdesk`` <- ``inbox``, ``tickets`` <- ``handoff``);
this app sees both, so it registers :func:`ticket_reply_from_chat` as the inbox's offline relay when Django
starts (``handoff.apps``). See :mod:`inbox.relays`.
"""

from __future__ import annotations

from helpdesk.models import Conversation, Membership
from inbox.relays import RelayedReply
from tickets.models import EmailStatus
from tickets.services import ticket_reply_add


def ticket_reply_from_chat(
    *, membership: Membership, conversation: Conversation, body: str
) -> RelayedReply | None:
    """Add the agent's reply to the conversation's ticket, which emails it to the customer after commit,
    threaded on the ticket's emails, when the ticket's contact has an address. ``None`` without a ticket."""
    ticket = conversation.tickets.select_related("contact").first()
    if ticket is None:
        return None
    reply = ticket_reply_add(ticket=ticket, membership_or_none=membership, body=body)
    return RelayedReply(reference=ticket.reference, emailed=reply.email_status == EmailStatus.PENDING)
