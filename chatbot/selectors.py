"""Reads of the chatbot app."""

from __future__ import annotations

from helpdesk.models import Conversation

# What a customer is told of a conversation's status: nothing internal (no assignee, no reason).
CUSTOMER_STATUS = {
    Conversation.Status.BOT: "bot",
    Conversation.Status.WAITING: "waiting",
    Conversation.Status.ASSIGNED: "agent",
    Conversation.Status.RESOLVED: "resolved",
    Conversation.Status.OFFLINE: "offline",
}


def customer_status(status: str) -> str:
    return CUSTOMER_STATUS.get(status, status)
