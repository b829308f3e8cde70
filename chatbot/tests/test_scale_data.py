"""The scale loader (``manage.py scale_data``): consistent data at a small scale, and clear refusals."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Max, Min

from handoff.models import Handoff
from helpdesk.bulk import tenant_owned_models
from helpdesk.models import Contact, Conversation, Membership, Message, Queue, Tenant, TenantOwned
from helpdesk.tests.api_support import tenant_fingerprint
from inbox.models import ReadMarker
from tests.support.db import every_tenant
from tickets.models import Ticket, TicketCounter

pytestmark = pytest.mark.django_db

SMALL = {"conversations": 50, "messages": 400, "agents": 3, "verbosity": 0}


def load(**options) -> Tenant:
    call_command("scale_data", **{**SMALL, **options})
    return Tenant.objects.get(slug=options.get("tenant", "scale"))


def assert_consistent(tenant: Tenant, *, conversations: int, messages: int) -> None:
    convs = Conversation.objects.for_tenant(tenant)
    assert convs.count() == conversations
    assert Message.objects.for_tenant(tenant).count() == messages
    # seq runs 1..n in every conversation, and last_seq is n.
    per_conversation = (
        Message.objects.for_tenant(tenant)
        .values("conversation_id")
        .annotate(n=Count("id"), low=Min("seq"), high=Max("seq"))
    )
    last_seq = dict(convs.values_list("pk", "last_seq"))
    assert len(per_conversation) == conversations
    for row in per_conversation:
        assert (row["low"], row["high"]) == (1, row["n"])
        assert last_seq[row["conversation_id"]] == row["n"]
    # Every row points only at rows of its own tenant.
    assert not Message.objects.for_tenant(tenant).exclude(conversation__tenant=tenant).exists()
    assert not convs.exclude(contact__tenant=tenant).exists()
    assert not convs.exclude(bot__tenant=tenant).exists()
    assert not Handoff.objects.for_tenant(tenant).exclude(conversation__tenant=tenant).exists()
    assert not Ticket.objects.for_tenant(tenant).exclude(contact__tenant=tenant).exists()
    assert not ReadMarker.objects.for_tenant(tenant).exclude(conversation__tenant=tenant).exists()
    members = set(Membership.objects.for_tenant(tenant).values_list("user_id", flat=True))
    assert set(convs.exclude(assignee=None).values_list("assignee_id", flat=True)) <= members


def test_a_small_load_is_consistent():
    tenant = load()

    assert_consistent(tenant, conversations=50, messages=400)
    convs = Conversation.objects.for_tenant(tenant)
    assert {"resolved", "bot"} <= set(convs.values_list("status", flat=True))
    # A few long conversations (a twentieth of the messages each by default), the rest spread unevenly.
    assert convs.filter(last_seq=20).count() >= 5
    # Whoever has a conversation is one of the tenant's agents; handed-off ones have a handoff and a reason.
    assert not convs.filter(status="assigned", assignee=None).exists()
    handed_off = convs.exclude(handoff_reason="")
    assert Handoff.objects.for_tenant(tenant).count() == handed_off.count()
    assert not convs.filter(status__in=["waiting", "assigned", "offline"], handoff_reason="").exists()
    assert not convs.filter(status="waiting", waiting_since=None).exists()
    # Tickets are numbered from 1001 and the counter continues after the last one.
    numbers = sorted(Ticket.objects.for_tenant(tenant).values_list("number", flat=True))
    assert numbers == list(range(1001, 1001 + len(numbers)))
    assert every_tenant(TicketCounter).get(tenant=tenant).last_number == 1000 + len(numbers)
    # Times are spread and ordered: a conversation ends with its last message.
    assert not convs.exclude(last_message_at=F("updated_at")).exists()
    assert convs.aggregate(spread=Max("created_at") - Min("created_at"))["spread"].days >= 1
    # People: an admin and the agents, all working the bot's queue; contacts have names and emails.
    assert Membership.objects.for_tenant(tenant).filter(role="admin").count() == 1
    queue = Queue.objects.for_tenant(tenant).get()
    assert queue.members.count() == 3
    assert Contact.objects.for_tenant(tenant).exclude(email="").exists()


def test_the_same_seed_makes_the_same_data():
    first = load(tenant="one", seed=7)
    second = load(tenant="two", seed=7)

    def shape(tenant):
        rows = Conversation.objects.for_tenant(tenant).order_by("pk")
        return list(rows.values_list("status", "last_seq", "handoff_reason", "channel"))

    assert shape(first) == shape(second)


def test_an_existing_tenant_is_refused_and_left_as_it_was():
    tenant = load()
    before = tenant_fingerprint(tenant.pk)

    with pytest.raises(CommandError, match="already exists. Pass --replace"):
        load()

    assert tenant_fingerprint(tenant.pk) == before


def test_replace_loads_the_tenant_again_and_leaves_others_alone(make_tenant, make_bot, make_agent):
    from chatbot.services import widget_conversation_start

    acme = make_tenant("acme")
    make_agent(acme, "alice")
    widget_conversation_start(public_key=make_bot(acme).public_key)
    other = load(tenant="other")
    acme_before, other_before = tenant_fingerprint(acme.pk), tenant_fingerprint(other.pk)
    old = load()

    new = load(replace=True, conversations=60, messages=500)

    assert new.pk != old.pk
    assert not Tenant.objects.filter(pk=old.pk).exists()
    for model in tenant_owned_models():
        assert not model.objects.filter(tenant_id=old.pk).exists(), model
    assert_consistent(new, conversations=60, messages=500)
    assert tenant_fingerprint(acme.pk) == acme_before
    assert tenant_fingerprint(other.pk) == other_before
    # The old tenant's users went with it and were made again; the other tenants' users stayed.
    users = get_user_model().objects
    assert users.filter(username__startswith="scale-").count() == 4
    assert users.filter(username__startswith="other-").count() == 4
    assert users.filter(username="alice").exists()


def test_deletion_covers_every_tenant_owned_model_referrers_first():
    ordered = tenant_owned_models()
    owned = {m for m in apps.get_models() if issubclass(m, TenantOwned)}

    assert set(ordered) == owned
    position = {model: index for index, model in enumerate(ordered)}
    for model in ordered:
        for field in model._meta.concrete_fields:
            target = field.related_model
            if field.is_relation and target in owned and target is not model:
                assert position[model] < position[target], (model, target)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"conversations": -5}, r"--conversations must be at least 1 \(got -5\)"),
        ({"messages": 0}, r"--messages must be at least 1 \(got 0\)"),
        (
            {"conversations": 500, "messages": 400},
            r"--messages \(400\) must be at least --conversations \(500\)",
        ),
        ({"agents": 0}, r"--agents must be at least 1"),
        ({"batch_size": 0}, r"--batch-size must be at least 1"),
        ({"long": -1}, r"--long cannot be negative"),
        ({"long_messages": -3}, r"--long-messages cannot be negative"),
        ({"long": 60}, r"--long \(60\) cannot exceed --conversations \(50\)"),
        ({"long": 5, "long_messages": 100}, r"it takes at least 545\. Lower --long"),
        ({"tenant": "no spaces"}, r"--tenant 'no spaces': use letters, digits"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(options, message):
    with pytest.raises(CommandError, match=message):
        load(**options)

    assert not Tenant.objects.exists()
    assert not every_tenant(Conversation).exists()


def test_a_user_name_already_taken_is_refused(django_user_model):
    django_user_model.objects.create_user(username="scale-agent-02")

    with pytest.raises(CommandError, match=r"already exist \(scale-agent-02\): pick another --tenant"):
        load()

    assert not Tenant.objects.exists()


def test_negative_numbers_from_the_command_line_are_refused():
    with pytest.raises(CommandError, match="--conversations must be at least 1"):
        call_command("scale_data", "--conversations", "-1", verbosity=0)


@pytest.mark.postgres
def test_a_load_on_postgresql_is_consistent():
    tenant = load(conversations=80, messages=900)

    assert_consistent(tenant, conversations=80, messages=900)
