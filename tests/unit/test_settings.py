"""Settings: declared once, resolved with one precedence: command line > environment > ini > default."""

from __future__ import annotations

import argparse
import itertools
from typing import Any

import pytest

from conformance.run.settings import SETTINGS, Settings, SettingsError, add_arguments, check_outputs_differ, resolve

SOURCES = ("cli", "env", "ini")


def given(sources: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """The target as each of `sources` would give it."""
    return {
        "cli": {"target": "http://cli"} if "cli" in sources else {},
        "env": {"CONFORMANCE_TARGET": "http://env"} if "env" in sources else {},
        "ini": {"target": "http://ini"} if "ini" in sources else {},
    }


@pytest.mark.parametrize("sources", [c for n in range(4) for c in itertools.combinations(SOURCES, n)], ids=lambda c: "+".join(c) or "none")
def test_precedence_matrix(sources: tuple[str, ...]) -> None:
    values = given(sources)
    winner = next((s for s in SOURCES if s in sources), None)
    expected = f"http://{winner}" if winner else "embedded"
    assert resolve(values["cli"], values["env"], values["ini"]).target == expected


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
