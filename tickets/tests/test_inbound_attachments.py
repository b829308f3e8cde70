"""An emailed reply's attachments: images and PDFs that pass the upload checks are kept on the ticket's
reply and shown on the ticket page; the others are listed with their reason in a private note."""

import base64
import json
import os
from email.message import EmailMessage

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from helpdesk.models import Attachment
from helpdesk.tests.attachment_support import PDF_BYTES, png_bytes
from tests.support.db import every_tenant
from tickets.inbound import parse_rfc822
from tickets.models import TicketReply
from tickets.services import inbound_email_receive, ticket_create_for_conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(acme_bot, acme_mail, make_conversation):
    conversation = make_conversation(acme_bot, collected={"email": "ann@example.com", "name": "Ann Lee"})
    ticket, _ = ticket_create_for_conversation(conversation=conversation, reason="api")
    return ticket


def url(token: str) -> str:
    return reverse("tickets:inbound-email", args=[token])


def raw_email(files: list[tuple[str, str, bytes]]) -> bytes:
    message = EmailMessage()
    message["From"] = "Ann Lee <ann@example.com>"
    message["To"] = "support@acme.example"
    message["Subject"] = "Re: [T-1001] Bent wheel"
    message["Message-ID"] = "<a1@mail.example>"
    message.set_content("Here are the photos and the receipt.")
    for name, mime, data in files:
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def test_an_emailed_image_and_pdf_are_kept_on_the_reply_and_the_rest_listed_in_a_note(
    client, ticket, acme_mail, make_agent
):
    raw = raw_email(
        [
            ("wheel.png", "image/png", png_bytes(800, 600)),
            ("receipt.pdf", "application/pdf", PDF_BYTES),
            ("invoice.pdf", "application/pdf", b"MZ\x90\x00 this is a program"),
            ("empty.png", "image/png", b""),
        ]
    )

    response = client.post(url(acme_mail.inbound_token), data=raw, content_type="message/rfc822")

    assert response.status_code == 201
    reply = every_tenant(TicketReply).get(pk=response.json()["reply_id"])
    kept = sorted(reply.attachments.values_list("original_name", "content_type"))
    assert kept == [("receipt.pdf", "application/pdf"), ("wheel.png", "image/png")]
    assert (
        every_tenant(Attachment).filter(uploader_kind="email", conversation=ticket.conversation).count() == 2
    )
    note = every_tenant(TicketReply).get(ticket=ticket, private=True, author_kind="system")
    assert note.body.splitlines() == [
        "Attachments of the customer's email that were not kept:",
        "- invoice.pdf: Only images (PNG, JPEG, GIF, WebP) and PDF files can be attached.",
        "- empty.png: The file is empty.",
    ]

    # The ticket page shows them: a thumbnail for the image, a download for the PDF.
    agent = make_agent(ticket.tenant, "alice")
    client.force_login(agent.user)
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    image = every_tenant(Attachment).get(original_name="wheel.png")
    assert f'src="/api/v1/attachments/{image.pk}/thumbnail/"' in page
    assert 'download="receipt.pdf"' in page
    assert "invoice.pdf: Only images" in page
    assert client.get(f"/api/v1/attachments/{image.pk}/content/").status_code == 200


def test_the_json_shape_carries_base64_attachments_and_bad_base64_is_noted(client, ticket, acme_mail):
    data = {
        "from": "Ann Lee <ann@example.com>",
        "subject": "Re: [T-1001] Bent wheel",
        "text": "Photo attached.",
        "attachments": [
            {
                "filename": "wheel.png",
                "content_type": "image/png",
                "content": base64.b64encode(png_bytes()).decode(),
            },
            {"filename": "broken.png", "content_type": "image/png", "content": "not base64!"},
        ],
    }
    response = client.post(
        url(acme_mail.inbound_token), data=json.dumps(data), content_type="application/json"
    )

    assert response.status_code == 201
    reply = every_tenant(TicketReply).get(pk=response.json()["reply_id"])
    assert list(reply.attachments.values_list("original_name", flat=True)) == ["wheel.png"]
    note = every_tenant(TicketReply).get(private=True, author_kind="system")
    assert "broken.png: its content is not valid base64" in note.body


def test_malformed_attachments_refuse_the_email_and_store_nothing(client, ticket, acme_mail):
    data = {"from": "ann@example.com", "subject": "[T-1001]", "text": "x", "attachments": "wheel.png"}
    response = client.post(
        url(acme_mail.inbound_token), data=json.dumps(data), content_type="application/json"
    )

    assert (response.status_code, response.json()["error"]["code"]) == (400, "malformed")
    assert not every_tenant(TicketReply).exists()
    assert not every_tenant(Attachment).exists()


def test_an_email_over_the_inbound_limit_is_refused_before_it_is_read(client, ticket, acme_mail, settings):
    settings.INBOUND_EMAIL_MAX_BYTES = 1000
    raw = raw_email([("wheel.png", "image/png", png_bytes(400, 400))])

    response = client.post(url(acme_mail.inbound_token), data=raw, content_type="message/rfc822")

    assert (response.status_code, response.json()["error"]["code"]) == (413, "too_large")
    assert not every_tenant(TicketReply).exists()
    assert not default_storage.exists("t")


def test_an_email_that_fails_after_its_files_were_stored_leaves_no_files(ticket, acme_mail, monkeypatch):
    def event_fails(*args, **kwargs):
        raise RuntimeError("the event could not be written")

    monkeypatch.setattr("tickets.services._ticket_event", event_fails)
    email = parse_rfc822(
        raw_email(
            [("wheel.png", "image/png", png_bytes(800, 600)), ("receipt.pdf", "application/pdf", PDF_BYTES)]
        )
    )

    with pytest.raises(RuntimeError):
        inbound_email_receive(tenant_id=ticket.tenant_id, email=email)

    assert not every_tenant(Attachment).exists()
    assert not every_tenant(TicketReply).filter(author_kind="customer").exists()
    root = default_storage.location
    assert [f for _, _, files in os.walk(root) for f in files] == []
