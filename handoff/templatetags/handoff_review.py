"""``{% review_panel conversation membership as panel %}``: what the marking form on the inbox's
conversation page needs, read here so the inbox's own code knows nothing of reviews."""

from __future__ import annotations

from django import template

from handoff.review.selectors import ReviewPanel
from handoff.review.selectors import review_panel as panel_read
from helpdesk.models import Conversation, Membership

register = template.Library()


@register.simple_tag
def review_panel(conversation: Conversation, membership: Membership | None) -> ReviewPanel | None:
    if membership is None or membership.tenant_id != conversation.tenant_id:
        return None
    return panel_read(conversation=conversation, role=membership.role)
