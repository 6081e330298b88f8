"""The layout is the architecture: each folder of conformance/ is a layer, and imports go one way, from the contract
at the bottom up to the command line, with no circle between modules. Imports inside functions count too."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "conformance"
# Bottom to top: a module may import from its own layer and the layers below it, never from one above.
LAYERS = [
    ("__init__", "files", "interrupt", "printable", "secret", "contract"),
    ("mock",),
    ("cassettes",),
    ("transport",),
    ("checks",),
    ("fake",),
    ("properties",),
    ("run",),
    ("reports",),
    ("plugin",),
    ("suite",),
    ("selftest",),
    ("cli",),
    ("__main__",),
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imported(path: Path) -> set[str]:
    """The project's modules `path` imports, anywhere in it: `from conformance.x import y` is conformance.x.y when
    that is a module, else conformance.x."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("conformance")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("conformance"):
            for alias in node.names:
                found.add(f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in MODULES else node.module)
    return found


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_folder_and_top_module_has_a_layer() -> None:
    tops = {path.name.removesuffix(".py") for path in PACKAGE.iterdir() if path.suffix == ".py" or (path / "__init__.py").is_file()}
    assert tops == set(RANK)


def test_imports_go_one_way_from_the_contract_up_to_the_command_line() -> None:
    upward = [
        f"{module} ({layer(module)}) imports {target} ({layer(target)})"
        for module, path in sorted(MODULES.items())
        for target in sorted(imported(path))
        if RANK[layer(target)] > RANK[layer(module)]
    ]
    assert upward == []


def test_no_module_imports_itself_back_through_others() -> None:
    graph = {module: imported(path) - {module} for module, path in MODULES.items()}
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as circle:
        raise AssertionError(f"an import circle: {' -> '.join(circle.args[1])}") from None


def test_architecture_md_names_every_layer() -> None:
    text = (PACKAGE.parent / "ARCHITECTURE.md").read_text()
    named = {name for names in LAYERS for name in names if name not in ("__init__", "__main__")}
    assert [name for name in sorted(named) if f"`{name}/`" not in text and f"`{name}.py`" not in text] == []
