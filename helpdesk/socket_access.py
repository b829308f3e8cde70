"""Ending an agent's access ends their open inbox sockets.

Explicit service calls where the product itself changes access (a membership changed or deleted, from
the admin): :func:`membership_access_changed`. Signal receivers only for events Django raises itself,
which the product has no code path of its own to call from: ``user_logged_out`` (Django's logout view
and admin), and saving or deleting a user (the stock user admin, ``createsuperuser``, shell scripts): a
user set inactive or deleted must not keep a socket open because the change came through Django's code.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from helpdesk.events import CLOSE_ACCESS_CHANGED, CLOSE_LOGGED_OUT, agent_sockets_close
from helpdesk.models import Membership


def membership_access_changed(*, membership: Membership, reason: str = "") -> None:
    """The membership was changed or is being deleted: the agent's sockets in that tenant close (4403);
    the page reconnects and acts through what the membership is now, if anything."""
    agent_sockets_close(
        user_id=membership.user_id,
        tenant_id=membership.tenant_id,
        code=CLOSE_ACCESS_CHANGED,
        reason=reason or "Your access to this inbox changed.",
    )


@receiver(user_logged_out, dispatch_uid="helpdesk.sockets_close_on_logout")
def _sockets_close_on_logout(sender, request, user, **kwargs) -> None:
    if user is not None and user.pk:
        agent_sockets_close(user_id=user.pk, code=CLOSE_LOGGED_OUT, reason="You logged out.")


@receiver(post_save, sender=get_user_model(), dispatch_uid="helpdesk.sockets_close_on_deactivate")
def _sockets_close_on_deactivate(sender, instance, created, **kwargs) -> None:
    if not created and not instance.is_active:
        agent_sockets_close(
            user_id=instance.pk, code=CLOSE_ACCESS_CHANGED, reason="Your account was deactivated."
        )


@receiver(post_delete, sender=get_user_model(), dispatch_uid="helpdesk.sockets_close_on_user_delete")
def _sockets_close_on_user_delete(sender, instance, **kwargs) -> None:
    agent_sockets_close(user_id=instance.pk, code=CLOSE_ACCESS_CHANGED, reason="Your account was deleted.")
