"""Contacts written through the API: found by email (then external id) before a new one is made.

A contact's email and external id are unique within the tenant (database constraints), so widget, email
and API conversations of one customer meet on one contact. Emails are stored lower-case.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from helpdesk.errors import InvalidInput
from helpdesk.models import Contact, Tenant


def _match(tenant: Tenant | int, email: str, external_id: str) -> Contact | None:
    contacts = Contact.objects.for_tenant(tenant)
    if email:
        found = contacts.filter(email=email).first()
        if found is not None:
            return found
    if external_id:
        return contacts.filter(external_id=external_id).first()
    return None


def contact_find_or_create(
    *, tenant: Tenant | int, name: str = "", email: str = "", external_id: str = ""
) -> tuple[Contact, bool]:
    """The tenant's contact with this email (else external id), or a new one. A found contact with no name
    gets the one given; nothing else of it changes. Returns the contact and whether it was made."""
    email, external_id, name = email.strip().lower(), external_id.strip(), name.strip()
    found = _match(tenant, email, external_id)
    if found is None:
        try:
            with transaction.atomic():
                return (
                    Contact.objects.create(
                        tenant_id=tenant if isinstance(tenant, int) else tenant.pk,
                        name=name,
                        email=email,
                        external_id=external_id,
                    ),
                    True,
                )
        except IntegrityError:
            # A concurrent call made the same contact first (or email and external id name two people).
            found = _match(tenant, email, external_id)
            if found is None:
                raise InvalidInput(
                    "Another contact has this external id.", fields={"external_id": ["Already in use."]}
                ) from None
    if name and not found.name:
        found.name = name
        found.save(update_fields=["name"])
    return found, False


@transaction.atomic
def contact_update(*, contact: Contact, **changes: str) -> Contact:
    """Change a contact's name, email or external id; an email or id another contact has is refused."""
    if "email" in changes:
        changes["email"] = changes["email"].strip().lower()
    for field in ("email", "external_id"):
        value = changes.get(field)
        if (
            value
            and Contact.objects.for_tenant(contact.tenant_id)
            .filter(**{field: value})
            .exclude(pk=contact.pk)
            .exists()
        ):
            raise InvalidInput(f"Another contact has this {field}.", fields={field: ["Already in use."]})
    for field, value in changes.items():
        setattr(contact, field, value.strip() if field != "email" else value)
    try:
        with transaction.atomic():
            contact.save(update_fields=list(changes))
    except IntegrityError as exc:
        raise InvalidInput("Another contact has this email or external id.") from exc
    return contact
