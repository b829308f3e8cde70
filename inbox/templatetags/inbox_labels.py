"""Words for what the bot collected: the context card says "Order number", not ``order_number``."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# The fields the bot and the offline path collect (chatbot.extraction, chatbot.llm, tickets.offline).
FIELD_LABELS = {
    "order_number": _("Order number"),
    "email": _("Email"),
    "phone": _("Phone"),
    "amount": _("Amount"),
    "account_id": _("Account ID"),
    "issue_summary": _("Issue"),
    "name": _("Name"),
}


@register.filter
def field_label(key: object) -> str:
    """A collected field's name as people read it; an unknown key with its underscores as spaces."""
    name = str(key)
    return str(FIELD_LABELS.get(name) or name.replace("_", " ").strip().capitalize())
