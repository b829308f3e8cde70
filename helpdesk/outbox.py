"""The transactional outbox: work that must follow a commit is never lost between the commit and a worker.

A service that calls for work (the bot's turn, a ticket, an email, a webhook delivery) writes an
:class:`~helpdesk.models.OutboxTask` row in its own transaction with :func:`outbox_add`. When the
transaction commits, the row is dispatched (:func:`outbox_dispatch`): sent to the Celery broker, or, in the
embedded mode, run in this process's task threads (never in the caller's thread, so a slow model call does
not hold up the sockets that share it). Whatever breaks after the commit is caught by the sweep
(:func:`outbox_sweep`, run by the housekeeping loop of every web process and by Celery beat):

- the broker was down when the row was dispatched: the row is due again a few seconds later;
- the process died between the commit and the dispatch: the row was due ``OUTBOX_DISPATCH_GRACE_SECONDS``
  after it was written;
- a worker took the task and died: the run's lease expires after ``OUTBOX_LEASE_SECONDS`` and the row is
  dispatched again;
- nothing ran it by its deadline (no worker at all): its ``on_overdue`` function runs instead, so the
  customer is told and handed on rather than left waiting.

Tasks run their work inside :func:`outbox_run`, which takes the row's lease with one conditional UPDATE: of
two deliveries of the same row (a broker redelivery, a sweep that raced a slow worker) exactly one runs,
and a row that is done is never run again. The work itself stays idempotent (unique constraints), so even
a run whose lease expired while it was still going cannot do a thing twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from helpdesk.models import OutboxTask

logger = logging.getLogger(__name__)

ERROR_CHARS = 300
# A failed run is tried again after this many seconds, doubled on each run, up to the cap.
RETRY_BASE_SECONDS = 5
RETRY_MAX_SECONDS = 15 * 60
# When the broker refused a dispatch, the next sweep tries again this soon.
REDISPATCH_SECONDS = 2


def _seconds(name: str, default: float) -> timedelta:
    return timedelta(seconds=float(getattr(settings, name, default)))


def outbox_add(
    *,
    tenant_id: int,
    task: str,
    args: list | tuple,
    key: str,
    deadline_seconds: float | None = None,
    on_overdue: str = "",
) -> OutboxTask:
    """Record ``task(*args)`` to run once the current transaction commits. Idempotent on ``key``.

    ``deadline_seconds`` and ``on_overdue`` (a dotted path to a function taking the row) say what to do for
    the customer if the work is still not done by then.
    """
    now = timezone.now()
    row, created = _rows().get_or_create(
        key=key,
        defaults={
            "tenant_id": tenant_id,
            "task": task,
            "args": list(args),
            "due_at": now + _seconds("OUTBOX_DISPATCH_GRACE_SECONDS", 10),
            "deadline_at": now + timedelta(seconds=deadline_seconds) if deadline_seconds else None,
            "on_overdue": on_overdue,
        },
    )
    if created:
        row_id = row.pk
        transaction.on_commit(lambda: outbox_dispatch(row_id), robust=True)
    return row


def _rows():
    """The outbox is one queue that every tenant's deferred work goes through; rows are found by their
    own id or key, which only our code ever hands out."""
    return OutboxTask.objects.unscoped("the outbox is one queue for every tenant's deferred work")


def outbox_dispatch(row_id: int) -> bool:
    """Hand the row to whatever runs tasks here; returns whether that worked. Never raises: a refused
    dispatch leaves the row due again shortly, for the sweep."""
    row = _rows().filter(pk=row_id, done_at__isnull=True).first()
    if row is None:
        return False
    now = timezone.now()
    _rows().filter(pk=row.pk).update(
        dispatches=F("dispatches") + 1, due_at=now + _seconds("OUTBOX_LEASE_SECONDS", 60)
    )
    try:
        _runner()(row)
    except Exception as exc:
        logger.warning("Could not dispatch %s (outbox %s): %s", row.task, row.pk, exc)
        _rows().filter(pk=row.pk, done_at__isnull=True).update(
            due_at=timezone.now() + timedelta(seconds=REDISPATCH_SECONDS),
            last_error=f"dispatch: {type(exc).__name__}: {exc}"[:ERROR_CHARS],
        )
        return False
    return True


_inline = threading.local()


@contextmanager
def tasks_inline() -> Iterator[None]:
    """Run the tasks this thread records through Celery (eagerly, where it is set up so) instead of on the
    embedded mode's task threads: for a replay that reads each turn's outcome right after the message,
    such as ``handoff_eval``."""
    before = getattr(_inline, "on", False)
    _inline.on = True
    try:
        yield
    finally:
        _inline.on = before


def _runner():
    if getattr(settings, "TASKS_IN_THREADS", False) and not getattr(_inline, "on", False):
        return _run_in_thread
    return _send_to_celery


def _celery_task(name: str):
    """The task a row names: a Celery task's registered name is its module path and function name."""
    return import_string(name)


def _send_to_celery(row: OutboxTask) -> None:
    # apply_async honours CELERY_TASK_ALWAYS_EAGER (tests run the task inline); send_task would not.
    _celery_task(row.task).apply_async(args=row.args, kwargs={"outbox_id": row.pk})


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _thread_pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=int(getattr(settings, "TASK_THREADS", 4)), thread_name_prefix="tasks"
            )
        return _executor


def _run_in_thread(row: OutboxTask) -> None:
    """The embedded mode's worker: the task runs in this process, on a thread of its own."""
    name, args, row_id = row.task, list(row.args), row.pk

    def run() -> None:
        close_old_connections()
        try:
            _celery_task(name).apply(args=args, kwargs={"outbox_id": row_id}, throw=False)
        except Exception:
            logger.exception("Task %s (outbox %s) failed", name, row_id)
        finally:
            close_old_connections()

    _thread_pool().submit(run)


@dataclass
class OutboxRun:
    """What :func:`outbox_run` yields: whether this run may do the work, which run of the row it is, and
    (through :meth:`retry`) whether the work asks to be tried again later."""

    mine: bool
    number: int = 1
    retry_in: float | None = None
    reason: str = ""

    def retry(self, *, after: float, reason: str) -> None:
        """Run the work again after ``after`` seconds (a failed webhook attempt, an SMTP server that is
        down). The outbox schedules it: no broker message waits with a countdown, so no broker redelivers
        one while it waits."""
        self.retry_in, self.reason = after, reason


@contextmanager
def outbox_run(outbox_id: int | None) -> Iterator[OutboxRun]:
    """Run a task's work under the row's lease: ``with outbox_run(outbox_id) as run: if run.mine: ...``.

    ``run.mine`` is false when the row is done or another run holds a live lease: the work must be
    skipped. Work that raises, or asks for :meth:`OutboxRun.retry`, releases the lease and makes the row due
    again (after the asked delay, or an exponential backoff); work that returns marks the row done. Without
    an ``outbox_id`` (a direct call) the work just runs.
    """
    if outbox_id is None:
        yield OutboxRun(mine=True)
        return
    now = timezone.now()
    lease = _seconds("OUTBOX_LEASE_SECONDS", 60)
    claimed = (
        _rows()
        .filter(pk=outbox_id, done_at__isnull=True)
        .filter(Q(started_at__isnull=True) | Q(started_at__lt=now - lease))
        .update(started_at=now, runs=F("runs") + 1, due_at=now + lease)
    )
    if not claimed:
        yield OutboxRun(mine=False)
        return
    number = _rows().filter(pk=outbox_id).values_list("runs", flat=True).first() or 1
    run = OutboxRun(mine=True, number=number)
    try:
        yield run
    except Exception as exc:
        delay = min(RETRY_BASE_SECONDS * 2 ** max(number - 1, 0), RETRY_MAX_SECONDS)
        _retry_later(outbox_id, delay, f"{type(exc).__name__}: {exc}")
        raise
    if run.retry_in is not None:
        _retry_later(outbox_id, run.retry_in, run.reason)
    else:
        outbox_done(outbox_id)


def _retry_later(outbox_id: int, delay: float, reason: str) -> None:
    _rows().filter(pk=outbox_id, done_at__isnull=True).update(
        started_at=None,
        due_at=timezone.now() + timedelta(seconds=delay),
        last_error=reason[:ERROR_CHARS],
    )


def outbox_done(outbox_id: int, outcome: str = OutboxTask.Outcome.DONE) -> bool:
    return bool(
        _rows()
        .filter(pk=outbox_id, done_at__isnull=True)
        .update(done_at=timezone.now(), outcome=outcome, started_at=None)
    )


def outbox_sweep(now=None, limit: int = 200) -> dict[str, int]:
    """Run the fallbacks of overdue rows, give up on rows that failed too often, dispatch due rows.

    Safe in several processes at once: each fallback and each give-up is a conditional UPDATE that one
    process wins, and a row dispatched twice runs once (see :func:`outbox_run`).
    """
    now = now or timezone.now()
    counts = {"overdue": 0, "failed": 0, "dispatched": 0}
    for row in _rows().overdue(now).order_by("deadline_at")[:limit]:
        if outbox_done(row.pk, OutboxTask.Outcome.OVERDUE):
            counts["overdue"] += 1
            _overdue_run(row)
    max_runs = int(getattr(settings, "OUTBOX_MAX_RUNS", 8))
    lease = _seconds("OUTBOX_LEASE_SECONDS", 60)
    exhausted = (
        _rows()
        .due(now)
        .filter(runs__gte=max_runs)
        .filter(Q(started_at__isnull=True) | Q(started_at__lt=now - lease))
    )
    for row in exhausted[:limit]:
        if outbox_done(row.pk, OutboxTask.Outcome.FAILED):
            counts["failed"] += 1
            logger.error("Gave up on %s%s (outbox %s): %s", row.task, row.args, row.pk, row.last_error)
    due = _rows().due(now).filter(Q(started_at__isnull=True) | Q(started_at__lt=now - lease))
    for row_id in due.order_by("due_at").values_list("pk", flat=True)[:limit]:
        if outbox_dispatch(row_id):
            counts["dispatched"] += 1
    counts["removed"] = outbox_prune(now)
    return counts


def outbox_prune(now=None, batch: int = 1000) -> int:
    """Delete rows done more than ``OUTBOX_KEEP_DAYS`` ago (one per customer message would otherwise grow
    the table forever); a batch per sweep keeps each sweep short."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=float(getattr(settings, "OUTBOX_KEEP_DAYS", 7)))
    old = list(_rows().filter(done_at__lt=cutoff).values_list("pk", flat=True)[:batch])
    if not old:
        return 0
    deleted, _ = _rows().filter(pk__in=old).delete()
    return deleted


def _overdue_run(row: OutboxTask) -> None:
    if not row.on_overdue:
        return
    try:
        import_string(row.on_overdue)(row)
    except Exception:
        logger.exception("The overdue fallback of %s (outbox %s) failed", row.task, row.pk)
