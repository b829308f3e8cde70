"""Periodic work in every web process: each job at its interval, one process per interval, failures
contained, the thread started by the first connection."""

from __future__ import annotations

import pytest

from helpdesk import housekeeping
from helpdesk.housekeeping import HousekeepingStarter, Job, jobs_run_due

RUNS: list[str] = []


def job_ok() -> None:
    RUNS.append("ok")


def job_broken() -> None:
    RUNS.append("broken")
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def _clean():
    RUNS.clear()
    yield
    RUNS.clear()


OK = "helpdesk.tests.test_housekeeping.job_ok"
BROKEN = "helpdesk.tests.test_housekeeping.job_broken"


def test_each_job_runs_at_its_interval(db):
    jobs = [Job(OK, every=10)]
    assert jobs_run_due(jobs, now=100.0) == 1
    assert jobs_run_due(jobs, now=105.0) == 0
    from django.core.cache import cache

    cache.clear()  # the interval's turn is over
    assert jobs_run_due(jobs, now=110.0) == 1
    assert RUNS == ["ok", "ok"]


def test_one_process_per_interval_takes_the_turn(db):
    this_process, other_process = [Job(OK, every=10)], [Job(OK, every=10)]
    assert jobs_run_due(this_process, now=100.0) == 1
    assert jobs_run_due(other_process, now=100.0) == 0
    assert RUNS == ["ok"]


def test_a_failing_job_is_logged_and_does_not_stop_the_others(db, caplog):
    assert jobs_run_due([Job(BROKEN, every=5), Job(OK, every=5)], now=1.0) == 1
    assert RUNS == ["broken", "ok"]
    assert f"Housekeeping job {BROKEN} failed" in caplog.text


def test_the_configured_jobs_name_real_functions(settings):
    from django.utils.module_loading import import_string

    paths = [path for path, _ in settings.HOUSEKEEPING_JOBS]
    assert "helpdesk.outbox.outbox_sweep" in paths
    assert "handoff.tasks.pickup_deadlines_check" in paths
    assert all(callable(import_string(path)) for path in paths)


async def test_the_first_connection_starts_housekeeping_once(settings):
    settings.HOUSEKEEPING_IN_PROCESS = True
    settings.HOUSEKEEPING_JOBS = [(OK, 3600)]
    seen = []

    async def app(scope, receive, send):
        seen.append(housekeeping._started)
        return scope["type"]

    wrapped = HousekeepingStarter(app)
    try:
        assert await wrapped({"type": "http"}, None, None) == "http"
        assert await wrapped({"type": "websocket"}, None, None) == "websocket"
        first, second = seen
        assert first is second and first.is_alive() and first.name == "housekeeping"
        assert [job.path for job in first.jobs] == [OK]
    finally:
        if housekeeping._started is not None:
            housekeeping._started.stopping.set()
            housekeeping._started.join(timeout=5)
            housekeeping._started = None


def test_housekeeping_stays_off_when_switched_off(settings):
    settings.HOUSEKEEPING_IN_PROCESS = False
    assert housekeeping.housekeeping_start() is None
