"""Record any target once, replay it offline: vcrpy cassettes with our matching, redaction and metadata.

Cassettes are vcrpy's YAML (`version: 1`, `interactions`), so they load in vcrpy and pytest-recording;
ours add `metadata.conformance`: what recorded them and the settings that decide which requests a run sends.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import vcr
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.persisters.filesystem import CassetteNotFoundError, FilesystemPersister
from vcr.serialize import deserialize, serialize
from vcr.serializers import jsonserializer, yamlserializer

import conformance
from conformance.cassettes import MAX_CASSETTE_BYTES, redaction
from conformance.cassettes.reading import CassetteError, read_cassette
from conformance.cassettes.redaction import credential_class
from conformance.contract import contract_hash, load_contract
from conformance.files import write_atomically
from conformance.printable import has_control, printable
from conformance.secret import Secret

MATCH_ON = ["method", "path", "exact_query", "credentials"]
REPLAY_TOKEN = Secret("replay-token")  # what a replay sends as its token when none is set


@dataclass
class Recording:
    """What decides the requests a run sends, and where they went: kept in the cassette."""

    recorded_from: str
    base_url: str
    account_id: str
    app_id: str
    session_ids: tuple[str, ...]
    settings: dict[str, Any]  # profile, seed, max_examples, edition, method_probes, suite and contract versions
    recorded_on: str = ""  # the day it was recorded (UTC, ISO 8601): what --max-age reads; '' in a cassette from elsewhere
    complete: bool = field(default=False, compare=False)  # only a run that ended whole is written
    written: int | None = field(default=None, compare=False)  # the exchanges the cassette holds, once written

    def as_dict(self) -> dict[str, Any]:
        kept = {k: v for k, v in self.__dict__.items() if k not in ("complete", "written")}
        return {**kept, "session_ids": list(self.session_ids)}

    def edition_detected(self, edition: str) -> None:
        """The edition the run detected, which a replay checks: known only after the cassette has begun to record the
        requests that detect it."""
        self.settings["edition"] = edition


def request_settings(profile: str, seed: int, max_examples: int, edition: str, method_probes: bool) -> dict[str, Any]:
    """The settings that decide which requests a run sends."""
    return {
        "suite_version": conformance.__version__,
        "contract_hash": contract_hash(),
        "edition": edition,
        "profile": profile,
        "seed": seed,
        "max_examples": max_examples,
        "method_probes": method_probes,
    }


def load_recording(path: Path, base_path_of: Any, limit: int = MAX_CASSETTE_BYTES) -> Recording:
    """The metadata of a cassette to replay; any problem is one CassetteError line.

    A cassette recorded by vcrpy or pytest-recording has none: its target and ids are read off the
    recorded requests (`base_path_of(uri)` -> (base URL, path parameters) or None), its settings unknown.
    """
    data = read_cassette(path, limit)
    meta = (data.get("metadata") or {}).get("conformance") or _read_off(path, data["interactions"], base_path_of)
    recording = Recording(**{**meta, "session_ids": tuple(meta["session_ids"])})
    edition = recording.settings.get("edition", "")
    if edition and edition not in load_contract().editions:
        raise CassetteError(f"cassette {path} names an edition this contract does not know ({printable(edition)[:40]}): re-record it")
    return recording


def _read_off(path: Path, interactions: list[dict[str, Any]], base_path_of: Any) -> dict[str, Any]:
    answered = [(i["request"]["uri"], i["response"].get("status", {}).get("code")) for i in interactions]
    recording = recording_of(answered, "vcrpy", base_path_of)
    if recording is None:
        raise CassetteError(f"cassette {path} holds no request of this operation: re-record it")
    return recording.as_dict()


def recording_of(answered: list[tuple[str, Any]], recorded_from: str, base_path_of: Any, recorded_on: str = "") -> Recording | None:
    """What a cassette recorded by another tool holds, read off its requests (uri, status): the target and ids of the
    first request of this operation; the sessions that were found (answered 200), or every session asked for when none
    was; no settings (any run whose requests it holds replays it). None when no request is of this operation."""
    found = [(f, status) for f, status in ((base_path_of(uri), status) for uri, status in answered) if f is not None]
    if not found:
        return None
    base_url, params = found[0][0]
    asked = [(p["session_id"], status) for (_, p), status in found if not has_control(p["session_id"])]
    sessions = [session for session, status in asked if status == 200] or [session for session, _ in asked]
    return Recording(recorded_from, base_url, params["account_id"], params["app_id"], tuple(dict.fromkeys(sessions)), {}, recorded_on)


def check_compatible(recording: Recording, wanted: dict[str, Any], path: Path) -> None:
    """Refuse, plainly, a replay whose settings would send requests the cassette does not hold."""
    if not recording.settings:  # recorded by another tool: nothing to compare
        return
    differ = [f"{k} {recording.settings.get(k)!r} (recorded) vs {v!r} (now)" for k, v in wanted.items() if recording.settings.get(k) != v]
    if differ:
        raise CassetteError(
            f"cassette {path} was recorded with other settings: {'; '.join(differ)}. Re-record it, or run with the recorded settings"
        )


class Persister(FilesystemPersister):  # type: ignore[misc]  # untyped base
    """Loads a cassette only as read_cassette allows it (bounded, alias-free, in the cassette format), and writes one
    to a temporary file renamed over it, so a crash never leaves half a cassette over a good one."""

    def __init__(self, recording: Recording | None, limit: int = MAX_CASSETTE_BYTES) -> None:
        self.recording, self.limit = recording, limit  # no recording: a replay, which writes nothing

    def load_cassette(self, cassette_path: Any, serializer: Any) -> Any:
        path = Path(cassette_path)
        if not path.is_file() or path.stat().st_size == 0:  # vcrpy records a missing or empty cassette anew
            raise CassetteNotFoundError()
        return deserialize(read_cassette(path, self.limit), _Read)

    def save_cassette(self, cassette_path: Any, cassette_dict: dict[str, Any], serializer: Any) -> None:
        if self.recording is None or not self.recording.complete:  # interrupted, stopped or partial: left as it was
            return
        write_cassette(Path(cassette_path), cassette_dict, self.recording, serializer)


def write_cassette(path: Path, cassette_dict: dict[str, Any], recording: Recording | None, serializer: Any) -> None:
    """vcrpy's requests and responses as a cassette at `path`, with our metadata when there is one; written whole or
    not at all."""
    metadata = {"conformance": recording.as_dict()} if recording else {}
    write_atomically(path, serialize({**cassette_dict, "metadata": metadata}, serializer))
    if recording:
        recording.written = len(cassette_dict["requests"])


class _Read:
    """vcrpy's deserialize() with a cassette already read: what read_cassette made of the file is what vcrpy gets."""

    @staticmethod
    def deserialize(data: dict[str, Any]) -> dict[str, Any]:
        return data


def check_writable(path: Path) -> None:
    if path.is_dir():
        raise CassetteError(f"cannot write cassette {path}: it is a directory; give a file path such as {path / 'run.yaml'}")
    folder = path.parent if path.parent != Path("") else Path(".")
    if (path.exists() and not os.access(path, os.W_OK)) or (folder.exists() and not os.access(folder, os.W_OK)):
        raise CassetteError(f"cannot write cassette {path}: permission denied")


@contextlib.contextmanager
def use_cassette(
    path: Path,
    record_mode: str,
    token: Secret,
    recording: Recording,
    redactions: dict[str, str],
    limit: int = MAX_CASSETTE_BYTES,
    max_body: int = MAX_CASSETTE_BYTES,
) -> Iterator[Any]:
    """Every HTTP request of the block (httpx and requests) recorded to, or replayed from, `path`."""

    recorder = vcr.VCR(
        record_mode=record_mode,
        match_on=MATCH_ON,
        before_record_request=redaction.request_hook(token),
        before_record_response=redaction.response_hook(token, max_body),
        filter_sensitive_data=list(redactions.items()),
        decode_compressed_response=False,  # the response hook decodes, under the run's limit: vcrpy would inflate a bomb whole
        drop_unused_requests=record_mode == "all",  # "all" writes exactly this run's exchanges
    )
    recorder.register_matcher("credentials", lambda got, recorded: same_credentials(got, recorded, token))
    recorder.register_matcher("exact_query", same_query)
    recorder.register_persister(Persister(recording, limit))
    with recorder.use_cassette(str(path)) as cassette:
        yield cassette


def same_credentials(got: Any, recorded: Any, token: Secret) -> None:
    mine, theirs = (credential_class(r.headers.get("Authorization"), token) for r in (got, recorded))
    assert mine == theirs, f"credentials {mine} != {theirs}"


def same_query(got: Any, recorded: Any) -> None:
    """vcrpy's query matcher drops blank values: `include_breakout_rooms=` would match no query at all."""
    mine, theirs = (sorted(parse_qsl(urlsplit(r.uri).query, keep_blank_values=True)) for r in (got, recorded))
    assert mine == theirs, f"query {mine} != {theirs}"


def replay_miss(exc: BaseException) -> str | None:
    """A request the cassette does not hold, in one line: the request, the nearest recorded ones, and what to do;
    None for any other exception. The run's transport raises it as its own NotRecorded."""
    if not isinstance(exc, CannotOverwriteExistingCassetteException):
        return None
    request = exc.failed_request
    nearest = [f"{r.method} {r.path}?{r.query} (differs in {', '.join(m for m, _ in failed)})" for r, _, failed in exc.similar_requests[:3]]
    near = "; nearest recorded: " + " | ".join(nearest) if nearest else "; nothing similar is recorded"
    return f"not in the cassette: {request.method} {request.path}{near}. Re-record with --record-mode new_episodes (adds it) or all"


def base_and_parameters(uri: str) -> tuple[str, dict[str, str]] | None:
    """(base URL, path parameters) of a request of this operation, or None."""
    parts = urlsplit(uri)
    depth = load_contract().path_template.count("/")
    segments = parts.path.split("/")
    params = load_contract().match_path("/" + "/".join(segments[-depth:]))
    if params is None:
        return None
    return f"{parts.scheme}://{parts.netloc}" + "/".join(segments[:-depth]), params


def write_exchanges(path: Path, interactions: list[tuple[dict[str, Any], dict[str, Any]]], recorded_from: str, recorded_on: str) -> None:
    """Exchanges that passed elsewhere than in a run (the proxy's), already redacted, as a cassette that a run replays
    and an audit reads: each a request (method, uri, body, headers: name -> value) and a response in vcrpy's form. Its
    metadata is read off the requests; `.json` is written by vcrpy's JSON serializer, any other name as YAML."""
    requests = [vcr.request.Request(r["method"], r["uri"], r["body"], r["headers"]) for r, _ in interactions]
    answered = [(request["uri"], response["status"]["code"]) for request, response in interactions]
    recording = recording_of(answered, recorded_from, base_and_parameters, recorded_on)
    serializer = jsonserializer if path.suffix == ".json" else yamlserializer
    write_cassette(path, {"requests": requests, "responses": [response for _, response in interactions]}, recording, serializer)
