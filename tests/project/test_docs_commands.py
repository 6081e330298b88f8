"""Every command in README.md and docs/*.md runs as written, in order, in a fresh venv (docs/developing.md states the
convention this test holds the pages to).

- A `sh` block runs with `bash -e`, from the root of a temporary copy of the checkout (what the commands write, a
  report or a cassette, lands there, never in the checkout), with the fresh venv's bin first on PATH, a HOME of its
  own and no CLOUDFLARE_* or CONFORMANCE_* variable but those the page's own blocks exported. It must exit 0, or the
  status its last line states with a trailing `# exits N`.
- A block whose first line is `# needs a live Cloudflare API token` is not run; it must target the live API.
- A block whose first line begins with `# in another terminal` is started in the background, in a process group of its
  own; the test waits for its signal (`rtk-conformance mock` and `proxy`: their `export NAME=value` lines, applied to
  the page's later blocks as a user pasting them would), and stops the group at the page's end, whatever happened.
- README's quick start is left to CI: `.ci/run` runs both its commands as written, and tests/project/test_readme.py
  pins them. Here they would download the dependencies, and run the project's whole test run inside one of its tests.
- docs/selftest.md runs the selftest of the whole catalogue (a minute and more on two cores): that page is `slow`. The
  other pages take about a minute in all, spread over the workers.

Offline, as tests/project/test_install.py: its fixtures build the wheel and install it alone into a fresh venv, the
dependencies reached from this environment as plain directories; the console scripts pip would install with them
(`pytest` above all) are added to the venv's bin here.
"""

from __future__ import annotations

import contextlib
import email.parser
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.conftest import ROOT  # the checkout: tests/ and its parent, nothing beside it
from tests.project.test_install import built, fresh_venv  # noqa: F401  (the fixtures: the wheel, in a fresh venv)

LIVE = "# needs a live Cloudflare API token"
LIVE_API = "https://api.cloudflare.com/"
BACKGROUND = "# in another terminal"
QUICK_START = ["python -m pip install . && rtk-conformance run", 'python -m pip install -e ".[test]" && python -m pytest']
SHELL_LANGUAGES = {"", "sh", "bash", "shell", "console", "zsh", "shell-session"}  # untagged counts: it may hide a command
SLOW_PAGES = {"docs/selftest.md"}  # `rtk-conformance selftest`: every mutant and variant, a minute and more
# What a background command prints once it is ready, as the names of the variables it exports.
MOCK_EXPORTS = {"CONFORMANCE_TARGET", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID", "CONFORMANCE_APP_ID", "CONFORMANCE_SESSION_ID"}
SIGNALS = {"rtk-conformance mock": MOCK_EXPORTS, "rtk-conformance proxy": {"CLOUDFLARE_BASE_URL"}}
SIGNAL_TIMEOUT = 60.0  # seconds for a background command to give its signal: generous, it takes one or two
BLOCK_TIMEOUT = 600.0  # seconds for a block: the whole selftest takes a minute or two
STOP_TIMEOUT = 30.0  # seconds for a stopped process group to end before it is killed


@dataclass(frozen=True)
class Block:
    page: str  # relative to the checkout: README.md, docs/pytest.md
    line: int  # of the opening fence
    language: str
    text: str

    @property
    def first_line(self) -> str:
        return self.text.splitlines()[0] if self.text.strip() else ""

    @property
    def kind(self) -> str:
        if self.text.splitlines() == QUICK_START:
            return "quick start"
        if self.first_line.startswith(LIVE):
            return "live"
        return "background" if self.first_line.startswith(BACKGROUND) else "run"

    @property
    def runs(self) -> bool:
        return self.kind in ("run", "background")

    @property
    def has_placeholder(self) -> bool:
        return any("..." in command or "…" in command for command in self.commands)

    @property
    def expected_status(self) -> int:
        stated = re.search(r"(?:^|\s)# exits (\d+)\b", (self.text.rstrip().splitlines() or [""])[-1])
        return int(stated[1]) if stated else 0

    @property
    def commands(self) -> list[str]:
        """Its lines without comments, blank ones left out."""
        return [code_of(line).strip() for line in self.text.splitlines() if code_of(line).strip()]

    def __str__(self) -> str:
        commands = self.commands
        then = f", then {commands[0]!r}" if commands and not self.first_line.startswith(commands[0]) else ""
        return f"{self.page}, line {self.line}: {self.first_line!r}{then}"


def blocks_of(page: Path) -> list[Block]:
    text = page.read_text()
    name = page.relative_to(ROOT).as_posix()
    found = re.finditer(r"^([ \t]*)```([^`\n]*)\n(.*?)^\1```[ \t]*$", text, re.M | re.S)  # indented in a list too
    return [Block(name, text.count("\n", 0, m.start()) + 1, m[2].strip(), textwrap.dedent(m[3])) for m in found]


PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCKS = [block for page in PAGES for block in blocks_of(page)]
SHELL_BLOCKS = [block for block in BLOCKS if block.language == "sh"]
PAGES_TO_RUN = list(dict.fromkeys(b.page for b in SHELL_BLOCKS if b.runs))  # in PAGES' order


def code_of(line: str) -> str:
    """A shell line without its comment (a # that starts a word)."""
    return re.split(r"(?:^|\s)#", line, maxsplit=1)[0]


def test_every_shell_block_runs_or_is_marked_as_needing_the_live_api() -> None:
    assert PAGES_TO_RUN, "no sh block found to run"
    unlabelled = [str(b) for b in BLOCKS if b.language in SHELL_LANGUAGES - {"sh"}]
    assert unlabelled == [], "label each block sh (it runs) or text (an output sample, not run)"
    live_elsewhere = [str(b) for b in SHELL_BLOCKS if b.kind == "live" and LIVE_API not in b.text]
    assert live_elsewhere == [], f"a block marked {LIVE!r} targets the live API ({LIVE_API})"
    unmarked_live = [str(b) for b in SHELL_BLOCKS if b.kind != "live" and LIVE_API in b.text]
    assert unmarked_live == [], f"a block that targets the live API is marked {LIVE!r}"
    placeholders = [str(b) for b in SHELL_BLOCKS if b.runs and b.has_placeholder]
    assert placeholders == [], "a block that runs has no placeholder: the reference mock and its variables stand in"
    assert [b.page for b in SHELL_BLOCKS if b.kind == "quick start"] == ["README.md"]  # left to .ci/run, nothing else
    background = [str(b) for b in SHELL_BLOCKS if b.kind == "background" and signal_of(b) is None]
    assert background == [], f"a background block starts a command with a known signal: {sorted(SIGNALS)}"


def signal_of(block: Block) -> set[str] | None:
    return next((names for start, names in SIGNALS.items() if block.commands and block.commands[0].startswith(start)), None)


@pytest.fixture(scope="module")
def venv_bin(built: dict[str, Path], fresh_venv: Path) -> Path:  # noqa: F811  (the fixtures imported above)
    """The fresh venv's bin, with the console scripts of the wheel's dependencies as pip would have written them."""
    bin_dir = fresh_venv / "bin"
    with zipfile.ZipFile(built["wheel"]) as wheel:
        meta = next(name for name in wheel.namelist() if name.endswith(".dist-info/METADATA"))
        requires = email.parser.Parser().parsestr(wheel.read(meta).decode()).get_all("Requires-Dist") or []
    for text in requires:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):  # an extra's, or another Python's
            continue
        for entry in metadata.distribution(requirement.name).entry_points.select(group="console_scripts"):
            launcher = bin_dir / entry.name
            if not launcher.exists():
                head = entry.attr.split(".")[0]
                launcher.write_text(f"#!{bin_dir / 'python'}\nimport sys\nfrom {entry.module} import {head}\nsys.exit({entry.attr}())\n")
                launcher.chmod(0o755)
    return bin_dir


def copy_of_the_checkout(destination: Path) -> Path:
    """The checkout's files (tracked, and new ones not ignored) as they are now, without .git, .venv or caches."""
    command = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    listed = subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        if (ROOT / name).is_file():  # a tracked file may be deleted in the working tree
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, destination / name)
    return destination


def environment(bin_dir: Path, home: Path) -> dict[str, str]:
    """This process's environment as a newcomer's shell with the fresh venv activated: nothing a run reads."""
    dropped = ("CLOUDFLARE_", "CONFORMANCE_", "PYTHON", "PYTEST", "VIRTUAL_ENV", "XDG_", "GITHUB_STEP_SUMMARY")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    ours = {str(Path(sys.executable).parent), str(Path(sys.prefix) / "bin")}  # this environment's bin: never reached
    path = [str(bin_dir), *(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p not in ours)]
    return {**env, "PATH": os.pathsep.join(path), "VIRTUAL_ENV": str(bin_dir.parent), "HOME": str(home)}


def started(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """A block's shell, leading a process group of its own, its output and errors in one pipe."""
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def stop(process: subprocess.Popen[str], how: signal.Signals = signal.SIGTERM) -> None:
    """Stop a block's process group (it started one of its own) and wait for its leader."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, how)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    with contextlib.suppress(ProcessLookupError):  # what the block left behind in its group
        os.killpg(process.pid, signal.SIGKILL)


def tail(output: str, lines: int = 30) -> str:
    return "\n".join(output.rstrip().splitlines()[-lines:])


class Background:
    """A background block: its process group, and its output read as it comes (a full pipe would stall it)."""

    def __init__(self, block: Block, cwd: Path, env: dict[str, str]) -> None:
        self.block = block
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        command = ["bash", "-e", "-c", block.text]
        self.process = started(command, cwd, env)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def exports(self, names: set[str]) -> dict[str, str]:
        """The variables its `export` lines set, once every one of `names` is there."""
        exported: dict[str, str] = {}
        deadline = time.monotonic() + SIGNAL_TIMEOUT
        while not names <= exported.keys():
            try:
                line = self.lines.get(timeout=max(deadline - time.monotonic(), 0))
            except queue.Empty:
                missing = sorted(names - exported.keys())
                pytest.fail(f"{self.block}: no `export` of {missing} in {SIGNAL_TIMEOUT:.0f} s; its output:\n{tail(''.join(self.seen))}")
            if line is None:
                pytest.fail(f"{self.block}: ended before its `export` lines; its output ends:\n{tail(''.join(self.seen))}")
            self.seen.append(line)
            if line.startswith("export "):  # as a shell reads it: `export NAME=value`, the value maybe quoted
                name, _, value = shlex.split(line)[1].partition("=")
                exported[name] = value
        return exported

    def stop(self) -> None:
        stop(self.process)
        self.reader.join(timeout=STOP_TIMEOUT)
        if self.process.stdout is not None:
            self.process.stdout.close()


def run_block(block: Block, cwd: Path, env: dict[str, str], scratch: Path) -> tuple[dict[str, str], Path]:
    """Run one block as typed into a shell; return the shell's environment and directory after it."""
    state = scratch / f"{block.line}.env"
    script = scratch / f"{block.line}.sh"
    script.write_text(f"{block.text}\nenv -0 > {shlex.quote(str(state))}\n")  # what the next block's shell inherits
    process = started(["bash", "-e", str(script)], cwd, env)
    try:
        output, _ = process.communicate(timeout=BLOCK_TIMEOUT)
    except subprocess.TimeoutExpired:
        stop(process, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"{block}: still running after {BLOCK_TIMEOUT:.0f} s; its output ends:\n{tail(output)}")
    finally:
        stop(process, signal.SIGKILL)  # anything it left running in its group; a no-op when it ended whole
    if process.returncode != block.expected_status:
        pytest.fail(f"{block}: exit {process.returncode}, not {block.expected_status}; its output ends:\n{tail(output)}")
    if not state.exists():  # a block documented to exit non-zero stops before the last line
        return env, cwd
    after = dict(entry.split("=", 1) for entry in state.read_text().split("\0") if "=" in entry)
    directory = Path(after.pop("PWD", str(cwd)))
    return {k: v for k, v in after.items() if k not in ("_", "SHLVL", "OLDPWD")}, directory


@pytest.mark.parametrize("page", [pytest.param(p, marks=[pytest.mark.slow] if p in SLOW_PAGES else []) for p in PAGES_TO_RUN])
def test_the_commands_of_the_page_run_as_written(page: str, venv_bin: Path, tmp_path: Path) -> None:
    checkout = copy_of_the_checkout(tmp_path / "checkout")
    scratch = tmp_path / "blocks"
    scratch.mkdir()
    (tmp_path / "home").mkdir()
    env, cwd = environment(venv_bin, tmp_path / "home"), checkout
    background: list[Background] = []
    try:
        for block in (b for b in SHELL_BLOCKS if b.page == page and b.runs):
            if block.kind == "background":
                background.append(Background(block, cwd, env))
                names = signal_of(block)
                assert names is not None, block
                env = {**env, **background[-1].exports(names)}
            else:
                env, cwd = run_block(block, cwd, env, scratch)
    finally:
        for process in background:
            process.stop()
