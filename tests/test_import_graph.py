"""No import circles among playground's own modules, counting every import: at the top, inside functions, and
under `if TYPE_CHECKING:` (a circle closed only for the type checker is still a circle in the design).

Modules are found by walking the package on disk, so new subpackages are checked without a list to keep.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "playground"


def module_names(root: Path, package: str) -> dict[str, Path]:
    """Every module of the package: dotted name -> file (a package is its __init__.py)."""
    modules = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that this one imports anywhere in its text. `from a.b import c` counts a.b.c if that
    is a module, else a.b. The packages above an imported module are not counted: they hold docstrings and re-exports,
    and Python imports them first anyway."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from its own package (or the one above, per extra dot)
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                found.add(submodule if submodule in modules else source)
    return {imported for imported in found if imported in modules and imported != name}


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    modules = module_names(root, package)
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle per group of modules that import each other (Tarjan's strongly connected components), each
    written out as a path a -> b -> ... -> a; see tangled_groups for all of each group's modules."""
    return [_circle_through(group, graph) for group in tangled_groups(graph)]


def tangled_groups(graph: dict[str, set[str]]) -> list[set[str]]:
    """The groups of two or more modules in which each one reaches every other by imports."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node: str) -> None:  # recursion depth is at most the number of modules
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def _circle_through(group: set[str], graph: dict[str, set[str]]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node] & group):
                if target == start:
                    return paths[node] + [start]
                if target not in paths:
                    paths[target] = paths[node] + [target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"no circle through {start}")  # cannot happen in a strongly connected group


def test_playground_has_no_import_circles():
    graph = import_graph(ROOT, PACKAGE)
    assert len(graph) > 30 and "playground.pages.parts.common" in graph, "the walk found the package's modules"
    assert "playground.training.engine" in graph["playground.server.worker_process"], "imports inside functions count"
    circles = [
        f"{' -> '.join(_circle_through(group, graph))} (all tangled: {', '.join(sorted(group))})"
        for group in tangled_groups(graph)
    ]
    assert not circles, "import circles in playground/:\n" + "\n".join(circles)


def test_a_circle_closed_under_type_checking_or_inside_a_function_is_named(tmp_path):
    package = tmp_path / "pkg"
    (package / "inner").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "inner" / "__init__.py").write_text('"""A subpackage."""\n')
    (package / "a.py").write_text("from pkg.inner import b\n")
    (package / "inner" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.c import C\n"
    )
    (package / "c.py").write_text("def late():\n    from .inner.b import thing\n    from . import a\n")
    (package / "d.py").write_text("import pkg.a\n")  # leads into the circle, is not part of it
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.a"] == {"pkg.inner.b"} and graph["pkg.c"] == {"pkg.inner.b", "pkg.a"}
    assert import_circles(graph) == [["pkg.a", "pkg.inner.b", "pkg.c", "pkg.a"]]
    (package / "c.py").write_text("def late():\n    from .inner.b import thing\n")
    (package / "inner" / "b.py").write_text("")
    assert import_circles(import_graph(tmp_path, "pkg")) == []


# -- The parts: playground's subpackages, each saying in its docstring what it may import ------------------------

TOP = {"cli", "once"}  # modules at the top of playground, outside the parts (cli may import any part)


def part_of(module: str) -> str:
    """playground.server.workers -> server; playground.once -> once; playground -> "" (its __init__)."""
    return module.split(".")[1] if "." in module else ""  # "" for the package itself


def allowed_imports(part_folder: Path) -> set[str]:
    """The parts and top modules a part's __init__ docstring allows after "May import:" ("nothing else" = none)."""
    doc = ast.get_docstring(ast.parse((part_folder / "__init__.py").read_text())) or ""
    found = re.search(r"May import: (.*?)\.(\s|$)", doc, flags=re.S)
    assert found, f"{part_folder.name}/__init__.py does not say what the part may import"
    words = found.group(1).replace("\n", " ")
    if words.startswith("nothing"):
        return set()
    return {item.strip() for item in re.sub(r"\([^)]*\)", "", words).split(",")}


def test_each_part_imports_only_what_its_docstring_allows():
    graph = import_graph(ROOT, PACKAGE)
    parts = sorted(p for p in (ROOT / PACKAGE).iterdir() if (p / "__init__.py").is_file() and p.name != "pages")
    assert {p.name for p in parts} >= {"settings", "data", "network", "training", "server", "photos", "answers"}
    reaches = []
    for folder in parts:
        allowed = allowed_imports(folder) | {folder.name}
        for module, imported in graph.items():
            if part_of(module) != folder.name:
                continue
            for target in imported:
                if part_of(target) not in allowed:
                    reaches.append(f"{module} imports {target} ({folder.name} may import: {sorted(allowed)})")
    assert not reaches, "a part reaches outside what its docstring allows:\n" + "\n".join(sorted(reaches))


def test_the_top_of_playground_shows_the_parts():
    entries = [p for p in (ROOT / PACKAGE).iterdir() if p.name != "__pycache__"]
    assert len(entries) <= 14, sorted(p.name for p in entries)
    loose = {p.stem for p in entries if p.suffix == ".py"} - {"__init__", "__main__"}
    assert loose <= TOP, f"modules at the top that belong in a part: {sorted(loose - TOP)}"
