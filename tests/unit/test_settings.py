"""Settings: declared once, resolved with one precedence: command line > environment > ini key > configuration
file > default."""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path
from typing import Any

import pytest

from conformance.run.config import ConfigFile
from conformance.run.live import limits_of
from conformance.run.settings import (
    SETTINGS,
    Settings,
    SettingsError,
    add_arguments,
    check_outputs_differ,
    described,
    resolve,
    sources,
)

SOURCES = ("cli", "env", "ini", "file")
LABELS = {"cli": "--target", "env": "CONFORMANCE_TARGET", "ini": "ini key conformance_target", "file": "rtk-conformance.toml, line 1"}
PROJECT = Path("/project")


def in_file(values: dict[str, Any]) -> ConfigFile:
    """A rtk-conformance.toml in /project that gives `values`, one key a line, in order."""
    lines = {name.replace("_", "-"): number for number, name in enumerate(values, 1)}
    return ConfigFile(PROJECT / "rtk-conformance.toml", "rtk-conformance.toml", values, lines)


def given(sources: tuple[str, ...]) -> dict[str, Any]:
    """The target as each of `sources` would give it."""
    return {
        "cli": {"target": "http://cli"} if "cli" in sources else {},
        "env": {"CONFORMANCE_TARGET": "http://env"} if "env" in sources else {},
        "ini": {"target": "http://ini"} if "ini" in sources else {},
        "file": in_file({"target": "http://file"}) if "file" in sources else None,
    }


@pytest.mark.parametrize("given_by", [c for n in range(5) for c in itertools.combinations(SOURCES, n)], ids=lambda c: "+".join(c) or "none")
def test_precedence_matrix(given_by: tuple[str, ...]) -> None:
    """Each of the 16 combinations of sources: the first of command line, environment, ini key and file wins, and is
    named as where the setting came from."""
    values = given(given_by)
    winner = next((s for s in SOURCES if s in given_by), None)
    expected = f"http://{winner}" if winner else "embedded"
    assert resolve(values["cli"], values["env"], values["ini"], values["file"]).target == expected
    assert sources(values["cli"], values["env"], values["ini"], values["file"]) == ({"target": LABELS[winner]} if winner else {})


def test_the_file_gives_each_kind_of_value_as_toml_typed_it() -> None:
    file = in_file(
        {
            "session_id": ["s1", "s2"],
            "strict": True,
            "method_probes": False,
            "timeout": 3,
            "deadline": 60.5,
            "max_requests": 40,
            "profile": "thorough",
            "cassette": "cassettes/run.yaml",
            "report": "/elsewhere/run.html",
        }
    )
    settings = resolve({}, {}, {}, file)
    assert settings == Settings(
        session_id=("s1", "s2"),
        strict=True,
        method_probes=False,
        timeout=3.0,
        deadline=60.5,
        max_requests=40,
        profile="thorough",
        cassette="/project/cassettes/run.yaml",  # relative to the file's directory
        report="/elsewhere/run.html",
    )
    assert isinstance(settings.timeout, float)


def test_the_file_and_the_ini_keys_are_one_level_where_the_ini_key_wins() -> None:
    file = in_file({"seed": 7, "strict": True})
    assert resolve({}, {}, {"seed": "9"}, file).seed == 9
    assert sources({}, {}, {"seed": "9"}, file) == {"seed": "ini key conformance_seed", "strict": "rtk-conformance.toml, line 2"}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"timeout": 0}, "rtk-conformance.toml, line 1: timeout must be a number of seconds above 0 and at most 86400 (a day), got 0.0"),
        (
            {"strict": True, "deadline": float("inf")},
            "rtk-conformance.toml, line 2: deadline must be a number of seconds above 0 and at most 86400 (a day), got inf",
        ),
        ({"profile": "fast"}, "rtk-conformance.toml, line 1: profile must be one of ci, thorough, live, got 'fast'"),
        ({"record_mode": "once"}, "rtk-conformance.toml, line 1: --record-mode once needs --cassette PATH"),
        (
            {"max_examples": 100001},
            "rtk-conformance.toml, line 1: max-examples must be 0 to 100000 (more would take longer to make than a run's deadline), got 100001",
        ),
        (
            {"session_id": ["a\nVerdict: CONFORMS"]},
            "rtk-conformance.toml, line 1: session-id holds a control character (a pasted newline?): a\\nVerdict: CONFORMS",
        ),
        ({"edition": "flat"}, "rtk-conformance.toml, line 1: edition must be one of auto, documented, current, got 'flat'"),
        (
            {"target": "http://[::1"},
            "rtk-conformance.toml, line 1: --target (or CONFORMANCE_TARGET) is not a URL (Invalid IPv6 URL): 'http://[::1'",
        ),
    ],
)
def test_a_value_from_the_file_that_cannot_be_used_names_the_file_and_its_line(values: dict[str, Any], message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        resolve({}, {}, {}, in_file(values))
    assert str(caught.value) == message


def test_a_bad_value_from_elsewhere_is_not_blamed_on_the_file() -> None:
    with pytest.raises(SettingsError) as caught:
        resolve({}, {"CONFORMANCE_TIMEOUT": "0"}, {}, in_file({"timeout": 5}))
    assert str(caught.value) == "timeout must be a number of seconds above 0 and at most 86400 (a day), got 0.0"


def test_the_settings_line_says_where_each_setting_given_came_from() -> None:
    cli, env, ini = {"seed": "7", "strict": None}, {"CONFORMANCE_TARGET": "http://127.0.0.1:9/x"}, dict[str, str]()
    file = in_file({"profile": "ci", "timeout": 5})
    settings = resolve(cli, env, ini, file)
    assert described(settings, sources(cli, env, ini, file)) == (
        "Settings: target http://127.0.0.1:9/x (CONFORMANCE_TARGET); timeout 5 (rtk-conformance.toml, line 2);"
        " profile ci (rtk-conformance.toml, line 1); seed 7 (--seed)"
    )
    assert described(resolve({}, {}, {}), {}) == "Settings: the defaults"
    assert sources(cli, env, ini, file, prefix="conformance-")["seed"] == "--conformance-seed"  # pytest's own option
    flags = {"strict": False, "session_id": ["a", "b"], "dry_run": True}
    assert described(resolve(flags, {}, {}), sources(flags, {}, {})) == (
        "Settings: session-id a,b (--session-id); strict off (--strict); dry-run on (--dry-run)"
    )


def test_cli_none_means_not_given() -> None:
    assert resolve({"target": None}, {"CONFORMANCE_TARGET": "http://env"}, {}).target == "http://env"


def test_ids_have_their_documented_variables() -> None:
    env = {"CLOUDFLARE_ACCOUNT_ID": "acc", "CONFORMANCE_APP_ID": "app", "CONFORMANCE_SESSION_ID": "s1, s2,"}
    settings = resolve({}, env, {})
    assert (settings.account_id, settings.app_id, settings.session_id) == ("acc", "app", ("s1", "s2"))


def test_repeated_and_comma_separated_session_ids() -> None:
    assert resolve({"session_id": ["a", "b,c"]}, {}, {}).session_id == ("a", "b", "c")


@pytest.mark.parametrize(("text", "value"), [("true", True), ("1", True), ("Off", False), ("no", False)])
def test_booleans_from_text(text: str, value: bool) -> None:
    assert resolve({}, {"CONFORMANCE_STRICT": text}, {}).strict is value
    assert resolve({}, {}, {"strict": text}).strict is value


def test_a_false_flag_beats_a_true_environment() -> None:
    assert resolve({"strict": False}, {"CONFORMANCE_STRICT": "true"}, {}).strict is False


@pytest.mark.parametrize(
    ("cli", "env", "ini", "message"),
    [
        ({}, {"CONFORMANCE_STRICT": "maybe"}, {}, "CONFORMANCE_STRICT: expected true or false, got 'maybe'"),
        ({}, {}, {"timeout": "soon"}, "ini key conformance_timeout: expected a number, got 'soon'"),
        ({"timeout": "0"}, {}, {}, "timeout must be a number of seconds above 0 and at most 86400 (a day), got 0.0"),
        ({"timeout": "inf"}, {}, {}, "timeout must be a number of seconds above 0 and at most 86400 (a day), got inf"),
        ({"timeout": "1e300"}, {}, {}, "timeout must be a number of seconds above 0 and at most 86400 (a day), got 1e+300"),
        ({}, {"CONFORMANCE_DEADLINE": "nan"}, {}, "deadline must be a number of seconds above 0 and at most 86400 (a day), got nan"),
        ({}, {}, {"max_body": "0"}, "max-body must be a positive number of bytes, got 0"),
        ({}, {"CONFORMANCE_MAX_CASSETTE": "-1"}, {}, "max-cassette must be a positive number of bytes, got -1"),
        (
            {"max_examples": "100001"},
            {},
            {},
            "max-examples must be 0 to 100000 (more would take longer to make than a run's deadline), got 100001",
        ),
        (
            {"session_id": ["a\nVerdict: CONFORMS"]},
            {},
            {},
            "session-id holds a control character (a pasted newline?): a\\nVerdict: CONFORMS",
        ),
        ({"app_id": "a" * 257}, {}, {}, "app-id is 257 characters long; an id has at most 256"),
        ({"session_id": [",".join(map(str, range(101)))]}, {}, {}, "session-id: at most 100 sessions a run, got 101"),
        ({}, {"CONFORMANCE_EDITION": "flat"}, {}, "edition must be one of auto, documented, current, got 'flat'"),
    ],
)
def test_bad_values_name_their_source(cli: dict[str, Any], env: dict[str, str], ini: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        resolve(cli, env, ini)
    assert str(caught.value) == message


def test_a_timeout_and_a_deadline_of_a_day_are_accepted() -> None:
    settings = resolve({"timeout": "86400", "deadline": "0.5"}, {}, {})
    assert (settings.timeout, settings.deadline) == (86400.0, 0.5)


def test_profiles_and_overrides() -> None:
    assert resolve({}, {}, {}).property_profile.name == "ci"
    assert resolve({}, {}, {}).property_seed() == 0
    settings = resolve({"profile": "thorough", "max_examples": "50", "seed": "7"}, {}, {})
    assert (settings.property_profile.max_examples, settings.property_profile.deterministic, settings.property_seed()) == (50, False, 7)


def test_defaults() -> None:
    assert resolve({}, {}, {}) == Settings(profile="ci")  # auto: the embedded mock is on loopback
    assert Settings().edition == "auto" and Settings().profile == "auto"
    assert Settings().embedded and Settings().method_probes and not Settings().strict


def test_one_declaration_makes_every_flag() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser.add_argument, prefix="conformance-")
    argv = [
        "--conformance-target",
        "http://x",
        "--conformance-account-id",
        "a",
        "--conformance-app-id",
        "b",
        "--conformance-session-id",
        "s",
        "--conformance-session-id",
        "t",
        "--conformance-strict",
        "--no-conformance-method-probes",
        "--conformance-timeout",
        "3",
    ]
    parsed = vars(parser.parse_args(argv))
    assert sorted(parsed) == sorted(f"conformance_{s.name}" for s in SETTINGS)
    settings = resolve({k.removeprefix("conformance_"): v for k, v in parsed.items()}, {}, {})
    assert settings == Settings("http://x", "a", "b", ("s", "t"), True, False, 3.0, profile="live")  # x: not loopback


def test_a_cassette_a_report_and_a_junit_file_of_their_own_are_accepted(tmp_path: Any) -> None:
    settings = Settings(cassette=str(tmp_path / "run.yaml"), report=str(tmp_path / "run.html"))
    check_outputs_differ(settings, str(tmp_path / "run.xml"))
    check_outputs_differ(settings, None)


def test_the_same_file_by_two_spellings_is_refused(tmp_path: Any) -> None:
    settings = Settings(cassette=str(tmp_path / "run.yaml"), report="")
    with pytest.raises(SettingsError, match=r"^--cassette and --junitxml are both .*/sub/\.\./run\.yaml: give each its own file"):
        check_outputs_differ(settings, str(tmp_path / "sub" / ".." / "run.yaml"))


def test_the_report_options_help_names_each_format_a_renderer_writes() -> None:
    from conformance.reports import FORMATS

    (report,) = [s for s in SETTINGS if s.name == "report"]
    assert all(suffix in report.metadata["help"] for suffix in FORMATS) and len(FORMATS) == 3


@pytest.mark.parametrize(
    ("given", "verify"),
    [
        ({}, False),  # the embedded mock: plain HTTP on loopback
        ({"target": "http://127.0.0.1:8787/client/v4"}, False),  # plain HTTP, and no redirect is followed to TLS
        ({"target": "https://api.cloudflare.com/client/v4"}, True),
        ({"target": "HTTPS://api.cloudflare.com/client/v4"}, True),
        ({"target": "https://api.cloudflare.com/client/v4", "insecure": True}, False),
        ({"target": "http://127.0.0.1:8787/client/v4", "ca_bundle": "ca.pem"}, "ca.pem"),  # a bad bundle still says so
    ],
)
def test_tls_is_verified_wherever_a_run_can_meet_it(given: dict[str, Any], verify: bool | str, tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("")
    given = {k: str(tmp_path / v) if k == "ca_bundle" else v for k, v in given.items()}
    expected = str(tmp_path / verify) if isinstance(verify, str) else verify
    assert limits_of(resolve(given, {}, {})).verify == expected
