"""The embedded mode's SQLite takes many writers at once: no "database is locked", nothing lost.

The test database is in memory and shared by one connection, so it cannot show this: a subprocess runs
the product's own settings against a SQLite file, and threads (each with its own connection, as the ASGI
server's threads and eager tasks have) open conversations and store messages at the same moment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

WRITERS = r"""
import json, os, threading
import django
django.setup()
from django.core.management import call_command
from django.db import connection, connections
from chatbot.demo import demo_load
from helpdesk.models import Conversation, Message
from helpdesk.services import contact_create, conversation_start, message_create
from tests.support.db import every_tenant

call_command("migrate", verbosity=0, interactive=False)
bot = demo_load().bot
shared = [
    conversation_start(tenant=bot.tenant, bot_id=bot.pk, contact=contact_create(tenant=bot.tenant))
    for _ in range(3)
]
threads, per_thread = int(os.environ["WRITERS"]), int(os.environ["PER_WRITER"])
barrier, errors, lock = threading.Barrier(threads), [], threading.Lock()

def writer(index):
    try:
        barrier.wait()
        own = conversation_start(
            tenant=bot.tenant, bot_id=bot.pk, contact=contact_create(tenant=bot.tenant, name=f"v{index}")
        )
        for n in range(per_thread):
            for conversation in (own, shared[(index + n) % len(shared)]):
                message_create(
                    conversation=conversation, author_kind=Message.Author.CUSTOMER,
                    body=f"{index}-{n}", client_msg_id=f"{index}-{n}",
                )
    except Exception as error:
        with lock:
            errors.append(f"{type(error).__name__}: {error}")
    finally:
        connections.close_all()

workers = [threading.Thread(target=writer, args=(i,)) for i in range(threads)]
for w in workers: w.start()
for w in workers: w.join()
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
seqs = [sorted(every_tenant(Message).filter(conversation=c).values_list("seq", flat=True)) for c in shared]
print(json.dumps({
    "errors": errors,
    "journal": journal,
    "visitor_messages": every_tenant(Message).filter(conversation__contact__name__startswith="v").count(),
    "visitor_conversations": every_tenant(Conversation).filter(contact__name__startswith="v").count(),
    "shared_seqs": seqs,
}))
"""


def test_concurrent_writers_on_a_sqlite_file_all_succeed_and_every_row_is_stored(tmp_path):
    writers, per_writer = 16, 10
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        WRITERS=str(writers),
        PER_WRITER=str(per_writer),
        LOG_LEVEL="ERROR",
    )

    result = subprocess.run(
        [sys.executable, "-c", WRITERS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240
    )

    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["errors"] == []
    assert report["journal"] == "wal"
    assert report["visitor_conversations"] == writers
    assert report["visitor_messages"] == writers * per_writer
    assert sum(len(seqs) for seqs in report["shared_seqs"]) == writers * per_writer
    assert all(seqs == list(range(1, len(seqs) + 1)) for seqs in report["shared_seqs"])
