"""Views and API modules read through scope helpers, never through ``Model.objects`` directly.

Every model a page or an API handler reads has a queryset method ``for_user(user)``
(``Model.objects.for_user(user)``) returning what that account may see; anything else a view
needs comes from its app's query functions. This script reads the source (no Django, no
imports) and lists every ``.objects`` attribute access in the modules named ``views*.py``,
``*_views.py``, ``api*.py`` or ``*_api.py`` under the package (by default src/gridgov), except
the ``.objects.for_user(`` chains:

    python scripts/no_objects_in_views.py                 # src/gridgov; exit 1 on any
    python scripts/no_objects_in_views.py --root path/pkg

Each finding is printed as ``path:line: Model.objects`` (path relative to the root's parent);
the last line is the count. Exit 0 when there is none, 1 otherwise, 2 for a missing folder.
"""

from __future__ import annotations

import argparse
import ast
import sys
from fnmatch import fnmatch
from pathlib import Path

DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "src" / "gridgov"
PATTERNS = ("views*.py", "*_views.py", "api*.py", "*_api.py")


def is_view_module(path: Path) -> bool:
    return any(fnmatch(path.name, pattern) for pattern in PATTERNS)


def _owner(node: ast.expr) -> str:
    """The name before ``.objects``: ``Region`` in ``Region.objects``, ``services.Allocation``
    in ``services.Allocation.objects``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_owner(node.value)}.{node.attr}"
    return "<expression>"


def findings(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, owner) of each ``.objects`` access that is not ``.objects.for_user(...)``."""
    allowed: set[int] = set()  # ids of the .objects nodes inside an .objects.for_user( call
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "for_user"
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr == "objects"
        ):
            allowed.add(id(node.func.value))
    found = [
        (node.lineno, _owner(node.value))
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "objects" and id(node) not in allowed
    ]
    return sorted(found)


def check(root: Path) -> list[str]:
    lines = []
    for path in sorted(root.rglob("*.py")):
        if not is_view_module(path):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        shown = path.relative_to(root.parent).as_posix()
        for line, owner in findings(tree):
            lines.append(f"{shown}:{line}: {owner}.objects")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="the package's folder")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if not root.is_dir():
        print(f"no_objects_in_views: no such folder: {root}", file=sys.stderr)
        return 2
    lines = check(root)
    for line in lines:
        print(line)
    print(f".objects reads in views and API modules: {len(lines)}")
    if lines:
        print("read through Model.objects.for_user(user) or the app's query functions")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
