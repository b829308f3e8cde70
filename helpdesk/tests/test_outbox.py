"""The transactional outbox: written with the change, dispatched on commit, swept when anything breaks."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from chatbot.services import customer_message_receive, widget_conversation_start
from helpdesk.models import Message, OutboxTask
from helpdesk.outbox import outbox_add, outbox_dispatch, outbox_run, outbox_sweep
from tests.support.db import every_tenant

CALLS: list[tuple] = []


def record(*args) -> None:
    """A stand-in fallback (``on_overdue``) that other tests' rows name by dotted path."""
    CALLS.append(args)


@pytest.fixture(autouse=True)
def _no_calls():
    CALLS.clear()
    yield
    CALLS.clear()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker_down(celery_broker):
    """The real Celery app publishing to a Redis port where nothing listens."""
    celery_broker(f"redis://127.0.0.1:{closed_port()}/0")


def test_a_row_is_one_per_key_and_waits_for_the_commit(acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = outbox_add(tenant_id=acme.pk, task="x.y", args=[1], key="k-1")
        again = outbox_add(tenant_id=acme.pk, task="x.y", args=[2], key="k-1")
    assert first.pk == again.pk
    assert every_tenant(OutboxTask).get().args == [1]
    assert len(callbacks) == 1


def test_a_customer_message_is_acknowledged_and_kept_due_when_the_broker_is_down(
    acme, make_bot, broker_down, django_capture_on_commit_callbacks
):
    # Given a visitor, and a broker that refuses connections
    session = widget_conversation_start(public_key=make_bot(acme).public_key)

    # When the customer writes
    with django_capture_on_commit_callbacks(execute=True):
        message, created = customer_message_receive(
            conversation=session.conversation, text="How long does delivery take?", client_msg_id="m-1"
        )

    # Then the message is stored, and its turn is due again within seconds with the broker's error
    assert created and every_tenant(Message).filter(pk=message.pk).exists()
    row = every_tenant(OutboxTask).get(key=f"bot_turn:{message.pk}")
    assert row.done_at is None
    assert row.dispatches == 1
    assert row.last_error.startswith("dispatch: ")
    assert row.due_at <= timezone.now() + timedelta(seconds=3)
    assert row.deadline_at is not None


def test_the_sweep_runs_a_turn_whose_dispatch_failed_once_the_broker_is_back(
    acme, make_bot, django_capture_on_commit_callbacks
):
    # Given a turn recorded but never dispatched (the process died after the commit)
    session = widget_conversation_start(public_key=make_bot(acme).public_key)
    message, _ = customer_message_receive(
        conversation=session.conversation, text="How long does delivery take?", client_msg_id="m-1"
    )
    assert not every_tenant(Message).filter(reply_to=message).exists()

    # When the sweep runs after the grace period, then again
    later = timezone.now() + timedelta(seconds=15)
    first, second = outbox_sweep(now=later), outbox_sweep(now=later)

    # Then the bot answered once
    assert (first["dispatched"], second["dispatched"]) == (1, 0)
    answer = every_tenant(Message).get(reply_to=message)
    assert "5 to 7 working days" in answer.body
    row = every_tenant(OutboxTask).get(key=f"bot_turn:{message.pk}")
    assert (row.outcome, row.runs) == (OutboxTask.Outcome.DONE, 1)


def test_a_run_is_skipped_while_another_holds_the_lease_and_once_the_row_is_done(acme):
    row = outbox_add(tenant_id=acme.pk, task="x.y", args=[], key="k")
    with outbox_run(row.pk) as first, outbox_run(row.pk) as second:
        assert (first.mine, second.mine) == (True, False)
    with outbox_run(row.pk) as after:
        assert after.mine is False
    row.refresh_from_db()
    assert (row.runs, row.outcome) == (1, OutboxTask.Outcome.DONE)


def test_a_lease_left_by_a_dead_worker_expires(acme, settings):
    settings.OUTBOX_LEASE_SECONDS = 60
    row = outbox_add(tenant_id=acme.pk, task="x.y", args=[], key="k")
    every_tenant(OutboxTask).filter(pk=row.pk).update(
        started_at=timezone.now() - timedelta(seconds=61), runs=1
    )
    with outbox_run(row.pk) as run:
        assert (run.mine, run.number) == (True, 2)


def test_failed_work_is_due_again_after_a_backoff_and_keeps_its_error(acme):
    row = outbox_add(tenant_id=acme.pk, task="x.y", args=[], key="k")
    with pytest.raises(RuntimeError), outbox_run(row.pk) as run:
        assert run.mine
        raise RuntimeError("database went away")
    row.refresh_from_db()
    assert row.done_at is None and row.started_at is None
    assert row.last_error == "RuntimeError: database went away"
    assert timezone.now() + timedelta(seconds=3) < row.due_at < timezone.now() + timedelta(seconds=6)


def test_work_that_asks_for_a_retry_is_due_after_its_delay(acme):
    row = outbox_add(tenant_id=acme.pk, task="x.y", args=[], key="k")
    with outbox_run(row.pk) as run:
        run.retry(after=600, reason="SMTP down")
    row.refresh_from_db()
    assert row.done_at is None and row.last_error == "SMTP down"
    assert row.due_at > timezone.now() + timedelta(seconds=590)


def test_a_row_that_failed_too_often_is_given_up_and_logged(acme, settings, caplog):
    settings.OUTBOX_MAX_RUNS = 3
    row = outbox_add(tenant_id=acme.pk, task="x.y", args=[7], key="k")
    every_tenant(OutboxTask).filter(pk=row.pk).update(runs=3, last_error="boom")
    counts = outbox_sweep(now=timezone.now() + timedelta(minutes=5))
    row.refresh_from_db()
    assert counts["failed"] == 1
    assert row.outcome == OutboxTask.Outcome.FAILED
    assert "Gave up on x.y[7]" in caplog.text


def test_an_overdue_row_runs_its_fallback_once_however_many_sweeps(acme):
    row = outbox_add(
        tenant_id=acme.pk,
        task="x.y",
        args=[1, 2],
        key="k",
        deadline_seconds=30,
        on_overdue="helpdesk.tests.test_outbox.record",
    )
    assert outbox_sweep(now=timezone.now() + timedelta(seconds=10))["overdue"] == 0
    later = timezone.now() + timedelta(seconds=31)
    assert [outbox_sweep(now=later)["overdue"] for _ in range(2)] == [1, 0]
    row.refresh_from_db()
    assert row.outcome == OutboxTask.Outcome.OVERDUE
    assert [call[0].pk for call in CALLS] == [row.pk]


def test_a_done_row_is_not_dispatched_again(acme):
    row = outbox_add(tenant_id=acme.pk, task="x.y", args=[], key="k")
    every_tenant(OutboxTask).filter(pk=row.pk).update(done_at=timezone.now(), outcome="done")
    assert outbox_dispatch(row.pk) is False
    assert every_tenant(OutboxTask).get(pk=row.pk).dispatches == 0


def test_rows_are_tenant_owned(acme, make_tenant):
    outbox_add(tenant_id=acme.pk, task="x.y", args=[], key="a")
    outbox_add(tenant_id=make_tenant("globex").pk, task="x.y", args=[], key="b")
    assert list(OutboxTask.objects.for_tenant(acme).values_list("key", flat=True)) == ["a"]


def test_the_sweep_removes_rows_done_long_ago_and_keeps_the_rest(acme, settings):
    settings.OUTBOX_KEEP_DAYS = 7
    now = timezone.now()
    for key, done_days_ago in (("old", 8), ("recent", 6), ("pending", None)):
        row = outbox_add(tenant_id=acme.pk, task="x.y", args=[], key=key)
        if done_days_ago is not None:
            every_tenant(OutboxTask).filter(pk=row.pk).update(
                done_at=now - timedelta(days=done_days_ago), outcome="done"
            )
    every_tenant(OutboxTask).update(due_at=now + timedelta(hours=1))
    assert outbox_sweep(now=now)["removed"] == 1
    assert sorted(every_tenant(OutboxTask).values_list("key", flat=True)) == ["pending", "recent"]
