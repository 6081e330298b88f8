"""The configuration file: `rtk-conformance.toml` or `[tool.rtk-conformance]` in `pyproject.toml`, found from the
current directory up; checked against its shipped schema, which holds every setting and nothing else; each refusal
one line naming the file, the key and its line; never the token; and a run it configures is the run its flags make."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from conformance.cli.commands import build_parser, pytest_arguments
from conformance.contract import load_contract
from conformance.nesting import MAX_DEPTH
from conformance.properties.profiles import PROFILES
from conformance.run import config
from conformance.run.config import MAX_CONFIG_BYTES, ConfigError, ConfigFile, find, key_lines
from conformance.run.settings import RECORD_MODES, SETTINGS, kind, resolve

pytest_plugins = ["pytester"]
JSON_TYPES = {"str": "string", "bool": "boolean", "int": "integer", "float": "number", "tuple[str, ...]": "array"}
TOKEN = "aB3dEfGhIjKlMnOpQrStUvWxYz0123456789abcd"  # the shape of a Cloudflare API token, not one


def found(directory: Path) -> ConfigFile:
    file = find(directory)
    assert file is not None
    return file


def refusal(tmp_path: Path, text: str | bytes, name: str = "rtk-conformance.toml") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    with pytest.raises(ConfigError) as caught:
        find(tmp_path)
    return str(caught.value)


# Where it is looked for


def test_rtk_conformance_toml_has_its_keys_at_the_top_level(tmp_path: Path) -> None:
    (tmp_path / "rtk-conformance.toml").write_text('# the CI run\nprofile = "ci"\n\nseed = 7\n')
    file = found(tmp_path)
    assert (file.path, file.shown, dict(file.values)) == (
        tmp_path / "rtk-conformance.toml",
        "rtk-conformance.toml",
        {"profile": "ci", "seed": 7},
    )
    assert (file.where("profile"), file.where("seed")) == ("rtk-conformance.toml, line 2", "rtk-conformance.toml, line 4")


def test_pyproject_toml_has_them_in_its_tool_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "mine"\n\n[tool.rtk-conformance]\nmax-requests = 40\n')
    file = found(tmp_path)
    assert (dict(file.values), file.where("max_requests")) == ({"max_requests": 40}, "pyproject.toml, line 5")


def test_rtk_conformance_toml_wins_over_pyproject_toml_in_the_same_directory(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.rtk-conformance]\nseed = 1\n")
    (tmp_path / "rtk-conformance.toml").write_text("seed = 2\n")
    assert found(tmp_path).values == {"seed": 2}


def test_the_nearest_directory_with_a_file_wins_and_a_pyproject_without_the_table_is_passed_over(tmp_path: Path) -> None:
    work = tmp_path / "project" / "tests" / "unit"
    work.mkdir(parents=True)
    (tmp_path / "rtk-conformance.toml").write_text("seed = 1\n")
    (tmp_path / "project" / "pyproject.toml").write_text("[tool.rtk-conformance]\nseed = 2\n")
    (tmp_path / "project" / "tests" / "pyproject.toml").write_text('[tool.ruff]\nline-length = 99  # no table of rtk-conformance"s\n')
    (work / "pyproject.toml").write_text("this is no TOML, and none of the run's business\n")
    file = found(work)
    assert (file.values, file.shown) == ({"seed": 2}, str(tmp_path / "project" / "pyproject.toml"))  # a parent's: its whole path


def test_no_file_no_values(tmp_path: Path) -> None:
    assert find(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "mine"\n')
    assert find(tmp_path) is None


def test_relative_paths_in_the_file_are_relative_to_its_directory(tmp_path: Path) -> None:
    (tmp_path / "rtk-conformance.toml").write_text('cassette = "cassettes/ci.yaml"\nreport = ""\n')
    (tmp_path / "sub").mkdir()
    settings = resolve({}, {}, {}, found(tmp_path / "sub"))
    assert (settings.cassette, settings.report) == (str(tmp_path / "cassettes" / "ci.yaml"), "")


# Refusals: one line, the file, the key, its line; no value echoed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('profile = "ci"\nprofil = "ci"\n', "rtk-conformance.toml, line 2: unknown key 'profil' (did you mean 'profile'?)"),
        (
            "max_requests = 3\n",
            "rtk-conformance.toml, line 1: unknown key 'max_requests': keys are spelled as the flags are, with dashes: 'max-requests'",
        ),
        (
            "seed = 1\n\n[pytest]\nx = 1\n",
            "rtk-conformance.toml, line 3: unknown key 'pytest' (the keys are the options of rtk-conformance run, without their --)",
        ),
        (
            "junitxml = 'run.xml'\n",
            "rtk-conformance.toml, line 1: unknown key 'junitxml' (the keys are the options of rtk-conformance run, without their --)",
        ),
        ('timeout = "10"\n', "rtk-conformance.toml, line 1: timeout: expected a number, got a string"),
        ("seed = 7.5\n", "rtk-conformance.toml, line 1: seed: expected an integer, got a number"),
        ("max-body = true\n", "rtk-conformance.toml, line 1: max-body: expected an integer, got a boolean"),
        ('strict = "yes"\n', "rtk-conformance.toml, line 1: strict: expected true or false, got a string"),
        ("target = 8787\n", "rtk-conformance.toml, line 1: target: expected a string, got an integer"),
        ("edition = 1979-05-27\n", "rtk-conformance.toml, line 1: edition: expected a string, got a date or time"),
        ('session-id = "a,b"\n', "rtk-conformance.toml, line 1: session-id: expected an array of non-empty strings, got a string"),
        (
            'session-id = ["a", 2]\n',
            "rtk-conformance.toml, line 1: session-id: expected an array of non-empty strings,"
            " got an array holding a string and an integer",
        ),
        (
            'session-id = ["a", ""]\n',
            "rtk-conformance.toml, line 1: session-id: expected an array of non-empty strings,"
            " got an array holding a string and an empty string",
        ),
        ("[profile]\nname = 'ci'\n", "rtk-conformance.toml, line 1: profile: expected a string, got a table"),
        (b"target = '\xff'\n", "rtk-conformance.toml is not UTF-8 text, which TOML is"),
        ("x = " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n", f"rtk-conformance.toml is nested deeper than {MAX_DEPTH} levels"),
        ("x = " + "{ a = " * 400 + "1" + " }" * 400 + "\n", f"rtk-conformance.toml is nested deeper than {MAX_DEPTH} levels"),
        ("#" * MAX_CONFIG_BYTES + "\n", f"rtk-conformance.toml is larger than {MAX_CONFIG_BYTES} bytes: not read as a configuration"),
    ],
)
def test_each_refusal_is_one_line_naming_the_file_the_key_and_its_line(tmp_path: Path, text: str | bytes, message: str) -> None:
    assert refusal(tmp_path, text) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tool.rtk-conformance]\ntimeout = 'soon'\n", "pyproject.toml, line 2: timeout: expected a number, got a string"),
        (
            '[tool."rtk-conformance"]\n# a comment\n  seed = "7"  # spaced\n',
            "pyproject.toml, line 3: seed: expected an integer, got a string",
        ),
        ("[tool]\nruff.line-length = 99\nrtk-conformance.seed = '7'\n", "pyproject.toml, line 3: seed: expected an integer, got a string"),
        ("tool.rtk-conformance.strict = 1\n", "pyproject.toml, line 1: strict: expected true or false, got an integer"),
        ("[tool]\nrtk-conformance = { seed = 1, strict = 'no' }\n", "pyproject.toml, line 2: strict: expected true or false, got a string"),
        ("[tool.rtk-conformance.profile]\nname = 'ci'\n", "pyproject.toml, line 1: profile: expected a string, got a table"),
        (
            "[tool]\nrtk-conformance = 'ci'\n",
            "pyproject.toml, line 2: [tool.rtk-conformance] must be a table of the run's options, got a string",
        ),
        (
            "[[tool.rtk-conformance]]\nseed = 1\n",
            "pyproject.toml, line 1: [tool.rtk-conformance] must be a table of the run's options, got an array holding a table",
        ),
        (
            '[tool.other]\nnote = """\nseed = 1\n"""\n[tool.rtk-conformance]\nseed = "x"\n',
            "pyproject.toml, line 6: seed: expected an integer, got a string",
        ),
    ],
)
def test_in_pyproject_toml_the_key_is_found_in_its_table_however_it_is_written(tmp_path: Path, text: str, message: str) -> None:
    assert refusal(tmp_path, text, "pyproject.toml") == message


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("rtk-conformance.toml", 'profile = "ci"\nseed = \n', 2),
        ("rtk-conformance.toml", "seed = 1\nseed = 2\n", 2),
        ("pyproject.toml", "[tool.rtk-conformance]\nseed = 1\n[tool.rtk-conformance]\n", 3),
    ],
)
def test_a_file_that_is_not_toml_is_one_line_with_the_parsers_line(tmp_path: Path, name: str, text: str, line: int) -> None:
    """The parser's own words (tomllib's, or tomli's on Python 3.10), which name the line and column."""
    assert re.fullmatch(rf"{re.escape(name)} is not TOML: [^\n]+ \(at line {line}, column \d+\)", refusal(tmp_path, text, name))


SECRET = (
    "{where}: {key} would hold a secret, which is never read from a file: the API token comes from the environment only"
    " (CLOUDFLARE_API_TOKEN, or the variable token-env names)"
)


@pytest.mark.parametrize(
    "key", ["token", "api_token", "api-token", "cloudflare_api_token", "CLOUDFLARE_API_TOKEN", "Token", "secret", "password", "api-key"]
)
def test_the_token_is_never_read_from_the_file(tmp_path: Path, key: str) -> None:
    """Whatever the key that would carry it, and before any other problem of the file; its value is never echoed."""
    message = refusal(tmp_path, f'seed = "not a number"\n{key} = "{TOKEN}"\n')
    assert message == SECRET.format(where="rtk-conformance.toml, line 2", key=repr(key))
    assert TOKEN not in message


def test_the_token_in_a_pyproject_table_is_refused_too(tmp_path: Path) -> None:
    message = refusal(tmp_path, f'[tool.rtk-conformance]\nprofile = "live"\ntoken = "{TOKEN}"\n', "pyproject.toml")
    assert message == SECRET.format(where="pyproject.toml, line 3", key="'token'")


@pytest.mark.parametrize("name", ["CLOUDFLARE_API_TOKEN", "RTK_STAGING_TOKEN", "cf_token"])
def test_the_variable_that_holds_the_token_may_be_named(tmp_path: Path, name: str) -> None:
    (tmp_path / "rtk-conformance.toml").write_text(f'token-env = "{name}"\n')
    assert resolve({}, {}, {}, found(tmp_path)).token_env == name


@pytest.mark.parametrize("value", [TOKEN, "Bearer abc", "MY TOKEN", ""])
def test_a_token_env_that_is_no_variable_name_is_refused_unechoed(tmp_path: Path, value: str) -> None:
    message = refusal(tmp_path, f'token-env = "{value}"\n')
    assert message == (
        "rtk-conformance.toml, line 1: token-env is the name of the environment variable that holds the API token (letters, digits"
        " and _), not the token, which is never read from a file"
    )


def test_key_lines_skip_multiline_strings_and_other_tables() -> None:
    text = '[tool.a]\nseed = 1\nx = """\n[tool.rtk-conformance]\nseed = 2\n"""\n\n[tool.rtk-conformance] # ours\n"seed" = 3\n'
    assert key_lines(text, "tool.rtk-conformance") == {"": 8, "seed": 9}
    assert key_lines("a = 1\n'b' = 2\n[c.d]\ne = 3\n", "") == {"a": 1, "b": 2, "c": 3}


# The schema: every setting, with its type, and nothing else


def test_the_schema_holds_every_setting_with_its_type_and_nothing_else() -> None:
    schema = json.loads(config.SCHEMA_PATH.read_text())
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    properties = schema["properties"]
    assert list(properties) == [setting.name.replace("_", "-") for setting in SETTINGS]
    for setting in SETTINGS:
        entry = properties[setting.name.replace("_", "-")]
        assert entry["type"] == JSON_TYPES[kind(setting)], setting.name
        assert entry["default"] == (list(setting.default) if isinstance(setting.default, tuple) else setting.default)
        assert entry["description"] == setting.metadata["help"]
        assert set(entry) <= {"type", "items", "description", "default", "enum"}
    assert properties["session-id"]["items"] == {"type": "string", "minLength": 1}
    assert properties["profile"]["enum"] == ["auto", *PROFILES]
    assert properties["record-mode"]["enum"] == list(RECORD_MODES)
    assert properties["edition"]["enum"] == ["auto", *load_contract().editions]
    assert not [key for key in properties if key != "token-env" and any(word in key for word in config.SECRET_WORDS)]  # none refused


def test_the_schema_is_shipped_in_the_package() -> None:
    assert Path(config.__file__).parent / "config.schema.json" == config.SCHEMA_PATH and config.SCHEMA_PATH.is_file()


# A run configured by the file is the run its flags make


EVERY_KIND = """
[project]
name = "mine"

[tool.rtk-conformance]
target = "http://127.0.0.1:8787/v2"
account-id = "acc"
app-id = "app"
session-id = ["s1", "s2"]
strict = true
method-probes = false
timeout = 5
deadline = 120.5
max-body = 65536
token-env = "RTK_TOKEN"
ca-bundle = "ca.pem"
profile = "thorough"
max-requests = 300
dry-run = true
fresh = true
max-examples = 25
cassette = "run.yaml"
max-cassette = 1000000
record-mode = "once"
redact-ids = true
max-age = "30d"
baseline = "known.json"
baseline-update = true
coverage-min = 50
unreachable = ["failure:404:7000"]
seed = 11
report = "out/run.json"
edition = "current"
"""


def test_a_run_configured_by_pyproject_toml_resolves_as_the_same_run_by_flags(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(EVERY_KIND)
    (tmp_path / "ca.pem").write_text("")
    flags = (
        "run --target http://127.0.0.1:8787/v2 --account-id acc --app-id app --session-id s1 --session-id s2 --strict"
        " --no-method-probes --timeout 5 --deadline 120.5 --max-body 65536 --token-env RTK_TOKEN"
        f" --ca-bundle {tmp_path / 'ca.pem'} --profile thorough --max-requests 300 --dry-run --fresh --max-examples 25"
        f" --cassette {tmp_path / 'run.yaml'} --max-cassette 1000000"
        f" --record-mode once --redact-ids --max-age 30d --baseline {tmp_path / 'known.json'} --baseline-update"
        f" --coverage-min 50 --unreachable failure:404:7000 --seed 11 --report {tmp_path / 'out' / 'run.json'} --edition current"
    )
    args = vars(build_parser().parse_args(flags.split()))
    file = found(tmp_path)
    every = [s for s in SETTINGS if s.name != "insecure"]  # all but one: --insecure and --ca-bundle exclude each other
    assert sorted(file.values) == sorted(s.name for s in every)
    by_file, by_flags = resolve({}, {}, {}, file), resolve({s.name: args[s.name] for s in SETTINGS}, {}, {})
    assert by_file == by_flags
    assert all(getattr(by_file, s.name) != s.default for s in every)  # each to another value than its default


# With -v, the run says where each setting came from, once, before its plan


def plan_run(pytester: pytest.Pytester, *args: str) -> list[str]:
    """The lines of a dry run of the suite: its plan, nothing sent."""
    result = pytester.runpytest_inprocess(*args)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:] + result.stderr.str()
    return result.outlines


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    for name in [name for name in os.environ if name.startswith(("CONFORMANCE_", "CLOUDFLARE_"))]:
        monkeypatch.delenv(name)
    (pytester.path / "pyproject.toml").write_text('[project]\nname = "mine"\n\n[tool.rtk-conformance]\nprofile = "ci"\nseed = 7\n')
    monkeypatch.setenv("CONFORMANCE_TIMEOUT", "5")
    return pytester


PYTEST = ["--pyargs", "conformance.suite", "-p", "no:cacheprovider", "--assert=plain", "--conformance-dry-run"]
SAID = (
    "Settings: timeout 5 (CONFORMANCE_TIMEOUT); profile ci (pyproject.toml, line 5); dry-run on (--conformance-dry-run);"
    " seed 7 (pyproject.toml, line 6)"
)


def settings_then_plan(lines: list[str]) -> list[str]:
    """The Settings lines, and the first line after the last of them."""
    said = [n for n, line in enumerate(lines) if line.startswith("Settings:")]
    return [lines[n] for n in said] + ([lines[said[-1] + 1]] if said else [])


def test_pytest_v_says_where_each_setting_came_from_before_the_plan(project: pytest.Pytester) -> None:
    said = settings_then_plan(plan_run(project, *PYTEST, "-v"))
    assert len(said) == 2 and said[0] == SAID and said[1].startswith("Plan: ")


def test_without_v_pytest_says_nothing_of_it(project: pytest.Pytester) -> None:
    assert settings_then_plan(plan_run(project, *PYTEST)) == []


def test_an_ini_key_wins_over_the_file(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\nconformance_seed = 9\n")
    (said, _) = settings_then_plan(plan_run(project, *PYTEST, "-v"))
    assert said == SAID.replace("seed 7 (pyproject.toml, line 6)", "seed 9 (ini key conformance_seed)")


@pytest.mark.parametrize(("verbose", "shown"), [([], False), (["-v"], True), (["--full"], True), (["--", "-v"], True)])
def test_rtk_conformance_run_v_says_it_too(project: pytest.Pytester, verbose: list[str], shown: bool) -> None:
    """The command's pytest, run in this process: two levels quieter than pytest's, from its own pytest configuration."""
    args = build_parser().parse_args(["run", "--dry-run", *verbose])
    said = settings_then_plan(plan_run(project, *pytest_arguments(args)))
    expected = SAID.replace("--conformance-dry-run", "--dry-run")  # the command's flag, as typed
    assert said == ([expected, said[1]] if shown else []) and (not shown or said[1].startswith("Plan: "))


def test_a_broken_file_stops_the_run_before_anything_is_sent(project: pytest.Pytester) -> None:
    (project.path / "rtk-conformance.toml").write_text(f'target = "http://127.0.0.1:9"\napi_token = "{TOKEN}"\n')
    result = project.runpytest_inprocess(*PYTEST)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.strip()]
    assert errors == ["ERROR: " + SECRET.format(where="rtk-conformance.toml, line 2", key="'api_token'")]
    assert not [line for line in result.outlines if line.startswith("Plan:")]


def test_a_report_of_no_format_named_by_the_file_is_named_by_its_line(project: pytest.Pytester) -> None:
    """The report's format is checked above the settings (by the reports), and blamed on the file all the same."""
    (project.path / "rtk-conformance.toml").write_text('seed = 1\nreport = "out/run.txt"\n')
    result = project.runpytest_inprocess(*PYTEST)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert [line for line in result.errlines if line.strip()] == [
        f"ERROR: rtk-conformance.toml, line 2: report must end in .json, .md, .html, got '{project.path / 'out' / 'run.txt'}'"
    ]
