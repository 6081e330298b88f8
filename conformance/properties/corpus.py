"""Generated cases kept between runs. A deterministic profile's cases depend only on the contract, the profile, the
seed, the ids and the versions of the suite, schemathesis and Hypothesis: they are generated once, kept in the
user's cache directory under a key of all of these, and reused while none changes (`--fresh` generates anew).
Generation is most of the property layer's time; a cached run sends exactly the requests a fresh one sends.

A kept file is data from outside: anyone who can write the cache directory (a restored CI cache) writes it. So it
is JSON, never code, and it is used only when it says it was made for this very run and holds nothing the generator
could not have made: the operation's methods and path, its parameters, the profile's number of cases. Any other file
is set aside with a notice, and the cases are generated anew."""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import jsonschema_rs
import platformdirs
from requests.structures import CaseInsensitiveDict
from schemathesis.core import NOT_SET

import conformance
from conformance import nesting
from conformance.contract import Contract, contract_sha256
from conformance.files import TooLarge, read_at_most, write_atomically
from conformance.properties.profiles import Profile
from conformance.properties.schemathesis_internals import Case, CaseMetadata, record_starting_state
from conformance.transport.probes import Ids

FIELDS = ("method", "path", "id", "path_parameters", "query", "media_type")  # and the headers, the metadata, a body
MAX_FILE_BYTES = 16 * 1024 * 1024  # a kept phase of the ci profile is well under 1 MiB
# The examples and coverage phases are fixed by the contract (1 and 29 to 41 cases today, edge values included); a
# kept phase with more cases than this was not made by the generator.
MAX_FIXED_PHASE_CASES = 200
MAX_VALUE_CHARACTERS = 4096  # a generated id or query value is a few hundred characters at most
MAX_MESSAGE = 160  # characters of the validator's message in a notice


@dataclass(frozen=True)
class Kept:
    """A phase's kept cases, or why there are none: `notice` is '' when there simply was no file."""

    cases: list[Any] | None
    notice: str = ""


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("rtk-conformance")) / "corpus"


def made_for(contract: Contract, profile: Profile, seed: int, ids: Ids, phase: str) -> dict[str, Any]:
    """Everything the cases of one phase depend on: another value of any of them is another corpus."""
    return {
        "contract": contract_sha256(),
        "edition": contract.edition,
        "profile": profile.name,
        "max_examples": profile.max_examples,
        "seed": seed,
        "ids": [ids.account_id, ids.app_id, list(ids.session_ids)],
        "phase": phase,
        "made_by": {
            "rtk-conformance": conformance.__version__,
            "schemathesis": version("schemathesis"),
            "hypothesis": version("hypothesis"),
        },
    }


def key(identity: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:32]


def path_of(identity: dict[str, Any]) -> Path:
    return cache_dir() / f"{key(identity)}.json"


def load(identity: dict[str, Any], operation: Any, profile: Profile, foreign: Any = lambda cases: "") -> Kept:
    """The kept cases of `identity`, rebuilt for `operation`, when the file holds only what the generator makes;
    `foreign(cases)` names what in them the generator would not have made for this run (another run's ids), or ''."""
    path = path_of(identity)
    try:
        kept = nesting.loads(read_at_most(path, MAX_FILE_BYTES))
    except FileNotFoundError:
        return Kept(None)
    except TooLarge:
        return _set_aside(path, f"it is larger than {MAX_FILE_BYTES} bytes")
    except nesting.TooDeep:
        return _set_aside(path, f"it is {nesting.TOO_DEEP}")
    except (OSError, ValueError, RecursionError) as exc:
        return _set_aside(path, f"it is not readable JSON ({type(exc).__name__})")
    made_for_run = kept.get("made_for") if isinstance(kept, dict) else None
    if made_for_run != identity:
        return _set_aside(path, f"it was made for another run (its {_first_difference(made_for_run, identity)} differs)")
    error = next(iter(_validator(identity, operation, profile).iter_errors(kept)), None)
    if error is not None:
        return _set_aside(path, _broken_rule(error))
    try:
        cases = rebuilt(operation, kept["cases"])
    except (KeyError, TypeError, ValueError) as exc:  # metadata schemathesis cannot read back
        return _set_aside(path, f"its case metadata is not schemathesis's ({type(exc).__name__}: {exc})")
    elsewhere = foreign(cases)
    return _set_aside(path, f"its cases name what this run's generator never would ({elsewhere})") if elsewhere else Kept(cases)


def _first_difference(made_for_run: Any, identity: dict[str, Any]) -> str:
    """The first of what a run's cases depend on that differs; the file's own values are not shown."""
    if not isinstance(made_for_run, dict):
        return "made_for"
    return next((name for name in identity if made_for_run.get(name) != identity[name]), "made_for")


def _broken_rule(error: Any) -> str:
    """Where a kept file breaks the rules, and which: the validator's own words when they are short (they quote the
    value as JSON, control characters escaped), else the rule's place in the schema."""
    where = "/" + "/".join(str(part) for part in error.instance_path)
    rule = error.message if len(error.message) <= MAX_MESSAGE else "it breaks " + "/".join(str(p) for p in error.schema_path)
    return f"at {where}: {rule}"


def _set_aside(path: Path, why: str) -> Kept:
    return Kept(None, f"Cache: {path} set aside, {why}; the cases are generated anew")


def store(identity: dict[str, Any], cases: list[Any]) -> None:
    """Keep the cases (atomically); a cache that cannot be written only costs the next run its generation."""
    with contextlib.suppress(OSError):
        write_atomically(path_of(identity), json.dumps({"made_for": identity, "cases": records(cases)}).encode())


def records(cases: list[Any]) -> list[dict[str, Any]]:
    """The cases as plain data, to keep in a file or pass to another process."""
    return [_record(case) for case in cases]


def _record(case: Any) -> dict[str, Any]:
    record = {field: getattr(case, field) for field in FIELDS}
    record |= {"headers": dict(case.headers or {}), "meta": case.meta.to_dict()}
    return record | ({} if case.body is NOT_SET else {"body": case.body})


def rebuilt(operation: Any, kept: list[dict[str, Any]]) -> list[Any]:
    """The cases of `records`, for `operation` of this process."""
    return [_case(operation, record) for record in kept]


def _case(operation: Any, record: dict[str, Any]) -> Case[Any]:
    headers = CaseInsensitiveDict(record["headers"])
    fields = {name: record[name] for name in ("path_parameters", "query", "media_type")}
    fields |= {"body": record.get("body", NOT_SET), "meta": CaseMetadata.from_dict(record["meta"])}
    case = Case(operation, record["method"], record["path"], id=record["id"], headers=headers, **fields)
    # The metadata keeps hashes of the data it was validated against, and Python's string hashes differ from one
    # process to the next: without this, every kept case would be revalidated, and some would change mode.
    record_starting_state(case)
    return case


def _validator(identity: dict[str, Any], operation: Any, profile: Profile) -> Any:
    """What a kept file of `identity` may hold: only what the generator makes for `operation` in that phase."""
    phase = identity["phase"]
    others = sorted(m.upper() for m in operation.schema.config.phases_for(operation=operation).coverage.unexpected_methods)
    methods = [operation.method.upper(), *(others if phase == "coverage" else [])]
    at_most = profile.max_examples if phase == "fuzzing" else MAX_FIXED_PHASE_CASES
    schema = {
        "type": "object",
        "required": ["made_for", "cases"],
        "additionalProperties": False,
        "properties": {
            "made_for": {"type": "object"},  # the very run's: compared before
            "cases": {"type": "array", "minItems": 1, "maxItems": at_most, "items": _case_schema(operation, methods)},
        },
        # The coverage phase sends each method the operation does not have once (the 405 probes), never more.
        "allOf": [{"properties": {"cases": {"contains": _of_method(m), "minContains": 0, "maxContains": 1}}} for m in others],
    }
    return jsonschema_rs.Draft202012Validator(schema)


def _of_method(method: str) -> dict[str, Any]:
    return {"properties": {"method": {"const": method}}}


def _case_schema(operation: Any, methods: list[str]) -> dict[str, Any]:
    text = {"type": "string", "maxLength": MAX_VALUE_CHARACTERS}
    value = {"anyOf": [text, {"type": ["number", "boolean", "null"]}, {"type": "array", "maxItems": 100, "items": text}]}
    path_names = [p.name for p in operation.path_parameters]
    path = {"type": "object", "required": path_names, "additionalProperties": False, "properties": dict.fromkeys(path_names, text)}
    query_names = [p.name for p in operation.query]
    return {
        "type": "object",
        "required": [*FIELDS, "headers", "meta"],
        "additionalProperties": False,  # a body too: this operation takes none
        "properties": {
            "method": {"enum": methods},
            "path": {"const": operation.path},
            "id": {"type": "string", "maxLength": 100},
            "path_parameters": path,
            "query": {"type": ["object", "null"], "additionalProperties": False, "properties": dict.fromkeys(query_names, value)},
            "media_type": {"type": "null"},
            "headers": {"type": "object", "maxProperties": 20, "additionalProperties": text},
            "meta": {"type": "object"},
        },
    }
