import pytest
from django.core.management import call_command

from chatbot.models import KnowledgeArticle
from helpdesk.models import Bot, Membership, Tenant
from tickets.models import OpeningWindow

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_and_again_without_duplicates(capsys):
    call_command("demo_setup")
    call_command("demo_setup")
    out = capsys.readouterr().out
    assert "Customer demo page : http://127.0.0.1:8000/chat/demo/pk_demo_northwind/" in out
    assert (Tenant.objects.count(), Bot.objects.count(), Membership.objects.count()) == (1, 1, 3)
    assert KnowledgeArticle.objects.count() == 8
    assert OpeningWindow.objects.count() == 6
