import pytest
from django.core.management import call_command

from chatbot.models import KnowledgeArticle
from helpdesk.models import Bot, Membership, Tenant
from tests.support.db import every_tenant
from tickets.models import OpeningWindow

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_and_again_without_duplicates(capsys):
    call_command("demo_setup")
    call_command("demo_setup")
    out = capsys.readouterr().out
    assert "Customer demo page : http://127.0.0.1:8000/chat/demo/pk_demo_northwind/" in out
    assert (Tenant.objects.count(), every_tenant(Bot).count(), every_tenant(Membership).count()) == (1, 1, 3)
    assert every_tenant(KnowledgeArticle).count() == 8
    assert every_tenant(OpeningWindow).count() == 6
