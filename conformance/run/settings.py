"""Every option of a run, declared once: it makes the CLI flag, the pytest option, the environment
variable, the ini key and the configuration file's key, and `resolve()` applies one precedence to them all:
command line > environment > ini key > configuration file > default.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from conformance.cassettes import MAX_CASSETTE_BYTES
from conformance.printable import has_control, printable
from conformance.properties.profiles import PROFILES, Profile
from conformance.run.config import ConfigError, ConfigFile, find

RECORD_MODES = ("none", "once", "new_episodes", "all")
AUTO_EDITION = "auto"  # detect the edition from the first 200 body
AUTO_PROFILE, LIVE = "auto", "live"  # live for a target that is not on loopback
MAX_SECONDS = 86_400.0  # --timeout and --deadline: longer would only hide a target that never answers
# Cloudflare's ids are 32 or 36 characters: an id past this is a mistake, and its URL would pass what servers accept.
MAX_ID_LENGTH = 256
MAX_SESSION_IDS = 100  # each session is two probes; more would be a load test, not a conformance run
# Fuzzing cases: the property layer makes about 150 a second, so this many take over ten minutes to make alone.
MAX_EXAMPLES = 100_000

ENV_TARGET = "CONFORMANCE_TARGET"
TOKEN_ENV = "CLOUDFLARE_API_TOKEN"  # the official SDK's variable; never a flag, an ini key or a key of the file
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


class SettingsError(ValueError):
    """A value that cannot be used; the message names where it came from. `setting`: the one it is about, if one."""

    def __init__(self, message: str, setting: str = "") -> None:
        super().__init__(message)
        self.setting = setting


def option(default: Any, help: str, env: str = "", metavar: str = "") -> Any:
    return field(default=default, metadata={"help": help, "env": env, "metavar": metavar})


@dataclass(frozen=True)
class Settings:
    target: str = option("embedded", "'embedded' (the bundled reference mock) or the base URL of an implementation", metavar="embedded|URL")
    account_id: str = option("", "account id in the path (32 hex characters on Cloudflare)", env="CLOUDFLARE_ACCOUNT_ID", metavar="ID")
    app_id: str = option("", "RealtimeKit app id in the path", metavar="ID")
    session_id: tuple[str, ...] = option((), "a session to check; repeat it, or separate ids with commas", metavar="ID")
    strict: bool = option(False, "SHOULD-level failures fail the run too")
    method_probes: bool = option(True, "probe POST, PUT, PATCH and DELETE on the path (expects 405)")
    timeout: float = option(10.0, "seconds for each request: connect, headers and the whole body", metavar="SECONDS")
    deadline: float = option(900.0, "seconds for the whole run; past them it stops with exit 2", metavar="SECONDS")
    max_body: int = option(1024 * 1024, "bytes of a response body read at most; a larger body is a failure", metavar="BYTES")
    token_env: str = option(TOKEN_ENV, "the environment variable that holds the API token", metavar="NAME")
    ca_bundle: str = option("", "CA certificates (PEM) to verify the target's TLS certificate, e.g. a self-signed mock's", metavar="PATH")
    insecure: bool = option(False, "do not verify the target's TLS certificate (a warning says so)")
    profile: str = option(
        "auto",
        "ci (deterministic), thorough (many random cases), live (GET only, at most 150 requests); "
        "auto: live for a URL target that is not on loopback, else ci",
        metavar="auto|ci|thorough|live",
    )
    max_requests: int = option(0, "requests a run sends at most, generated ones included; 0 keeps the profile's", metavar="N")
    dry_run: bool = option(False, "print every request the run would send, token hidden, and send nothing")
    fresh: bool = option(False, "generate the property cases anew instead of reading them from the cache (ci and live)")
    max_examples: int = option(0, "fuzzing cases of the property layer; 0 keeps the profile's number", metavar="N")
    cassette: str = option("", "record to, or replay from, this cassette (vcrpy YAML)", metavar="PATH")
    max_cassette: int = option(MAX_CASSETTE_BYTES, "bytes of a cassette read at most; a larger one is refused", metavar="BYTES")
    record_mode: str = option(
        "none", "none: replay only; once, new_episodes, all: record from --target", metavar="none|once|new_episodes|all"
    )
    redact_ids: bool = option(False, "write the account and app ids into the cassette as placeholders")
    max_age: str = option(
        "", "a replayed cassette older than this (30d, 12h, 2w) warns, older than twice this fails; none: any age", metavar="DURATION"
    )
    baseline: str = option(
        "", "known failures (JSON): a failure it lists, unexpired, is reported as known and is not fatal", metavar="PATH"
    )
    baseline_update: bool = option(False, "write --baseline from this run: add new failures, drop those that pass; never moves an expiry")
    coverage_min: int = option(
        0, "fail a run that saw fewer than N% of the situations it can reach (the coverage table); 0: none", metavar="N"
    )
    unreachable: tuple[str, ...] = option(
        (), "a situation the target cannot show, left out of --coverage-min: its id; repeat it", metavar="ID"
    )
    seed: int = option(-1, "seed of the property layer; -1 keeps the profile's (ci: 0; thorough: random, printed)", metavar="N")
    report: str = option("", "write a report of the run; its format from the suffix: .json, .md or .html", metavar="PATH")
    edition: str = option(
        "auto",
        "edition of the 200 body: documented (data.session, the reference page), current (flat data, the official spec and SDK), "
        "auto (detected from the first 200 body)",
        metavar="documented|current|auto",
    )

    @property
    def tls_verify(self) -> bool | str:
        """What httpx verifies the target's certificate with: the system's CAs, a bundle, or nothing."""
        return self.ca_bundle or not self.insecure

    @property
    def embedded(self) -> bool:
        return self.target == "embedded"

    @property
    def replaying(self) -> bool:
        return bool(self.cassette) and self.record_mode == "none"

    @property
    def property_profile(self) -> Profile:
        return PROFILES[self.profile].with_max_examples(self.max_examples or None)

    @property
    def request_budget(self) -> int:
        """Requests the run sends at most (0: no limit)."""
        return self.max_requests or self.property_profile.max_requests

    @property
    def sends_other_methods(self) -> bool:
        return self.method_probes and not self.property_profile.get_only

    def property_seed(self) -> int:
        return self.seed if self.seed >= 0 else self.property_profile.resolved_seed()


SETTINGS = fields(Settings)


def kind(setting: Any) -> str:
    """'str', 'bool', 'float' or 'tuple[str, ...]': the annotation, kept as text by the future import."""
    return str(setting.type)


def env_name(setting: Any) -> str:
    return str(setting.metadata["env"] or f"CONFORMANCE_{setting.name.upper()}")


def flag(setting: Any, prefix: str = "") -> str:
    return "--" + prefix + str(setting.name).replace("_", "-")


def help_of(setting: Any) -> str:
    """The option's help, with where else it can be set and its default (argparse's % is escaped)."""
    default = setting.default
    shown = ("on" if default else "off") if isinstance(default, bool) else default if default not in ("", ()) else "none"
    return f"{setting.metadata['help']} [env {env_name(setting)}; default {shown}]".replace("%", "%%")


def add_arguments(add: Any, prefix: str = "") -> None:
    """Declare every setting with an argparse-style `add` (argparse or pytest's addoption)."""
    for setting in SETTINGS:
        kwargs: dict[str, Any] = {"dest": prefix.replace("-", "_") + setting.name, "default": None, "help": help_of(setting)}
        if kind(setting) == "bool":
            kwargs["action"] = argparse.BooleanOptionalAction
        elif kind(setting).startswith("tuple"):
            kwargs.update(action="append", metavar=setting.metadata["metavar"])
        else:
            kwargs["metavar"] = setting.metadata["metavar"]
        add(flag(setting, prefix), **kwargs)


def parse(setting: Any, text: str, source: str) -> Any:
    """A setting's value from the text of an environment variable or an ini key."""
    if kind(setting) == "bool":
        if text.lower() not in TRUE | FALSE:
            raise SettingsError(f"{source}: expected true or false, got {text!r}")
        return text.lower() in TRUE
    if kind(setting) in ("float", "int"):
        try:
            return float(text) if kind(setting) == "float" else int(text)
        except ValueError:
            raise SettingsError(f"{source}: expected a number, got {text!r}") from None
    if kind(setting).startswith("tuple"):
        parts = tuple(part.strip() for part in text.split(",") if part.strip())
        if not parts:
            raise SettingsError(f"{source}: expected one or more values separated by commas, got {text!r}")
        return parts
    return text


def resolve(cli: Mapping[str, Any], env: Mapping[str, str], ini: Mapping[str, str], file: ConfigFile | None = None) -> Settings:
    """Command line > environment > ini key > configuration file > default. `cli` holds None for what was not given;
    `file` the values of the configuration file (conformance.run.config), if one was found. A value from the file that
    cannot be used is named by the file and its line."""
    given = _given(cli, env, ini, file)
    settings = Settings(**{name: value for name, (value, _) in given.items()})
    try:
        return _checked(settings)
    except SettingsError as exc:
        if file is not None and exc.setting in given and given[exc.setting][1] == file.where(exc.setting):  # the file's value
            raise SettingsError(f"{file.where(exc.setting)}: {exc}", exc.setting) from None
        raise


def sources(
    cli: Mapping[str, Any], env: Mapping[str, str], ini: Mapping[str, str], file: ConfigFile | None = None, prefix: str = ""
) -> dict[str, str]:
    """Where each setting that is not left at its default comes from, by the precedence of resolve(): '--seed' (with
    the flags' `prefix`: '--conformance-seed'), 'CONFORMANCE_TARGET', 'ini key conformance_strict',
    'rtk-conformance.toml, line 3'."""
    return {name: source for name, (_, source) in _given(cli, env, ini, file, prefix).items()}


def described(settings: Settings, where: Mapping[str, str]) -> str:
    """'Settings: profile ci (rtk-conformance.toml, line 3); seed 7 (--seed)': each setting given, as the run uses it."""
    given = [
        f"{setting.name.replace('_', '-')} {_shown(getattr(settings, setting.name))} ({where[setting.name]})"
        for setting in SETTINGS
        if setting.name in where
    ]
    return "Settings: " + ("; ".join(given) if given else "the defaults")


def _given(
    cli: Mapping[str, Any], env: Mapping[str, str], ini: Mapping[str, str], file: ConfigFile | None, prefix: str = ""
) -> dict[str, tuple[Any, str]]:
    """Each setting given, as (its value, where it comes from), from the source that wins."""
    given: dict[str, tuple[Any, str]] = {}
    for setting in SETTINGS:
        name, variable, key = setting.name, env_name(setting), f"ini key conformance_{setting.name}"
        if cli.get(name) is not None:
            given[name] = _from_cli(setting, _text(cli[name], flag(setting))), flag(setting, prefix)
        elif env.get(variable):
            given[name] = parse(setting, _text(env[variable], variable), variable), variable
        elif ini.get(name):
            given[name] = parse(setting, ini[name], key), key
        elif file is not None and name in file.values:
            given[name] = _from_file(setting, file), file.where(name)
    return given


def _checked(settings: Settings) -> Settings:
    if settings.profile == AUTO_PROFILE:
        settings = dataclasses.replace(settings, profile=LIVE if _remote(settings.target) else "ci")
    for name in ("timeout", "deadline"):
        seconds = getattr(settings, name)
        if not (math.isfinite(seconds) and 0 < seconds <= MAX_SECONDS):
            raise SettingsError(f"{name} must be a number of seconds above 0 and at most {MAX_SECONDS:g} (a day), got {seconds}", name)
    for name in ("max_body", "max_cassette"):
        if getattr(settings, name) <= 0:
            raise SettingsError(f"{name.replace('_', '-')} must be a positive number of bytes, got {getattr(settings, name)}", name)
    if settings.ca_bundle and settings.insecure:
        raise SettingsError("--ca-bundle and --insecure exclude each other: verify against the bundle, or not at all", "ca_bundle")
    if settings.ca_bundle and not Path(settings.ca_bundle).is_file():
        raise SettingsError(f"--ca-bundle {settings.ca_bundle}: no such file (CA certificates in PEM)", "ca_bundle")
    if settings.max_requests < 0:
        raise SettingsError(f"max-requests must be 0 or more, got {settings.max_requests}", "max_requests")
    if settings.profile not in PROFILES:
        raise SettingsError(f"profile must be one of {', '.join(PROFILES)}, got {settings.profile!r}", "profile")
    if settings.record_mode not in RECORD_MODES:
        raise SettingsError(f"record-mode must be one of {', '.join(RECORD_MODES)}, got {settings.record_mode!r}", "record_mode")
    if settings.record_mode != "none" and not settings.cassette:
        raise SettingsError(f"--record-mode {settings.record_mode} needs --cassette PATH", "record_mode")
    if settings.baseline_update and not settings.baseline:
        raise SettingsError("--baseline-update needs --baseline PATH: the file to write", "baseline_update")
    check_coverage(settings)
    if settings.max_age:
        seconds_of(settings.max_age)  # its own message, if it cannot be read
    from conformance.contract import load_contract  # only when resolving: the plugin module stays light

    editions = (AUTO_EDITION, *load_contract().editions)
    if settings.edition not in editions:
        raise SettingsError(f"edition must be one of {', '.join(editions)}, got {settings.edition!r}", "edition")
    if not 0 <= settings.max_examples <= MAX_EXAMPLES:
        raise SettingsError(
            f"max-examples must be 0 to {MAX_EXAMPLES} (more would take longer to make than a run's deadline), got {settings.max_examples}",
            "max_examples",
        )
    check_ids(settings)
    return settings


DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}


def seconds_of(duration: str) -> float:
    """--max-age's value in seconds: a whole number and a unit, 30d, 12h, 2w, 90m, 45s."""
    number, unit = duration[:-1], duration[-1:]
    if not number.isdigit() or unit not in DURATION_UNITS or int(number) == 0:
        raise SettingsError(f"max-age is a number and a unit (s, m, h, d or w), e.g. 30d, got {printable(duration)[:40]!r}", "max_age")
    return int(number) * DURATION_UNITS[unit]


def check_coverage(settings: Settings) -> None:
    if not 0 <= settings.coverage_min <= 100:
        raise SettingsError(f"coverage-min is a percentage, 0 to 100, got {settings.coverage_min}", "coverage_min")
    if settings.unreachable:
        from conformance.checks.situations import all_ids  # only when asked: the plugin module stays light

        unknown = [printable(name)[:80] for name in settings.unreachable if name not in all_ids()]
        if unknown:
            raise SettingsError(f"unreachable: no situation {unknown[0]!r} (the coverage table of a report lists their ids)", "unreachable")


def check_ids(settings: Settings) -> None:
    """Ids go into every URL and into what the run prints: refused, before any URL is built, when they could not be a
    real id (a control character, far too long), or when there are too many sessions to check."""
    if len(settings.session_id) > MAX_SESSION_IDS:
        raise SettingsError(f"session-id: at most {MAX_SESSION_IDS} sessions a run, got {len(settings.session_id)}", "session_id")
    ids = [("account-id", settings.account_id), ("app-id", settings.app_id), *(("session-id", i) for i in settings.session_id)]
    for name, value in ids:
        if has_control(value):
            raise SettingsError(f"{name} holds a control character (a pasted newline?): {printable(value)[:80]}", name.replace("-", "_"))
        if len(value) > MAX_ID_LENGTH:
            raise SettingsError(f"{name} is {len(value)} characters long; an id has at most {MAX_ID_LENGTH}", name.replace("-", "_"))


def from_pytest(config: Any) -> Settings:
    """The settings of a run through pytest (a pytest.Config): its prefixed options, the environment, its ini keys,
    the configuration file nearest the directory pytest was started in. Where each came from is kept for
    settings_lines()."""
    cli = {s.name: config.getoption(f"conformance_{s.name}") for s in SETTINGS}
    ini = {s.name: str(config.getini(f"conformance_{s.name}")) for s in SETTINGS}
    try:
        file = find(Path(config.invocation_params.dir))
    except ConfigError as exc:
        raise SettingsError(str(exc)) from None
    settings = resolve(cli, os.environ, ini, file)
    where = sources(cli, os.environ, ini, file, prefix="" if _from_the_command(config) else "conformance-")
    in_file = {name: source for name, source in where.items() if file is not None and source == file.where(name)}
    config.stash[_EXPLAINED] = described(settings, where), in_file
    return settings


# What from_pytest() found of where the run's settings came from: the line settings_lines() prints, and where in the
# configuration file each setting it gave is.
_EXPLAINED: pytest.StashKey[tuple[str, dict[str, str]]] = pytest.StashKey()
# `rtk-conformance run` runs pytest two levels quieter (-q -q; -q with -v), from this configuration file of its own.
_CLI_CONFIG, _CLI_QUIETER = Path(__file__).resolve().parents[1] / "cli" / "pytest-run.ini", 2


def settings_lines(config: Any) -> list[str]:
    """The line that says where each setting of the run came from, when the run is verbose: `pytest -v`, or
    `rtk-conformance run -v` (--full); else none."""
    quieter = _CLI_QUIETER if _from_the_command(config) else 0
    if config.get_verbosity() + quieter <= 0 or _EXPLAINED not in config.stash:
        return []
    return [config.stash[_EXPLAINED][0]]


def _from_the_command(config: Any) -> bool:
    """Whether pytest runs for `rtk-conformance run`, rather than as a user started it."""
    return config.inipath is not None and Path(config.inipath).resolve() == _CLI_CONFIG


def blamed(config: Any, setting: str, error: SettingsError) -> SettingsError:
    """`error`, about the value of `setting`, named by the file and line it was given on when the configuration file
    gave it (the checks of settings above this layer: the report's format)."""
    where = config.stash[_EXPLAINED][1].get(setting) if _EXPLAINED in config.stash else None
    return SettingsError(f"{where}: {error}", setting) if where else error


def check_outputs_differ(settings: Settings, junitxml: str | None) -> None:
    """The cassette, the report and the JUnit XML are three files: one path given twice would leave only one of
    them, over the other (a replayed cassette replaced by JUnit XML)."""
    given = {"--cassette": settings.cassette, "--report": settings.report, "--junitxml": junitxml or ""}
    seen: dict[Path, str] = {}
    for option, path in given.items():
        if not path:
            continue
        where = Path(path).resolve()
        if where in seen:
            raise SettingsError(f"{seen[where]} and {option} are both {path}: give each its own file, nothing was sent")
        seen[where] = option


def _text(value: Any, source: str) -> Any:
    """A value as the user typed it: an argument or variable that is not text in the locale's encoding reaches Python with
    its bytes as surrogates (LC_ALL=POSIX and a UTF-8 id): read back as the UTF-8 it almost always is, else refused."""
    if isinstance(value, list):
        return [_text(item, source) for item in value]
    if not isinstance(value, str) or not any("\udc80" <= c <= "\udcff" for c in value):
        return value
    try:
        return value.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeError:
        shown = printable(value.encode("utf-8", "surrogateescape").decode("latin-1"))[:80]
        raise SettingsError(f"{source}: not UTF-8 text: {shown}") from None


def _remote(target: str) -> bool:
    """A URL target that is not on loopback: probably the live API, or someone's shared server."""
    try:
        host = urlsplit(target).hostname or ""
    except ValueError as exc:  # an unclosed IPv6 bracket
        raise SettingsError(f"--target (or {ENV_TARGET}) is not a URL ({exc}): {printable(target)[:200]!r}", "target") from None
    return target != "embedded" and host not in ("localhost", "::1") and not host.startswith("127.")


def _from_file(setting: Any, file: ConfigFile) -> Any:
    """A setting's value as the file typed it (checked against the schema): a path relative to the file's directory."""
    value = file.values[setting.name]
    if kind(setting) == "float":
        return float(value)
    if kind(setting).startswith("tuple"):
        return tuple(value)
    if setting.metadata["metavar"] == "PATH" and value and not Path(value).is_absolute():
        return str(file.directory / value)
    return value


def _shown(value: Any) -> str:
    """A setting's value as the line of where it came from shows it."""
    if isinstance(value, bool):
        text = "on" if value else "off"
    else:
        text = ",".join(value) if isinstance(value, tuple) else f"{value:g}" if isinstance(value, float) else str(value)
    return printable(text)[:200]


def _from_cli(setting: Any, value: Any) -> Any:
    if isinstance(value, list):  # repeated flag; each may hold several comma-separated ids
        return parse(setting, ",".join(value), flag(setting))
    if isinstance(value, str):
        return parse(setting, value, flag(setting))
    return value
