"""Page bench: queries, latency and query plans of the hot pages, against a tenant loaded by ``scale_data``.

Runs Django in this process against the configured database (``DATABASE_URL``, as the product reads it),
finds the tenant that ``manage.py scale_data`` made, logs in as its first agent with Django's test
client and makes a read-only API key of the tenant (deleted at the end). Then, for each page: a warm-up
request, one with its queries captured (their count, and an EXPLAIN of each SELECT, looking for a
sequential scan of a table with more than ``--large`` rows), then ``--runs`` timed requests. It prints
one line per page: status, queries, p50 and p95 in milliseconds, and the large tables scanned
sequentially, then the plans of the queries that scanned one.

    createdb -h 127.0.0.1 -U postgres helpdesk_scale
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk_scale
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py scale_data
    .venv/bin/python bench/pages.py                       # or: make bench-pages
    .venv/bin/python bench/pages.py --runs 50 --only inbox --explain

Requests do what a browser's do: opening a conversation moves the agent's read marker, and the API key
stamps its last use. Timed requests run with ``DEBUG`` off, so Django does not keep every query.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The bench asks more often than the API's default rate limit allows one key.
os.environ.setdefault("API_RATE_LIMIT", "100000/min")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from helpdesk.api_keys import api_key_create  # noqa: E402
from helpdesk.models import ApiKey, Conversation, Membership, Tenant  # noqa: E402


@dataclass
class PageResult:
    name: str
    path: str
    status: int = 0
    queries: int = 0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    slowest_query_ms: float = 0.0
    seq_scans: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def table_sizes() -> dict[str, int]:
    """Rows per table: the planner's estimate on PostgreSQL (fresh after ``scale_data``'s ANALYZE)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r' "
                "AND relnamespace = 'public'::regnamespace"
            )
            return dict(cursor.fetchall())
        sizes = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            sizes[table] = cursor.fetchone()[0]
        return sizes


def _pg_seq_scans(plan: dict) -> list[str]:
    found = []
    if plan.get("Node Type") == "Seq Scan":
        found.append(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found += _pg_seq_scans(child)
    return found


def seq_scanned(sql: str, sizes: dict[str, int], large: int, analyze: bool) -> tuple[list[str], str]:
    """The large tables the query reads sequentially, and its plan as text (as run, with ``analyze``)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            tables = _pg_seq_scans(plan[0]["Plan"])
            cursor.execute(("EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN ") + sql)
            text = "\n".join(row[0] for row in cursor.fetchall())
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            rows = [row[-1] for row in cursor.fetchall()]
            tables = [r.split()[1] for r in rows if r.startswith("SCAN ") and " USING " not in r]
            text = "\n".join(rows)
    return [t for t in tables if sizes.get(t, 0) > large], text


def measure(client: Client, name: str, path: str, args: argparse.Namespace, sizes: dict) -> PageResult:
    result = PageResult(name=name, path=path)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {args.api_key}"} if path.startswith("/api/") else {}
    # A first request settles what a first visit writes (a read marker, a session), so the captured one
    # shows what every later visit costs.
    client.get(path, **headers)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **headers)
    result.status = response.status_code
    result.queries = len(captured.captured_queries)
    for query in captured.captured_queries:
        result.slowest_query_ms = max(result.slowest_query_ms, float(query["time"]) * 1000)
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        tables, plan = seq_scanned(sql, sizes, args.large, args.analyze)
        for table in tables:
            if table not in result.seq_scans:
                result.seq_scans.append(table)
        if tables or args.explain:
            result.plans.append(f"{sql}\n{plan}")
    settings.DEBUG = False
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        client.get(path, **headers)
        times.append((time.perf_counter() - started) * 1000)
    settings.DEBUG = args.debug
    result.p50_ms = statistics.median(times)
    result.p95_ms = percentile(times, 95)
    return result


def pages(tenant: Tenant) -> list[tuple[str, str]]:
    conversations = Conversation.objects.for_tenant(tenant)
    longest = conversations.order_by("-last_seq").values_list("pk", flat=True).first()
    typical = conversations.filter(last_seq=10).values_list("pk", flat=True).first() or longest
    return [
        ("inbox: three lists", "/inbox/"),
        ("inbox: waiting", "/inbox/list/waiting/"),
        ("inbox: mine", "/inbox/list/mine/"),
        ("inbox: all open", "/inbox/list/open/"),
        ("inbox: all open, page 40", "/inbox/list/open/?page=40"),
        ("conversation: 10 messages", f"/inbox/c/{typical}/"),
        ("conversation: longest", f"/inbox/c/{longest}/"),
        ("conversation: longest, earlier", f"/inbox/c/{longest}/?before=1000"),
        ("tickets: unsolved", "/tickets/"),
        ("tickets: all", "/tickets/?status=all"),
        ("tickets: mine", "/tickets/?mine=on&status=all"),
        ("api: conversations", "/api/v1/conversations/"),
        ("api: waiting conversations", "/api/v1/conversations/?status=waiting"),
        ("api: messages of the longest", f"/api/v1/conversations/{longest}/messages/"),
        ("api: latest of the longest", f"/api/v1/conversations/{longest}/"),
        ("api: contacts", "/api/v1/contacts/"),
        ("api: tickets", "/api/v1/tickets/"),
        ("api: handoffs", "/api/v1/handoffs/"),
        ("api: handoff report (30 days)", "/api/v1/reports/handoffs/"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--tenant", default="scale", help="Slug of the tenant scale_data made (default scale)."
    )
    parser.add_argument("--runs", type=int, default=20, help="Timed requests per page (default 20).")
    parser.add_argument("--large", type=int, default=10_000, help="A table over this many rows is large.")
    parser.add_argument("--only", default="", help="Only pages whose name contains this, e.g. inbox or api.")
    parser.add_argument("--explain", action="store_true", help="Print every SELECT's plan, not only scans.")
    parser.add_argument(
        "--analyze", action="store_true", help="Run the printed plans (EXPLAIN ANALYZE, PostgreSQL): times."
    )
    parser.add_argument("--json", type=Path, help="Also write the results to this file.")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    args.debug = settings.DEBUG
    tenant = Tenant.objects.filter(slug=args.tenant).first()
    if tenant is None:
        print(f"No tenant {args.tenant!r} in {connection.settings_dict['NAME']}: load it first with")
        print(f"  manage.py scale_data --tenant {args.tenant}")
        return 2
    agent = (
        Membership.objects.for_tenant(tenant)
        .filter(role=Membership.Role.AGENT)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    client = Client()
    client.force_login(agent.user)
    key, args.api_key = api_key_create(tenant=tenant, name="page bench", scope=ApiKey.Scope.READ)
    sizes = table_sizes()
    conversations = Conversation.objects.for_tenant(tenant).count()
    print(
        f"Tenant {tenant.slug!r} on {connection.vendor} ({connection.settings_dict['NAME']}): "
        f"{conversations:,} conversations, about {sizes.get('helpdesk_message', 0):,} messages in the "
        f"database; agent {agent.user.username}; {args.runs} timed runs per page\n"
    )
    results = []
    try:
        header = (
            f"{'page':<32} {'status':>6} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8}  seq scans (large tables)"
        )
        print(header)
        print("-" * len(header))
        for name, path in pages(tenant):
            if args.only and args.only not in name:
                continue
            r = measure(client, name, path, args, sizes)
            results.append(r)
            scans = ", ".join(r.seq_scans) or "none"
            print(
                f"{name:<32} {r.status:>6} {r.queries:>7} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f}  {scans}",
                flush=True,
            )
    finally:
        key.delete()
    for r in results:
        for plan in r.plans:
            print(f"\n== {r.name} ({r.path})\n{plan}")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))
    return 1 if any(r.status != 200 for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
