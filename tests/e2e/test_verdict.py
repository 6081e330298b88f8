"""One verdict, computed once: the summary line and the exit code always agree, whatever happened to the run."""

from __future__ import annotations

import copy
import re
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from conformance import interrupt
from conformance.contract.editions import Contradiction
from conformance.mock import MockData, ReferenceMock
from conformance.mock.ratelimit import RateLimiter
from conformance.plugin.active import ActiveRun
from conformance.run.record import Outcome, ProbeAnswer, Record, Requests
from conformance.run.settings import Settings
from conformance.run.verdict import judge
from conformance.selftest.mutants import MUTANTS
from tests.conftest import Child, SlowMock, maps, run_cli, start_cli, target_of, until_the_tests_send, wait_for


def fake_run(statuses: list[int | None], failed: Sequence[tuple[str, str]] = (), strict: bool = False, advisories: int = 0) -> Record:
    """The record of a run whose explicit requests got `statuses` and whose checks `failed` as (check id, probe)."""
    answers = {
        str(n): ProbeAnswer(str(n), "session", status, "ReadTimeout" if status is None else "", retry_after="60")
        for n, status in enumerate(statuses)
    }
    outcomes = [Outcome(check, "failed", probe, f"[{check}] broken") for check, probe in failed]
    contradiction = Contradiction("app_id", "x" * 36, "maxLength 32", "a UUID", "p")
    return Record(
        settings=Settings(strict=strict),
        target="t",
        edition="documented",
        edition_source="detected",
        profile="ci",
        seed=0,
        started=0.0,
        requests=Requests(0, 0, 0, 0),
        answers=answers,
        outcomes=outcomes,
        advisories=[contradiction] * advisories,
    )


@pytest.mark.parametrize(
    ("run", "interrupted", "left_out", "expected"),
    [
        (fake_run([200, 404]), False, "", ("CONFORMS: every check holds", 0)),
        (
            fake_run([200, 200], [("enums.status", "a"), ("enums.status", "b"), ("schema.body", "a")]),
            False,
            "",
            ("VIOLATES: 2 checks failed on 2 probes", 1),
        ),
        (
            fake_run([200], [("semantics.at-most", "a")]),
            False,
            "",
            (
                "CONFORMS WITH ADVISORIES: every MUST check holds; 1 check failed on 1 probe at SHOULD level (fatal only with --strict)",
                0,
            ),
        ),
        (
            fake_run([200], [("semantics.at-most", "a")], strict=True),
            False,
            "",
            ("VIOLATES: 1 check failed on 1 probe (SHOULD failures are fatal: --strict)", 1),
        ),
        (
            fake_run([200], advisories=1),
            False,
            "",
            ("CONFORMS WITH ADVISORIES: every MUST check holds; 1 documented contradiction(s), never a failure", 0),
        ),
        (
            fake_run([200, 429], [("auth.rejected", "a")]),
            False,
            "",
            ("INCONCLUSIVE: rate limited: 1 of 2 requests got 429 (Retry-After: 60 s); wait, then run again with fewer requests", 1),
        ),
        (
            fake_run([200, None]),
            False,
            "",
            ("INCONCLUSIVE: the target stopped answering: 1 requests got no HTTP response (first: ReadTimeout)", 1),
        ),
        (fake_run([401, 401]), False, "", ("INCONCLUSIVE: no 200 response was seen, so no session body could be checked", 1)),
        (fake_run([200]), True, "", ("INTERRUPTED: the run was interrupted before it ended; nothing is concluded", 2)),
        (
            fake_run([200], [("enums.type", "a")]),
            False,
            "a selection: 8 of 205 tests ran",
            ("PARTIAL: a selection: 8 of 205 tests ran; of what ran: VIOLATES: 1 check failed on 1 probe", 1),
        ),
    ],
    ids=["conforms", "violates", "should", "strict", "contradiction", "rate-limited", "stopped", "no-200", "interrupted", "partial"],
)
def test_one_verdict_and_its_exit_code(run: Any, interrupted: bool, left_out: str, expected: tuple[str, int]) -> None:
    verdict = judge(run, interrupted, left_out)
    assert (str(verdict), verdict.exit_code) == expected


def verdict_line(stdout: str) -> str:
    return next(line for line in stdout.splitlines() if line.startswith("Verdict: "))


@pytest.mark.timing
def test_a_rate_limited_run_is_inconclusive_and_exits_1(serve: Any, data: MockData, tmp_path: Path) -> None:
    limited = ReferenceMock(data, RateLimiter(quota=30, window=300, enforce=True))
    args, env = target_of(serve(limited), data)
    result = run_cli("run", *args, env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert verdict_line(result.stdout).startswith("Verdict: INCONCLUSIVE: rate limited: ")


@pytest.mark.timing
def test_a_selection_is_partial_with_the_exit_code_of_what_ran(tmp_path: Path) -> None:
    result = run_cli("run", "--", "-k", "schema.required-fields", cwd=tmp_path)
    assert result.returncode == 0
    assert verdict_line(result.stdout) == "Verdict: PARTIAL: a selection: 8 of 239 tests ran; of what ran: CONFORMS: every check holds"


@pytest.mark.timing
def test_a_selection_of_nothing_checks_nothing_and_exits_1(tmp_path: Path) -> None:
    result = run_cli("run", "--", "-k", "no-such-check", cwd=tmp_path)
    assert result.returncode == 1
    assert verdict_line(result.stdout) == "Verdict: PARTIAL: a selection: 0 of 239 tests ran: nothing was checked"


@pytest.mark.timing
def test_an_interrupted_run_says_so_and_exits_2(serve: Any, data: MockData, tmp_path: Path) -> None:
    mock = SlowMock(data, pause=0.05)  # the run's tests take twenty seconds or more
    args, env = target_of(serve(mock), data)
    run = start_cli("run", *args, env=env, cwd=tmp_path)
    until_the_tests_send(run, mock)
    run.signal(signal.SIGINT)
    exit_code, stdout, _ = run.finish()
    assert exit_code == 2
    assert verdict_line(stdout) == "Verdict: INTERRUPTED: the run was interrupted before it ended; nothing is concluded"


@pytest.mark.slow
@pytest.mark.parametrize("mutant", ["status-paused", "negative-count"])
def test_pytest_xdist_gives_the_same_summary_verdict_and_exit_code(mutant: str, serve: Any, data: MockData, tmp_path: Path) -> None:
    args, env = target_of(serve(MUTANTS[mutant].build(data)), data)
    alone = run_cli("run", *args, env=env, cwd=tmp_path)
    spread = run_cli("run", *args, "--", "-n", "2", env=env, cwd=tmp_path)
    assert (spread.returncode, verdict_line(spread.stdout)) == (alone.returncode, verdict_line(alone.stdout))
    assert summary_of(spread.stdout) == summary_of(alone.stdout)
    # Each worker shares answers only among its own requests: more go out, all of them counted.
    assert sent(alone.stdout) <= sent(spread.stdout) <= 2 * sent(alone.stdout)


def summary_of(stdout: str) -> list[str]:
    """The RealtimeKit summary up to its verdict, without pytest's own lines, nor how many requests went out."""
    section = stdout.split("RealtimeKit conformance")[1].split("\nVerdict: ")[0]
    return [re.sub(r"; \d+ sent.*", "", line) for line in section.splitlines()]


def sent(stdout: str) -> int:
    found = re.search(r"^Requests: .*; (\d+) sent", stdout, re.M)
    assert found is not None, stdout
    return int(found[1])


# The moments of a run's start, each known by what the process does, never by a time: Python has run a line of ours
# (before that, no Python code can turn Ctrl-C into anything but death by SIGINT) and loads the suite's modules (a
# native module of schemathesis's, then one of the last: markupsafe's, which schemathesis's OpenAPI loader brings as the
# run opens), sends its preflight, or has printed its plan.
STARTING: dict[str, Callable[[Child, SlowMock], object]] = {
    "while-the-modules-load": lambda run, mock: maps(run.pid, "jsonschema_rs"),
    "as-the-last-modules-load": lambda run, mock: maps(run.pid, "/markupsafe/"),
    "at-the-preflight": lambda run, mock: mock.requests,
    "once-the-plan-is-printed": lambda run, mock: any(line.startswith("Plan: ") for line in run.out),
}


@pytest.mark.timing
@pytest.mark.parametrize("moment", list(STARTING))
def test_ctrl_c_while_starting_is_one_line_and_exit_2(moment: str, serve: Any, data: MockData, tmp_path: Path) -> None:
    mock = SlowMock(data, pause=0.05)  # the run goes on for twenty seconds or more after its plan
    args, env = target_of(serve(mock), data)
    run = start_cli("run", *args, env=env, cwd=tmp_path)
    wait_for(lambda: STARTING[moment](run, mock), moment, run.process)
    run.signal(signal.SIGINT)
    exit_code, _, stderr = run.finish()
    assert exit_code == 2, stderr
    assert stderr.strip() in ("rtk-conformance: interrupted", "rtk-conformance: run interrupted")


def test_ctrl_c_in_a_callback_prints_nothing_and_other_unraisable_errors_still_do(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Python reports an exception it cannot raise (in a finalizer, a weak reference's or the collector's callback)
    as "Exception ignored in"; Ctrl-C is raised again between tests instead."""
    monkeypatch.setattr(sys, "unraisablehook", interrupt._quiet_about_interrupts)

    class Raising:
        def __init__(self, exc: BaseException) -> None:
            self.exc = exc

        def __del__(self) -> None:
            raise self.exc

    Raising(interrupt.Interrupted())
    assert capsys.readouterr().err == ""
    Raising(ValueError("a real bug"))
    assert "Exception ignored in" in capsys.readouterr().err


def interrupt_with_a_frame_without_a_line_number() -> pytest.ExceptionInfo[BaseException]:
    """Ctrl-C as Python 3.11 can leave it when it lands between two lines: one frame has no line number."""

    def landed_here() -> None:
        raise KeyboardInterrupt

    try:
        landed_here()
    except KeyboardInterrupt:
        excinfo = pytest.ExceptionInfo.from_current()
    entry = excinfo.traceback[-1]
    lineless = copy.copy(entry)
    lineless.__class__ = type("LineLess", (type(entry),), {"__slots__": (), "lineno": property(lambda self: None - 1)})  # type: ignore[operator]
    excinfo.traceback = type(excinfo.traceback)([*excinfo.traceback, lineless])
    return excinfo


def a_run(full_trace: bool) -> Any:
    """What the plugin's interrupt hook reads of its run: whether --full-trace was given."""
    return SimpleNamespace(config=SimpleNamespace(option=SimpleNamespace(fulltrace=full_trace)))


def test_an_interrupt_pytest_could_not_format_is_formatted_without_the_frame_that_has_no_line_number() -> None:
    excinfo = interrupt_with_a_frame_without_a_line_number()
    with pytest.raises(TypeError, match="unsupported operand"):  # what pytest's terminal reporter met
        excinfo.getrepr(funcargs=True)
    ActiveRun.pytest_keyboard_interrupt(a_run(full_trace=True), excinfo)
    formatted = excinfo.getrepr(funcargs=True)
    assert formatted.reprcrash is not None and "KeyboardInterrupt" in formatted.reprcrash.message


def test_an_interrupt_is_formatted_for_where_it_landed_only_unless_a_full_trace_is_asked() -> None:
    """pytest shows where Ctrl-C landed; formatting the whole stack of a run took up to 10 s."""
    for full_trace, frames in ((False, ["landed_here"]), (True, ["interrupt_with_a_frame_without_a_line_number", "landed_here"])):
        excinfo = interrupt_with_a_frame_without_a_line_number()
        ActiveRun.pytest_keyboard_interrupt(a_run(full_trace), excinfo)
        assert [entry.name for entry in excinfo.traceback] == frames


@pytest.mark.timing
@pytest.mark.parametrize(
    ("pytest_args", "exit_code"),
    [(["--co"], 1), (["--setup-plan"], 1), (["--setup-only"], 1), (["-p", "no:python"], 1), (["--pyargs", "os"], 2)],
)
def test_a_run_that_ran_no_check_never_conforms(pytest_args: list[str], exit_code: int, tmp_path: Path) -> None:
    """Each of these said 'CONFORMS: every check holds', with no check run."""
    result = run_cli("run", "--", *pytest_args, cwd=tmp_path)
    assert result.returncode == exit_code
    verdicts = [line for line in result.stdout.splitlines() if line.startswith("Verdict: ")]
    assert verdicts == ["Verdict: INCONCLUSIVE: no check ran: a pytest option ran no test (--collect-only, --setup-plan, ...)"]
