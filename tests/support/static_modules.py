"""The ES modules under static/: which files a page module loads, following its relative imports, so a
test without a browser can tell that every import names a file that exists."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static"

# `import ... from "./x.js"`, `export ... from "../y.js"`, `import "./z.js"` and `import("./w.js")`.
_IMPORT = re.compile(r"""(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}/[^"']+)["']""")


def module_imports(path: str) -> list[str]:
    """The static paths (``shared/socket.js``) that the module at static path ``path`` imports."""
    source = (STATIC / path).read_text()
    base = (STATIC / path).parent
    return [(base / spec).resolve().relative_to(STATIC).as_posix() for spec in _IMPORT.findall(source)]


def module_graph(entry: str) -> set[str]:
    """``entry`` and every module it loads, directly or not; AssertionError naming a missing one."""
    seen: set[str] = set()
    todo = [entry]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        assert (STATIC / path).is_file(), f"{path} is imported but is not in static/"
        seen.add(path)
        todo.extend(module_imports(path))
    return seen
