"""The tree shows the pipeline: one package per stage, imports only run down the stages, and no
module imports another that imports it back (checked on the source, TYPE_CHECKING blocks and
imports inside functions included)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTRACT = ROOT / "extract"

# Lowest first: a stage may import its own package and the stages before it.
STAGES = ["text", "places", "ingest", "llm", "kinds", "run", "review", "store", "api", "commands", "cli"]


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _stage(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "extract" or len(parts) == 1:
        return None  # the package itself: its lazy names may point anywhere
    return parts[1] if parts[1] in STAGES else None


def _imports(path: Path, modules: set[str]) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("extract"):
            # from extract.run import batch_api: the module it names, not the package's __init__
            named = {f"{node.module}.{a.name}" for a in node.names} & modules
            out |= named or {node.module}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("extract")}
    return out


def _graph() -> dict[str, set[str]]:
    paths = {_module(p): p for p in EXTRACT.rglob("*.py")}
    return {m: {i for i in _imports(p, set(paths)) if i in paths and i != m} for m, p in paths.items()}


def test_every_module_lives_in_a_stage_package():
    loose = sorted(m for m in _graph() if m != "extract" and _stage(m) is None)
    assert not loose, f"modules outside the stage packages: {loose}"


def test_imports_only_run_down_the_stages():
    bad = []
    for module, imported in _graph().items():
        here = _stage(module)
        if here is None:
            continue
        for other in imported:
            there = _stage(other)
            if there is not None and STAGES.index(there) > STAGES.index(here):
                bad.append(f"{module} -> {other}")
    assert not bad, "imports up the stages:\n" + "\n".join(sorted(bad))


def test_no_import_circles():
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    assert not circles, f"import circles: {circles}"
