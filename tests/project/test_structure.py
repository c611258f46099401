"""The shape of the code: packages by role, dependencies that point one way, tests that mirror.

Read from the source with `ast`, nothing imported: a newcomer's map of the tree stays true only
if a change that breaks it fails here. Imports inside functions count, and so do
`importlib.import_module("pipeline...")` calls with a literal name, since a lazy import is still
a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TREES = {"pipeline": ROOT / "pipeline",
         "pytest_ml_test_score": ROOT / "scoring/src/pytest_ml_test_score"}
MAX_TOP_LEVEL_MODULES = 12
STAGES = "pipeline.stages"


def module_files(package: str) -> dict[str, Path]:
    """Every module of a package tree by dotted name (a package by its `__init__`)."""
    base = TREES[package]
    modules = {}
    for path in sorted(base.rglob("*.py")):
        parts = list(path.relative_to(base.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _imported_names(path: Path, module: str) -> Iterator[str]:
    """Dotted names a module imports: statements anywhere in it and literal import_module calls."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and getattr(node.func, "attr", getattr(node.func, "id", None))
              in {"import_module", "__import__"}):
            yield node.args[0].value


def import_graph(package: str) -> dict[str, set[str]]:
    """Module -> the modules of the same tree it imports (a name resolves to the deepest module)."""
    modules = module_files(package)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imported in _imported_names(path, name):
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("package", sorted(TREES))
def test_no_import_cycle(package: str) -> None:
    """Red when: two modules import each other, directly, through others or through importlib."""
    assert cycles(import_graph(package)) == []


def test_the_cycle_check_sees_a_cycle_made_through_importlib(tmp_path: Path) -> None:
    """The check is not blind to the lazy kind of cycle it exists to catch."""
    (tmp_path / "a.py").write_text("import importlib\n"
                                   "def f():\n    return importlib.import_module('pkg.b')\n")
    (tmp_path / "b.py").write_text("from pkg.a import f\n")
    names = {"pkg.a": tmp_path / "a.py", "pkg.b": tmp_path / "b.py"}
    graph = {name: {n for n in _imported_names(path, name) if n in names}
             for name, path in names.items()}
    assert cycles(graph) == [["pkg.a", "pkg.b"]]


def test_only_stages_import_stages() -> None:
    """Red when: a library module, a server or a monitor imports a DVC stage: stages are the top
    of the dependency graph (parse, call, write), never a library."""
    offenders = sorted(f"{name} -> {target}" for name, targets in import_graph("pipeline").items()
                       if not name.startswith(STAGES)
                       for target in targets if target.startswith(f"{STAGES}."))
    assert offenders == []


def test_pipeline_is_split_into_packages_by_role() -> None:
    """At most a handful of shared modules at the top; every subpackage says what lives there."""
    base = TREES["pipeline"]
    top_level = sorted(p.name for p in base.glob("*.py"))
    assert len(top_level) <= MAX_TOP_LEVEL_MODULES, top_level
    packages = sorted(p.parent for p in base.rglob("__init__.py") if p.parent != base)
    assert packages
    folders_with_code = {p.parent for p in base.rglob("*.py")}
    assert folders_with_code <= {base, *packages}, "a folder of modules without __init__.py"
    undocumented = [str(p.relative_to(ROOT)) for p in packages
                    if not ast.get_docstring(ast.parse((p / "__init__.py").read_text()))]
    assert undocumented == []


def _source_modules(base: Path) -> set[Path]:
    """Source modules by path without suffix; `__main__` is tested as `test_main`."""
    modules = set()
    for path in base.rglob("*.py"):
        if path.name == "__init__.py":
            continue
        relative = path.relative_to(base).with_suffix("")
        modules.add(relative.with_name("main") if path.name == "__main__.py" else relative)
    return modules


def _defines_behaviour(path: Path) -> bool:
    """Whether a module holds code to test: a function or method, not only names and constants."""
    return any(isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
               for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))))


def _tested_by_the_suites() -> set[str]:
    """Pipeline modules a rubric-suite test module imports: their tests live with the item."""
    modules = module_files("pipeline")
    found = set()
    for path in (ROOT / "ml_tests").rglob("test_*.py"):
        for name in _imported_names(path, "ml_tests"):
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def test_pipeline_tests_mirror_the_source_tree() -> None:
    """Red when: a unit test module is named after no source module (tests grown by accretion),
    or a module with behaviour has no test home: neither `tests/pipeline/<path>/test_<name>.py`
    nor a rubric-suite test that imports it."""
    tests = ROOT / "tests/pipeline"
    base = TREES["pipeline"]
    sources = _source_modules(base)
    named = {p.relative_to(tests).with_name(p.stem.removeprefix("test_"))
             for p in tests.rglob("test_*.py")}
    assert sorted(map(str, named - sources)) == [], "test modules named after no source module"
    suites = _tested_by_the_suites()
    homeless = sorted(
        str(module) for module in sources - named
        if _defines_behaviour(base / (module.with_name("__main__") if module.name == "main"
                                      else module).with_suffix(".py"))
        and "pipeline." + ".".join(module.parts) not in suites)
    assert homeless == [], "modules with neither a unit test module nor a rubric-suite test"


def _rubric_marked(path: Path) -> list[str]:
    """Where a module marks tests with a rubric item: decorators and `pytestmark`."""
    def is_rubric(node: ast.AST) -> bool:
        target = node.func if isinstance(node, ast.Call) else node
        return (isinstance(target, ast.Attribute) and target.attr == "rubric"
                and isinstance(target.value, ast.Attribute) and target.value.attr == "mark")

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found += [f"{path.relative_to(ROOT)}:{node.lineno}"
                      for decorator in node.decorator_list if is_rubric(decorator)]
        elif (isinstance(node, ast.Assign)
              and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
              and any(is_rubric(child) for child in ast.walk(node.value))):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_rubric_marks_live_in_the_rubric_suites_only() -> None:
    """Red when a test outside ml_tests/ carries a rubric mark: `pytest -m data` collects the
    rubric suites alone (conftest.py), so such a test would count in a full run and silently
    drop out of its section's run."""
    assert _rubric_marked(ROOT / "ml_tests/data/test_schema.py"), "the check sees no mark"
    outside = [place for tree in ("tests", "scoring/tests") for path in (ROOT / tree).rglob("*.py")
               for place in _rubric_marked(path)]
    assert outside == []
