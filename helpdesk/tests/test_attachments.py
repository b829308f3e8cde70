"""Attachments: what a file is is read from its bytes, limits refuse with a clear reason and store nothing,
images get an upright thumbnail without metadata, files live under the tenant's own path, and a message
carries only uploads its author may send."""

import io
import os

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image

from chatbot.services import customer_message_receive, widget_conversation_start
from helpdesk.attachment_files import MAX_PIXELS, AttachmentRejected, display_name, file_check
from helpdesk.attachments import (
    AGENT_UPLOADS,
    CUSTOMER_UPLOADS,
    AttachmentClaim,
    attachment_for_visitor,
    attachment_store,
)
from helpdesk.errors import InvalidInput, NotFound
from helpdesk.models import Attachment, Message
from helpdesk.payloads import message_payload, messages_payload, public_message_payload
from helpdesk.services import message_create
from helpdesk.tests.attachment_support import PDF_BYTES, image_bytes, png_bytes
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


def stored_files() -> list[str]:
    root = default_storage.location
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, files in os.walk(root) for f in files)


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (image_bytes(format="PNG"), "image/png"),
        (image_bytes(format="JPEG"), "image/jpeg"),
        (image_bytes(format="GIF"), "image/gif"),
        (image_bytes(format="WEBP"), "image/webp"),
        (PDF_BYTES, "application/pdf"),
    ],
)
def test_the_type_is_read_from_the_bytes(data, content_type):
    checked = file_check(data, max_bytes=10_000_000)
    assert checked.content_type == content_type
    if content_type.startswith("image/"):
        assert (checked.width, checked.height) == (64, 48)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"MZ\x90\x00 a program", "unsupported_type"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "unsupported_type"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "broken_image"),
        (png_bytes()[:60], "broken_image"),
        (image_bytes(format="BMP"), "unsupported_type"),
    ],
)
def test_what_is_not_an_image_or_a_pdf_is_refused_with_its_reason(data, code):
    with pytest.raises(AttachmentRejected) as refused:
        file_check(data, max_bytes=10_000_000)
    assert refused.value.code == code
    assert refused.value.fields == {"file": [refused.value.message]}


def test_a_file_over_the_limit_is_refused_as_too_large():
    with pytest.raises(AttachmentRejected) as refused:
        file_check(PDF_BYTES + b"x" * 2048, max_bytes=2048)
    assert (refused.value.code, refused.value.http_status) == ("too_large", 413)
    assert "the limit is 2 KB" in refused.value.message


def test_an_image_claiming_a_huge_canvas_is_refused_before_it_is_decoded():
    # A 10,000 x 10,000 one-colour PNG compresses to a few KB and would decode to 400 MB.
    out = io.BytesIO()
    Image.new("L", (10_000, 10_000)).save(out, format="PNG")
    assert len(out.getvalue()) < 200_000 and MAX_PIXELS < 10_000 * 10_000
    with pytest.raises(AttachmentRejected) as refused:
        file_check(out.getvalue(), max_bytes=10_000_000)
    assert refused.value.code == "image_too_large"


def test_the_name_shown_keeps_the_clients_name_but_never_a_wrong_extension_or_a_folder():
    png = file_check(png_bytes(), max_bytes=10**7)
    assert display_name("holiday.PNG", png) == "holiday.PNG"
    assert display_name("invoice.pdf", png) == "invoice.pdf.png"
    assert display_name("..\\..\\etc/passwd", png) == "passwd.png"
    assert display_name("", png) == "attachment.png"


def test_an_image_is_stored_under_the_tenants_path_with_a_thumbnail(acme):
    photo = image_bytes(1200, 900, format="JPEG")

    row = attachment_store(tenant=acme, data=photo, name="bike photo.jpg", uploader_kind="agent")

    assert row.storage_name.startswith(f"t/{acme.pk}/") and row.storage_name.endswith("/bike_photo.jpg")
    assert (row.content_type, row.size, row.width, row.height) == ("image/jpeg", len(photo), 1200, 900)
    assert default_storage.open(row.storage_name).read() == photo
    thumbnail = Image.open(default_storage.open(row.thumbnail_name))
    assert (thumbnail.format, thumbnail.size) == ("JPEG", (320, 240))
    assert os.path.dirname(row.thumbnail_name) == os.path.dirname(row.storage_name)


def test_the_thumbnail_is_upright_and_has_no_metadata(acme):
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees to show
    exif[0x010F] = "PhoneMaker"
    Image.new("RGB", (400, 200), (10, 120, 200)).save(out, format="JPEG", exif=exif.tobytes())

    row = attachment_store(tenant=acme, data=out.getvalue(), name="p.jpg", uploader_kind="agent")

    thumbnail = Image.open(default_storage.open(row.thumbnail_name))
    assert thumbnail.size == (160, 320)
    assert not thumbnail.getexif()
    assert default_storage.open(row.storage_name).read() == out.getvalue()  # the original as sent


def test_a_pdf_has_no_thumbnail(acme):
    row = attachment_store(tenant=acme, data=PDF_BYTES, name="terms.pdf", uploader_kind="api")
    assert (row.content_type, row.thumbnail_name, row.width) == ("application/pdf", "", None)


def test_a_refused_file_stores_nothing(acme):
    with pytest.raises(AttachmentRejected):
        attachment_store(tenant=acme, data=b"GIF89a broken", name="x.gif", uploader_kind="agent")
    assert not every_tenant(Attachment).exists()
    assert stored_files() == []


def test_a_failure_after_writing_the_files_deletes_them(acme, monkeypatch):
    def broken_create(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(Attachment.objects, "create", broken_create)
    with pytest.raises(RuntimeError):
        attachment_store(tenant=acme, data=png_bytes(), name="x.png", uploader_kind="agent")
    assert stored_files() == []


# Sending with a message ---------------------------------------------------------------------------------


@pytest.fixture
def conversation(acme, bot):
    return widget_conversation_start(public_key=bot.public_key).conversation


def test_a_customer_message_carries_the_customers_uploads_and_says_so_on_every_channel(conversation):
    photo = attachment_store(
        tenant=conversation.tenant_id,
        data=png_bytes(),
        name="scratch.png",
        uploader_kind="customer",
        conversation=conversation,
    )
    claim = AttachmentClaim(ids=(photo.pk,), kinds=CUSTOMER_UPLOADS)

    message, created = customer_message_receive(
        conversation=conversation, text="The frame is scratched", client_msg_id="m1", attachments=claim
    )

    assert created and message.attachment_count == 1
    (shown,) = message_payload(message)["attachments"]
    assert shown == {
        "id": photo.pk,
        "name": "scratch.png",
        "type": "image/png",
        "size": photo.size,
        "url": f"/api/v1/attachments/{photo.pk}/content/",
        "thumbnail_url": f"/api/v1/attachments/{photo.pk}/thumbnail/",
        "width": 64,
        "height": 48,
    }
    public = public_message_payload(message_payload(message))["attachments"][0]
    assert public["url"] == f"/api/v1/widget/attachments/{photo.pk}/content/"
    assert public["thumbnail_url"] == f"/api/v1/widget/attachments/{photo.pk}/thumbnail/"
    # Read back with its history: the attachments come in one extra query for the page.
    rows = list(every_tenant(Message).filter(conversation=conversation).order_by("seq"))
    shown = [(p["author_kind"], len(p["attachments"])) for p in messages_payload(conversation, rows)]
    assert ("customer", 1) in shown and sum(n for _, n in shown) == 1
    # A resend returns the stored message, attachments and all.
    again, created = customer_message_receive(
        conversation=conversation, text="The frame is scratched", client_msg_id="m1", attachments=claim
    )
    assert (again.pk, created, again.attachment_count) == (message.pk, False, 1)


def test_a_message_of_attachments_alone_is_kept_and_the_bot_waits_for_words(conversation):
    photo = attachment_store(
        tenant=conversation.tenant_id,
        data=png_bytes(),
        name="x.png",
        uploader_kind="customer",
        conversation=conversation,
    )
    message, _ = customer_message_receive(
        conversation=conversation,
        text="",
        attachments=AttachmentClaim(ids=(photo.pk,), kinds=CUSTOMER_UPLOADS),
    )
    assert message.body == ""
    assert list(conversation.messages.values_list("author_kind", flat=True)) == ["bot", "customer"]


@pytest.mark.parametrize(
    "whose", ["sent already", "an agent's", "another conversation's", "another tenant's"]
)
def test_a_message_may_not_carry_an_upload_that_is_not_its_authors_to_send(
    conversation, bot, make_tenant, make_bot, whose
):
    tenant = conversation.tenant_id
    other = widget_conversation_start(public_key=bot.public_key).conversation
    if whose == "another tenant's":
        other = widget_conversation_start(public_key=make_bot(make_tenant("globex")).public_key).conversation
    upload = attachment_store(
        tenant=other.tenant_id if whose != "sent already" else tenant,
        data=png_bytes(),
        name="x.png",
        uploader_kind="agent" if whose == "an agent's" else "customer",
        conversation=conversation if whose in ("sent already", "an agent's") else other,
    )
    if whose == "sent already":
        customer_message_receive(
            conversation=conversation,
            text="first",
            attachments=AttachmentClaim((upload.pk,), CUSTOMER_UPLOADS),
        )
    before = conversation.messages.count()

    with pytest.raises(InvalidInput) as refused:
        customer_message_receive(
            conversation=conversation,
            text="look",
            attachments=AttachmentClaim((upload.pk,), CUSTOMER_UPLOADS),
        )

    assert refused.value.code == "invalid_attachment"
    assert list(refused.value.fields) == ["attachment_ids"]
    assert conversation.messages.count() == before


def test_an_agent_sends_only_their_own_uploads(conversation, make_agent, acme):
    alice, bob = make_agent(acme, "alice"), make_agent(acme, "bob")
    upload = attachment_store(
        tenant=acme,
        data=PDF_BYTES,
        name="label.pdf",
        uploader_kind="agent",
        uploaded_by=bob.user,
        conversation=conversation,
    )
    with pytest.raises(InvalidInput), transaction.atomic():
        message_create(
            conversation=conversation,
            author_kind="agent",
            author=alice.user,
            body="Here",
            attachments=AttachmentClaim((upload.pk,), AGENT_UPLOADS, uploaded_by_id=alice.user_id),
        )
    message, _ = message_create(
        conversation=conversation,
        author_kind="agent",
        author=bob.user,
        body="Here",
        attachments=AttachmentClaim((upload.pk,), AGENT_UPLOADS, uploaded_by_id=bob.user_id),
    )
    assert message.attachment_count == 1


def test_a_visitor_reads_their_conversations_public_files_and_nothing_else(
    conversation, bot, make_agent, acme
):
    agent = make_agent(acme, "alice")
    public = attachment_store(
        tenant=acme,
        data=png_bytes(),
        name="a.png",
        uploader_kind="agent",
        uploaded_by=agent.user,
        conversation=conversation,
    )
    note = attachment_store(
        tenant=acme,
        data=png_bytes(),
        name="b.png",
        uploader_kind="agent",
        uploaded_by=agent.user,
        conversation=conversation,
    )
    for row, private in ((public, False), (note, True)):
        message_create(
            conversation=conversation,
            author_kind="agent",
            author=agent.user,
            body="file",
            private=private,
            attachments=AttachmentClaim((row.pk,), AGENT_UPLOADS, uploaded_by_id=agent.user_id),
        )
    other = widget_conversation_start(public_key=bot.public_key).conversation

    def read(row, conv):
        return attachment_for_visitor(tenant_id=acme.pk, conversation=conv, nonce="", attachment_id=row.pk)

    assert read(public, conversation) == public
    for row, conv in ((note, conversation), (public, other)):
        with pytest.raises(NotFound):
            read(row, conv)
