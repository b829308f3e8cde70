"""The fault suite's stack: started once per session, healed before each test, logs shown on failure.

Like every test marked ``postgres`` or ``redis``, the suite skips with the reason when a service is
missing, except with ``CI=true``, where it fails instead.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.fault.harness import postgres_reachable, postgres_server_url
from tests.fault.stack import Stack

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _missing_services() -> list[str]:
    from django.db import connection

    missing = []
    if connection.vendor != "postgresql":
        missing.append("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if not postgres_reachable():
        missing.append(f"PostgreSQL is not reachable at {postgres_server_url()}")
    if shutil.which("redis-server") is None:
        missing.append("needs the redis-server binary (apt-get install redis-server)")
    return missing


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    missing = _missing_services()
    if missing:
        reason = "; ".join(missing)
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: services must be up, nothing may skip)")
        pytest.skip(reason)
    workdir = tmp_path_factory.mktemp("fault")
    built = Stack(workdir)
    print(f"[harness] working in {workdir}")
    try:
        built.start()
    except BaseException:
        print(built.report())
        built.close()
        raise
    yield built
    built.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"fault_{report.when}", report)
    return report


@pytest.fixture
def live(stack, request):
    """The stack, healed before the test; the tail of every process's log is printed when it fails."""
    stack.heal()
    yield stack
    report = getattr(request.node, "fault_call", None)
    if report is None or report.failed:
        print(stack.report())
