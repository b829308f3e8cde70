"""Where an agent's reply goes when the chat alone does not reach the customer.

A conversation sent to the offline path has a ticket, and its customer has usually left the chat: a reply
typed in the inbox must go out on the ticket (by email when the ticket's contact has an address). The
inbox may not import the tickets app (imports point ``helpdesk`` <- ``inbox``, ``tickets`` <- ``handoff``),
so an app above both registers a relay here when Django starts (``handoff.apps``), and
:func:`inbox.services.agent_reply` asks the relays, in the reply's transaction, to carry it.

A relay is called as ``relay(membership=..., conversation=..., body=...)`` and returns a
:class:`RelayedReply` when it carried the reply, or ``None`` when the conversation is not its business (no
ticket yet). It writes in the caller's transaction, so a reply refused later leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from helpdesk.models import Conversation, Membership


@dataclass(frozen=True)
class RelayedReply:
    """What carried the reply: the reference a person reads ("T-1042") and whether an email goes out."""

    reference: str
    emailed: bool

    def as_data(self) -> dict:
        """Kept on the agent's chat message (``Message.data["relayed"]``): its page says where it went."""
        return {"reference": self.reference, "emailed": self.emailed}


OfflineReplyRelay = Callable[..., RelayedReply | None]
_relays: list[OfflineReplyRelay] = []


def offline_reply_relay_register(relay: OfflineReplyRelay) -> None:
    """Add a relay (once, however often an app's ``ready()`` runs)."""
    if relay not in _relays:
        _relays.append(relay)


def offline_reply_relay(
    *, membership: Membership, conversation: Conversation, body: str
) -> RelayedReply | None:
    """The first relay that carries the reply, or ``None`` when none of them could."""
    for relay in _relays:
        relayed = relay(membership=membership, conversation=conversation, body=body)
        if relayed is not None:
            return relayed
    return None
