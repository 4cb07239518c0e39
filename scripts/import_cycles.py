"""Import cycles between the apps of a package (by default src/gridgov), read from the source.

An app is a sub-package of the package (a folder with __init__.py: air, people, workorders …);
the package's own top-level modules (inputs.py, errors.py, api.py …) are not apps. There is an
edge A → B when any module of app A imports anything of app B: at module level, inside a
function, or under `if TYPE_CHECKING:` (`--runtime-only` leaves those out), absolute or
relative. A cycle is a strongly connected component of two or more apps; for each one the
script prints its apps, one cycle through them, and the evidence (file:line) of every edge
inside it. The last line is the count:

    python scripts/import_cycles.py                  # src/gridgov
    python scripts/import_cycles.py --root path/pkg --max 0   # exit 1 if there is a cycle
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict, deque
from collections.abc import Iterable
from pathlib import Path

DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "src" / "gridgov"
SHOWN_PER_EDGE = 3  # evidence lines printed per edge (the rest are counted)

Graph = dict[str, set[str]]
Evidence = dict[tuple[str, str], list[str]]


def apps_of(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if (p / "__init__.py").is_file())


def _module_name(root: Path, path: Path) -> list[str]:
    """The dotted parts of the module at `path`, starting with the package's own name."""
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def _type_checking_lines(tree: ast.AST) -> set[int]:
    """The lines of the statements under `if TYPE_CHECKING:` (or `typing.TYPE_CHECKING`)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                for stmt in node.body:
                    for sub in ast.walk(stmt):
                        if hasattr(sub, "lineno"):
                            lines.add(sub.lineno)
    return lines


def imported_targets(node: ast.Import | ast.ImportFrom, module: list[str], is_package: bool):
    """The absolute dotted names an import statement reaches (a `from X import a, b` reaches
    X.a and X.b, so that `from gridgov import air` counts as importing the app air)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        package = module if is_package else module[:-1]
        base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
        prefix = ".".join([*base, *([node.module] if node.module else [])])
    else:
        prefix = node.module or ""
    return [f"{prefix}.{alias.name}" for alias in node.names] + [prefix]


def scan(root: Path, runtime_only: bool = False) -> tuple[list[str], Graph, Evidence]:
    """Every app, the app-to-app edges, and where each edge's imports are (path:line)."""
    apps = apps_of(root)
    known = set(apps)
    graph: Graph = {app: set() for app in apps}
    evidence: Evidence = defaultdict(list)
    package = root.name
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            skip = _type_checking_lines(tree) if runtime_only else set()
            module = _module_name(root, path)
            for node in ast.walk(tree):
                if not isinstance(node, ast.Import | ast.ImportFrom) or node.lineno in skip:
                    continue
                targets = imported_targets(node, module, path.name == "__init__.py")
                reached = set()
                for name in targets:
                    parts = name.split(".")
                    if len(parts) >= 2 and parts[0] == package and parts[1] in known:
                        reached.add(parts[1])
                for other in sorted(reached - {app}):
                    graph[app].add(other)
                    where = f"{path.relative_to(root.parent).as_posix()}:{node.lineno}"
                    evidence[(app, other)].append(where)
    return apps, graph, evidence


def strongly_connected(nodes: Iterable[str], graph: Graph) -> list[list[str]]:
    """Tarjan's algorithm, iterative; each component sorted, the components in order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(sorted(component))
    return sorted(found)


def one_cycle(component: list[str], graph: Graph) -> list[str]:
    """A shortest cycle through the component's first app (breadth-first, inside it)."""
    start = component[0]
    inside = set(component)
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph[node] & inside):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if child not in came_from:
                came_from[child] = node
                queue.append(child)
    return [start]


def report(root: Path, runtime_only: bool = False) -> tuple[int, list[str]]:
    """The number of cycles and the lines to print."""
    apps, graph, evidence = scan(root, runtime_only)
    cycles = [c for c in strongly_connected(apps, graph) if len(c) > 1]
    lines = []
    edges_inside = 0
    for number, component in enumerate(cycles, start=1):
        inside = set(component)
        edges = sorted((a, b) for a in component for b in graph[a] & inside)
        edges_inside += len(edges)
        lines.append(f"cycle {number}: {len(component)} apps: {', '.join(component)}")
        lines.append(f"  e.g. {' -> '.join(one_cycle(component, graph))}")
        for a, b in edges:
            where = evidence[(a, b)]
            more = f" (+{len(where) - SHOWN_PER_EDGE} more)" if len(where) > SHOWN_PER_EDGE else ""
            lines.append(f"  {a} -> {b}: {', '.join(where[:SHOWN_PER_EDGE])}{more}")
    in_cycles = sum(len(c) for c in cycles)
    lines.append(
        f"import cycles: {len(cycles)} (apps in them: {in_cycles} of {len(apps)}, "
        f"edges inside them: {edges_inside})"
    )
    return len(cycles), lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="the package's folder")
    parser.add_argument(
        "--runtime-only", action="store_true", help="leave out imports under TYPE_CHECKING"
    )
    parser.add_argument(
        "--max", type=int, default=None, help="exit 1 when there are more cycles than this"
    )
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if not root.is_dir():
        print(f"import_cycles: no such folder: {root}", file=sys.stderr)
        return 2
    count, lines = report(root, args.runtime_only)
    print("\n".join(lines))
    if args.max is not None and count > args.max:
        print(f"import_cycles: {count} cycles, more than --max {args.max}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
