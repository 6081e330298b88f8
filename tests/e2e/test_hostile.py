"""The hostile-input catalogue: what a hostile or careless world hands the tool (a cassette, a kept case, seed data,
an argument, a place to write) ends in bounded time and memory, with one line, the documented exit code, no traceback
and no token. Grouped by what each case attacks; the target, when there is one, is the embedded mock on loopback.
What a target itself does wrong is the fault catalogue's (test_faults.py)."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conformance.contract import load_contract
from conformance.mock import load_data
from conformance.properties import corpus
from conformance.properties.profiles import PROFILES
from conformance.transport.probes import Ids
from tests.conftest import ROOT, clean_env

pytestmark = pytest.mark.slow
CANARY = "canary-token-hostile-9c2e7a"
MEMORY = 1536 * 1024 * 1024  # bytes of address space a command may use; a 950-byte alias bomb once reached 5.5 GB
SHIPPED = yaml.safe_load((ROOT / "cassettes" / "reference-mock.yaml").read_text())
ALIAS_BOMB = (
    "a: &a ["
    + ",".join(['"lol"'] * 9)
    + "]\n"
    + "".join(f"{b}: &{b} [{','.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True))
)


@dataclass(frozen=True)
class Hostile:
    group: str  # what it attacks: cassette, cache, arguments, mock inputs, outputs
    argv: list[str]
    exit_code: int
    says: str  # what the one line (or, for a run that goes on, the notice) says
    prepare: Callable[[Path], None] = lambda folder: None
    seconds: float = 60


def write(name: str, content: str | bytes) -> Callable[[Path], None]:
    def prepare(folder: Path) -> None:
        (folder / name).write_bytes(content.encode() if isinstance(content, str) else content)

    return prepare


def shipped_with(edit: Callable[[dict], None]) -> str:  # type: ignore[type-arg]
    """The shipped cassette, edited: the same thing with one field made hostile."""
    cassette = json.loads(json.dumps(SHIPPED))
    edit(cassette)
    return yaml.safe_dump(cassette)


def interaction(number: int, *path: str, value: object) -> Callable[[dict], None]:  # type: ignore[type-arg]
    def edit(cassette: dict) -> None:  # type: ignore[type-arg]
        place = cassette["interactions"][number]
        for key in path[:-1]:
            place = place[key]
        place[path[-1]] = value

    return edit


def kept_phase(content: str) -> Callable[[Path], None]:
    """A kept phase of the embedded run's cases, in the cache the command reads (XDG_CACHE_HOME is the folder)."""

    def prepare(folder: Path) -> None:
        data = load_data()
        ids = Ids(data.account_id, data.app_id, tuple(data.session_ids))
        identity = corpus.made_for(load_contract(), PROFILES["ci"], 0, ids, "fuzzing")
        path = folder / "cache" / "rtk-conformance" / "corpus" / f"{corpus.key(identity)}.json"
        path.parent.mkdir(parents=True)
        path.write_text(content.replace("MADE_FOR", json.dumps(identity)))

    return prepare


def cassette_cases() -> dict[str, Hostile]:
    not_format = "is not in the cassette format:"
    return {
        "alias-bomb": Hostile(
            "cassette", ["run", "--cassette", "c.yaml"], 2, "a YAML alias", write("c.yaml", ALIAS_BOMB + "interactions: *i\n")
        ),
        "alias-bomb-in-a-method": Hostile(
            "cassette",
            ["run", "--cassette", "c.yaml"],
            2,
            "a YAML alias",
            write("c.yaml", ALIAS_BOMB + yaml.safe_dump(SHIPPED).replace("method: GET", "method: *i", 1)),
        ),
        "alias-bomb-served": Hostile("cassette", ["mock", "--cassette", "c.yaml"], 2, "a YAML alias", write("c.yaml", ALIAS_BOMB)),
        "larger-than-the-limit": Hostile(
            "cassette",
            ["run", "--cassette", "c.yaml", "--max-cassette", "1000"],
            2,
            "is larger than 1000 bytes",
            write("c.yaml", "#" * 1001),
        ),
        "endless": Hostile("cassette", ["run", "--cassette", "/dev/zero"], 2, "cassette /dev/zero is not a file"),
        "interactions-of-numbers": Hostile(
            "cassette",
            ["run", "--cassette", "c.yaml"],
            2,
            f"{not_format} interaction 0: 1 is not of type",
            write("c.yaml", shipped_with(lambda c: c.update(interactions=[1, 2, 3]))),
        ),
        "no-request": Hostile(
            "cassette",
            ["mock", "--cassette", "c.yaml"],
            2,
            f'{not_format} interaction 3: "request" is a required property',
            write("c.yaml", shipped_with(lambda c: c["interactions"][3].pop("request"))),
        ),
        "status-of-letters": Hostile(
            "cassette",
            ["run", "--cassette", "c.yaml"],
            2,
            f"{not_format} interaction 5, response.status.code",
            write("c.yaml", shipped_with(interaction(5, "response", "status", "code", value="abc"))),
        ),
        "status-1000": Hostile(
            "cassette",
            ["mock", "--cassette", "c.yaml"],
            2,
            "response.status.code: 1000 is greater than the maximum of 999",
            write("c.yaml", shipped_with(interaction(5, "response", "status", "code", value=1000))),
        ),
        "body-of-a-list": Hostile(
            "cassette",
            ["run", "--cassette", "c.yaml"],
            2,
            f"{not_format} interaction 2, response.body.string",
            write("c.yaml", shipped_with(interaction(2, "response", "body", "string", value=[1]))),
        ),
        "headers-of-a-string": Hostile(
            "cassette",
            ["run", "--cassette", "c.yaml"],
            2,
            f"{not_format} interaction 2, response.headers",
            write("c.yaml", shipped_with(interaction(2, "response", "headers", value="x"))),
        ),
        "escape-sequence-in-a-method": Hostile(
            "cassette",
            ["run", "--cassette", "c.yaml"],
            2,
            r'"G\u001b]0;owned\u0007" does not match',
            write("c.yaml", shipped_with(interaction(2, "request", "method", value="G\x1b]0;owned\x07"))),
        ),
        "unknown-edition": Hostile(
            "cassette",
            ["run", "--cassette", "c.yaml"],
            2,
            "names an edition this contract does not know (bogus)",
            write("c.yaml", shipped_with(lambda c: c["metadata"]["conformance"]["settings"].update(edition="bogus"))),
        ),
        "metadata-of-a-list": Hostile(
            "cassette",
            ["run", "--cassette", "c.yaml"],
            2,
            f"{not_format} metadata: [1] is not of type",
            write("c.yaml", shipped_with(lambda c: c.update(metadata=[1]))),
        ),
        "a-python-object": Hostile(
            "cassette",
            ["run", "--cassette", "c.yaml"],
            2,
            "not a readable cassette",
            write("c.yaml", "!!python/object/apply:os.system ['touch owned']\n"),
        ),
        "not-utf-8": Hostile(
            "cassette", ["run", "--cassette", "c.yaml"], 2, "not a readable cassette", write("c.yaml", b"interactions: [\xff]\n")
        ),
    }


def other_cases() -> dict[str, Hostile]:
    seed = {"account_id": "a", "app_id": "b", "tokens": {"realtime": ["t0123456789"]}, "sessions": []}
    return {
        "cache-entry-of-an-empty-list": Hostile(
            "cache", ["run"], 0, "set aside, at /cases: [] has less than 1 item", kept_phase('{"made_for": MADE_FOR, "cases": []}')
        ),
        "cache-entry-of-another-run": Hostile(
            "cache", ["run"], 0, "set aside, it was made for another run", kept_phase('{"made_for": {}, "cases": []}')
        ),
        "cache-entry-of-a-pickle": Hostile(
            "cache", ["run"], 0, "set aside, it is not readable JSON", kept_phase("\x80\x04\x95cos\nsystem\n")
        ),
        "a-spoofed-verdict-in-an-id": Hostile(
            "arguments",
            ["run", "--session-id", "a\nVerdict: CONFORMS: every check holds"],
            2,
            r"control character (a pasted newline?): a\nVerdict",
        ),
        "an-escape-sequence-in-an-id": Hostile(
            "arguments",
            ["run", "--app-id", "a\x1b]0;owned\x07"],
            2,
            r"app-id holds a control character (a pasted newline?): a\x1b]0;owned\x07",
        ),
        "an-id-of-70000-characters": Hostile("arguments", ["run", "--session-id", "s" * 70_000], 2, "session-id is 70000 characters long"),
        "a-billion-examples": Hostile("arguments", ["run", "--max-examples", "1000000000"], 2, "max-examples must be 0 to 100000"),
        "a-deadline-while-cases-are-made": Hostile(
            "arguments", ["run", "--fresh", "--max-examples", "100000", "--deadline", "3"], 2, "deadline (3 s, --deadline) passed"
        ),
        "nan-deadline": Hostile("arguments", ["run", "--deadline", "nan"], 2, "deadline must be a number of seconds above 0"),
        "port-99999": Hostile("arguments", ["mock", "--port", "99999"], 2, "a port is 0 to 65535, got 99999"),
        "a-dry-run-on-two-workers": Hostile("arguments", ["run", "--dry-run", "--", "-n", "2"], 0, "Dry run: nothing was sent."),
        "data-of-the-wrong-types": Hostile(
            "mock inputs",
            ["mock", "--port", "0", "--data", "d.json"],
            2,
            "/tokens/realtime: [] has less than 1 item",
            write("d.json", json.dumps({**seed, "tokens": {"realtime": []}})),
        ),
        "data-with-a-session-of-a-number": Hostile(
            "mock inputs",
            ["mock", "--port", "0", "--data", "d.json"],
            2,
            '/sessions/0: 1 is not of type "object"',
            write("d.json", json.dumps({**seed, "sessions": [1]})),
        ),
        "data-without-ids": Hostile(
            "mock inputs", ["mock", "--port", "0", "--data", "d.json"], 2, '"account_id" is a required property', write("d.json", "{}")
        ),
        "endless-data": Hostile(
            "mock inputs", ["mock", "--port", "0", "--data", "/dev/zero"], 2, "mock data file /dev/zero is larger than"
        ),
        "every-interface": Hostile(
            "mock inputs",
            ["mock", "--port", "0", "--host", "0.0.0.0"],
            2,
            "--host '0.0.0.0' is not loopback: it would expose a token-accepting server",
        ),
        "junit-on-a-full-disk": Hostile(
            "outputs",
            ["run", "--junitxml", "/dev/full", "--", "-m", "auth"],
            0,
            "ERROR: cannot write the JUnit XML /dev/full: No space left on device",
        ),
        "junit-under-a-file": Hostile(
            "outputs",
            ["run", "--junitxml", "/dev/full/j.xml", "--", "-m", "auth"],
            0,
            "ERROR: cannot write the JUnit XML /dev/full/j.xml: File exists",
        ),
        "report-under-a-file": Hostile(
            "outputs", ["run", "--report", "/dev/full/r.json", "--", "-m", "auth"], 0, "ERROR: cannot write the report /dev/full/r.json: "
        ),
        "one-path-twice": Hostile(
            "outputs", ["run", "--report", "x.json", "--junitxml", "x.json"], 2, "--report and --junitxml are both x.json"
        ),
    }


CATALOGUE = {**cassette_cases(), **other_cases()}


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


NAMES = sorted(CATALOGUE, key=lambda name: (CATALOGUE[name].group, name))


@pytest.mark.parametrize("name", NAMES)
def test_hostile_input_is_bounded_one_line_and_its_exit_code(name: str, tmp_path: Path) -> None:
    case = CATALOGUE[name]
    case.prepare(tmp_path)
    env = {**clean_env(), "CLOUDFLARE_API_TOKEN": CANARY, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "conformance", *case.argv],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=case.seconds,
        preexec_fn=limited,
    )
    took, printed = time.monotonic() - began, done.stdout + done.stderr
    assert done.returncode == case.exit_code, printed[-3000:]
    assert took < case.seconds and "Traceback" not in printed and "MemoryError" not in printed
    assert CANARY not in printed + "".join(
        p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file() and p.stat().st_size < 10**7
    )
    assert case.says in printed, printed[-3000:]
    if case.exit_code == 2 and not done.stdout:  # refused before the run: one line
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not (tmp_path / "owned").exists()
