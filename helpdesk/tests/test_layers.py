"""Imports between our apps point one way: helpdesk <- inbox, tickets <- handoff <- chatbot; only the
project package (``config``: settings, urls, asgi, celery, routing) wires them together, and no app
imports it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {
    "config": {"helpdesk", "inbox", "tickets", "handoff", "chatbot"},
    "helpdesk": set(),
    "inbox": {"helpdesk"},
    "tickets": {"helpdesk"},
    "handoff": {"helpdesk", "inbox", "tickets"},
    "chatbot": {"helpdesk", "inbox", "tickets", "handoff"},
}


def imports_against_the_direction() -> list[str]:
    bad = []
    for app, allowed in ALLOWED.items():
        for path in (ROOT / app).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if "/tests/" in rel or "/migrations/" in rel:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    if top in ALLOWED and top != app and top not in allowed:
                        bad.append(f"{rel}:{node.lineno} imports {top}")
    return bad


def test_imports_point_one_way():
    assert imports_against_the_direction() == []
