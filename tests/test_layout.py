"""The layout holds: no import cycles between sourcetrace's modules (imports made inside functions count
too: a function-local import hides a cycle at load time but keeps the modules tangled; imports under
`if TYPE_CHECKING:` are annotations only and do not count), the runtime never imports the trainers or
the scorers, and the package top keeps only entry points and shared basics."""

from __future__ import annotations

import ast
import fnmatch
import subprocess
import sys
import tomllib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "sourcetrace"


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _is_type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if _is_type_checking(node):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif node.module and node.level == 0:
                # `from sourcetrace.web import timeline` imports the submodule, not the package's front.
                targets = [
                    f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                    for a in node.names
                ]
            else:
                targets = []
            for target in targets:
                resolved = owner(target) if target.startswith("sourcetrace") else None
                if resolved and resolved != module:
                    graph[module].add(resolved)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
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
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_one_that_imports_it_back() -> None:
    cycles = _cycles(_graph(_modules()))
    assert not cycles, f"import cycles: {cycles}"


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for child in graph[todo.pop()]:
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


#: Parts a user's `analyze`, corpus, web and matching calls run; training and eval are built around them.
RUNTIME_PARTS = ("analyzer", "schema", "ingest", "nlp", "report", "corpus", "matching", "outlets", "web",
                 "encoders")


def test_the_runtime_never_imports_a_trainer_or_a_scorer() -> None:
    graph = _graph(_modules())
    runtime = [m for m in graph if m.split(".")[1:2] and m.split(".")[1] in RUNTIME_PARTS]
    assert len(runtime) > 60  # the parts above exist under these names
    offending = {
        module: sorted(r for r in _reachable(graph, module)
                       if r.startswith(("sourcetrace.training", "sourcetrace.eval")))
        for module in runtime
    }
    offending = {m: r for m, r in offending.items() if r}
    # Commands are faces, not runtime: `corpus ...` subcommands may not need the scorers either.
    assert not offending, f"runtime modules reaching training or eval: {offending}"


def test_the_package_top_keeps_at_most_eight_modules() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 8, top
    assert "model.py" not in top  # the report schema is `schema.py`: `model` names learned models


def test_every_trainer_lives_in_training() -> None:
    misplaced = sorted(
        str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
        if p.parent.name != "training" and ("train" in p.stem or p.stem.endswith("_build"))
    )
    assert not misplaced, misplaced


# ----------------------------------------------------------------------------- function-local imports
# The rule: a function-local import only defers an optional or heavy dependency, or keeps the modules
# that `sourcetrace --help` loads light. Standard-library modules are never worth deferring.

STDLIB = frozenset(sys.stdlib_module_names)


def _function_local_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            found += [n for n in ast.walk(fn) if isinstance(n, ast.Import | ast.ImportFrom)]
    return found


def test_no_function_local_import_of_the_standard_library() -> None:
    offending = []
    for name, path in _modules().items():
        for node in _function_local_imports(ast.parse(path.read_text(encoding="utf-8"))):
            module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            relative = isinstance(node, ast.ImportFrom) and node.level > 0
            if not relative and (module or "").split(".")[0] in STDLIB:
                offending.append(f"{name}:{node.lineno} {module}")
    assert not offending, offending


def test_the_command_line_starts_without_the_heavy_libraries() -> None:
    # What the deferred imports buy: `sourcetrace --help` and a corpus query start without them.
    heavy = ("numpy", "spacy", "sklearn", "scipy", "duckdb", "pyarrow", "torch", "fastapi", "dask",
             "trafilatura", "datasketch")
    code = "import sys, sourcetrace.cli; print(' '.join(m for m in sys.modules if '.' not in m))"
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
                 .stdout.split())
    assert "sourcetrace" in loaded
    assert not loaded & set(heavy), sorted(loaded & set(heavy))


# ------------------------------------------------------------------------------------------ the wheel


def _setuptools_config() -> dict:
    with open(PACKAGE.parents[1] / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["tool"]["setuptools"]


def test_the_wheel_ships_every_file_the_runtime_reads_and_no_trainer() -> None:
    config = _setuptools_config()
    globs = config["package-data"]["sourcetrace"]
    files = [p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*")
             if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    runtime_files = [f for f in files if not f.startswith("training/")]
    assert any(f.startswith("web/templates/") for f in runtime_files)
    unshipped = [f for f in runtime_files if not any(fnmatch.fnmatchcase(f, g) for g in globs)]
    assert not unshipped, f"package files the wheel would leave out: {unshipped}"
    assert "sourcetrace.training" in config["packages"]["find"]["exclude"]
    assert "training/*" in config["exclude-package-data"]["sourcetrace"]
