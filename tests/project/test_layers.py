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
    ("__init__", "collector", "files", "interrupt", "nesting", "printable", "secret", "contract"),
    ("mock",),
    ("transport",),
    ("checks",),
    ("fake",),
    ("properties",),
    ("cassettes",),
    ("run",),
    ("reports",),
    ("audit",),
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


def defined(name: str) -> set[str]:
    """The modules that define `name` at their top level (a class, a function or an assignment)."""
    found = set()
    for module, path in MODULES.items():
        for node in ast.parse(path.read_text()).body:
            targets = [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)]
            if getattr(node, "name", None) == name or name in targets or getattr(getattr(node, "target", None), "id", None) == name:
                found.add(module)
    return found


def imports_of(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every `from module import name` in `path`."""
    return [
        (node.module or "", alias.name)
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    ]


def test_vcrpy_stays_inside_the_cassettes_layer() -> None:
    """Its exceptions and its API: a replay miss reaches the rest of the run as the transport's own NotRecorded."""
    outside = [m for m, path in MODULES.items() if layer(m) != "cassettes" and any(mod.startswith("vcr") for mod, _ in imports_of(path))]
    outside += [m for m, path in MODULES.items() if layer(m) != "cassettes" and "import vcr" in path.read_text()]
    assert outside == []


def test_what_serves_everyone_lives_at_the_bottom_and_each_fact_once() -> None:
    """The token's hiding in secret.py, the contract's hashes and base path in contract/: no layer borrows them from
    one above, and nothing says them twice."""
    assert defined("hide") == {"conformance.secret"}
    assert defined("contract_sha256") == defined("BASE_PATH") == {"conformance.contract"}


def test_no_module_imports_a_private_name_of_another() -> None:
    """A layer's public surface is what others use (the replay server serves with the mock's send_reply and lifespan)."""
    borrowed = [
        f"{module} imports {name} from {source}"
        for module, path in sorted(MODULES.items())
        for source, name in imports_of(path)
        if source.startswith("conformance") and name.startswith("_") and not name.startswith("__") and source != module
    ]
    assert borrowed == []


def test_names_that_meant_two_things_mean_one() -> None:
    """A run's Outcome and Verdict, and the command that runs the suite, each have one meaning, and one home."""
    assert {name: len(defined(name)) for name in ("Outcome", "Verdict", "run_suite", "group_of")} == {
        "Outcome": 1,
        "Verdict": 1,
        "run_suite": 0,
        "group_of": 1,
    }


def test_the_report_formats_are_the_renderers() -> None:
    assert defined("REPORT_FORMATS") == set() and defined("FORMATS") == {"conformance.reports"}


def test_only_the_run_and_its_plugin_read_the_live_run() -> None:
    """The verdict and every report read the run's record (plain data); the live run, its transport and its property
    layer are for the run's own modules, the pytest plugin and the suite's tests that send through it."""
    readers = {module for module, path in MODULES.items() if "conformance.run.live" in imported(path) or module == "conformance.run.live"}
    assert {layer(module) for module in readers} <= {"run", "plugin", "suite"}, sorted(readers)
