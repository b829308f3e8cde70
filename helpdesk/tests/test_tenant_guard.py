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
