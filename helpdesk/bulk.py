"""Bulk work on a whole tenant's rows, for the commands that build and drop large test histories
(``scale_data``, ``reports_bench``): how often each handoff reason comes up, how customers rate a
resolved conversation, timestamps set by hand in ``bulk_create``, and a tenant deleted with one
statement per table."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction

from helpdesk.attachments import storage_tree_delete
from helpdesk.models import Membership, Tenant, TenantOwned
from helpdesk.reasons import HandoffReason

# How often each reason hands a conversation to a person in a made-up history, relative: mostly customers
# asking for one, then sensitive topics and the bot being unsure, rarely errors, takeovers or the API.
REASON_WEIGHTS: dict[str, int] = {
    HandoffReason.EXPLICIT_REQUEST: 40,
    HandoffReason.SENSITIVE_TOPIC: 15,
    HandoffReason.LOW_CONFIDENCE: 15,
    HandoffReason.NEGATIVE_SENTIMENT: 12,
    HandoffReason.REPEATED_FAILURE: 10,
    HandoffReason.BOT_ERROR: 3,
    HandoffReason.AGENT_TAKEOVER: 3,
    HandoffReason.API: 2,
}


# How a made-up history's customers rate a resolved conversation: about two in five answer "How did we
# do?"; scores lean to 4 and 5, a little less for the bot than for a person; a quarter leave a comment.
RATING_SHARE = 0.4
SCORE_WEIGHTS: dict[bool, tuple[int, ...]] = {False: (9, 6, 11, 29, 45), True: (6, 4, 9, 30, 51)}
COMMENT_SHARE = 0.25
SAMPLE_COMMENTS: dict[int, tuple[str, ...]] = {
    1: ("Nobody answered my question.", "Still waiting for my refund.", "Useless, I gave up."),
    2: ("Took far too long.", "I had to explain everything twice."),
    3: ("Fine in the end, but slow.", "Got there eventually."),
    4: ("Quick and clear.", "Sorted, thanks."),
    5: ("Brilliant, thank you!", "Fixed in minutes, great service.", "So helpful, thanks a lot."),
}


def made_up_rating(rng: random.Random, *, by_agent: bool) -> tuple[int, str] | None:
    """A customer's score and comment for a conversation the bot or an agent resolved, or None when
    they did not rate it."""
    if rng.random() >= RATING_SHARE:
        return None
    score = rng.choices(range(1, 6), weights=SCORE_WEIGHTS[by_agent])[0]
    comment = rng.choice(SAMPLE_COMMENTS[score]) if rng.random() < COMMENT_SHARE else ""
    return score, comment


@contextlib.contextmanager
def timestamps_as_given(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let ``bulk_create`` store the times we set: ``auto_now``/``auto_now_add`` fields would otherwise all
    say "now", and a history of 90 days would look like one second. Restored on the way out."""
    saved = []
    for model in model_classes:
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
                saved.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def tenant_owned_models() -> list[type[models.Model]]:
    """Every concrete tenant-owned model, rows that point at another before the rows they point at."""
    owned = [m for m in apps.get_models() if issubclass(m, TenantOwned) and m._meta.managed]
    refs = {
        m: {
            f.related_model
            for f in m._meta.concrete_fields
            if f.is_relation and f.related_model in owned and f.related_model is not m
        }
        for m in owned
    }
    ordered: list[type[models.Model]] = []
    while refs:
        # A model nobody left in ``refs`` points at can go now.
        free = [m for m in refs if not any(m in targets for other, targets in refs.items() if other is not m)]
        if not free:
            raise RuntimeError(
                "Cannot order the tenant's tables for deletion: their references form a cycle."
            )
        for m in free:
            ordered.append(m)
            del refs[m]
    return ordered


def tenant_bulk_delete(tenant: Tenant, user_prefix: str) -> int:
    """Delete the tenant with one statement per table (the ORM would load a million messages to cascade
    them), then the users this command made for it. Every row that points at a tenant's row belongs to the
    same tenant, so deleting table by table leaves no dangling reference. The statements send no
    ``post_delete``, so the tenant's stored files (everything under ``t/<tenant>/``) are deleted after the
    commit instead. Returns the rows deleted."""
    ours = set(
        Membership.objects.for_tenant(tenant)
        .filter(user__username__startswith=user_prefix)
        .values_list("user_id", flat=True)
    )
    elsewhere = set(
        Membership.objects.unscoped("users of another tenant are kept")
        .filter(user_id__in=ours)
        .exclude(tenant=tenant)
        .values_list("user_id", flat=True)
    )
    deleted = 0
    prefix = f"t/{tenant.pk}"
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in tenant_owned_models():
            table = quote(model._meta.db_table)
            for m2m in model._meta.local_many_to_many:
                through = m2m.remote_field.through._meta
                column = quote(m2m.m2m_column_name())
                cursor.execute(
                    f"DELETE FROM {quote(through.db_table)} WHERE {column} IN "
                    f"(SELECT id FROM {table} WHERE tenant_id = %s)",
                    [tenant.pk],
                )
            cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [tenant.pk])
            deleted += max(cursor.rowcount, 0)
    tenant.delete()
    transaction.on_commit(lambda: storage_tree_delete(prefix), robust=True)
    get_user_model().objects.filter(pk__in=ours - elsewhere).delete()
    return deleted + 1
