"""Imports between our apps point one way: helpdesk <- inbox, tickets <- handoff <- chatbot; only the
project package (``config``: settings, urls, asgi, celery, routing) wires them together, and no app
imports it.

Models follow the same order: a relation may name a model of its own app or of an app below
(``ForeignKey("helpdesk.Bot")``), never one above, and code does not reach a model of an app above
through ``apps.get_model`` or a relation's ``related_model``.
"""

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
RELATIONS = {"ForeignKey", "OneToOneField", "ManyToManyField"}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _string(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _referenced_apps(node: ast.AST) -> list[str]:
    """The apps a node names: imports, model references by string, and model lookups."""
    if isinstance(node, ast.Import):
        return [a.name.split(".")[0] for a in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [node.module.split(".")[0]]
    if isinstance(node, ast.Call):
        name = _name(node.func)
        first = (
            _string(node.args[0])
            if node.args
            else _string(next((k.value for k in node.keywords if k.arg == "to"), None))
        )
        if name in RELATIONS and first and "." in first:
            return [first.split(".")[0]]
        if name == "get_model" and first:
            return [first.split(".")[0]]
    return []


def _reaches_through_relation(node: ast.AST) -> bool:
    """``Model._meta.get_field("x").related_model``: a model of another app reached without naming it."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "related_model"
        and isinstance(node.value, ast.Call)
        and _name(node.value.func) == "get_field"
    )


def references_against_the_direction(root: Path = ROOT) -> list[str]:
    bad = []
    for app, allowed in ALLOWED.items():
        for path in (root / app).rglob("*.py"):
            rel = path.relative_to(root).as_posix()
            if "/tests/" in rel or "/migrations/" in rel:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if _reaches_through_relation(node):
                    bad.append(f"{rel}:{node.lineno} reaches a model through related_model")
                for top in _referenced_apps(node):
                    if top in ALLOWED and top != app and top not in allowed:
                        bad.append(f"{rel}:{node.lineno} refers to {top}")
    return bad


def test_imports_and_model_references_point_one_way():
    assert references_against_the_direction() == []


def test_the_check_sees_string_references_lookups_and_related_model(tmp_path):
    app = tmp_path / "inbox"
    app.mkdir()
    (app / "models.py").write_text(
        "from django.apps import apps\n"
        "from django.db import models\n"
        "class A(models.Model):\n"
        "    article = models.ForeignKey('chatbot.KnowledgeArticle', on_delete=models.CASCADE)\n"
        "    queue = models.ForeignKey(to='helpdesk.Queue', on_delete=models.CASCADE)\n"
        "Rule = apps.get_model('handoff', 'HandoffRule')\n"
        "Bot = A._meta.get_field('article').related_model\n",
        encoding="utf-8",
    )
    assert sorted(references_against_the_direction(tmp_path)) == [
        "inbox/models.py:4 refers to chatbot",
        "inbox/models.py:6 refers to handoff",
        "inbox/models.py:7 reaches a model through related_model",
    ]
