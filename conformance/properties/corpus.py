"""Generated cases kept between runs. A deterministic profile's cases depend only on the contract, the profile, the
seed, the ids and the versions of the suite, schemathesis and Hypothesis: they are generated once, kept in the
user's cache directory under a key of all of these, and reused while none changes (`--fresh` generates anew).
Generation is most of the property layer's time; a cached run sends exactly the requests a fresh one sends."""

from __future__ import annotations

import contextlib
import hashlib
import json
import pickle
from importlib.metadata import version
from pathlib import Path
from typing import Any

import platformdirs
from requests.structures import CaseInsensitiveDict
from schemathesis.core import NOT_SET, NotSet

import conformance
from conformance.cassettes.cassette import contract_sha256
from conformance.contract import Contract
from conformance.files import write_atomically
from conformance.properties.profiles import Profile
from conformance.properties.schemathesis_internals import Case, record_starting_state
from conformance.transport.probes import Ids

FIELDS = ("method", "path", "id", "path_parameters", "query", "body", "media_type", "meta")  # and the headers


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("rtk-conformance")) / "corpus"


def key(contract: Contract, profile: Profile, seed: int, ids: Ids, phase: str) -> str:
    """Everything the cases of one phase depend on, hashed: another value of any of them is another corpus."""
    parts = [contract_sha256(), contract.edition, profile.name, profile.max_examples, seed, list(ids.__dict__.values()), phase]
    parts += [conformance.__version__, version("schemathesis"), version("hypothesis")]
    return hashlib.sha256(json.dumps(parts, default=list).encode()).hexdigest()[:32]


def load(name: str, operation: Any) -> list[Any] | None:
    """The kept cases, rebuilt for `operation`; None when there are none or they cannot be read."""
    path = cache_dir() / f"{name}.pickle"
    try:
        return rebuilt(operation, pickle.loads(path.read_bytes()))  # our own file, in the user's own cache directory
    except (OSError, pickle.UnpicklingError, EOFError, ImportError, AttributeError, KeyError, TypeError, ValueError):
        return None


def store(name: str, cases: list[Any]) -> None:
    """Keep the cases (atomically); a cache that cannot be written only costs the next run its generation."""
    with contextlib.suppress(OSError):
        write_atomically(cache_dir() / f"{name}.pickle", pickle.dumps(records(cases)))


def records(cases: list[Any]) -> list[dict[str, Any]]:
    """The cases as plain data, to keep in a file or pass to another process."""
    return [{field: getattr(case, field) for field in FIELDS} | {"headers": dict(case.headers or {})} for case in cases]


def rebuilt(operation: Any, kept: list[dict[str, Any]]) -> list[Any]:
    """The cases of `records`, for `operation` of this process."""
    return [_case(operation, record) for record in kept]


def _case(operation: Any, record: dict[str, Any]) -> Case[Any]:
    headers = CaseInsensitiveDict(record["headers"])
    fields = {name: record[name] for name in ("path_parameters", "query", "body", "media_type", "meta")}
    if isinstance(fields["body"], NotSet):  # unpickled, "no body" is a copy of schemathesis's marker: use the marker
        fields["body"] = NOT_SET
    case = Case(operation, record["method"], record["path"], id=record["id"], headers=headers, **fields)
    # The metadata keeps hashes of the data it was validated against, and Python's string hashes differ from one
    # process to the next: without this, every kept case would be revalidated, and some would change mode.
    record_starting_state(case)
    return case
