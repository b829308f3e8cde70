"""A new company on a fresh installation: its tenant, the first admin, an operator queue and a bot, in one
transaction, so a deployment is usable from one command (``python manage.py createtenant``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction

from chatbot.services import bot_create
from helpdesk.errors import InvalidInput
from helpdesk.models import Bot, Membership, Queue, Tenant


@dataclass(frozen=True)
class Bootstrap:
    tenant: Tenant
    bot: Bot
    queue: Queue
    admin_username: str
    password: str | None  # set when one was generated, to show once; None when given or the user existed
    user_existed: bool


def _check(name: str, slug: str, email: str, password: str | None) -> None:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["The company name is empty."]
    try:
        validate_slug(slug)
    except ValidationError:
        errors["slug"] = ["Use letters, numbers, hyphens or underscores only."]
    try:
        validate_email(email)
    except ValidationError:
        errors["admin_email"] = ["Enter a valid email address."]
    if password is not None:
        try:
            validate_password(password)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise InvalidInput("The new tenant's details are not valid.", fields=errors)


@transaction.atomic
def tenant_bootstrap(
    *, name: str, slug: str, admin_email: str, password: str | None = None, bot_name: str = ""
) -> Bootstrap:
    """Create the tenant, its admin (a staff user who manages the tenant in Django admin and works the
    inbox), a queue the admin belongs to and a bot that hands off to it.

    An existing user with that email becomes the new tenant's admin too (one person may run the support
    of several companies); their password is left as it is. Refused whole when the slug is taken.
    """
    name, slug, admin_email = name.strip(), slug.strip().lower(), admin_email.strip().lower()
    _check(name, slug, admin_email, password)
    if Tenant.objects.filter(slug=slug).exists():
        raise InvalidInput(f"A tenant with the slug {slug!r} exists already.", fields={"slug": ["Taken."]})
    User = get_user_model()
    user = User.objects.filter(email__iexact=admin_email).order_by("pk").first()
    existed = user is not None
    generated = None
    if user is None:
        generated = None if password else secrets.token_urlsafe(12)
        user = User.objects.create_user(
            username=admin_email, email=admin_email, password=password or generated, is_staff=True
        )
    elif not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    tenant = Tenant.objects.create(name=name, slug=slug)
    Membership.objects.create(
        tenant=tenant, user=user, role=Membership.Role.ADMIN, display_name=user.get_short_name() or "Admin"
    )
    queue = Queue.objects.create(tenant=tenant, name="Customer support")
    queue.members.add(user)
    bot = bot_create(tenant=tenant, name=bot_name.strip() or f"{name} assistant", queue=queue)
    return Bootstrap(tenant, bot, queue, user.get_username(), generated, existed)
