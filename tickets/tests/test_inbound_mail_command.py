"""``manage.py inbound_mail``: an mbox of replies, imported like the endpoint, with a report."""

import mailbox
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from helpdesk.services import contact_create
from tests.support.db import every_tenant
from tickets.models import TicketReply

pytestmark = pytest.mark.django_db


def message(raw: str) -> mailbox.mboxMessage:
    return mailbox.mboxMessage(raw.encode())


@pytest.fixture
def mbox_file(tmp_path):
    path = tmp_path / "replies.mbox"
    box = mailbox.mbox(path)
    good = "From: ann@example.com\nSubject: Re: [T-1001] Wheel\nMessage-ID: <m1@x>\n\nThanks!\n"
    box.add(message(good))
    box.add(message(good))  # the same message again
    box.add(message("From: ann@example.com\nSubject: Re: [T-4040] Wheel\nMessage-ID: <m2@x>\n\nHello?\n"))
    box.add(message("Subject: no sender\n\nWho am I?\n"))
    box.flush()
    box.close()
    return path


def test_an_mbox_is_imported_with_a_report(acme, make_ticket, mbox_file):
    ticket = make_ticket(contact_create(tenant=acme, email="ann@example.com"))
    out, err = StringIO(), StringIO()

    call_command("inbound_mail", "acme", str(mbox_file), "--no-progress", stdout=out, stderr=err)

    assert out.getvalue().strip() == "acme: 1 imported, 1 already there, 2 rejected"
    assert err.getvalue().splitlines() == [
        "rejected message 3: unknown_ticket: There is no ticket T-4040 here.",
        "rejected message 4: malformed: The message has no headers or no From header.",
    ]
    assert list(every_tenant(TicketReply).values_list("ticket_id", "body")) == [(ticket.pk, "Thanks!")]


def test_an_unknown_tenant_stops_the_command(mbox_file, db):
    with pytest.raises(CommandError, match="No tenant with the slug or id 'nobody'"):
        call_command("inbound_mail", "nobody", str(mbox_file), "--no-progress")
    assert every_tenant(TicketReply).count() == 0


def test_a_missing_file_stops_the_command(acme, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("inbound_mail", "acme", str(tmp_path / "none.mbox"))
