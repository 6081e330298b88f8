"""tests/unit/ is in-process: no file there imports what starts a process, nor the helpers that run one. A test that
needs a process of its own is end-to-end, in tests/e2e/ (tests/unit/conftest.py also refuses a process at run time)."""

from __future__ import annotations

import ast

from tests.conftest import ROOT

UNIT = ROOT / "tests" / "unit"
MODULES = {"subprocess", "multiprocessing", "concurrent.futures.process", "pty"}  # and their submodules
# Names that start or stand for a process: the project's helpers, and what Python offers beside the modules above
# (os.system is left out: test_corpus.py pickles it, as the payload that must never run).
NAMES = {
    "run_cli",
    "start_cli",
    "ctrl_c_to_the_group",
    "Child",
    "sys.executable",
    "os.fork",
    "os.forkpty",
    "os.popen",
    "os.posix_spawn",
    "os.posix_spawnp",
    "ProcessPoolExecutor",
    "helper_pool",
}


def dotted(node: ast.AST) -> str:
    """`a.b.c` for a name or an attribute chain, '' for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = dotted(node.value)
        return f"{head}.{node.attr}" if head else ""
    return ""


def starts_a_process(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in MODULES)


def what_starts_processes(source: str, name: str) -> list[str]:
    """Each import of a module that starts processes, and each use of a name that starts one, as 'name:line: what'."""
    found = []
    for node in ast.walk(ast.parse(source, name)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names if starts_a_process(alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if starts_a_process(node.module):
                names = [node.module]
            names += [alias.name for alias in node.names if alias.name in NAMES or starts_a_process(f"{node.module}.{alias.name}")]
        elif isinstance(node, (ast.Name, ast.Attribute)) and dotted(node) in NAMES:
            names = [dotted(node)]
        found += [(getattr(node, "lineno", 0), what) for what in names]
    return [f"{name}:{line}: {what}" for line, what in sorted(found, key=lambda hit: hit[0])]


def test_no_unit_test_file_imports_or_uses_what_starts_a_process() -> None:
    files = [path for path in sorted(UNIT.glob("*.py")) if path.name != "conftest.py"]  # conftest.py is the guard
    assert len(files) > 10
    assert [hit for path in files for hit in what_starts_processes(path.read_text(), str(path.relative_to(ROOT)))] == []


def test_the_check_finds_each_way_in() -> None:
    """The check itself, on a file that does each of them."""
    source = """
import subprocess
import multiprocessing.pool
from concurrent.futures import ProcessPoolExecutor
from tests.conftest import run_cli, ctrl_c_to_the_group
import sys, os
x = sys.executable
os.fork()
"""
    assert [hit.split(": ", 1)[1] for hit in what_starts_processes(source, "sample.py")] == [
        "subprocess",
        "multiprocessing.pool",
        "ProcessPoolExecutor",
        "run_cli",
        "ctrl_c_to_the_group",
        "sys.executable",
        "os.fork",
    ]
