"""Attachments leave no files behind: a deleted row's file and thumbnail go after the commit (and stay
when the deleting transaction rolls back), deleting a conversation or a tenant (table by table, which
sends no post_delete) deletes its files, and uploads never sent are swept after ATTACHMENT_UNSENT_HOURS."""

import os
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from chatbot.services import customer_message_receive, widget_conversation_start
from helpdesk.attachments import (
    CUSTOMER_UPLOADS,
    AttachmentClaim,
    attachment_files_removed_on_failure,
    attachment_store,
    attachments_unsent_sweep,
)
from helpdesk.bulk import tenant_bulk_delete
from helpdesk.housekeeping import job_run
from helpdesk.models import Attachment, Tenant
from helpdesk.tests.attachment_support import PDF_BYTES, png_bytes
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


def stored_files() -> list[str]:
    root = default_storage.location
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, files in os.walk(root) for f in files)


def stored_folders() -> list[str]:
    root = default_storage.location
    return sorted(os.path.relpath(d, root) for d, _, _ in os.walk(root) if d != root)


@pytest.fixture
def conversation(acme, bot):
    return widget_conversation_start(public_key=bot.public_key).conversation


def upload(conversation, *, data=None, kind="customer", hours_ago=0) -> Attachment:
    row = attachment_store(
        tenant=conversation.tenant_id,
        data=data or png_bytes(),
        name="photo.png",
        uploader_kind=kind,
        conversation=conversation,
    )
    if hours_ago:
        created = timezone.now() - timedelta(hours=hours_ago)
        every_tenant(Attachment).filter(pk=row.pk).update(created_at=created)
    return row


def test_a_deleted_attachments_file_and_thumbnail_go_after_the_commit(
    conversation, django_capture_on_commit_callbacks
):
    row = upload(conversation)
    other = upload(conversation, data=PDF_BYTES)
    assert row.thumbnail_name and len(stored_files()) == 3

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        row.delete()
        assert len(stored_files()) == 3  # not before the commit

    assert len(callbacks) == 1
    assert stored_files() == [other.storage_name]
    # The upload's own folder goes with its files; the other upload's stays.
    assert not default_storage.exists(os.path.dirname(row.storage_name))


def test_the_files_stay_when_the_deleting_transaction_rolls_back(
    conversation, django_capture_on_commit_callbacks
):
    row = upload(conversation)
    pk = row.pk

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        row.delete()
        raise RuntimeError("the admin's request failed")

    assert every_tenant(Attachment).filter(pk=pk).exists()
    assert stored_files() == sorted([row.storage_name, row.thumbnail_name])


def test_a_missing_file_is_not_an_error(conversation, django_capture_on_commit_callbacks):
    row = upload(conversation)
    default_storage.delete(row.storage_name)

    with django_capture_on_commit_callbacks(execute=True):
        row.delete()

    assert stored_files() == []


def test_deleting_a_conversation_deletes_its_files(conversation, django_capture_on_commit_callbacks):
    upload(conversation)
    sent = upload(conversation, data=PDF_BYTES)
    customer_message_receive(
        conversation=conversation,
        text="Receipt attached",
        client_msg_id="m1",
        attachments=AttachmentClaim(ids=(sent.pk,), kinds=CUSTOMER_UPLOADS),
    )
    assert len(stored_files()) == 3

    with django_capture_on_commit_callbacks(execute=True):
        conversation.delete()

    assert not every_tenant(Attachment).exists()
    assert stored_files() == []


def test_deleting_a_tenant_table_by_table_deletes_its_files_and_no_others(
    conversation, make_tenant, make_bot, django_capture_on_commit_callbacks
):
    upload(conversation)
    upload(conversation, data=PDF_BYTES)
    globex = make_tenant("globex")
    theirs = upload(widget_conversation_start(public_key=make_bot(globex).public_key).conversation)
    acme = Tenant.objects.get(pk=conversation.tenant_id)

    with django_capture_on_commit_callbacks(execute=True):
        tenant_bulk_delete(acme, "acme-")
        assert len(stored_files()) == 5  # not before the commit

    assert stored_files() == sorted([theirs.storage_name, theirs.thumbnail_name])
    assert not any(folder.startswith(f"t/{acme.pk}") for folder in stored_folders())


def test_the_sweep_deletes_old_unsent_uploads_and_keeps_recent_and_sent_ones(
    conversation, make_tenant, make_bot, settings, django_capture_on_commit_callbacks
):
    settings.ATTACHMENT_UNSENT_HOURS = 24
    old = upload(conversation, hours_ago=25)
    recent = upload(conversation, data=PDF_BYTES, hours_ago=23)
    sent = upload(conversation, data=PDF_BYTES, hours_ago=48)
    customer_message_receive(
        conversation=conversation,
        text="Receipt attached",
        client_msg_id="m1",
        attachments=AttachmentClaim(ids=(sent.pk,), kinds=CUSTOMER_UPLOADS),
    )
    emailed = upload(conversation, data=PDF_BYTES, kind="email", hours_ago=48)  # a ticket reply's
    globex_conversation = widget_conversation_start(public_key=make_bot(make_tenant("globex")).public_key)
    theirs = upload(globex_conversation.conversation, hours_ago=30)

    with django_capture_on_commit_callbacks(execute=True):
        assert job_run("helpdesk.attachments.attachments_unsent_sweep") == 2

    assert set(every_tenant(Attachment).values_list("pk", flat=True)) == {recent.pk, sent.pk, emailed.pk}
    assert stored_files() == sorted([recent.storage_name, sent.storage_name, emailed.storage_name])
    assert old.storage_name not in stored_files() and theirs.thumbnail_name not in stored_files()


def test_the_sweep_works_in_batches_and_zero_hours_keeps_everything(
    conversation, settings, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("helpdesk.attachments.UNSENT_SWEEP_BATCH", 2)
    for _ in range(5):
        upload(conversation, data=PDF_BYTES, hours_ago=30)

    settings.ATTACHMENT_UNSENT_HOURS = 0
    assert attachments_unsent_sweep() == 0

    settings.ATTACHMENT_UNSENT_HOURS = 24
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert attachments_unsent_sweep() == 5
    assert len(callbacks) == 5 and stored_files() == []


def test_files_stored_in_a_block_that_fails_are_deleted(conversation):
    kept = upload(conversation)

    with pytest.raises(RuntimeError), attachment_files_removed_on_failure(), transaction.atomic():
        upload(conversation, data=PDF_BYTES)
        upload(conversation)
        raise RuntimeError("the rest of the write failed")

    assert stored_files() == sorted([kept.storage_name, kept.thumbnail_name])
    assert list(every_tenant(Attachment).values_list("pk", flat=True)) == [kept.pk]


def test_the_sweep_is_a_housekeeping_job_and_a_beat_task(settings):
    assert "helpdesk.attachments.attachments_unsent_sweep" in dict(settings.HOUSEKEEPING_JOBS)
    assert {"task": "helpdesk.tasks.attachments_unsent_sweep_task", "schedule": 3600.0} in (
        settings.CELERY_BEAT_SCHEDULE.values()
    )
