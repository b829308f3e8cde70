"""Attachment endpoints: agents and keys upload to a conversation, list and read its files; the widget's
visitor uploads with their token and reads only their own conversation's files. Another tenant's file or
conversation, and another visitor's, is the same 404 as a missing one; bad input stores nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chatbot.services import (
    conversation_token,
    widget_conversation_start,
    widget_first_message_receive,
    widget_session_start,
)
from helpdesk.attachments import AGENT_UPLOADS, AttachmentClaim, attachment_store
from helpdesk.models import Attachment
from helpdesk.services import message_create
from helpdesk.tests.api_support import client_for, key_for
from helpdesk.tests.attachment_support import PDF_BYTES, png_bytes
from helpdesk.visitor_tokens import visitor_token_read
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


def upload(client, path, name, data, **extra):
    return client.post(path, {"file": SimpleUploadedFile(name, data, content_type="image/png"), **extra})


@pytest.fixture
def conversation(bot):
    return widget_conversation_start(public_key=bot.public_key).conversation


def test_a_key_uploads_lists_and_sends_a_file_with_a_customer_message(api, acme, bot):
    conversation = api.post(
        "/api/v1/conversations/", {"bot_id": bot.pk, "contact": {"email": "a@x.io"}}, format="json"
    )
    path = f"/api/v1/conversations/{conversation.json()['id']}/attachments/"

    stored = upload(api, path, "receipt.png", PDF_BYTES)  # says PNG, is a PDF

    assert stored.status_code == 201
    body = stored.json()
    assert (body["name"], body["type"], body["message_id"], body["uploader_kind"]) == (
        "receipt.png.pdf",
        "application/pdf",
        None,
        "api",
    )
    assert [row["id"] for row in api.get(path).json()["results"]] == [body["id"]]
    said = api.post(
        f"/api/v1/conversations/{conversation.json()['id']}/messages/",
        {"text": "", "attachment_ids": [body["id"]]},
        format="json",
    )
    assert said.status_code == 201
    assert [a["id"] for a in said.json()["attachments"]] == [body["id"]]
    file = api.get(body["url"])
    assert file.status_code == 200
    assert file["Content-Type"] == "application/pdf"
    assert file["X-Content-Type-Options"] == "nosniff"
    assert file["Content-Disposition"].startswith("attachment;")
    assert b"".join(file.streaming_content) == PDF_BYTES


def test_an_agent_uploads_in_the_inbox_and_the_image_is_shown_inline(client, acme, conversation, make_agent):
    agent = make_agent(acme, "alice")
    client.force_login(agent.user)
    path = reverse("conversation-attachments", args=[conversation.pk])

    stored = upload(client, path, "photo.png", png_bytes(640, 480))

    assert stored.status_code == 201, stored.content
    row = every_tenant(Attachment).get()
    assert (row.uploader_kind, row.uploaded_by_id, row.conversation_id) == (
        "agent",
        agent.user_id,
        conversation.pk,
    )
    image = client.get(stored.json()["url"], HTTP_ACCEPT="image/avif,image/webp,*/*")
    assert (image["Content-Type"], image["Content-Disposition"]) == (
        "image/png",
        'inline; filename="photo.png"',
    )
    thumbnail = client.get(stored.json()["thumbnail_url"])
    assert thumbnail["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("empty.png", b"", 400, "empty_file"),
        ("virus.png", b"MZ\x90\x00", 400, "unsupported_type"),
        ("page.png", b"<html><script>alert(1)</script></html>", 400, "unsupported_type"),
    ],
)
def test_a_bad_upload_is_refused_with_its_reason_and_stores_nothing(
    api, conversation, name, data, status, code
):
    response = upload(api, f"/api/v1/conversations/{conversation.pk}/attachments/", name, data)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert list(response.json()["error"]["fields"]) == ["file"]
    assert not every_tenant(Attachment).exists()


def test_an_upload_over_the_limit_is_a_413_and_stores_nothing(api, conversation, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    response = upload(
        api, f"/api/v1/conversations/{conversation.pk}/attachments/", "big.png", png_bytes(300, 300)
    )
    assert (response.status_code, response.json()["error"]["code"]) == (413, "too_large")
    assert not every_tenant(Attachment).exists()


def test_an_upload_without_a_file_names_the_field(api, conversation):
    response = api.post(f"/api/v1/conversations/{conversation.pk}/attachments/", {"other": "x"})
    assert (response.status_code, response.json()["error"]["fields"]) == (
        400,
        {"file": ["This field is required."]},
    )


def test_another_tenants_conversation_and_file_are_not_found(api, make_tenant, make_bot):
    globex_bot = make_bot(make_tenant("globex"))
    theirs = widget_conversation_start(public_key=globex_bot.public_key).conversation
    row = attachment_store(
        tenant=theirs.tenant_id, data=png_bytes(), name="x.png", uploader_kind="customer", conversation=theirs
    )
    assert (
        upload(api, f"/api/v1/conversations/{theirs.pk}/attachments/", "a.png", png_bytes()).status_code
        == 404
    )
    for path in (f"/api/v1/attachments/{row.pk}/content/", f"/api/v1/attachments/{row.pk}/thumbnail/"):
        response = api.get(path)
        assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")
    assert every_tenant(Attachment).count() == 1


def test_a_read_only_key_may_read_but_not_upload(acme, conversation):
    client = client_for(key_for(acme, "read"))
    response = upload(client, f"/api/v1/conversations/{conversation.pk}/attachments/", "a.png", png_bytes())
    assert response.status_code == 403
    assert not every_tenant(Attachment).exists()


# The widget ----------------------------------------------------------------------------------------------


def widget_upload(client, token, data=None, name="photo.png"):
    return upload(
        client, reverse("widget-attachments"), name, png_bytes() if data is None else data, token=token
    )


def test_a_new_visitor_uploads_before_writing_and_their_first_message_carries_it(client, bot):
    session = widget_session_start(public_key=bot.public_key, token="")
    stored = widget_upload(client, session.token)
    assert stored.status_code == 201, stored.content
    body = stored.json()
    assert body["url"] == f"/api/v1/widget/attachments/{body['id']}/content/"
    # Their own upload is theirs to see before it is sent.
    assert client.get(body["thumbnail_url"], {"token": session.token}).status_code == 200

    first = widget_first_message_receive(
        visitor=visitor_token_read(session.token), text="", client_msg_id="c1", attachment_ids=[body["id"]]
    )

    assert first.message.attachment_count == 1
    assert every_tenant(Attachment).get().conversation_id == first.conversation.pk
    assert client.get(body["url"], {"token": first.token}).status_code == 200


def test_a_visitor_reads_only_their_conversations_files(client, bot, acme, conversation, make_agent):
    agent = make_agent(acme, "alice")
    row = attachment_store(
        tenant=acme,
        data=png_bytes(),
        name="label.png",
        uploader_kind="agent",
        uploaded_by=agent.user,
        conversation=conversation,
    )
    message_create(
        conversation=conversation,
        author_kind="agent",
        author=agent.user,
        body="Your label",
        attachments=AttachmentClaim((row.pk,), AGENT_UPLOADS, uploaded_by_id=agent.user_id),
    )
    mine = conversation_token(conversation)
    other = widget_conversation_start(public_key=bot.public_key).token
    path = reverse("widget-attachment-content", args=[row.pk])

    ok = client.get(path, {"token": mine})
    assert (ok.status_code, ok["Content-Type"], ok["X-Content-Type-Options"]) == (200, "image/png", "nosniff")
    assert client.get(path, {"token": other}).status_code == 404
    assert client.get(reverse("widget-attachment-content", args=[987654]), {"token": mine}).status_code == 404
    assert client.get(path, {"token": "forged"}).status_code == 401
    assert client.get(path).status_code == 401


def test_a_widget_upload_without_a_valid_token_stores_nothing(client, bot):
    assert widget_upload(client, "forged").status_code == 401
    assert widget_upload(client, "").status_code == 401
    assert not every_tenant(Attachment).exists()


def test_a_widget_upload_of_the_wrong_type_is_refused(client, bot):
    session = widget_session_start(public_key=bot.public_key, token="")
    response = widget_upload(client, session.token, data=b"%!PS-Adobe-3.0 not a pdf", name="doc.pdf")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "unsupported_type")
    assert not every_tenant(Attachment).exists()
