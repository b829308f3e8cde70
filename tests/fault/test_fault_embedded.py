"""The embedded mode under a burst: one Daphne, no DATABASE_URL service nor Redis (a SQLite file, the
in-memory channel layer, tasks run in-process), many visitors at once."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time

import pytest

from tests.fault.clients import Widget
from tests.fault.harness import (
    BIN,
    HOST,
    Service,
    clean_env,
    free_port,
    http_json,
    http_ok,
    production_daphne_flags,
    run_checked,
    tail,
)

pytestmark = [pytest.mark.fault, pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(400)]

VISITORS = 20
MESSAGES_EACH = 10
DEMO_KEY = "pk_demo_northwind"
QUESTIONS = [
    "How long does delivery take?",
    "Can I return worn boots?",
    "When do refunds arrive?",
    "How do I track my order?",
    "Which tent size for two people?",
]


@pytest.fixture
def embedded(tmp_path):
    """The embedded default the way ``make run`` serves it, on a SQLite file of its own."""
    logs = tmp_path / "logs"
    logs.mkdir()
    database = tmp_path / "db.sqlite3"
    port = free_port()
    env = {**clean_env(), "DATABASE_URL": f"sqlite:///{database}", "DJANGO_DEBUG": "true"}
    run_checked([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env, logs / "setup.log")
    run_checked([sys.executable, "manage.py", "demo_setup"], env, logs / "setup.log")
    daphne = Service(
        "daphne-embedded",
        [
            str(BIN / "daphne"),
            "-b",
            HOST,
            "-p",
            str(port),
            *production_daphne_flags(),
            "config.asgi:application",
        ],
        env=env,
        log_dir=logs,
        ready=lambda service: http_ok(f"http://{HOST}:{port}/healthz"),
    )
    daphne.start()
    try:
        yield {"http": f"http://{HOST}:{port}", "ws": f"ws://{HOST}:{port}", "db": database, "daphne": daphne}
    finally:
        daphne.stop()
        print(f"--- {daphne.log_path}\n{tail(daphne.log_path, 30)}")


async def test_the_embedded_mode_takes_twenty_visitors_and_a_burst_of_two_hundred_messages(embedded):
    # Given twenty visitors opening a chat at the same moment
    url = embedded["http"] + "/api/v1/widget/sessions/"
    started = time.monotonic()
    sessions = await asyncio.gather(
        *(asyncio.to_thread(http_json, url, {"bot_key": DEMO_KEY}, 30) for _ in range(VISITORS))
    )
    statuses = sorted(status for status, _ in sessions)
    print(f"{VISITORS} sessions in {time.monotonic() - started:.1f}s, statuses {statuses}")
    assert statuses == [201] * VISITORS

    # When each sends ten messages over its socket without waiting (two hundred at once)
    widgets = [Widget(body["token"], f"visitor{i}") for i, (_, body) in enumerate(sessions)]
    await asyncio.gather(*(w.join(embedded["ws"]) for w in widgets))
    started = time.monotonic()
    for n in range(MESSAGES_EACH):
        for i, widget in enumerate(widgets):
            text = f"{QUESTIONS[(i + n) % len(QUESTIONS)]} (burst {i}-{n})"
            await widget.send({"type": "message", "text": text, "client_msg_id": f"burst-{i}-{n}"})

    async def replies(widget: Widget) -> list[dict]:
        out = []
        for n in range(MESSAGES_EACH):
            cid = f"{widget.name.removeprefix('visitor')}"
            frame = await widget.wait_for(
                lambda f, cid=f"burst-{cid}-{n}": (
                    (f["type"] == "ack" and f.get("client_msg_id") == cid)
                    or (f["type"] == "error" and f.get("ref") == cid)
                ),
                60,
            )
            out.append(frame)
        return out

    results = await asyncio.gather(*(replies(w) for w in widgets), return_exceptions=True)
    took = time.monotonic() - started
    frames = [f for r in results if isinstance(r, list) for f in r]
    acks = [f for f in frames if f["type"] == "ack"]
    errors = [f for f in frames if f["type"] == "error"]
    missing = [str(r)[:120] for r in results if not isinstance(r, list)]
    server_errors = [
        f for _, f in (pair for w in widgets for pair in w.frames) if f.get("code") == "server_error"
    ]

    # Then every message was acknowledged and stored, with no server error
    with sqlite3.connect(embedded["db"]) as db:
        stored = db.execute(
            "SELECT count(*) FROM helpdesk_message "
            "WHERE author_kind = 'customer' AND client_msg_id LIKE 'burst-%'"
        ).fetchone()[0]
    log = embedded["daphne"].log_since_start()
    http_500 = log.count('" 500 ') + log.count(" 500 Internal")
    print(
        f"burst of {VISITORS * MESSAGES_EACH} in {took:.1f}s: acks {len(acks)}, errors {len(errors)} "
        f"{[e.get('code') for e in errors][:10]}, missing {missing[:3]}, stored {stored}, "
        f"server_error frames {len(server_errors)}, HTTP 500 in log {http_500}, "
        f"tracebacks in log {log.count('Traceback')}"
    )
    assert (len(acks), errors, missing, server_errors) == (VISITORS * MESSAGES_EACH, [], [], [])
    assert stored == VISITORS * MESSAGES_EACH
    assert http_500 == 0
    assert embedded["daphne"].alive() and http_ok(embedded["http"] + "/healthz")
    for widget in widgets:
        await widget.close()
