"""The pytest plugin (the `conformance` entry point), driven in this process by pytester: inert unless the suite is
collected, every option of its own prefixed `--conformance-` in one group, and a run of the suite gives the verdict
line and its exit code."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.mock import MockData
from conformance.plugin import RUN
from conformance.run.settings import SETTINGS
from conformance.selftest.mutants import MUTANTS
from tests.conftest import target_of

pytest_plugins = ["pytester"]
# pytest's own account of each test, and assertion rewriting, as `rtk-conformance run` leaves them out: a verdict is
# the suite's, and the suite's modules need no rewriting (pytest would warn that the plugin was imported before).
QUIET = ["-p", "no:cacheprovider", "--assert=plain", "-q", "--tb=no", "-rN"]


def verdicts(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if line.startswith("Verdict: ")]


def test_the_plugin_is_inert_outside_the_suite(pytester: pytest.Pytester) -> None:
    """A project's own tests: the plugin is loaded, but no run is started, no marker of the suite's is registered,
    nothing of the suite is printed. (pytest's marker check itself remembers the markers of every earlier run in the
    process: tests/e2e/test_cli.py runs --strict-markers in a process of its own.)"""
    pytester.makepyfile(test_own="def test_mine():\n    pass\n")
    config = pytester.parseconfigure("test_own.py")
    assert config.pluginmanager.has_plugin("conformance") and not config.pluginmanager.has_plugin("conformance-run")
    assert RUN not in config.stash
    registered = {line.split(":")[0].split("(")[0].strip() for line in config.getini("markers")}
    assert "realtimekit" in registered and not registered & {"schema", "auth", "must", "should", "property"}
    result = pytester.runpytest("-p", "no:cacheprovider", "test_own.py")
    assert result.ret == pytest.ExitCode.OK
    assert "RealtimeKit conformance" not in result.stdout.str() and verdicts(result) == []


AUDIT_OPTION = "--realtimekit-audit"  # a user's own tests, their doubles judged: named for what it judges, as the fixtures are


def test_its_options_are_prefixed_in_one_group(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfig()
    (group,) = (g for g in config._parser._groups if g.name == "conformance")  # pytest has no public list of groups
    names = [name for option in group.options for name in option.names() if name != AUDIT_OPTION]  # the doubles' audit: its own name
    assert len(names) >= len(SETTINGS) and all(name.startswith("--conformance-") or name.startswith("--no-conformance-") for name in names)
    others = [name for g in config._parser._groups if g is not group for option in g.options for name in option.names()]
    assert not [name for name in others if "conformance" in name]  # none elsewhere
    assert "--conformance-target" in names and "--conformance-strict" in names


def test_a_run_of_the_suite_against_the_embedded_target_gives_its_verdict_and_exit_code(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--pyargs", "conformance.suite", *QUIET)
    assert verdicts(result) == ["Verdict: CONFORMS: every check holds"], result.stdout.str()[-3000:]
    assert result.ret == pytest.ExitCode.OK


def test_a_selection_is_partial_with_the_exit_code_of_what_ran(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--pyargs", "conformance.suite", "-m", "auth", *QUIET)
    (verdict,) = verdicts(result)
    assert verdict.startswith("Verdict: PARTIAL: a selection: ") and verdict.endswith("of what ran: CONFORMS: every check holds")
    assert result.ret == pytest.ExitCode.OK


def test_a_broken_target_violates_and_exits_1(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, serve: Any, data: MockData
) -> None:
    args, env = target_of(serve(MUTANTS["status-paused"].build(data)), data)
    options = [a.replace("--", "--conformance-", 1) if a.startswith("--") else a for a in args]
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", env["CLOUDFLARE_API_TOKEN"])
    result = pytester.runpytest("--pyargs", "conformance.suite", *options, "-m", "not property", *QUIET)
    (verdict,) = verdicts(result)
    assert verdict.startswith("Verdict: PARTIAL: a selection: ") and "of what ran: VIOLATES: " in verdict
    assert result.ret == pytest.ExitCode.TESTS_FAILED
