"""The suite fuzzes itself: `rtk-conformance run` against hostile targets whose every answer is newly drawn
(tests/e2e/hostile_targets.py), as a run, and as a recording and its replay. Whatever the target answers:

- the run ends with an exit code of the documented table (0, 1 or 2), never "the suite itself failed", never a
  traceback (`Traceback`, `INTERNALERROR`) or a MemoryError on stdout or stderr;
- its peak memory stays under PEAK_RSS (a run past ADDRESS_SPACE is stopped by the kernel: a violation too), and its
  wall time under its --deadline plus MARGIN;
- the token is in no byte of stdout, stderr or any file it writes (report, JUnit, cassette, cache), in any form a
  target can echo it in (tests/e2e/leaks.py).

Hypothesis draws each example's plan (a seed, a weighting of the kinds of response, how often hostile layers go on
top, the edition, the report's format); the server draws each response from a random stream of that seed. Every
violation is collected, with the plan, the command and the responses served, and the test fails at the end listing
them all: one run shows every class of violation, not the first. The default budget runs one fixed plan (about 25 s);
`pytest -m fuzz -n 0 tests/e2e/test_fuzz_targets.py` runs the long one (at least FUZZ_RESPONSES drawn responses)."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import gzip
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from conformance.mock.app import BASE_PATH
from tests.conftest import clean_env
from tests.e2e import hostile_targets, leaks
from tests.e2e.hostile_targets import KINDS, Context, Stream, serving

# The run's API token, what must never come out. A `/` as an API key may hold (a JSON encoder may write it `\/`), and
# `~~~???`, which put a `+` and a `/` in its base64 at every byte alignment: the standard and URL-safe forms differ.
CANARY = "canary/fuzz-~~~???-7Qp2xZ9wLm4KbT"
MiB = 1024 * 1024
PEAK_RSS = 512 * MiB  # resident memory a run may reach at its peak
ADDRESS_SPACE = 3 * 1024 * MiB  # address space a run is given: past it, a MemoryError or a kill (a bomb inflated)
TIMEOUT = 2.0  # --timeout: seconds per request
DEADLINE = 60.0  # --deadline: seconds per run
MARGIN = 30.0  # seconds a run may take past its deadline: the last request, the reports
FUZZ_RESPONSES = 2_000  # drawn responses the long budget meets at least
BROKE = ("Traceback", "INTERNALERROR", "MemoryError", "the suite itself failed")
DATA = hostile_targets.data_for(CANARY)
IDS = ["--account-id", DATA.account_id, "--app-id", DATA.app_id, *(a for s in DATA.session_ids for a in ("--session-id", s))]


@dataclass(frozen=True)
class Plan:
    """One example: what the target draws from, and how the run is asked."""

    seed: int
    weights: dict[str, int]
    rate: float  # how often hostile layers go on top of a response
    edition: str  # the reference mock's edition
    max_examples: int  # the run's --max-examples
    report: str  # the suffix of the run's --report
    hostile_preflight: bool  # whether the preflight is drawn too (mostly, the run then ends there)

    def stream(self, salt: int) -> Stream:
        return Stream(self.seed + salt, self.weights, self.rate, Context(DATA, self.edition), self.hostile_preflight)


@dataclass
class Ran:
    """A finished command: what it printed, how it ended, how long it took, its peak resident memory."""

    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss: int


@dataclass(frozen=True)
class Violation:
    invariant: str
    detail: str
    run: str  # plain, record or replay
    plan: Plan
    argv: list[str]
    served: str  # where the responses served are listed

    def __str__(self) -> str:
        again = f"python -m tests.e2e.test_fuzz_targets '{json.dumps(dataclasses.asdict(self.plan))}' {self.run}"
        return (
            f"[{self.invariant}] {self.detail}\n    run: {self.run}, plan: {self.plan}\n"
            f"    command: rtk-conformance {' '.join(self.argv)}\n    responses served: {self.served}\n    again: {again}"
        )


@dataclass
class Tally:
    """What a budget met: drawn responses served, runs made, violations found."""

    responses: int = 0
    runs: int = 0
    violations: list[Violation] = field(default_factory=list)
    exit_codes: Counter[int] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)  # responses served, by kind
    peak_rss: int = 0  # the highest of any run
    endings: Counter[str] = field(default_factory=Counter)  # how the runs ended: the verdict's kind, or the error's
    began: float = field(default_factory=time.perf_counter)

    def add(self, ran: Ran, served: list[dict[str, Any]]) -> None:
        self.runs += 1
        self.responses += len(served)
        self.kinds.update(response["kind"] for response in served)
        self.exit_codes[ran.returncode] += 1
        self.peak_rss = max(self.peak_rss, ran.peak_rss)
        self.endings[ending(ran)] += 1

    def line(self, name: str) -> str:
        took = time.perf_counter() - self.began
        return (
            f"hostile targets, {name}: {self.responses} drawn responses served to {self.runs} runs in {took:.1f} s;"
            f" exit codes {dict(sorted(self.exit_codes.items()))}; highest peak RSS {self.peak_rss / MiB:.0f} MiB;"
            f" responses by kind {dict(self.kinds.most_common())}; runs by ending {dict(self.endings.most_common())}"
        )


def ending(ran: Ran) -> str:
    """How a run ended, in a few words: its verdict (with the reason of an inconclusive one), or its error."""
    verdicts = [line.removeprefix("Verdict: ") for line in ran.stdout.splitlines() if line.startswith("Verdict: ")]
    if verdicts:
        kind, _, reason = verdicts[-1].partition(": ")
        return kind if kind != "INCONCLUSIVE" else f"{kind}: {reason.split(' (')[0].split(':')[0]}"
    errors = [line.removeprefix("ERROR: ") for line in ran.stderr.splitlines() if line.startswith("ERROR: ")]
    return re.sub(r"\S*/\S+|\d+", "N", errors[0])[:100] if errors else f"exit {ran.returncode}, no verdict"


# --- running a command, measured -------------------------------------------------------------------------------------


def run_measured(args: list[str], cwd: Path, logs: Path, timeout: float) -> Ran:
    """rtk-conformance <args> in a process of its own, its address space limited; its peak RSS from wait4."""
    env = {**clean_env(), "CLOUDFLARE_API_TOKEN": CANARY, "XDG_CACHE_HOME": str(cwd / "cache")}
    out_path, err_path = logs / "stdout", logs / "stderr"
    began = time.monotonic()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "conformance", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            preexec_fn=_limit_address_space,
            start_new_session=True,
        )
        killer = threading.Timer(timeout, _kill_group, (process.pid,))
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    took = time.monotonic() - began
    _kill_group(process.pid)  # a helper it left behind
    read = lambda path: path.read_bytes().decode("utf-8", "replace")  # noqa: E731
    return Ran(args, process.returncode, read(out_path), read(err_path), took, usage.ru_maxrss * 1024)


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


# --- the invariants --------------------------------------------------------------------------------------------------


def broken_invariants(ran: Ran, folder: Path) -> list[tuple[str, str]]:
    """(invariant, what was observed) for each invariant the finished run breaks."""
    found: list[tuple[str, str]] = []
    printed = ran.stdout + "\n" + ran.stderr
    if ran.returncode not in (0, 1, 2):
        found.append(("exit code", f"exit code {ran.returncode}, not one of the documented 0, 1, 2; it printed: {_tail(printed)}"))
    for marker in BROKE:
        if marker in printed:
            found.append((marker, f"{marker!r} in what it printed: {_lines_with(printed, marker)}"))
    if ran.peak_rss > PEAK_RSS:
        found.append(("memory", f"peak RSS {ran.peak_rss / MiB:.0f} MiB, over {PEAK_RSS / MiB:.0f} MiB"))
    if ran.seconds > DEADLINE + MARGIN:
        found.append(("time", f"took {ran.seconds:.0f} s, over the deadline of {DEADLINE:g} s plus {MARGIN:g} s"))
    for leak in leaks.find_in_outputs(CANARY, ran.stdout, ran.stderr, folder):
        found.append(("token", str(leak)))
    return found


def _lines_with(text: str, marker: str) -> str:
    """The first lines that hold `marker`; for a traceback, its end too (the exception and where it was raised)."""
    lines = [line.strip()[:500] for line in text.splitlines() if marker in line][:3]
    return "\n        ".join(lines) + (f"\n        ...{text[text.rfind(marker) :][-1500:]}" if marker == "Traceback" else "")


def _tail(text: str) -> str:
    return text.strip()[-1500:]


# --- one example -----------------------------------------------------------------------------------------------------


def run_args(server_url: str, plan: Plan, folder: Path, name: str) -> list[str]:
    outputs = ["--report", str(folder / f"{name}-report.{plan.report}"), "--junitxml", str(folder / f"{name}-junit.xml")]
    budget = ["--timeout", str(TIMEOUT), "--deadline", str(DEADLINE), "--max-examples", str(plan.max_examples)]
    return ["run", "--target", server_url + BASE_PATH, *IDS, *budget, *outputs]


def checked(name: str, args: list[str], plan: Plan, folder: Path, served: list[dict[str, Any]], tally: Tally) -> None:
    """Run the command in `folder` and add what it breaks to the tally, with the responses it was served."""
    logs = folder.parent / f"{name}-logs"  # apart from `folder`: it holds the token, in what the server served
    logs.mkdir()
    ran = run_measured(args, folder, logs, DEADLINE + MARGIN + 60)
    account = logs / "served.jsonl" if name != "replay" else folder.parent / "record-logs" / "served.jsonl"  # what it recorded
    if name != "replay":
        account.write_text("".join(json.dumps(response) + "\n" for response in served))
    tally.add(ran, served)
    for invariant, detail in broken_invariants(ran, folder):
        tally.violations.append(Violation(invariant, detail, name, plan, args, str(account)))


def one_example(plan: Plan, base: Path, tally: Tally, runs: tuple[str, ...] = ("plain", "record", "replay")) -> None:
    """A run against a drawn target; a recording against another (its stream salted), then its replay."""
    for name in runs:
        (base / name).mkdir(parents=True)
    if "plain" in runs:
        against_a_drawn_target("plain", plan, base / "plain", tally)
    cassette = base / "record" / "c.yaml"
    if "record" in runs:
        against_a_drawn_target("record", plan, base / "record", tally, "--cassette", str(cassette), "--record-mode", "once")
    if "replay" in runs:
        replay = base / "replay"
        outputs = ["--report", str(replay / f"replay-report.{plan.report}"), "--junitxml", str(replay / "replay-junit.xml")]
        replaying = ["run", "--cassette", str(cassette), "--deadline", str(DEADLINE), "--max-examples", str(plan.max_examples)]
        checked("replay", [*replaying, *outputs], plan, replay, [], tally)


def against_a_drawn_target(name: str, plan: Plan, folder: Path, tally: Tally, *extra: str) -> None:
    stream = plan.stream(SALTS[name])
    with serving(stream) as server:
        checked(name, [*run_args(server.url, plan, folder, name), *extra], plan, folder, stream.served, tally)


SALTS = {"plain": 0, "record": 1}  # the recording meets another stream than the run


# --- the plans -------------------------------------------------------------------------------------------------------

HOSTILE = [k for k in KINDS if k != "reference"]
PLANS = st.builds(
    Plan,
    seed=st.integers(0, 2**32 - 1),
    weights=st.fixed_dictionaries({"reference": st.integers(1, 20), **{k: st.integers(0, 8) for k in HOSTILE}}),
    rate=st.sampled_from([0.0, 0.1, 0.3, 0.6]),
    edition=st.sampled_from(hostile_targets.EDITIONS),
    max_examples=st.integers(3, 25),
    report=st.sampled_from(["json", "md", "html"]),
    hostile_preflight=st.sampled_from([False, False, True]),
)
EVERY_KIND = Plan(
    seed=25,
    weights={"reference": 8, **dict.fromkeys(HOSTILE, 2)},
    rate=0.3,
    edition="documented",
    max_examples=10,
    report="json",
    hostile_preflight=False,
)
BUDGET = settings(
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # a failure is collected, not raised: nothing to shrink
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SHORT = settings(BUDGET, max_examples=1, phases=[Phase.explicit])  # the one fixed plan: every kind, 20 to 30 s
LONG = settings(BUDGET, max_examples=16)  # and the fixed plan: about 2,400 drawn responses in under 5 minutes on 2 cores


def fuzz(budget: settings, base: Path, tally: Tally) -> None:
    """Every example of the budget, each in a folder of its own under `base`; violations collected in the tally."""
    numbers = iter(range(10**6))

    @budget
    @given(plan=PLANS)
    @example(plan=EVERY_KIND)
    def each(plan: Plan) -> None:
        one_example(plan, base / f"example-{next(numbers)}", tally)

    each()


def report(tally: Tally, name: str, capsys: pytest.CaptureFixture[str], record_property: Callable[[str, object], None]) -> None:
    """The numbers, to be quoted, and every violation, grouped by invariant."""
    record_property("drawn_responses", tally.responses)
    with capsys.disabled():
        print("\n" + tally.line(name))
    listed = "\n\n".join(str(v) for v in sorted(tally.violations, key=lambda v: v.invariant))
    kinds = sorted({v.invariant for v in tally.violations})
    assert not tally.violations, f"{len(tally.violations)} violations of {kinds} in {tally.runs} runs:\n\n{listed}"


def test_every_kind_of_hostile_answer_keeps_every_invariant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property: Callable[[str, object], None]
) -> None:
    tally = Tally()
    fuzz(SHORT, tmp_path, tally)
    report(tally, "the default budget", capsys, record_property)
    assert tally.runs == 3 and tally.responses > 50  # the runs were made, and met hostile answers


@pytest.mark.fuzz
def test_thousands_of_hostile_answers_keep_every_invariant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property: Callable[[str, object], None]
) -> None:
    tally = Tally()
    fuzz(LONG, tmp_path, tally)
    report(tally, "the long budget", capsys, record_property)
    assert tally.responses >= FUZZ_RESPONSES, tally.line("the long budget")


# --- the fuzzer's own parts ------------------------------------------------------------------------------------------


def test_the_scanner_finds_the_token_in_every_form_the_target_echoes_it_in() -> None:
    stream = Stream(7, {"echo": 1}, 0.0, Context(DATA, "documented"))  # no layer: the body as echoed, not compressed
    asked = hostile_targets.Asked("GET", f"{BASE_PATH}/accounts/a/realtime/kit/b/sessions/c", {"authorization": f"Bearer {CANARY}"})
    for _ in range(400):
        drawn = stream(asked)
        found = leaks.find_in_text(CANARY, drawn.wire().decode("latin-1"), "wire")
        assert found or "split" in drawn.note, drawn.describe()


ESCAPED = {  # forms of the token a plain search misses
    "json-u, some": "x" + "".join(f"\\u{ord(c):04x}" if i % 3 == 0 else c for i, c in enumerate(CANARY)) + "x",
    "percent, either case": "".join(f"%{ord(c):02X}" if i % 2 else f"%{ord(c):02x}" for i, c in enumerate(CANARY)),
    "json-u, escaped again by a report": json.dumps({"m": "\\u0063" + CANARY[1:]}),
    "wrapped": CANARY[:15] + "\n    " + CANARY[15:],
    "html entity": f"&#{ord(CANARY[0])};" + CANARY[1:],
    "its / written \\/": CANARY.replace("/", "\\/"),
    "base64, its / written \\/": base64.b64encode(b"\x00" + CANARY.encode()).decode().replace("/", "\\/"),
    "url-safe base64": base64.urlsafe_b64encode(b"\x00\x00" + CANARY.encode()).decode(),
}


@pytest.mark.parametrize("form", sorted(ESCAPED))
def test_the_scanner_decodes_escapes_and_wrapping(form: str) -> None:
    assert CANARY not in ESCAPED[form] and leaks.find_in_text(CANARY, ESCAPED[form], "text")


def test_the_scanner_finds_nothing_in_a_token_cut_short_or_split() -> None:
    split = json.dumps({"a": f"Bearer {CANARY[:12]}", "b": CANARY[12:]})
    assert leaks.find_in_text(CANARY, f"{split} {CANARY[:-3]}", "text") == []


def test_every_drawn_response_is_bounded_and_the_bomb_is_small_on_the_wire() -> None:
    stream = Stream(11, dict.fromkeys(KINDS, 1), 0.5, Context(DATA, "current"))
    asked = hostile_targets.Asked("GET", f"{BASE_PATH}/accounts/a/realtime/kit/b/sessions/c", {"authorization": f"Bearer {CANARY}"})
    for _ in range(300):
        drawn = stream(asked)
        head, _, body = drawn.wire().partition(drawn.line_end * 2)
        assert len(head) < hostile_targets.HEAD_LIMIT and len(body) < hostile_targets.BODY_LIMIT + 4096, drawn.describe()
    assert len(hostile_targets.bomb()) < 4096 and 1024 * MiB <= hostile_targets.BOMB_SIZE


def test_the_scanner_reads_each_file_as_its_parser_does(tmp_path: Path) -> None:
    """A token a plain search misses: in a YAML !!binary body (base64, wrapped), gzipped inside one, as XML entities."""
    body = f'{{"message": "Invalid token: Bearer {CANARY}"}}'.encode()
    planted = {
        "binary.yaml": yaml.safe_dump({"body": {"string": body}}),
        "gzipped.yaml": yaml.safe_dump({"body": {"string": gzip.compress(body)}}),
        "junit.xml": "<testsuite><testcase name='x'>" + "".join(f"&#{ord(c)};" for c in CANARY) + "</testcase></testsuite>",
        "report.json": json.dumps({"received": json.dumps({"message": CANARY}, ensure_ascii=False).replace("c", "\\u0063")}),
    }
    for name, content in planted.items():
        (tmp_path / name).write_text(content)
    assert CANARY not in "".join(planted.values())
    found = {leak.where.split(" ")[0] for leak in leaks.find_in_outputs(CANARY, "", "", tmp_path)}
    assert found == set(planted)


if __name__ == "__main__":  # one run of a plan again, as a violation's `again:` line says: its outputs stay, for a look
    plan, run = Plan(**json.loads(sys.argv[1])), sys.argv[2]
    folder, again = Path(tempfile.mkdtemp(prefix="rtk-fuzz-again-")), Tally()
    one_example(plan, folder, again, ("record", "replay") if run == "replay" else (run,))
    print(again.line(run), *again.violations, f"outputs and the responses served: {folder}", sep="\n\n")
