"""Every concrete model of our apps that holds tenant data carries the tenant FK."""

from django.apps import apps

from helpdesk.models import Tenant, TenantOwned

OUR_APPS = {"helpdesk", "chatbot", "handoff", "inbox", "tickets"}
# Models that are not tenant data: the tenant itself.
NOT_TENANT_DATA = {Tenant}


def test_every_model_of_our_apps_has_the_tenant_foreign_key():
    missing = []
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS or model in NOT_TENANT_DATA:
            continue
        field = next((f for f in model._meta.get_fields() if f.name == "tenant"), None)
        if field is None or not field.many_to_one or field.related_model is not Tenant:
            missing.append(model.__name__)
        elif not issubclass(model, TenantOwned):
            missing.append(f"{model.__name__} (not a TenantOwned)")
    assert missing == []


def test_the_guard_sees_the_models_it_guards():
    labels = {m._meta.label for m in apps.get_models() if m._meta.app_label in OUR_APPS}
    assert {"helpdesk.Conversation", "helpdesk.Message", "helpdesk.Contact", "helpdesk.Bot"} <= labels


# The scoped manager: every tenant-owned model refuses a query with no tenant scope.

import pytest  # noqa: E402
from django.db.models import Count, Q  # noqa: E402

from helpdesk.models import Contact, Conversation  # noqa: E402
from helpdesk.tenant_scope import UnscopedQueryError, unscoped_queries  # noqa: E402

TENANT_OWNED = sorted(
    (m for m in apps.get_models() if m._meta.app_label in OUR_APPS and issubclass(m, TenantOwned)),
    key=lambda m: m._meta.label,
)

UNSCOPED_WAYS = {
    "list": lambda qs: list(qs),
    "first": lambda qs: qs.first(),
    "get": lambda qs: qs.get(pk=1),
    "count": lambda qs: qs.count(),
    "exists": lambda qs: qs.exists(),
    "values_list": lambda qs: list(qs.values_list("pk", flat=True)),
    "aggregate": lambda qs: qs.aggregate(n=Count("pk")),
    "iterator": lambda qs: list(qs.iterator()),
    "update": lambda qs: qs.update(tenant_id=1),
    "delete": lambda qs: qs.delete(),
    "in_bulk": lambda qs: qs.in_bulk([1]),
    "by_another_column": lambda qs: list(qs.filter(pk__in=[1, 2])),
    "tenant_only_inside_an_or": lambda qs: list(qs.filter(Q(tenant_id=1) | Q(pk=1))),
    "tenant_excluded": lambda qs: list(qs.exclude(tenant_id=1)),
}


@pytest.mark.django_db
@pytest.mark.parametrize("way", sorted(UNSCOPED_WAYS))
@pytest.mark.parametrize("model", TENANT_OWNED, ids=lambda m: m._meta.label)
def test_every_tenant_owned_model_refuses_an_unscoped_query(model, way):
    with pytest.raises(UnscopedQueryError, match=model.__name__):
        UNSCOPED_WAYS[way](model.objects.all())


@pytest.mark.django_db
@pytest.mark.parametrize("model", TENANT_OWNED, ids=lambda m: m._meta.label)
def test_every_tenant_owned_model_runs_a_scoped_query(model, make_tenant):
    tenant = make_tenant()
    assert list(model.objects.for_tenant(tenant)) == []
    assert model.objects.for_tenant(tenant.pk).count() == 0
    assert list(model.objects.filter(tenant=tenant).values_list("pk", flat=True)) == []
    assert not model.objects.filter(tenant_id__in=[tenant.pk]).exists()
    assert model.objects.unscoped("a test that reads every tenant").count() == 0
    assert model.objects.none().count() == 0
    with unscoped_queries("a test that reads every tenant"):
        assert list(model.objects.all()) == []


def test_the_walk_covers_the_core_models():
    assert {Conversation, Contact} <= set(TENANT_OWNED)
    assert len(TENANT_OWNED) >= 25


@pytest.mark.django_db
def test_a_scoped_query_returns_only_its_tenants_rows(make_tenant):
    acme, globex = make_tenant("acme"), make_tenant("globex")
    mine = Contact.objects.create(tenant=acme, name="Ada")
    Contact.objects.create(tenant=globex, name="Grace")
    assert list(Contact.objects.for_tenant(acme)) == [mine]
    assert list(Contact.objects.for_tenant(acme).filter(name="Grace")) == []
    assert Contact.objects.unscoped("a test that reads every tenant").count() == 2


@pytest.mark.django_db
def test_an_unscoped_query_must_say_why(make_tenant):
    for reason in ("", "   ", None):
        with pytest.raises(ValueError, match="reason"):
            Contact.objects.unscoped(reason)
        with pytest.raises(ValueError, match="reason"), unscoped_queries(reason):
            pass


@pytest.mark.django_db
def test_a_loaded_row_scopes_its_related_rows_and_its_filters(make_tenant, make_bot):
    from helpdesk.services import contact_create, conversation_start

    acme, globex = make_tenant("acme"), make_tenant("globex")
    bot, other_bot = make_bot(acme), make_bot(globex)
    conversation = conversation_start(tenant=acme, bot_id=bot.pk, contact=contact_create(tenant=acme))
    conversation_start(tenant=globex, bot_id=other_bot.pk, contact=contact_create(tenant=globex))
    assert list(conversation.messages.all()) == list(conversation.messages.order_by("seq"))
    assert Conversation.objects.filter(bot=bot).count() == 1
    assert list(bot.conversations.all()) == [conversation]
    # An id is not a loaded row: whoever sent it may belong to another tenant.
    with pytest.raises(UnscopedQueryError):
        Conversation.objects.filter(bot_id=bot.pk).count()
    with pytest.raises(UnscopedQueryError):
        Conversation.objects.filter(bot__in=[bot]).count()


@pytest.mark.django_db
def test_a_row_in_hand_saves_refreshes_validates_and_deletes(make_tenant):
    acme = make_tenant("acme")
    contact = Contact.objects.create(tenant=acme, name="Ada")
    contact.name = "Ada L."
    contact.save()
    contact.refresh_from_db()
    contact.full_clean()
    assert contact.name == "Ada L."
    contact.delete()
    acme.delete()  # cascades through the base manager
    assert Contact.objects.unscoped("a test that reads every tenant").count() == 0
