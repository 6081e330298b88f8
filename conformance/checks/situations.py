"""The endpoint's situations, read from the contract: what a run should have seen before its verdict means much.

A check judges only what it sees: a mock that never answers ENDED, never lists a breakout room and never refuses a
token passes every check. So each answer the run got is also read for the situations it shows, and the coverage
table (run/coverage.py) says which were never seen. The situations are the contract's own facts:
- each session `status` for each session `type` (their enums), in a session or one of its breakout rooms;
- breakout rooms listed, and none listed, for a request that asks for them;
- each edition of the 200 body;
- each recorded failure (a named example: its status and error codes; examples alike in both are one situation);
- each parameter at and past its documented maxLength, and a value its schema refuses (a boolean, a UUID).

A situation a run does not provoke (the contract's x-not-provoked says why, e.g. a rate limit) is listed, and left
out of what --coverage-min counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from conformance.checks.body import editions_of, lookup
from conformance.contract import Contract, RecordedFailure, load_contract
from conformance.contract.editions import documented_branch
from conformance.transport.exchange import NO_JSON, Exchange


@dataclass(frozen=True)
class Situation:
    id: str  # what --unreachable and a report name it by: session:LIVE:meeting, failure:<status>:<codes>, ...
    group: str  # session, breakout rooms, edition, failure, parameter
    title: str
    source: str  # observed, documented or inferred: the contract fact behind it
    contract: str  # file#/pointer
    not_provoked: str = ""  # why a run does not provoke it (from the contract), or ''


def all_ids() -> set[str]:
    """Every situation's id, in any edition: what --unreachable may name."""
    return {s.id for edition in load_contract().editions for s in situations(edition)}


def source_of(sources: Any) -> str:
    sources = list(sources or ())
    return "observed" if "observed" in sources else "inferred" if "inferred" in sources else "documented"


@cache
def situations(edition: str) -> tuple[Situation, ...]:
    contract = load_contract(edition)
    return (*_sessions(contract), *_breakout_rooms(contract), *_editions(contract), *_failures(contract), *_parameters(contract))


def _sessions(contract: Contract) -> list[Situation]:
    enums = contract.enum_fields()
    pointer = contract.session_property_pointer("status", "enum")
    return [
        Situation(f"session:{status}:{kind}", "session", f"{kind} session, {status}", "documented", pointer)
        for kind in enums["type"]
        for status in enums["status"]
    ]


def _breakout_rooms(contract: Contract) -> list[Situation]:
    name = contract.breakout_rooms_parameter
    source, pointer = source_of(contract.parameters[name].get("x-source")), contract.parameter_pointer(name, "type")
    return [
        Situation("breakout-rooms:listed", "breakout rooms", f"{name}=true: a session that lists breakout rooms", source, pointer),
        Situation("breakout-rooms:none", "breakout rooms", f"{name}=true: a session without breakout rooms", source, pointer),
    ]


def _editions(contract: Contract) -> list[Situation]:
    pointer = f"{contract.operation_pointer}/x-editions"
    return [
        Situation(
            f"edition:{name}",
            "edition",
            f"a 200 body in the {name} edition ({e['summary']})",
            source_of(e["x-source"]),
            f"{pointer}/{name}",
        )
        for name, e in contract.editions.items()
    ]


def error_codes(body: Any) -> tuple[Any, ...]:
    """The error codes a failure body carries: the Cloudflare envelope's errors[].code, or RealtimeKit's error.code."""
    if not isinstance(body, dict):
        return ()
    if isinstance(body.get("errors"), list):
        return tuple(e.get("code") for e in body["errors"] if isinstance(e, dict))
    return (body["error"].get("code"),) if isinstance(body.get("error"), dict) else ()


def failure_key(status: int, body: Any) -> str:
    return ":".join(["failure", str(status), *map(str, error_codes(body))])


def _failures(contract: Contract) -> list[Situation]:
    alike: dict[str, list[RecordedFailure]] = {}
    for failure in contract.recorded_failures.values():
        alike.setdefault(failure_key(failure.status, failure.body), []).append(failure)
    return [
        Situation(
            key,
            "failure",
            f"{failures[0].status}: " + "; ".join(f"{f.summary} ({f.situation})" for f in failures),
            "observed" if any(not f.inferred for f in failures) else "inferred",
            failures[0].pointer,
            " ".join(dict.fromkeys(f.not_provoked for f in failures if f.not_provoked)),
        )
        for key, failures in alike.items()
    ]


def _parameters(contract: Contract) -> list[Situation]:
    found = []
    for name, parameter in contract.parameters.items():
        source = source_of(parameter.get("x-source"))
        limit = contract.max_lengths().get(name)
        if limit is not None:  # the documented limit's own source, where a contradiction holds another
            said = source_of(documented_branch(parameter["schema"])[0].get("x-source", parameter.get("x-source")))
            pointer = contract.parameter_pointer(name, "maxLength")
            found.append(
                Situation(f"parameter:{name}:at-limit", "parameter", f"{name} of {limit} characters, its maxLength", said, pointer)
            )
            found.append(Situation(f"parameter:{name}:past-limit", "parameter", f"{name} of more than {limit} characters", said, pointer))
        schema = parameter["schema"]
        refused = "not true or false" if schema.get("type") == "boolean" else f"not a {schema['format']}" if "format" in schema else ""
        if refused:
            pointer = contract.parameter_pointer(name, "type" if schema.get("type") == "boolean" else "format")
            found.append(Situation(f"parameter:{name}:refused", "parameter", f"{name} {refused}", source, pointer))
    return found


def seen_in(exchange: Exchange, contract: Contract) -> tuple[str, ...]:
    """The situations one exchange shows: of its request (a parameter's value), and of its answer, if it got one."""
    response = exchange.response
    if response is None:
        return ()
    request = exchange.request
    values = {**request.path_params, **request.query}
    seen = [s.id for s in situations(contract.edition) if s.group == "parameter" and _parameter_shows(s, values, contract)]
    body = response.json if response.json is not NO_JSON else None
    if response.status == 200:
        asked = request.query.get(contract.breakout_rooms_parameter) == "true"
        seen += _body_shows(body, asked, contract)
    elif body is not None:
        key = failure_key(response.status, body)
        seen += [s.id for s in situations(contract.edition) if s.id == key]
    return tuple(seen)


def _parameter_shows(situation: Situation, values: dict[str, str], contract: Contract) -> bool:
    _, name, what = situation.id.split(":")
    value = values.get(name)
    if value is None:
        return False
    if what == "at-limit":
        return len(value) == contract.max_lengths()[name]
    if what == "past-limit":
        return len(value) > contract.max_lengths()[name]
    if contract.parameters[name]["schema"].get("type") == "boolean":
        return value not in ("true", "false")
    return bool(contract.validate_parameter(name, value))


def _body_shows(body: Any, asked_for_rooms: bool, contract: Contract) -> list[str]:
    seen = []
    for edition in editions_of(body, contract):
        seen.append(f"edition:{edition}")
        session = lookup(body, contract.editions[edition]["session_pointer"])
        rooms = session.get(contract.nested_sessions_field)
        rooms = [room for room in rooms if isinstance(room, dict)] if isinstance(rooms, list) else []
        seen += [f"session:{s.get('status')}:{s.get('type')}" for s in [session, *rooms]]
        if asked_for_rooms:
            seen.append("breakout-rooms:listed" if rooms else "breakout-rooms:none")
    known = {s.id for s in situations(contract.edition)}
    return [s for s in dict.fromkeys(seen) if s in known]
