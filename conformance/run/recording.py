"""Where a run meets its cassette: the target a replay stands for, and the cassette a recording writes."""

from __future__ import annotations

import contextlib
import datetime
import os
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.cassettes.cassette import (
    REPLAY_TOKEN,
    Recording,
    base_and_parameters,
    check_compatible,
    check_writable,
    load_recording,
    request_settings,
    use_cassette,
)
from conformance.cassettes.reading import CassetteError
from conformance.cassettes.redaction import placeholder
from conformance.run.settings import AUTO_EDITION, Settings, seconds_of
from conformance.run.targets import Target
from conformance.secret import Secret
from conformance.transport.probes import Ids

ACCOUNT_PLACEHOLDER, APP_PLACEHOLDER = "REDACTED-ACCOUNT-ID", "REDACTED-APP-ID"
# What a recording of the embedded mock, served on a free port each run, writes for its host: `mock`'s default address.
EMBEDDED_HOST = "127.0.0.1:8787"


def wanted(settings: Settings, seed: int, edition: str) -> dict[str, Any]:
    profile = settings.property_profile
    return request_settings(profile.name, seed, profile.max_examples, edition, settings.sends_other_methods)


def compared(settings: Settings, seed: int) -> dict[str, Any]:
    """The settings a cassette must have been recorded with to replay, or to be added to, under these."""
    settings_now = wanted(settings, seed, settings.edition)
    if settings.edition == AUTO_EDITION:  # the recorded edition is the one to check
        del settings_now["edition"]
    return settings_now


def replay_target(settings: Settings, seed: int) -> Target:
    """The target a cassette recorded: its base URL, ids and edition; nothing is contacted."""
    path = Path(settings.cassette)
    recording = load_recording(path, base_and_parameters, settings.max_cassette)
    check_compatible(recording, compared(settings, seed), path)
    if settings.max_age:
        check_age(recording, path, settings.max_age)
    ids = Ids(recording.account_id, recording.app_id, recording.session_ids)
    _check_ids(settings, ids, path)
    token = Secret(os.environ[settings.token_env]) if os.environ.get(settings.token_env) else REPLAY_TOKEN
    label = f"cassette {path} (recorded from {recording.recorded_from})"
    return Target(label, recording.base_url, token, ids, edition=recording.settings.get("edition", ""))


def check_age(recording: Recording, path: Path, max_age: str) -> None:
    """A cassette older than --max-age warns; older than twice that (or of no known age) is refused, with the command
    that records it again."""
    age = _days_old(recording)
    limit = seconds_of(max_age) / 86_400
    if age is not None and age <= limit:
        return
    again = record_again(recording, path)
    if age is not None and age <= 2 * limit:
        warning = f"cassette {path} is {age:g} days old, past --max-age {max_age}: record it again: {again}"
        print(f"rtk-conformance: warning: {warning}", file=sys.stderr)
        return
    said = f"is {age:g} days old, past twice --max-age {max_age}" if age is not None else "records no date it was recorded on"
    raise CassetteError(f"cassette {path} {said}: record it again: {again}")


def _days_old(recording: Recording) -> float | None:
    try:
        recorded = datetime.date.fromisoformat(recording.recorded_on)
    except ValueError:
        return None
    return float((datetime.datetime.now(datetime.timezone.utc).date() - recorded).days)


def record_again(recording: Recording, path: Path) -> str:
    """The command that records the cassette again, from what it recorded (ids it hides as placeholders read from the
    environment; the embedded mock as itself)."""
    if recording.recorded_from.startswith("embedded"):
        target = []
    else:
        account = "$CLOUDFLARE_ACCOUNT_ID" if recording.account_id.startswith(ACCOUNT_PLACEHOLDER) else recording.account_id
        app = "$CONFORMANCE_APP_ID" if recording.app_id.startswith(APP_PLACEHOLDER) else recording.app_id
        sessions = [word for session in recording.session_ids for word in ("--session-id", session)]
        target = ["--target", recording.base_url, "--account-id", account, "--app-id", app, *sessions]
    words = ["rtk-conformance", "run", *target, "--cassette", str(path), "--record-mode", "all"]
    return " ".join(word if word.startswith("$") else shlex.quote(word) for word in words)


def _check_ids(settings: Settings, ids: Ids, path: Path) -> None:
    given = {"account_id": settings.account_id, "app_id": settings.app_id}
    differ = [name for name, value in given.items() if value and value != getattr(ids, name)]
    differ += ["session_id"] if settings.session_id and tuple(settings.session_id) != ids.session_ids else []
    if differ:
        raise CassetteError(f"cassette {path} was recorded for other ids ({', '.join(differ)}): leave them out to replay it")


@contextlib.contextmanager
def cassette_for(settings: Settings, target: Target, seed: int) -> Iterator[Recording]:
    """Record to, or replay from, the run's cassette; yields what it records, whose edition the run sets once known."""
    path = Path(settings.cassette)
    host = urlsplit(target.base_url).netloc
    redactions = _redactions(target.ids) if settings.redact_ids and not settings.replaying else {}
    if settings.embedded and not settings.replaying:  # a port of its own each run: re-recording changes nothing
        redactions[EMBEDDED_HOST] = host
    shown = {value: stand_in for stand_in, value in redactions.items()}
    if not settings.replaying:
        check_writable(path)
    if settings.record_mode == "new_episodes" and path.is_file():  # adding to it: only what the same settings send
        check_compatible(load_recording(path, base_and_parameters, settings.max_cassette), compared(settings, seed), path)
    recording = Recording(
        recorded_from=target.label,
        base_url=target.base_url.replace(host, shown.get(host, host), 1),
        account_id=shown.get(target.ids.account_id, target.ids.account_id),
        app_id=shown.get(target.ids.app_id, target.ids.app_id),
        session_ids=target.ids.session_ids,
        settings=wanted(settings, seed, settings.edition),
        recorded_on=datetime.datetime.now(datetime.timezone.utc).date().isoformat(),
    )
    with use_cassette(path, settings.record_mode, target.token, recording, redactions, settings.max_cassette, settings.max_body):
        yield recording


def _redactions(ids: Ids) -> dict[str, str]:
    """Placeholder -> real id, for the account and the app (organization_id is the app id)."""
    return {placeholder(ids.account_id, ACCOUNT_PLACEHOLDER): ids.account_id, placeholder(ids.app_id, APP_PLACEHOLDER): ids.app_id}
